// Builds the allocation MIP of an HLS design from its per-layer estimates (AllocationProblem.h).
#include "tasks/AllocationProblem.h"

#include <set>
#include <stdexcept>

#include "hls/ResourceEstimator.h"

namespace mmlc::tasks {

namespace {
/// The layers whose reuse factor and strategy the allocation chooses, with hls4ml's n_in/n_out
/// of their multiplication block (for the valid reuse factors).
bool allocatable(const hls::LayerDesc& l, long& nIn, long& nOut) {
  switch (l.kind) {
    case hls::LayerKind::Dense:
      nIn = l.nIn;
      nOut = l.nOut;
      return true;
    case hls::LayerKind::Conv1D:
    case hls::LayerKind::Conv2D:
      nIn = static_cast<long>(l.kernelH) * l.kernelW * l.inChannels;
      nOut = l.nFilters;
      return true;
    default:
      return false;
  }
}

AllocCosts costsOf(const hls::LayerEstimate& e) {
  return {e.dsp, e.lut, e.ff, e.bram18, static_cast<double>(e.latency)};
}
}  // namespace

DesignAllocation allocationProblem(const hls::NetworkDesc& design, const hls::EstimatorChoice& estimator,
                                   const AllocationRequest& r) {
  DesignAllocation out;
  AllocProblem& p = out.problem;
  if (r.latencyCycles > 0) p.limit[kLatency] = r.latencyCycles;
  if (r.ii > 0) p.iiLimit = r.ii;
  const hls::SynthMetrics base = hls::estimateDesign(design, estimator);
  const double avail[] = {static_cast<double>(base.availDsp), static_cast<double>(base.availLut),
                          static_cast<double>(base.availFf), static_cast<double>(base.availBram18)};
  for (size_t k = kDsp; k <= kBram; ++k)
    if (avail[k] > 0) p.limit[k] = r.budget * avail[k];
  const std::string& o = r.objective;
  if (o == "dsp") p.weight[kDsp] = 1;
  else if (o == "lut") p.weight[kLut] = 1;
  else if (o == "ff") p.weight[kFf] = 1;
  else if (o == "bram") p.weight[kBram] = 1;
  else if (o == "latency") p.weight[kLatency] = 1;
  else if (o == "weighted") {  // the sum of the utilisations
    for (size_t k = kDsp; k <= kBram; ++k) {
      if (avail[k] <= 0)
        throw std::invalid_argument("objective \"weighted\" needs the device's capacity, and part '" + design.part +
                                    "' is not in mmlc's device table");
      p.weight[k] = 1 / avail[k];
    }
  } else {
    throw std::invalid_argument("unknown objective '" + o + "'");
  }
  p.timeLimitSeconds = r.timeLimitSeconds;

  std::vector<bool> strategies;  // resource?
  if (r.strategy != "resource") strategies.push_back(false);
  if (r.strategy != "latency") strategies.push_back(true);
  const hls::ResourceEstimate baseLayers = hls::estimateDesignLayers(design, estimator);
  p.fixed = {baseLayers.total.dsp, baseLayers.total.lut, baseLayers.total.ff, baseLayers.total.bram18,
             static_cast<double>(baseLayers.total.latencyMax)};
  // Each layer's candidates, before costing.
  std::vector<std::vector<long>> reusesOf(design.layers.size());
  for (size_t i = 0; i < design.layers.size(); ++i) {
    long nIn = 0, nOut = 0;
    if (!allocatable(design.layers[i], nIn, nOut)) continue;
    std::vector<long>& reuses = reusesOf[i];
    if (r.reuse.empty()) {
      for (long f = 1; f <= r.maxReuse; ++f)
        if (validReuseFactor(nIn, nOut, f)) reuses.push_back(f);
    } else {
      for (long f : r.reuse)
        if (validReuseFactor(nIn, nOut, f)) reuses.push_back(f);
    }
    if (reuses.empty()) {
      std::string valid;
      for (long f = 1, shown = 0; f <= nIn * nOut && shown < 12; ++f)
        if (validReuseFactor(nIn, nOut, f)) valid += (shown++ ? ", " : "") + std::to_string(f);
      throw std::invalid_argument("none of the candidate reuse factors is valid for layer " + design.layers[i].name +
                                  " (n_in " + std::to_string(nIn) + ", n_out " + std::to_string(nOut) +
                                  "; hls4ml accepts " + valid + ", ...)");
    }
    AllocLayer layer;
    layer.name = design.layers[i].name;
    for (long f : reuses)
      for (bool resource : strategies) {
        AllocCandidate c;
        c.reuse = static_cast<int>(f);
        c.resource = resource;
        layer.candidates.push_back(c);
      }
    const AllocCosts was = costsOf(baseLayers.layers.at(i));
    for (size_t k = 0; k < kCostCount; ++k) p.fixed[k] -= was[k];
    out.candidates += layer.candidates.size();
    out.layerIndex.push_back(i);
    p.layers.push_back(std::move(layer));
  }
  // Costing: a layer's estimate depends on its own reuse factor, strategy and input, so one
  // estimate of the design with every layer that accepts (reuse, strategy) set to it costs that
  // candidate for all of them at once (AllocationTest checks this against one design per candidate).
  std::set<std::pair<long, bool>> settings;
  for (const AllocLayer& l : p.layers)
    for (const AllocCandidate& c : l.candidates) settings.insert({c.reuse, c.resource});
  // A layer that does not accept the setting is estimated too, and its figures are not read:
  // it is set to its cheapest-to-estimate candidate, the resource strategy (whose features need
  // no pass over the weights, unlike the latency strategy's constant multipliers), when it has one.
  std::vector<const AllocCandidate*> idle(p.layers.size(), nullptr);
  for (size_t l = 0; l < p.layers.size(); ++l)
    for (const AllocCandidate& c : p.layers[l].candidates)
      if (c.resource) idle[l] = &c;
  hls::NetworkDesc variant = design;  // one copy, its allocatable layers set per setting
  for (auto [f, resource] : settings) {
    for (size_t l = 0; l < p.layers.size(); ++l) {
      hls::LayerDesc& layer = variant.layers[out.layerIndex[l]];
      const hls::LayerDesc& original = design.layers[out.layerIndex[l]];
      layer.reuseFactor = idle[l] ? idle[l]->reuse : original.reuseFactor;
      layer.strategy = idle[l] ? hls::Strategy::Resource : original.strategy;
    }
    for (size_t l = 0; l < p.layers.size(); ++l)
      for (const AllocCandidate& c : p.layers[l].candidates)
        if (c.reuse == f && c.resource == resource) {
          variant.layers[out.layerIndex[l]].reuseFactor = static_cast<int>(f);
          variant.layers[out.layerIndex[l]].strategy = resource ? hls::Strategy::Resource : hls::Strategy::Latency;
        }
    const hls::ResourceEstimate e = hls::estimateDesignLayers(variant, estimator);
    for (size_t l = 0; l < p.layers.size(); ++l)
      for (AllocCandidate& c : p.layers[l].candidates)
        if (c.reuse == f && c.resource == resource) {
          const hls::LayerEstimate& le = e.layers.at(out.layerIndex[l]);
          c.cost = costsOf(le);
          c.ii = static_cast<double>(le.interval);
        }
  }
  if (p.layers.empty()) throw std::invalid_argument("the HLS model has no dense or convolutional layer to allocate");
  return out;
}

hls::NetworkDesc applyAllocation(const hls::NetworkDesc& design, const DesignAllocation& a,
                                 const std::vector<size_t>& choice) {
  hls::NetworkDesc out = design;
  for (size_t l = 0; l < a.layerIndex.size(); ++l) {
    const AllocCandidate& c = a.problem.layers[l].candidates.at(choice.at(l));
    out.layers[a.layerIndex[l]].reuseFactor = c.reuse;
    out.layers[a.layerIndex[l]].strategy = c.resource ? hls::Strategy::Resource : hls::Strategy::Latency;
  }
  return out;
}

}  // namespace mmlc::tasks
