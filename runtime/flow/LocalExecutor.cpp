// The local executor of `mmlc run --jobs N`: forked worker processes, N at a time, Ctrl-C ends them.
#include "flow/Executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <stdexcept>

namespace mmlc::flow {

namespace {
using Clock = std::chrono::steady_clock;

[[noreturn]] void runChild(const Part &part, const std::filesystem::path &logFile) {
  int log = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log >= 0) {
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::close(log);
  }
  int status = 0;
  try {
    part.run();
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

class LocalExecutor final : public Executor {
public:
  LocalExecutor(int jobs, std::filesystem::path logDir, std::function<bool()> interrupted)
      : jobs_(static_cast<std::size_t>(std::max(jobs, 1))), logDir_(std::move(logDir)),
        interrupted_(std::move(interrupted)) {}
  ~LocalExecutor() override { cancelAll(); }

  std::string name() const override { return "local"; }
  std::size_t capacity() const override { return jobs_; }
  bool worthForOne() const override { return false; }
  std::string describeLogs(const std::string &site) const override {
    return std::to_string(jobs_) + " worker processes (progress in " + logDir_.string() + "/" +
           site + "-*.log)";
  }

  void submit(std::size_t ticket, Part part) override {
    queue_.emplace_back(ticket, std::move(part));
    startQueued();
  }

  std::vector<std::pair<std::size_t, PartOutcome>> wait() override {
    std::vector<std::pair<std::size_t, PartOutcome>> ended;
    while (ended.empty() && !running_.empty()) {
      if (interrupted_()) {
        for (auto &[pid, item] : running_)
          ::kill(pid, SIGTERM);
        queue_.clear();
      }
      int status = 0;
      pid_t pid = ::waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno == EINTR)
          continue; // a signal (Ctrl-C): the loop checks interrupted() again
        if (errno == ECHILD) {
          running_.clear();
          break;
        }
        throw std::runtime_error(std::string("waiting for worker processes: ") + std::strerror(errno));
      }
      auto it = running_.find(pid);
      if (it == running_.end())
        continue; // not one of ours (an extern command is waited for by its own caller)
      PartOutcome outcome;
      outcome.succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      outcome.seconds = std::chrono::duration<double>(Clock::now() - it->second.second).count();
      if (!outcome.succeeded)
        outcome.detail = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                           : "signal " + std::to_string(WTERMSIG(status));
      ended.emplace_back(it->second.first, outcome);
      running_.erase(it);
      if (!interrupted_())
        startQueued();
    }
    return ended;
  }

  void cancelAll() override {
    queue_.clear();
    for (auto &[pid, item] : running_) {
      ::kill(pid, SIGTERM);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    running_.clear();
  }

private:
  void startQueued() {
    while (!queue_.empty() && running_.size() < jobs_ && !interrupted_()) {
      auto [ticket, part] = std::move(queue_.front());
      queue_.pop_front();
      std::filesystem::create_directories(logDir_);
      std::cout.flush();
      std::cerr.flush();
      pid_t pid = ::fork();
      if (pid < 0)
        throw std::runtime_error(std::string("cannot start a worker process: ") + std::strerror(errno));
      if (pid == 0)
        runChild(part, logDir_ / (part.logName + ".log"));
      running_[pid] = {ticket, Clock::now()};
    }
  }

  std::size_t jobs_;
  std::filesystem::path logDir_;
  std::function<bool()> interrupted_;
  std::deque<std::pair<std::size_t, Part>> queue_;
  std::map<pid_t, std::pair<std::size_t, Clock::time_point>> running_;
};
} // namespace

std::unique_ptr<Executor> makeLocalExecutor(int jobs, std::filesystem::path logDir,
                                            std::function<bool()> interrupted) {
  return std::make_unique<LocalExecutor>(jobs, std::move(logDir), std::move(interrupted));
}

} // namespace mmlc::flow
