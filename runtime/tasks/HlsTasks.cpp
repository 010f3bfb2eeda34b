// HLS tasks: HLS4ML (DNN → hls4ml-style HLS C++), `estimate` and VIVADO-HLS (`synth`).
#include "tasks/TaskContext.h"

#include "hls/HlsProjectEmitter.h"
#include "hls/ResourceEstimator.h"
#include "hls/SynthRunner.h"
#include "tasks/HlsConversion.h"

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
  bool files = a.b("files");
  if (!ctx.committed && files) // a committed step already holds its project
    hls::HlsProjectEmitter(desc).emit((ctx.staging / "project").string());
  ctx.store.hlsModels[ctx.key] = {desc, (ctx.modelDir() / "project").string(), m.id, dnn.data,
                                  /*filesOnDemand=*/!files};
}

namespace {
std::map<std::string, double> metricsOf(const hls::SynthMetrics &m) {
  return {{"dsp", m.dsp},
          {"lut", m.lut},
          {"ff", m.ff},
          {"bram", m.bram18},
          {"latency", static_cast<double>(m.latencyMax)},
          {"latency_ns", static_cast<double>(m.latencyMax) * m.targetClockNs},
          {"ii", static_cast<double>(m.intervalMax)},
          {"clock_ns", m.targetClockNs},
          {"estimated", m.estimated ? 1.0 : 0.0}};
}
} // namespace

void runEstimate(TaskContext &ctx) {
  ModelStore::Hls &h = ctx.store.hlsModels.at(ctx.args.h("h").id);
  hls::SynthMetrics e = hls::ResourceEstimator().estimate(h.desc).total;
  e.estimated = true;
  ctx.store.metrics[ctx.key] = metricsOf(e);
}

void runSynth(TaskContext &ctx) {
  const flow::Handle &hh = ctx.args.h("h");
  if (ctx.committed) {
    // Vendor synthesis can take hours: take its metrics from the committed step.
    hls::SynthMetrics m;
    const auto &r = ctx.committed->metrics;
    auto value = [&](const char *n) { return r.count(n) ? r.at(n) : 0.0; };
    m.dsp = value("dsp");
    m.lut = value("lut");
    m.ff = value("ff");
    m.bram18 = value("bram");
    m.latencyMax = static_cast<long>(value("latency"));
    m.intervalMax = static_cast<long>(value("ii"));
    m.targetClockNs = value("clock_ns");
    m.estimated = value("estimated") != 0;
    ctx.store.rtls[ctx.key] = {m, hh.id};
    return;
  }
  ModelStore::Hls &h = ctx.store.hlsModels.at(hh.id);
  hls::SynthOptions options;
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
  ctx.store.rtls[ctx.key] = {r.metrics, hh.id};
  // What --resume needs to rebuild the synthesis result without rerunning the tool.
  ctx.store.metrics[ctx.key] = metricsOf(r.metrics);
}

} // namespace mmlc::tasks
