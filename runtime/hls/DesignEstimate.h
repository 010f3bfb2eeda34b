// Which estimator a flow's cost figures come from: the analytic model (ResourceEstimator(), the
// default) or, when a calibration file is given (`part(..., calibration: "FILE")`), the calibrated
// per-layer model; either way with its uncertainty band and the name of what was used.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "hls/LayerModel.h"
#include "hls/NetworkDesc.h"
#include "hls/SynthMetrics.h"

namespace mmlc::hls {

struct EstimatorChoice {
  std::shared_ptr<const Calibration> calibration;  // null: the analytic model
  std::string file;                                // the calibration file ("" for the analytic model)
};

// Reads a calibration file once per process (later calls with the same path share it). Throws
// std::runtime_error naming the file (and its line for a corrupt one).
std::shared_ptr<const Calibration> loadCalibration(const std::string& path);

// The tool generation a calibration is meant for: the one most of the real designs it was fitted
// on (its top-level glue rows) were synthesised with; Vivado HLS when it has none (N-TORC only).
ToolGen calibrationTool(const Calibration& cal);

// The relative error band of the analytic model, as Calibration::bandLo/bandHi: 10th and 90th
// percentile of (estimate - real) / real of the top-level totals on the seven real projects of
// test/fixtures/hls4ml-projects (dsp, lut, ff, bram18, latency); EstimatorPlumbingTest recomputes it.
const std::array<double, kMetrics>& analyticBandLo();
const std::array<double, kMetrics>& analyticBandHi();

// Total estimate of `net` (its part and clock) with the chosen model: estimated = true, the band
// [lo, hi] of every resource and of the latency (all 0 for a calibration without validation
// residuals: fitted on fewer than two real designs), the device's capacity, and `calibration` naming
// the model ("analytic model (no calibration file)" or "calibrated per-layer model, calibration
// file FILE (<its description>; vivado|vitis coefficients)").
SynthMetrics estimateDesign(const NetworkDesc& net, const EstimatorChoice& choice);

// The band [lo, hi] of an estimate v from relative residual quantiles (real = v / (1 + error)).
void bandOf(double v, double errLo, double errHi, double& lo, double& hi);

}  // namespace mmlc::hls
