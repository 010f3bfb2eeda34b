// Analytical per-layer estimate of DSP, LUT, FF, BRAM_18K, latency and II for an hls4ml-style
// design on a given part and clock, without running a vendor tool. See docs/estimator.md.
#pragma once

#include <string>
#include <vector>

#include "hls/LayerModel.h"
#include "hls/NetworkDesc.h"
#include "hls/SynthMetrics.h"

namespace mmlc::hls {

// Model coefficients; defaults are calibrated on the hls4ml jet-tagging fixture (Vivado HLS
// 2019.2, xcu250, 5 ns). Every field is one documented assumption.
struct ResourceModel {
  int dspMinCsdDigits = 3;        // a constant multiplier with fewer non-zero CSD digits is shift-and-add logic
  int dspMinDataWidth = 10;       // narrower data operands are multiplied in LUTs
  double lutPerAdderBit = 1.0;    // carry-chain adders: one LUT per bit
  double lutPerDspMult = 6.7;     // glue around each DSP product (sign extension, truncation)
  double lutPerGenericMultBit = 0.55;  // LUT multiplier (non-constant operand), per a*b bit pair
  double ffPerNonZero = 1.557;    // pipeline registers inside a dense block, per non-zero product
  double ffPerOutput = 10.885;    // ... and per output
  double reluLutPerBit = 1.75;    // comparator + mux per result bit
  double registerFfPerBit = 0.76; // top-level pipeline registers, per bit of every layer output
  double softmaxLutPerBit = 7.4;  // per exp-table bit and input (index logic, adder tree, output mult glue)
  double softmaxFfPerBit = 2.6;
  double multDelayNs = 1.6;       // DSP multiply (UltraScale+, unregistered)
  double addDelayNs = 0.35;       // one adder-tree level
  double clockUncertaintyFraction = 0.125;  // Vivado HLS default: 12.5% of the period
};

struct LayerEstimate {
  std::string name;
  LayerKind kind = LayerKind::Dense;
  double dsp = 0, lut = 0, ff = 0, bram18 = 0;
  long latency = 0;   // cycles
  long interval = 1;  // II
  long dspMultipliers = 0, lutMultipliers = 0;  // multiplications mapped to DSPs / logic
  // Whether the calibration holds layers of its class and kind at its reuse class (reuse factor
  // 1, or above 1: calibrationCoversReuse in LayerModel.h); false: an extrapolation. Set by
  // estimateSettings (allocate's candidates); estimate() leaves it true.
  bool reuseCalibrated = true;
};

struct ResourceEstimate {
  std::vector<LayerEstimate> layers;
  SynthMetrics total;  // estimated = true, tool = "estimator"
};

// A reuse factor and strategy a layer may be given (allocate's candidates).
struct LayerSetting {
  int reuse = 1;
  Strategy strategy = Strategy::Latency;
};

class ConstWeightStatsCache;

class ResourceEstimator {
 public:
  // The calibrated per-layer model (LayerModel.h) with the shipped calibration, for Vitis HLS
  // (what `synth` runs first): what flows use. Held out design by design on the seven real
  // projects it beats the analytic model on DSP, LUT, FF and latency (docs/estimator.md).
  ResourceEstimator() : ResourceEstimator(ToolGen::VitisHls) {}
  // The calibrated model for the given tool generation; `cal` must outlive the estimator
  // (default: the shipped calibration, MMLC_ESTIMATOR_CALIBRATION overrides). It carries the
  // uncertainty band of its validation residuals.
  explicit ResourceEstimator(ToolGen tool, const Calibration* cal = nullptr)
      : tool_(tool), cal_(cal ? cal : &defaultCalibration()) {}
  // The earlier analytic model of ResourceModel's coefficients (fitted on one design), kept for
  // comparison (bench/hls prints it beside the calibrated model).
  explicit ResourceEstimator(ResourceModel model) : model_(model), analytic_(true) {}
  // Part and clock default to the network's (NetworkDesc::part / clockPeriodNs).
  ResourceEstimate estimate(const NetworkDesc& net, const std::string& part = "", double clockNs = 0) const;
  // Layer k of `net` under each of settings[k] (none for an empty list), the rest of the design as
  // it is: result[k][i] is what estimate() gives for layer k of `net` with settings[k][i] applied
  // to that layer alone (a layer's estimate depends on its own reuse factor and strategy, not on
  // the other layers'). The design is resolved and each layer's query and constant-weight
  // statistics built once, not once per setting. `asIs` (optional) receives estimate(net), made
  // from the same resolved design, queries and statistics (no second pass over the weights).
  std::vector<std::vector<LayerEstimate>> estimateSettings(const NetworkDesc& net,
                                                           const std::vector<std::vector<LayerSetting>>& settings,
                                                           ResourceEstimate* asIs = nullptr) const;
  // Keep the calibrated model's constant-weight statistics in `cache` (null: none) across the
  // estimates of this estimator; the figures are the same with and without it.
  void useCache(ConstWeightStatsCache* cache) { cache_ = cache; }
  const ResourceModel& model() const { return model_; }

 private:
  LayerEstimate estimateMac(const LayerDesc& l, const FixedType& in, const DeviceInfo& dev, double clockNs) const;
  LayerEstimate estimateActivation(const LayerDesc& l, const FixedType& in, const DeviceInfo& dev, double clockNs) const;
  LayerEstimate estimateOther(const LayerDesc& l, const FixedType& in, const DeviceInfo& dev, double clockNs) const;

  ResourceEstimate estimateAnalytic(const NetworkDesc& net, const std::string& part, double clockNs) const;
  // The calibrated model's estimate of the resolved `net` from its layers' estimates (one per
  // layer, in order): their sums, the top-level glue, the latency and interval, and the band.
  ResourceEstimate assemble(const NetworkDesc& net, std::vector<LayerEstimate> layers,
                            const std::vector<std::vector<bool>>& constant) const;
  // The calibrated model's estimate of layer `l` from its query (`stats`: its constant-weight
  // statistics when already known).
  // `choices`: the layer's coefficient choices kept across its settings (null: none).
  LayerEstimate estimateLayer(const LayerDesc& l, const LayerQuery& q, const ConstWeightStats* stats,
                              CoefficientChoices* choices = nullptr) const;

  ResourceModel model_;
  bool analytic_ = false;
  ToolGen tool_ = ToolGen::VivadoHls;
  const Calibration* cal_ = nullptr;
  ConstWeightStatsCache* cache_ = nullptr;
};

// Number of non-zero digits of n in canonical signed-digit form (minimal adders for a constant).
// Inline: the estimator's pass over a layer's weights calls it once per weight.
int csdDigitsWide(unsigned long long u);  // |n| >= 2^61 (where 3|n| would overflow)
inline int csdDigits(long long n) {
  const unsigned long long u = static_cast<unsigned long long>(n < 0 ? -n : n);
  // The non-zero digits of the non-adjacent form of u are the set bits of (u XOR 3u) >> 1 (what
  // csdDigitsWide computes digit by digit).
  if (u < (1ULL << 61)) return __builtin_popcountll((u ^ (3 * u)) >> 1);
  return csdDigitsWide(u);
}

}  // namespace mmlc::hls
