// Converts a DNN-engine network (mmlc::nn) into the HLS backend's description (the HLS4ML task's core).
#pragma once

#include <string>
#include <vector>

#include "hls/NetworkDesc.h"

namespace mmlc::nn {
class Network;
}

namespace mmlc::tasks {

/// What `hls4ml(m, precision:, reuse:, strategy:, io:, device:, top:)` decides for every layer.
struct HlsConversionOptions {
  hls::FixedType precision = hls::FixedType::fixed(16, 6);  // weights, biases, accumulators, results
  int reuseFactor = 1;
  hls::Strategy strategy = hls::Strategy::Latency;
  hls::IOType io = hls::IOType::Parallel;
  std::string part = "xcu250-figd2104-2L-e";
  double clockPeriodNs = 5.0;
  std::string top = "myproject";
};

/// Builds the HLS description of `net`: Dense, Conv1D/2D and pooling (padding included),
/// BatchNormalization (as scale and shift), the activations of runtime/hls/layers, PReLU (its
/// slopes in the HLS element order), nearest Upsample (whole factors), Flatten, and the merges
/// Add/Concatenate of a graph network (each layer then names its inputs); Dropout is dropped
/// (inference). The engine is channels-first and the HLS templates channels-last, so convolution
/// weights are reordered to (kH, kW, C, F) and the rows of a Dense layer after a Flatten of a
/// feature map are permuted to match; `toHlsInputOrder` reorders samples the same way.
/// Throws std::invalid_argument naming the layer for anything HLS cannot express (LeakyReLU,
/// merges of more than two inputs, a flattened map read by anything but a Dense layer,
/// Transpose/Reshape that is not a plain flatten).
hls::NetworkDesc toHlsNetwork(nn::Network &net, const HlsConversionOptions &options);

/// Reorders `n` samples laid out for the engine (channels-first) into the HLS input order
/// (channels-last) of the same network; flat inputs are returned unchanged.
std::vector<float> toHlsInputOrder(const nn::Network &net, const float *samples, size_t n);

} // namespace mmlc::tasks
