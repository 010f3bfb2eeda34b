// Range analysis (float forward pass) and the fixed-point width search of QUANTIZATION.
#include "tasks/PrecisionSearch.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "hls/FixedPointSim.h"
#include "hls/LayerKinds.h"
#include "hls/NetworkSim.h"
#include "hls/TemplateConversions.h"

namespace mmlc::tasks {
namespace {

using hls::FixedType;
using hls::LayerDesc;
using hls::LayerKind;

/// Integer bits (sign included) that hold every value of magnitude <= maxAbs.
int integerBitsFor(double maxAbs, bool isSigned) {
  if (!(maxAbs > 0))
    return isSigned ? 1 : 0;
  return static_cast<int>(std::floor(std::log2(maxAbs))) + 1 + (isSigned ? 1 : 0);
}

/// Whether `v`, rounded to t's LSB by t's quantisation mode, falls outside t's range.
bool roundingOverflows(double v, const FixedType &t) {
  FixedType wide = t;
  wide.width += 2;
  wide.integer += 2;
  wide.overflow = hls::OverflowMode::SAT;
  const hls::Raw raw = hls::fromDouble(v, wide);
  return raw > t.maxRaw() || raw < t.minRaw();
}

/// The slots that share one width in the search (one slot, or one role for the whole model).
struct Group {
  std::vector<size_t> members;
  std::string layer, role;
  int integerBits = 0;
  bool isSigned = false, constant = true;
  double maxValue = 0, minValue = 0, cost = 0;
};

FixedType groupType(const Group &g, int width, const QuantizeOptions &o) {
  const hls::QuantMode q = g.constant ? o.constantRounding : o.rounding;
  FixedType t = g.isSigned ? FixedType::fixed(width, g.integerBits, q, o.overflow)
                           : FixedType::ufixed(width, g.integerBits, q, o.overflow);
  // A constant near the top of the range may round up past it: one more integer bit then.
  if (g.constant && (roundingOverflows(g.maxValue, t) || roundingOverflows(g.minValue, t)))
    t.integer += 1;
  return t;
}

class WidthSearch {
public:
  WidthSearch(const hls::NetworkDesc &input, const std::vector<PrecisionSlot> &slots,
              std::vector<Group> groups, const float *x, const int *labels, size_t n,
              const QuantizeOptions &options,
              const std::function<void(const QuantizeCandidate &)> &report)
      : input_(input), slots_(slots), groups_(std::move(groups)), x_(x), labels_(labels), n_(n),
        o_(options), report_(report) {}

  QuantizeResult run() {
    QuantizeResult result;
    result.baselineAccuracy = hls::NetworkSim(input_).accuracy(x_, labels_, n_, 0, o_.scoring);
    baseline_ = result.baselineAccuracy;
    for (const PrecisionSlot &s : slots_)
      result.bitsBefore += slotType(input_, s).width;
    const size_t g = groups_.size();
    std::vector<int> widths(g, o_.maxWidth);
    if (!probe("start", "*", "*", "max", widths)) {
      std::ostringstream os;
      os << "even with every type " << o_.maxWidth
         << " bits wide (integer bits from the value ranges) the simulated accuracy is "
         << accuracyOf(widths) << " against the input design's " << baseline_
         << ", a loss beyond the tolerance " << o_.tolerance << "; raise max_width or tolerance";
      throw std::runtime_error(os.str());
    }

    // Sensitivity: each group alone, the others at maxWidth.
    std::vector<int> narrowest(g, o_.maxWidth);
    for (size_t k = 0; k < g; ++k)
      narrowest[k] = bisect(widths, k, o_.minWidth, o_.maxWidth, "sensitivity");

    // Combine: all groups at their narrowest plus a common margin.
    int maxMargin = 0;
    for (size_t k = 0; k < g; ++k)
      maxMargin = std::max(maxMargin, o_.maxWidth - narrowest[k]);
    auto withMargin = [&](int m) {
      std::vector<int> w(g);
      for (size_t k = 0; k < g; ++k)
        w[k] = std::min(narrowest[k] + m, o_.maxWidth);
      return w;
    };
    int lo = 0, hi = maxMargin;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (probe("combine", "*", "*", "min+" + std::to_string(mid), withMargin(mid)))
        hi = mid;
      else
        lo = mid + 1;
    }
    widths = withMargin(hi);

