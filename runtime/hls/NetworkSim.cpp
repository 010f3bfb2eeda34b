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

// nnet::reduce with Op_add<T>: a balanced tree whose left part is the largest power of two below
// n, every partial sum cast to t (the order matters once t saturates or rounds).
Raw reduceAdd(const Raw* x, int n, const FixedType& t) {
  if (n == 1) return x[0];
  if (n == 2) return quantizeRaw(static_cast<WideRaw>(x[0]) + x[1], t.frac(), t);
  int left = 1;
  while (left * 2 <= n - 1) left *= 2;  // pow2(floorlog2(n - 1))
  return quantizeRaw(static_cast<WideRaw>(reduceAdd(x, left, t)) + reduceAdd(x + left, n - left, t), t.frac(), t);
}

// C-style (truncating) division, as ap_fixed / int keeps the dividend's fractional bits.
WideRaw truncDiv(WideRaw x, long long d) { return x / d; }

// Exact sum of a (fraction fa) and b (fraction fb) cast to t.
Raw addCast(Raw a, int fa, Raw b, int fb, const FixedType& t) {
  const int f = std::max(fa, fb);
  return quantizeRaw(static_cast<WideRaw>(a) * (static_cast<WideRaw>(1) << (f - fa)) +
                         static_cast<WideRaw>(b) * (static_cast<WideRaw>(1) << (f - fb)),
                     f, t);
}

