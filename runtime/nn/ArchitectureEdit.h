// Architecture edits for SCALING: rebuild a network with other layer widths and copy what still fits.
#pragma once
#include <map>
#include <string>

#include "nn/Network.h"

namespace mmlc::nn {

// Returns a network with the same layers except that each layer named in `units` gets that many
// units (Dense) or filters (Conv). Every parameter (and mask) is initialised fresh with `seed`, then
// the overlapping leading block of the old tensor is copied in: the first k units/filters/channels
// keep their trained values. Throws Error for unknown layer names or layers without width.
Network withLayerWidths(const Network& net, const std::map<std::string, int>& units, uint64_t seed);

// Scales every hidden Dense/Conv width by `factor` (rounded, at least 1); the last Dense/Conv
// layer keeps its width because it defines the network's output.
Network scaleHiddenWidths(const Network& net, double factor, uint64_t seed);

}  // namespace mmlc::nn
