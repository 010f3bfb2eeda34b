// SVG plots for run reports: line/scatter plots and bar charts with axes, ticks and a legend.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mmlc::report {

/// The visible range of an axis and where its ticks are.
struct AxisScale {
  double lo = 0, hi = 1;
  bool log = false;
  std::vector<double> ticks;
  /// Where `value` lies between lo (0) and hi (1); values outside give < 0 or > 1.
  double fraction(double value) const;
};

/// A linear axis covering [lo, hi], widened to "nice" tick steps (1, 2 or 5 times a power of
/// ten) with at most `maxTicks` ticks. A single value (lo == hi) is widened around it;
/// non-finite ends give [0, 1]. With `integer`, ticks are whole numbers (counts: epochs, steps).
AxisScale linearScale(double lo, double hi, int maxTicks = 6, bool integer = false);
/// A log10 axis covering [lo, hi] (both > 0), widened to powers of ten; ticks at the powers,
/// and also at 2 and 5 times them when the axis spans at most two decades.
AxisScale logScale(double lo, double hi);

struct Axis {
  std::string label;
  bool log = false;               // log10 scale; values <= 0 are left out
  bool integer = false;           // whole-number ticks (steps, epochs, evaluations)
  std::optional<double> min, max; // the axis covers at least these (e.g. 0 and 1 for accuracies)
};

enum class SeriesStyle { Line, Points, LinePoints, Steps };

/// One named series. In bar charts `y` holds one value per category and `x` is unused.
struct Series {
  std::string name;
  std::vector<double> x, y;
  SeriesStyle style = SeriesStyle::LinePoints;
  bool hollow = false; // hollow markers (e.g. infeasible points)
  std::vector<bool> hollowAt; // per point: hollow marker (points beyond its size: `hollow`)
  bool dashed = false; // dashed line (e.g. a reference level)
  /// Optional per-point tooltip (shown by browsers on hover); default "x, y".
  std::vector<std::string> tips;
};

/// A line/scatter plot. Non-finite points are left out (lines break there); a plot without
/// any point shows its frame and "no data".
struct XyPlot {
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  /// Extra attributes of the <svg> element, named without the "data-" prefix (e.g. "plot" →
  /// data-plot="..."), so tests and readers can find a plot.
  std::map<std::string, std::string> data;
  int width = 600, height = 340;
};

/// Grouped bars: one group per category, one bar per series in each group. Missing values
/// (NaN) draw no bar and are labelled "n/a".
struct BarChart {
  std::string title;
  Axis y;
  std::vector<std::string> categories;
  std::vector<Series> series;
  std::map<std::string, std::string> data;
  int width = 600, height = 340;
};

/// The plot as an <svg class="plot"> element (no scripts, no external references). Each
/// series is a <g class="series" data-series="NAME">; each point a <circle class="point">,
/// each bar a <rect class="bar">, each with a <title> tooltip. All text is escaped.
std::string renderSvg(const XyPlot &plot);
std::string renderSvg(const BarChart &chart);

/// The colour of the i-th series (a fixed qualitative palette, repeating after 10).
const char *seriesColour(size_t index);

} // namespace mmlc::report
