// Turns a step's task events (prune_step, epoch, scale_step, ...) into plots and a table.
#include "report/EventPlots.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mmlc::report {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool ignoredMember(const std::string &name) {
  return name == "event" || name == "time" || name == "path";
}

/// Member names in order of first appearance.
std::vector<std::string> memberNames(const std::vector<const LogEvent *> &events) {
  std::vector<std::string> names;
  for (const LogEvent *e : events)
    for (auto &[name, value] : e->fields.items())
      if (!ignoredMember(name) && std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
  return names;
}

/// True when every event that has the member has a number there (booleans are not numbers).
bool numericMember(const std::vector<const LogEvent *> &events, const std::string &name) {
  bool any = false;
  for (const LogEvent *e : events) {
    auto it = e->fields.find(name);
    if (it == e->fields.end() || it->is_null())
      continue;
    if (!it->is_number())
      return false;
    any = true;
  }
  return any;
}

std::vector<double> valuesOf(const std::vector<const LogEvent *> &events, const std::string &name) {
  std::vector<double> v;
  for (const LogEvent *e : events)
    v.push_back(e->number(name));
  return v;
}

bool allWithin01(const std::vector<double> &v) {
  return std::all_of(v.begin(), v.end(),
                     [](double x) { return !std::isfinite(x) || (x >= 0 && x <= 1); });
}

/// Log scale pays off when positive values span more than two decades.
bool wantsLog(const std::vector<std::vector<double>> &columns) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto &c : columns)
    for (double x : c) {
      if (!std::isfinite(x))
        continue;
      if (x <= 0)
        return false;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  return hi > 0 && hi / lo > 100;
}

std::string joined(const std::vector<std::string> &names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + names[i];
  return out;
}
} // namespace

std::string eventKindTitle(const std::string &kind) {
  if (kind == "prune_step")
    return "Auto-pruning";
  if (kind == "scale_step")
    return "Scaling";
  if (kind == "quantize_step")
    return "Quantization";
  if (kind == "epoch")
    return "Training";
  return kind;
}

