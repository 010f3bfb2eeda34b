// Spatial geometry shared by convolution and pooling: channels, input/output extents, kernel, stride, pad.
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

}  // namespace mmlc::nn
