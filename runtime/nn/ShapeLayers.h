// Layers that only change how a sample's values are laid out: Flatten, Reshape, Transpose.
#pragma once
#include "nn/Layer.h"

namespace mmlc::nn {

// Flatten and Reshape keep the C-order value sequence, so they are copies with a new shape.
class ReshapeLayer : public Layer {
 public:
  explicit ReshapeLayer(LayerSpec spec) : Layer(std::move(spec)) {}
  void forward(const Matrix& x, Matrix& y, bool) override { y = x; }
  void backward(const Matrix&, const Matrix&, const Matrix& dy, Matrix& dx) override { dx = dy; }

 protected:
  Shape configure(const Shape& input, Random&) override;
};

// Permutes the per-sample dimensions (e.g. NHWC -> NCHW for Keras-exported ONNX models).
class TransposeLayer : public Layer {
 public:
  explicit TransposeLayer(LayerSpec spec) : Layer(std::move(spec)) {}
  void forward(const Matrix& x, Matrix& y, bool) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override;

 private:
  std::vector<long> sourceIndex_;  // output element i reads input element sourceIndex_[i]
};

}  // namespace mmlc::nn
