// Source tasks: devices (`part`), data sets (`fashion_mnist`, `idx`, `csv`, `npy`, `openml`) and
// imported models (`onnx`).
#include "tasks/TaskContext.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <optional>

#include "hls/DesignEstimate.h"
#include "hls/SynthMetrics.h"
#include "nn/CsvReader.h"
#include "nn/Error.h"
#include "nn/IdxReader.h"
#include "nn/KerasImport.h"
#include "nn/Network.h"
#include "nn/NpyReader.h"
#include "nn/OnnxModel.h"
#include "nn/OpenmlLoader.h"
#include "nn/Random.h"

namespace mmlc::tasks {

void runPart(TaskContext &ctx) {
  const std::string &name = ctx.args.s("name");
  try {
    hls::lookupDevice(name); // unknown parts are an error naming the known ones
  } catch (const std::invalid_argument &e) {
    throw ctx.error(std::string("part: ") + e.what());
  }
  ModelStore::Device device{name, ctx.args.f("clock"), {}};
  // A calibration file selects the calibrated per-layer model for every estimate of designs on
  // this device (docs/estimator.md, "Using a calibration"); read now so a missing or corrupt
  // file is an error at this call, before anything is trained.
  if (ctx.args.has("calibration") && !ctx.args.s("calibration").empty()) {
    device.estimator.file = ctx.args.s("calibration");
    try {
      device.estimator.calibration = hls::loadCalibration(device.estimator.file);
    } catch (const std::exception &e) {
      throw ctx.error("part: calibration file: " + std::string(e.what()));
    }
  }
  ctx.store.devices[ctx.key] = std::move(device);
}

void runFashionMnist(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  std::string dir = a.s("dir");
  long limit = a.i("limit") > 0 ? a.i("limit") : -1;
  bool normalize = a.b("normalize");
  nn::Dataset train = nn::loadIdxDataset(dir + "/train-images-idx3-ubyte.gz",
                                         dir + "/train-labels-idx1-ubyte.gz", limit, normalize);
  nn::Dataset test = nn::loadIdxDataset(dir + "/t10k-images-idx3-ubyte.gz",
                                        dir + "/t10k-labels-idx1-ubyte.gz",
                                        limit > 0 ? std::max(100L, limit / 6) : -1, normalize);
  nn::DatasetSplit split =
      nn::stratifiedSplit(train, a.f("split"), 0.0, static_cast<uint64_t>(a.i("seed")));
  split.test = std::move(test);
  ctx.store.data[ctx.key] = {std::move(split), 10};
}

namespace {

/// How a loaded data set becomes the run's train/validation/test splits.
struct SplitOptions {
  double test = 0.2, validation = 0.2;
  std::uint64_t seed = 1;
  long limit = 0;            // 0: all samples
  bool subsample = true;     // false: the reader already read only the first `limit` samples
  bool standardize = false;
};

SplitOptions splitOptions(const TaskArgs &a) {
  SplitOptions o;
  o.test = a.f("test");
  o.validation = a.f("split");
  o.seed = static_cast<std::uint64_t>(a.i("seed"));
  o.limit = a.i("limit");
  o.standardize = a.has("standardize") && a.b("standardize");
  return o;
}

/// The test-set size that goes with a training `limit` (as `fashion_mnist` does it).
long testLimit(long limit) { return limit > 0 ? std::max(100L, limit / 6) : 0; }

/// At most `limit` samples: a seeded random subset, kept in file order (files are often sorted
/// by class, so the first rows would not do).
nn::Dataset limitSamples(const nn::Dataset &d, long limit, std::uint64_t seed) {
  if (limit <= 0 || d.size() <= limit)
    return d;
  std::vector<long> rows(static_cast<size_t>(d.size()));
  std::iota(rows.begin(), rows.end(), 0L);
  nn::Random rng(seed);
  for (long i = 0; i < limit; ++i) // partial Fisher-Yates: the first `limit` entries are the pick
    std::swap(rows[static_cast<size_t>(i)],
              rows[static_cast<size_t>(i + static_cast<long>(rng.below(d.size() - i)))]);
  rows.resize(static_cast<size_t>(limit));
  std::sort(rows.begin(), rows.end());
  return d.subset(rows);
}

/// Classification data only: labels must be class indices. `file` names the labels' origin.
void requireClasses(const nn::Dataset &d, const std::string &file) {
  if (d.labels.empty())
    throw nn::Error(file + ": the labels are not class indices (regression targets are not "
                           "supported by this task)");
  if (d.size() == 0)
    throw nn::Error(file + ": contains no samples");
}

/// Limits, splits (unless `test` is a separate test set), standardises with training-set
/// statistics and stores the data set; records its sizes as the step's metrics.
void storeData(TaskContext &ctx, nn::Dataset all, std::optional<nn::Dataset> test,
               const SplitOptions &o) {
  if (o.subsample)
    all = limitSamples(all, o.limit, o.seed);
  nn::DatasetSplit split;
  if (test) {
    if (test->x.cols() != all.x.cols())
      throw ctx.error("the test set has " + std::to_string(test->x.cols()) +
                      " features but the training set has " + std::to_string(all.x.cols()));
    if (o.subsample)
      *test = limitSamples(*test, testLimit(o.limit), o.seed + 1);
    int classes = std::max(all.numClasses, test->numClasses);
    all.numClasses = test->numClasses = classes;
    split = nn::stratifiedSplit(all, o.validation, 0.0, o.seed);
    split.test = std::move(*test);
  } else {
    // `split` is a fraction of what remains for training once the test set is held out.
    split = nn::stratifiedSplit(all, o.validation * (1.0 - o.test), o.test, o.seed);
  }
  if (split.train.size() == 0)
    throw ctx.error("no training samples are left after holding out the test and validation "
                    "sets (" + std::to_string(all.size()) + " samples in all)");
  if (o.standardize) {
    nn::Standardizer s;
    s.fit(split.train.x);
    for (nn::Dataset *d : {&split.train, &split.validation, &split.test})
      if (d->size() > 0)
        s.apply(d->x);
  }
  int classes = split.train.numClasses;
  ctx.store.metrics[ctx.key] = {{"samples", static_cast<double>(split.train.size())},
                                {"validation_samples", static_cast<double>(split.validation.size())},
                                {"test_samples", static_cast<double>(split.test.size())},
                                {"features", static_cast<double>(split.train.x.cols())},
                                {"classes", static_cast<double>(classes)}};
  ctx.store.data[ctx.key] = {std::move(split), classes};
}

/// `~` or `~/...` is the home directory.
std::string expandHome(const std::string &path) {
  if (path.empty() || path[0] != '~' || (path.size() > 1 && path[1] != '/'))
    return path;
  const char *home = std::getenv("HOME");
  if (!home || !*home)
    throw nn::Error(path + ": cannot expand '~' because HOME is not set");
  return std::string(home) + path.substr(1);
}

} // namespace

void runIdx(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  SplitOptions o = splitOptions(a);
  o.subsample = false; // the first `limit` samples are read, without decompressing the rest
  bool normalize = a.b("normalize");
  const std::string &testImages = a.s("test_images"), &testLabels = a.s("test_labels");
  if (testImages.empty() != testLabels.empty())
    throw ctx.error("give both test_images and test_labels, or neither (then `test` of the "
                    "training files is held out)");
  nn::Dataset all = nn::loadIdxDataset(a.s("images"), a.s("labels"), o.limit > 0 ? o.limit : -1,
                                       normalize);
  std::optional<nn::Dataset> test;
  if (!testImages.empty()) {
    test = nn::loadIdxDataset(testImages, testLabels, o.limit > 0 ? testLimit(o.limit) : -1,
                              normalize);
    if (test->x.cols() != all.x.cols())
      throw nn::Error(testImages + " has " + std::to_string(test->x.cols()) +
                      " values per sample but " + a.s("images") + " has " +
                      std::to_string(all.x.cols()));
  }
  storeData(ctx, std::move(all), std::move(test), o);
}

namespace {
/// Maps the test file's class names onto the training file's class indices.
void alignClasses(nn::Dataset &test, const nn::Dataset &train, const std::string &testPath,
                  const std::string &trainPath) {
  std::vector<int> labels;
  for (int l : test.labels) {
    const std::string &name = test.classNames[static_cast<size_t>(l)];
    auto it = std::find(train.classNames.begin(), train.classNames.end(), name);
    if (it == train.classNames.end())
      throw nn::Error(testPath + ": label '" + name + "' does not occur in " + trainPath);
    labels.push_back(static_cast<int>(it - train.classNames.begin()));
  }
  test.labels = std::move(labels);
  test.classNames = train.classNames;
  test.numClasses = train.numClasses;
}
} // namespace

void runCsv(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  nn::CsvOptions options;
  options.labelColumn = a.s("label");
  const std::string &delimiter = a.s("delimiter");
  if (delimiter.size() != 1)
    throw ctx.error("delimiter must be one character, got '" + delimiter + "'");
  options.delimiter = delimiter[0];
  const std::string &path = a.s("path"), &testPath = a.s("test_path");
  nn::Dataset all = nn::loadCsv(path, options);
  requireClasses(all, path);
  std::optional<nn::Dataset> test;
  if (!testPath.empty()) {
    test = nn::loadCsv(testPath, options);
    requireClasses(*test, testPath);
    if (test->featureNames != all.featureNames)
      throw nn::Error(testPath + ": its feature columns differ from those of " + path);
    alignClasses(*test, all, testPath, path);
  }
  storeData(ctx, std::move(all), std::move(test), splitOptions(a));
}

void runNpy(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  const std::string &labelsPath = a.s("labels");
  nn::Dataset all = nn::loadNpyDataset(a.s("features"), labelsPath);
  bool regression = false;
  if (all.labels.empty() && all.targets.size() > 0) {
    // (samples, 1) class indices or (samples, classes) one-hot rows → class indices; any other
    // (samples, k) array holds regression targets (a (samples,) file must be class indices).
    const bool twoDimensional = nn::readNpy(labelsPath).shape.size() == 2;
    const bool oneHot = all.targets.cols() > 1;
    int classes = oneHot ? static_cast<int>(all.targets.cols()) : 0;
    for (long r = 0; r < all.targets.rows(); ++r) {
      long label = -1;
      if (oneHot) {
        long ones = 0, zeros = 0;
        for (long c = 0; c < all.targets.cols(); ++c) {
          ones += all.targets(r, c) == 1.0f;
          zeros += all.targets(r, c) == 0.0f;
          if (all.targets(r, c) == 1.0f)
            label = c;
        }
        if (ones != 1 || ones + zeros != all.targets.cols())
          label = -1;
      } else {
        float v = all.targets(r, 0);
        if (v >= 0 && v == static_cast<float>(static_cast<int>(v)))
          label = static_cast<long>(v);
        classes = std::max(classes, static_cast<int>(label) + 1);
      }
      if (label < 0 && twoDimensional) {
        regression = true;
        break;
      }
      if (label < 0)
        throw nn::Error(labelsPath + ": sample " + std::to_string(r) +
                        " has no class label (labels must be class indices of shape (samples) "
                        "or one-hot rows of shape (samples, classes))");
      all.labels.push_back(static_cast<int>(label));
    }
    if (regression) {
      all.labels.clear();
      classes = 0;
    } else {
      all.targets.resize(0, 0);
    }
    all.numClasses = classes;
  }
  if (!regression)
    requireClasses(all, labelsPath);
  else if (all.size() == 0)
    throw nn::Error(labelsPath + ": contains no samples");
  storeData(ctx, std::move(all), std::nullopt, splitOptions(a));
}

void runOpenml(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  std::string spec = "openml:" + std::to_string(a.i("id"));
  std::string cache = expandHome(a.s("cache"));
  nn::Dataset all = nn::loadOpenml(spec, cache, a.s("label"));
  requireClasses(all, cache + "/openml-" + std::to_string(a.i("id")) + ".arff");
  storeData(ctx, std::move(all), std::nullopt, splitOptions(a));
}

void runOnnx(TaskContext &ctx) {
  // The committed copy is what a resumed run uses, so it matches the steps computed from it
  // even if the ONNX file has changed since.
  std::shared_ptr<nn::Network> net =
      ctx.committed ? loadCommittedDnn(ctx)
                    : std::make_shared<nn::Network>(nn::importOnnx(ctx.args.s("path")));
  if (!ctx.committed) {
    saveDnn(ctx, *net);
    ctx.store.metrics[ctx.key] = {{"params", static_cast<double>(net->parameterCount())}};
  }
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

void runKeras(TaskContext &ctx) {
  const std::string &json = ctx.args.s("json"), &weights = ctx.args.s("weights"),
                    &model = ctx.args.s("model");
  if (model.empty() == json.empty())
    throw ctx.error(model.empty() ? "keras: give the architecture (json: \"m.json\", weights: "
                                    "\"w.h5\") or a whole-model file (model: \"m.h5\")"
                                  : "keras: give either model: or json: + weights:, not both");
  if (!json.empty() && weights.empty())
    throw ctx.error("keras: json: needs weights: (the HDF5 file of model.save_weights)");
  std::shared_ptr<nn::Network> net =
      ctx.committed ? loadCommittedDnn(ctx)
                    : std::make_shared<nn::Network>(model.empty() ? nn::importKeras(json, weights)
                                                                  : nn::importKerasModel(model));
  if (!ctx.committed) {
    saveDnn(ctx, *net);
    ctx.store.metrics[ctx.key] = {{"params", static_cast<double>(net->parameterCount())}};
  }
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

} // namespace mmlc::tasks
