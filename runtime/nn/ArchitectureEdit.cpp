// Width edits. Leading-block copies are correct for every layout used here: Dense rows are inputs,
// Conv columns are channel-major (c*kH*kW + ...), flattened conv features are channel-major too.
#include "nn/ArchitectureEdit.h"

#include <algorithm>
#include <cmath>

#include "nn/Error.h"

namespace mmlc::nn {

static bool hasWidth(const std::string& kind) { return kind == "Dense" || kind == "Conv1D" || kind == "Conv2D"; }

static void copyLeadingBlock(const Matrix& from, Matrix& to) {
  const long r = std::min(from.rows(), to.rows()), c = std::min(from.cols(), to.cols());
  to.topLeftCorner(r, c) = from.topLeftCorner(r, c);
}

Network withLayerWidths(const Network& netIn, const std::map<std::string, int>& units, uint64_t seed) {
  Network& net = const_cast<Network&>(netIn);  // parameters() is non-const; nothing is modified
  std::map<std::string, int> pending = units;
  Network out(net.inputShape(), seed);
  for (LayerSpec spec : net.specs()) {
    auto it = pending.find(spec.name);
    if (it != pending.end()) {
      if (!hasWidth(spec.kind)) throw Error("layer '" + spec.name + "' (" + spec.kind + ") has no width to change");
      if (it->second <= 0) throw Error("layer '" + spec.name + "' needs a positive width");
      spec.units = it->second;
      pending.erase(it);
    }
    out.add(spec);
  }
  if (!pending.empty()) throw Error("network has no layer named '" + pending.begin()->first + "'");
  auto oldParams = net.parameters();
  auto newParams = out.parameters();
  for (size_t i = 0; i < newParams.size(); ++i) {
    Parameter& n = *newParams[i];
    const Parameter& o = *oldParams[i];
    copyLeadingBlock(o.value, n.value);
    if (o.hasMask()) {
      n.mask = Matrix::Ones(n.value.rows(), n.value.cols());
      copyLeadingBlock(o.mask, n.mask);
      n.applyMask();
    }
  }
  return out;
}

Network scaleHiddenWidths(const Network& net, double factor, uint64_t seed) {
  if (!(factor > 0)) throw Error("width scale factor must be > 0");
  auto specs = net.specs();
  int last = -1;
  for (int i = 0; i < static_cast<int>(specs.size()); ++i)
    if (hasWidth(specs[i].kind)) last = i;
  std::map<std::string, int> units;
  for (int i = 0; i < last; ++i)
    if (hasWidth(specs[i].kind))
      units[specs[i].name] = std::max(1, static_cast<int>(std::lround(specs[i].units * factor)));
  return withLayerWidths(net, units, seed);
}

}  // namespace mmlc::nn
