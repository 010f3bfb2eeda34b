// Runs pieces of a flow in forked worker processes (`mmlc run --jobs N`), N at a time.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace mmlc::flow {

/// One piece of work for a worker process: `run` executes in the child (its standard output
/// and error go to `logFile`); it returns normally on success and throws on failure.
struct WorkItem {
  std::string label;
  std::filesystem::path logFile;
  std::function<void()> run;
};

/// What happened to a work item.
struct WorkOutcome {
  std::string label;
  bool succeeded = false;
  double seconds = 0;
};

/// Forks one child per item, at most `jobs` alive at a time, and waits for all of them. Each
/// child inherits the whole process state (the models computed so far), runs its item and exits
/// without running destructors; what it computes reaches the parent only through the model
/// space on disk. `onFinish` is called in the parent as each child ends. If `interrupted()`
/// becomes true, the children still running are terminated and the call returns early.
std::vector<WorkOutcome> runInWorkerProcesses(std::vector<WorkItem> items, int jobs,
                                              const std::function<void(const WorkOutcome &)> &onFinish,
                                              const std::function<bool()> &interrupted);

} // namespace mmlc::flow
