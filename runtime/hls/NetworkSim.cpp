// Layer arithmetic of the bit-exact network simulator. The fast dense kernel relies on AP_WRAP
// accumulators being a ring modulo 2^W: products can be rounded, summed in uint64 in any order
// and wrapped once at the end, which gives the same bits as wrapping after every addition.
#include "hls/NetworkSim.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <thread>

namespace mmlc::hls {

struct NetworkSim::Scratch {
  std::vector<std::uint64_t> acc;
  std::vector<std::uint32_t> acc32;
  std::vector<std::int32_t> x32;
  std::vector<Raw> accSat;
  std::vector<Raw> column;  // im2col patch of a convolution
  std::vector<Raw> expRes;
  std::vector<Raw> bufA, bufB;
};

namespace {

template <QuantMode Q, class I>
inline I roundedProduct(I p, int s, I mask, I half) {
  const I fl = p >> s;
  if constexpr (Q == QuantMode::TRN) {
    (void)mask;
    (void)half;
    return fl;
  } else {
    const I rem = p & mask;
    I carry = 0;
    if constexpr (Q == QuantMode::TRN_ZERO) carry = (p < 0) & (rem != 0);
    if constexpr (Q == QuantMode::RND) carry = rem >= half;
    if constexpr (Q == QuantMode::RND_ZERO) carry = (rem > half) | ((rem == half) & (p < 0));
    if constexpr (Q == QuantMode::RND_INF) carry = (rem > half) | ((rem == half) & (p >= 0));
    if constexpr (Q == QuantMode::RND_MIN_INF) carry = rem > half;
    if constexpr (Q == QuantMode::RND_CONV) carry = (rem > half) | ((rem == half) & ((fl & 1) != 0));
    return fl + carry;
  }
}

// acc[j] += sum_i round(x[i] * w[i][j] >> s), modulo 2^bits(I); zero inputs are skipped.
// I is int64_t, or int32_t when products fit 32 bits and the accumulator is at most 32 bits wide
// (twice the SIMD lanes).
template <QuantMode Q, class I, class U>
void accumulateWrap(const I* x, int nIn, int nOut, const I* w, int s, U* __restrict acc) {
  constexpr int bits = sizeof(I) * 8;
  if (s <= 0) {
    const int k = -s;
    if (k >= bits) return;
    for (int i = 0; i < nIn; ++i) {
      const I xi = x[i];
      if (xi == 0) continue;
      const I* __restrict row = w + static_cast<size_t>(i) * nOut;
      for (int j = 0; j < nOut; ++j) acc[j] += static_cast<U>(static_cast<U>(xi * row[j]) << k);
    }
    return;
  }
  const I mask = static_cast<I>((I{1} << s) - 1);
  const I half = static_cast<I>(I{1} << (s - 1));
  for (int i = 0; i < nIn; ++i) {
    const I xi = x[i];
    if (xi == 0) continue;
    const I* __restrict row = w + static_cast<size_t>(i) * nOut;
    for (int j = 0; j < nOut; ++j) acc[j] += static_cast<U>(roundedProduct<Q, I>(xi * row[j], s, mask, half));
  }
}

template <class I, class U>
void accumulateWrapDispatch(QuantMode q, const I* x, int nIn, int nOut, const I* w, int s, U* acc) {
  switch (q) {
    case QuantMode::TRN: accumulateWrap<QuantMode::TRN>(x, nIn, nOut, w, s, acc); break;
    case QuantMode::TRN_ZERO: accumulateWrap<QuantMode::TRN_ZERO>(x, nIn, nOut, w, s, acc); break;
    case QuantMode::RND: accumulateWrap<QuantMode::RND>(x, nIn, nOut, w, s, acc); break;
    case QuantMode::RND_ZERO: accumulateWrap<QuantMode::RND_ZERO>(x, nIn, nOut, w, s, acc); break;
    case QuantMode::RND_INF: accumulateWrap<QuantMode::RND_INF>(x, nIn, nOut, w, s, acc); break;
    case QuantMode::RND_MIN_INF: accumulateWrap<QuantMode::RND_MIN_INF>(x, nIn, nOut, w, s, acc); break;
    case QuantMode::RND_CONV: accumulateWrap<QuantMode::RND_CONV>(x, nIn, nOut, w, s, acc); break;
  }
}

// C-style truncating division of x by 2^f (f may be negative: exact multiplication).
WideRaw truncShift(WideRaw x, int f) {
  if (f <= 0) return x * (static_cast<WideRaw>(1) << -f);
  WideRaw q = x >> f;
  if (x < 0 && (x - q * (static_cast<WideRaw>(1) << f)) != 0) q += 1;
  return q;
}

int log2Exact(int n) {
  int b = 0;
  while ((1 << b) < n) ++b;
  return b;
}

}  // namespace

FixedType softmaxDiffType(const FixedType& in) { return FixedType::fixed(in.width, in.integer, QuantMode::RND, OverflowMode::SAT); }

unsigned softmaxTableIndex(Raw raw, const FixedType& t, int tableSize) {
  const int n = log2Exact(tableSize);
  std::uint64_t bits = static_cast<std::uint64_t>(raw);
  if (t.width < 64) bits &= (std::uint64_t{1} << t.width) - 1;
  return static_cast<unsigned>(t.width >= n ? bits >> (t.width - n) : bits << (n - t.width));
}

double softmaxTableValue(unsigned index, const FixedType& t, int tableSize) {
  const int n = log2Exact(tableSize);
  std::uint64_t bits = t.width >= n ? static_cast<std::uint64_t>(index) << (t.width - n)
                                    : static_cast<std::uint64_t>(index) >> (n - t.width);
  long long v = static_cast<long long>(bits);
  if (t.isSigned && t.width < 64 && ((bits >> (t.width - 1)) & 1)) v -= static_cast<long long>(std::uint64_t{1} << t.width);
  return std::ldexp(static_cast<double>(v), -t.frac());
}

NetworkSim::NetworkSim(NetworkDesc net) : net_(std::move(net)) {
  net_.resolve();
  layers_.resize(net_.layers.size());
  for (size_t k = 0; k < net_.layers.size(); ++k) {
    const LayerDesc& l = net_.layers[k];
    PreparedLayer& p = layers_[k];
    const FixedType& in = layerInputType(k);
    p.weights.reserve(l.weights.size());
    for (float w : l.weights) p.weights.push_back(fromDouble(w, l.weightType));  // batch-norm: the scales
    for (float b : l.biases) {
      const Raw br = fromDouble(b, l.biasType);
      p.biases.push_back(br);
      p.biasAccum.push_back(quantizeRaw(br, l.biasType.frac(), l.accumType));
    }
    p.fastWrap = l.accumType.overflow == OverflowMode::WRAP;
    const bool isMac = l.kind == LayerKind::Dense || l.kind == LayerKind::Conv1D || l.kind == LayerKind::Conv2D;
    if (isMac && p.fastWrap && in.width + l.weightType.width <= 32 && l.accumType.width <= 32)
      p.weights32.assign(p.weights.begin(), p.weights.end());
    if (l.kind == LayerKind::Dense && l.strategy == Strategy::Resource) {
      // dense_resource visits w_index = ir + RF*im over the transposed weights (out-major).
      const int total = l.nIn * l.nOut, rf = l.reuseFactor;
      const int blockFactor = (total + rf - 1) / rf;
      for (int ir = 0; ir < rf; ++ir)
        for (int im = 0; im < blockFactor; ++im) {
          const int wIndex = ir + rf * im;
          if (wIndex >= total) break;
          p.resourceOrder.emplace_back(wIndex % l.nIn, wIndex / l.nIn);
        }
    }
    const int n = l.tableSize;
    if (l.kind == LayerKind::Sigmoid || l.kind == LayerKind::Tanh) {
      // Same expressions as nnet_activation.h's init_*_table, so the tables are bit-identical.
      p.table.resize(n);
      for (int ii = 0; ii < n; ++ii) {
        if (l.kind == LayerKind::Sigmoid) {
          const double inVal = 2 * 8.0 * (ii - double(n) / 2.0) / double(n);
          const double realVal = 1.0 / (1 + std::exp(-inVal));
          p.table[ii] = fromDouble(realVal, l.tableType);
        } else {
          const double inVal = 2 * 4.0 * (ii - double(n) / 2.0) / double(n);
          const double realVal = std::tanh(inVal);
          p.table[ii] = fromDouble(realVal, l.tableType);
        }
      }
    } else if (l.kind == LayerKind::Softmax && l.softmaxSeparateTypes) {
      // init_exp_table / init_invert_table of later hls4ml: float arithmetic, float exp.
      const int ni = l.inverseTableSize();
      const bool stable = l.softmaxImpl == SoftmaxImpl::Stable;
      const FixedType& idxType = stable ? l.normType : in;
      p.table.resize(n);
      p.table2.resize(ni);
      for (int ii = 0; ii < n; ++ii) {
        float x = static_cast<float>(softmaxTableValue(static_cast<unsigned>(ii), idxType, n)) * static_cast<float>(l.expScale);
        if (stable) x = -x;
        p.table[ii] = fromDouble(static_cast<double>(std::exp(x)), l.expTableType);
      }
      for (int ii = 0; ii < ni; ++ii) {
        const float x = static_cast<float>(softmaxTableValue(static_cast<unsigned>(ii), l.sumType, ni));
        p.table2[ii] = fromDouble(static_cast<double>(1 / x), l.invTableType);
      }
    } else if (l.kind == LayerKind::Softmax) {
      p.table.resize(n);
      p.table2.resize(n);
      const FixedType idxType = (l.softmaxImpl == SoftmaxImpl::Stable) ? softmaxDiffType(in) : in;
      for (int ii = 0; ii < n; ++ii) {
        const double x = softmaxTableValue(static_cast<unsigned>(ii), idxType, n);
        p.table[ii] = fromDouble(std::exp(x), l.expTableType);
        const double e = softmaxTableValue(static_cast<unsigned>(ii), l.expTableType, n);
        p.table2[ii] = fromDouble(1.0 / e, l.invTableType);
      }
    }
  }
}

size_t NetworkSim::maxBuffer() const {
  size_t m = static_cast<size_t>(net_.inputSize());
  for (const LayerDesc& l : net_.layers) m = std::max(m, static_cast<size_t>(l.outputSize()));
  return m;
}

void NetworkSim::macToResult(size_t k, const Raw* x, int nIn, const Raw* w, Raw* out, Scratch& s) const {
  const LayerDesc& l = net_.layers[k];
  const PreparedLayer& p = layers_[k];
  const FixedType& in = layerInputType(k);
  const int nOut = l.nOut;
  const int prodFrac = in.frac() + l.weightType.frac();
  const int fa = l.accumType.frac();
  const int shift = prodFrac - fa;
  if (p.fastWrap && !p.weights32.empty() && shift < 31) {
    s.acc32.resize(nOut);
    s.x32.resize(nIn);
    for (int i = 0; i < nIn; ++i) s.x32[i] = static_cast<std::int32_t>(x[i]);
    for (int j = 0; j < nOut; ++j) s.acc32[j] = static_cast<std::uint32_t>(p.biasAccum[j]);
    // weights32 is the 32-bit copy of `w` (dense and conv both pass the layer's own weights).
    accumulateWrapDispatch(l.accumType.quant, s.x32.data(), nIn, nOut, p.weights32.data(), shift, s.acc32.data());
    for (int j = 0; j < nOut; ++j) {
      const Raw a = applyOverflow(static_cast<std::int32_t>(s.acc32[j]), l.accumType);
      out[j] = quantizeRaw64(a, fa, l.resultType);
    }
    return;
  }
  if (p.fastWrap && shift < 63) {
    s.acc.resize(nOut);
    for (int j = 0; j < nOut; ++j) s.acc[j] = static_cast<std::uint64_t>(p.biasAccum[j]);
    accumulateWrapDispatch(l.accumType.quant, x, nIn, nOut, w, shift, s.acc.data());
    for (int j = 0; j < nOut; ++j) {
      const Raw a = applyOverflow(static_cast<std::int64_t>(s.acc[j]), l.accumType);
      out[j] = quantizeRaw64(a, fa, l.resultType);
    }
    return;
  }
  // Saturating accumulators (and extreme shifts): every product and every partial sum is cast, in
  // the template's order.
  s.accSat.assign(p.biasAccum.begin(), p.biasAccum.end());
  auto step = [&](int i, int j, Raw wv) {
    if (x[i] == 0 || wv == 0) return;  // adding an exact zero never changes a saturated sum
    const Raw m = quantizeRaw(static_cast<WideRaw>(x[i]) * wv, prodFrac, l.accumType);
    s.accSat[j] = quantizeRaw(static_cast<WideRaw>(s.accSat[j]) + m, fa, l.accumType);
  };
  if (!p.resourceOrder.empty()) {
    for (const auto& [i, j] : p.resourceOrder) step(i, j, w[static_cast<size_t>(i) * nOut + j]);
  } else {
    for (int i = 0; i < nIn; ++i)
      for (int j = 0; j < nOut; ++j) step(i, j, w[static_cast<size_t>(i) * nOut + j]);
  }
  for (int j = 0; j < nOut; ++j) out[j] = quantizeRaw(s.accSat[j], fa, l.resultType);
}

void NetworkSim::dense(size_t k, const Raw* in, Raw* out, Scratch& s) const {
  const LayerDesc& l = net_.layers[k];
  macToResult(k, in, l.nIn, layers_[k].weights.data(), out, s);
}

void NetworkSim::conv(size_t k, const Raw* in, Raw* out, Scratch& s) const {
  const LayerDesc& l = net_.layers[k];
  const int c = l.inChannels, patch = l.kernelH * l.kernelW * c;
  s.column.resize(patch);
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow) {
      // Patch in (kh, kw, c) order; padding contributes zeros, which are skipped like zero inputs.
      int q = 0;
      for (int kh = 0; kh < l.kernelH; ++kh)
        for (int kw = 0; kw < l.kernelW; ++kw) {
          const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
          const bool inside = ih >= 0 && ih < l.inHeight && iw >= 0 && iw < l.inWidth;
          for (int ch = 0; ch < c; ++ch)
            s.column[q++] = inside ? in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch] : 0;
        }
      macToResult(k, s.column.data(), patch, layers_[k].weights.data(),
                  out + (static_cast<size_t>(oh) * l.outWidth + ow) * l.nFilters, s);
    }
}

