// Model builders: the untrained networks `mlp` and `cnn`.
#include "tasks/TaskContext.h"

#include "nn/ActivationLayers.h"
#include "nn/Network.h"

namespace mmlc::tasks {

namespace {
nn::LayerSpec activationLayer(const std::string &name) {
  return nn::activationFromMmlName(name); // the engine's activation table (nn/ActivationLayers.cpp)
}
} // namespace

void runMlp(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  auto net = std::make_shared<nn::Network>(nn::Shape{static_cast<int>(a.i("inputs"))},
                                           static_cast<uint64_t>(a.i("seed")));
  for (std::int64_t width : a.ints("hidden")) {
    net->add(nn::layers::dense(static_cast<int>(width)));
    if (a.b("batchnorm"))
      net->add(nn::layers::batchNorm());
    net->add(activationLayer(a.s("activation")));
    if (a.f("dropout") > 0)
      net->add(nn::layers::dropout(static_cast<float>(a.f("dropout"))));
  }
  net->add(nn::layers::dense(static_cast<int>(a.i("outputs"))));
  if (a.s("output_activation") == "softmax")
    net->add(nn::layers::softmax());
  else if (a.s("output_activation") == "sigmoid")
    net->add(nn::layers::sigmoid());
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

void runCnn(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  int height = static_cast<int>(a.i("height")), width = static_cast<int>(a.i("width"));
  int kernel = static_cast<int>(a.i("kernel")), pool = static_cast<int>(a.i("pool"));
  // The engine is channels-first: a sample is C x H x W in C order (for one channel, the
  // row-major image, which is how IDX and flat 784-pixel data are stored).
  auto net = std::make_shared<nn::Network>(
      nn::Shape{static_cast<int>(a.i("channels")), height, width},
      static_cast<uint64_t>(a.i("seed")));
  std::vector<std::int64_t> filters = a.ints("filters");
  if (filters.empty())
    throw ctx.error("cnn needs at least one convolution (filters: [16, 32])");
  for (size_t stage = 0; stage < filters.size(); ++stage) {
    if (filters[stage] < 1)
      throw ctx.error("filters[" + std::to_string(stage) + "] is " +
                      std::to_string(filters[stage]) + "; every convolution needs at least 1 filter");
    if (height < kernel || width < kernel)
      throw ctx.error("convolution " + std::to_string(stage + 1) + " gets a " +
                      std::to_string(height) + "x" + std::to_string(width) +
                      " feature map, smaller than the " + std::to_string(kernel) + "x" +
                      std::to_string(kernel) + " kernel; use fewer convolutions, a smaller "
                      "kernel or pool");
    // Unpadded ("valid") convolutions: the HLS templates support no padding.
    net->add(nn::layers::conv2d(static_cast<int>(filters[stage]), kernel));
    height -= kernel - 1;
    width -= kernel - 1;
    if (a.b("batchnorm"))
      net->add(nn::layers::batchNorm());
    net->add(activationLayer(a.s("activation")));
    if (pool > 1) {
      if (height < pool || width < pool)
        throw ctx.error("pooling after convolution " + std::to_string(stage + 1) + " gets a " +
                        std::to_string(height) + "x" + std::to_string(width) +
                        " feature map, smaller than the pool size " + std::to_string(pool));
      net->add(nn::layers::maxPool(pool));
      height /= pool;
      width /= pool;
    }
  }
  net->add(nn::layers::flatten());
  if (a.f("dropout") > 0)
    net->add(nn::layers::dropout(static_cast<float>(a.f("dropout"))));
  for (std::int64_t units : a.ints("dense")) {
    if (units < 1)
      throw ctx.error("dense layer widths must be at least 1, got " + std::to_string(units));
    net->add(nn::layers::dense(static_cast<int>(units)));
    net->add(activationLayer(a.s("activation")));
  }
  net->add(nn::layers::dense(static_cast<int>(a.i("outputs"))));
  net->add(nn::layers::softmax());
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

} // namespace mmlc::tasks
