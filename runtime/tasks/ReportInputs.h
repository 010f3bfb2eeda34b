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
  /// The design's synthesis result (what `synth` gave: a vendor report or an estimate with its
  /// band, capacity and calibration); absent for a design the run does not hold.
  std::optional<hls::SynthMetrics> synthesis;
};

/// How sure the figures are: "estimated" or "synthesised", the band of each resource and of the
/// latency, the device's capacity, what does not fit, and the model and calibration used. One
/// row per resource: {name, value, lo, hi, available}.
struct CapacityRow {
  std::string name;
  double value = 0, lo = 0, hi = 0;
  long available = 0;
  bool hasBand = false;
};
std::vector<CapacityRow> capacityRows(const hls::SynthMetrics &m);
/// "12,288": a count with thousands separators.
std::string groupedNumber(double value);
/// The headline of the design's figures: "Estimated — not synthesised. ..." or "Synthesised by ...".
std::string certaintyHeadline(const hls::SynthMetrics &m);
/// "DSP 67,602 of 12,288 (550%)" for each resource over the device's capacity, "; "-separated;
/// empty when everything fits.
std::string overCapacityText(const hls::SynthMetrics &m);

/// The page: design metrics, flow, lineage, plots of the lineage's events, compared designs,
/// searches (docs/reports.md).
std::string reportHtml(TaskContext &ctx, const ReportInputs &in);

/// Steps' metrics as "name=value, ..." (value printed like report.md's table).
std::string metricsText(const std::map<std::string, double> &metrics);

} // namespace mmlc::tasks
