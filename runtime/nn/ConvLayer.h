// Conv1D/Conv2D via im2col + GEMM (or Winograd F(2x2, 3x3) / F(4x4, 3x3) for 3x3 stride-1
// layers) over groups of samples, parallelised over the groups with OpenMP.
#pragma once
#include <optional>

#include "nn/ConvGeometry.h"
#include "nn/ConvWinograd.h"
#include "nn/Layer.h"

namespace mmlc::nn {

// Weight is (filters x C*kH*kW), i.e. ONNX's [F, C, kH, kW] in C order, so export is a plain copy.
class ConvLayer : public Layer {
 public:
  explicit ConvLayer(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;
  std::vector<Parameter*> parameters() override;
  const ConvGeometry& geometry() const { return g_; }
  bool usesWinograd() const { return winograd_.has_value(); }

 protected:
  Shape configure(const Shape& input, Random& rng) override;

 private:
  // Writes one sample's (K x P) patch matrix into col, whose rows are `ld` floats apart.
  void im2col(const float* x, float* col, long ld) const;
  // Adds a (K x P) patch-gradient block (rows `ld` apart) back onto one sample's input gradient.
  void col2im(const float* col, long ld, float* dx) const;
  ConvGeometry g_;
  // Set when the layer runs as Winograd (WinogradConv::suits; tile size WinogradConv::tileSizeFor),
  // else im2col + GEMM.
  std::optional<WinogradConv> winograd_;
  Parameter weight_, bias_;
};

}  // namespace mmlc::nn
