// Sparsity masks for pruning: attach masks, magnitude-prune per layer or globally, measure sparsity.
#pragma once
#include <map>
#include <string>

#include "nn/Network.h"

namespace mmlc::nn {

// Attaches a fixed 0/1 mask (same shape as the value) and zeroes the masked entries now.
// Optimisers keep them exactly zero from then on. Throws Error on shape mismatch or non-0/1 entries.
void setMask(Parameter& p, const Matrix& mask);
void clearMask(Parameter& p);
long countNonZeros(const Parameter& p);
double sparsity(const Parameter& p);  // fraction of exact zeros in the value

// Weight tensors of Dense and Conv layers (the ones pruning acts on), in layer order.
std::vector<Parameter*> prunableWeights(Network& net);
// Per weight tensor: parameter name -> fraction of zeros.
std::map<std::string, double> layerSparsity(Network& net);
// Total zeros / total entries over prunableWeights.
double globalSparsity(Network& net);
long countNonZeros(Network& net);  // over all trainable parameters
// Multiply-accumulates of one inference that a design must perform: the non-zero kernel weights
// of every Dense/Conv layer times the output positions they are applied at (zero weights need
// no multiplier in hls4ml's latency strategy).
long nonZeroMacs(Network& net);

// Masks the smallest-magnitude entries of `p` so that at least `target` of it is zero
// (already-masked entries stay masked). Ties break by index, so the result is deterministic.
void magnitudePrune(Parameter& p, double target);
// Same for the weight of layer `layerName`.
void magnitudePruneLayer(Network& net, const std::string& layerName, double target);
// One magnitude threshold across all prunable weights (global unstructured pruning).
void magnitudePruneGlobal(Network& net, double target);

}  // namespace mmlc::nn
