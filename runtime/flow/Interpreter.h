// Runs the executable form of a flow: values, arithmetic, structured control, parallel and search.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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
  /// Worker processes for `parallel` branches and batches of search evaluations (1: none).
  int jobs = 1;
  /// Where worker processes write their progress (one log file per worker).
  std::string workerLogDir = "jobs";
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
  /// Runs `work` in worker processes (when jobs > 1 and there is more than one item), so that
  /// their steps are committed; the caller then replays them with reuse on.
  void prefetch(const Op &op, const std::string &what, std::vector<std::pair<std::string, std::function<void()>>> work);

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
};

} // namespace mmlc::flow
