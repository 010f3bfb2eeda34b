// A sequential network: an input shape plus an ordered list of layers, with batched forward/backward.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/Layer.h"

namespace mmlc::nn {

class Network {
 public:
  // `seed` drives weight initialisation (in add order) and dropout masks.
  explicit Network(Shape input, uint64_t seed = 0);
  Network(Network&&) noexcept = default;
  Network& operator=(Network&&) noexcept = default;

  // Appends a layer built for the current output shape; assigns "<kind>_<index>" if unnamed.
  Network& add(LayerSpec spec);

  size_t size() const { return layers_.size(); }
  Layer& layer(size_t i) { return *layers_.at(i); }
  const Layer& layer(size_t i) const { return *layers_.at(i); }
  const Shape& inputShape() const { return input_; }
  const Shape& outputShape() const { return layers_.empty() ? input_ : layers_.back()->outputShape(); }
  std::vector<LayerSpec> specs() const;
  uint64_t seed() const { return seed_; }

  // x: batch x inputShape().size(). Keeps activations for backward().
  const Matrix& forward(const Matrix& x, bool training = false);
  // Back-propagates dL/d(output of the last forward), accumulating into parameter gradients.
  void backward(const Matrix& dOutput);
  void zeroGradients();
  // Inference in chunks so huge inputs do not hold every activation at once.
  Matrix predict(const Matrix& x, long batchSize = 2048);

  std::vector<Parameter*> parameters();
  // Throws Error if no parameter has this name.
  Parameter& parameter(const std::string& name);
  long parameterCount();
  // Deep copy: same architecture, values, masks; fresh gradients.
  Network clone() const;
  // Copies values and masks from a network with identical parameter names and shapes.
  void copyParametersFrom(Network& other);
  // Re-seeds the dropout layers (the trainer does this per fit so runs are reproducible).
  void reseedDropout(uint64_t seed);
  // One line per layer: name, kind, output shape, trainable parameter count (for logs and reports).
  std::string summary();

 private:
  Shape input_;
  uint64_t seed_;
  Random initRng_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Matrix> activations_;  // activations_[0] = input copy, [i+1] = output of layer i
  Matrix gradA_, gradB_;             // ping-pong buffers for backward
};

}  // namespace mmlc::nn
