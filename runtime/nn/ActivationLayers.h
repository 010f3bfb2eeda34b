// Element-wise activations (ReLU, LeakyReLU, Sigmoid, Tanh) and Softmax over the last dimension.
#pragma once
#include "nn/Layer.h"

namespace mmlc::nn {

// One class for the stateless element-wise family: they differ only in f and f'.
class ElementwiseActivation : public Layer {
 public:
  explicit ElementwiseActivation(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override { return input; }

 private:
  enum class Function { ReLU, LeakyReLU, Sigmoid, Tanh } function_;
};

// Softmax over the last per-sample dimension (the whole row for flat inputs).
class SoftmaxLayer : public Layer {
 public:
  explicit SoftmaxLayer(LayerSpec spec) : Layer(std::move(spec)) {}
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override { return input; }
};

}  // namespace mmlc::nn
