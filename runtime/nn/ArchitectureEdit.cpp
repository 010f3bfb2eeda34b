// Width edits. Leading-block copies are correct for every layout used here: Dense rows are inputs,
// Conv columns are channel-major (c*kH*kW + ...), flattened conv features are channel-major too.
#include "nn/ArchitectureEdit.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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

namespace mmlc::nn {

namespace {
// Where the units of a hidden Dense/Conv layer go: per-unit layers (batch norms) up to the next
// Dense/Conv layer, which reads unit u through `block` consecutive inputs (rows of a Dense weight,
// columns of a Conv weight: flattened conv features and conv inputs are channel-major).
struct UnitPath {
  int producer = -1, consumer = -1;
  int units = 0;
  long block = 1;
  std::vector<int> batchNorms;
};

UnitPath unitPath(Network& net, const std::string& name) {
  UnitPath p;
  for (size_t i = 0; i < net.size(); ++i)
    if (net.layer(i).spec().name == name) p.producer = static_cast<int>(i);
  if (p.producer < 0) throw Error("network has no layer named '" + name + "'");
  const LayerSpec& spec = net.layer(p.producer).spec();
  if (!hasWidth(spec.kind)) throw Error("layer '" + name + "' (" + spec.kind + ") has no units");
  p.units = spec.units;
  for (size_t j = p.producer + 1; j < net.size(); ++j) {
    const Layer& l = net.layer(j);
    const std::string& kind = l.spec().kind;
    if (kind == "Dense") {
      if (l.inputShape().size() != p.units * p.block)
        throw Error("layer '" + l.spec().name + "' reads " + std::to_string(l.inputShape().size()) + " inputs, not " +
                    std::to_string(p.units) + " units of '" + name + "'");
      p.consumer = static_cast<int>(j);
      return p;
    }
    if (kind == "Conv1D" || kind == "Conv2D") {
      if (p.block != 1 || l.inputShape().rank() < 2 || l.inputShape().dims[0] != p.units)
        throw Error("layer '" + l.spec().name + "' does not read the " + std::to_string(p.units) + " channels of '" +
                    name + "'");
      p.block = static_cast<long>(l.spec().kernelH) * l.spec().kernelW;
      p.consumer = static_cast<int>(j);
      return p;
    }
    if (kind == "BatchNormalization") {
      if (p.block != 1) throw Error("batch normalisation '" + l.spec().name + "' after a flatten cannot follow units");
      p.batchNorms.push_back(static_cast<int>(j));
    } else if (kind == "Flatten" || (kind == "Reshape" && l.outputShape().rank() == 1)) {
      if (l.inputShape().rank() > 1) p.block = l.inputShape().size() / p.units;
    } else if (kind == "Transpose" || kind == "Reshape") {
      throw Error("the units of '" + name + "' cannot be followed through " + kind + " layer '" + l.spec().name + "'");
    }
    // Activations, dropout and pooling act per unit/channel and keep the order.
  }
  throw Error("layer '" + name + "' is the output layer; its units define the network's outputs");
}

// Reorders rows (byRows) or columns of `m` in blocks of `block`: new block k = old block order[k].
void permuteBlocks(Matrix& m, const std::vector<int>& order, long block, bool byRows) {
  if (m.size() == 0) return;
  Matrix out(m.rows(), m.cols());
  for (size_t k = 0; k < order.size(); ++k) {
    const long from = order[k] * block, to = static_cast<long>(k) * block;
    if (byRows) out.middleRows(to, block) = m.middleRows(from, block);
    else out.middleCols(to, block) = m.middleCols(from, block);
  }
  m = std::move(out);
}

void permuteParameter(Parameter& p, const std::vector<int>& order, long block, bool byRows) {
  permuteBlocks(p.value, order, block, byRows);
  if (p.hasMask()) permuteBlocks(p.mask, order, block, byRows);
  if (p.grad.size() == p.value.size()) permuteBlocks(p.grad, order, block, byRows);
}
}  // namespace

std::vector<double> unitImportance(Network& net, const std::string& name) {
  const UnitPath p = unitPath(net, name);
  Layer& producer = net.layer(p.producer);
  const bool conv = producer.spec().kind != "Dense";
  const Matrix& w = producer.parameters()[0]->value;  // Dense: in x out; Conv: F x (C*kH*kW)
  std::vector<double> score(p.units);
  for (int u = 0; u < p.units; ++u) score[u] = conv ? w.row(u).norm() : w.col(u).norm();
  for (int b : p.batchNorms) {
    auto params = net.layer(b).parameters();  // scale, bias, mean, var
    const float eps = net.layer(b).spec().epsilon;
    for (int u = 0; u < p.units; ++u)
      score[u] *= std::abs(params[0]->value(0, u)) / std::sqrt(params[3]->value(0, u) + eps);
  }
  Layer& consumer = net.layer(p.consumer);
  const Matrix& next = consumer.parameters()[0]->value;
  const bool nextConv = consumer.spec().kind != "Dense";
  for (int u = 0; u < p.units; ++u)
    score[u] *= nextConv ? next.middleCols(u * p.block, p.block).norm() : next.middleRows(u * p.block, p.block).norm();
  return score;
}

void permuteUnits(Network& net, const std::string& name, const std::vector<int>& order) {
  const UnitPath p = unitPath(net, name);
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  bool valid = static_cast<int>(sorted.size()) == p.units;
  for (int i = 0; valid && i < p.units; ++i) valid = sorted[i] == i;
  if (!valid)
    throw Error("permutation of '" + name + "' must list each of its " + std::to_string(p.units) + " units once");
  Layer& producer = net.layer(p.producer);
  const bool conv = producer.spec().kind != "Dense";
  auto params = producer.parameters();
  permuteParameter(*params[0], order, 1, conv);  // Dense: columns are units; Conv: rows are filters
  if (params.size() > 1) permuteParameter(*params[1], order, 1, false);
  for (int b : p.batchNorms)
    for (Parameter* q : net.layer(b).parameters()) permuteParameter(*q, order, 1, false);
  Layer& consumer = net.layer(p.consumer);
  permuteParameter(*consumer.parameters()[0], order, p.block, consumer.spec().kind == "Dense");
}

Network withStrongestUnits(const Network& netIn, const std::map<std::string, int>& units, uint64_t seed) {
  Network net = netIn.clone();
  for (const auto& [name, width] : units) {
    const std::vector<double> score = unitImportance(net, name);
    if (width >= static_cast<int>(score.size())) continue;
    std::vector<int> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
    permuteUnits(net, name, order);
  }
  return withLayerWidths(net, units, seed);
}

}  // namespace mmlc::nn
