// Bar charts and a table comparing the designs of a run.
#include "report/DesignComparison.h"

#include <limits>

namespace mmlc::report {

const std::vector<std::string> &comparedMetrics() {
  static const std::vector<std::string> names{"dsp", "lut", "accuracy", "ff", "bram", "latency"};
  return names;
}

namespace {
double metricOf(const ComparedDesign &d, const std::string &name) {
  auto it = d.metrics.find(name);
  return it == d.metrics.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

std::string labelOf(const ComparedDesign &d) {
  return d.label + (d.reported ? " *" : "");
}
} // namespace

std::vector<BarChart> comparisonCharts(const std::vector<ComparedDesign> &designs) {
  std::vector<BarChart> charts;
  struct Shown { const char *metric, *title; };
  for (Shown shown : {Shown{"dsp", "DSP per design"}, Shown{"lut", "LUT per design"},
                      Shown{"accuracy", "Accuracy per design"}}) {
    std::string metric = shown.metric;
    BarChart chart;
    chart.title = shown.title;
    chart.y.label = metric;
    if (metric == "accuracy")
      chart.y.max = 1.0;
    Series s;
    s.name = metric;
    bool any = false;
    for (const ComparedDesign &d : designs) {
      chart.categories.push_back(labelOf(d));
      s.y.push_back(metricOf(d, metric));
      any = any || d.metrics.count(metric);
    }
    if (!any)
      continue;
    chart.series.push_back(std::move(s));
    chart.data = {{"plot", "compare-" + metric}};
    chart.width = 420;
    charts.push_back(std::move(chart));
  }
  return charts;
}

Table comparisonTable(const std::vector<ComparedDesign> &designs, const std::string &modelsHref) {
  Table t;
  t.cssClass = "compare";
  t.headers = {"design", "found as", "level", "key"};
  std::vector<std::string> shown;
  for (const std::string &m : comparedMetrics())
    for (const ComparedDesign &d : designs)
      if (d.metrics.count(m)) {
        shown.push_back(m);
        break;
      }
  t.headers.insert(t.headers.end(), shown.begin(), shown.end());
  for (const ComparedDesign &d : designs) {
    std::vector<Cell> row;
    std::string notes = d.reported ? " (this report)" : d.selected ? " (selected)" : "";
    row.emplace_back(d.label + notes);
    row.emplace_back(d.origin + (d.path.empty() ? "" : " " + d.path));
    row.emplace_back(d.level);
    Cell key(d.key.substr(0, 12));
    key.tip = d.key;
    if (!modelsHref.empty())
      key.href = modelsHref + "/" + d.key + "/step.json";
    row.push_back(key);
    for (const std::string &m : shown)
      row.push_back(Cell::number(metricOf(d, m)));
    t.rows.push_back(std::move(row));
  }
  return t;
}

} // namespace mmlc::report