void NetworkSim::pool(size_t k, const Raw* in, Raw* out) const {
  const LayerDesc& l = net_.layers[k];
  const FixedType& inT = layerInputType(k);
  const int c = l.inChannels, n = l.kernelH * l.kernelW;
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow)
      for (int ch = 0; ch < c; ++ch) {
        WideRaw best = 0, sum = 0;
        bool first = true;
        for (int kh = 0; kh < l.kernelH; ++kh)
          for (int kw = 0; kw < l.kernelW; ++kw) {
            const Raw v = in[(static_cast<size_t>(oh * l.strideH + kh) * l.inWidth + ow * l.strideW + kw) * c + ch];
            if (first || v > best) best = v;
            first = false;
            sum += v;
          }
        const bool isMax = l.kind == LayerKind::MaxPool || l.kind == LayerKind::GlobalMaxPool;
        const WideRaw r = isMax ? best : sum / n;  // C division truncates toward zero
        out[(static_cast<size_t>(oh) * l.outWidth + ow) * c + ch] = quantizeRaw(r, inT.frac(), l.resultType);
      }
}

void NetworkSim::zeroPad(size_t k, const Raw* in, Raw* out) const {
  const LayerDesc& l = net_.layers[k];
  const int fin = layerInputType(k).frac(), c = l.inChannels;
  std::fill(out, out + l.outputSize(), Raw{0});
  for (int h = 0; h < l.inHeight; ++h)
    for (int w = 0; w < l.inWidth; ++w)
      for (int ch = 0; ch < c; ++ch)
        out[(static_cast<size_t>(h + l.padTop) * l.outWidth + w + l.padLeft) * c + ch] =
            quantizeRaw64(in[(static_cast<size_t>(h) * l.inWidth + w) * c + ch], fin, l.resultType);
}

