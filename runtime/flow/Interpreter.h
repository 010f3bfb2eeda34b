// Runs the executable form of a flow: values, arithmetic, structured control, parallel and search.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "flow/Executor.h"
#include "flow/Program.h"

namespace mmlc::flow {

/// A failure while running a flow, located in the .mml source.
class RuntimeError : public std::runtime_error {
public:
  RuntimeError(SourceLoc loc, const std::string &message)
      : std::runtime_error(loc.str() + ": error: " + message), loc(std::move(loc)) {}
  SourceLoc loc;
};

/// What the interpreter needs from the outside world: running tasks and reading metrics.
/// `mmlc run` implements it over the DNN engine, the HLS backend and the model space.
class TaskRunner {
public:
  virtual ~TaskRunner() = default;
  /// Runs `call` (a task call) with its arguments by parameter name; optional parameters that
  /// no one gave are absent.
  virtual Value runTask(const TaskDecl &task, const Op &call, const NamedArgs &args) = 0;
  /// Reads a metric of a handle (a model, data set, device or metrics record).
  virtual double metric(const Handle &handle, const std::string &name, const SourceLoc &loc) = 0;
  /// Something the user should know that is not an error (a loop stopped by its bound, ...).
  virtual void note(const SourceLoc &loc, const std::string &message) { (void)loc, (void)message; }
  /// Whether steps already committed to the model space are reused instead of recomputed;
  /// returns the previous setting. Worker processes (`--jobs`) commit steps that the main
  /// process then replays with reuse on.
  virtual bool setReuseCommitted(bool reuse) { return (void)reuse, false; }
  /// Records an event of the flow itself in the run's LOG: `run` when a run starts,
  /// `search_eval` per search evaluation, `parallel_branch` per branch (docs/reports.md);
  /// `fields` are JSON members as name → JSON text.
  virtual void record(const std::string &event, const std::map<std::string, std::string> &fields) {
    (void)event, (void)fields;
  }
};

/// How the interpreter may run independent work.
struct ExecutionOptions {
  /// Parallel branches at a time and search evaluations per batch (the strategy is asked for
  /// this many suggestions at once, whoever computes them: results depend on it, not on where
  /// the work runs).
  int jobs = 1;
  /// Computes parallel branches and batches of search evaluations elsewhere (forked processes,
  /// Slurm jobs); null: in this process.
  Executor *executor = nullptr;
  /// Worker mode (`mmlc run --worker-part ID`): replay the flow up to the part `ID` (a Part::id),
  /// compute only that part, then stop with PartFinished.
  std::string workerPart;
  /// Called with true while a worker replays the flow before its part (its LOG stays quiet),
  /// false once the part starts.
  std::function<void(bool)> muteLog;
  /// Where a search with a `time:` budget records how many evaluations it made, so a replay
  /// (--resume, a worker) makes the same ones; empty: not recorded.
  std::string searchStateDir;
};

/// A worker finished its part (ExecutionOptions::workerPart); not an error.
class PartFinished : public std::exception {
public:
  const char *what() const noexcept override { return "worker part finished"; }
};

class Interpreter {
public:
  Interpreter(const Program &program, TaskRunner &runner, ExecutionOptions options = {});
  /// Runs main; throws RuntimeError (or what a task throws) on failure.
  void run();

private:
  /// Runs a region's ops and returns its terminator (evaluated by the caller).
  const Op &runRegion(const Region &region, const std::vector<Value> &arguments);
  void runOp(const Op &op);
  void runArith(const Op &op);
  void runCompare(const Op &op);
  void runCall(const Op &op);
  void runIf(const Op &op);
  void runWhile(const Op &op);
  void runFor(const Op &op);
  void runParallel(const Op &op);
  void runSearch(const Op &op);
  /// Computes `parts` with the executor (when there is one and this is not a replay), so that
  /// their steps are committed; the caller then replays them with reuse on.
  void prefetch(const Op &op, const std::string &what, std::vector<Part> parts);
  /// Whether parts of `op` go to the executor (then the caller replays them with reuse on).
  bool distributing() const { return options_.executor && inlineDepth_ == 0; }
  /// The site of this execution of a parallel block or search: `L<line>C<column>#<occurrence>`.
  std::string enterSite(const Op &op);
  /// The part of `site` this worker computes ("" if it is not this site's).
  std::string workerTarget(const std::string &site) const;
  void record(const std::string &event, const std::map<std::string, std::string> &fields);

  const Value &get(ValueId id) const { return values_.at(static_cast<size_t>(id)); }
  std::vector<Value> operandValues(const Op &op, size_t from = 0) const;
  void setResults(const Op &op, const std::vector<Value> &results);
  std::int64_t asInt(ValueId id, const Op &op) const;
  double asFloat(ValueId id, const Op &op) const;
  bool asBool(ValueId id, const Op &op) const;

  const Program &program_;
  TaskRunner &runner_;
  ExecutionOptions options_;
  std::vector<Value> values_;
  std::map<const Op *, int> occurrences_;
  int inlineDepth_ = 0; // > 0 while replaying or computing a part: nested work stays in-process
};

} // namespace mmlc::flow
