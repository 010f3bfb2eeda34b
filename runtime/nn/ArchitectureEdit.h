// Architecture edits for SCALING: rebuild a network with other layer widths and copy what still fits.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "nn/Network.h"

namespace mmlc::nn {

// Returns a network with the same layers except that each layer named in `units` gets that many
// units (Dense) or filters (Conv). Every parameter (and mask) is initialised fresh with `seed`, then
// the overlapping leading block of the old tensor is copied in: the first k units/filters/channels
// keep their trained values. Throws Error for unknown layer names or layers without width. In a
// graph network the channels are followed per producing layer (a Concatenate's inputs keep their
// own channels), and layers joined by an Add must get one width (Error otherwise).
Network withLayerWidths(const Network& net, const std::map<std::string, int>& units, uint64_t seed);

// Scales every hidden Dense/Conv width by `factor` (rounded, at least 1); the last Dense/Conv
// layer keeps its width because it defines the network's output.
Network scaleHiddenWidths(const Network& net, double factor, uint64_t seed);

// Importance of each unit (Dense) or filter (Conv) of the hidden layer `name`: the L2 norm of its
// incoming weights, times |scale|/sqrt(var+eps) of a batch normalisation that follows it, times the
// L2 norm of the weights that read it in the next Dense/Conv layer (its gain through the network).
// Throws Error for unknown names, the output layer, or a path to the next layer through a Transpose
// or a non-flattening Reshape, and for graph networks (see withStrongestUnits).
std::vector<double> unitImportance(Network& net, const std::string& name);

// Reorders the units/filters of the hidden layer `name` (new unit k = old unit order[k]) together
// with everything that is per unit downstream: bias, masks, batch-norm parameters and the inputs of
// the next Dense/Conv layer. The network computes exactly the same function afterwards.
void permuteUnits(Network& net, const std::string& name, const std::vector<int>& order);

// Like withLayerWidths, but every narrowed layer keeps its most important units (unitImportance,
// ties by index) instead of its first ones: structured magnitude pruning of whole neurons/filters,
// used by SCALING to start each narrower candidate from the wider network.
// Graph networks: groups are permuted as a whole, ranked by the members' incoming weight norms.
Network withStrongestUnits(const Network& net, const std::map<std::string, int>& units, uint64_t seed);

// The hidden Dense/Conv layers in width groups: layers whose channels meet at an Add (directly or
// through per-channel layers, also across several Adds) must keep one width, so SCALING changes
// each group as one. Groups tied to the network input or to the output layer are left out; in a
// chain every hidden layer is a group of its own, in layer order.
std::vector<std::vector<std::string>> widthGroups(const Network& net);

}  // namespace mmlc::nn
