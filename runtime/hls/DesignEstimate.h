// Which calibration a flow's cost figures come from: the shipped one (the default) or, when a
// calibration file is given (`part(..., calibration: "FILE")`), that file; either way the
// calibrated per-layer model with its uncertainty band and the name of what was used.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "hls/LayerModel.h"
#include "hls/NetworkDesc.h"
#include "hls/ResourceEstimator.h"
#include "hls/SynthMetrics.h"

namespace mmlc::hls {

struct EstimatorChoice {
  std::shared_ptr<const Calibration> calibration;  // null: the shipped calibration
  std::string file;                                // the calibration file ("" for the shipped one)
};

// Reads a calibration file once per process (later calls with the same path share it). Throws
// std::runtime_error naming the file (and its line for a corrupt one).
std::shared_ptr<const Calibration> loadCalibration(const std::string& path);

// The tool generation a calibration is meant for: the one most of the real designs it was fitted
// on (its top-level glue rows) were synthesised with; Vivado HLS when it has none (N-TORC only).
ToolGen calibrationTool(const Calibration& cal);

// Total estimate of `net` (its part and clock) with the chosen calibration (the shipped one with
// `defaultTool`'s coefficients when none is given; a file's with the tool most of its designs
// used): estimated = true, the band [lo, hi] of every resource and of the latency (all 0 for a
// calibration without validation residuals: fitted on fewer than two real designs), the device's
// capacity, and `calibration` naming the model ("calibrated per-layer model, shipped calibration
// (...)" or "calibrated per-layer model, calibration file FILE (...)").
SynthMetrics estimateDesign(const NetworkDesc& net, const EstimatorChoice& choice, ToolGen defaultTool = ToolGen::VitisHls);

// The same estimate layer by layer (the per-layer costs `allocate` builds its MIP from), with
// the same calibration and tool coefficients as estimateDesign.
// `cache` (optional) keeps the layers' constant-weight statistics across calls on variants of one
// design (ConstWeightStatsCache.h); the figures are the same with and without it.
ResourceEstimate estimateDesignLayers(const NetworkDesc& net, const EstimatorChoice& choice,
                                      ToolGen defaultTool = ToolGen::VitisHls, ConstWeightStatsCache* cache = nullptr);

// Layer k of `net` under each of settings[k], the rest of the design as it is, with the same
// calibration and tool coefficients (ResourceEstimator::estimateSettings): `allocate`'s candidates.
// `asIs` (optional) receives estimateDesignLayers(net, ...) from the same pass.
std::vector<std::vector<LayerEstimate>> estimateLayerSettings(const NetworkDesc& net,
                                                              const std::vector<std::vector<LayerSetting>>& settings,
                                                              const EstimatorChoice& choice,
                                                              ToolGen defaultTool = ToolGen::VitisHls,
                                                              ConstWeightStatsCache* cache = nullptr,
                                                              ResourceEstimate* asIs = nullptr);

// The band [lo, hi] of an estimate v from relative residual quantiles (real = v / (1 + error)).
void bandOf(double v, double errLo, double errHi, double& lo, double& hi);

}  // namespace mmlc::hls
