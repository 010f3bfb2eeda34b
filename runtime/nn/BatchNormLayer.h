// Batch normalisation per feature (flat input) or per channel (C,...) with running statistics.
#pragma once
#include "nn/Layer.h"

namespace mmlc::nn {

// Running statistics are non-trainable Parameters so save/load, ONNX export and copies treat
// them like any other tensor. Momentum follows Keras/ONNX: running = m*running + (1-m)*batch.
class BatchNormLayer : public Layer {
 public:
  explicit BatchNormLayer(LayerSpec spec) : Layer(std::move(spec)) {}
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;
  bool fusesRelu() const override { return true; }
  void forwardFusedRelu(const Matrix& x, Matrix& z, bool training) override;
  void backwardFusedRelu(const Matrix& x, const Matrix& z, const Matrix& dz, Matrix& dx) override;
  std::vector<Parameter*> parameters() override { return {&gamma_, &beta_, &mean_, &variance_}; }

 protected:
  Shape configure(const Shape& input, Random&) override;

 private:
  // One implementation for both: Relu applies max(., 0) to the output / masks dy with z > 0.
  template <bool Relu>
  void forwardImpl(const Matrix& x, Matrix& y, bool training);
  template <bool Relu>
  void backwardImpl(const Matrix& x, const Matrix& dy, Matrix& dx);

  long channels_ = 0, spatial_ = 1;
  Parameter gamma_, beta_, mean_, variance_;
  // Per channel, of the last training batch: its mean and 1/sqrt(variance + epsilon). The backward
  // pass recomputes the normalised input from them (storing it cost a pass over the activations).
  Eigen::VectorXf batchMean_, invStd_;
  // Per channel, the last forward's y = x * scale + shift (the fused backward's ReLU mask).
  Eigen::VectorXf scale_, shift_;
  std::vector<float> partial_;  // per (sample, channel): two float sums, added per channel in double
  bool lastWasTraining_ = false;
};

}  // namespace mmlc::nn
