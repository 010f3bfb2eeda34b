// A network: an input shape plus layers in topological order (a chain or a DAG), batched forward/backward.
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

  // Appends a layer reading spec.inputs (empty: the previous layer's output, or the network input
  // for the first layer); assigns "<kind>_<index>" if unnamed. An input must be "input" or an
  // earlier layer, so layers are always in topological order and a cycle cannot be built; an
  // unknown name (dangling input) or a shape mismatch at a merge throws Error.
  Network& add(LayerSpec spec);
  // Builds a network from specs in any order: sorts them topologically (keeping the given order
  // where it already is one) and adds them. Throws Error naming the layers of a cycle or a
  // dangling input, and when a layer other than the last one's output is never read.
  static Network fromSpecs(Shape input, uint64_t seed, const std::vector<LayerSpec>& specs);

  size_t size() const { return layers_.size(); }
  Layer& layer(size_t i) { return *layers_.at(i); }
  const Layer& layer(size_t i) const { return *layers_.at(i); }
  const Shape& inputShape() const { return input_; }
  const Shape& outputShape() const { return layers_.empty() ? input_ : layers_.back()->outputShape(); }
  std::vector<LayerSpec> specs() const;
  // Where layer i reads from: activation indices, 0 = the network input, j + 1 = layer j's output.
  const std::vector<int>& sources(size_t i) const { return sources_.at(i); }
  // Layers reading layer i's output (indices, ascending); the last layer has none.
  std::vector<int> consumers(size_t i) const;
  // True when every layer reads exactly the previous one (a sequential network).
  bool isChain() const { return chain_; }
  // Index of the layer with this name, or -1.
  int indexOf(const std::string& name) const;
  // Shape of activation `a` (0 = input, j + 1 = layer j's output).
  const Shape& activationShape(int a) const { return a == 0 ? input_ : layers_.at(a - 1)->outputShape(); }
  uint64_t seed() const { return seed_; }
  // Layer fusion (docs/nn.md, "Fused BatchNormalization + ReLU"): on by default, an execution
  // detail with bit-identical results; off runs every layer on its own (tests compare the two).
  void setLayerFusion(bool enabled);
  bool layerFusion() const { return fusionEnabled_; }
  // The ReLU layer that layer i applied itself in the last forward(), or -1.
  int fusedRelu(size_t i) const { return i < fusion_.size() ? fusion_[i].relu : -1; }

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
  // Deep copy: same architecture, values, masks and fusion setting; fresh gradients.
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
  std::vector<std::vector<int>> sources_;  // per layer: activation indices it reads
  bool chain_ = true;
  // How forward()/backward() run layer i. relu >= 0: layer i applies that ReLU layer itself (its
  // output goes straight to activation relu + 1; its own activation stays empty and it gets no
  // gradient buffer). appliedBy >= 0: this ReLU is run by that layer and skipped.
  struct Fusion {
    int relu = -1;
    int appliedBy = -1;
  };
  // Plans fusion when the layers or the setting changed: a layer that fusesRelu() whose only
  // reader is a ReLU reading only it.
  void planFusion();
  // The activation layer i's forward writes (i + 1, or its fused ReLU's).
  int outputOf(size_t i) const { return fusion_[i].relu >= 0 ? fusion_[i].relu + 1 : static_cast<int>(i) + 1; }
  bool fusionEnabled_ = true;
  bool fusionPlanned_ = false;
  std::vector<Fusion> fusion_;
  std::vector<Matrix> activations_;  // activations_[0] = input copy, [i+1] = output of layer i
  std::vector<Matrix> grads_;        // dL/d(activation), per activation (graphs: summed over its consumers)
  std::vector<Matrix> scratch_;      // graphs: one dL/dx per input of the layer being back-propagated
};

}  // namespace mmlc::nn
