// Spatial geometry shared by convolution and pooling (channels, extents, kernel, stride, pad), and how
// the convolution kernels cut a batch into groups of samples.
#pragma once
#include <algorithm>

#include "nn/LayerSpec.h"
#include "nn/Tensor.h"

namespace mmlc::nn {

struct ConvGeometry {
  int channels = 0, inH = 1, inW = 1, outH = 1, outW = 1;
  int kH = 1, kW = 1, sH = 1, sW = 1, pH = 0, pW = 0;  // pH/pW: zeros above/left of the input

  bool same = false;  // "same" padding: pH/pW computed, the odd zero below/right

  // Zeros below/right: pH/pW for explicit (symmetric) padding; for "same" padding what remains.
  int pB = 0, pR = 0;  // explicit zeros below/right (asymmetric padding; = pH/pW when symmetric)
  int padBottom() const { return same ? std::max(0, (outH - 1) * sH + kH - inH - pH) : pB; }
  int padRight() const { return same ? std::max(0, (outW - 1) * sW + kW - inW - pW) : pR; }

  long inSpatial() const { return static_cast<long>(inH) * inW; }
  long outSpatial() const { return static_cast<long>(outH) * outW; }
  // Reads (C, L) as H = 1 and (C, H, W) directly; `twoD` says which the layer kind requires.
  // Throws Error naming `layerName` when the input does not fit.
  static ConvGeometry from(const Shape& input, const LayerSpec& spec, bool twoD, const std::string& layerName);
};

// How a convolution's batch is cut into GEMM groups: `count` groups of `base` samples, the first
// `extra` of them one sample more. A group spans about 4,096 output columns, but a batch is split
// into an even number of groups (at least two) whenever each still has 256 columns or more, so
// that small deep feature maps keep both cores busy; group sizes differ by at most one sample so
// the cores get equal work. It depends on the batch and the layer geometry only, never on the
// thread count, so results are bit-identical for any number of threads.
struct SampleGroups {
  long count, base, extra;
  long first(long g) const { return g * base + std::min(g, extra); }
  long size(long g) const { return base + (g < extra ? 1 : 0); }
  long largest() const { return base + (extra > 0 ? 1 : 0); }
  static SampleGroups of(long batch, long columnsPerSample);
};

}  // namespace mmlc::nn
