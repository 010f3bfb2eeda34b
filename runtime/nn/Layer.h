// Abstract layer: shape inference, parameter allocation, forward and backward on a batch.
#pragma once
#include <memory>
#include <vector>

#include "nn/LayerSpec.h"
#include "nn/Parameter.h"
#include "nn/Random.h"
#include "nn/Tensor.h"

namespace mmlc::nn {

class Layer {
 public:
  explicit Layer(LayerSpec spec) : spec_(std::move(spec)) {}
  virtual ~Layer() = default;

  const LayerSpec& spec() const { return spec_; }
  const Shape& inputShape() const { return in_; }
  const Shape& outputShape() const { return out_; }

  // Checks the input shape, computes the output shape and allocates/initialises parameters.
  void build(const Shape& input, Random& rng) {
    in_ = input;
    out_ = configure(input, rng);
  }
  // x: batch x in.size(); y is resized by the layer. `training` enables dropout and BN batch stats.
  virtual void forward(const Matrix& x, Matrix& y, bool training) = 0;
  // Given x, y from the last forward and dL/dy, accumulates parameter gradients (+=) and
  // writes dL/dx. Layers may keep caches from the last training forward.
  virtual void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) = 0;
  virtual std::vector<Parameter*> parameters() { return {}; }
  // Dropout-style layers need a per-network seed so training is reproducible.
  virtual void reseed(uint64_t) {}
  // The network's first layer does not need dL/dx; Dense and Conv then skip that GEMM
  // (a third of the first layer's backward cost) and leave dx unspecified.
  void setInputGradientNeeded(bool needed) { inputGradientNeeded_ = needed; }
  bool inputGradientNeeded() const { return inputGradientNeeded_; }

 protected:
  virtual Shape configure(const Shape& input, Random& rng) = 0;
  LayerSpec spec_;
  Shape in_, out_;
  bool inputGradientNeeded_ = true;
};

// Creates the layer a spec describes (throws Error for an unknown kind).
std::unique_ptr<Layer> makeLayer(const LayerSpec& spec);

}  // namespace mmlc::nn
