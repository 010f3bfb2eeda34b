// MaxPool and AveragePool over (C,H,W) or (C,L) inputs, unpadded or with "same" padding.
#pragma once
#include "nn/ConvGeometry.h"
#include "nn/Layer.h"

namespace mmlc::nn {

class PoolLayer : public Layer {
 public:
  explicit PoolLayer(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;
  const ConvGeometry& geometry() const { return g_; }

 protected:
  Shape configure(const Shape& input, Random&) override;

 private:
  // "Same" padding: windows clipped to the input (max over the values inside; the average divides
  // by their count, like Keras and ONNX's count_include_pad=0).
  void forwardPadded(const Matrix& x, Matrix& y);
  void backwardPadded(const Matrix& x, const Matrix& dy, Matrix& dx);
  bool padded() const { return g_.same && (g_.pH || g_.pW || g_.padBottom() || g_.padRight()); }

  bool max_;
  ConvGeometry g_;
  std::vector<int> argmax_;  // per output element of the last forward: input offset of the max
};

}  // namespace mmlc::nn