void NetworkSim::quantize(size_t k, const Raw* in, Raw* out) const {
  const LayerDesc& l = net_.layers[k];
  const int fin = layerInputType(k).frac(), n = l.inputSize();
  for (int i = 0; i < n; ++i) {
    const FixedType& t = l.elementTypes[static_cast<size_t>(i)];
    if (t.width == 0) {
      out[i] = 0;
      continue;
    }
    out[i] = quantizeRaw64(quantizeRaw64(in[i], fin, t), t.frac(), l.resultType);
  }
}

void NetworkSim::batchNorm(size_t k, const Raw* in, Raw* out) const {
  const LayerDesc& l = net_.layers[k];
  const PreparedLayer& p = layers_[k];
  const FixedType& inT = layerInputType(k);
  const int fp = inT.frac() + l.weightType.frac(), fb = l.biasType.frac();
  const int f = std::max(fp, fb);
  const int c = l.inChannels, n = l.inputSize();
  for (int i = 0; i < n; ++i) {
    const int ch = i % c;
    const WideRaw prod = static_cast<WideRaw>(in[i]) * p.weights[ch];
    const WideRaw v = prod * (static_cast<WideRaw>(1) << (f - fp)) + static_cast<WideRaw>(p.biases[ch]) * (static_cast<WideRaw>(1) << (f - fb));
    out[i] = quantizeRaw(v, f, l.resultType);
  }
}

