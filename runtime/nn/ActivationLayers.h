// Element-wise activations (one table in ActivationLayers.cpp: ReLU, LeakyReLU, Sigmoid, Tanh, ELU,
// SELU, HardSigmoid, Clip, Softplus, Softsign), PReLU (a learned slope per element) and Softmax.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "nn/Layer.h"

namespace mmlc::nn {

struct ElementwiseFunction;

// Whether `kind` (a LayerSpec kind) is one of the element-wise activations.
bool isElementwiseActivation(const std::string& kind);
// Every element-wise activation as (LayerSpec kind, .mml spelling), in table order.
std::vector<std::pair<std::string, std::string>> elementwiseActivations();
// The layer of an .mml activation name ("relu" -> ReLU); throws nn::Error for an unknown name.
LayerSpec activationFromMmlName(const std::string& mmlName);

// One class for the stateless element-wise family: they differ only in f and f'.
class ElementwiseActivation : public Layer {
 public:
  explicit ElementwiseActivation(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override { return input; }

 private:
  const ElementwiseFunction* function_ = nullptr;
};

// x > 0 ? x : alpha_i * x with one learned slope per element (parameter `<layer>.alpha`, 1 x size),
// as hls4ml's prelu; ONNX PRelu's per-channel slopes are broadcast on import.
class PReLULayer : public Layer {
 public:
  explicit PReLULayer(LayerSpec spec) : Layer(std::move(spec)) {}
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;
  std::vector<Parameter*> parameters() override { return {&alpha_}; }

 protected:
  Shape configure(const Shape& input, Random&) override;

 private:
  Parameter alpha_;
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
