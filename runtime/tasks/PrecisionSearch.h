// QUANTIZATION's core: range analysis of a network's values and the per-layer fixed-point
// precision search against the bit-exact simulator (no TaskContext here, so it is unit-testable).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "hls/NetworkDesc.h"
#include "hls/OutputScoring.h"

namespace mmlc::tasks {

/// Largest magnitudes a float forward pass of the network reaches on some data, per layer.
struct LayerRange {
  double weightMax = 0, weightMin = 0; // largest and smallest constant (BatchNorm: the scales)
  double biasMax = 0, biasMin = 0;
  double accumAbs = 0;                 // max |accumulator| (partial sums when `partialSums`)
  double resultAbs = 0;                // max |layer output|
};
struct ValueRanges {
  double inputMin = 0, inputMax = 0; // of the network input
  std::vector<LayerRange> layers;
};

/// Float (double) forward pass of `net` over `n` samples (n x inputSize, HLS input order),
/// recording the ranges. With `partialSums` the accumulator range covers every partial sum in
/// the template's input-major order (what a saturating accumulator must hold); without, only the
/// final sums (enough for wrapping accumulators, whose partial overflows cancel).
ValueRanges analyseRanges(const hls::NetworkDesc &net, const float *inputs, size_t n,
                          bool partialSums);

/// One precision that the search decides: the network input or one role of one layer.
struct PrecisionSlot {
  int layer = -1;          // index into NetworkDesc::layers; -1: the network input
  std::string role;        // "input", "weight", "bias", "accum", "result"
  int integerBits = 0;     // from the ranges (sign and guard bits included)
  bool isSigned = true;
  bool constant = false;   // weights and biases: the values are known exactly
  double maxValue = 0, minValue = 0; // constants' extremes (rounding may need one more bit)
  double cost = 0;         // how much hardware scales with this width (orders the refinement)
};

/// The slots of a network: the input, then per layer its roles (MAC layers: weight, bias,
/// accum, result; batch-norm: weight, bias, result; activations and pooling: result; Flatten:
/// none, it keeps its input's type). `guardBits` are added to data-dependent values
/// (accumulators and results; the input range is the data's, so it gets none).
std::vector<PrecisionSlot> precisionSlots(const hls::NetworkDesc &net, const ValueRanges &ranges,
                                          int guardBits);

struct QuantizeOptions {
  double tolerance = 0.01;      // accepted accuracy loss against the input network
  int minWidth = 2, maxWidth = 18;
  bool perLayer = true;         // false: one type per role for the whole model
  hls::QuantMode rounding = hls::QuantMode::TRN;         // accumulators, results, input
  hls::QuantMode constantRounding = hls::QuantMode::RND; // weights and biases
  hls::OverflowMode overflow = hls::OverflowMode::WRAP;
  hls::OutputScoring scoring;   // the decision rule of the outputs (argmax by default)
};

/// One evaluated candidate (reported as the search goes).
struct QuantizeCandidate {
  std::string phase;  // "start", "sensitivity", "combine", "refine"
  std::string layer;  // layer name, "input", or "*" (every layer: model granularity / combine)
  std::string role;   // "input", "weight", "bias", "accum", "result" or "*"
  std::string type;   // the candidate's type for that (layer, role); combine: "min+<margin>"
  double accuracy = 0;
  double baseline = 0; // the input network's accuracy on the same data
  bool feasible = false;
  int bits = 0;       // total width of the candidate (sum over slots)
};

struct QuantizeResult {
  hls::NetworkDesc desc;             // the input network at the chosen precisions
  double baselineAccuracy = 0;       // input network, selection data
  double accuracy = 0;               // chosen network, selection data
  int bitsBefore = 0, bits = 0;      // sum of the slot widths before and after
  int evaluations = 0;               // simulator runs (cache hits not counted)
};

/// Searches the narrowest widths (integer bits fixed by the slots' ranges) whose bit-exact
/// simulated accuracy on the selection data (`x`, `labels`, n samples, HLS input order) stays
/// within `tolerance` of the input network's:
///  1. start: every slot at maxWidth (must be feasible, else std::runtime_error);
///  2. sensitivity: each group alone (the others at maxWidth) bisected to its narrowest
///     feasible width w_min;
///  3. combine: every group at min(w_min + m, maxWidth), with the smallest feasible margin m
///     found by bisection;
///  4. refine: in decreasing order of cost, each group bisected down towards w_min with the
///     others fixed.
/// A group is one slot (perLayer) or all slots of one role (model granularity: one type per
/// role, its integer bits the largest of its slots'). Every candidate evaluated is reported to
/// `report`; the result is feasible by construction.
QuantizeResult searchPrecisions(const hls::NetworkDesc &input,
                                const std::vector<PrecisionSlot> &slots, const float *x,
                                const int *labels, size_t n, const QuantizeOptions &options,
                                const std::function<void(const QuantizeCandidate &)> &report);

/// The type of `slot` in `net` (input type, or the layer's weight/bias/accum/result type).
hls::FixedType &slotType(hls::NetworkDesc &net, const PrecisionSlot &slot);
const hls::FixedType &slotType(const hls::NetworkDesc &net, const PrecisionSlot &slot);

} // namespace mmlc::tasks
