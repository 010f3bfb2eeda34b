// Unit tests of reading log.jsonl back: the latest run's flow, events attributed to the step
// that logged them, resumed and recomputed directories, forked-branch replays, damaged lines.
#include "report/RunLog.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

namespace mmlc::report {
namespace {

RunLog parse(const std::string &text) {
  std::istringstream in(text);
  return parseRunLog(in);
}

std::string step(const std::string &path, const std::string &task, const std::string &key,
                 double seconds, const std::string &metrics = "") {
  return R"({"event":"step","time":1,"path":")" + path + R"(","task":")" + task +
         R"(","key":")" + key + R"(","seconds":)" + std::to_string(seconds) + metrics + "}\n";
}
std::string reuse(const std::string &path, const std::string &task, const std::string &key) {
  return R"({"event":"reuse","time":1,"path":")" + path + R"(","task":")" + task +
         R"(","key":")" + key + "\"}\n";
}
std::string pruneStep(int n, double rate, double accuracy) {
  return R"({"event":"prune_step","time":1,"accuracy":)" + std::to_string(accuracy) +
         R"(,"baseline":0.9,"feasible":true,"path":"main.prune","rate":)" + std::to_string(rate) +
         R"(,"step":)" + std::to_string(n) + "}\n";
}
const std::string kRun = "{\"event\":\"run\",\"time\":1}\n";

TEST(RunLog, AttributesTaskEventsToTheStepThatLoggedThem) {
  RunLog log = parse(kRun + step("main.train", "train", "T", 2.5) + pruneStep(0, 0, 0.9) +
                     pruneStep(1, 0.5, 0.89) +
                     step("main.prune", "prune", "P", 4, R"(,"metric.sparsity":0.5)") +
                     R"({"event":"note","time":1,"source":"f.mml:1:1","message":"hi"})" "\n");
  ASSERT_EQ(log.flow.size(), 2u);
  EXPECT_EQ(log.flow[0].path, "main.train");
  EXPECT_EQ(log.flow[1].key, "P");
  EXPECT_TRUE(log.flow[1].computed);
  EXPECT_DOUBLE_EQ(log.flow[1].seconds, 4);
  EXPECT_DOUBLE_EQ(log.flow[1].metrics.at("sparsity"), 0.5);
  EXPECT_EQ(log.eventsOf("P", "prune_step").size(), 2u);
  EXPECT_TRUE(log.eventsOf("T", "prune_step").empty());
  EXPECT_EQ(log.eventKindsOf("P"), std::vector<std::string>{"prune_step"});
  EXPECT_DOUBLE_EQ(log.eventsOf("P", "prune_step")[1]->number("rate"), 0.5);
  EXPECT_EQ(log.runs, 1u);
  EXPECT_EQ(log.latestRun.size(), 6u);
}

TEST(RunLog, ResumedRunReusesEarlierStepsAndDropsWhatAKilledRunLeftOpen) {
  // Run 1 computes the training, starts pruning and is killed; run 2 reuses the training and
  // computes the pruning from the start.
  std::string text = kRun + step("main.train", "train", "T", 7) + pruneStep(0, 0, 0.9) +
                     pruneStep(1, 0.5, 0.88) + kRun + reuse("main.train", "train", "T") +
                     pruneStep(0, 0, 0.9) + pruneStep(1, 0.5, 0.88) + pruneStep(2, 0.75, 0.86) +
                     step("main.prune", "prune", "P", 3);
  RunLog log = parse(text);
  EXPECT_EQ(log.runs, 2u);
  ASSERT_EQ(log.flow.size(), 2u);
  EXPECT_FALSE(log.flow[0].computed);
  EXPECT_DOUBLE_EQ(log.flow[0].seconds, 7); // from the run that computed it
  EXPECT_TRUE(log.flow[1].computed);
  EXPECT_EQ(log.eventsOf("P", "prune_step").size(), 3u); // not 5
}

TEST(RunLog, ARecomputedStepKeepsOnlyItsLatestEvents) {
  std::string once = pruneStep(0, 0, 0.9) + pruneStep(1, 0.5, 0.8) + step("main.prune", "prune", "P", 3);
  std::string again = pruneStep(0, 0, 0.9) + pruneStep(1, 0.5, 0.85) + step("main.prune", "prune", "P", 5);
  RunLog log = parse(kRun + once + kRun + again);
  ASSERT_EQ(log.flow.size(), 1u);
  EXPECT_DOUBLE_EQ(log.flow[0].seconds, 5);
  auto events = log.eventsOf("P", "prune_step");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_DOUBLE_EQ(events[1]->number("accuracy"), 0.85);
}

TEST(RunLog, ForkedBranchesThenReplayKeepProgramOrder) {
  // Children computing branches B and A concurrently, then the parent replaying A, B.
  std::string text = kRun + pruneStep(0, 0, 0.9) /* path main.prune: never finished */ +
         step("main.b", "hls4ml", "B", 1) + step("main.a", "hls4ml", "A", 1) +
         reuse("main.a", "hls4ml", "A") + reuse("main.b", "hls4ml", "B");
  RunLog log = parse(text);
  ASSERT_EQ(log.flow.size(), 2u);
  EXPECT_EQ(log.flow[0].key, "A");
  EXPECT_EQ(log.flow[1].key, "B");
  EXPECT_TRUE(log.flow[0].computed);
  EXPECT_TRUE(log.taskEvents.count("A"));
  EXPECT_TRUE(log.eventsOf("A", "prune_step").empty());
}

TEST(RunLog, AFailedStepsEventsAreDropped) {
  std::string text = kRun + pruneStep(0, 0, 0.9) +
                     R"({"event":"error","time":1,"path":"main.prune","message":"boom"})" "\n" +
                     pruneStep(0, 0, 0.9) + step("main.prune", "prune", "P", 1);
  EXPECT_EQ(parse(text).eventsOf("P", "prune_step").size(), 1u);
}

TEST(RunLog, DamagedLinesAreCountedAndNonFiniteNumbersRead) {
  std::string text = kRun + step("main.train", "train", "T", 1) +
                     R"({"event":"epoch","time":1,"epoch":1,"path":"main.x","val_loss":nan,"note":"nan inf"})" "\n" +
                     step("main.x", "train", "X", 1, R"(,"metric.loss":-inf)") +
                     "{\"event\":\"step\",\"path\":\"main.cut" /* a kill mid-line */ "\n" +
                     "[1,2]\n\n";
  RunLog log = parse(text);
  EXPECT_EQ(log.unreadableLines, 2u);
  ASSERT_EQ(log.flow.size(), 2u);
  auto epochs = log.eventsOf("X", "epoch");
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_TRUE(std::isnan(epochs[0]->number("val_loss")));
  EXPECT_EQ(epochs[0]->text("note"), "nan inf"); // strings untouched
  EXPECT_EQ(log.flow[1].metrics.count("loss"), 0u);
}

TEST(RunLog, ALogWithoutRunEventsIsOneRunAndAMissingFileIsEmpty) {
  RunLog log = parse(step("a", "part", "D", 0.1) + reuse("b", "mlp", "M"));
  EXPECT_EQ(log.runs, 1u);
  EXPECT_EQ(log.flow.size(), 2u);
  EXPECT_FALSE(log.flow[1].computed);
  EXPECT_TRUE(std::isnan(log.flow[1].seconds));
  RunLog missing = readRunLog("/nonexistent/log.jsonl");
  EXPECT_EQ(missing.runs, 0u);
  EXPECT_TRUE(missing.flow.empty());
}

} // namespace
} // namespace mmlc::report
