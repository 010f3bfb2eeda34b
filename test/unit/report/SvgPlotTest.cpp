// Unit tests of the SVG plots: nice axis ranges and ticks, log axes, escaping, empty and
// non-finite data, bars, and well-formed output.
#include "report/SvgPlot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>

#include "XmlCheck.h"

namespace mmlc::report {
namespace {
using testing::occurrences;
using testing::xmlProblem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(AxisScale, LinearCoversTheDataWithNiceTicks) {
  AxisScale s = linearScale(0.13, 0.87);
  EXPECT_LE(s.lo, 0.13);
  EXPECT_GE(s.hi, 0.87);
  EXPECT_DOUBLE_EQ(s.lo, 0.0);
  EXPECT_NEAR(s.hi, 1.0, 1e-12);
  ASSERT_GE(s.ticks.size(), 3u);
  EXPECT_LE(s.ticks.size(), 6u);
  EXPECT_DOUBLE_EQ(s.ticks.front(), s.lo);
  EXPECT_NEAR(s.ticks.back(), s.hi, 1e-12);
  double step = s.ticks[1] - s.ticks[0];
  double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
  EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
              std::abs(mantissa - 5) < 1e-9)
      << step;
  EXPECT_DOUBLE_EQ(s.fraction(s.lo), 0.0);
  EXPECT_DOUBLE_EQ(s.fraction(s.hi), 1.0);
}

TEST(AxisScale, LinearWithLargeAndNegativeValues) {
  AxisScale s = linearScale(-3, 1234);
  EXPECT_LE(s.lo, -3);
  EXPECT_GE(s.hi, 1234);
  EXPECT_LE(s.ticks.size(), 6u);
  EXPECT_GT(s.hi - s.lo, 1236);
  EXPECT_LT(s.hi - s.lo, 2500); // not widened needlessly
}

TEST(AxisScale, DegenerateAndNonFiniteRanges) {
  AxisScale one = linearScale(5, 5);
  EXPECT_LT(one.lo, 5);
  EXPECT_GT(one.hi, 5);
  AxisScale zero = linearScale(0, 0);
  EXPECT_LT(zero.lo, 0);
  EXPECT_GT(zero.hi, 0);
  AxisScale none = linearScale(kNaN, 1);
  EXPECT_DOUBLE_EQ(none.lo, 0);
  EXPECT_DOUBLE_EQ(none.hi, 1);
  AxisScale reversed = linearScale(10, 2);
  EXPECT_LE(reversed.lo, 2);
  EXPECT_GE(reversed.hi, 10);
}

TEST(AxisScale, LogAxisSnapsToPowersOfTen) {
  AxisScale s = logScale(3, 4000);
  EXPECT_TRUE(s.log);
  EXPECT_DOUBLE_EQ(s.lo, 1);
  EXPECT_DOUBLE_EQ(s.hi, 10000);
  EXPECT_EQ(s.ticks, (std::vector<double>{1, 10, 100, 1000, 10000}));
  EXPECT_NEAR(s.fraction(100), 0.5, 1e-12);

  AxisScale narrow = logScale(0.5, 8); // two decades: 2 and 5 ticks too
  EXPECT_NEAR(narrow.lo, 0.1, 1e-12);
  EXPECT_NEAR(narrow.hi, 10, 1e-12);
  EXPECT_EQ(narrow.ticks.size(), 7u);
  EXPECT_NEAR(narrow.ticks[1], 0.2, 1e-12);

  AxisScale exact = logScale(100, 100); // one value: one decade
  EXPECT_DOUBLE_EQ(exact.lo, 100);
  EXPECT_DOUBLE_EQ(exact.hi, 1000);
}

XyPlot twoSeries() {
  XyPlot p;
  p.title = "accuracy vs rate";
  p.x.label = "rate";
  p.y.label = "accuracy";
  Series a;
  a.name = "feasible";
  a.x = {0, 0.5, 0.75};
  a.y = {0.9, 0.88, 0.86};
  Series b;
  b.name = "infeasible";
  b.style = SeriesStyle::Points;
  b.hollow = true;
  b.x = {0.875};
  b.y = {0.7};
  p.series = {a, b};
  p.data = {{"plot", "tradeoff"}, {"Event", "prune_step"}};
  return p;
}

TEST(SvgPlot, OnePointPerFiniteValueAndWellFormed) {
  std::string svg = renderSvg(twoSeries());
  EXPECT_EQ(xmlProblem(svg), "");
  EXPECT_EQ(occurrences(svg, "<circle class=\"point\""), 4u);
  EXPECT_EQ(occurrences(svg, "<g class=\"series\""), 2u);
  EXPECT_NE(svg.find("data-series=\"feasible\""), std::string::npos);
  EXPECT_NE(svg.find("data-plot=\"tradeoff\""), std::string::npos);
  EXPECT_NE(svg.find("data-event=\"prune_step\""), std::string::npos); // names lower-cased
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_EQ(svg.find("http"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
}

TEST(SvgPlot, PerPointHollowMarkers) {
  XyPlot p;
  Series s;
  s.name = "accuracy";
  s.x = {0, 1, 2};
  s.y = {0.9, 0.8, 0.7};
  s.hollowAt = {false, true};
  p.series = {s};
  std::string svg = renderSvg(p);
  EXPECT_EQ(occurrences(svg, "class=\"point\""), 3u);
  EXPECT_EQ(occurrences(svg, "r=\"3.5\" fill=\"#fff\""), 1u); // the legend's marker is filled
}

TEST(SvgPlot, PointsLieInsideThePlotArea) {
  XyPlot p = twoSeries();
  p.width = 600;
  p.height = 340;
  std::string svg = renderSvg(p);
  std::regex circle("<circle class=\"point\" cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"");
  size_t n = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator();
       ++it, ++n) {
    double cx = std::stod((*it)[1]), cy = std::stod((*it)[2]);
    EXPECT_GE(cx, 64);
    EXPECT_LE(cx, 600 - 12 - 150);
    EXPECT_GE(cy, 34);
    EXPECT_LE(cy, 340 - 44);
  }
  EXPECT_EQ(n, 4u);
}

TEST(SvgPlot, EscapesEveryText) {
  XyPlot p;
  p.title = "a<b & \"c\" 'd'";
  p.x.label = "x</text><script>alert(1)</script>";
  p.y.label = "y&";
  Series s;
  s.name = "<g onload=\"evil\">";
  s.x = {1, 2};
  s.y = {3, 4};
  s.tips = {"tip <1>", ""};
  p.series = {s};
  p.data = {{"source", "f.mml:\"1\":2"}};
  std::string svg = renderSvg(p);
  EXPECT_EQ(xmlProblem(svg), "") << svg;
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<g onload"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot; &#39;d&#39;"), std::string::npos);
  EXPECT_NE(svg.find("tip &lt;1&gt;"), std::string::npos);
}

TEST(SvgPlot, EmptyAndNonFiniteSeriesShowNoData) {
  XyPlot p;
  p.title = "nothing";
  Series empty;
  empty.name = "empty";
  Series nan;
  nan.name = "nan";
  nan.x = {1, 2};
  nan.y = {kNaN, std::numeric_limits<double>::infinity()};
  p.series = {empty, nan};
  std::string svg = renderSvg(p);
  EXPECT_EQ(xmlProblem(svg), "");
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(occurrences(svg, "<circle class=\"point\""), 0u);

  XyPlot none;
  none.title = "no series";
  EXPECT_EQ(xmlProblem(renderSvg(none)), "");
  EXPECT_NE(renderSvg(none).find("no data"), std::string::npos);
}

TEST(SvgPlot, LineBreaksAtMissingValuesAndLogAxisDropsNonPositive) {
  XyPlot p;
  p.y.log = true;
  Series s;
  s.name = "dsp";
  s.x = {1, 2, 3, 4, 5};
  s.y = {100, 10, kNaN, 0, 1000};
  p.series = {s};
  std::string svg = renderSvg(p);
  EXPECT_EQ(xmlProblem(svg), "");
  EXPECT_EQ(occurrences(svg, "<circle class=\"point\""), 3u);
  EXPECT_EQ(occurrences(svg, "<polyline"), 1u); // 1-2 joined; 5 stands alone
  EXPECT_NE(svg.find(">1000<"), std::string::npos); // a power-of-ten tick
}

TEST(SvgPlot, LineStyleHasNoMarkersAndStepsStaysFlatBetweenPoints) {
  XyPlot p;
  Series line;
  line.name = "baseline";
  line.style = SeriesStyle::Line;
  line.x = {0, 1};
  line.y = {0.5, 0.5};
  Series steps;
  steps.name = "best";
  steps.style = SeriesStyle::Steps;
  steps.x = {1, 2};
  steps.y = {3, 1};
  p.series = {line, steps};
  std::string svg = renderSvg(p);
  EXPECT_EQ(occurrences(svg, "<circle class=\"point\""), 0u);
  std::regex poly("<polyline[^>]*points=\"([^\"]*)\"");
  std::vector<size_t> counts;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), poly); it != std::sregex_iterator(); ++it)
    counts.push_back(occurrences((*it)[1].str(), ",") );
  EXPECT_EQ(counts, (std::vector<size_t>{2, 3})); // the step adds a corner
}

