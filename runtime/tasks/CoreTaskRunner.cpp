// The built-in pipe tasks of `mmlc run` (one method per task) and the metrics of what they make.
#include "tasks/CoreTaskRunner.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "hls/HlsProjectEmitter.h"
#include "hls/NetworkSim.h"
#include "hls/ResourceEstimator.h"
#include "hls/SynthMetrics.h"
#include "hls/SynthRunner.h"
#include "nn/Dataset.h"
#include "nn/IdxReader.h"
#include "nn/ModelFile.h"
#include "nn/Network.h"
#include "nn/Sparsity.h"
#include "nn/Trainer.h"
#include "tasks/HlsConversion.h"

namespace mmlc::tasks {
namespace fs = std::filesystem;
using flow::Handle;
using flow::NamedArgs;
using flow::RuntimeError;
using flow::Value;

/// Everything the tasks produced in this run, by handle id (the step key).
struct CoreTaskRunner::Store {
  struct Device { std::string part; double clockNs = 5; };
  struct Data { nn::DatasetSplit split; int classes = 0; };
  struct Dnn { std::unique_ptr<nn::Network> net; std::string data; };
  struct Hls { hls::NetworkDesc desc; std::string dir, dnn; };
  struct Rtl { hls::SynthMetrics metrics; std::string hls; };
  std::map<std::string, Device> devices;
  std::map<std::string, Data> data;
  std::map<std::string, Dnn> dnns;
  std::map<std::string, Hls> hlsModels;
  std::map<std::string, Rtl> rtls;
  std::map<std::string, std::map<std::string, double>> metrics;
  std::map<std::string, std::map<std::string, double>> metricCache;
};

namespace {
/// Typed access to a call's arguments, with located errors.
struct Args {
  const NamedArgs &args;
  const flow::Op &call;
  const Value &get(const std::string &name) const {
    for (auto &[n, v] : args)
      if (n == name)
        return v;
    throw RuntimeError(call.loc, "missing argument '" + name + "'");
  }
  bool has(const std::string &name) const {
    for (auto &[n, v] : args)
      if (n == name && !std::holds_alternative<std::monostate>(v))
        return true;
    return false;
  }
  std::int64_t i(const std::string &n) const { return std::get<std::int64_t>(get(n)); }
  double f(const std::string &n) const { return std::get<double>(get(n)); }
  bool b(const std::string &n) const { return std::get<bool>(get(n)); }
  const std::string &s(const std::string &n) const { return std::get<std::string>(get(n)); }
  const Handle &h(const std::string &n) const { return std::get<Handle>(get(n)); }
};

hls::FixedType toFixedType(const flow::FixedFormat &f) {
  hls::QuantMode q = f.quantization == "RND"           ? hls::QuantMode::RND
                     : f.quantization == "TRN_ZERO"    ? hls::QuantMode::TRN_ZERO
                     : f.quantization == "RND_ZERO"    ? hls::QuantMode::RND_ZERO
                     : f.quantization == "RND_INF"     ? hls::QuantMode::RND_INF
                     : f.quantization == "RND_MIN_INF" ? hls::QuantMode::RND_MIN_INF
                     : f.quantization == "RND_CONV"    ? hls::QuantMode::RND_CONV
                                                       : hls::QuantMode::TRN;
  hls::OverflowMode o = f.overflow == "SAT"        ? hls::OverflowMode::SAT
                        : f.overflow == "SAT_ZERO" ? hls::OverflowMode::SAT_ZERO
                        : f.overflow == "SAT_SYM"  ? hls::OverflowMode::SAT_SYM
                                                   : hls::OverflowMode::WRAP;
  hls::FixedType t = f.isSigned ? hls::FixedType::fixed(f.width, f.integerBits, q, o)
                                : hls::FixedType::ufixed(f.width, f.integerBits, q, o);
  return t;
}

std::string jsonNumber(double v) {
  std::ostringstream os;
  os << std::setprecision(10) << v;
  return os.str();
}
} // namespace

namespace {
nn::LossKind lossFor(nn::Network &net) {
  bool softmaxOut = net.size() && net.layer(net.size() - 1).spec().kind == "Softmax";
  return softmaxOut ? nn::LossKind::CrossEntropy : nn::LossKind::CrossEntropyFromLogits;
}

/// Validation accuracy (the test split when there is no validation split).
double selectionAccuracy(nn::Network &net, const nn::DatasetSplit &split) {
  const nn::Dataset &d = split.validation.size() > 0 ? split.validation : split.test;
  return nn::Trainer::evaluate(net, d.x, d.targetMatrix(), lossFor(net)).second;
}

/// Gradual magnitude pruning to `rate` while fine-tuning: the sparsity ramps from 0 to `rate`
/// along a cubic (polynomial-decay) schedule over the first `ramp` of the epochs, then the
/// masks stay fixed, so pruned weights are exactly zero in the result.
std::unique_ptr<nn::Network> pruneAndFineTune(nn::Network &base, const nn::DatasetSplit &split,
                                              double rate, int epochs, double ramp, long batch,
                                              double lr, std::uint64_t seed) {
  auto net = std::make_unique<nn::Network>(base.clone());
  int rampEpochs = std::max(1, static_cast<int>(std::lround(ramp * epochs)));
  nn::Matrix y = split.train.targetMatrix();
  for (int e = 0; e < epochs; ++e) {
    double progress = std::min(1.0, static_cast<double>(e + 1) / rampEpochs);
    double target = rate * (1.0 - std::pow(1.0 - progress, 3));
    nn::magnitudePruneGlobal(*net, target);
    nn::TrainConfig config;
    config.epochs = 1;
    config.batchSize = batch;
    config.seed = seed + static_cast<std::uint64_t>(e);
    config.learningRate.initial = static_cast<float>(lr);
    config.loss = lossFor(*net);
    nn::Trainer(config).fit(*net, split.train.x, y);
  }
  nn::magnitudePruneGlobal(*net, rate);
  return net;
}
} // namespace

std::unique_ptr<nn::Network> CoreTaskRunner::autoPrune(const flow::NamedArgs &args,
                                                       const flow::Op &call) {
  Args a{args, call};
  Store &s = *store_;
  nn::Network &base = *s.dnns.at(a.h("m").id).net;
  const nn::DatasetSplit &split = s.data.at(a.h("d").id).split;
  double alpha = a.f("tolerance"), beta = a.f("threshold");
  double upper = a.f("max_rate"), feasibleRate = 0, rate = a.f("start");
  double baseline = selectionAccuracy(base, split);
  auto logStep = [&](int step, double r, double accuracy, bool feasible) {
    progress_ << " [rate " << std::fixed << std::setprecision(3) << r << " acc " << accuracy
              << (feasible ? " ok]" : " over]") << std::defaultfloat << std::flush;
    meta_.log("prune_step", {{"path", flow::jsonString(call.path)},
                             {"step", std::to_string(step)},
                             {"rate", jsonNumber(r)},
                             {"accuracy", jsonNumber(accuracy)},
                             {"baseline", jsonNumber(baseline)},
                             {"feasible", feasible ? "true" : "false"}});
  };
  logStep(0, 0.0, baseline, true);
  std::unique_ptr<nn::Network> best = std::make_unique<nn::Network>(base.clone());
  for (int step = 1; step <= 32; ++step) {
    std::unique_ptr<nn::Network> candidate =
        pruneAndFineTune(base, split, rate, static_cast<int>(a.i("epochs")), a.f("ramp"),
                         a.i("batch"), a.f("lr"), static_cast<std::uint64_t>(a.i("seed")));
    double accuracy = selectionAccuracy(*candidate, split);
    bool feasible = baseline - accuracy <= alpha;
    logStep(step, rate, accuracy, feasible);
    double next;
    if (feasible) {
      feasibleRate = rate;
      best = std::move(candidate);
      next = (rate + upper) / 2; // half-way to the upper bound
    } else {
      upper = rate;
      next = (feasibleRate + rate) / 2; // half-way back to the last feasible rate
    }
    if (std::abs(next - rate) < beta)
      break;
    rate = next;
  }
  return best;
}

CoreTaskRunner::CoreTaskRunner(flow::MetaModel &meta, std::ostream &progress, bool reuse)
    : store_(std::make_unique<Store>()), meta_(meta), progress_(progress), reuse_(reuse) {}

CoreTaskRunner::~CoreTaskRunner() = default;

void CoreTaskRunner::note(const flow::SourceLoc &loc, const std::string &message) {
  progress_ << loc.str() << ": note: " << message << "\n";
  meta_.log("note", {{"source", flow::jsonString(loc.str())},
                     {"message", flow::jsonString(message)}});
}

Value CoreTaskRunner::runTask(const flow::TaskDecl &task, const flow::Op &call,
                              const NamedArgs &args) {
  Store &s = *store_;
  Args a{args, call};
  std::string key = flow::MetaModel::stepKey(task, "1", args);
  for (size_t i = 0; i < args.size(); ++i)
    meta_.recordParameter(call.path, args[i].first, args[i].second,
                          i < call.argOrigins.size() ? call.argOrigins[i] : "text", call.loc);
  progress_ << "[" << call.step << "] " << call.path << " ..." << std::flush;
  auto started = std::chrono::steady_clock::now();
  Handle result{task.resultType, key};
  std::optional<flow::StepRecord> committed;
  if (reuse_)
    committed = meta_.find(key);
  fs::path staging = committed ? fs::path() : meta_.stagingDir(key);
  try {
    const std::string &impl = task.impl;
    if (impl == "part") {
      hls::lookupDevice(a.s("name")); // unknown parts are an error naming the known ones
      s.devices[key] = {a.s("name"), a.f("clock")};
    } else if (impl == "fashion_mnist") {
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
      nn::DatasetSplit split = nn::stratifiedSplit(train, a.f("split"), 0.0,
                                                   static_cast<uint64_t>(a.i("seed")));
      split.test = std::move(test);
      s.data[key] = {std::move(split), 10};
    } else if (impl == "mlp") {
      auto net = std::make_unique<nn::Network>(nn::Shape{static_cast<int>(a.i("inputs"))},
                                               static_cast<uint64_t>(a.i("seed")));
      std::string act = a.s("activation");
      for (const flow::Scalar &w : std::get<flow::ScalarList>(a.get("hidden"))) {
        net->add(nn::layers::dense(static_cast<int>(std::get<std::int64_t>(w))));
        if (a.b("batchnorm"))
          net->add(nn::layers::batchNorm());
        net->add(act == "relu"      ? nn::layers::relu()
                 : act == "tanh"    ? nn::layers::tanh()
                 : act == "sigmoid" ? nn::layers::sigmoid()
                                    : nn::layers::leakyRelu());
        if (a.f("dropout") > 0)
          net->add(nn::layers::dropout(static_cast<float>(a.f("dropout"))));
      }
      net->add(nn::layers::dense(static_cast<int>(a.i("outputs"))));
      if (a.s("output_activation") == "softmax")
        net->add(nn::layers::softmax());
      else if (a.s("output_activation") == "sigmoid")
        net->add(nn::layers::sigmoid());
      s.dnns[key] = {std::move(net), ""};
    } else if (impl == "train" && committed) {
      // Training is the expensive step: reload the committed weights instead.
      auto net = std::make_unique<nn::Network>(
          nn::loadModel((meta_.modelDir(key) / "model.mmlc").string()));
      s.dnns[key] = {std::move(net), a.h("d").id};
    } else if (impl == "train") {
      Store::Dnn &in = s.dnns.at(a.h("m").id);
      Store::Data &data = s.data.at(a.h("d").id);
      auto net = std::make_unique<nn::Network>(in.net->clone());
      nn::TrainConfig config;
      config.epochs = static_cast<int>(a.i("epochs"));
      config.batchSize = a.i("batch");
      config.seed = static_cast<uint64_t>(a.i("seed"));
      config.optimizer.kind = a.s("optimizer");
      config.optimizer.momentum = static_cast<float>(a.f("momentum"));
      config.learningRate.kind = a.s("schedule");
      config.learningRate.initial = static_cast<float>(a.f("lr"));
      config.learningRate.totalEpochs = config.epochs;
      config.l1 = static_cast<float>(a.f("l1"));
      config.l2 = static_cast<float>(a.f("l2"));
      config.earlyStoppingPatience = static_cast<int>(a.i("patience"));
      config.loss = a.s("loss") == "mse"   ? nn::LossKind::MeanSquaredError
                    : a.s("loss") == "bce" ? nn::LossKind::BinaryCrossEntropy
                                           : lossFor(*net);
      config.onEpoch = [&](int epoch, float trainLoss, float valLoss, double valAccuracy) {
        progress_ << " epoch " << epoch + 1 << " val_acc " << std::fixed << std::setprecision(3)
                  << valAccuracy << std::defaultfloat << std::flush;
        meta_.log("epoch", {{"path", flow::jsonString(call.path)},
                            {"epoch", std::to_string(epoch + 1)},
                            {"train_loss", jsonNumber(trainLoss)},
                            {"val_loss", jsonNumber(valLoss)},
                            {"val_accuracy", jsonNumber(valAccuracy)}});
      };
      nn::Matrix y = data.split.train.targetMatrix();
      nn::Matrix yVal = data.split.validation.targetMatrix();
      bool hasVal = data.split.validation.size() > 0;
      nn::Trainer(config).fit(*net, data.split.train.x, y,
                              hasVal ? &data.split.validation.x : nullptr,
                              hasVal ? &yVal : nullptr);
      nn::saveModel(*net, (staging / "model.mmlc").string());
      s.dnns[key] = {std::move(net), a.h("d").id};
    } else if (impl == "prune" && committed) {
      auto net = std::make_unique<nn::Network>(
          nn::loadModel((meta_.modelDir(key) / "model.mmlc").string()));
      s.dnns[key] = {std::move(net), a.h("d").id};
    } else if (impl == "prune") {
      s.dnns[key] = {autoPrune(args, call), a.h("d").id};
      s.metrics[key] = {{"sparsity", nn::globalSparsity(*s.dnns[key].net)}};
      nn::saveModel(*s.dnns[key].net, (staging / "model.mmlc").string());
    } else if (impl == "evaluate") {
      const Handle &m = a.h("m");
      Store::Dnn &dnn = s.dnns.at(m.id);
      Store::Data &data = s.data.at(a.h("d").id);
      auto [loss, accuracy] = nn::Trainer::evaluate(*dnn.net, data.split.test.x,
                                                    data.split.test.targetMatrix(), lossFor(*dnn.net));
      s.metrics[key] = {{"accuracy", accuracy}, {"loss", loss}};
    } else if (impl == "hls4ml") {
      const Handle &m = a.h("m");
      Store::Dnn &dnn = s.dnns.at(m.id);
      Store::Device &device = s.devices.at(a.h("device").id);
      HlsConversionOptions options;
      options.precision = toFixedType(std::get<flow::FixedFormat>(a.get("precision")));
      options.reuseFactor = static_cast<int>(a.i("reuse"));
      options.strategy = a.s("strategy") == "resource" ? hls::Strategy::Resource
                                                       : hls::Strategy::Latency;
      options.io = a.s("io") == "stream" ? hls::IOType::Stream : hls::IOType::Parallel;
      options.part = device.part;
      options.clockPeriodNs = device.clockNs;
      options.top = a.s("top");
      hls::NetworkDesc desc = toHlsNetwork(*dnn.net, options);
      if (!committed) // a committed step already holds its project
        hls::HlsProjectEmitter(desc).emit((staging / "project").string());
      s.hlsModels[key] = {desc, (meta_.modelDir(key) / "project").string(), m.id};
    } else if (impl == "estimate") {
      Store::Hls &h = s.hlsModels.at(a.h("h").id);
      hls::SynthMetrics e = hls::ResourceEstimator().estimate(h.desc).total;
      s.metrics[key] = {{"dsp", e.dsp},           {"lut", e.lut},
                        {"ff", e.ff},             {"bram", e.bram18},
                        {"latency", static_cast<double>(e.latencyMax)},
                        {"ii", static_cast<double>(e.intervalMax)},
                        {"estimated", 1.0}};
    } else if (impl == "synth" && committed) {
      // Vendor synthesis can take hours: take its metrics from the committed step.
      hls::SynthMetrics m;
      const auto &r = committed->metrics;
      auto value = [&](const char *n) { return r.count(n) ? r.at(n) : 0.0; };
      m.dsp = value("dsp");
      m.lut = value("lut");
      m.ff = value("ff");
      m.bram18 = value("bram");
      m.latencyMax = static_cast<long>(value("latency"));
      m.intervalMax = static_cast<long>(value("ii"));
      m.targetClockNs = value("clock_ns");
      m.estimated = value("estimated") != 0;
      s.rtls[key] = {m, a.h("h").id};
    } else if (impl == "synth") {
      const Handle &hh = a.h("h");
      Store::Hls &h = s.hlsModels.at(hh.id);
      hls::SynthOptions options;
      std::string tool = a.s("tool");
      options.tool = tool == "estimator" ? "estimate" : tool;
      hls::SynthResult r = hls::runSynthesis(h.desc, (staging / "project").string(), options);
      s.rtls[key] = {r.metrics, hh.id};
    } else if (impl == "report") {
      std::string dir = a.s("dir");
      fs::path out = meta_.runDir() / dir;
      fs::create_directories(out);
      const Handle &r = a.h("r");
      std::map<std::string, double> values;
      for (const char *name : {"accuracy", "dsp", "lut", "ff", "bram", "latency", "ii",
                               "estimated", "sparsity", "params", "nonzero"})
        values[name] = metric(r, name, call.loc);
      std::ofstream md(out / "report.md");
      md << "# " << (a.s("title").empty() ? call.path : a.s("title")) << "\n\n"
         << "| metric | value |\n| --- | --- |\n";
      for (auto &[name, value] : values)
        md << "| " << name << " | " << value << " |\n";
      md << "\nSteps, parameters and timings: `log.jsonl` and `cfg.json` in the run directory; "
            "every model is under `models/`.\n";
      s.metrics[key] = values;
      reports_.push_back((out / "report.md").string());
    } else {
      throw RuntimeError(call.loc, "task '" + task.name +
                                       "' is not implemented by mmlc run yet (tracker issue 6)");
    }
  } catch (const RuntimeError &) {
    progress_ << " failed" << std::endl;
    throw;
  } catch (const std::exception &e) {
    progress_ << " failed" << std::endl;
    meta_.log("error", {{"path", flow::jsonString(call.path)},
                        {"message", flow::jsonString(e.what())}});
    throw RuntimeError(call.loc, task.name + ": " + e.what());
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (committed) {
    meta_.log("reuse", {{"path", flow::jsonString(call.path)},
                        {"task", flow::jsonString(task.name)},
                        {"key", flow::jsonString(key)}});
    progress_ << " reused\n";
    return result;
  }
  flow::StepRecord record;
  record.key = key;
  record.task = task.name;
  record.path = call.path;
  record.level = task.resultType;
  record.seconds = seconds;
  for (auto &[name, value] : args) {
    if (auto h = std::get_if<Handle>(&value))
      record.parents.push_back(h->id);
    record.params[name] = flow::describe(value);
  }
  if (s.metrics.count(key))
    record.metrics = s.metrics[key];
  if (auto rtl = s.rtls.find(key); rtl != s.rtls.end()) {
    // What --resume needs to rebuild the synthesis result without rerunning the tool.
    const hls::SynthMetrics &m = rtl->second.metrics;
    record.metrics = {{"dsp", m.dsp},
                      {"lut", m.lut},
                      {"ff", m.ff},
                      {"bram", m.bram18},
                      {"latency", static_cast<double>(m.latencyMax)},
                      {"ii", static_cast<double>(m.intervalMax)},
                      {"clock_ns", m.targetClockNs},
                      {"estimated", m.estimated ? 1.0 : 0.0}};
  }
  meta_.commit(record);
  std::map<std::string, std::string> fields{{"path", flow::jsonString(call.path)},
                                            {"task", flow::jsonString(task.name)},
                                            {"key", flow::jsonString(key)},
                                            {"seconds", jsonNumber(seconds)}};
  for (auto &[name, value] : record.metrics)
    fields["metric." + name] = jsonNumber(value);
  meta_.log("step", fields);
  progress_ << " done (" << std::fixed << std::setprecision(1) << seconds << " s)"
            << std::defaultfloat << "\n";
  return result;
}

double CoreTaskRunner::metric(const Handle &handle, const std::string &name,
                              const flow::SourceLoc &loc) {
  Store &s = *store_;
  auto &cache = s.metricCache[handle.id];
  if (auto it = cache.find(name); it != cache.end())
    return it->second;
  double value = 0;
  auto unknown = [&]() -> double {
    throw RuntimeError(loc, "metric '" + name + "' of " + handle.type +
                                " is not available in this version of mmlc run");
  };
  if (auto it = s.metrics.find(handle.id); it != s.metrics.end()) {
    auto m = it->second.find(name);
    value = m != it->second.end() ? m->second : 0.0;
  } else if (auto d = s.devices.find(handle.id); d != s.devices.end()) {
    const hls::DeviceInfo &info = hls::lookupDevice(d->second.part);
    value = name == "dsp"        ? static_cast<double>(info.dsp)
            : name == "lut"      ? static_cast<double>(info.lut)
            : name == "ff"       ? static_cast<double>(info.ff)
            : name == "bram"     ? static_cast<double>(info.bram18)
            : name == "clock_ns" ? d->second.clockNs
                                 : unknown();
  } else if (auto d = s.data.find(handle.id); d != s.data.end()) {
    value = name == "samples"    ? static_cast<double>(d->second.split.train.size())
            : name == "features" ? static_cast<double>(d->second.split.train.x.cols())
            : name == "classes"  ? d->second.classes
                                 : unknown();
  } else if (auto d = s.dnns.find(handle.id); d != s.dnns.end()) {
    nn::Network &net = *d->second.net;
    long params = net.parameterCount(), nonzero = nn::countNonZeros(net);
    if (name == "params" || name == "nonzero" || name == "sparsity") {
      value = name == "params" ? static_cast<double>(params)
              : name == "nonzero" ? static_cast<double>(nonzero)
                                  : 1.0 - static_cast<double>(nonzero) / std::max(1L, params);
    } else if (name == "accuracy" || name == "loss") {
      if (d->second.data.empty())
        throw RuntimeError(loc, "the accuracy of an untrained model is not defined; train it first");
      Store::Data &data = s.data.at(d->second.data);
      auto [loss, accuracy] = nn::Trainer::evaluate(net, data.split.test.x,
                                                    data.split.test.targetMatrix(), lossFor(net));
      cache["loss"] = loss;
      cache["accuracy"] = accuracy;
      value = name == "loss" ? loss : accuracy;
    } else {
      value = unknown();
    }
  } else if (auto h = s.hlsModels.find(handle.id); h != s.hlsModels.end()) {
    if (name == "accuracy") {
      Store::Dnn &dnn = s.dnns.at(h->second.dnn);
      if (dnn.data.empty())
        throw RuntimeError(loc, "the accuracy of an HLS model of an untrained network is not defined");
      Store::Data &data = s.data.at(dnn.data);
      std::vector<float> inputs = toHlsInputOrder(*dnn.net, data.split.test.x.data(),
                                                  static_cast<size_t>(data.split.test.size()));
      value = hls::NetworkSim(h->second.desc)
                  .accuracy(inputs.data(), data.split.test.labels.data(),
                            static_cast<size_t>(data.split.test.size()));
    } else if (name == "params" || name == "nonzero" || name == "sparsity") {
      double params = 0, nonzero = 0;
      for (const hls::LayerDesc &l : h->second.desc.layers) {
        params += static_cast<double>(l.weights.size());
        nonzero += static_cast<double>(l.nonZeroWeights());
      }
      value = name == "params" ? params : name == "nonzero" ? nonzero : 1 - nonzero / std::max(1.0, params);
    } else {
      hls::SynthMetrics e = hls::ResourceEstimator().estimate(h->second.desc).total;
      value = name == "dsp"          ? e.dsp
              : name == "lut"        ? e.lut
              : name == "ff"         ? e.ff
              : name == "bram"       ? e.bram18
              : name == "latency"    ? static_cast<double>(e.latencyMax)
              : name == "latency_ns" ? static_cast<double>(e.latencyMax) * e.targetClockNs
              : name == "ii"         ? static_cast<double>(e.intervalMax)
                                     : unknown();
    }
  } else if (auto r = s.rtls.find(handle.id); r != s.rtls.end()) {
    const hls::SynthMetrics &m = r->second.metrics;
    if (name == "accuracy" || name == "params" || name == "nonzero" || name == "sparsity")
      value = metric(Handle{"hls", r->second.hls}, name, loc);
    else
      value = name == "dsp"          ? m.dsp
              : name == "lut"        ? m.lut
              : name == "ff"         ? m.ff
              : name == "bram"       ? m.bram18
              : name == "latency"    ? static_cast<double>(m.latencyMax)
              : name == "latency_ns" ? static_cast<double>(m.latencyMax) * m.targetClockNs
              : name == "ii"         ? static_cast<double>(m.intervalMax)
              : name == "estimated"  ? (m.estimated ? 1.0 : 0.0)
                                     : unknown();
  } else {
    throw RuntimeError(loc, "no model '" + handle.id + "' in this run");
  }
  cache[name] = value;
  return value;
}

} // namespace mmlc::tasks
