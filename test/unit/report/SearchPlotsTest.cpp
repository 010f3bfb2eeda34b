// Unit tests of searches read from search_eval events (best so far, Pareto front, directions,
// several calls) and of the design comparison charts.
#include "report/DesignComparison.h"
#include "report/SearchPlots.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mmlc::report {
namespace {

LogEvent eval(int index, double dsp, double lut, bool feasible, int reuse,
              const std::string &source = "f.mml:3:1", const std::string &direction2 = "minimize") {
  LogEvent e;
  e.kind = "search_eval";
  e.fields = nlohmann::ordered_json::parse(
      R"({"event":"search_eval","source":")" + source + R"(","strategy":"grid","evaluation":)" +
      std::to_string(index) + R"(,"params":{"reuse":)" + std::to_string(reuse) +
      R"(,"order":"PQ"},"objectives":[)" + std::to_string(dsp) + "," + std::to_string(lut) +
      R"(],"objective_names":["dsp","lut"],"directions":["minimize",")" + direction2 +
      R"("],"constraints":[)" + (feasible ? "true" : "false") +
      R"(],"constraint_names":["accuracy >= 0.7"],"feasible":)" + (feasible ? "true" : "false") +
      R"(,"result":"k)" + std::to_string(index) + R"(","result_type":"hls"})");
  return e;
}

TEST(SearchPlots, BestSoFarAndParetoFrontOfFeasibleEvaluations) {
  std::vector<LogEvent> log{eval(0, 50, 900, false, 1),  // infeasible: ignored for best/front
                            eval(1, 80, 500, true, 2),   // front
                            eval(2, 60, 700, true, 4),   // front, best dsp
                            eval(3, 90, 800, true, 8),   // dominated by 1
                            eval(4, 60, 700, true, 16)}; // equal to 2: the first one counts
  std::vector<SearchRecord> searches = searchesOf(log);
  ASSERT_EQ(searches.size(), 1u);
  const SearchRecord &s = searches[0];
  EXPECT_EQ(s.strategy, "grid");
  EXPECT_EQ(s.paramNames, (std::vector<std::string>{"reuse", "order"}));
  EXPECT_EQ(s.objectiveNames, (std::vector<std::string>{"dsp", "lut"}));
  EXPECT_EQ(s.constraintNames, (std::vector<std::string>{"accuracy >= 0.7"}));
  ASSERT_TRUE(s.best);
  EXPECT_EQ(*s.best, 2u);
  EXPECT_EQ(s.pareto, (std::vector<size_t>{1, 2}));
  ASSERT_EQ(s.bestSoFar.size(), 5u);
  EXPECT_TRUE(std::isnan(s.bestSoFar[0]));
  EXPECT_EQ(s.bestSoFar[1], 80);
  EXPECT_EQ(s.bestSoFar[4], 60);

  std::vector<XyPlot> plots = searchPlots(s);
  ASSERT_EQ(plots.size(), 2u);
  EXPECT_EQ(plots[0].data.at("plot"), "search-history");
  size_t points = 0;
  for (const Series &series : plots[0].series)
    if (series.name != "best so far")
      points += series.x.size();
  EXPECT_EQ(points, 5u);
  EXPECT_EQ(plots[1].data.at("plot"), "search-pareto");
  EXPECT_EQ(plots[1].series[2].name, "Pareto front");
  EXPECT_EQ(plots[1].series[2].x, (std::vector<double>{60, 80})); // sorted along x

  Table t = searchTable(s);
  ASSERT_EQ(t.rows.size(), 5u);
  EXPECT_EQ(t.headers.front(), "#");
  EXPECT_EQ(t.headers[1], "reuse");
  EXPECT_EQ(t.rows[2].back().text, "best");
  EXPECT_EQ(t.rows[1][t.rows[1].size() - 2].text, "yes"); // on the front
  EXPECT_EQ(t.rows[0][t.rows[0].size() - 3].text, "no");  // infeasible
}

TEST(SearchPlots, MaximisedObjectivesAndSeveralCalls) {
  std::vector<LogEvent> log{eval(0, 10, 0.8, true, 1, "a.mml:1:1", "maximize"),
                            eval(1, 10, 0.9, true, 2, "a.mml:1:1", "maximize"),
                            eval(0, 5, 100, true, 1, "a.mml:1:1"), // the search runs again
                            eval(0, 7, 100, true, 1, "b.mml:9:9")};
  std::vector<SearchRecord> searches = searchesOf(log);
  ASSERT_EQ(searches.size(), 3u);
  EXPECT_EQ(searches[0].pareto, (std::vector<size_t>{1})); // higher second objective wins
  EXPECT_EQ(searches[0].evaluations.size(), 2u);
  EXPECT_EQ(searches[1].evaluations.size(), 1u);
  EXPECT_EQ(searches[2].source, "b.mml:9:9");
}

TEST(SearchPlots, NoFeasibleEvaluationMeansNoBest) {
  std::vector<SearchRecord> searches = searchesOf({eval(0, 1, 2, false, 1)});
  ASSERT_EQ(searches.size(), 1u);
  EXPECT_FALSE(searches[0].best);
  EXPECT_TRUE(searches[0].pareto.empty());
  EXPECT_EQ(searchPlots(searches[0]).size(), 2u);
}

TEST(DesignComparison, OneChartPerMetricSomeDesignHas) {
  ComparedDesign p{"P", "parallel branch", "k1", "hls", "", {{"dsp", 40}, {"lut", 9000}}, false, true};
  ComparedDesign q{"Q", "report", "k2", "rtl", "main.report", {{"dsp", 80}, {"accuracy", 0.8}}, true, false};
  std::vector<BarChart> charts = comparisonCharts({p, q});
  ASSERT_EQ(charts.size(), 3u);
  EXPECT_EQ(charts[0].data.at("plot"), "compare-dsp");
  EXPECT_EQ(charts[0].categories, (std::vector<std::string>{"P", "Q *"}));
  EXPECT_TRUE(std::isnan(charts[1].series[0].y[1])); // Q has no lut
  EXPECT_EQ(charts[2].data.at("plot"), "compare-accuracy");
  Table t = comparisonTable({p, q}, "../models");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][3].href, "../models/k1/step.json");
  EXPECT_EQ(t.rows[1][0].text, "Q (this report)");
  EXPECT_EQ(t.headers, (std::vector<std::string>{"design", "found as", "level", "key", "dsp", "lut", "accuracy"}));
  ComparedDesign none{"N", "synth", "k3", "rtl", "", {}, false, false};
  EXPECT_TRUE(comparisonCharts({none}).empty());
}

} // namespace
} // namespace mmlc::report