void NetworkSim::activation(size_t k, const Raw* in, Raw* out) const {
  const LayerDesc& l = net_.layers[k];
  const PreparedLayer& p = layers_[k];
  const FixedType& inT = layerInputType(k);
  const int n = l.inputSize(), fin = inT.frac();
  if (l.kind == LayerKind::Linear) {
    for (int i = 0; i < n; ++i) out[i] = quantizeRaw64(in[i], fin, l.resultType);
    return;
  }
  if (l.kind == LayerKind::ReLU) {
    for (int i = 0; i < n; ++i) out[i] = in[i] > 0 ? quantizeRaw64(in[i], fin, l.resultType) : 0;
    return;
  }
  if (l.kind == LayerKind::LeakyReLU) {
    // res = x > 0 ? x : alpha * x, alpha held in param_t, the product exact before the cast.
    const Raw a = fromDouble(l.alpha, l.paramType);
    const int fp = fin + l.paramType.frac();
    for (int i = 0; i < n; ++i)
      out[i] = in[i] > 0 ? quantizeRaw64(in[i], fin, l.resultType)
                         : quantizeRaw(static_cast<WideRaw>(in[i]) * a, fp, l.resultType);
    return;
  }
  if (l.kind == LayerKind::HardTanh) {
    // sigmoid = slope * x + shift in full precision, clamped to [0, 1]; res = 2 * sigmoid - 1.
    const Raw sl = fromDouble(l.slope, l.slopeType), sh = fromDouble(l.shift, l.shiftType);
    const int fp = fin + l.slopeType.frac(), fs = l.shiftType.frac();
    const int f = std::max(fp, fs);
    const WideRaw one = static_cast<WideRaw>(1) << f;
    for (int i = 0; i < n; ++i) {
      WideRaw v = static_cast<WideRaw>(in[i]) * sl * (static_cast<WideRaw>(1) << (f - fp)) +
                  static_cast<WideRaw>(sh) * (static_cast<WideRaw>(1) << (f - fs));
      v = std::clamp(v, static_cast<WideRaw>(0), one);
      out[i] = quantizeRaw(2 * v - one, f, l.resultType);
    }
    return;
  }
  // index = (data * table_size / R).to_int() + table_size / 2, clamped (R = 16 sigmoid, 8 tanh).
  const int divisor = l.kind == LayerKind::Sigmoid ? 16 : 8;
  const int ts = l.tableSize;
  const int offset = (l.kind == LayerKind::Sigmoid ? 8 : 4) * ts / divisor;
  for (int i = 0; i < n; ++i) {
    const WideRaw q = static_cast<WideRaw>(in[i]) * ts / divisor;  // ap_fixed / int truncates toward zero
    long long index = static_cast<long long>(static_cast<int>(truncShift(q, fin))) + offset;
    index = std::clamp<long long>(index, 0, ts - 1);
    out[i] = quantizeRaw(p.table[static_cast<size_t>(index)], l.tableType.frac(), l.resultType);
  }
}

