// Arithmetic shared by the simulation hooks of several layer kinds: the multiply-accumulate
// kernel of Dense and convolutions, hls4ml's adder tree and C-style divisions. The fast dense
// kernel relies on AP_WRAP accumulators being a ring modulo 2^W: products can be rounded, summed
// in uint64 in any order and wrapped once at the end, which gives the same bits as wrapping after
// every addition.
#include "hls/layers/SimKernels.h"

#include <algorithm>
#include <cmath>

namespace mmlc::hls {

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

}  // namespace

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

void prepareWeights(const SimLayer& sl, PreparedLayer& p) {
  const LayerDesc& l = sl.l;
  p.weights.reserve(l.weights.size());
  for (float w : l.weights) p.weights.push_back(fromDouble(w, l.weightType));  // batch-norm: the scales
  for (float b : l.biases) {
    const Raw br = fromDouble(b, l.biasType);
    p.biases.push_back(br);
    p.biasAccum.push_back(quantizeRaw(br, l.biasType.frac(), l.accumType));
  }
  p.fastWrap = l.accumType.overflow == OverflowMode::WRAP;
}

int invTableSize(const LayerDesc& l, TemplateGeneration g) {
  return g == TemplateGeneration::Hls4ml_1_1 ? l.inverseTableSize() : l.tableSize;
}

void macToResult(const SimLayer& sl, const PreparedLayer& p, const Raw* x, int nIn, const Raw* w, Raw* out, SimScratch& s) {
  const LayerDesc& l = sl.l;
  const FixedType& in = sl.in;
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

}  // namespace mmlc::hls

namespace mmlc::hls {

void macRanges(const double* x, int nIn, int nOut, const float* w, const float* b, double* out, RangeProbe& r) {
  const bool partialSums = r.partialSums;
  std::vector<double>& peak = r.peak;
  for (int j = 0; j < nOut; ++j) out[j] = b[j];
  if (partialSums)
    for (int j = 0; j < nOut; ++j) peak[j] = std::max(peak[j], std::abs(out[j]));
  for (int i = 0; i < nIn; ++i) {
    const double xi = x[i];
    if (xi == 0) continue;
    const float* row = w + static_cast<size_t>(i) * nOut;
    for (int j = 0; j < nOut; ++j) out[j] += xi * row[j];
    if (partialSums)
      for (int j = 0; j < nOut; ++j) peak[j] = std::max(peak[j], std::abs(out[j]));
  }
  for (int j = 0; j < nOut; ++j) r.accumAbs = std::max(r.accumAbs, std::abs(out[j]));
}

std::string emitWeightedTypedefs(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  return "typedef " + l.weightType.toCpp() + " " + l.name + "_weight_t;\n" + "typedef " + l.biasType.toCpp() + " " + l.name +
         "_bias_t;\n" + "typedef " + l.accumType.toCpp() + " " + l.name + "_accum_t;\n";
}

}  // namespace mmlc::hls
