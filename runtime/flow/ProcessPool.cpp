// Forked worker processes for `mmlc run --jobs N`: fork, redirect output, wait, terminate on Ctrl-C.
#include "flow/ProcessPool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <thread>

namespace mmlc::flow {

namespace {
using Clock = std::chrono::steady_clock;

[[noreturn]] void runChild(const WorkItem &item) {
  int log = ::open(item.logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log >= 0) {
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::close(log);
  }
  int status = 0;
  try {
    item.run();
  } catch (const std::exception &e) {
    std::cout.flush();
    std::cerr << e.what() << "\n";
    status = 1;
  } catch (...) {
    status = 1;
  }
  std::cout.flush();
  std::cerr.flush();
  ::_exit(status); // no destructors, no atexit handlers: they belong to the parent
}
} // namespace

std::vector<WorkOutcome> runInWorkerProcesses(std::vector<WorkItem> items, int jobs,
                                              const std::function<void(const WorkOutcome &)> &onFinish,
                                              const std::function<bool()> &interrupted) {
  std::vector<WorkOutcome> outcomes;
  std::map<pid_t, std::pair<size_t, Clock::time_point>> running;
  size_t next = 0;
  std::cout.flush();
  std::cerr.flush();
  while (next < items.size() || !running.empty()) {
    while (next < items.size() && static_cast<int>(running.size()) < std::max(1, jobs) &&
           !interrupted()) {
      std::filesystem::create_directories(items[next].logFile.parent_path());
      pid_t pid = ::fork();
      if (pid < 0)
        throw std::runtime_error(std::string("cannot start a worker process: ") +
                                 std::strerror(errno));
      if (pid == 0)
        runChild(items[next]);
      running[pid] = {next++, Clock::now()};
    }
    if (interrupted()) {
      for (auto &[pid, item] : running)
        ::kill(pid, SIGTERM);
    }
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR)
        continue; // a signal (Ctrl-C): the loop checks interrupted() again
      if (errno == ECHILD)
        break;
      throw std::runtime_error(std::string("waiting for worker processes: ") + std::strerror(errno));
    }
    auto it = running.find(pid);
    if (it == running.end())
      continue; // not one of ours (an extern command is waited for by its own caller)
    WorkOutcome outcome;
    outcome.label = items[it->second.first].label;
    outcome.succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - it->second.second).count();
    running.erase(it);
    outcomes.push_back(outcome);
    onFinish(outcome);
    if (interrupted() && next < items.size())
      next = items.size(); // start nothing new
  }
  return outcomes;
}

} // namespace mmlc::flow
