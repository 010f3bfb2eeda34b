// `allocate`: the reuse factor and strategy of every multiply-accumulate layer of an HLS model,
// chosen jointly under latency, interval and resource limits by an exact MIP over the per-layer
// estimates (Allocation.h, N-TORC), and applied with the set_reuse rewrites (docs/tasks.md).
#include "tasks/AllocationProblem.h"
#include "tasks/TaskContext.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>


namespace mmlc::tasks {

namespace {
std::string costsText(const AllocCosts &c, double clockNs) {
  std::ostringstream s;
  s << "latency " << c[kLatency] << " cycles (" << c[kLatency] * clockNs << " ns), DSP " << c[kDsp]
    << ", LUT " << std::llround(c[kLut]) << ", FF " << std::llround(c[kFf]) << ", BRAM " << c[kBram];
  return s.str();
}

std::string jsonCosts(const AllocCosts &c) {
  return "{\"dsp\":" + jsonNumber(c[kDsp]) + ",\"lut\":" + jsonNumber(c[kLut]) + ",\"ff\":" +
         jsonNumber(c[kFf]) + ",\"bram\":" + jsonNumber(c[kBram]) + ",\"latency\":" +
         jsonNumber(c[kLatency]) + "}";
}
} // namespace

void runAllocate(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  if (ctx.committed) { // the committed project holds the chosen configuration
    rewriteReuse(ctx, {});
    ctx.store.metrics[ctx.key] = ctx.committed->metrics;
    return;
  }
  const ModelStore::Hls &in = ctx.store.hlsModels.at(a.h("h").id);
  const hls::NetworkDesc &net = in.desc;
  const double clockNs = net.clockPeriodNs > 0 ? net.clockPeriodNs : 5.0;

  AllocationRequest request;
  const double latencyNs = a.f("latency"), budget = a.f("budget");
  if (latencyNs > 0)
    request.latencyCycles = std::floor(latencyNs / clockNs + 1e-9);
  if (const long cycles = a.i("latency_cycles"); cycles > 0)
    request.latencyCycles = request.latencyCycles > 0
                                ? std::min(request.latencyCycles, static_cast<double>(cycles))
                                : static_cast<double>(cycles);
  if (latencyNs > 0 && request.latencyCycles < 1)
    throw ctx.error("allocate: a latency of " + std::to_string(latencyNs) +
                    " ns is less than one clock cycle (" + std::to_string(clockNs) + " ns)");
  request.ii = static_cast<double>(a.i("ii"));
  request.budget = budget;
  request.objective = a.s("objective");
  for (std::int64_t r : a.ints("reuse"))
    request.reuse.push_back(static_cast<long>(r));
  request.maxReuse = a.i("max_reuse");
  request.strategy = a.s("strategy");
  request.timeLimitSeconds = a.f("time_limit");
  DesignAllocation alloc;
  try {
    alloc = allocationProblem(net, in.estimator, request);
  } catch (const std::invalid_argument &e) {
    throw ctx.error(std::string("allocate: ") + e.what());
  }
  const AllocProblem &p = alloc.problem;
  const std::vector<size_t> &layerIndex = alloc.layerIndex;
  const size_t candidates = alloc.candidates;

  AllocSolution s = solveAllocation(p);
  if (s.status == AllocSolution::Status::Infeasible) {
    std::ostringstream msg;
    msg << "allocate: no choice of reuse factors and strategies meets the limits (";
    if (std::isfinite(p.limit[kLatency])) msg << "latency <= " << p.limit[kLatency] << " cycles, ";
    if (std::isfinite(p.iiLimit)) msg << "II <= " << p.iiLimit << ", ";
    msg << budget * 100 << "% of " << net.part << "); ";
    // The tightest latency within the resource budget (and II limit), if the budget can be met.
    AllocProblem fastest = p;
    fastest.limit[kLatency] = std::numeric_limits<double>::infinity();
    fastest.weight = {};
    fastest.weight[kLatency] = 1;
    const AllocSolution quick = solveAllocation(fastest);
    if (quick.status == AllocSolution::Status::Optimal)
      msg << "the fastest choice within the budget takes " << quick.total[kLatency] << " cycles ("
          << quick.total[kLatency] * clockNs << " ns): " << costsText(quick.total, clockNs);
    else
      msg << "no choice fits the budget even without a latency limit; the least any choice "
             "reaches, one figure at a time: "
          << costsText(allocationFloor(p), clockNs);
    throw ctx.error(msg.str());
  }
  if (s.status == AllocSolution::Status::TimeLimit && s.choice.empty())
    throw ctx.error("allocate: the MIP solver found no allocation within time_limit (" +
                    std::to_string(p.timeLimitSeconds) + " s)");

  // Apply the choice, and say how the re-estimated design compares with the MIP's sums.
  std::vector<ReuseChoice> choices;
  std::vector<std::string> chosenJson;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    const AllocCandidate &c = p.layers[l].candidates[s.choice[l]];
    const hls::LayerDesc &was = net.layers[layerIndex[l]];
    const std::string strat = c.resource ? "resource" : "latency";
    if (was.reuseFactor != c.reuse || (was.strategy == hls::Strategy::Resource) != c.resource)
      choices.push_back({p.layers[l].name, c.reuse, strat});
    chosenJson.push_back("{\"layer\":" + flow::jsonString(p.layers[l].name) + ",\"reuse\":" +
                         std::to_string(c.reuse) + ",\"strategy\":" + flow::jsonString(strat) + "}");
  }
  rewriteReuse(ctx, choices);
  const hls::SynthMetrics after = hls::estimateDesign(ctx.store.hlsModels.at(ctx.key).desc, in.estimator);
  const AllocCosts afterCosts = {after.dsp, after.lut, after.ff, after.bram18, static_cast<double>(after.latencyMax)};
  ctx.log("allocate", {{"layers", jsonNumber(static_cast<double>(p.layers.size()))},
                       {"candidates", jsonNumber(static_cast<double>(candidates))},
                       {"excluded_candidates", jsonNumber(static_cast<double>(alloc.excluded))},
                       {"excluded_why", flow::jsonString(alloc.excluded
                                                             ? alloc.excludedWhy + ": the estimator's calibration has no layer of "
                                                                                   "that strategy and reuse class, so their costs "
                                                                                   "are extrapolations"
                                                             : "")},
                       {"variables", jsonNumber(static_cast<double>(s.variables))},
                       {"constraints", jsonNumber(static_cast<double>(s.constraints))},
                       {"solver", flow::jsonString("glpk")},
                       {"solver_seconds", jsonNumber(s.seconds)},
                       {"nodes", jsonNumber(static_cast<double>(s.nodes))},
                       {"status", flow::jsonString(s.status == AllocSolution::Status::Optimal ? "optimal" : "time_limit")},
                       {"objective", jsonNumber(s.objective)},
                       {"bound", jsonNumber(s.bound)},
                       {"mip_totals", jsonCosts(s.total)},
                       {"estimated_totals", jsonCosts(afterCosts)},
                       {"choice", flow::jsonArray(chosenJson)}});
  ctx.store.metrics[ctx.key] = {{"objective", s.objective},          {"bound", s.bound},
                                {"solver_seconds", s.seconds},       {"variables", static_cast<double>(s.variables)},
                                {"constraints", static_cast<double>(s.constraints)},
                                {"optimal", s.status == AllocSolution::Status::Optimal ? 1.0 : 0.0}};
  ctx.status("[" + std::to_string(p.layers.size()) + " layers, " + std::to_string(s.variables) +
             " binaries, " + (s.status == AllocSolution::Status::Optimal ? "optimal" : "time limit") + " in " +
             std::to_string(static_cast<int>(s.seconds * 1000)) + " ms: " + costsText(afterCosts, clockNs) + "]");
}

} // namespace mmlc::tasks
