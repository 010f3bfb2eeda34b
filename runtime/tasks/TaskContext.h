// What a built-in pipe task sees while it runs: the models of the run, its arguments, its step.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "flow/Interpreter.h"
#include "flow/MetaModel.h"
#include "hls/OutputScoring.h"
#include "hls/DesignEstimate.h"
#include "hls/NetworkDesc.h"
#include "hls/SynthMetrics.h"
#include "nn/Dataset.h"
#include "tasks/ProgressDisplay.h"

namespace mmlc::nn {
class Network;
enum class LossKind;
} // namespace mmlc::nn

namespace mmlc::tasks {

/// Everything the tasks of one run produced, by handle id (the step key).
struct ModelStore {
  /// A part and clock; `estimator` is the calibrated model its `calibration:` file selects
  /// (null calibration: the shipped one).
  struct Device { std::string part; double clockNs = 5; hls::EstimatorChoice estimator; };
  struct Data { nn::DatasetSplit split; int classes = 0; };
  /// A DNN-level model; `data` is the key of the data set it was trained on ("" if untrained).
  struct Dnn { std::shared_ptr<nn::Network> net; std::string data; };
  /// An HLS-level model: its description (what the simulator and estimator see) and its project
  /// on disk; `dnn` is the DNN it came from ("" for an imported project), `data` the data set
  /// its accuracy is measured on ("" if unknown).
  struct Hls {
    hls::NetworkDesc desc;
    std::string dir, dnn, data;
    /// The project's files are written on first use (`hls4ml(files: false)`): see projectDir().
    bool filesOnDemand = false;
    /// What its estimates come from: its device's calibration (kept through rewrites).
    hls::EstimatorChoice estimator;
  };
  struct Rtl { hls::SynthMetrics metrics; std::string hls; };
  std::map<std::string, Device> devices;
  std::map<std::string, Data> data;
  std::map<std::string, Dnn> dnns;
  std::map<std::string, Hls> hlsModels;
  std::map<std::string, Rtl> rtls;
  /// Metrics a task measured while it ran (also recorded with its step).
  std::map<std::string, std::map<std::string, double>> metrics;
};

/// Typed access to a call's arguments, with errors located at the call.
struct TaskArgs {
  const flow::NamedArgs &args;
  const flow::Op &call;
  const flow::Value &get(const std::string &name) const;
  /// True when the argument was given (optional parameters nobody gave are absent).
  bool has(const std::string &name) const;
  std::int64_t i(const std::string &name) const;
  double f(const std::string &name) const;
  bool b(const std::string &name) const;
  const std::string &s(const std::string &name) const;
  const flow::Handle &h(const std::string &name) const;
  const flow::FixedFormat &fixed(const std::string &name) const;
  std::vector<std::int64_t> ints(const std::string &name) const;
};

/// One running step of a task.
struct TaskContext {
  const flow::TaskDecl &task;
  const flow::Op &call;
  TaskArgs args;
  ModelStore &store;
  flow::MetaModel &meta;
  std::ostream &progress;
  /// The step's content key: the id of the handle it returns.
  std::string key;
  /// Set when the step is already in the model space (`--resume`): reload, do not recompute.
  std::optional<flow::StepRecord> committed;
  /// Where a step being computed writes its files (moved to models/<key>/ on commit); empty
  /// when `committed`.
  std::filesystem::path staging;
  /// Reads a metric of any handle of the run (what `x.name` reads in the language).
  std::function<double(const flow::Handle &, const std::string &)> metric;
  /// Files the driver names when the run ends (reports).
  std::vector<std::string> &reports;
  /// The progress line of this step.
  ProgressDisplay &display;

  /// Shows the step's state on the progress line (`fraction` of the work done: percentage and
  /// ETA on a terminal; < 0 when unknown).
  void status(const std::string &text, double fraction = -1) const { display.status(text, fraction); }

  /// The directory of this step's files once committed (the staging dir is renamed to it).
  std::filesystem::path modelDir() const { return meta.modelDir(key); }
  /// Appends a LOG event tagged with this call's path.
  void log(const std::string &event, std::map<std::string, std::string> fields) const;
  /// A located error for this call.
  flow::RuntimeError error(const std::string &message) const {
    return flow::RuntimeError(call.loc, message);
  }
};

/// A built-in task implementation (bound by the `impl` name of its declaration).
using TaskFn = std::function<void(TaskContext &)>;

/// The built-in tasks by implementation name (stdlib/std/tasks.mml).
const std::map<std::string, TaskFn> &builtinTasks();

// ---- Helpers shared by the task files.

hls::FixedType toFixedType(const flow::FixedFormat &format);
using flow::jsonArray;
using flow::jsonNumber;
/// Synthesis metrics as the metrics of a step (`dsp`, `lut`, `ff`, `bram`, `latency`,
/// `latency_ns`, `ii`, `clock_ns`, `estimated`), and back (absent names are 0).
std::map<std::string, double> synthMetricsRecord(const hls::SynthMetrics &metrics);
hls::SynthMetrics synthMetricsFromRecord(const std::map<std::string, double> &record);
/// The loss a classifier trains with, from its output layer (softmax or logits).
nn::LossKind lossFor(nn::Network &net);
/// A network's accuracy and loss on a data set by the decision rule of its outputs
/// (scoringFor: argmax, a threshold on one output, a tolerance on regression outputs);
/// `balanced` is the mean recall over the classes present (classifiers only, else -1).
/// Throws std::invalid_argument when the data does not fit the outputs.
struct NetworkScore {
  double accuracy = 0, loss = 0, balanced = -1;
  hls::OutputScoring scoring;
};
NetworkScore scoreNetwork(nn::Network &net, const nn::Dataset &d);
/// Training targets for a network with `outputs` outputs: one-hot as wide as the outputs, 0/1 in one
/// column for one output, or the regression targets. Throws std::invalid_argument for labels that
/// do not fit.
nn::Matrix trainingTargets(const nn::Dataset &d, int outputs);
/// Validation accuracy (the test split when there is no validation split).
double selectionAccuracy(nn::Network &net, const nn::DatasetSplit &split);
/// Test accuracy and loss.
std::pair<double, double> testAccuracyAndLoss(nn::Network &net, const nn::DatasetSplit &split);
/// The folder of an HLS model's project; an `hls4ml(files: false)` model's files are written
/// there now if they are not yet (atomically: a temporary folder renamed into place).
const std::string &projectDir(ModelStore::Hls &model);
/// Saves a DNN into the step's staging dir, or reloads it from the committed step.
void saveDnn(const TaskContext &ctx, const nn::Network &net);
std::shared_ptr<nn::Network> loadCommittedDnn(const TaskContext &ctx);

/// One layer's new reuse factor and strategy ("latency" or "resource").
struct ReuseChoice {
  std::string layer;
  int reuse = 1;
  std::string strategy;
};
/// This step's result: the model `h` with the project rewritten as set_reuse does, several layers
/// at once (MetaTasks.cpp); on a committed step, the committed project reloaded.
void rewriteReuse(TaskContext &ctx, const std::vector<ReuseChoice> &choices);

} // namespace mmlc::tasks
