// HLS tasks: HLS4ML (DNN → hls4ml-style HLS C++), `estimate` and VIVADO-HLS (`synth`).
#include "tasks/TaskContext.h"

#include "hls/HlsProjectEmitter.h"
#include "hls/CsynthReport.h"
#include "hls/DesignEstimate.h"
#include "hls/SynthRunner.h"
#include "hls/TemplateConversions.h"
#include "tasks/HlsConversion.h"
#include "tasks/ReportInputs.h"

namespace mmlc::tasks {

void runHls4ml(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  const flow::Handle &m = a.h("m");
  ModelStore::Dnn &dnn = ctx.store.dnns.at(m.id);
  ModelStore::Device &device = ctx.store.devices.at(a.h("device").id);
  HlsConversionOptions options;
  options.precision = toFixedType(a.fixed("precision"));
  options.reuseFactor = static_cast<int>(a.i("reuse"));
  options.strategy = a.s("strategy") == "resource" ? hls::Strategy::Resource : hls::Strategy::Latency;
  options.io = a.s("io") == "stream" ? hls::IOType::Stream : hls::IOType::Parallel;
  options.part = device.part;
  options.clockPeriodNs = device.clockNs;
  options.top = a.s("top");
  hls::NetworkDesc desc = toHlsNetwork(*dnn.net, options);
  if (const std::string why = hls::firstUndefinedConversion(desc); !why.empty())
    throw ctx.error("hls4ml: precision " + options.precision.toString() + " cannot be simulated: " + why);
  bool files = a.b("files");
  if (!ctx.committed && files) // a committed step already holds its project
    hls::HlsProjectEmitter(desc).emit((ctx.staging / "project").string());
  ctx.store.hlsModels[ctx.key] = {desc, (ctx.modelDir() / "project").string(), m.id, dnn.data,
                                  /*filesOnDemand=*/!files, device.estimator};
}

void runEstimate(TaskContext &ctx) {
  ModelStore::Hls &h = ctx.store.hlsModels.at(ctx.args.h("h").id);
  const hls::SynthMetrics e = hls::estimateDesign(h.desc, h.estimator);
  if (const std::string over = overCapacityText(e); !over.empty())
    ctx.status("[does not fit " + e.part + ": " + over + "]");
  ctx.store.metrics[ctx.key] = synthMetricsRecord(e);
}

void runSynth(TaskContext &ctx) {
  const flow::Handle &hh = ctx.args.h("h");
  ModelStore::Hls &h = ctx.store.hlsModels.at(hh.id);
  if (ctx.committed) {
    // Vendor synthesis can take hours: take its metrics from the committed step's report (kept
    // in project/reports/), and redo an estimate (milliseconds; the step key covers the
    // calibration file), so both come back with what the record does not hold (capacity, band).
    hls::SynthMetrics m = synthMetricsFromRecord(ctx.committed->metrics);
    const std::filesystem::path kept = ctx.modelDir() / "project" / "reports" / "csynth.xml";
    std::error_code ec;
    if (m.estimated) {
      m = hls::estimateDesign(h.desc, h.estimator);
    } else if (std::filesystem::exists(kept, ec)) {
      m = hls::CsynthReport::parseFile(kept.string());
      m.estimated = false;
    }
    ctx.store.rtls[ctx.key] = {m, hh.id};
    return;
  }
  hls::SynthOptions options;
  options.estimator = h.estimator;
  std::string tool = ctx.args.s("tool");
  options.tool = tool == "estimator" ? "estimate" : tool;
  // The model's own project is synthesised: one a metaprogramming task rewrote (pragmas, a
  // renamed top) or an imported one, not a re-emission of its description.
  const std::filesystem::path project = ctx.staging / "project";
  std::error_code ec;
  std::filesystem::remove_all(project, ec);
  hls::SynthResult r;
  if (!h.dir.empty() && std::filesystem::is_directory(h.dir, ec)) {
    std::filesystem::copy(h.dir, project, std::filesystem::copy_options::recursive);
    r = hls::synthesizeProject(h.desc, project.string(), options);
  } else {
    r = hls::runSynthesis(h.desc, project.string(), options);
  }
  if (const std::string over = overCapacityText(r.metrics); !over.empty())
    ctx.status("[does not fit " + r.metrics.part + ": " + over + "]");
  ctx.store.rtls[ctx.key] = {r.metrics, hh.id};
  // What --resume needs to rebuild the synthesis result without rerunning the tool.
  ctx.store.metrics[ctx.key] = synthMetricsRecord(r.metrics);
}

} // namespace mmlc::tasks
