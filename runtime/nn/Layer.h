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
  // Records the fixed-point types an importer quantised this layer's weights / biases to
  // (LayerSpec::weightType/biasType; an empty string leaves the current one).
  void setQuantisedTypes(const std::string& weightType, const std::string& biasType) {
    if (!weightType.empty()) spec_.weightType = weightType;
    if (!biasType.empty()) spec_.biasType = biasType;
  }
  // The (first) input's shape; merge layers have several (inputShapes()).
  const Shape& inputShape() const { return in_; }
  const std::vector<Shape>& inputShapes() const { return ins_; }
  const Shape& outputShape() const { return out_; }

  // Checks the input shape(s), computes the output shape and allocates/initialises parameters.
  void build(const Shape& input, Random& rng) { build(std::vector<Shape>{input}, rng); }
  void build(const std::vector<Shape>& inputs, Random& rng) {
    ins_ = inputs;
    in_ = inputs.empty() ? Shape{} : inputs.front();
    out_ = configureInputs(inputs, rng);
  }
  // x: batch x in.size(); y is resized by the layer. `training` enables dropout and BN batch stats.
  virtual void forward(const Matrix& x, Matrix& y, bool training) = 0;
  // Given x, y from the last forward and dL/dy, accumulates parameter gradients (+=) and
  // writes dL/dx. Layers may keep caches from the last training forward.
  virtual void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) = 0;
  // Several inputs (one pointer per input, in spec().inputs order). Single-input layers forward
  // to forward()/backward(); merge layers override these. dxs[i] may be null: not needed.
  virtual void forwardInputs(const std::vector<const Matrix*>& xs, Matrix& y, bool training) {
    forward(*xs.front(), y, training);
  }
  virtual void backwardInputs(const std::vector<const Matrix*>& xs, const Matrix& y, const Matrix& dy,
                              const std::vector<Matrix*>& dxs) {
    backward(*xs.front(), y, dy, *dxs.front());
  }
  // Fusion (an execution detail of Network, docs/nn.md "Fused BatchNormalization + ReLU"): a layer
  // that returns true can apply a ReLU reading only its output itself, in its own passes over the
  // data, with exactly the float operations of running it and then the ReLU. forwardFusedRelu
  // writes z = relu(f(x)) without writing f(x); backwardFusedRelu gets dL/dz and z (z > 0 exactly
  // where f(x) > 0) and writes dL/dx, masking dL/dz inside its own backward.
  virtual bool fusesRelu() const { return false; }
  virtual void forwardFusedRelu(const Matrix& x, Matrix& z, bool training);
  virtual void backwardFusedRelu(const Matrix& x, const Matrix& z, const Matrix& dz, Matrix& dx);
  // True when dL/dx_i = dL/dy for every input and there are no parameters (Add): Network then
  // hands dL/dy on itself (moving the buffer to one input) instead of calling backwardInputs.
  virtual bool gradientPassesThrough() const { return false; }
  virtual std::vector<Parameter*> parameters() { return {}; }
  // Dropout-style layers need a per-network seed so training is reproducible.
  virtual void reseed(uint64_t) {}
  // The network's first layer does not need dL/dx; Dense and Conv then skip that GEMM
  // (a third of the first layer's backward cost) and leave dx unspecified.
  void setInputGradientNeeded(bool needed) { inputGradientNeeded_ = needed; }
  bool inputGradientNeeded() const { return inputGradientNeeded_; }

 protected:
  virtual Shape configure(const Shape& input, Random& rng) = 0;
  // Merge layers override this; the default accepts exactly one input.
  virtual Shape configureInputs(const std::vector<Shape>& inputs, Random& rng);
  LayerSpec spec_;
  Shape in_, out_;
  std::vector<Shape> ins_;
  bool inputGradientNeeded_ = true;
};

// Creates the layer a spec describes (throws Error for an unknown kind).
std::unique_ptr<Layer> makeLayer(const LayerSpec& spec);

}  // namespace mmlc::nn
