// Width edits. Leading-block copies are correct for every layout used here: Dense rows are inputs,
// Conv columns are channel-major (c*kH*kW + ...), flattened conv features are channel-major too.
#include "nn/ArchitectureEdit.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nn/Error.h"

namespace mmlc::nn {

static bool hasWidth(const std::string& kind) { return kind == "Dense" || kind == "Conv1D" || kind == "Conv2D"; }

// Grouped (depthwise) convolutions tie their filters to their input channels, which the width
// edits do not follow: they refuse such networks instead of producing a wrong one.
static void refuseGroupedConvs(const Network& net) {
  for (const LayerSpec& s : net.specs())
    if (s.groups != 1)
      throw Error("layer '" + s.name + "' is a grouped convolution (groups=" + std::to_string(s.groups) +
                  "); widths of networks with grouped convolutions cannot be changed yet");
}

static void copyLeadingBlock(const Matrix& from, Matrix& to) {
  const long r = std::min(from.rows(), to.rows()), c = std::min(from.cols(), to.cols());
  to.topLeftCorner(r, c) = from.topLeftCorner(r, c);
}

static Network graphWithLayerWidths(const Network& net, const std::map<std::string, int>& units, uint64_t seed);

Network withLayerWidths(const Network& netIn, const std::map<std::string, int>& units, uint64_t seed) {
  refuseGroupedConvs(netIn);
  if (!netIn.isChain()) return graphWithLayerWidths(netIn, units, seed);
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
  if (!net.isChain()) {
    std::map<std::string, int> units;
    for (const auto& group : widthGroups(net)) {
      const int width = net.layer(net.indexOf(group.front())).spec().units;
      for (const std::string& name : group) units[name] = std::max(1, static_cast<int>(std::lround(width * factor)));
    }
    return withLayerWidths(net, units, seed);
  }
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
  if (!net.isChain())
    throw Error("unit importance and permutation follow one layer to the next; in graph networks "
                "withStrongestUnits ranks and permutes whole width groups");
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

static Network graphWithStrongestUnits(const Network& net, const std::map<std::string, int>& units, uint64_t seed);

Network withStrongestUnits(const Network& netIn, const std::map<std::string, int>& units, uint64_t seed) {
  if (!netIn.isChain()) return graphWithStrongestUnits(netIn, units, seed);
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

// Graph networks. Every activation's channels (dim 0; the features of a flat tensor) are laid out as
// segments, each owned by the layer that produced those channels: a Dense/Conv layer or the
// network input. Per-channel layers keep the segments, Concatenate joins them, Add unites the
// owners of matching segments into one width group (union-find), Flatten keeps them with `block`
// values per channel. Parameters are then copied or permuted per segment, which is exact for
// channels behind a Concatenate too.
namespace mmlc::nn {

namespace {
struct Segment {
  int owner;  // 0: network input, i + 1: layer i
  int width;
};
struct Layout {
  std::vector<Segment> segments;
  long block = 1;       // consecutive values per channel in the flat layout
  bool opaque = false;  // behind a Transpose or a non-flattening Reshape: channels cannot be followed
};

struct GraphLayout {
  std::vector<Layout> act;  // per activation (0 = input, i + 1 = layer i)
  std::vector<int> parent;  // union-find over owners
  int find(int o) { return parent[o] == o ? o : parent[o] = find(parent[o]); }
};

int channelsOf(const Shape& s) { return s.rank() == 1 ? static_cast<int>(s.size()) : s.dims[0]; }

GraphLayout layoutOf(const Network& net) {
  GraphLayout g;
  const size_t n = net.size();
  g.parent.resize(n + 1);
  std::iota(g.parent.begin(), g.parent.end(), 0);
  g.act.resize(n + 1);
  const Shape& in = net.inputShape();
  g.act[0].segments = {{0, channelsOf(in)}};
  g.act[0].block = in.size() / channelsOf(in);
  for (size_t i = 0; i < n; ++i) {
    const Layer& l = net.layer(i);
    const std::string& kind = l.spec().kind;
    const std::vector<int>& src = net.sources(i);
    const Layout& first = g.act[src[0]];
    Layout out;
    const Shape& os = l.outputShape();
    if (hasWidth(kind)) {
      out.segments = {{static_cast<int>(i) + 1, l.spec().units}};
      out.block = os.size() / channelsOf(os);
    } else if (kind == "Add") {
      out = first;
      for (size_t k = 1; k < src.size(); ++k) {
        const Layout& other = g.act[src[k]];
        if (other.opaque || first.opaque || other.segments.size() != first.segments.size()) {
          out.opaque = true;
          continue;
        }
        for (size_t s = 0; s < first.segments.size(); ++s) {
          const int a = g.find(first.segments[s].owner), b = g.find(other.segments[s].owner);
          if (a != b) g.parent[std::max(a, b)] = std::min(a, b);
        }
      }
    } else if (kind == "Concatenate") {
      for (int a : src) {
        out.opaque = out.opaque || g.act[a].opaque;
        out.segments.insert(out.segments.end(), g.act[a].segments.begin(), g.act[a].segments.end());
      }
      out.block = first.block;
    } else if (kind == "Transpose" || (kind == "Reshape" && os.rank() != 1)) {
      out.opaque = true;
    } else {
      // Per-channel layers (activations, BN, dropout, pooling, softmax) and Flatten keep the channels.
      out = first;
      if (os.rank() > 1) out.block = os.size() / channelsOf(os);
      else if (l.inputShape().rank() > 1) out.block = l.inputShape().size() / l.inputShape().dims[0];
    }
    g.act[i + 1] = std::move(out);
  }
  return g;
}

// Which channel ranges of the old tensor land where in the new one: (old offset, new offset, count),
// in values of `block`.
struct Span {
  long from, to, count;
};
std::vector<Span> spans(const Layout& oldL, const Layout& newL, long block) {
  std::vector<Span> out;
  long o = 0, n = 0;
  for (size_t s = 0; s < oldL.segments.size() && s < newL.segments.size(); ++s) {
    const long ow = oldL.segments[s].width, nw = newL.segments[s].width;
    out.push_back({o * block, n * block, std::min(ow, nw) * block});
    o += ow;
    n += nw;
  }
  return out;
}

// Copies `from` into `to`: along the input axis by spans (byRows: rows are inputs), the other axis
// by its leading block; everything else of `to` keeps its fresh values.
void copyBySpans(const Matrix& from, Matrix& to, const std::vector<Span>& sp, bool byRows) {
  if (byRows) {
    const long c = std::min(from.cols(), to.cols());
    for (const Span& s : sp) to.block(s.to, 0, s.count, c) = from.block(s.from, 0, s.count, c);
  } else {
    const long r = std::min(from.rows(), to.rows());
    for (const Span& s : sp) to.block(0, s.to, r, s.count) = from.block(0, s.from, r, s.count);
  }
}

// The input axis of each parameter of layer `l`: how its entries follow the input channels.
// Returns false for parameters indexed by output units only (biases) and for layers without
// per-input parameters.
bool inputAxis(const Layer& l, size_t param, long& block, bool& byRows) {
  const std::string& kind = l.spec().kind;
  if (kind == "Dense" && param == 0) {
    byRows = true;
    block = 1;  // the caller multiplies by the input layout's block
    return true;
  }
  if ((kind == "Conv1D" || kind == "Conv2D") && param == 0) {
    byRows = false;
    block = static_cast<long>(l.spec().kernelH) * l.spec().kernelW;
    return true;
  }
  if (kind == "BatchNormalization") {
    byRows = false;
    block = 1;
    return true;
  }
  return false;
}

// Blocks per input channel of layer l's parameter `param` on input layout L.
long channelBlock(const Layer& l, size_t param, const Layout& L) {
  long block = 1;
  bool byRows = false;
  inputAxis(l, param, block, byRows);
  const std::string& kind = l.spec().kind;
  if (kind == "Dense" || (kind == "BatchNormalization" && l.inputShape().rank() == 1)) return L.block;
  return block;
}
}  // namespace

std::vector<std::vector<std::string>> widthGroups(const Network& net) {
  refuseGroupedConvs(net);
  GraphLayout g = layoutOf(net);
  int last = -1;
  for (size_t i = 0; i < net.size(); ++i)
    if (hasWidth(net.layer(i).spec().kind)) last = static_cast<int>(i);
  const int fixedInput = g.find(0), fixedOutput = last >= 0 ? g.find(last + 1) : -1;
  std::vector<std::vector<std::string>> groups;
  std::map<int, size_t> index;
  for (size_t i = 0; i < net.size(); ++i) {
    if (!hasWidth(net.layer(i).spec().kind)) continue;
    const int root = g.find(static_cast<int>(i) + 1);
    if (root == fixedInput || root == fixedOutput) continue;
    auto [it, fresh] = index.emplace(root, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(net.layer(i).spec().name);
  }
  return groups;
}

static Network graphWithLayerWidths(const Network& netIn, const std::map<std::string, int>& units, uint64_t seed) {
  Network& net = const_cast<Network&>(netIn);  // parameters() is non-const; nothing is modified
  std::vector<LayerSpec> specs = net.specs();
  std::vector<int> width(specs.size() + 1, 0);
  for (const auto& [name, w] : units) {
    const int i = net.indexOf(name);
    if (i < 0) throw Error("network has no layer named '" + name + "'");
    if (!hasWidth(specs[i].kind)) throw Error("layer '" + name + "' (" + specs[i].kind + ") has no width to change");
    if (w <= 0) throw Error("layer '" + name + "' needs a positive width");
    specs[i].units = w;
  }
  // Channels joined by an Add must keep one width: check each group (and the input's channels).
  GraphLayout g = layoutOf(net);
  std::map<int, std::pair<int, std::string>> groupWidth;  // root -> (width, a member)
  groupWidth[g.find(0)] = {channelsOf(net.inputShape()), "the network input"};
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!hasWidth(specs[i].kind)) continue;
    const int root = g.find(static_cast<int>(i) + 1);
    auto [it, fresh] = groupWidth.emplace(root, std::make_pair(specs[i].units, "layer '" + specs[i].name + "'"));
    if (!fresh && it->second.first != specs[i].units)
      throw Error("layer '" + specs[i].name + "' and " + it->second.second +
                  " are joined by an Add and must have the same width (" + std::to_string(specs[i].units) +
                  " vs " + std::to_string(it->second.first) + "); scale them together");
  }
  Network out(net.inputShape(), seed);
  for (const LayerSpec& s : specs) out.add(s);
  GraphLayout ng = layoutOf(out);
  for (size_t i = 0; i < net.size(); ++i) {
    auto oldParams = net.layer(i).parameters();
    auto newParams = out.layer(i).parameters();
    const int a = net.sources(i)[0];
    for (size_t p = 0; p < newParams.size(); ++p) {
      Parameter& np = *newParams[p];
      const Parameter& op = *oldParams[p];
      long block = 1;
      bool byRows = false;
      const bool followsInput = inputAxis(net.layer(i), p, block, byRows) && !g.act[a].opaque;
      auto copy = [&](const Matrix& from, Matrix& to) {
        if (!followsInput) return copyLeadingBlock(from, to);
        copyBySpans(from, to, spans(g.act[a], ng.act[a], channelBlock(net.layer(i), p, g.act[a])), byRows);
      };
      copy(op.value, np.value);
      if (op.hasMask()) {
        np.mask = Matrix::Ones(np.value.rows(), np.value.cols());
        copy(op.mask, np.mask);
        np.applyMask();
      }
    }
  }
  return out;
}

namespace {
// Permutes the width group of `root` (new unit k = old unit order[k]): its members' outputs and
// biases, and every parameter that reads its channels. The network computes the same function.
void permuteGroup(Network& net, GraphLayout& g, int root, const std::vector<int>& order) {
  for (size_t i = 0; i < net.size(); ++i) {
    Layer& l = net.layer(i);
    auto params = l.parameters();
    if (hasWidth(l.spec().kind) && g.find(static_cast<int>(i) + 1) == root) {
      const bool conv = l.spec().kind != "Dense";
      permuteParameter(*params[0], order, 1, conv);
      if (params.size() > 1) permuteParameter(*params[1], order, 1, false);
    }
    const Layout& L = g.act[net.sources(i)[0]];
    if (L.opaque) continue;
    for (size_t p = 0; p < params.size(); ++p) {
      long block = 1;
      bool byRows = false;
      if (!inputAxis(l, p, block, byRows)) continue;
      block = channelBlock(l, p, L);
      long offset = 0;
      for (const Segment& s : L.segments) {
        if (g.find(s.owner) == root) {
          Parameter& q = *params[p];
          auto apply = [&](Matrix& m) {
            if (m.size() == 0) return;
            if (byRows) {
              Matrix part = m.middleRows(offset * block, s.width * block);
              permuteBlocks(part, order, block, true);
              m.middleRows(offset * block, s.width * block) = part;
            } else {
              Matrix part = m.middleCols(offset * block, s.width * block);
              permuteBlocks(part, order, block, false);
              m.middleCols(offset * block, s.width * block) = part;
            }
          };
          apply(q.value);
          if (q.hasMask()) apply(q.mask);
          if (q.grad.size() == q.value.size()) apply(q.grad);
        }
        offset += s.width;
      }
    }
  }
}
}  // namespace

// Graph networks rank a width group's units by the summed L2 norms of the members' incoming
// weights and permute the whole group at once, so an Add keeps adding matching channels.
static Network graphWithStrongestUnits(const Network& netIn, const std::map<std::string, int>& units, uint64_t seed) {
  Network net = netIn.clone();
  GraphLayout g = layoutOf(net);
  std::map<int, int> groupTarget;  // root -> narrower width
  for (const auto& [name, width] : units) {
    const int i = net.indexOf(name);
    if (i < 0) throw Error("network has no layer named '" + name + "'");
    if (!hasWidth(net.layer(i).spec().kind))
      throw Error("layer '" + name + "' (" + net.layer(i).spec().kind + ") has no units");
    if (width < net.layer(i).spec().units) groupTarget[g.find(i + 1)] = width;
  }
  int last = -1;
  for (size_t i = 0; i < net.size(); ++i)
    if (hasWidth(net.layer(i).spec().kind)) last = static_cast<int>(i);
  for (const auto& [root, width] : groupTarget) {
    if (root == g.find(0) || (last >= 0 && root == g.find(last + 1)))
      continue;  // input channels and outputs are never reordered; withLayerWidths reports the change
    std::vector<double> score;
    for (size_t i = 0; i < net.size(); ++i) {
      Layer& l = net.layer(i);
      if (!hasWidth(l.spec().kind) || g.find(static_cast<int>(i) + 1) != root) continue;
      const Matrix& w = l.parameters()[0]->value;
      const bool conv = l.spec().kind != "Dense";
      score.resize(l.spec().units, 0.0);
      for (int u = 0; u < l.spec().units; ++u) score[u] += conv ? w.row(u).norm() : w.col(u).norm();
    }
    std::vector<int> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
    permuteGroup(net, g, root, order);
  }
  return withLayerWidths(net, units, seed);
}

}  // namespace mmlc::nn
