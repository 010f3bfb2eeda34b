// The Slurm executor of `mmlc run --executor slurm`: each part is an sbatch job running mmlc itself.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flow/Executor.h"

namespace mmlc::flow {

/// Site options of the sbatch jobs (empty: the cluster's default).
struct SlurmJobOptions {
  std::string partition, time, mem;
  int cpus = 0;
  std::vector<std::string> extra; // further sbatch arguments, as given
};

struct SlurmOptions {
  /// The worker command before `--worker-part ID`: the mmlc binary, `run`, the flow, `-o OUT`,
  /// `--resume`, `--jobs N` and the options that change what the flow computes (-I, --set, ...).
  std::vector<std::string> workerCommand;
  std::filesystem::path workDir;  // where the worker starts (the controller's directory)
  std::filesystem::path jobsDir;  // OUT/jobs: scripts, logs, exit statuses, the job registry
  int jobs = 1;                   // jobs in flight at most
  int retries = 2;                // resubmissions of a part whose job failed
  bool resume = false;            // adopt the jobs of an earlier controller of OUT
  double pollSeconds = 0.1;       // status files are checked this often, squeue 10 times less
  SlurmJobOptions job;
  /// Per task: options for jobs whose part calls that task (later entries win).
  std::vector<std::pair<std::string, SlurmJobOptions>> taskJobs;
  std::function<bool()> interrupted;
  /// LOG events (`slurm_job`) and notes for the user.
  std::function<void(const std::map<std::string, std::string> &fields)> record;
  std::function<void(const SourceLoc &loc, const std::string &message)> note;
};

/// Submits with `sbatch --parsable`, follows jobs by the exit status their script writes and by
/// `squeue`, cancels with `scancel`. Every submission is appended to OUT/jobs/slurm-jobs.tsv, so
/// a controller started with --resume adopts the jobs still queued or running (and parts whose
/// job already finished) instead of submitting them again. A failed job is resubmitted up to
/// `retries` times, then wait() throws a RuntimeError located at the part with the log's tail.
std::unique_ptr<Executor> makeSlurmExecutor(SlurmOptions options);

/// Whether the registry in `jobsDir` names a job that Slurm still has queued or running (then a
/// resumed controller must not remove the half-written steps of the model space).
bool slurmHasActiveJobs(const std::filesystem::path &jobsDir);

/// Parses "partition=P", "time=T", "mem=M", "cpus=N", "arg=A" into `options`; false when the
/// name is not one of these or the value is malformed.
bool setSlurmJobOption(SlurmJobOptions &options, const std::string &name, const std::string &value);

} // namespace mmlc::flow