    // Refine: the costliest groups first, each down towards its narrowest alone.
    std::vector<size_t> order(g);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return groups_[a].cost != groups_[b].cost ? groups_[a].cost > groups_[b].cost : a < b;
    });
    for (size_t k : order)
      if (widths[k] > narrowest[k])
        widths[k] = bisect(widths, k, narrowest[k], widths[k], "refine");

    result.desc = build(widths);
    result.accuracy = accuracyOf(widths);
    for (const PrecisionSlot &s : slots_)
      result.bits += slotType(result.desc, s).width;
    result.evaluations = evaluations_;
    return result;
  }

private:
  hls::NetworkDesc build(const std::vector<int> &widths) const {
    hls::NetworkDesc d = input_;
    for (size_t k = 0; k < groups_.size(); ++k) {
      const FixedType t = groupType(groups_[k], widths[k], o_);
      for (size_t m : groups_[k].members)
        slotType(d, slots_[m]) = t;
    }
    d.resolve();
    // A candidate whose source lies wholly below a destination's rounding bit (a tiny bias and
    // a coarse accumulator) makes the vendor's ap_fixed abort: widen the source instead, which
    // keeps every value, so the candidate evaluated is the design emitted.
    hls::widenToDefinedConversions(d);
    return d;
  }

  double accuracyOf(const std::vector<int> &widths) {
    auto it = cache_.find(widths);
    if (it != cache_.end())
      return it->second;
    ++evaluations_;
    const double a = simulate(build(widths));
    cache_[widths] = a;
    return a;
  }

  /// Accuracy of `d` on the selection data, layer by layer: each layer's outputs are kept for
  /// the types they depend on (the input's and those of the layers up to it), so a candidate
  /// that only changes later layers does not recompute the earlier ones. Exact: a value of at
  /// most 24 bits passes through a float unchanged, so a layer fed the kept outputs computes
  /// the same bits as inside the whole network; with wider boundaries the whole network runs.
  double simulate(const hls::NetworkDesc &d) {
    const size_t layers = d.layers.size();
    bool narrow = d.inputType.width <= 24;
    double bytes = 0; // what keeping the outputs would take at most
    for (size_t k = 0; k < layers; ++k) {
      narrow = narrow && (k + 1 == layers || d.layers[k].resultType.width <= 24);
      bytes += static_cast<double>(n_) * d.layers[k].outputSize() * sizeof(double) * kKeptPerLayer;
    }
    // Graphs run whole (the kept outputs follow a chain).
    if (!narrow || layers == 0 || bytes > kMaxKeptBytes || !d.isChain())
      return hls::NetworkSim(d).accuracy(x_, labels_, n_, 0, o_.scoring);
    const std::vector<double> &out = layerOutputs(d, layers - 1);
    const size_t classes = static_cast<size_t>(d.outputSize());
    size_t correct = 0;
    for (size_t s = 0; s < n_; ++s) {
      const double *row = &out[s * classes];
      correct += o_.scoring.correct(row, static_cast<int>(classes), s, labels_);
    }
    return static_cast<double>(correct) / static_cast<double>(n_);
  }

  const std::vector<double> &layerOutputs(const hls::NetworkDesc &d, size_t k) {
    std::string key = d.inputType.toString();
    for (size_t j = 0; j <= k; ++j) {
      const LayerDesc &l = d.layers[j];
      key += "|" + l.weightType.toString() + l.biasType.toString() + l.accumType.toString() +
             l.resultType.toString();
    }
    std::vector<KeptOutputs> &kept = kept_[k];
    for (size_t i = 0; i < kept.size(); ++i)
      if (kept[i].key == key) {
        std::rotate(kept.begin(), kept.begin() + static_cast<long>(i), kept.begin() + static_cast<long>(i) + 1);
        return kept.front().values;
      }
    // One-layer network reading the previous layer's outputs (or the data).
    hls::NetworkDesc one;
    one.name = d.name;
    one.ioType = d.ioType;
    one.inputType = k == 0 ? d.inputType : d.layers[k - 1].resultType;
    one.inputHeight = d.layers[k].inHeight;
    one.inputWidth = d.layers[k].inWidth;
    one.inputChannels = d.layers[k].inChannels;
    one.layers.push_back(d.layers[k]);
    std::vector<float> previous;
    const float *in = x_;
    if (k > 0) {
      const std::vector<double> &p = layerOutputs(d, k - 1);
      previous.assign(p.begin(), p.end()); // exact: at most 24 significant bits
      in = previous.data();
    }
    hls::NetworkSim sim(one);
    std::vector<double> values(n_ * static_cast<size_t>(sim.desc().outputSize()));
    sim.runParallel(in, n_, values.data());
    if (kept.size() == kKeptPerLayer)
      kept.pop_back();
    kept.insert(kept.begin(), KeptOutputs{std::move(key), std::move(values)});
    return kept.front().values;
  }

  bool feasible(double accuracy) const { return baseline_ - accuracy <= o_.tolerance + 1e-12; }

  /// Evaluates a candidate (reporting it when it was not evaluated before).
  bool probe(const std::string &phase, const std::string &layer, const std::string &role,
             const std::string &type, const std::vector<int> &widths) {
    const bool known = cache_.count(widths) > 0;
    const double a = accuracyOf(widths);
    if (!known) {
      QuantizeCandidate c{phase, layer, role, type, a, baseline_, feasible(a), 0};
      const hls::NetworkDesc d = build(widths);
      for (const PrecisionSlot &s : slots_)
        c.bits += slotType(d, s).width;
      report_(c);
    }
    return feasible(a);
  }

  /// Narrowest feasible width of group k in [lo, hi] with the other groups at `widths`; `hi`
  /// is known to be feasible (accuracy is taken to fall monotonically with the width).
  int bisect(const std::vector<int> &widths, size_t k, int lo, int hi, const std::string &phase) {
    std::vector<int> w = widths;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      w[k] = mid;
      const Group &g = groups_[k];
      if (probe(phase, g.layer, g.role, groupType(g, mid, o_).toString(), w))
        hi = mid;
      else
        lo = mid + 1;
    }
    return hi;
  }

  const hls::NetworkDesc &input_;
  const std::vector<PrecisionSlot> &slots_;
  std::vector<Group> groups_;
  const float *x_;
  const int *labels_;
  size_t n_;
  QuantizeOptions o_;
  const std::function<void(const QuantizeCandidate &)> &report_;
  double baseline_ = 0;
  std::map<std::vector<int>, double> cache_;
  int evaluations_ = 0;
  // Outputs of each layer for the most recently used type combinations up to it.
  struct KeptOutputs {
    std::string key;
    std::vector<double> values;
  };
  static constexpr size_t kKeptPerLayer = 3;
  static constexpr double kMaxKeptBytes = 256.0 * 1024 * 1024;
  std::map<size_t, std::vector<KeptOutputs>> kept_;
};

} // namespace

