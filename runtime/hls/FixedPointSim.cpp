// Scalar ap_fixed conversions: exact double decomposition, quantisation and overflow.
#include "hls/FixedPointSim.h"

#include <cmath>
#include <stdexcept>

namespace mmlc::hls {

namespace {

int bitLength(WideRaw x) {
  unsigned __int128 u = static_cast<unsigned __int128>(x < 0 ? -x : x);
  int n = 0;
  while (u) {
    u >>= 1;
    ++n;
  }
  return n;
}

}  // namespace

Raw quantizeRaw(WideRaw x, int srcFrac, const FixedType& t) {
  const int shift = srcFrac - t.frac();
  if (shift > 0) return applyOverflow(roundShiftRight(x, shift, t.quant), t);
  if (shift == 0 || x == 0) return applyOverflow(x, t);
  const int k = -shift;
  if (k >= 120 || bitLength(x) + k > 125) {
    // Certainly out of range for W <= 64: saturate by sign, or keep the low bits for WRAP.
    if (t.overflow == OverflowMode::WRAP) {
      if (k >= 128) return 0;
      unsigned __int128 u = static_cast<unsigned __int128>(x) << k;
      const unsigned __int128 mask = (static_cast<unsigned __int128>(1) << t.width) - 1;
      u &= mask;
      if (t.isSigned && ((u >> (t.width - 1)) & 1))
        return static_cast<Raw>(static_cast<WideRaw>(u) - (static_cast<WideRaw>(1) << t.width));
      return static_cast<Raw>(u);
    }
    const WideRaw huge = x > 0 ? (static_cast<WideRaw>(1) << 120) : -(static_cast<WideRaw>(1) << 120);
    return applyOverflow(huge, t);
  }
  return applyOverflow(x * (static_cast<WideRaw>(1) << k), t);
}

Raw fromDoubleOverflow(Raw r, const FixedType& t) { return applyOverflow(r, t); }

Raw fromDoubleSlow(double v, const FixedType& t) {
  if (std::isnan(v) || std::isinf(v)) {
    if (t.overflow == OverflowMode::WRAP) return 0;
    return applyOverflow(!std::signbit(v) ? (static_cast<WideRaw>(1) << 120) : -(static_cast<WideRaw>(1) << 120), t);
  }
  if (v == 0.0) return 0;
  // v = m * 2^(e-53) exactly, with |m| < 2^53 an integer.
  int e = 0;
  const double m = std::frexp(v, &e);
  const auto mant = static_cast<std::int64_t>(std::ldexp(m, 53));
  return quantizeRaw(static_cast<WideRaw>(mant), 53 - e, t);
}

double toDouble(Raw raw, const FixedType& t) { return std::ldexp(static_cast<double>(raw), -t.frac()); }

FixedValue multiplyTo(const FixedValue& a, const FixedValue& b, const FixedType& t) {
  const WideRaw p = static_cast<WideRaw>(a.raw) * static_cast<WideRaw>(b.raw);
  return FixedValue{quantizeRaw(p, a.type.frac() + b.type.frac(), t), t};
}

FixedValue addTo(const FixedValue& a, const FixedValue& b, const FixedType& t) {
  const int f = a.type.frac() > b.type.frac() ? a.type.frac() : b.type.frac();
  const WideRaw x = static_cast<WideRaw>(a.raw) * (static_cast<WideRaw>(1) << (f - a.type.frac()));
  const WideRaw y = static_cast<WideRaw>(b.raw) * (static_cast<WideRaw>(1) << (f - b.type.frac()));
  return FixedValue{quantizeRaw(x + y, f, t), t};
}

}  // namespace mmlc::hls
