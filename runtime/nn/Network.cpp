// Network (chain or DAG): layer wiring, activation bookkeeping, gradient accumulation, parameters, cloning.
#include "nn/Network.h"

#include <functional>
#include <map>

#include "nn/Error.h"
#include "nn/ParallelChunks.h"

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

int Network::indexOf(const std::string& name) const {
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i]->spec().name == name) return static_cast<int>(i);
  return -1;
}

Network& Network::add(LayerSpec spec) {
  if (spec.name.empty()) spec.name = spec.kind + "_" + std::to_string(layers_.size());
  if (spec.name == "input") throw Error("layer name 'input' is reserved for the network input");
  for (auto& l : layers_)
    if (l->spec().name == spec.name) throw Error("duplicate layer name '" + spec.name + "'");
  std::vector<int> sources;
  if (spec.inputs.empty()) {
    sources.push_back(static_cast<int>(layers_.size()));
  } else {
    for (const std::string& in : spec.inputs) {
      if (in == "input") {
        sources.push_back(0);
        continue;
      }
      const int j = indexOf(in);
      if (j < 0)
        throw Error("layer '" + spec.name + "' reads '" + in +
                    "', which is neither the network input nor an earlier layer");
      sources.push_back(j + 1);
    }
  }
  std::vector<Shape> shapes;
  for (int a : sources) shapes.push_back(activationShape(a));
  auto layer = makeLayer(spec);
  layer->build(shapes, initRng_);
  layer->reseed(seed_ * 0x9E3779B97F4A7C15ull + layers_.size() + 1);
  bool readsInput = false;
  for (int a : sources) readsInput = readsInput || a == 0;
  layer->setInputGradientNeeded(!readsInput);
  fusionPlanned_ = false;
  chain_ = chain_ && sources.size() == 1 && sources[0] == static_cast<int>(layers_.size());
  sources_.push_back(std::move(sources));
  layers_.push_back(std::move(layer));
  return *this;
}

std::vector<int> Network::consumers(size_t i) const {
  std::vector<int> out;
  for (size_t k = i + 1; k < layers_.size(); ++k)
    for (int a : sources_[k])
      if (a == static_cast<int>(i) + 1) {
        out.push_back(static_cast<int>(k));
        break;
      }
  return out;
}

Network Network::fromSpecs(Shape input, uint64_t seed, const std::vector<LayerSpec>& specs) {
  const size_t n = specs.size();
  std::map<std::string, size_t> byName;
  for (size_t i = 0; i < n; ++i) {
    const std::string name = specs[i].name.empty() ? specs[i].kind + "_" + std::to_string(i) : specs[i].name;
    if (!byName.emplace(name, i).second) throw Error("duplicate layer name '" + name + "'");
  }
  // deps[i]: spec indices layer i reads (an empty input list reads the layer listed before it).
  std::vector<std::vector<size_t>> deps(n);
  for (size_t i = 0; i < n; ++i) {
    if (specs[i].inputs.empty()) {
      if (i > 0) deps[i].push_back(i - 1);
      continue;
    }
    for (const std::string& in : specs[i].inputs) {
      if (in == "input") continue;
      auto it = byName.find(in);
      if (it == byName.end())
        throw Error("layer '" + specs[i].name + "' reads '" + in + "', which is neither the network input nor a layer");
      deps[i].push_back(it->second);
    }
  }
  // Depth-first topological sort in listing order; a grey node reached again closes a cycle.
  std::vector<int> state(n, 0);  // 0 new, 1 on the stack, 2 done
  std::vector<size_t> order, stack;
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] == 2) return;
    if (state[i] == 1) {
      // The stack holds readers above what they read: from its top down is the data flow.
      std::string cycle = specs[i].name;
      for (size_t k = stack.size(); k-- > 0 && stack[k] != i;) cycle += " -> " + specs[stack[k]].name;
      throw Error("layers form a cycle: " + cycle + " -> " + specs[i].name);
    }
    state[i] = 1;
    stack.push_back(i);
    for (size_t d : deps[i]) visit(d);
    stack.pop_back();
    state[i] = 2;
    order.push_back(i);
  };
  for (size_t i = 0; i < n; ++i) visit(i);
  Network net(std::move(input), seed);
  for (size_t k = 0; k < n; ++k) {
    LayerSpec s = specs[order[k]];
    // An implicit input means "the layer listed before"; after reordering it must be named.
    if (s.inputs.empty() && order[k] > 0 && (k == 0 || order[k - 1] != order[k] - 1))
      s.inputs = {specs[order[k] - 1].name};
    net.add(s);
  }
  for (size_t i = 0; i + 1 < net.size(); ++i)
    if (net.consumers(i).empty())
      throw Error("the output of layer '" + net.layer(i).spec().name +
                  "' is never read; only the last layer's output may be the network's output");
  return net;
}