TEST(BarChart, OneBarPerValueAndMissingOnesMarked) {
  BarChart c;
  c.title = "DSP per design";
  c.y.label = "dsp";
  c.categories = {"P", "Q & <S>", "SPQ"};
  Series s;
  s.name = "dsp";
  s.y = {120, kNaN, 40};
  c.series = {s};
  c.data = {{"plot", "compare-dsp"}};
  std::string svg = renderSvg(c);
  EXPECT_EQ(xmlProblem(svg), "") << svg;
  EXPECT_EQ(occurrences(svg, "<rect class=\"bar\""), 2u);
  EXPECT_EQ(occurrences(svg, ">n/a<"), 1u);
  EXPECT_NE(svg.find("Q &amp; &lt;S&gt;"), std::string::npos);
  EXPECT_NE(svg.find("data-plot=\"compare-dsp\""), std::string::npos);
  // Bars start at zero: the taller bar is the larger value.
  std::regex bar("<rect class=\"bar\" data-category=\"[^\"]*\" x=\"[0-9.]+\" y=\"[0-9.]+\" "
                 "width=\"[0-9.]+\" height=\"([0-9.]+)\"");
  std::vector<double> heights;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it)
    heights.push_back(std::stod((*it)[1]));
  ASSERT_EQ(heights.size(), 2u);
  EXPECT_NEAR(heights[0] / heights[1], 3.0, 0.05);
}

TEST(BarChart, GroupedSeriesGetALegendAndEmptyChartsSayNoData) {
  BarChart c;
  c.categories = {"a", "b"};
  Series s1, s2;
  s1.name = "dsp";
  s1.y = {1, 2};
  s2.name = "lut";
  s2.y = {3, 4};
  c.series = {s1, s2};
  std::string svg = renderSvg(c);
  EXPECT_EQ(occurrences(svg, "<rect class=\"bar\""), 4u);
  EXPECT_NE(svg.find("class=\"legend\""), std::string::npos);

  BarChart empty;
  empty.title = "empty";
  EXPECT_EQ(xmlProblem(renderSvg(empty)), "");
  EXPECT_NE(renderSvg(empty).find("no data"), std::string::npos);
}

} // namespace
} // namespace mmlc::report
