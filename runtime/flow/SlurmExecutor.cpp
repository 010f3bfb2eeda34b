// Slurm executor: sbatch jobs that run `mmlc run --worker-part`, followed by status files and squeue.
#include "flow/SlurmExecutor.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "flow/Interpreter.h"
#include "flow/MetaModel.h"
#include "mml/Support/ShellQuote.h"

namespace mmlc::flow {
namespace fs = std::filesystem;

namespace {
using Clock = std::chrono::steady_clock;

/// Runs a command (no shell) and returns its exit status; standard output and error in `out`.
int runCommand(const std::vector<std::string> &argv, std::string &out) {
  int pipeFds[2];
  if (::pipe(pipeFds) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(std::string("cannot start ") + argv.at(0) + ": " + std::strerror(errno));
  if (pid == 0) {
    ::dup2(pipeFds[1], 1);
    ::dup2(pipeFds[1], 2);
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    std::vector<char *> args;
    for (const std::string &a : argv)
      args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::string message = "cannot run " + argv[0] + ": " + std::strerror(errno) + "\n";
    ssize_t ignored = ::write(2, message.data(), message.size());
    (void)ignored;
    ::_exit(127);
  }
  ::close(pipeFds[1]);
  out.clear();
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
    if (n > 0)
      out.append(buffer, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  ::close(pipeFds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start])))
    ++start;
  return s.substr(start);
}

using mml::shellQuote;

/// States in which Slurm may still run the job (squeue's %T).
bool isActive(const std::string &state) {
  static const std::set<std::string> active{
      "PENDING",  "RUNNING",   "CONFIGURING", "COMPLETING",   "SUSPENDED", "REQUEUED",
      "RESIZING", "SIGNALING", "STAGE_OUT",   "REQUEUE_HOLD", "REQUEUE_FED"};
  return active.count(state) > 0;
}

/// squeue's state of each job it still knows ("" for those it has forgotten).
std::map<std::string, std::string> queueStates(const std::vector<std::string> &ids) {
  std::map<std::string, std::string> states;
  if (ids.empty())
    return states;
  auto query = [&](const std::string &list) {
    std::string out;
    int rc = runCommand({"squeue", "-h", "--states=all", "-o", "%i %T", "-j", list}, out);
    if (rc != 0)
      return false;
    std::istringstream lines(out);
    std::string id, state;
    while (lines >> id >> state)
      states[id] = state;
    return true;
  };
  std::string list;
  for (const std::string &id : ids)
    list += (list.empty() ? "" : ",") + id;
  if (!query(list)) // one forgotten id fails the whole query: ask one at a time
    for (const std::string &id : ids)
      query(id);
  return states;
}

std::string logTail(const fs::path &file, size_t lines) {
  std::ifstream in(file);
  if (!in)
    return "(no log at " + file.string() + ")";
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines)
      tail.pop_front();
  }
  std::string out;
  for (const std::string &l : tail)
    out += "  | " + l + "\n";
  return out.empty() ? "  | (empty)\n" : out;
}

struct RegistryEntry {
  std::string job, logName;
  int attempt = 1;
};

std::map<std::string, RegistryEntry> loadRegistry(const fs::path &jobsDir) {
  std::map<std::string, RegistryEntry> entries; // part id → its latest job
  std::ifstream in(jobsDir / "slurm-jobs.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    RegistryEntry e;
    std::string part, attempt;
    if (std::getline(fields, e.job, '\t') && std::getline(fields, part, '\t') &&
        std::getline(fields, e.logName, '\t') && std::getline(fields, attempt, '\t')) {
      e.attempt = std::atoi(attempt.c_str());
      entries[part] = e;
    }
  }
  return entries;
}

class SlurmExecutor final : public Executor {
public:
  explicit SlurmExecutor(SlurmOptions options) : options_(std::move(options)) {
    fs::create_directories(options_.jobsDir);
    if (options_.resume)
      adoptable_ = loadRegistry(options_.jobsDir);
  }
  ~SlurmExecutor() override {
    try {
      cancelAll();
    } catch (...) { // a destructor must not throw; scancel failing leaves jobs that finish alone
    }
  }