std::vector<LayerSpec> Network::specs() const {
  std::vector<LayerSpec> out;
  for (auto& l : layers_) out.push_back(l->spec());
  return out;
}

void Network::setLayerFusion(bool enabled) {
  fusionEnabled_ = enabled;
  fusionPlanned_ = false;
}

void Network::planFusion() {
  if (fusionPlanned_ && fusion_.size() == layers_.size()) return;
  const size_t n = layers_.size();
  fusion_.assign(n, Fusion{});
  if (fusionEnabled_) {
    // consumers() per layer is quadratic; one sweep over the sources counts readers instead.
    std::vector<int> readers(n + 1, 0), reader(n + 1, -1);
    for (size_t k = 0; k < n; ++k)
      for (size_t j = 0; j < sources_[k].size(); ++j) {
        const int a = sources_[k][j];
        bool repeated = false;  // a layer reading one activation twice is still one reader
        for (size_t i = 0; i < j; ++i) repeated = repeated || sources_[k][i] == a;
        if (repeated) continue;
        ++readers[a];
        reader[a] = static_cast<int>(k);
      }
    for (size_t i = 0; i < n; ++i) {
      const int a = static_cast<int>(i) + 1, r = reader[a];
      if (!layers_[i]->fusesRelu() || readers[a] != 1 || fusion_[i].appliedBy >= 0) continue;
      if (layers_[r]->spec().kind != "ReLU" || sources_[r].size() != 1) continue;
      fusion_[i].relu = r;
      fusion_[r].appliedBy = static_cast<int>(i);
    }
  }
  fusionPlanned_ = true;
}

const Matrix& Network::forward(const Matrix& x, bool training) {
  if (x.cols() != input_.size())
    throw Error("network input has " + std::to_string(x.cols()) + " features per sample, expected " +
                std::to_string(input_.size()) + " for shape " + input_.str());
  planFusion();
  activations_.resize(layers_.size() + 1);
  activations_[0] = x;
  std::vector<const Matrix*> xs;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Fusion& f = fusion_[i];
    if (f.appliedBy >= 0) continue;  // computed by the layer it reads
    if (f.relu >= 0) {
      activations_[i + 1].resize(0, 0);  // never written: the fused ReLU's output replaces it
      layers_[i]->forwardFusedRelu(activations_[sources_[i][0]], activations_[f.relu + 1], training);
      continue;
    }
    if (chain_) {
      layers_[i]->forward(activations_[i], activations_[i + 1], training);
      continue;
    }
    xs.clear();
    for (int a : sources_[i]) xs.push_back(&activations_[a]);
    layers_[i]->forwardInputs(xs, activations_[i + 1], training);
  }
  return activations_.back();
}

namespace {
// into += g (same shape), over row chunks in parallel.
void accumulate(Matrix& into, const Matrix& g) {
  forEachChunk(g.rows(), memoryRowGrain(g.cols(), 3),
               [&](long b, long e) { into.middleRows(b, e - b) += g.middleRows(b, e - b); });
}
}  // namespace