// Softmax inverse table size: Hls4ml_1_1's inv_table_size; earlier templates have one table_size.
int invTableSize(const LayerDesc& l, TemplateGeneration g) {
  return g == TemplateGeneration::Hls4ml_1_1 ? l.inverseTableSize() : l.tableSize;
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
    if (isMac && l.strategy == Strategy::Resource) {
      // dense_resource and conv_1d/2d_resource_cl visit w_index = ir + RF*im over the transposed
      // weights (out-major); for a convolution n_in is the patch size.
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
    // hls4ml fills its tables in float (a float in_val, exp_fcn_float = std::exp(float), 1 / float),
    // so the entries are what those float expressions give, then converted to the table type.
    if (l.kind == LayerKind::Sigmoid || l.kind == LayerKind::Tanh) {
      p.table.resize(n);
      for (int ii = 0; ii < n; ++ii) {
        if (l.kind == LayerKind::Sigmoid) {
          const float inVal = static_cast<float>(2 * 8.0 * (ii - float(n) / 2.0) / float(n));
          const float realVal = static_cast<float>(1.0 / (1 + std::exp(-inVal)));  // sigmoid_fcn_float
          p.table[ii] = fromDouble(realVal, l.tableType);
        } else {
          const float inVal = static_cast<float>(2 * 4.0 * (ii - float(n) / 2.0) / float(n));
          // init_tanh_table's unqualified tanh(in_val) takes the float overload (<math.h>'s
          // std::tanh(float) is visible there), as the 30-bit table case of the conformance test shows.
          p.table[ii] = fromDouble(std::tanh(inVal), l.tableType);
        }
      }
    } else if (l.kind == LayerKind::Softmax && l.softmaxImpl == SoftmaxImpl::Legacy) {
      // init_exp_table_legacy over [-8, 8) and init_invert_table_legacy over [0, 64), in table_t.
      const int ni = invTableSize(l, net_.generation);
      p.table.resize(n);
      p.table2.resize(ni);
      for (int ii = 0; ii < n; ++ii) {
        const float inVal = static_cast<float>(2 * 8.0 * (ii - float(n) / 2.0) / float(n));
        p.table[ii] = fromDouble(std::exp(inVal), l.tableType);
      }
      for (int ii = 0; ii < ni; ++ii) {
        const float inVal = static_cast<float>(64.0 * ii / float(ni));
        p.table2[ii] = inVal > 0.0 ? fromDouble(1.0 / inVal, l.tableType) : 0;
      }
    } else if (l.kind == LayerKind::Softmax) {
      // init_exp_table / init_invert_table: the value a table index stands for is the index as the
      // top bits of the addressing type. Hls4ml_1_1's stable variant addresses by x_max - x in
      // inp_norm_t and tabulates exp(-v * exp_scale); earlier ones address by data_T.
      const bool g11 = net_.generation == TemplateGeneration::Hls4ml_1_1;
      const bool negative = g11 && l.softmaxImpl == SoftmaxImpl::Stable;
      const FixedType& idxType = negative ? l.inpNormType : in;
      const FixedType& invIdxType = g11 ? l.invInpType : l.expTableType;
      const int ni = invTableSize(l, net_.generation);
      p.table.resize(n);
      p.table2.resize(ni);
      for (int ii = 0; ii < n; ++ii) {
        float x = static_cast<float>(softmaxTableValue(static_cast<unsigned>(ii), idxType, n));
        if (g11) x = x * static_cast<float>(l.expScale);
        if (negative) x = -x;
        p.table[ii] = fromDouble(std::exp(x), l.expTableType);
      }
      for (int ii = 0; ii < ni; ++ii) {
        const float x = static_cast<float>(softmaxTableValue(static_cast<unsigned>(ii), invIdxType, ni));
        p.table2[ii] = fromDouble(1 / x, l.invTableType);
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

void NetworkSim::depthwiseConv(size_t k, const Raw* in, Raw* out) const {
  // depthwise_conv_1d/2d_latency_cl and the io_stream depthwise_product(_latency): per output
  // pixel and channel, acc = accum_t(bias), then for each kernel position (row-major) acc +=
  // accum_t(x * w), the product cast to accum_t before the addition; res = res_T(acc). Padding
  // contributes zero products, which leave acc unchanged.
  const LayerDesc& l = net_.layers[k];
  const PreparedLayer& p = layers_[k];
  const FixedType& inT = layerInputType(k);
  const int c = l.inChannels, prodFrac = inT.frac() + l.weightType.frac(), fa = l.accumType.frac();
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow)
      for (int ch = 0; ch < c; ++ch) {
        Raw acc = p.biasAccum[ch];
        for (int kh = 0; kh < l.kernelH; ++kh)
          for (int kw = 0; kw < l.kernelW; ++kw) {
            const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
            if (ih < 0 || ih >= l.inHeight || iw < 0 || iw >= l.inWidth) continue;
            const Raw x = in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch];
            const Raw w = p.weights[(static_cast<size_t>(kh) * l.kernelW + kw) * c + ch];
            if (x == 0 || w == 0) continue;
            const Raw m = quantizeRaw(static_cast<WideRaw>(x) * w, prodFrac, l.accumType);
            acc = quantizeRaw(static_cast<WideRaw>(acc) + m, fa, l.accumType);
          }
        out[(static_cast<size_t>(oh) * l.outWidth + ow) * c + ch] = quantizeRaw(acc, fa, l.resultType);
      }
}

void NetworkSim::pool(size_t k, const Raw* in, Raw* out, Scratch& s) const {
  const LayerDesc& l = net_.layers[k];
  const FixedType& inT = layerInputType(k);
  const FixedType& accT = l.accumType;
  const int c = l.inChannels, n = l.kernelH * l.kernelW, fin = inT.frac(), fa = accT.frac(), fr = l.resultType.frac();
  const bool isMax = l.kind == LayerKind::MaxPool || l.kind == LayerKind::GlobalMaxPool;
  const bool global = l.kind == LayerKind::GlobalMaxPool || l.kind == LayerKind::GlobalAvgPool;
  const bool stream = net_.ioType == IOType::Stream;
  const bool g08 = net_.generation == TemplateGeneration::Hls4ml_0_8;
  // 0.8's avg() overload for ap_fixed<W,I> (default modes) sums exactly in W + log2(N) bits.
  const bool exactAvg08 = inT.isSigned && inT.quant == QuantMode::TRN && inT.overflow == OverflowMode::WRAP;
  // 0.8's pooling1d/2d_cl scale averages by data_T(pool size) / overlap (the overlap is the whole
  // window without padding): data_T(pw) / n in 1-D, data_T(ph) * data_T(pw) / n in 2-D.
  Raw rescale = 0;
  int rescaleFrac = fin;
  if (g08 && !stream && !isMax && !global) {
    if (l.inHeight == 1 && l.kernelH == 1) {
      rescale = quantizeRaw(truncDiv(fromDouble(l.kernelW, inT), n), fin, inT);
    } else {
      const WideRaw prod = static_cast<WideRaw>(fromDouble(l.kernelH, inT)) * fromDouble(l.kernelW, inT);
      rescale = quantizeRaw(truncDiv(prod, n), 2 * fin, inT);
    }
  }
  s.column.resize(n);
  Raw* v = s.column.data();
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow)
      for (int ch = 0; ch < c; ++ch) {
        int q = 0;
        for (int kh = 0; kh < l.kernelH; ++kh)
          for (int kw = 0; kw < l.kernelW; ++kw)
            v[q++] = in[(static_cast<size_t>(oh * l.strideH + kh) * l.inWidth + ow * l.strideW + kw) * c + ch];
        Raw r;  // the result before the cast to res_T, in fraction rf
        int rf = fin;
        if (stream) {
          // io_stream (reduce_pool / compute_global_pool, the same in every generation): window
          // values are first cast to accum_t; windows reduce by nnet::reduce, global pooling
          // accumulates pixel by pixel.
          rf = fa;
          for (int i = 0; i < n; ++i) v[i] = quantizeRaw(v[i], fin, accT);
          if (isMax) {
            r = *std::max_element(v, v + n);
          } else if (global) {
            Raw y = 0;
            for (int i = 0; i < n; ++i) y = quantizeRaw(static_cast<WideRaw>(y) + v[i], fa, accT);
            r = quantizeRaw(truncDiv(y, n), fa, accT);
          } else {
            r = quantizeRaw(truncDiv(reduceAdd(v, n, accT), n), fa, accT);
          }
        } else if (g08) {
          if (isMax) {
            r = *std::max_element(v, v + n);
          } else if (exactAvg08) {
            WideRaw sum = 0;
            for (int i = 0; i < n; ++i) sum += v[i];
            r = quantizeRaw(truncDiv(sum, n), fin, inT);
          } else {  // generic avg(): y += x and y /= N in data_T
            Raw y = 0;
            for (int i = 0; i < n; ++i) y = quantizeRaw(static_cast<WideRaw>(y) + v[i], fin, inT);
            r = quantizeRaw(truncDiv(y, n), fin, inT);
          }
        } else {
          // pool_op<data_T, N, op, accum_t>: max in data_T, or y += x / y /= N in accum_t; the
          // accum_t result is cast to res_T.
          rf = fa;
          if (isMax) {
            r = quantizeRaw(*std::max_element(v, v + n), fin, accT);
          } else {
            Raw y = 0;
            for (int i = 0; i < n; ++i) y = addCast(y, fa, v[i], fin, accT);
            r = quantizeRaw(truncDiv(y, n), fa, accT);
          }
        }
        Raw res = quantizeRaw(r, rf, l.resultType);
        if (g08 && !stream && !isMax && !global)
          res = quantizeRaw(static_cast<WideRaw>(res) * rescale, fr + rescaleFrac, l.resultType);
        out[(static_cast<size_t>(oh) * l.outWidth + ow) * c + ch] = res;
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

void NetworkSim::softmax(size_t k, const Raw* in, Raw* out, Scratch& s) const {
  const LayerDesc& l = net_.layers[k];
  const PreparedLayer& p = layers_[k];
  const FixedType& inT = layerInputType(k);
  const int n = l.inputSize(), fin = inT.frac();
  const bool g11 = net_.generation == TemplateGeneration::Hls4ml_1_1;
  if (l.softmaxImpl == SoftmaxImpl::Argmax) {
    // softmax_argmax: res_T(1) at the first maximum, res_T(0) elsewhere.
    const int best = static_cast<int>(std::max_element(in, in + n) - in);
    std::fill(out, out + n, Raw{0});
    out[best] = fromDouble(1.0, l.resultType);
    return;
  }
  if (l.softmaxImpl == SoftmaxImpl::Legacy) {
    // softmax_legacy: exp_res[i] = sum_j exp_table[(x_j - x_i) * N / 16 + N / 2] in table_t (1 for
    // j == i), then res = invert_table[exp_res * N_inv / 64]; indices truncate toward zero.
    const int ne = l.tableSize, ni = invTableSize(l, net_.generation);
    const FixedType& tt = l.tableType;
    const Raw one = fromDouble(1.0, tt);
    for (int i = 0; i < n; ++i) {
      Raw acc = 0;
      for (int j = 0; j < n; ++j) {
        Raw e = one;
        if (i != j) {
          const WideRaw q = (static_cast<WideRaw>(in[j]) - in[i]) * ne / 16;
          long long index = static_cast<long long>(static_cast<int>(truncShift(q, fin))) + 8 * ne / 16;
          e = p.table[static_cast<size_t>(std::clamp<long long>(index, 0, ne - 1))];
        }
        acc = quantizeRaw(static_cast<WideRaw>(acc) + e, tt.frac(), tt);
      }
      const WideRaw q = static_cast<WideRaw>(acc) * ni / 64;
      const long long index = std::clamp<long long>(static_cast<int>(truncShift(q, tt.frac())), 0, ni - 1);
      out[i] = quantizeRaw(p.table2[static_cast<size_t>(index)], tt.frac(), l.resultType);
    }
    return;
  }
  // Latency and stable: exp_res in accum_t (Hls4ml_1_1; exp_table_t before), summed by nnet::reduce,
  // the sum read as inv_inp_t (exp_table_t before) to index the inverse table.
  const FixedType& accT = g11 ? l.accumType : l.expTableType;
  const FixedType& sumT = g11 ? l.invInpType : l.expTableType;
  const int fe = l.expTableType.frac(), fa = accT.frac();
  s.expRes.resize(n);
  const Raw xMax = *std::max_element(in, in + n);
  const FixedType diffType = softmaxDiffType(inT);
  for (int i = 0; i < n; ++i) {
    unsigned idx;
    if (l.softmaxImpl != SoftmaxImpl::Stable) {
      idx = softmaxTableIndex(in[i], inT, l.tableSize);
    } else if (g11) {  // d = x_max - x in inp_norm_t
      idx = softmaxTableIndex(quantizeRaw64(xMax - in[i], fin, l.inpNormType), l.inpNormType, l.tableSize);
    } else {
      // d = x - x_max in ap_fixed<W, I, AP_RND, AP_SAT>, then passed to softmax_idx_from_real_val
      // as data_T: the same bits, except that an unsigned saturating data_T clips d (<= 0) to 0.
      const Raw d = quantizeRaw64(in[i] - xMax, fin, diffType);
      idx = softmaxTableIndex(quantizeRaw64(d, fin, inT), inT, l.tableSize);
    }
    s.expRes[i] = quantizeRaw64(p.table[idx], fe, accT);
  }
  const Raw sum = quantizeRaw64(reduceAdd(s.expRes.data(), n, accT), fa, sumT);
  const Raw inv = p.table2[softmaxTableIndex(sum, sumT, invTableSize(l, net_.generation))];
  const int fp = fa + l.invTableType.frac();
  for (int i = 0; i < n; ++i) out[i] = quantizeRaw(static_cast<WideRaw>(s.expRes[i]) * inv, fp, l.resultType);
}

void NetworkSim::forwardLayer(size_t k, const Raw* in, Raw* out, Scratch& s) const {
  switch (net_.layers[k].kind) {
    case LayerKind::Dense: dense(k, in, out, s); break;
    case LayerKind::Conv1D:
    case LayerKind::Conv2D: conv(k, in, out, s); break;
    case LayerKind::DepthwiseConv1D:
    case LayerKind::DepthwiseConv2D: depthwiseConv(k, in, out); break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
    case LayerKind::GlobalMaxPool:
    case LayerKind::GlobalAvgPool: pool(k, in, out, s); break;
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
