// Executors run pieces of a flow (parallel branches, search evaluations) outside the controller.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flow/Program.h"

namespace mmlc::flow {

/// One piece of a flow to compute elsewhere: its steps are committed to the model space, which
/// the controller then replays with reuse on.
struct Part {
  /// Stable across runs of the same flow: the site (`L<line>C<column>#<occurrence>`) and which
  /// branch or evaluation (`/b<index>`, `/e<parameter values>`). A worker (`mmlc run
  /// --worker-part ID`) is told exactly this.
  std::string id;
  std::string label;               // what a person reads: a branch label, "evaluation 3"
  std::string logName;             // file name stem of its log in the jobs folder
  SourceLoc loc;                   // the parallel block or search, for errors
  std::vector<std::string> tasks;  // tasks the part calls (for per-task cluster options)
  std::function<void()> run;       // computes it in-process (a forked local worker)
};

/// What happened to a part.
struct PartOutcome {
  bool succeeded = false;
  double seconds = 0;
  std::string detail;  // how it ended when it failed ("exit status 1", "TIMEOUT", ...)
};

/// Runs parts, at most capacity() at a time. submit() returns at once; wait() blocks until at
/// least one submitted part ended (or a stop was requested) and returns every part that ended.
/// A part that fails is reported by its outcome, or (an executor that retries and gives up) by
/// a RuntimeError located at the part.
class Executor {
public:
  virtual ~Executor() = default;
  virtual std::string name() const = 0;
  virtual std::size_t capacity() const = 0;
  /// Whether even a single part goes out (a cluster: yes; local processes: no, it runs inline).
  virtual bool worthForOne() const = 0;
  virtual void submit(std::size_t ticket, Part part) = 0;
  virtual std::vector<std::pair<std::size_t, PartOutcome>> wait() = 0;
  /// Stops every part still running (Ctrl-C, an error elsewhere).
  virtual void cancelAll() = 0;
  /// Where the logs of parts go, for the notes the interpreter prints.
  virtual std::string describeLogs(const std::string &site) const = 0;
};

/// Forks one worker process per part (`--executor local`, the default): each child inherits the
/// controller's state, runs the part with its output in `logDir/<logName>.log` and exits without
/// running destructors. If `interrupted()` becomes true, running children are terminated.
std::unique_ptr<Executor> makeLocalExecutor(int jobs, std::filesystem::path logDir,
                                            std::function<bool()> interrupted);

} // namespace mmlc::flow