  std::string name() const override { return "slurm"; }
  std::size_t capacity() const override { return static_cast<size_t>(std::max(options_.jobs, 1)); }
  bool worthForOne() const override { return true; }
  std::string describeLogs(const std::string &site) const override {
    return std::to_string(capacity()) + " Slurm jobs at a time (logs in " +
           options_.jobsDir.string() + "/" + site + "-*.log)";
  }

  void submit(std::size_t ticket, Part part) override {
    queue_.push_back({ticket, std::move(part), 1});
    startQueued();
  }

  std::vector<std::pair<std::size_t, PartOutcome>> wait() override {
    std::vector<std::pair<std::size_t, PartOutcome>> ended;
    auto lastQueueCheck = Clock::now();
    while (ended.empty() && !running_.empty()) {
      if (options_.interrupted && options_.interrupted()) {
        cancelAll();
        return ended;
      }
      bool askQueue = std::chrono::duration<double>(Clock::now() - lastQueueCheck).count() >=
                      10 * options_.pollSeconds;
      std::map<std::string, std::string> states;
      if (askQueue) {
        std::vector<std::string> ids;
        for (const Job &job : running_)
          ids.push_back(job.id);
        states = queueStates(ids);
        lastQueueCheck = Clock::now();
      }
      for (size_t i = 0; i < running_.size();) {
        Job &job = running_[i];
        std::optional<int> exitStatus = readStatus(job);
        std::string state;
        if (!exitStatus) {
          if (!askQueue) {
            ++i;
            continue;
          }
          auto s = states.find(job.id);
          state = s == states.end() ? "" : s->second;
          if (isActive(state)) {
            ++i;
            continue;
          }
          exitStatus = readStatus(job); // it may have finished between the two looks
          if (!exitStatus && state == "COMPLETED")
            exitStatus = 0; // the script exits 0 only when mmlc did; its status file may not be
                            // visible here yet (attribute caching of a network filesystem)
        }
        Job done = std::move(job);
        running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
        double seconds = std::chrono::duration<double>(Clock::now() - done.started).count();
        if (exitStatus && *exitStatus == 0) {
          record(done, "COMPLETED", seconds);
          ended.push_back({done.ticket, PartOutcome{true, seconds, ""}});
          continue;
        }
        std::string how = exitStatus ? "exit status " + std::to_string(*exitStatus)
                          : state.empty() ? "gone from the queue without an exit status"
                                          : state;
        record(done, exitStatus ? "FAILED" : (state.empty() ? "LOST" : state), seconds);
        if (done.attempt <= options_.retries) {
          if (options_.note)
            options_.note(done.part.loc, "Slurm job " + done.id + " (" + done.part.label + ") ended: " + how +
                          "; submitting it again (attempt " + std::to_string(done.attempt + 1) +
                          " of " + std::to_string(options_.retries + 1) + ")");
          queue_.push_front({done.ticket, std::move(done.part), done.attempt + 1});
          continue;
        }
        cancelAll();
        throw RuntimeError(done.part.loc,
                           "Slurm job " + done.id + " for " + done.part.label + " ended: " + how +
                               " (" + std::to_string(done.attempt) + " attempt" +
                               (done.attempt == 1 ? "" : "s") + "); the end of its log " +
                               logFile(done).string() + ":\n" + logTail(logFile(done), 15));
      }
      startQueued();
      if (ended.empty() && !running_.empty())
        std::this_thread::sleep_for(std::chrono::duration<double>(options_.pollSeconds));
    }
    return ended;
  }

