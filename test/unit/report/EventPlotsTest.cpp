// Unit tests of the generic event plots: prune_step (MetaML Fig. 4), epoch curves, trade-offs.
#include "report/EventPlots.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mmlc::report {
namespace {

std::vector<LogEvent> events(const std::vector<std::string> &lines) {
  std::vector<LogEvent> out;
  for (const std::string &line : lines) {
    LogEvent e;
    e.fields = nlohmann::ordered_json::parse(line);
    e.kind = e.fields["event"].get<std::string>();
    out.push_back(e);
  }
  return out;
}

std::vector<const LogEvent *> pointers(const std::vector<LogEvent> &events) {
  std::vector<const LogEvent *> out;
  for (const LogEvent &e : events)
    out.push_back(&e);
  return out;
}

const XyPlot *find(const std::vector<XyPlot> &plots, const std::string &kind,
                   const std::string &x = "") {
  for (const XyPlot &p : plots)
    if (p.data.at("plot") == kind && (x.empty() || p.data.at("x") == x))
      return &p;
  return nullptr;
}

const Series *series(const XyPlot &p, const std::string &name) {
  for (const Series &s : p.series)
    if (s.name == name)
      return &s;
  return nullptr;
}

std::vector<LogEvent> pruneSteps(bool withResources) {
  std::vector<std::string> lines;
  double rates[] = {0, 0.5, 0.75, 0.875, 0.8125};
  double accuracies[] = {0.9, 0.89, 0.87, 0.8, 0.86};
  bool feasible[] = {true, true, true, false, true};
  for (int i = 0; i < 5; ++i) {
    std::string line = R"({"event":"prune_step","time":1.5,"path":"main.prune","step":)" +
                       std::to_string(i) + R"(,"rate":)" + std::to_string(rates[i]) +
                       R"(,"accuracy":)" + std::to_string(accuracies[i]) +
                       R"(,"baseline":0.9,"feasible":)" + (feasible[i] ? "true" : "false");
    if (withResources)
      line += R"(,"dsp":)" + std::to_string(400 - 70 * i) + R"(,"lut":)" + std::to_string(90000 - 15000 * i);
    lines.push_back(line + "}");
  }
  return events(lines);
}

TEST(EventPlots, PruneStepsGiveRateAndAccuracyPerStepAndTheTradeOff) {
  std::vector<LogEvent> e = pruneSteps(false);
  std::vector<XyPlot> plots = eventPlots("prune_step", pointers(e));
  ASSERT_EQ(plots.size(), 2u);
  const XyPlot *progress = find(plots, "progress");
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->x.label, "step");
  EXPECT_EQ(progress->data.at("event"), "prune_step");
  ASSERT_TRUE(series(*progress, "accuracy"));
  EXPECT_EQ(series(*progress, "accuracy")->y.size(), 5u);
  EXPECT_EQ(series(*progress, "rate")->x, (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(series(*progress, "baseline"));
  EXPECT_EQ(series(*progress, "accuracy")->hollowAt,
            (std::vector<bool>{false, false, false, true, false})); // step 3 was infeasible
  EXPECT_FALSE(series(*progress, "time")); // never a series
  EXPECT_FALSE(find(plots, "progress-magnitude"));

  const XyPlot *tradeoff = find(plots, "tradeoff", "rate");
  ASSERT_TRUE(tradeoff);
  EXPECT_EQ(series(*tradeoff, "feasible")->x.size(), 4u);
  EXPECT_EQ(series(*tradeoff, "infeasible")->x, (std::vector<double>{0.875}));
  EXPECT_TRUE(series(*tradeoff, "infeasible")->hollow);
  const Series *baseline = series(*tradeoff, "baseline");
  ASSERT_TRUE(baseline);
  EXPECT_EQ(baseline->y, (std::vector<double>{0.9, 0.9}));
  EXPECT_EQ(baseline->x, (std::vector<double>{0, 0.875}));
}

TEST(EventPlots, ResourcesPerStepWhenLogged) {
  std::vector<LogEvent> e = pruneSteps(true);
  std::vector<XyPlot> plots = eventPlots("prune_step", pointers(e));
  const XyPlot *magnitudes = find(plots, "progress-magnitude");
  ASSERT_TRUE(magnitudes);
  EXPECT_TRUE(magnitudes->y.log); // 120..90000 spans more than two decades
  EXPECT_TRUE(series(*magnitudes, "dsp"));
  EXPECT_TRUE(series(*magnitudes, "lut"));
  EXPECT_TRUE(find(plots, "tradeoff", "dsp"));
  EXPECT_TRUE(find(plots, "tradeoff", "lut"));
  EXPECT_TRUE(find(plots, "tradeoff", "rate"));
}

TEST(EventPlots, EpochsGiveTrainingCurvesWithoutTradeOffs) {
  std::vector<LogEvent> e = events({
      R"({"event":"epoch","epoch":1,"train_loss":2.1,"val_loss":1.6,"val_accuracy":0.55})",
      R"({"event":"epoch","epoch":2,"train_loss":1.2,"val_loss":0.9,"val_accuracy":0.71})",
      R"({"event":"epoch","epoch":3,"train_loss":0.7,"val_loss":0.6,"val_accuracy":0.78})"});
  std::vector<XyPlot> plots = eventPlots("epoch", pointers(e));
  ASSERT_EQ(plots.size(), 2u);
  EXPECT_EQ(find(plots, "progress")->x.label, "epoch");
  EXPECT_EQ(find(plots, "progress")->series.size(), 1u); // val_accuracy
  EXPECT_EQ(find(plots, "progress-magnitude")->series.size(), 2u);
  EXPECT_FALSE(find(plots, "progress-magnitude")->y.log);
  EXPECT_NE(plots[0].title.find("Training"), std::string::npos);
}

TEST(EventPlots, AnyKindWithNumbersIsPlottedAgainstItsPosition) {
  std::vector<LogEvent> e = events({
      R"({"event":"quantize_step","layer":"fc1","bits":12,"accuracy":0.85,"widths":[8,4]})",
      R"({"event":"quantize_step","layer":"fc1","bits":8,"accuracy":0.84,"widths":[8,4]})",
      R"({"event":"quantize_step","layer":"fc2","bits":6,"accuracy":0.79,"widths":[8,4]})"});
  std::vector<XyPlot> plots = eventPlots("quantize_step", pointers(e));
  const XyPlot *progress = find(plots, "progress");
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->x.label, "event");
  EXPECT_EQ(series(*progress, "accuracy")->x, (std::vector<double>{1, 2, 3}));
  const XyPlot *bits = find(plots, "tradeoff", "bits");
  ASSERT_TRUE(bits);
  EXPECT_EQ(series(*bits, "accuracy")->x, (std::vector<double>{12, 8, 6}));
  EXPECT_FALSE(find(plots, "tradeoff", "layer")); // not a number
  EXPECT_FALSE(find(plots, "tradeoff", "widths"));
  EXPECT_TRUE(eventPlots("quantize_step", {}).empty());
}

TEST(EventPlots, TableHasOneColumnPerMember) {
  std::vector<LogEvent> e = events({
      R"({"event":"scale_step","time":3,"path":"main.scale","step":1,"widths":[32,16],"params":1234})",
      R"({"event":"scale_step","time":4,"path":"main.scale","step":2,"widths":[16,8],"params":600,"accuracy":0.8})"});
  Table t = eventTable(pointers(e));
  EXPECT_EQ(t.headers, (std::vector<std::string>{"step", "widths", "params", "accuracy"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][1].text, "[32,16]");
  EXPECT_EQ(t.rows[0][3].text, ""); // absent in the first event
  EXPECT_EQ(t.rows[1][2].text, "600");
}

} // namespace
} // namespace mmlc::report
