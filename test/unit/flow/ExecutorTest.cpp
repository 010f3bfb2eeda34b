// GoogleTest units of the executors of --jobs: the local worker pool's submit/wait contract and
// the Slurm executor's site options (the Slurm executor itself runs against a cluster in test/slurm).
#include "flow/Executor.h"
#include "flow/SlurmExecutor.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

using namespace mmlc::flow;
namespace fs = std::filesystem;

namespace {
fs::path freshDir(const std::string &name) {
  fs::path dir = fs::temp_directory_path() / ("mmlc-executor-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Part part(const std::string &name, std::function<void()> run) {
  return Part{"site/" + name, name, "L1-" + name, SourceLoc{"f.mml", 1, 1}, {}, std::move(run)};
}
} // namespace

TEST(LocalExecutor, RunsEveryPartAtMostJobsAtATimeAndReportsFailures) {
  fs::path dir = freshDir("local");
  auto executor = makeLocalExecutor(2, dir, [] { return false; });
  EXPECT_EQ(executor->capacity(), 2u);
  EXPECT_FALSE(executor->worthForOne());
  for (int i = 0; i < 3; ++i)
    executor->submit(static_cast<size_t>(i), part("p" + std::to_string(i), [dir, i] {
      // at most two workers at once: each leaves a marker while it runs
      std::ofstream(dir / ("running-" + std::to_string(i))) << "x";
      size_t alive = 0;
      for (const auto &e : fs::directory_iterator(dir))
        alive += e.path().filename().string().rfind("running-", 0) == 0;
      ::usleep(200000);
      fs::remove(dir / ("running-" + std::to_string(i)));
      if (alive > 2)
        throw std::runtime_error("more than 2 workers at once");
      if (i == 1)
        throw std::runtime_error("part 1 fails on purpose");
    }));
  std::map<size_t, PartOutcome> outcomes;
  while (outcomes.size() < 3) {
    auto ended = executor->wait();
    ASSERT_FALSE(ended.empty());
    for (auto &[ticket, outcome] : ended)
      outcomes[ticket] = outcome;
  }
  EXPECT_TRUE(outcomes[0].succeeded);
  EXPECT_FALSE(outcomes[1].succeeded);
  EXPECT_EQ(outcomes[1].detail, "exit status 1");
  EXPECT_TRUE(outcomes[2].succeeded);
  std::ifstream log(dir / "L1-p1.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("part 1 fails on purpose"), std::string::npos);
  fs::remove_all(dir);
}

TEST(LocalExecutor, StartsNothingOnceInterrupted) {
  fs::path dir = freshDir("interrupted");
  auto executor = makeLocalExecutor(2, dir, [] { return true; });
  executor->submit(0, part("never", [dir] { std::ofstream(dir / "ran") << "x"; }));
  EXPECT_TRUE(executor->wait().empty());
  EXPECT_FALSE(fs::exists(dir / "ran"));
  fs::remove_all(dir);
}

TEST(SlurmOptions, ParsesSiteOptionsAndRejectsOthers) {
  SlurmJobOptions o;
  EXPECT_TRUE(setSlurmJobOption(o, "partition", "gpu"));
  EXPECT_TRUE(setSlurmJobOption(o, "time", "2:00:00"));
  EXPECT_TRUE(setSlurmJobOption(o, "mem", "16G"));
  EXPECT_TRUE(setSlurmJobOption(o, "cpus", "4"));
  EXPECT_TRUE(setSlurmJobOption(o, "arg", "--qos=short"));
  EXPECT_EQ(o.partition, "gpu");
  EXPECT_EQ(o.time, "2:00:00");
  EXPECT_EQ(o.mem, "16G");
  EXPECT_EQ(o.cpus, 4);
  ASSERT_EQ(o.extra.size(), 1u);
  EXPECT_EQ(o.extra[0], "--qos=short");
  EXPECT_FALSE(setSlurmJobOption(o, "cpus", "four"));
  EXPECT_FALSE(setSlurmJobOption(o, "cpus", "0"));
  EXPECT_FALSE(setSlurmJobOption(o, "memory", "16G"));
  EXPECT_FALSE(setSlurmJobOption(o, "mem", ""));
}

TEST(SlurmExecutor, NoRegistryMeansNoActiveJobs) {
  fs::path dir = freshDir("registry");
  EXPECT_FALSE(slurmHasActiveJobs(dir)); // no squeue call without a registry
  fs::remove_all(dir);
}
