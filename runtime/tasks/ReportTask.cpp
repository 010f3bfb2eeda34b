// `report`: report.md and report.html of a design (docs/reports.md). This file gathers what
// the report shows — the design's metrics, the run's flow from log.jsonl, the design's lineage
// from step.json — and writes report.md; ReportHtml.cpp writes the page.
#include "tasks/ReportInputs.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace mmlc::tasks {
namespace fs = std::filesystem;

namespace {
/// The metrics of the design table (report.md's table; tests read it).
const std::vector<std::string> kDesignMetrics{"accuracy", "dsp",      "lut",       "ff",
                                              "bram",     "latency",  "ii",        "estimated",
                                              "sparsity", "params",   "nonzero"};

/// The design and every model it was made from (parents in step.json), sources first.
std::vector<flow::StepRecord> lineageOf(const flow::MetaModel &meta, const std::string &key) {
  std::vector<flow::StepRecord> out;
  std::set<std::string> seen;
  std::function<void(const std::string &)> visit = [&](const std::string &k) {
    if (!seen.insert(k).second)
      return;
    std::optional<flow::StepRecord> record = meta.find(k);
    if (!record)
      return;
    for (const std::string &parent : record->parents)
      visit(parent);
    out.push_back(std::move(*record));
  };
  visit(key);
  return out;
}

std::string markdownCell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

/// How sure the figures are (docs/reports.md): estimated or synthesised, each resource's band
/// and use of the device, what does not fit.
std::string certaintyMarkdown(const hls::SynthMetrics &m) {
  std::ostringstream md;
  md << certaintyHeadline(m) << "\n\n";
  const std::vector<CapacityRow> rows = capacityRows(m);
  const bool band = m.estimated;
  md << "| | " << (m.estimated ? "estimate" : "report") << (band ? " | band (lo–hi)" : "") << " | "
     << (m.part.empty() ? std::string("device") : m.part) << " has | use |\n| ---" << (band ? " | ---" : "")
     << " | --- | --- | --- |\n";
  for (const CapacityRow &r : rows) {
    md << "| " << r.name << " | " << groupedNumber(r.value);
    if (band)
      md << " | " << (r.hasBand ? groupedNumber(r.lo) + "–" + groupedNumber(r.hi) : std::string("n/a"));
    if (r.available > 0) {
      const double use = 100.0 * r.value / static_cast<double>(r.available);
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.0f%%", use);
      md << " | " << groupedNumber(static_cast<double>(r.available)) << " | " << pct
         << (r.value > static_cast<double>(r.available) ? " — **does not fit**" : "") << " |\n";
    } else {
      md << " | | |\n";
    }
  }
  if (const std::string over = overCapacityText(m); !over.empty())
    md << "\n**Does not fit " << (m.part.empty() ? std::string("the device") : m.part) << ":** " << over << ".\n";
  md << "\n";
  return md.str();
}

/// The design's metrics (a fixed table format that scripts read) and the flow.
std::string reportMarkdown(const ReportInputs &in) {
  std::ostringstream md;
  md << "# " << in.title << "\n\n";
  if (in.synthesis)
    md << certaintyMarkdown(*in.synthesis);
  md << "| metric | value |\n| --- | --- |\n";
  for (auto &[name, value] : in.values)
    md << "| " << name << " | " << value << " |\n";
  md << "\nPlots, the design's lineage and the metrics of every model it was made from: "
        "[report.html](report.html).\n\n## Flow\n\n"
        "The steps of the run up to this report, in order (`models/<key>/` holds each step's "
        "files and `step.json`).\n\n"
        "| # | path | task | key | metrics |\n| --- | --- | --- | --- | --- |\n";
  for (size_t i = 0; i < in.flow.size(); ++i)
    md << "| " << i + 1 << " | " << markdownCell(in.flow[i].step.path) << " | "
       << markdownCell(in.flow[i].step.task) << " | " << in.flow[i].step.key << " | "
       << markdownCell(metricsText(in.flow[i].metrics())) << " |\n";
  md << "\nSteps, parameters and timings: `log.jsonl` and `cfg.json` in the run directory; "
        "every model is under `models/`.\n";
  return md.str();
}

void writeFile(TaskContext &ctx, const fs::path &file, const std::string &text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out)
    throw ctx.error("cannot write " + file.string());
}
} // namespace