// hls4ml's reduce<T, N, Op_add<T>>: a balanced adder tree (left part: the largest power of two
// below N), every partial sum cast to t.
static Raw treeSum(const Raw* x, int n, const FixedType& t) {
  if (n == 1) return x[0];
  if (n == 2) return quantizeRaw64(x[0] + x[1], t.frac(), t);
  int left = 1;
  while (left * 2 <= n - 1) left *= 2;
  return quantizeRaw64(treeSum(x, left, t) + treeSum(x + left, n - left, t), t.frac(), t);
}

void NetworkSim::softmax(size_t k, const Raw* in, Raw* out, Scratch& s) const {
  const LayerDesc& l = net_.layers[k];
  const PreparedLayer& p = layers_[k];
  const FixedType& inT = layerInputType(k);
  const int n = l.inputSize();
  s.expRes.resize(n);
  if (l.softmaxSeparateTypes) {
    const bool stable = l.softmaxImpl == SoftmaxImpl::Stable;
    Raw xMax = in[0];
    for (int i = 1; i < n; ++i) xMax = std::max(xMax, in[i]);
    const int fe = l.expTableType.frac(), fa = l.accumType.frac();
    for (int i = 0; i < n; ++i) {
      const unsigned idx = stable ? softmaxTableIndex(quantizeRaw64(xMax - in[i], inT.frac(), l.normType), l.normType, l.tableSize)
                                  : softmaxTableIndex(in[i], inT, l.tableSize);
      s.expRes[i] = quantizeRaw64(p.table[idx], fe, l.accumType);
    }
    const Raw sum = quantizeRaw64(treeSum(s.expRes.data(), n, l.accumType), fa, l.sumType);
    const Raw inv = p.table2[softmaxTableIndex(sum, l.sumType, l.inverseTableSize())];
    const int fp = fa + l.invTableType.frac();
    for (int i = 0; i < n; ++i) out[i] = quantizeRaw(static_cast<WideRaw>(s.expRes[i]) * inv, fp, l.resultType);
    return;
  }
  Raw sum = 0;
  const int fe = l.expTableType.frac();
  Raw xMax = in[0];
  for (int i = 1; i < n; ++i) xMax = std::max(xMax, in[i]);
  const FixedType diffType = softmaxDiffType(inT);
  for (int i = 0; i < n; ++i) {
    if ((l.softmaxImpl == SoftmaxImpl::Stable)) {
      const Raw d = quantizeRaw64(in[i] - xMax, inT.frac(), diffType);
      s.expRes[i] = p.table[softmaxTableIndex(d, diffType, l.tableSize)];
    } else {
      s.expRes[i] = p.table[softmaxTableIndex(in[i], inT, l.tableSize)];
    }
    sum = quantizeRaw64(sum + s.expRes[i], fe, l.expTableType);
  }
  const Raw inv = p.table2[softmaxTableIndex(sum, l.expTableType, l.tableSize)];
  const int fp = fe + l.invTableType.frac();
  for (int i = 0; i < n; ++i) out[i] = quantizeRaw(static_cast<WideRaw>(s.expRes[i]) * inv, fp, l.resultType);  // exact 128-bit product
}

