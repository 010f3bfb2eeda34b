// Inverted dropout: scales kept activations by 1/(1-rate) in training, identity at inference.
#pragma once
#include "nn/Layer.h"

namespace mmlc::nn {

class DropoutLayer : public Layer {
 public:
  explicit DropoutLayer(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;
  void reseed(uint64_t seed) override { rng_.reseed(seed); }

 protected:
  Shape configure(const Shape& input, Random&) override { return input; }

 private:
  Random rng_;
  Matrix keep_;  // 0 or 1/(1-rate) per element of the last training batch
  bool lastWasTraining_ = false;
};

}  // namespace mmlc::nn