  void cancelAll() override {
    queue_.clear();
    if (running_.empty())
      return;
    std::vector<std::string> argv{"scancel"};
    for (const Job &job : running_)
      argv.push_back(job.id);
    std::string out;
    runCommand(argv, out);
    for (const Job &job : running_)
      record(job, "CANCELLED", std::chrono::duration<double>(Clock::now() - job.started).count());
    if (options_.note)
      options_.note(running_.front().part.loc,
                    "cancelled " + std::to_string(running_.size()) + " Slurm job(s) (scancel)");
    running_.clear();
  }

private:
  struct Queued {
    std::size_t ticket;
    Part part;
    int attempt;
  };
  struct Job {
    std::size_t ticket;
    Part part;
    int attempt;
    std::string id;
    Clock::time_point started;
  };

  fs::path logFile(const Job &job) const {
    return options_.jobsDir / (job.part.logName + "." + job.id + ".log");
  }
  fs::path statusFile(const Job &job) const {
    return options_.jobsDir / (job.part.logName + "." + job.id + ".status");
  }
  std::optional<int> readStatus(const Job &job) const {
    std::ifstream in(statusFile(job));
    int status = 0;
    if (in >> status)
      return status;
    return std::nullopt;
  }

  void record(const Job &job, const std::string &state, double seconds) {
    if (!options_.record)
      return;
    options_.record({{"job", jsonString(job.id)},
                     {"part", jsonString(job.part.id)},
                     {"label", jsonString(job.part.label)},
                     {"source", jsonString(job.part.loc.str())},
                     {"state", jsonString(state)},
                     {"attempt", std::to_string(job.attempt)},
                     {"seconds", jsonNumber(seconds)},
                     {"log", jsonString(logFile(job).string())}});
  }

  SlurmJobOptions optionsFor(const Part &part) const {
    SlurmJobOptions o = options_.job;
    for (const auto &[task, t] : options_.taskJobs) {
      if (std::find(part.tasks.begin(), part.tasks.end(), task) == part.tasks.end())
        continue;
      if (!t.partition.empty())
        o.partition = t.partition;
      if (!t.time.empty())
        o.time = t.time;
      if (!t.mem.empty())
        o.mem = t.mem;
      if (t.cpus)
        o.cpus = t.cpus;
      o.extra.insert(o.extra.end(), t.extra.begin(), t.extra.end());
    }
    return o;
  }

  void startQueued() {
    while (!queue_.empty() && running_.size() < capacity() &&
           !(options_.interrupted && options_.interrupted())) {
      Queued q = std::move(queue_.front());
      queue_.pop_front();
      Job job{q.ticket, std::move(q.part), q.attempt, "", Clock::now()};
      if (adopt(job))
        continue;
      job.id = sbatch(job);
      {
        std::ofstream registry(options_.jobsDir / "slurm-jobs.tsv", std::ios::app);
        registry << job.id << '\t' << job.part.id << '\t' << job.part.logName << '\t' << job.attempt
                 << '\n';
      }
      record(job, "SUBMITTED", 0);
      running_.push_back(std::move(job));
    }
  }

  /// A resumed controller takes over the job an earlier one submitted for the same part.
  bool adopt(Job &job) {
    auto it = adoptable_.find(job.part.id);
    if (it == adoptable_.end() || job.attempt != 1)
      return false;
    RegistryEntry entry = it->second;
    adoptable_.erase(it);
    Job earlier = job;
    earlier.id = entry.job;
    earlier.attempt = entry.attempt;
    std::optional<int> status = readStatus(earlier);
    std::string state;
    if (!status) {
      auto states = queueStates({earlier.id});
      state = states.count(earlier.id) ? states[earlier.id] : "";
      if (!isActive(state))
        return false; // it ended without finishing its part: submit it again
    } else if (*status != 0) {
      return false;
    }
    record(earlier, status ? "ADOPTED_FINISHED" : "ADOPTED_" + state, 0);
    if (options_.note)
      options_.note(earlier.part.loc, "Slurm job " + earlier.id + " (" + earlier.part.label + ") of an earlier run " +
                    (status ? "finished already" : "is " + state + ": waiting for it"));
    running_.push_back(std::move(earlier));
    return true;
  }

