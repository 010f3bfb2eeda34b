// Bit-exact scalar model of ap_fixed conversions: quantisation (7 modes) and overflow (4 modes) on
// integer mantissas. Every value is a raw two's-complement mantissa with a known number of
// fractional bits, so all arithmetic is exact integer arithmetic, as in the hardware.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "hls/FixedType.h"

namespace mmlc::hls {

using Raw = std::int64_t;      // mantissa of a value of some FixedType (W <= 64)
using WideRaw = __int128;      // exact intermediate (products, sums, shifted values)

// Drops `shift` low bits of x (shift > 0) rounding by mode q; shift <= 0 is handled by the caller.
// Decisions follow ap_fixed_base: the carry depends on the first dropped bit (half), whether any
// lower dropped bit is set, the sign of the source and the LSB of the truncated value.
inline WideRaw roundShiftRight(WideRaw x, int shift, QuantMode q) {
  if (shift > 100) {  // beyond any mantissa: only the sign matters for every mode
    x = x > 0 ? 1 : (x < 0 ? -1 : 0);
    shift = 100;
  }
  const WideRaw floorV = x >> shift;  // arithmetic shift: floor
  const WideRaw rem = x - floorV * (static_cast<WideRaw>(1) << shift);  // not <<: floorV may be negative
  if (rem == 0) return floorV;
  const WideRaw half = static_cast<WideRaw>(1) << (shift - 1);
  const bool neg = x < 0;
  bool carry = false;
  switch (q) {
    case QuantMode::TRN: carry = false; break;
    case QuantMode::TRN_ZERO: carry = neg; break;
    case QuantMode::RND: carry = rem >= half; break;
    case QuantMode::RND_ZERO: carry = rem > half || (rem == half && neg); break;
    case QuantMode::RND_INF: carry = rem > half || (rem == half && !neg); break;
    case QuantMode::RND_MIN_INF: carry = rem > half; break;
    case QuantMode::RND_CONV: carry = rem > half || (rem == half && (floorV & 1) != 0); break;
  }
  return floorV + (carry ? 1 : 0);
}

// Whether the vendor's ap_fixed keeps an in-range mantissa v of t as it is. Everything in
// [minRaw, maxRaw] is kept except one pattern: AP_SAT_SYM on a signed type of 2+ bits never
// produces the most negative mantissa (ap_fixed_base::operator= and the double constructor set
// `underflow |= neg_src && range(0, W-2) == 0`, so -2^(W-1) becomes -max).
inline bool keptAsIs(WideRaw v, const FixedType& t) {
  const Raw minR = t.minRaw();
  return v <= t.maxRaw() && (v > minR || (v == minR && (t.overflow != OverflowMode::SAT_SYM || !t.isSigned || t.width < 2)));
}

// Applies overflow mode of t to an exact mantissa v (already at t's fractional bits).
inline Raw applyOverflow(WideRaw v, const FixedType& t) {
  const Raw maxR = t.maxRaw();
  const Raw minR = t.minRaw();
  if (keptAsIs(v, t)) return static_cast<Raw>(v);
  switch (t.overflow) {
    case OverflowMode::WRAP: {
      unsigned __int128 u = static_cast<unsigned __int128>(v);
      const int w = t.width;
      const unsigned __int128 mask = (static_cast<unsigned __int128>(1) << w) - 1;
      u &= mask;
      if (t.isSigned && ((u >> (w - 1)) & 1)) return static_cast<Raw>(static_cast<WideRaw>(u) - (static_cast<WideRaw>(1) << w));
      return static_cast<Raw>(u);
    }
    case OverflowMode::SAT: return v > maxR ? maxR : minR;
    case OverflowMode::SAT_ZERO: return 0;
    case OverflowMode::SAT_SYM:
      if (v > maxR) return maxR;
      // Symmetric range [-max, max]; a signed 1-bit type has max = 0 and the vendor keeps its
      // only negative value -1 (overflow_adjust sets the pattern 10..01, which is 1 for W = 1).
      return t.isSigned && t.width >= 2 ? -maxR : minR;
  }
  return 0;
}

// Converts the exact value x * 2^-srcFrac to type t (quantisation, then overflow).
Raw quantizeRaw(WideRaw x, int srcFrac, const FixedType& t);

// Same result as quantizeRaw for a 64-bit mantissa, without 128-bit arithmetic in the common
// case (the simulator's hot path); falls back to quantizeRaw when a shift could overflow.
inline Raw quantizeRaw64(Raw x, int srcFrac, const FixedType& t) {
  const int shift = srcFrac - t.frac();
  Raw v;
  if (shift > 0) {
    if (shift >= 62) return quantizeRaw(static_cast<WideRaw>(x), srcFrac, t);
    const Raw fl = x >> shift;
    const Raw rem = x & ((Raw{1} << shift) - 1);
    const Raw half = Raw{1} << (shift - 1);
    bool carry = false;
    switch (t.quant) {
      case QuantMode::TRN: break;
      case QuantMode::TRN_ZERO: carry = x < 0 && rem != 0; break;
      case QuantMode::RND: carry = rem >= half; break;
      case QuantMode::RND_ZERO: carry = rem > half || (rem == half && x < 0); break;
      case QuantMode::RND_INF: carry = rem > half || (rem == half && x >= 0); break;
      case QuantMode::RND_MIN_INF: carry = rem > half; break;
      case QuantMode::RND_CONV: carry = rem > half || (rem == half && (fl & 1) != 0); break;
    }
    v = fl + (carry ? 1 : 0);
  } else if (shift == 0) {
    v = x;
  } else {
    const int k = -shift;
    const Raw limit = k >= 62 ? 0 : (Raw{1} << (62 - k));
    if (x >= limit || x <= -limit) return quantizeRaw(static_cast<WideRaw>(x), srcFrac, t);
    v = x * (Raw{1} << k);
  }
  if (keptAsIs(v, t)) return v;
  return applyOverflow(v, t);
}
// Converts a double exactly as ap_fixed's constructor from double does: +-inf saturate in SAT
// modes and give 0 in AP_WRAP, and so does NaN, by the sign bit (the vendor warns "assign NaN
// to fixed point value" and then reads NaN's all-ones exponent as an infinity's). The slow path decomposes the double into a 128-bit mantissa.
Raw fromDoubleSlow(double v, const FixedType& t);
// applyOverflow out of line: keeps fromDouble small enough to inline into loops over weights.
Raw fromDoubleOverflow(Raw r, const FixedType& t);
// 2^e as a double, built from its bits (exact for the normal exponents -1022..1023; ldexp, a
// library call, otherwise): multiplying by it is what ldexp does, without the call.
inline double exactPow2(int e) {
  if (e < -1022 || e > 1023) return std::ldexp(1.0, e);
  const std::uint64_t bits = static_cast<std::uint64_t>(e + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}
// fromDouble for many values of one type: what depends only on the type (the scale 2^F, the
// range kept as is) is computed once, in locals the loop need not reload.
class DoubleToFixed {
 public:
  explicit DoubleToFixed(const FixedType& t)
      : t_(t),
        scale_(exactPow2(t.frac())),
        maxKept_(t.maxRaw()),
        // keptAsIs: the most negative mantissa stays only outside symmetric saturation.
        minKept_(t.minRaw() + (t.overflow == OverflowMode::SAT_SYM && t.isSigned && t.width >= 2 ? 1 : 0)) {}
  Raw operator()(double v) const {
    // Fast path: scaling by 2^F is exact away from overflow/underflow, and so are floor and the
    // fractional remainder, so the rounding decisions below are exact. (v * 2^F rounds exactly as
    // ldexp(v, F) does where it is not exact, and such results, beyond 4e18 or below 2^-900, take
    // the slow path either way.)
    const double x = v * scale_;
    const double ax = std::fabs(x);
    if (!(ax < 4.0e18) || (v != 0 && ax < 0x1p-900)) return fromDoubleSlow(v, t_);
    const double fl = std::floor(x);
    const double rem = x - fl;
    const Raw f = static_cast<Raw>(fl);
    const bool neg = v < 0;
    bool carry = false;
    switch (t_.quant) {
      case QuantMode::TRN: break;
      case QuantMode::TRN_ZERO: carry = neg && rem != 0; break;
      case QuantMode::RND: carry = rem >= 0.5; break;
      case QuantMode::RND_ZERO: carry = rem > 0.5 || (rem == 0.5 && neg); break;
      case QuantMode::RND_INF: carry = rem > 0.5 || (rem == 0.5 && !neg); break;
      case QuantMode::RND_MIN_INF: carry = rem > 0.5; break;
      case QuantMode::RND_CONV: carry = rem > 0.5 || (rem == 0.5 && (f & 1) != 0); break;
    }
    const Raw r = f + (carry ? 1 : 0);
    if (r <= maxKept_ && r >= minKept_) return r;  // keptAsIs(r, t)
    return fromDoubleOverflow(r, t_);
  }

 private:
  FixedType t_;
  double scale_;
  Raw maxKept_, minKept_;
};
inline Raw fromDouble(double v, const FixedType& t) { return DoubleToFixed(t)(v); }
double toDouble(Raw raw, const FixedType& t);

// A scalar fixed-point value: a mantissa and its type. Handy in tests and slow paths.
struct FixedValue {
  Raw raw = 0;
  FixedType type;
  static FixedValue of(double v, const FixedType& t) { return FixedValue{fromDouble(v, t), t}; }
  double toDouble() const { return mmlc::hls::toDouble(raw, type); }
};

// Exact product / sum of two values, cast to type t (what `t r = a * b;` does in HLS C++).
FixedValue multiplyTo(const FixedValue& a, const FixedValue& b, const FixedType& t);
FixedValue addTo(const FixedValue& a, const FixedValue& b, const FixedType& t);

}  // namespace mmlc::hls