std::vector<XyPlot> eventPlots(const std::string &kind,
                               const std::vector<const LogEvent *> &events) {
  std::vector<XyPlot> plots;
  if (events.empty())
    return plots;
  std::vector<std::string> names = memberNames(events);

  std::string xName;
  for (const char *candidate : {"step", "epoch", "iteration", "evaluation"}) {
    std::vector<double> v = valuesOf(events, candidate);
    if (std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); })) {
      xName = candidate;
      break;
    }
  }
  std::vector<double> x;
  if (xName.empty())
    for (size_t i = 0; i < events.size(); ++i)
      x.push_back(static_cast<double>(i + 1));
  else
    x = valuesOf(events, xName);
  std::string xLabel = xName.empty() ? "event" : xName;
  bool integerX = std::all_of(x.begin(), x.end(), [](double v) { return v == std::floor(v); });

  std::vector<std::string> fractions, magnitudes;
  for (const std::string &name : names) {
    if (name == xName || !numericMember(events, name))
      continue;
    (allWithin01(valuesOf(events, name)) ? fractions : magnitudes).push_back(name);
  }
  std::string title = eventKindTitle(kind);
  // Steps a task judged infeasible (`feasible: false`) get hollow markers in every plot.
  std::vector<bool> infeasibleAt;
  bool splitFeasible = false;
  for (const LogEvent *e : events) {
    auto it = e->fields.find("feasible");
    bool known = it != e->fields.end() && it->is_boolean();
    splitFeasible = splitFeasible || known;
    infeasibleAt.push_back(known && !it->get<bool>());
  }

  auto progress = [&](const std::vector<std::string> &members, const char *plotKind) {
    XyPlot p;
    p.title = title + ": " + joined(members) + " per " + xLabel;
    p.x.label = xLabel;
    p.x.integer = integerX;
    p.y.label = members.size() == 1 ? members.front() : "value";
    std::vector<std::vector<double>> columns;
    for (const std::string &m : members) {
      Series s;
      s.name = m;
      if (m == "baseline") { // a reference level, not a measurement per step
        s.style = SeriesStyle::Line;
        s.dashed = true;
      }
      s.x = x;
      s.y = valuesOf(events, m);
      if (splitFeasible)
        s.hollowAt = infeasibleAt;
      for (size_t i = 0; i < s.y.size(); ++i)
        s.tips.push_back(m + " " + formatNumber(s.y[i]) + " at " + xLabel + " " +
                         formatNumber(x[i]) + (infeasibleAt[i] ? " (infeasible)" : ""));
      columns.push_back(s.y);
      p.series.push_back(std::move(s));
    }
    p.y.log = std::string(plotKind) == "progress-magnitude" && wantsLog(columns);
    p.data = {{"event", kind}, {"plot", plotKind}};
    plots.push_back(std::move(p));
  };
  if (!fractions.empty())
    progress(fractions, "progress");
  if (!magnitudes.empty())
    progress(magnitudes, "progress-magnitude");

  if (!numericMember(events, "accuracy"))
    return plots;
  std::vector<double> accuracy = valuesOf(events, "accuracy");
  double baseline = kNaN;
  if (numericMember(events, "baseline")) {
    std::vector<double> b = valuesOf(events, "baseline");
    auto first = std::find_if(b.begin(), b.end(), [](double v) { return std::isfinite(v); });
    bool constant = std::all_of(b.begin(), b.end(),
                                [&](double v) { return !std::isfinite(v) || v == *first; });
    if (constant)
      baseline = *first;
  }
  int made = 0;
  for (const std::string &name : names) {
    if (made == 4)
      break;
    if (name == xName || name == "accuracy" || name == "baseline" || !numericMember(events, name))
      continue;
    ++made;
    std::vector<double> v = valuesOf(events, name);
    XyPlot p;
    p.title = title + ": accuracy vs " + name;
    p.x.label = name;
    p.y.label = "accuracy";
    p.x.log = std::find(magnitudes.begin(), magnitudes.end(), name) != magnitudes.end() &&
              wantsLog({v});
    Series feasible, infeasible;
    feasible.name = splitFeasible ? "feasible" : "accuracy";
    infeasible.name = "infeasible";
    feasible.style = infeasible.style = SeriesStyle::Points;
    infeasible.hollow = true;
    for (size_t i = 0; i < events.size(); ++i) {
      bool isFeasible = !infeasibleAt[i];
      Series &s = isFeasible ? feasible : infeasible;
      s.x.push_back(v[i]);
      s.y.push_back(accuracy[i]);
      s.tips.push_back(xLabel + " " + formatNumber(x[i]) + ": " + name + " " + formatNumber(v[i]) +
                       ", accuracy " + formatNumber(accuracy[i]) +
                       (splitFeasible ? (isFeasible ? " (feasible)" : " (infeasible)") : ""));
    }
    p.series.push_back(std::move(feasible));
    if (splitFeasible)
      p.series.push_back(std::move(infeasible));
    if (std::isfinite(baseline)) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (double value : v)
        if (std::isfinite(value) && (!p.x.log || value > 0))
          lo = std::min(lo, value), hi = std::max(hi, value);
      if (lo <= hi) {
        Series b;
        b.name = "baseline";
        b.style = SeriesStyle::Line;
        b.dashed = true;
        b.x = {lo, hi};
        b.y = {baseline, baseline};
        p.series.push_back(std::move(b));
      }
    }
    p.data = {{"event", kind}, {"plot", "tradeoff"}, {"x", name}};
    plots.push_back(std::move(p));
  }
  return plots;
}

Table eventTable(const std::vector<const LogEvent *> &events) {
  Table t;
  t.cssClass = "events";
  t.headers = memberNames(events);
  for (const LogEvent *e : events) {
    std::vector<Cell> row;
    for (const std::string &name : t.headers) {
      auto it = e->fields.find(name);
      if (it == e->fields.end())
        row.emplace_back("");
      else if (it->is_number())
        row.push_back(Cell::number(it->get<double>()));
      else if (it->is_string())
        row.emplace_back(it->get<std::string>());
      else
        row.emplace_back(it->dump());
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

} // namespace mmlc::report
