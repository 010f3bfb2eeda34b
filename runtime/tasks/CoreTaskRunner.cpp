// Runs one step of a built-in task (reuse or compute, commit, log) and reads metrics of models.
#include "tasks/CoreTaskRunner.h"

#include "flow/Interrupt.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <unistd.h>

#include "hls/NetworkSim.h"
#include "hls/DesignEstimate.h"
#include "nn/Metrics.h"
#include "nn/Network.h"
#include "nn/Sparsity.h"
#include "mml/Support/MetricTable.h"
#include "tasks/ExternTask.h"
#include "tasks/HlsEvaluation.h"
#include "tasks/HlsConversion.h"
#include "tasks/TaskContext.h"

namespace mmlc::tasks {
namespace fs = std::filesystem;
using flow::Handle;
using flow::NamedArgs;
using flow::RuntimeError;
using flow::Value;

namespace {
/// Size and modification time of every file that a string argument names (recursively for a
/// folder), so that a step reading files gets a new key when they change.
std::string inputFilesFingerprint(const NamedArgs &args) {
  std::string out;
  auto add = [&](const fs::path &file) {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec)
      return;
    auto time = fs::last_write_time(file, ec).time_since_epoch().count();
    out += file.string() + ":" + std::to_string(size) + ":" + std::to_string(time) + ";";
  };
  for (const auto &[name, value] : args) {
    const std::string *text = std::get_if<std::string>(&value);
    if (!text || text->empty() || text->size() > 4096)
      continue;
    std::error_code ec;
    fs::file_status status = fs::status(*text, ec);
    if (ec)
      continue;
    if (fs::is_regular_file(status)) {
      add(*text);
    } else if (fs::is_directory(status)) {
      std::vector<fs::path> entries; // sorted: directory order is not stable
      for (auto it = fs::recursive_directory_iterator(*text, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator() && entries.size() < 20000; it.increment(ec))
        if (it->is_regular_file(ec))
          entries.push_back(it->path());
      std::sort(entries.begin(), entries.end());
      for (const fs::path &entry : entries)
        add(entry);
    }
  }
  return out;
}
} // namespace

CoreTaskRunner::CoreTaskRunner(flow::MetaModel &meta, std::ostream &progress, bool reuse)
    : store_(std::make_unique<ModelStore>()), meta_(meta), progress_(progress),
      display_(progress), reuse_(reuse) {}

CoreTaskRunner::~CoreTaskRunner() = default;

void CoreTaskRunner::note(const flow::SourceLoc &loc, const std::string &message) {
  display_.line(loc.str() + ": note: " + message);
  meta_.log("note", {{"source", flow::jsonString(loc.str())},
                     {"message", flow::jsonString(message)}});
}

void CoreTaskRunner::record(const std::string &event,
                            const std::map<std::string, std::string> &fields) {
  meta_.log(event, fields);
}

Value CoreTaskRunner::runTask(const flow::TaskDecl &task, const flow::Op &call,
                              const NamedArgs &args) {
  const auto &tasks = builtinTasks();
  bool isExtern = !task.command.empty();
  auto impl = tasks.find(task.impl);
  if (!isExtern && impl == tasks.end())
    throw RuntimeError(call.loc, "task '" + task.name +
                                     "' is not implemented by mmlc run yet (tracker issue 6)");
  // An extern task's command is part of what it computes: a changed command is a new step; so
  // are the files a path argument names (a changed data file must not reuse old models).
  std::string version = isExtern ? "1\n" + task.command : "1";
  std::string files = inputFilesFingerprint(args);
  if (!files.empty())
    version += "\nfiles:" + files;
  std::string key = flow::MetaModel::stepKey(task, version, args);
  for (size_t i = 0; i < args.size(); ++i)
    meta_.recordParameter(call.path, args[i].first, args[i].second,
                          i < call.argOrigins.size() ? call.argOrigins[i] : "text", call.loc);
  meta_.flushCfg();
  // The same step made earlier in this run (a search revisiting a strategy, two branches
  // sharing a prefix): its result is already here, computed or reloaded.
  if (finished_.count(key)) {
    display_.beginStep(static_cast<long>(call.step), call.path);
    meta_.log("reuse", {{"path", flow::jsonString(call.path)},
                        {"task", flow::jsonString(task.name)},
                        {"key", flow::jsonString(key)}});
    display_.endStep("reused");
    return Handle{task.resultType, key};
  }
  display_.beginStep(static_cast<long>(call.step), call.path);
  auto started = std::chrono::steady_clock::now();

  TaskContext ctx{task,  call, TaskArgs{args, call}, *store_, meta_, progress_, key, {}, {},
                  [&](const Handle &h, const std::string &name) { return metric(h, name, call.loc); },
                  reports_, display_};
  if (reuse_) {
    try {
      ctx.committed = meta_.find(key);
    } catch (const std::exception &e) { // a damaged step record: located, with the way out
      display_.endStep("failed");
      throw RuntimeError(call.loc, task.name + ": " + e.what() +
                                       "; remove that step's folder, or run without --resume to "
                                       "compute every step again");
    }
  }
  if (!ctx.committed)
    ctx.staging = meta_.stagingDir(key);
  // A step that fails or is interrupted leaves nothing behind (a killed run's staging folders
  // are removed when the run directory is next opened).
  auto discardStaging = [&] {
    std::error_code ignored;
    if (!ctx.staging.empty())
      fs::remove_all(ctx.staging, ignored);
  };
  try {
    if (isExtern)
      runExternTask(ctx);
    else
      impl->second(ctx);
  } catch (const RuntimeError &) {
    discardStaging();
    display_.endStep(flow::interruptRequested() ? "interrupted" : "failed");
    throw;
  } catch (const std::exception &e) {
    discardStaging();
    if (flow::interruptRequested()) { // e.g. a command killed by the same Ctrl-C
      display_.endStep("interrupted");
      throw flow::Interrupted(call.loc);
    }
    display_.endStep("failed");
    meta_.log("error", {{"path", flow::jsonString(call.path)},
                        {"message", flow::jsonString(e.what())}});
    throw RuntimeError(call.loc, task.name + ": " + e.what());
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (ctx.committed) {
    meta_.log("reuse", {{"path", flow::jsonString(call.path)},
                        {"task", flow::jsonString(task.name)},
                        {"key", flow::jsonString(key)}});
    display_.endStep("reused");
  } else {
    commitStep(task, call, args, key, seconds);
    char took[32];
    std::snprintf(took, sizeof took, "done (%.1f s)", seconds);
    display_.endStep(took);
  }
  finished_.insert(key);
  return Handle{task.resultType, key};
}

void CoreTaskRunner::commitStep(const flow::TaskDecl &task, const flow::Op &call,
                                const NamedArgs &args, const std::string &key, double seconds) {
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
  if (auto m = store_->metrics.find(key); m != store_->metrics.end())
    record.metrics = m->second;
  meta_.commit(record);
  std::map<std::string, std::string> fields{{"path", flow::jsonString(call.path)},
                                            {"task", flow::jsonString(task.name)},
                                            {"key", flow::jsonString(key)},
                                            {"seconds", jsonNumber(seconds)}};
  for (auto &[name, value] : record.metrics)
    fields["metric." + name] = jsonNumber(value);
  meta_.log("step", fields);
}

double CoreTaskRunner::metric(const Handle &handle, const std::string &name,
                              const flow::SourceLoc &loc) {
  auto &cache = metricCache_[handle.id];
  if (auto it = cache.find(name); it != cache.end())
    return it->second;
  double value = computeMetric(handle, name, loc);
  cache[name] = value;
  return value;
}

namespace {
/// The test split an HLS model's accuracy metrics are measured on (located errors when none).
const nn::Dataset &hlsTestSplit(const ModelStore &store, const ModelStore::Hls &model,
                                const std::string &name, const flow::SourceLoc &loc) {
  if (model.data.empty())
    throw RuntimeError(loc, "the " + name + " of this HLS model is not defined: it was not made "
                            "from a network trained in this flow (an imported project needs "
                            "hls_import(..., data: d))");
  const nn::Dataset &test = store.data.at(model.data).split.test;
  if (test.size() == 0)
    throw RuntimeError(loc, "metric '" + name + "' is measured on the test split, and this "
                            "model's data set has none (a source with test: 0 and no test file)");
  return test;
}

/// `csim_accuracy` of an HLS model: its project compiled with g++ and run on the test split, in
/// a scratch folder `work` (removed afterwards).
ProjectCSim csimOnTestSplit(const ModelStore &store, ModelStore::Hls &model, const fs::path &work,
                            const flow::SourceLoc &loc) {
  const nn::Dataset &test = hlsTestSplit(store, model, "csim_accuracy", loc);
  if (test.labels.empty())
    throw RuntimeError(loc, "csim_accuracy: the data set has no class labels");
  std::vector<float> inputs = hlsInputs(store, model, test, 0);
  std::vector<int> labels(test.labels.begin(), test.labels.end());
  try {
    return simulateProject(model.desc, projectDir(model), work, inputs, labels);
  } catch (const std::exception &e) {
    throw RuntimeError(loc, std::string("csim_accuracy: ") + e.what());
  }
}
} // namespace

double CoreTaskRunner::computeMetric(const Handle &handle, const std::string &name,
                                     const flow::SourceLoc &loc) {
  ModelStore &s = *store_;
  // The compiler checks names against the same table; this guards values made at run time.
  const mml::MetricLevel *level = mml::metricLevel(handle.type);
  if (!level || (!level->open() && !level->find(name)))
    throw RuntimeError(loc, "a value of type " + handle.type + " has no metric '" + name + "'");
  auto unknown = [&]() -> double {
    throw RuntimeError(loc, "metric '" + name + "' of this " + handle.type +
                                " model cannot be measured (" +
                                std::string(level->find(name) ? level->find(name)->meaning : "") + ")");
  };
  // What the step measured or was told (an extern command's JSON) comes first.
  if (auto it = s.metrics.find(handle.id); it != s.metrics.end()) {
    if (auto m = it->second.find(name); m != it->second.end())
      return m->second;
    if (level->open()) {
      std::string known;
      for (auto &[n, v] : it->second)
        known += (known.empty() ? "" : ", ") + n;
      throw RuntimeError(loc, "this metrics record has no '" + name + "' (it has: " +
                                  (known.empty() ? "nothing" : known) + ")");
    }
  }
  if (auto d = s.devices.find(handle.id); d != s.devices.end()) {
    const hls::DeviceInfo &info = hls::lookupDevice(d->second.part);
    return name == "dsp"        ? static_cast<double>(info.dsp)
           : name == "lut"      ? static_cast<double>(info.lut)
           : name == "ff"       ? static_cast<double>(info.ff)
           : name == "bram"     ? static_cast<double>(info.bram18)
           : name == "clock_ns" ? d->second.clockNs
                                : unknown();
  }
  if (auto d = s.data.find(handle.id); d != s.data.end()) {
    return name == "samples"    ? static_cast<double>(d->second.split.train.size())
           : name == "features" ? static_cast<double>(d->second.split.train.x.cols())
           : name == "classes"  ? d->second.classes
                                : unknown();
  }
  if (auto d = s.dnns.find(handle.id); d != s.dnns.end()) {
    nn::Network &net = *d->second.net;
    long params = net.parameterCount(), nonzero = nn::countNonZeros(net);
    if (name == "params" || name == "nonzero" || name == "sparsity")
      return name == "params"    ? static_cast<double>(params)
             : name == "nonzero" ? static_cast<double>(nonzero)
                                 : 1.0 - static_cast<double>(nonzero) / std::max(1L, params);
    if (name == "macs")
      return static_cast<double>(nn::nonZeroMacs(net));
    if (name == "balanced_accuracy") {
      if (d->second.data.empty())
        throw RuntimeError(loc, "the accuracy of an untrained model is not defined; train it first");
      const nn::Dataset &test = s.data.at(d->second.data).split.test;
      return nn::balancedAccuracy(net.predict(test.x), test.targetMatrix());
    }
    if (name == "accuracy" || name == "loss") {
      if (d->second.data.empty())
        throw RuntimeError(loc, "the accuracy of an untrained model is not defined; train it first");
      const nn::DatasetSplit &split = s.data.at(d->second.data).split;
      if (split.test.size() == 0)
        throw RuntimeError(loc, "metric '" + name + "' is measured on the test split, and this "
                                "model's data set has none (a source with test: 0 and no test file)");
      auto [accuracy, loss] = testAccuracyAndLoss(net, split);
      metricCache_[handle.id]["loss"] = loss;
      metricCache_[handle.id]["accuracy"] = accuracy;
      return name == "loss" ? loss : accuracy;
    }
    return unknown();
  }
  if (auto h = s.hlsModels.find(handle.id); h != s.hlsModels.end()) {
    ModelStore::Hls &model = h->second;
    if (name == "accuracy") {
      const nn::Dataset &test = hlsTestSplit(s, model, name, loc);
      std::vector<float> inputs = hlsInputs(s, model, test, 0);
      return hls::NetworkSim(model.desc)
          .accuracy(inputs.data(), test.labels.data(), static_cast<size_t>(test.size()));
    }
    if (name == "csim_accuracy") {
      fs::path work =
          meta_.runDir() / "tmp" / ("csim-" + handle.id + "-" + std::to_string(::getpid()));
      ProjectCSim r = csimOnTestSplit(s, model, work, loc);
      if (r.mismatches)
        note(loc, "csim_accuracy: the C simulation differs from the bit-exact simulator on " +
                      std::to_string(r.mismatches) + " of " + std::to_string(r.samples) +
                      " samples: " + r.mismatchReport);
      return r.csimAccuracy;
    }
    if (name == "params" || name == "nonzero" || name == "sparsity") {
      double params = 0, nonzero = 0;
      for (const hls::LayerDesc &l : model.desc.layers) {
        params += static_cast<double>(l.weights.size());
        nonzero += static_cast<double>(l.nonZeroWeights());
      }
      return name == "params"    ? params
             : name == "nonzero" ? nonzero
                                 : 1 - nonzero / std::max(1.0, params);
    }
    std::map<std::string, double> record =
        synthMetricsRecord(hls::estimateDesign(model.desc, model.estimator));
    auto it = record.find(name);
    return it != record.end() ? it->second : unknown();
  }
  if (auto r = s.rtls.find(handle.id); r != s.rtls.end()) {
    if (name == "accuracy" || name == "csim_accuracy" || name == "params" || name == "nonzero" ||
        name == "sparsity")
      return metric(Handle{"hls", r->second.hls}, name, loc);
    std::map<std::string, double> record = synthMetricsRecord(r->second.metrics);
    auto it = record.find(name);
    return it != record.end() ? it->second : unknown();
  }
  throw RuntimeError(loc, "no model '" + handle.id + "' in this run");
}

} // namespace mmlc::tasks
