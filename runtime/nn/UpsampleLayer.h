// Nearest-neighbour upsampling (Keras UpSampling1D/2D, ONNX Resize/Upsample "nearest", hls4ml's resize_nearest).
#pragma once
#include "nn/Layer.h"

namespace mmlc::nn {

// (C,L) -> (C, L·kernelW) or (C,H,W) -> (C, H·kernelH, W·kernelW): each value repeated.
class UpsampleLayer : public Layer {
 public:
  explicit UpsampleLayer(LayerSpec spec) : Layer(std::move(spec)) {}
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override;

 private:
  std::vector<long> source_;  // output element -> input element
};

}  // namespace mmlc::nn