void Network::backward(const Matrix& dOutput) {
  if (activations_.size() != layers_.size() + 1) throw Error("backward() called before forward()");
  // Each activation's gradient has a buffer of its own, kept between calls: the sizes differ from
  // layer to layer, so shared ping-pong buffers were reallocated (fresh pages) on every call.
  const size_t n = layers_.size();
  grads_.resize(n + 1);
  if (chain_) {
    // A skipped (fused) ReLU leaves dy as dL/d(its output), which the layer before it masks itself.
    const Matrix* dy = &dOutput;
    for (size_t k = n; k-- > 0;) {
      const Fusion& f = fusion_[k];
      if (f.appliedBy >= 0) continue;
      if (f.relu >= 0)
        layers_[k]->backwardFusedRelu(activations_[k], activations_[f.relu + 1], *dy, grads_[k]);
      else
        layers_[k]->backward(activations_[k], activations_[k + 1], *dy, grads_[k]);
      dy = &grads_[k];
    }
    return;
  }
  // A graph: walk the layers backwards; an activation read by several layers sums their
  // gradients (in descending layer order, so results do not depend on anything but the graph).
  // The first layer to reach an activation writes its gradient buffer directly; later ones write
  // into scratch and add.
  std::vector<char> have(n + 1, 0);
  grads_[n] = dOutput;
  have[n] = 1;
  std::vector<const Matrix*> xs;
  std::vector<Matrix*> dxs;
  std::vector<char> direct;
  for (size_t k = n; k-- > 0;) {
    if (fusion_[k].appliedBy >= 0) continue;  // back-propagated by the layer that applied it
    const int out = outputOf(k);
    if (!have[out]) continue;  // nothing downstream depends on this layer
    const std::vector<int>& src = sources_[k];
    if (layers_[k]->gradientPassesThrough()) {
      // Every input's gradient is dL/dy: added where one is already held, else copied; the last
      // input takes the buffer itself (nothing reads it after this layer). Same sums as
      // backwardInputs writing copies and adding them.
      size_t last = src.size();
      for (size_t j = 0; j < src.size(); ++j)
        if (src[j] != 0) last = j;
      for (size_t j = 0; j < src.size(); ++j) {
        const int a = src[j];
        if (a == 0) continue;
        if (have[a]) {
          accumulate(grads_[a], grads_[out]);
        } else if (j == last) {
          grads_[a].swap(grads_[out]);
        } else {
          grads_[a].resize(grads_[out].rows(), grads_[out].cols());
          forEachChunk(grads_[a].rows(), memoryRowGrain(grads_[a].cols(), 2),
                       [&](long b, long e) { grads_[a].middleRows(b, e - b) = grads_[out].middleRows(b, e - b); });
        }
        have[a] = 1;
      }
      continue;
    }
    scratch_.resize(std::max(scratch_.size(), src.size()));
    xs.clear();
    dxs.clear();
    direct.assign(src.size(), 0);
    for (size_t j = 0; j < src.size(); ++j) {
      const int a = src[j];
      xs.push_back(&activations_[a]);
      bool taken = have[a];  // already holds a gradient, or an earlier input of this layer writes it
      for (size_t i = 0; i < j; ++i) taken = taken || (direct[i] && src[i] == a);
      direct[j] = a != 0 && !taken;
      dxs.push_back(a == 0 ? nullptr : direct[j] ? &grads_[a] : &scratch_[j]);
    }
    if (!layers_[k]->inputGradientNeeded() && src.size() == 1) dxs[0] = &scratch_[0];  // left unspecified
    if (fusion_[k].relu >= 0)
      layers_[k]->backwardFusedRelu(*xs[0], activations_[out], grads_[out], *dxs[0]);
    else
      layers_[k]->backwardInputs(xs, activations_[k + 1], grads_[k + 1], dxs);
    for (size_t j = 0; j < src.size(); ++j) {
      const int a = src[j];
      if (a == 0) continue;  // the network input needs no gradient
      if (dxs[j] == &grads_[a]) {
        have[a] = 1;
      } else if (!have[a]) {
        grads_[a].swap(scratch_[j]);
        have[a] = 1;
      } else {
        accumulate(grads_[a], scratch_[j]);
      }
    }
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
  copy.fusionEnabled_ = fusionEnabled_;
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
    std::string from;
    for (const std::string& in : l->spec().inputs) from += (from.empty() ? " <- " : ", ") + in;
    out += l->spec().name + " (" + l->spec().kind + ")" + from + " -> " + l->outputShape().str() + ", " + std::to_string(count) +
           " parameters\n";
  }
  return out + "total " + std::to_string(parameterCount()) + " trainable parameters\n";
}

}  // namespace mmlc::nn