void NetworkSim::forwardLayer(size_t k, const Raw* in, Raw* out, Scratch& s) const {
  switch (net_.layers[k].kind) {
    case LayerKind::Dense: dense(k, in, out, s); break;
    case LayerKind::Conv1D:
    case LayerKind::Conv2D: conv(k, in, out, s); break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
    case LayerKind::GlobalMaxPool:
    case LayerKind::GlobalAvgPool: pool(k, in, out); break;
    case LayerKind::ZeroPad: zeroPad(k, in, out); break;
    case LayerKind::BatchNorm: batchNorm(k, in, out); break;
    case LayerKind::Linear:
    case LayerKind::ReLU:
    case LayerKind::LeakyReLU:
    case LayerKind::HardTanh:
    case LayerKind::Sigmoid:
    case LayerKind::Tanh: activation(k, in, out); break;
    case LayerKind::Quantize: quantize(k, in, out); break;
    case LayerKind::Softmax: softmax(k, in, out, s); break;
    case LayerKind::Flatten: std::copy(in, in + net_.layers[k].inputSize(), out); break;
  }
}

void NetworkSim::runRaw(const float* inputs, size_t n, Raw* outputs) const {
  Scratch s;
  const size_t m = maxBuffer();
  s.bufA.resize(m);
  s.bufB.resize(m);
  const int nIn = net_.inputSize(), nOut = net_.outputSize();
  for (size_t smp = 0; smp < n; ++smp) {
    const float* x = inputs + smp * nIn;
    for (int i = 0; i < nIn; ++i) s.bufA[i] = fromDouble(x[i], net_.inputType);
    Raw* cur = s.bufA.data();
    Raw* nxt = s.bufB.data();
    for (size_t k = 0; k < net_.layers.size(); ++k) {
      forwardLayer(k, cur, nxt, s);
      std::swap(cur, nxt);
    }
    std::copy(cur, cur + nOut, outputs + smp * nOut);
  }
}