std::vector<CapacityRow> capacityRows(const hls::SynthMetrics &m) {
  const bool band = m.estimated && (m.dspHi > 0 || m.lutHi > 0 || m.ffHi > 0);
  return {{"DSP", m.dsp, m.dspLo, m.dspHi, m.availDsp, band},
          {"LUT", m.lut, m.lutLo, m.lutHi, m.availLut, band},
          {"FF", m.ff, m.ffLo, m.ffHi, m.availFf, band},
          {"BRAM_18K", m.bram18, m.bram18Lo, m.bram18Hi, m.availBram18, band},
          {"latency (cycles)", static_cast<double>(m.latencyMax), m.latencyLo, m.latencyHi, 0, band}};
}

std::string groupedNumber(double value) {
  if (!std::isfinite(value))
    return "n/a";
  const long long n = std::llround(value);
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string certaintyHeadline(const hls::SynthMetrics &m) {
  if (!m.estimated)
    return "**Synthesised** by " + (m.tool.empty() ? std::string("a vendor tool") : m.tool) +
           ": the figures are its C-synthesis report (csynth.xml), not an estimate.";
  std::string text = "**Estimated — not synthesised.** No vendor tool ran; the figures come from the " +
                     (m.calibration.empty() ? std::string("estimator") : m.calibration) + ".";
  if (m.dspHi > 0 || m.lutHi > 0 || m.ffHi > 0)
    text += " The band is where the real value fell for 80% of the real designs the model was "
            "checked on (10th–90th percentile of its relative error; docs/estimator.md).";
  else
    text += " No band: the model was not validated on held-out designs (a calibration needs two "
            "or more real designs for one), so how far off it is is unknown.";
  return text;
}

std::string overCapacityText(const hls::SynthMetrics &m) {
  std::string out;
  for (const CapacityRow &r : capacityRows(m))
    if (r.available > 0 && r.value > static_cast<double>(r.available)) {
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.0f%%", 100.0 * r.value / static_cast<double>(r.available));
      out += (out.empty() ? "" : "; ") + r.name + " " + groupedNumber(r.value) + " of " +
             groupedNumber(static_cast<double>(r.available)) + " (" + pct + ")";
    }
  return out;
}

std::string metricsText(const std::map<std::string, double> &metrics) {
  std::ostringstream os;
  bool first = true;
  for (const auto &[name, value] : metrics) {
    os << (first ? "" : ", ") << name << "=" << value;
    first = false;
  }
  return os.str();
}

void runReport(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  ReportInputs in;
  in.runDir = ctx.meta.runDir();
  in.dir = a.s("dir");
  fs::path out = in.runDir / in.dir;
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    throw ctx.error("cannot create the report directory '" + out.string() +
                    "': a file of that name is in the way; choose another 'dir'");
  fs::create_directories(out, ec);
  if (ec)
    throw ctx.error("cannot create the report directory '" + out.string() + "': " +
                    ec.message() + "; choose another 'dir'");
  in.design = a.h("r");
  if (auto rtl = ctx.store.rtls.find(in.design.id); rtl != ctx.store.rtls.end())
    in.synthesis = rtl->second.metrics;
  for (const std::string &name : kDesignMetrics) {
    try {
      in.values[name] = ctx.metric(in.design, name);
    } catch (const flow::RuntimeError &) {
      // An imported project without a data set has no accuracy: the row is left out.
      if (name != "accuracy")
        throw;
    }
  }
  in.title = a.s("title").empty() ? ctx.call.path : a.s("title");
  in.log = report::readRunLog(in.runDir / "log.jsonl");
  for (const report::FlowStep &step : in.log.flow)
    in.flow.push_back({step, ctx.meta.find(step.key)});
  in.lineage = lineageOf(ctx.meta, in.design.id);
  in.modelsHref = fs::relative(in.runDir / "models", out, ec).generic_string();
  if (ec)
    in.modelsHref.clear();

  writeFile(ctx, out / "report.md", reportMarkdown(in));
  writeFile(ctx, out / "report.html", reportHtml(ctx, in));
  ctx.store.metrics[ctx.key] = in.values;
  ctx.reports.push_back((out / "report.md").string());
  ctx.reports.push_back((out / "report.html").string());
}

} // namespace mmlc::tasks
