// Builds the allocation MIP of an HLS design from its per-layer estimates (AllocationProblem.h).
#include "tasks/AllocationProblem.h"

#include <algorithm>
#include <map>
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
  // Each allocatable layer's candidates (reuse factors x strategies), before costing.
  std::vector<bool> strategies;  // resource?
  if (r.strategy != "resource") strategies.push_back(false);
  if (r.strategy != "latency") strategies.push_back(true);
  std::vector<std::vector<hls::LayerSetting>> settings(design.layers.size());
  for (size_t i = 0; i < design.layers.size(); ++i) {
    long nIn = 0, nOut = 0;
    if (!allocatable(design.layers[i], nIn, nOut)) continue;
    std::vector<long> reuses;
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
    for (long f : reuses)
      for (bool resource : strategies)
        settings[i].push_back({static_cast<int>(f), resource ? hls::Strategy::Resource : hls::Strategy::Latency});
  }
  // Costing, in one pass over the design (its query and constant-weight statistics built once
  // per layer): the design as it is (the fixed part and the device), and each layer under each of
  // its candidates. A layer's estimate depends on its own reuse factor, strategy and input, not on
  // the other layers' settings, so each candidate is that layer's estimate under it, the rest of
  // the design as it is (AllocationTest checks this against one design per candidate).
  hls::ResourceEstimate baseLayers;
  const std::vector<std::vector<hls::LayerEstimate>> costs =
      hls::estimateLayerSettings(design, settings, estimator, hls::ToolGen::VitisHls, nullptr, &baseLayers);
  const hls::SynthMetrics& base = baseLayers.total;
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

  p.fixed = {baseLayers.total.dsp, baseLayers.total.lut, baseLayers.total.ff, baseLayers.total.bram18,
             static_cast<double>(baseLayers.total.latencyMax)};
  // Candidates the calibration has no data for (an estimate from coefficient sets fitted only on
  // the other reuse class: hls4ml and N-TORC build the resource strategy only at reuse factors
  // above 1, so no row shows it at 1) are extrapolations the MIP would trust as much as the rest;
  // they are left out unless the request names them (their reuse factor listed, one strategy).
  auto requested = [&](int reuse) {
    return r.strategy != "both" && std::find(r.reuse.begin(), r.reuse.end(), static_cast<long>(reuse)) != r.reuse.end();
  };
  std::map<std::string, std::pair<size_t, std::vector<std::string>>> excludedBy;  // what -> (candidates, layers)
  for (size_t i = 0; i < design.layers.size(); ++i) {
    if (settings[i].empty()) continue;
    AllocLayer layer;
    layer.name = design.layers[i].name;
    for (size_t c = 0; c < settings[i].size(); ++c) {
      const hls::LayerEstimate& le = costs[i].at(c);
      if (!le.reuseCalibrated && !requested(settings[i][c].reuse)) {
        const std::string what = std::string(hls::layerKindName(design.layers[i].kind)) + " " +
                                 (settings[i][c].strategy == hls::Strategy::Resource ? "resource" : "latency") +
                                 " strategy at " + (settings[i][c].reuse <= 1 ? "reuse factor 1" : "reuse factors above 1");
        auto& [count, layers] = excludedBy[what];
        ++count;
        if (layers.empty() || layers.back() != layer.name) layers.push_back(layer.name);
        ++out.excluded;
        continue;
      }
      AllocCandidate cand;
      cand.reuse = settings[i][c].reuse;
      cand.resource = settings[i][c].strategy == hls::Strategy::Resource;
      cand.cost = costsOf(le);
      cand.ii = static_cast<double>(le.interval);
      layer.candidates.push_back(cand);
    }
    if (layer.candidates.empty())
      throw std::invalid_argument("every candidate of layer " + layer.name +
                                  " is outside what the estimator's calibration was fitted on (" +
                                  (r.strategy == "both" ? std::string("both strategies") : r.strategy + " strategy") +
                                  "); to accept the extrapolation, list the reuse factors with reuse: and choose one strategy");
    const AllocCosts was = costsOf(baseLayers.layers.at(i));
    for (size_t k = 0; k < kCostCount; ++k) p.fixed[k] -= was[k];
    out.candidates += layer.candidates.size();
    out.layerIndex.push_back(i);
    p.layers.push_back(std::move(layer));
  }
  for (const auto& [what, entry] : excludedBy) {
    std::string layers;
    for (const std::string& name : entry.second) layers += (layers.empty() ? "" : ", ") + name;
    out.excludedWhy += (out.excludedWhy.empty() ? "" : "; ") + std::to_string(entry.first) + " " + what + " (" + layers + ")";
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
