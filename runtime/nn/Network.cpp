// Sequential network: layer building, activation bookkeeping, parameter access and cloning.
#include "nn/Network.h"

#include "nn/Error.h"

namespace mmlc::nn {

Network::Network(Shape input, uint64_t seed) : input_(std::move(input)), seed_(seed), initRng_(seed) {
  // Layers parallelise themselves over fixed chunks; Eigen must not split GEMMs by thread count
  // on its own, or inference results would depend on the number of threads.
  Eigen::setNbThreads(1);
  if (input_.rank() < 1 || input_.rank() > 3 || input_.size() <= 0)
    throw Error("network input shape must have 1 to 3 positive dimensions, got " + input_.str());
  for (int d : input_.dims)
    if (d <= 0) throw Error("network input shape has a non-positive dimension: " + input_.str());
}

Network& Network::add(LayerSpec spec) {
  if (spec.name.empty()) spec.name = spec.kind + "_" + std::to_string(layers_.size());
  for (auto& l : layers_)
    if (l->spec().name == spec.name) throw Error("duplicate layer name '" + spec.name + "'");
  auto layer = makeLayer(spec);
  layer->build(outputShape(), initRng_);
  layer->reseed(seed_ * 0x9E3779B97F4A7C15ull + layers_.size() + 1);
  layer->setInputGradientNeeded(!layers_.empty());
  layers_.push_back(std::move(layer));
  return *this;
}

std::vector<LayerSpec> Network::specs() const {
  std::vector<LayerSpec> out;
  for (auto& l : layers_) out.push_back(l->spec());
  return out;
}

const Matrix& Network::forward(const Matrix& x, bool training) {
  if (x.cols() != input_.size())
    throw Error("network input has " + std::to_string(x.cols()) + " features per sample, expected " +
                std::to_string(input_.size()) + " for shape " + input_.str());
  activations_.resize(layers_.size() + 1);
  activations_[0] = x;
  for (size_t i = 0; i < layers_.size(); ++i) layers_[i]->forward(activations_[i], activations_[i + 1], training);
  return activations_.back();
}

void Network::backward(const Matrix& dOutput) {
  if (activations_.size() != layers_.size() + 1) throw Error("backward() called before forward()");
  const Matrix* dy = &dOutput;
  Matrix* bufs[2] = {&gradA_, &gradB_};
  for (size_t k = layers_.size(); k-- > 0;) {
    Matrix* dx = bufs[k % 2];
    layers_[k]->backward(activations_[k], activations_[k + 1], *dy, *dx);
    dy = dx;
  }
}

void Network::zeroGradients() {
  for (Parameter* p : parameters()) p->grad.setZero();
}

Matrix Network::predict(const Matrix& x, long batchSize) {
  Matrix out(x.rows(), outputShape().size());
  for (long start = 0; start < x.rows(); start += batchSize) {
    const long n = std::min(batchSize, x.rows() - start);
    out.middleRows(start, n) = forward(x.middleRows(start, n), false);
  }
  return out;
}

std::vector<Parameter*> Network::parameters() {
  std::vector<Parameter*> out;
  for (auto& l : layers_)
    for (Parameter* p : l->parameters()) out.push_back(p);
  return out;
}

Parameter& Network::parameter(const std::string& name) {
  for (Parameter* p : parameters())
    if (p->name == name) return *p;
  throw Error("network has no parameter named '" + name + "'");
}

long Network::parameterCount() {
  long n = 0;
  for (Parameter* p : parameters())
    if (p->trainable) n += p->value.size();
  return n;
}

Network Network::clone() const {
  Network copy(input_, seed_);
  for (auto& l : layers_) copy.add(l->spec());
  copy.copyParametersFrom(const_cast<Network&>(*this));
  return copy;
}

void Network::copyParametersFrom(Network& other) {
  auto mine = parameters();
  auto theirs = other.parameters();
  if (mine.size() != theirs.size()) throw Error("cannot copy parameters: networks differ in parameter count");
  for (size_t i = 0; i < mine.size(); ++i) {
    if (mine[i]->name != theirs[i]->name || mine[i]->value.rows() != theirs[i]->value.rows() ||
        mine[i]->value.cols() != theirs[i]->value.cols())
      throw Error("cannot copy parameter '" + theirs[i]->name + "': name or shape differs");
    mine[i]->value = theirs[i]->value;
    mine[i]->mask = theirs[i]->mask;
  }
}

void Network::reseedDropout(uint64_t seed) {
  for (size_t i = 0; i < layers_.size(); ++i) layers_[i]->reseed(seed * 0x9E3779B97F4A7C15ull + i + 1);
}

}  // namespace mmlc::nn

namespace mmlc::nn {

std::string Network::summary() {
  std::string out = "input " + input_.str() + "\n";
  for (auto& l : layers_) {
    long count = 0;
    for (Parameter* p : l->parameters())
      if (p->trainable) count += p->value.size();
    out += l->spec().name + " (" + l->spec().kind + ") -> " + l->outputShape().str() + ", " + std::to_string(count) +
           " parameters\n";
  }
  return out + "total " + std::to_string(parameterCount()) + " trainable parameters\n";
}

}  // namespace mmlc::nn
