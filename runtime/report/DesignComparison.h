// Side-by-side view of a run's designs (parallel branches, reported and synthesised designs).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "report/HtmlDocument.h"
#include "report/SvgPlot.h"

namespace mmlc::report {

struct ComparedDesign {
  std::string label;  // what the flow calls it: a parallel branch label, a report's dir, a call path
  std::string origin; // how the report found it: "parallel branch", "report", "synth", ...
  std::string key, level, path;
  std::map<std::string, double> metrics; // dsp, lut, accuracy, ... (absent: not measurable)
  bool reported = false; // the design of this report
  bool selected = false; // the branch its parallel block selected
};

/// The metrics the comparison shows, in this order: dsp, lut, accuracy, then ff, bram,
/// latency when some design has them.
const std::vector<std::string> &comparedMetrics();

/// One bar chart per metric in {dsp, lut, accuracy} that some design has (data-plot =
/// "compare-<metric>"), categories = design labels.
std::vector<BarChart> comparisonCharts(const std::vector<ComparedDesign> &designs);

/// One row per design; its key links to `modelsHref`/<key>/step.json when `modelsHref` is set.
Table comparisonTable(const std::vector<ComparedDesign> &designs, const std::string &modelsHref);

} // namespace mmlc::report
