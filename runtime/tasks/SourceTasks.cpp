// Source tasks: devices (`part`) and data sets (`fashion_mnist`, ...).
#include "tasks/TaskContext.h"

#include <algorithm>

#include "hls/SynthMetrics.h"
#include "nn/IdxReader.h"

namespace mmlc::tasks {

void runPart(TaskContext &ctx) {
  hls::lookupDevice(ctx.args.s("name")); // unknown parts are an error naming the known ones
  ctx.store.devices[ctx.key] = {ctx.args.s("name"), ctx.args.f("clock")};
}

void runFashionMnist(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  std::string dir = a.s("dir");
  long limit = a.i("limit") > 0 ? a.i("limit") : -1;
  nn::Dataset train = nn::loadIdxDataset(dir + "/train-images-idx3-ubyte.gz",
                                         dir + "/train-labels-idx1-ubyte.gz", limit);
  nn::Dataset test = nn::loadIdxDataset(dir + "/t10k-images-idx3-ubyte.gz",
                                        dir + "/t10k-labels-idx1-ubyte.gz",
                                        limit > 0 ? std::max(100L, limit / 6) : -1);
  if (!a.b("normalize")) { // the IDX loader scales pixels to [0, 1]; undo on request
    train.x *= 255.0f;
    test.x *= 255.0f;
  }
  nn::DatasetSplit split =
      nn::stratifiedSplit(train, a.f("split"), 0.0, static_cast<uint64_t>(a.i("seed")));
  split.test = std::move(test);
  ctx.store.data[ctx.key] = {std::move(split), 10};
}

} // namespace mmlc::tasks
