// MaxPool and AveragePool over (C,H,W) or (C,L) inputs, no padding.
#pragma once
#include "nn/ConvGeometry.h"
#include "nn/Layer.h"

namespace mmlc::nn {

class PoolLayer : public Layer {
 public:
  explicit PoolLayer(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override;

 private:
  bool max_;
  ConvGeometry g_;
  std::vector<int> argmax_;  // per output element of the last forward: input offset of the max
};

}  // namespace mmlc::nn
