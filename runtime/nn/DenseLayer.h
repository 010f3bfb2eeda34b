// Fully connected layer y = x W + b with W stored (in x out) so the forward pass is one GEMM.
#pragma once
#include "nn/Layer.h"

namespace mmlc::nn {

class DenseLayer : public Layer {
 public:
  explicit DenseLayer(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;
  std::vector<Parameter*> parameters() override;
  Parameter& weight() { return weight_; }
  Parameter& bias() { return bias_; }

 protected:
  Shape configure(const Shape& input, Random& rng) override;

 private:
  Parameter weight_, bias_;
};

}  // namespace mmlc::nn
