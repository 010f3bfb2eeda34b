// mmlc's own stand-in for the vendor ap_common.h: mode enums and the exact integer conversion
// routines shared by ap_fixed.h and ap_int.h. Bit-identical to mmlc::hls::FixedPointSim.
#ifndef MMLC_AP_COMMON_H
#define MMLC_AP_COMMON_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>

// Same enumerator order as the vendor headers, so reports and mangled names read the same.
enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

namespace ap_mmlc {

typedef __int128 wide_t;
typedef unsigned __int128 uwide_t;

inline int bit_length(wide_t x) {
  uwide_t u = static_cast<uwide_t>(x < 0 ? -x : x);
  int n = 0;
  while (u) {
    u >>= 1;
    ++n;
  }
  return n;
}

inline wide_t max_raw(int w, bool s) {
  const int bits = s ? w - 1 : w;
  return bits >= 127 ? static_cast<wide_t>(~static_cast<uwide_t>(0) >> 1) : (static_cast<wide_t>(1) << bits) - 1;
}
inline wide_t min_raw(int w, bool s) {
  if (!s) return 0;
  return -max_raw(w, s) - 1;
}

// Keeps the low w bits (two's complement), as AP_WRAP does.
inline wide_t wrap_bits(uwide_t u, int w, bool s) {
  if (w < 128) u &= (static_cast<uwide_t>(1) << w) - 1;
  if (s && w < 128 && ((u >> (w - 1)) & 1)) return static_cast<wide_t>(u) - (static_cast<wide_t>(1) << w);
  return static_cast<wide_t>(u);
}

// AP_SAT_SYM: a signed type of 2+ bits never holds its most negative pattern (the vendor turns
// it into -max); a signed 1-bit type keeps -1, as the vendor's overflow_adjust does.
inline wide_t overflow(wide_t v, int w, bool s, int o) {
  const wide_t mx = max_raw(w, s), mn = min_raw(w, s);
  const bool sym = o == AP_SAT_SYM && s && w >= 2;
  if (v <= mx && (v > mn || (v == mn && !sym))) return v;
  switch (o) {
    case AP_SAT: return v > mx ? mx : mn;
    case AP_SAT_ZERO: return 0;
    case AP_SAT_SYM: return v > mx ? mx : (sym ? -mx : mn);
    default: return wrap_bits(static_cast<uwide_t>(v), w, s);
  }
}

// Drops `shift` (> 0) low bits rounding by mode q.
inline wide_t round_shift(wide_t x, int shift, int q) {
  if (shift > 100) {
    x = x > 0 ? 1 : (x < 0 ? -1 : 0);
    shift = 100;
  }
  const wide_t fl = x >> shift;
  const wide_t rem = x - fl * (static_cast<wide_t>(1) << shift);
  if (rem == 0) return fl;
  const wide_t half = static_cast<wide_t>(1) << (shift - 1);
  const bool neg = x < 0;
  bool carry = false;
  switch (q) {
    case AP_TRN: carry = false; break;
    case AP_TRN_ZERO: carry = neg; break;
    case AP_RND: carry = rem >= half; break;
    case AP_RND_ZERO: carry = rem > half || (rem == half && neg); break;
    case AP_RND_INF: carry = rem > half || (rem == half && !neg); break;
    case AP_RND_MIN_INF: carry = rem > half; break;
    case AP_RND_CONV: carry = rem > half || (rem == half && (fl & 1) != 0); break;
    default: break;
  }
  return fl + (carry ? 1 : 0);
}

// Exact value x * 2^-src_f converted to a (w, f, s, q, o) mantissa.
inline wide_t quantize(wide_t x, int src_f, int w, int f, bool s, int q, int o) {
  const int shift = src_f - f;
  if (shift > 0) return overflow(round_shift(x, shift, q), w, s, o);
  if (shift == 0 || x == 0) return overflow(x, w, s, o);
  const int k = -shift;
  if (k >= 120 || bit_length(x) + k > 125) {
    if (o == AP_WRAP || o == AP_WRAP_SM) return k >= 128 ? 0 : wrap_bits(static_cast<uwide_t>(x) << k, w, s);
    const wide_t huge = x > 0 ? (static_cast<wide_t>(1) << 120) : -(static_cast<wide_t>(1) << 120);
    return overflow(huge, w, s, o);
  }
  return overflow(x * (static_cast<wide_t>(1) << k), w, s, o);
}

// NaN converts like the infinity of its sign, as in the vendor's constructor from double.
inline wide_t from_double(double v, int w, int f, bool s, int q, int o) {
  if (std::isnan(v) || std::isinf(v)) {
    if (o == AP_WRAP || o == AP_WRAP_SM) return 0;
    return overflow(!std::signbit(v) ? (static_cast<wide_t>(1) << 120) : -(static_cast<wide_t>(1) << 120), w, s, o);
  }
  if (v == 0.0) return 0;
  int e = 0;
  const double m = std::frexp(v, &e);
  const long long mant = static_cast<long long>(std::ldexp(m, 53));
  return quantize(static_cast<wide_t>(mant), 53 - e, w, f, s, q, o);
}

// The vendor's ap_fixed_base::operator= reads the first dropped bit of the source for every
// quantisation mode but AP_TRN (and AP_TRN_ZERO from an unsigned source); when that bit lies
// beyond the source's MSB (src_f - f > src_w) its ap_private::get_bit asserts. Abort the same way,
// so that a design mmlc's headers accept never aborts under the vendor's (mmlc::hls::
// conversionIsDefined states the same rule).
inline void check_defined(int src_w, int src_f, bool src_s, int f, int q) {
  const bool reads = q != AP_TRN && !(q == AP_TRN_ZERO && !src_s);
  if (reads && src_f - f > src_w) {
    std::fprintf(stderr,
                 "ap_fixed: converting a %d-bit value with %d fractional bits to %d fractional bits reads bit %d: "
                 "Attempting to read bit beyond MSB (undefined in the vendor's ap_fixed)\n",
                 src_w, src_f, f, src_f - f - 1);
    std::abort();
  }
}

inline double to_double(wide_t v, int f) { return std::ldexp(static_cast<double>(v), -f); }

// Integer part truncated towards zero, as the vendor's to_int() (C semantics).
inline wide_t trunc_int(wide_t v, int f) {
  if (f <= 0) return f < -100 ? 0 : v * (static_cast<wide_t>(1) << -f);
  if (f > 120) return 0;
  wide_t q = v >> f;
  if (v < 0 && (v - q * (static_cast<wide_t>(1) << f)) != 0) q += 1;
  return q;
}

template <int A, int B>
struct max_int {
  static const int value = A > B ? A : B;
};

}  // namespace ap_mmlc

#endif
