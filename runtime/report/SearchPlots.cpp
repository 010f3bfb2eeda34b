// Reads `search_eval` events into searches and draws their history and Pareto front.
#include "report/SearchPlots.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dse/Pareto.h"

namespace mmlc::report {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> strings(const nlohmann::ordered_json &j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto &v : j)
      out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

double number(const nlohmann::ordered_json &j) {
  return j.is_number() ? j.get<double>() : kNaN;
}

bool maximized(const SearchRecord &s, size_t k) {
  return k < s.directions.size() && s.directions[k] == "maximize";
}

void analyse(SearchRecord &s) {
  std::vector<std::vector<double>> points; // minimised form, feasible evaluations only
  std::vector<size_t> feasibleIndex;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < s.evaluations.size(); ++i) {
    const SearchEvaluation &e = s.evaluations[i];
    bool complete = !e.objectives.empty() &&
                    std::all_of(e.objectives.begin(), e.objectives.end(),
                                [](double v) { return std::isfinite(v); });
    if (e.feasible && complete) {
      std::vector<double> p;
      for (size_t k = 0; k < e.objectives.size(); ++k)
        p.push_back(maximized(s, k) ? -e.objectives[k] : e.objectives[k]);
      if (p.front() < best) { // strictly better: ties keep the first, as the interpreter does
        best = p.front();
        s.best = i;
      }
      points.push_back(std::move(p));
      feasibleIndex.push_back(i);
    }
    s.bestSoFar.push_back(s.best ? s.evaluations[*s.best].objectives.front() : kNaN);
  }
  // Evaluations that did not measure every objective cannot be compared.
  size_t width = s.objectiveNames.size();
  std::vector<std::vector<double>> comparable;
  std::vector<size_t> comparableIndex;
  for (size_t j = 0; j < points.size(); ++j)
    if (points[j].size() == width) {
      comparable.push_back(points[j]);
      comparableIndex.push_back(feasibleIndex[j]);
    }
  for (size_t j : dse::paretoFront(comparable))
    s.pareto.push_back(comparableIndex[j]);
  std::sort(s.pareto.begin(), s.pareto.end());
}

std::string objectiveLabel(const SearchRecord &s, size_t k) {
  std::string name = k < s.objectiveNames.size() ? s.objectiveNames[k] : "objective " + std::to_string(k + 1);
  return name + (maximized(s, k) ? " (maximize)" : " (minimize)");
}

std::string paramsText(const SearchEvaluation &e) {
  std::string out;
  for (auto &[name, value] : e.params.items())
    out += (out.empty() ? "" : ", ") + name + "=" +
           (value.is_number() ? formatNumber(value.get<double>())
                              : value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

bool positiveAndWide(const std::vector<double> &v) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double x : v)
    if (std::isfinite(x)) {
      if (x <= 0)
        return false;
      lo = std::min(lo, x), hi = std::max(hi, x);
    }
  return hi > 0 && hi / lo > 100;
}
} // namespace

std::vector<SearchRecord> searchesOf(const std::vector<LogEvent> &events) {
  std::vector<SearchRecord> searches;
  for (const LogEvent &event : events) {
    if (event.kind != "search_eval")
      continue;
    const auto &f = event.fields;
    std::string source = event.text("source"), strategy = event.text("strategy");
    double index = event.number("evaluation");
    bool startsNew = searches.empty() || searches.back().source != source ||
                     searches.back().strategy != strategy || index == 0;
    if (startsNew) {
      SearchRecord s;
      s.source = source;
      s.strategy = strategy;
      searches.push_back(std::move(s));
    }
    SearchRecord &s = searches.back();
    SearchEvaluation e;
    e.index = std::isfinite(index) && index >= 0 ? static_cast<size_t>(index) : s.evaluations.size();
    if (auto p = f.find("params"); p != f.end() && p->is_object())
      e.params = *p;
    for (auto &[name, value] : e.params.items())
      if (std::find(s.paramNames.begin(), s.paramNames.end(), name) == s.paramNames.end())
        s.paramNames.push_back(name);
    if (auto o = f.find("objectives"); o != f.end() && o->is_array())
      for (const auto &v : *o)
        e.objectives.push_back(number(v));
    if (auto c = f.find("constraints"); c != f.end() && c->is_array())
      for (const auto &v : *c)
        e.constraints.push_back(v.is_boolean() && v.get<bool>());
    auto feasible = f.find("feasible");
    e.feasible = feasible != f.end() && feasible->is_boolean() && feasible->get<bool>();
    e.result = event.text("result");
    e.resultType = event.text("result_type");
    if (s.objectiveNames.empty()) {
      if (auto n = f.find("objective_names"); n != f.end())
        s.objectiveNames = strings(*n);
      if (auto d = f.find("directions"); d != f.end())
        s.directions = strings(*d);
      if (auto n = f.find("constraint_names"); n != f.end())
        s.constraintNames = strings(*n);
    }
    s.evaluations.push_back(std::move(e));
  }
  for (SearchRecord &s : searches) {
    while (s.objectiveNames.size() < (s.evaluations.empty() ? 0 : s.evaluations.front().objectives.size()))
      s.objectiveNames.push_back("objective " + std::to_string(s.objectiveNames.size() + 1));
    analyse(s);
  }
  return searches;
}

