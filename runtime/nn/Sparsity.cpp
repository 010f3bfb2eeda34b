// Mask bookkeeping and magnitude pruning (sorting |w| with index tie-breaks for determinism).
#include "nn/Sparsity.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nn/Error.h"

namespace mmlc::nn {

void setMask(Parameter& p, const Matrix& mask) {
  if (mask.rows() != p.value.rows() || mask.cols() != p.value.cols())
    throw Error("mask for '" + p.name + "' is " + std::to_string(mask.rows()) + "x" + std::to_string(mask.cols()) +
                " but the tensor is " + std::to_string(p.value.rows()) + "x" + std::to_string(p.value.cols()));
  for (long i = 0; i < mask.size(); ++i)
    if (mask.data()[i] != 0.0f && mask.data()[i] != 1.0f)
      throw Error("mask for '" + p.name + "' must contain only 0 and 1");
  p.mask = mask;
  p.applyMask();
}

void clearMask(Parameter& p) { p.mask.resize(0, 0); }

long countNonZeros(const Parameter& p) { return static_cast<long>((p.value.array() != 0.0f).count()); }

double sparsity(const Parameter& p) {
  return p.value.size() ? 1.0 - static_cast<double>(countNonZeros(p)) / p.value.size() : 0.0;
}

std::vector<Parameter*> prunableWeights(Network& net) {
  std::vector<Parameter*> out;
  for (size_t i = 0; i < net.size(); ++i) {
    const std::string& k = net.layer(i).spec().kind;
    if (k == "Dense" || k == "Conv1D" || k == "Conv2D") out.push_back(net.layer(i).parameters().front());
  }
  return out;
}

std::map<std::string, double> layerSparsity(Network& net) {
  std::map<std::string, double> out;
  for (Parameter* p : prunableWeights(net)) out[p->name] = sparsity(*p);
  return out;
}

double globalSparsity(Network& net) {
  long zeros = 0, total = 0;
  for (Parameter* p : prunableWeights(net)) {
    total += p->value.size();
    zeros += p->value.size() - countNonZeros(*p);
  }
  return total ? static_cast<double>(zeros) / total : 0.0;
}

long countNonZeros(Network& net) {
  long n = 0;
  for (Parameter* p : net.parameters())
    if (p->trainable) n += countNonZeros(*p);
  return n;
}

long nonZeroMacs(Network& net) {
  long macs = 0;
  for (size_t i = 0; i < net.size(); ++i) {
    Layer& layer = net.layer(i);
    const std::string& k = layer.spec().kind;
    if (k != "Dense" && k != "Conv1D" && k != "Conv2D") continue;
    const Parameter& kernel = *layer.parameters().front();
    long outputs = layer.outputShape().size();
    // Dense: one output per unit; Conv: channels-first (filters, positions...).
    long filters = k == "Dense" ? outputs : layer.outputShape().dims.front();
    macs += countNonZeros(kernel) * (outputs / std::max(1L, filters));
  }
  return macs;
}

static void checkTarget(double target) {
  if (!(target >= 0.0 && target <= 1.0)) throw Error("pruning target sparsity must be in [0, 1]");
}

// Masks the `count` smallest |w| entries across `params` (masked entries count as magnitude -1 so they go first).
static void pruneSmallest(const std::vector<Parameter*>& params, long count) {
  struct Entry { float magnitude; size_t param; long index; };
  std::vector<Entry> entries;
  for (size_t k = 0; k < params.size(); ++k) {
    const Parameter& p = *params[k];
    for (long i = 0; i < p.value.size(); ++i) {
      const bool masked = p.hasMask() && p.mask.data()[i] == 0.0f;
      entries.push_back({masked ? -1.0f : std::abs(p.value.data()[i]), k, i});
    }
  }
  count = std::min<long>(count, entries.size());
  std::partial_sort(entries.begin(), entries.begin() + count, entries.end(), [](const Entry& a, const Entry& b) {
    if (a.magnitude != b.magnitude) return a.magnitude < b.magnitude;
    if (a.param != b.param) return a.param < b.param;
    return a.index < b.index;
  });
  for (Parameter* p : params)
    if (!p->hasMask()) p->mask = Matrix::Ones(p->value.rows(), p->value.cols());
  for (long i = 0; i < count; ++i) params[entries[i].param]->mask.data()[entries[i].index] = 0.0f;
  for (Parameter* p : params) p->applyMask();
}

void magnitudePrune(Parameter& p, double target) {
  checkTarget(target);
  pruneSmallest({&p}, static_cast<long>(std::ceil(target * p.value.size() - 1e-9)));
}

void magnitudePruneLayer(Network& net, const std::string& layerName, double target) {
  for (size_t i = 0; i < net.size(); ++i) {
    if (net.layer(i).spec().name != layerName) continue;
    auto params = net.layer(i).parameters();
    if (params.empty()) throw Error("layer '" + layerName + "' has no weights to prune");
    magnitudePrune(*params.front(), target);
    return;
  }
  throw Error("network has no layer named '" + layerName + "'");
}

void magnitudePruneGlobal(Network& net, double target) {
  checkTarget(target);
  auto params = prunableWeights(net);
  long total = 0;
  for (Parameter* p : params) total += p->value.size();
  pruneSmallest(params, static_cast<long>(std::ceil(target * total - 1e-9)));
}

}  // namespace mmlc::nn