void NetworkSim::run(const float* inputs, size_t n, double* outputs) const {
  const int nOut = net_.outputSize();
  const FixedType outT = net_.layers.empty() ? net_.inputType : net_.layers.back().resultType;
  std::vector<Raw> raw(static_cast<size_t>(nOut) * n);
  runRaw(inputs, n, raw.data());
  for (size_t i = 0; i < raw.size(); ++i) outputs[i] = toDouble(raw[i], outT);
}

void NetworkSim::runParallel(const float* inputs, size_t n, double* outputs, unsigned threads) const {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t chunk = (n + threads - 1) / threads;
  const size_t nIn = static_cast<size_t>(net_.inputSize()), nOut = static_cast<size_t>(net_.outputSize());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads && t * chunk < n; ++t) {
    const size_t begin = t * chunk, count = std::min(chunk, n - begin);
    pool.emplace_back([=] { run(inputs + begin * nIn, count, outputs + begin * nOut); });
  }
  for (auto& th : pool) th.join();
}

double NetworkSim::accuracy(const float* inputs, const int* labels, size_t n, unsigned threads) const {
  if (n == 0) return 0.0;
  const int nOut = net_.outputSize();
  std::vector<double> out(n * static_cast<size_t>(nOut));
  runParallel(inputs, n, out.data(), threads);
  size_t correct = 0;
  for (size_t s = 0; s < n; ++s) {
    const double* row = &out[s * nOut];
    correct += std::max_element(row, row + nOut) - row == labels[s];  // first maximum, like argmax
  }
  return static_cast<double>(correct) / n;
}

std::vector<std::vector<Raw>> NetworkSim::trace(const float* input) const {
  Scratch s;
  std::vector<std::vector<Raw>> out;
  std::vector<Raw> cur(net_.inputSize());
  for (int i = 0; i < net_.inputSize(); ++i) cur[i] = fromDouble(input[i], net_.inputType);
  for (size_t k = 0; k < net_.layers.size(); ++k) {
    std::vector<Raw> nxt(net_.layers[k].outputSize());
    forwardLayer(k, cur.data(), nxt.data(), s);
    out.push_back(nxt);
    cur = std::move(nxt);
  }
  return out;
}

}  // namespace mmlc::hls