std::vector<XyPlot> searchPlots(const SearchRecord &s) {
  std::vector<XyPlot> plots;
  if (s.evaluations.empty() || s.objectiveNames.empty())
    return plots;
  XyPlot history;
  history.title = "Search history: " + objectiveLabel(s, 0);
  history.x.label = "evaluation";
  history.x.integer = true;
  history.y.label = s.objectiveNames.front();
  Series feasible, infeasible, best;
  feasible.name = "feasible";
  infeasible.name = "infeasible";
  best.name = "best so far";
  feasible.style = infeasible.style = SeriesStyle::Points;
  infeasible.hollow = true;
  best.style = SeriesStyle::Steps;
  std::vector<double> all;
  for (size_t i = 0; i < s.evaluations.size(); ++i) {
    const SearchEvaluation &e = s.evaluations[i];
    double v = e.objectives.empty() ? kNaN : e.objectives.front();
    all.push_back(v);
    Series &target = e.feasible ? feasible : infeasible;
    target.x.push_back(static_cast<double>(e.index + 1));
    target.y.push_back(v);
    target.tips.push_back("evaluation " + std::to_string(e.index + 1) + ": " +
                          s.objectiveNames.front() + " " + formatNumber(v) + " (" +
                          paramsText(e) + ")" + (e.feasible ? "" : ", infeasible"));
    best.x.push_back(static_cast<double>(e.index + 1));
    best.y.push_back(s.bestSoFar[i]);
  }
  history.y.log = positiveAndWide(all);
  history.series = {std::move(feasible), std::move(infeasible), std::move(best)};
  history.data = {{"plot", "search-history"}, {"source", s.source}};
  plots.push_back(std::move(history));

  if (s.objectiveNames.size() < 2)
    return plots;
  XyPlot pareto;
  pareto.title = "Pareto front: " + s.objectiveNames[0] + " vs " + s.objectiveNames[1];
  pareto.x.label = objectiveLabel(s, 0);
  pareto.y.label = objectiveLabel(s, 1);
  Series feasiblePoints, infeasiblePoints, front;
  feasiblePoints.name = "feasible";
  infeasiblePoints.name = "infeasible";
  front.name = "Pareto front";
  feasiblePoints.style = infeasiblePoints.style = SeriesStyle::Points;
  infeasiblePoints.hollow = true;
  std::vector<double> xs, ys;
  for (const SearchEvaluation &e : s.evaluations) {
    double x = e.objectives.size() > 0 ? e.objectives[0] : kNaN;
    double y = e.objectives.size() > 1 ? e.objectives[1] : kNaN;
    xs.push_back(x);
    ys.push_back(y);
    Series &target = e.feasible ? feasiblePoints : infeasiblePoints;
    target.x.push_back(x);
    target.y.push_back(y);
    target.tips.push_back("evaluation " + std::to_string(e.index + 1) + ": " + formatNumber(x) +
                          ", " + formatNumber(y) + " (" + paramsText(e) + ")");
  }
  std::vector<size_t> order = s.pareto;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return s.evaluations[a].objectives[0] < s.evaluations[b].objectives[0];
  });
  for (size_t i : order) {
    const SearchEvaluation &e = s.evaluations[i];
    front.x.push_back(e.objectives[0]);
    front.y.push_back(e.objectives[1]);
    front.tips.push_back("Pareto-optimal, evaluation " + std::to_string(e.index + 1) + ": " +
                         formatNumber(e.objectives[0]) + ", " + formatNumber(e.objectives[1]) +
                         " (" + paramsText(e) + ")");
  }
  pareto.x.log = positiveAndWide(xs);
  pareto.y.log = positiveAndWide(ys);
  pareto.series = {std::move(feasiblePoints), std::move(infeasiblePoints), std::move(front)};
  pareto.data = {{"plot", "search-pareto"}, {"source", s.source}};
  plots.push_back(std::move(pareto));
  return plots;
}

Table searchTable(const SearchRecord &s) {
  Table t;
  t.cssClass = "search";
  t.headers.push_back("#");
  for (const std::string &p : s.paramNames)
    t.headers.push_back(p);
  for (size_t k = 0; k < s.objectiveNames.size(); ++k)
    t.headers.push_back(objectiveLabel(s, k));
  size_t constraints = 0;
  for (const SearchEvaluation &e : s.evaluations)
    constraints = std::max(constraints, e.constraints.size());
  for (size_t k = 0; k < constraints; ++k)
    t.headers.push_back(k < s.constraintNames.size() ? s.constraintNames[k]
                                                     : "require " + std::to_string(k + 1));
  t.headers.insert(t.headers.end(), {"feasible", "Pareto", "best"});
  for (size_t i = 0; i < s.evaluations.size(); ++i) {
    const SearchEvaluation &e = s.evaluations[i];
    std::vector<Cell> row;
    Cell index = Cell::number(static_cast<double>(e.index + 1));
    row.push_back(index);
    for (const std::string &p : s.paramNames) {
      auto it = e.params.find(p);
      if (it == e.params.end())
        row.emplace_back("");
      else if (it->is_number())
        row.push_back(Cell::number(it->get<double>()));
      else
        row.emplace_back(it->is_string() ? it->get<std::string>() : it->dump());
    }
    for (size_t k = 0; k < s.objectiveNames.size(); ++k)
      row.push_back(Cell::number(k < e.objectives.size() ? e.objectives[k] : kNaN));
    for (size_t k = 0; k < constraints; ++k)
      row.emplace_back(k < e.constraints.size() ? (e.constraints[k] ? "yes" : "no") : "");
    row.emplace_back(e.feasible ? "yes" : "no");
    row.emplace_back(std::binary_search(s.pareto.begin(), s.pareto.end(), i) ? "yes" : "");
    row.emplace_back(s.best && *s.best == i ? "best" : "");
    t.rows.push_back(std::move(row));
  }
  return t;
}

} // namespace mmlc::report
