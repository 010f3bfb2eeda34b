// report.html: the design, the flow, the lineage with every model's metrics, plots of what the
// lineage's steps logged, the run's designs compared and its searches (docs/reports.md).
#include "tasks/ReportInputs.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "mml/Support/MetricTable.h"
#include "report/DesignComparison.h"
#include "report/EventPlots.h"
#include "report/HtmlDocument.h"
#include "report/SearchPlots.h"
#include "report/SvgPlot.h"

namespace mmlc::tasks {
using report::Cell;

namespace {
/// The metrics the report computes for a model of each level when its step did not record
/// them (the language's metric table), leaving out the C simulation: it compiles the project.
std::vector<std::string> levelMetrics(const std::string &level) {
  std::vector<std::string> names;
  if (const mml::MetricLevel *l = mml::metricLevel(level); l && !l->open())
    for (const mml::MetricInfo &m : *l)
      if (m.source != mml::MetricSource::CSim)
        names.emplace_back(m.name);
  return names;
}

/// A model's recorded metrics completed with those the run can compute for its level
/// (`only`: restrict to these names). Metrics a model cannot give (an untrained network's
/// accuracy, a model not made in this run) are left out.
std::map<std::string, double> measure(TaskContext &ctx, const std::string &key,
                                      const std::string &level,
                                      const std::map<std::string, double> &recorded,
                                      const std::vector<std::string> *only = nullptr) {
  std::map<std::string, double> metrics;
  for (const auto &[name, value] : recorded)
    if (!only || std::find(only->begin(), only->end(), name) != only->end())
      metrics[name] = value;
  for (const std::string &name : levelMetrics(level)) {
    if (metrics.count(name) || (only && std::find(only->begin(), only->end(), name) == only->end()))
      continue;
    try {
      metrics[name] = ctx.metric(flow::Handle{level, key}, name);
    } catch (const std::exception &) {
      // not measurable for this model: shown as absent
    }
  }
  return metrics;
}

/// A string parameter as step.json records it (described, in quotes) back to its text.
std::string unquoted(const std::string &described) {
  if (described.size() >= 2 && described.front() == '"' && described.back() == '"')
    return described.substr(1, described.size() - 2);
  return described;
}

/// Parameters of a step; handles (type:key) shortened to type:key-prefix.
std::string paramsText(const std::map<std::string, std::string> &params) {
  std::string out;
  for (const auto &[name, value] : params) {
    std::string shown = value;
    size_t colon = value.find(':');
    if (colon != std::string::npos && value.size() - colon - 1 == 32 &&
        value.find_first_not_of("0123456789abcdef", colon + 1) == std::string::npos)
      shown = value.substr(0, colon + 9);
    out += (out.empty() ? "" : ", ") + name + "=" + shown;
  }
  return out;
}

/// A number with 3 significant digits (times, percentages): what a reader compares at a glance.
Cell roughly(double value, const std::string &unit = "") {
  if (!std::isfinite(value))
    return Cell("n/a");
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  Cell c(buffer + unit);
  c.numeric = true;
  return c;
}

Cell keyCell(const std::string &key, const std::string &modelsHref) {
  Cell c(key.substr(0, 12));
  c.tip = key;
  if (!modelsHref.empty())
    c.href = modelsHref + "/" + key + "/step.json";
  return c;
}

constexpr size_t kMaxComparedDesigns = 24;

/// The designs of the run worth comparing (docs/reports.md): parallel branches, the designs
/// of earlier reports, synthesised (rtl) steps outside searches, and this report's design.
std::vector<report::ComparedDesign> designsOf(TaskContext &ctx, const report::RunLog &log,
                                              const std::vector<FlowRow> &flow,
                                              const flow::StepRecord *reported,
                                              const std::string &reportLabel, size_t &leftOut) {
  std::vector<report::ComparedDesign> designs;
  auto find = [&](const std::string &key) -> report::ComparedDesign * {
    for (report::ComparedDesign &d : designs)
      if (d.key == key)
        return &d;
    return nullptr;
  };
  // A design found several ways is named by the most telling one: a report's dir, then a
  // parallel branch label, then the synth step's call path.
  auto rank = [](const std::string &origin) {
    return origin == "this report" ? 3 : origin == "report" ? 2 : origin == "parallel branch" ? 1 : 0;
  };
  auto add = [&](const std::string &key, const std::string &level, const std::string &label,
                 const std::string &origin, const std::string &path) -> report::ComparedDesign & {
    if (report::ComparedDesign *d = find(key)) {
      if (rank(origin) > rank(d->origin)) {
        d->label = label;
        d->origin = origin;
        d->path = path;
      }
      return *d;
    }
    report::ComparedDesign d;
    d.key = key;
    d.level = level;
    d.label = label;
    d.origin = origin;
    d.path = path;
    designs.push_back(std::move(d));
    return designs.back();
  };
  std::set<std::string> searchResults;
  for (const report::LogEvent &e : log.latestRun)
    if (e.kind == "search_eval")
      searchResults.insert(e.text("result"));
  for (const report::LogEvent &e : log.latestRun)
    if (e.kind == "parallel_branch" && !e.text("result").empty()) {
      report::ComparedDesign &d =
          add(e.text("result"), e.text("result_type"), e.text("label"), "parallel branch", "");
      auto selected = e.fields.find("selected");
      d.selected = selected != e.fields.end() && selected->is_boolean() && selected->get<bool>();
    }
  for (const FlowRow &row : flow) {
    if (!row.record)
      continue;
    if (row.step.task == "report" && !row.record->parents.empty()) {
      std::optional<flow::StepRecord> design = ctx.meta.find(row.record->parents.front());
      auto dir = row.record->params.find("dir");
      std::string label = dir == row.record->params.end() ? row.step.path : unquoted(dir->second);
      if (design)
        add(design->key, design->level, label, "report", row.step.path);
    } else if (row.record->level == "rtl" && !searchResults.count(row.step.key)) {
      add(row.step.key, "rtl", row.step.path, "synth", row.step.path);
    }
  }
  if (reported) {
    report::ComparedDesign &d =
        add(reported->key, reported->level, reportLabel, "this report", ctx.call.path);
    d.reported = true;
  }
  // An rtl design made from a listed hls design replaces it (same design, synthesised).
  for (size_t i = 0; i < designs.size(); ++i) {
    if (designs[i].level != "rtl")
      continue;
    std::optional<flow::StepRecord> record = ctx.meta.find(designs[i].key);
    if (!record)
      continue;
    for (const std::string &parent : record->parents) {
      auto it = std::find_if(designs.begin(), designs.end(), [&](const report::ComparedDesign &d) {
        return d.key == parent && d.level == "hls";
      });
      if (it == designs.end())
        continue;
      designs[i].label = designs[i].origin == "synth" ? it->label + " (synth)"
                                                      : designs[i].label + " (" + it->label + ")";
      designs[i].selected = designs[i].selected || it->selected;
      size_t removed = static_cast<size_t>(it - designs.begin());
      designs.erase(it);
      if (removed < i)
        --i;
      break;
    }
  }
  // Labels must tell designs apart in the charts.
  std::map<std::string, int> seen;
  for (report::ComparedDesign &d : designs)
    if (++seen[d.label] > 1)
      d.label += " [" + d.key.substr(0, 6) + "]";
  // Many synthesised steps (e.g. a loop of synth calls) would make the charts unreadable: keep
  // every reported or branch design and the first synthesised ones.
  while (designs.size() > kMaxComparedDesigns) {
    auto last = std::find_if(designs.rbegin(), designs.rend(),
                             [](const report::ComparedDesign &d) { return d.origin == "synth"; });
    if (last == designs.rend())
      break;
    designs.erase(std::next(last).base());
    ++leftOut;
  }
  for (report::ComparedDesign &d : designs) {
    std::optional<flow::StepRecord> record = ctx.meta.find(d.key);
    d.metrics = measure(ctx, d.key, d.level, record ? record->metrics : std::map<std::string, double>{},
                        &report::comparedMetrics());
  }
  return designs;
}

} // namespace

std::string reportHtml(TaskContext &ctx, const ReportInputs &in) {
  const report::RunLog &log = in.log;
  const std::vector<FlowRow> &steps = in.flow;
  const std::vector<flow::StepRecord> &lineage = in.lineage;
  const std::string &modelsHref = in.modelsHref;
  const flow::Handle &r = in.design;
  const flow::StepRecord *reported = lineage.empty() ? nullptr : &lineage.back();

  report::HtmlDocument html(in.title);
  html.paragraph("Design " + r.id + " (" + r.type + ") reported by " + ctx.call.path +
                 " in the run directory " + in.runDir.string() + ".");
  html.link("The same metrics and flow as Markdown: ", "report.md", "report.md");

  html.heading(2, "Design");
  if (in.synthesis) { // estimated or synthesised, the bands, what does not fit (as in report.md)
    const hls::SynthMetrics &m = *in.synthesis;
    std::string headline = certaintyHeadline(m);
    for (size_t at; (at = headline.find("**")) != std::string::npos;)
      headline.erase(at, 2);
    html.paragraph(headline);
    report::Table certainty;
    certainty.headers = {"", m.estimated ? "estimate" : "report"};
    if (m.estimated)
      certainty.headers.push_back("band (lo–hi)");
    certainty.headers.insert(certainty.headers.end(), {(m.part.empty() ? std::string("device") : m.part) + " has", "use"});
    for (const CapacityRow &r : capacityRows(m)) {
      std::vector<Cell> row{Cell(r.name), Cell(groupedNumber(r.value))};
      if (m.estimated)
        row.push_back(r.hasBand ? Cell(groupedNumber(r.lo) + "–" + groupedNumber(r.hi)) : Cell("n/a"));
      const bool known = r.available > 0;
      row.push_back(known ? Cell(groupedNumber(static_cast<double>(r.available))) : Cell(""));
      std::string use;
      if (known) {
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.0f%%", 100.0 * r.value / static_cast<double>(r.available));
        use = std::string(pct) + (r.value > static_cast<double>(r.available) ? " — does not fit" : "");
      }
      row.push_back(Cell(use));
      certainty.rows.push_back(std::move(row));
    }
    html.table(certainty);
    if (const std::string over = overCapacityText(m); !over.empty())
      html.paragraph("Does not fit " + (m.part.empty() ? std::string("the device") : m.part) + ": " + over + ".");
  }
  const flow::StepRecord *device = nullptr;
  for (const flow::StepRecord &s : lineage)
    if (s.level == "device")
      device = &s;
  std::map<std::string, double> capacity;
  if (device)
    capacity = measure(ctx, device->key, "device", device->metrics);
  report::Table design;
  design.headers = {"metric", "value"};
  if (device)
    design.headers.insert(design.headers.end(),
                          {"device " + unquoted(device->params.count("name") ? device->params.at("name") : ""),
                           "use"});
  for (auto &[name, value] : in.values) {
    std::vector<Cell> row{Cell(name), Cell::number(value)};
    if (device) {
      auto c = capacity.find(name);
      bool resource = c != capacity.end() && name != "clock_ns" && c->second > 0;
      row.push_back(resource ? Cell::number(c->second) : Cell(""));
      row.push_back(resource ? roughly(100 * value / c->second, " %") : Cell(""));
    }
    design.rows.push_back(std::move(row));
  }
  html.table(design);

  html.heading(2, "Flow");
  size_t computed = 0;
  for (const FlowRow &row : steps)
    computed += row.step.computed ? 1 : 0;
  html.paragraph(std::to_string(steps.size()) + " steps in this run before this report: " +
                 std::to_string(computed) + " computed, " + std::to_string(steps.size() - computed) +
                 " reused from earlier runs of this directory (log.jsonl holds " +
                 std::to_string(log.runs) + (log.runs == 1 ? " run" : " runs") + ").");
  report::Table flowTable;
  flowTable.cssClass = "flow";
  flowTable.headers = {"#", "path", "task", "level", "status", "key", "time (s)", "metrics"};
  for (size_t i = 0; i < steps.size(); ++i) {
    const FlowRow &row = steps[i];
    flowTable.rows.push_back({Cell::number(static_cast<double>(i + 1)), Cell(row.step.path),
                              Cell(row.step.task), Cell(row.level()),
                              Cell(row.step.computed ? "computed" : "reused"),
                              keyCell(row.step.key, modelsHref), roughly(row.seconds()),
                              Cell(metricsText(row.metrics()))});
  }
  html.table(flowTable);

  html.heading(2, "Lineage");
  html.paragraph("The design and every model it was made from (the parents recorded in each "
                 "step.json), sources first, with the metrics each one gives.");
  report::Table lineageTable;
  lineageTable.cssClass = "lineage";
  lineageTable.headers = {"path", "task", "level", "key", "parameters", "metrics"};
  for (const flow::StepRecord &s : lineage)
    lineageTable.rows.push_back({Cell(s.path), Cell(s.task), Cell(s.level), keyCell(s.key, modelsHref),
                                 Cell(paramsText(s.params)),
                                 Cell(metricsText(measure(ctx, s.key, s.level, s.metrics)))});
  html.table(lineageTable);

  bool anyEvents = false;
  for (const flow::StepRecord &s : lineage)
    anyEvents = anyEvents || !log.eventKindsOf(s.key).empty();
  if (anyEvents) {
    html.heading(2, "Steps of this design");
    html.paragraph("What the steps of the lineage logged while they ran (training curves, "
                   "auto-pruning, scaling and quantization steps, ...).");
    for (const flow::StepRecord &s : lineage) {
      std::vector<std::string> kinds = log.eventKindsOf(s.key);
      if (kinds.empty())
        continue;
      html.heading(3, s.path + " (" + s.task + ")");
      for (const std::string &kind : kinds) {
        std::vector<const report::LogEvent *> events = log.eventsOf(s.key, kind);
        html.beginFigures();
        for (const report::XyPlot &plot : report::eventPlots(kind, events))
          html.figure(report::renderSvg(plot));
        html.endFigures();
        html.beginDetails(std::to_string(events.size()) + " " + kind + " events");
        html.table(report::eventTable(events));
        html.endDetails();
      }
    }
  }

  size_t leftOut = 0;
  std::vector<report::ComparedDesign> designs =
      designsOf(ctx, log, steps, reported, in.dir, leftOut);
  if (designs.size() >= 2) {
    html.heading(2, "Designs compared");
    html.paragraph("The designs of this run so far: parallel branches, the designs of earlier "
                   "reports and synthesised steps outside searches; * marks this report's design. "
                   "HLS-level metrics are estimates.");
    html.beginFigures();
    for (const report::BarChart &chart : report::comparisonCharts(designs))
      html.figure(report::renderSvg(chart));
    html.endFigures();
    html.table(report::comparisonTable(designs, modelsHref));
    if (leftOut > 0)
      html.paragraph(std::to_string(leftOut) + " more synthesised steps are not shown; the flow "
                                               "table lists them with their metrics.");
  }

  for (const report::SearchRecord &search : report::searchesOf(log.latestRun)) {
    html.heading(2, "Search at " + search.source);
    size_t feasible = 0;
    for (const report::SearchEvaluation &e : search.evaluations)
      feasible += e.feasible ? 1 : 0;
    std::string summary = search.strategy + " search: " + std::to_string(search.evaluations.size()) +
                          " evaluations, " + std::to_string(feasible) + " feasible, " +
                          std::to_string(search.pareto.size()) + " on the Pareto front";
    if (search.best)
      summary += "; its result is evaluation " + std::to_string(search.evaluations[*search.best].index + 1);
    html.paragraph(summary + ".");
    html.beginFigures();
    for (const report::XyPlot &plot : report::searchPlots(search))
      html.figure(report::renderSvg(plot));
    html.endFigures();
    html.table(report::searchTable(search));
  }
  if (log.unreadableLines > 0)
    html.paragraph(std::to_string(log.unreadableLines) +
                   " lines of log.jsonl could not be read (e.g. cut short by a killed run) and "
                   "were skipped.");

  return html.str();
}

} // namespace mmlc::tasks