  std::string sbatch(const Job &job) {
    fs::path script = options_.jobsDir / (job.part.logName + ".sh");
    {
      std::ofstream out(script, std::ios::trunc);
      out << "#!/bin/sh\n# mmlc worker for " << job.part.label << " (" << job.part.loc.str()
          << "), written by mmlc run --executor slurm\n";
      out << "cd " << shellQuote(options_.workDir.string()) << " || exit 1\n";
      for (const std::string &a : options_.workerCommand)
        out << shellQuote(a) << ' ';
      out << "--worker-part " << shellQuote(job.part.id) << "\n";
      out << "status=$?\n";
      std::string status = (options_.jobsDir / job.part.logName).string();
      out << "echo $status > " << shellQuote(status) << ".\"$SLURM_JOB_ID\".status.tmp && mv "
          << shellQuote(status) << ".\"$SLURM_JOB_ID\".status.tmp " << shellQuote(status)
          << ".\"$SLURM_JOB_ID\".status\n";
      out << "exit $status\n";
      if (!out)
        throw std::runtime_error("cannot write " + script.string());
    }
    SlurmJobOptions o = optionsFor(job.part);
    std::vector<std::string> argv{"sbatch", "--parsable",
                                  "--job-name=mmlc-" + job.part.logName.substr(0, 40),
                                  "--output=" + (options_.jobsDir / (job.part.logName + ".%j.log")).string(),
                                  "--chdir=" + options_.workDir.string()};
    if (!o.partition.empty())
      argv.push_back("--partition=" + o.partition);
    if (!o.time.empty())
      argv.push_back("--time=" + o.time);
    if (!o.mem.empty())
      argv.push_back("--mem=" + o.mem);
    if (o.cpus)
      argv.push_back("--cpus-per-task=" + std::to_string(o.cpus));
    argv.insert(argv.end(), o.extra.begin(), o.extra.end());
    argv.push_back(script.string());
    std::string out;
    int rc = runCommand(argv, out);
    std::string id = trim(out);
    if (size_t semicolon = id.find(';'); semicolon != std::string::npos)
      id = id.substr(0, semicolon); // "id;cluster" on federated sites
    if (rc != 0 || id.empty() || id.find_first_not_of("0123456789_") != std::string::npos) {
      cancelAll();
      throw RuntimeError(job.part.loc, "sbatch could not submit " + job.part.label +
                                           " (exit status " + std::to_string(rc) + "): " + trim(out));
    }
    return id;
  }

  SlurmOptions options_;
  std::deque<Queued> queue_;
  std::vector<Job> running_;
  std::map<std::string, RegistryEntry> adoptable_;
};
} // namespace

std::unique_ptr<Executor> makeSlurmExecutor(SlurmOptions options) {
  return std::make_unique<SlurmExecutor>(std::move(options));
}

bool slurmHasActiveJobs(const fs::path &jobsDir) {
  std::vector<std::string> ids;
  for (const auto &[part, entry] : loadRegistry(jobsDir))
    ids.push_back(entry.job);
  if (ids.empty())
    return false;
  for (const auto &[id, state] : queueStates(ids))
    if (isActive(state))
      return true;
  return false;
}

bool setSlurmJobOption(SlurmJobOptions &options, const std::string &name, const std::string &value) {
  if (value.empty())
    return false;
  if (name == "partition")
    options.partition = value;
  else if (name == "time")
    options.time = value;
  else if (name == "mem")
    options.mem = value;
  else if (name == "cpus") {
    char *end = nullptr;
    long n = std::strtol(value.c_str(), &end, 10);
    if (*end || n < 1 || n > 4096)
      return false;
    options.cpus = static_cast<int>(n);
  } else if (name == "arg")
    options.extra.push_back(value);
  else
    return false;
  return true;
}

} // namespace mmlc::flow