hls::FixedType &slotType(hls::NetworkDesc &net, const PrecisionSlot &slot) {
  if (slot.layer < 0)
    return net.inputType;
  LayerDesc &l = net.layers[static_cast<size_t>(slot.layer)];
  return slot.role == "weight" ? l.weightType
         : slot.role == "bias" ? l.biasType
         : slot.role == "accum" ? l.accumType
                                : l.resultType;
}

const hls::FixedType &slotType(const hls::NetworkDesc &net, const PrecisionSlot &slot) {
  return slotType(const_cast<hls::NetworkDesc &>(net), slot);
}

ValueRanges analyseRanges(const hls::NetworkDesc &input, const float *inputs, size_t n,
                          bool partialSums) {
  hls::NetworkDesc net = input;
  net.resolve();
  ValueRanges r;
  r.layers.resize(net.layers.size());
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const LayerDesc &l = net.layers[k];
    LayerRange &lr = r.layers[k];
    for (float w : l.weights) {
      lr.weightMax = std::max(lr.weightMax, static_cast<double>(w));
      lr.weightMin = std::min(lr.weightMin, static_cast<double>(w));
    }
    for (float b : l.biases) {
      lr.biasMax = std::max(lr.biasMax, static_cast<double>(b));
      lr.biasMin = std::min(lr.biasMin, static_cast<double>(b));
    }
  }
  size_t widest = static_cast<size_t>(net.inputSize());
  for (const LayerDesc &l : net.layers)
    widest = std::max(widest, static_cast<size_t>(l.outputSize()));
  std::vector<double> a(widest), b(widest);
  // Graphs: every layer's output of the sample (a merge reads its inputs one after the other).
  const bool chain = net.isChain();
  std::vector<std::vector<double>> acts(chain ? 0 : net.layers.size());
  std::vector<double> gather;
  hls::RangeProbe probe;
  probe.partialSums = partialSums;
  const size_t nIn = static_cast<size_t>(net.inputSize());
  bool first = true;
  for (size_t s = 0; s < n; ++s) {
    const float *x = inputs + s * nIn;
    for (size_t i = 0; i < nIn; ++i) {
      a[i] = x[i];
      r.inputMin = first ? a[i] : std::min(r.inputMin, a[i]);
      r.inputMax = first ? a[i] : std::max(r.inputMax, a[i]);
      first = false;
    }
    double *cur = a.data(), *next = b.data();
    for (size_t k = 0; k < net.layers.size(); ++k) {
      // The kind's float reference (runtime/hls/layers), next to its bit-exact arithmetic.
      const LayerDesc &l = net.layers[k];
      if (!chain) {
        gather.clear();
        for (int src : l.sources) {
          const double *v = src < 0 ? a.data() : acts[static_cast<size_t>(src)].data();
          const size_t m = static_cast<size_t>(src < 0 ? net.inputSize() : net.layers[static_cast<size_t>(src)].outputSize());
          gather.insert(gather.end(), v, v + m);
        }
        acts[k].resize(static_cast<size_t>(l.outputSize()));
        cur = gather.data();
        next = acts[k].data();
      }
      const hls::LayerKindInfo &kind = hls::kindInfo(l.kind);
      LayerRange &lr = r.layers[k];
      probe.accumAbs = lr.accumAbs;
      kind.reference(l, cur, next, probe);
      lr.accumAbs = probe.accumAbs;
      const int m = l.outputSize();
      for (int i = 0; i < m; ++i)
        lr.resultAbs = std::max(lr.resultAbs, std::abs(next[i]));
      if (partialSums && kind.isMac)
        for (double p : probe.peak)
          lr.accumAbs = std::max(lr.accumAbs, p);
      if (chain)
        std::swap(cur, next);
    }
  }
  return r;
}

