// Sixteen (and eight) floats as one GCC/Clang vector (one AVX-512 (AVX) register, or narrower
// instructions without AVX-512) and their masked loads and stores: shared by the Winograd
// transforms and PanelGemm.
#pragma once
#include <algorithm>
#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace mmlc::nn {

constexpr int kLanes = 16;

// Element-wise operations on it are one AVX-512 instruction each (or a sequence of narrower
// ones), so results do not depend on the instruction set.
using Lanes = float __attribute__((vector_size(64)));
// Eight floats: for work that fills at most eight lanes (F(4x4) Winograd tile rows). CPUs that run
// a 512-bit operation as two 256-bit halves (AMD Zen 4) spend twice the time on a half-empty Lanes.
using Lanes8 = float __attribute__((vector_size(32)));

// The number of floats in a vector type (16 for Lanes, 8 for Lanes8).
template <class V>
constexpr int lanesOf = static_cast<int>(sizeof(V) / sizeof(float));

// Bits [from, to) of a 32-bit lane mask (clamped to 0..32).
inline uint32_t laneRange(int from, int to) {
  from = std::clamp(from, 0, 32);
  to = std::clamp(to, 0, 32);
  if (to <= from) return 0;
  return static_cast<uint32_t>(((1ull << to) - 1) & ~((1ull << from) - 1));
}

// Loads n <= 16 floats (the other lanes zero; nothing past src[n - 1] is read) and stores the
// first n lanes.
inline void load(Lanes& d, const float* src, int n) {
#if defined(__AVX512F__)
  d = _mm512_maskz_loadu_ps(static_cast<__mmask16>(laneRange(0, n)), src);
#else
  for (int l = 0; l < kLanes; ++l) d[l] = l < n ? src[l] : 0.0f;
#endif
}
inline void store(float* dst, const Lanes& s, int n) {
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(dst, static_cast<__mmask16>(laneRange(0, n)), s);
#else
  for (int l = 0; l < n; ++l) dst[l] = s[l];
#endif
}

// v with the lanes from n on set to zero.
inline Lanes firstLanes(const Lanes& v, int n) {
#if defined(__AVX512F__)
  return _mm512_maskz_mov_ps(static_cast<__mmask16>(laneRange(0, n)), v);
#else
  Lanes d = v;
  for (int l = n; l < kLanes; ++l) d[l] = 0.0f;
  return d;
#endif
}

// The same for Lanes8 (n <= 8).
inline void load(Lanes8& d, const float* src, int n) {
#if defined(__AVX512F__) && defined(__AVX512VL__)
  d = _mm256_maskz_loadu_ps(static_cast<__mmask8>(laneRange(0, n)), src);
#else
  for (int l = 0; l < 8; ++l) d[l] = l < n ? src[l] : 0.0f;
#endif
}
inline void store(float* dst, const Lanes8& s, int n) {
#if defined(__AVX512F__) && defined(__AVX512VL__)
  _mm256_mask_storeu_ps(dst, static_cast<__mmask8>(laneRange(0, n)), s);
#else
  for (int l = 0; l < n; ++l) dst[l] = s[l];
#endif
}
inline Lanes8 firstLanes(const Lanes8& v, int n) {
#if defined(__AVX512F__) && defined(__AVX512VL__)
  return _mm256_maskz_mov_ps(static_cast<__mmask8>(laneRange(0, n)), v);
#else
  Lanes8 d = v;
  for (int l = n; l < 8; ++l) d[l] = 0.0f;
  return d;
#endif
}

// All 16 lanes, unaligned.
inline Lanes loadAll(const float* src) {
  Lanes d;
  __builtin_memcpy(&d, src, sizeof d);
  return d;
}
inline void storeAll(float* dst, const Lanes& s) { __builtin_memcpy(dst, &s, sizeof s); }

// The sum of the 16 lanes, added pairwise (lane l with l + 8, then l + 4, l + 2, l + 1).
inline float sumOfLanes(const Lanes& v) {
  const Lanes a = v + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  const Lanes b = a + __builtin_shufflevector(a, a, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
  const Lanes c = b + __builtin_shufflevector(b, b, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  return c[0] + c[1];
}
// The sum of the 8 lanes, added pairwise (lane l with l + 4, then l + 2, l + 1).
inline float sumOfLanes(const Lanes8& v) {
  const Lanes8 a = v + __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3);
  const Lanes8 b = a + __builtin_shufflevector(a, a, 2, 3, 0, 1, 6, 7, 4, 5);
  return b[0] + b[1];
}

}  // namespace mmlc::nn
