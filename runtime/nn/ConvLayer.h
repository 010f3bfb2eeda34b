// Conv1D/Conv2D via im2col + GEMM over groups of samples, parallelised over the groups with OpenMP.
#pragma once
#include "nn/ConvGeometry.h"
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

 protected:
  Shape configure(const Shape& input, Random& rng) override;

 private:
  // Writes one sample's (K x P) patch matrix into col, whose rows are `ld` floats apart.
  void im2col(const float* x, float* col, long ld) const;
  // Adds a (K x P) patch-gradient block (rows `ld` apart) back onto one sample's input gradient.
  void col2im(const float* col, long ld, float* dx) const;
  // How a batch is cut into GEMM groups (see ConvLayer.cpp): `count` groups of `base` samples,
  // the first `extra` of them one sample more.
  struct SampleGroups {
    long count, base, extra;
    long first(long g) const { return g * base + std::min(g, extra); }
    long size(long g) const { return base + (g < extra ? 1 : 0); }
    long largest() const { return base + (extra > 0 ? 1 : 0); }
  };
  SampleGroups sampleGroups(long batch) const;
  ConvGeometry g_;
  Parameter weight_, bias_;
};

}  // namespace mmlc::nn