std::vector<PrecisionSlot> precisionSlots(const hls::NetworkDesc &input, const ValueRanges &ranges,
                                          int guardBits) {
  hls::NetworkDesc net = input;
  net.resolve();
  if (ranges.layers.size() != net.layers.size())
    throw std::invalid_argument("value ranges do not match the network's layers");
  // Hardware that scales with a value's width: the multipliers and adders reading it.
  auto macWork = [&](size_t k) {
    const LayerDesc &l = net.layers[k];
    return static_cast<double>(l.weights.size()) * l.outHeight * l.outWidth;
  };
  // The MAC layers reading a value (of layer `from` - 1; 0: the input), past Flattens.
  std::function<double(int)> readersWork = [&](int source) {
    double work = 0;
    for (size_t j = 0; j < net.layers.size(); ++j) {
      const auto &srcs = net.layers[j].sources;
      if (std::find(srcs.begin(), srcs.end(), source) == srcs.end())
        continue;
      const hls::LayerKindInfo &kind = hls::kindInfo(net.layers[j].kind);
      if (kind.isMac)
        work += macWork(j);
      else if (kind.reshapeOnly || kind.keepsInputType)
        work += readersWork(static_cast<int>(j));
    }
    return work;
  };
  auto consumerWork = [&](size_t from) { return readersWork(static_cast<int>(from) - 1); };

  std::vector<PrecisionSlot> slots;
  PrecisionSlot in;
  in.layer = -1;
  in.role = "input";
  in.isSigned = ranges.inputMin < 0;
  in.integerBits =
      integerBitsFor(std::max(std::abs(ranges.inputMin), std::abs(ranges.inputMax)), in.isSigned);
  in.cost = net.inputSize() + consumerWork(0);
  slots.push_back(in);

  // Per layer: its results are never negative (a merge's inputs all are, for AsInput kinds).
  std::vector<char> resultNonNegative(net.layers.size(), 0);
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const LayerDesc &l = net.layers[k];
    const LayerRange &r = ranges.layers[k];
    bool nonNegative = true; // the values entering the layer are never negative
    for (int src : l.sources)
      nonNegative = nonNegative && (src < 0 ? !in.isSigned : resultNonNegative[static_cast<size_t>(src)] != 0);
    auto add = [&](const std::string &role, int integerBits, bool isSigned, bool constant,
                   double maxValue, double minValue, double cost) {
      PrecisionSlot s;
      s.layer = static_cast<int>(k);
      s.role = role;
      s.integerBits = integerBits;
      s.isSigned = isSigned;
      s.constant = constant;
      s.maxValue = maxValue;
      s.minValue = minValue;
      s.cost = cost;
      slots.push_back(s);
    };
    const hls::LayerKindInfo &kind = hls::kindInfo(l.kind);
    const bool mac = kind.isMac;
    if (kind.hasWeights) {
      const double work = mac ? macWork(k) : l.outputSize();
      add("weight", integerBitsFor(std::max(r.weightMax, -r.weightMin), true), true, true,
          r.weightMax, r.weightMin, work);
      if (kind.hasBias)
        add("bias", integerBitsFor(std::max(r.biasMax, -r.biasMin), true), true, true, r.biasMax,
            r.biasMin, l.outputSize());
      if (mac)
        add("accum", integerBitsFor(r.accumAbs, true) + guardBits, true, false, 0, 0, work);
    }
    if (kind.hasPoolAccum) // pooling casts the maximum, or sums the window, in accum_t
      add("accum", integerBitsFor(r.accumAbs, true) + guardBits, true, false, 0, 0,
          l.outputSize());
    if (kind.resultSign == hls::ResultSign::NonNegative)
      nonNegative = true;
    else if (kind.resultSign == hls::ResultSign::Any)
      nonNegative = false;
    resultNonNegative[k] = nonNegative;
    if (kind.reshapeOnly || kind.keepsInputType)
      continue; // keeps its input's type
    add("result", integerBitsFor(r.resultAbs, !nonNegative) + guardBits, !nonNegative, false, 0,
        0, l.outputSize() + consumerWork(k + 1));
  }
  return slots;
}

