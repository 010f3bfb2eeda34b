// What the `report` task knows when it writes its files: the design, the run's flow and the
// design's lineage (ReportTask.cpp gathers them, ReportHtml.cpp writes report.html).
#pragma once

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/RunLog.h"
#include "tasks/TaskContext.h"

namespace mmlc::tasks {

/// A step of the flow with its committed record (what step.json says; the log's view otherwise).
struct FlowRow {
  report::FlowStep step;
  std::optional<flow::StepRecord> record;
  const std::map<std::string, double> &metrics() const {
    return record ? record->metrics : step.metrics;
  }
  double seconds() const {
    return std::isfinite(step.seconds) ? step.seconds : record ? record->seconds : step.seconds;
  }
  std::string level() const { return record ? record->level : ""; }
};

struct ReportInputs {
  std::string title, dir;
  flow::Handle design;
  std::map<std::string, double> values; // the design's metrics (report.md's table)
  std::filesystem::path runDir;
  report::RunLog log;
  std::vector<FlowRow> flow;             // the run's steps before this report
  std::vector<flow::StepRecord> lineage; // the design and its ancestors, sources first
  std::string modelsHref;                // models/ relative to the report ("" if unknown)
};

/// The page: design metrics, flow, lineage, plots of the lineage's events, compared designs,
/// searches (docs/reports.md).
std::string reportHtml(TaskContext &ctx, const ReportInputs &in);

/// Steps' metrics as "name=value, ..." (value printed like report.md's table).
std::string metricsText(const std::map<std::string, double> &metrics);

} // namespace mmlc::tasks