QuantizeResult searchPrecisions(const hls::NetworkDesc &input,
                                const std::vector<PrecisionSlot> &slots, const float *x,
                                const int *labels, size_t n, const QuantizeOptions &options,
                                const std::function<void(const QuantizeCandidate &)> &report) {
  if (options.minWidth < 1 || options.minWidth > options.maxWidth)
    throw std::invalid_argument("min_width must be between 1 and max_width");
  if (n == 0)
    throw std::invalid_argument("no samples to measure the accuracy on");
  for (const PrecisionSlot &s : slots)
    if (s.integerBits > options.maxWidth)
      throw std::runtime_error(
          (s.layer < 0 ? std::string("the input") : input.layers[size_t(s.layer)].name + "'s " + s.role) +
          " needs " + std::to_string(s.integerBits) +
          " integer bits for its range, more than max_width = " + std::to_string(options.maxWidth) +
          "; raise max_width");
  std::vector<Group> groups;
  auto nameOf = [&](const PrecisionSlot &s) {
    return s.layer < 0 ? std::string("input") : input.layers[size_t(s.layer)].name;
  };
  if (options.perLayer) {
    for (size_t i = 0; i < slots.size(); ++i) {
      const PrecisionSlot &s = slots[i];
      groups.push_back(Group{{i}, nameOf(s), s.role, s.integerBits, s.isSigned, s.constant,
                             s.maxValue, s.minValue, s.cost});
    }
  } else {
    std::map<std::string, size_t> byRole;
    for (size_t i = 0; i < slots.size(); ++i) {
      const PrecisionSlot &s = slots[i];
      auto [it, fresh] = byRole.emplace(s.role, groups.size());
      if (fresh) {
        groups.push_back(Group{{}, s.layer < 0 ? "input" : "*", s.role, s.integerBits, false,
                               true, s.maxValue, s.minValue, 0});
      }
      Group &g = groups[it->second];
      g.members.push_back(i);
      g.integerBits = std::max(g.integerBits, s.integerBits);
      g.isSigned = g.isSigned || s.isSigned;
      g.constant = g.constant && s.constant;
      g.maxValue = std::max(g.maxValue, s.maxValue);
      g.minValue = std::min(g.minValue, s.minValue);
      g.cost += s.cost;
    }
  }
  return WidthSearch(input, slots, std::move(groups), x, labels, n, options, report).run();
}

} // namespace mmlc::tasks
