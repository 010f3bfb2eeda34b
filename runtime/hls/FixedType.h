// Fixed-point type descriptions (the W, I, signedness, Q and O parameters of ap_fixed) shared by the
// simulator, the emitter and the estimator.
#pragma once

#include <string>

namespace mmlc::hls {

// Quantisation modes of ap_fixed: what happens to the bits dropped below the LSB.
enum class QuantMode { TRN, TRN_ZERO, RND, RND_ZERO, RND_INF, RND_MIN_INF, RND_CONV };
// Overflow modes of ap_fixed: what happens to values outside the representable range.
enum class OverflowMode { WRAP, SAT, SAT_ZERO, SAT_SYM };

const char* quantModeName(QuantMode q);       // "AP_TRN", ...
const char* overflowModeName(OverflowMode o); // "AP_WRAP", ...

struct FixedType {
  int width = 16;        // W: total bits
  int integer = 6;       // I: integer bits including the sign bit (may exceed W or be negative)
  bool isSigned = true;  // ap_fixed vs ap_ufixed
  QuantMode quant = QuantMode::TRN;
  OverflowMode overflow = OverflowMode::WRAP;

  int frac() const { return width - integer; }
  // The C++ spelling used in emitted code, e.g. "ap_fixed<16,6,AP_RND,AP_SAT>".
  std::string toCpp() const;
  // hls4ml-style short spelling, e.g. "fixed<16,6>" or "ufixed<8,0,RND,SAT>".
  std::string toString() const;
  // Largest / smallest representable mantissa (raw integer).
  long long maxRaw() const {
    const int bits = isSigned ? width - 1 : width;
    return bits >= 63 ? static_cast<long long>(~0ULL >> 1) : static_cast<long long>((1ULL << bits) - 1);
  }
  long long minRaw() const {
    if (!isSigned) return 0;
    return width >= 64 ? static_cast<long long>(1ULL << 63) : -static_cast<long long>(1ULL << (width - 1));
  }
  double maxValue() const;
  double minValue() const;

  // Accepts hls4ml spellings ("fixed<16,6>", "ufixed<8,3,RND,SAT>", "int<8>", "uint<4>") and C++
  // spellings ("ap_fixed<16,6,AP_RND_CONV,AP_SAT>", "ap_int<8>"). Throws std::invalid_argument.
  static FixedType parse(const std::string& text);
  static FixedType fixed(int w, int i, QuantMode q = QuantMode::TRN, OverflowMode o = OverflowMode::WRAP) {
    FixedType t;
    t.width = w;
    t.integer = i;
    t.quant = q;
    t.overflow = o;
    return t;
  }
  static FixedType ufixed(int w, int i, QuantMode q = QuantMode::TRN, OverflowMode o = OverflowMode::WRAP) {
    FixedType t = fixed(w, i, q, o);
    t.isSigned = false;
    return t;
  }

  bool operator==(const FixedType& o) const {
    return width == o.width && integer == o.integer && isSigned == o.isSigned && quant == o.quant &&
           overflow == o.overflow;
  }
  bool operator!=(const FixedType& o) const { return !(*this == o); }
};

// ---- What the vendor's ap_fixed can convert ----
//
// The vendor's C-simulation library (Xilinx HLS_arbitrary_Precision_Types, ap_fixed_base.h,
// ap_fixed_base::operator= from another ap_fixed_base, which the copy constructor, the cast and
// every `T r = a op b;` go through) drops d = F2 - F low bits when the source (W2, I2, F2 = W2-I2)
// has more fractional bits than the destination (W, I, F = W-I), and for every quantisation mode
// of the destination except AP_TRN (and AP_TRN_ZERO from an unsigned source) reads the first
// dropped bit unconditionally:
//     bool qbit = _AP_ROOT_op_get_bit(op.V, F2 - _AP_F - 1);
// When d > W2 that bit lies beyond the source's MSB and ap_private<W2,S2>::get_bit (etc/ap_private.h)
// fails `assert(i < _AP_W && "Attempting to read bit beyond MSB")`, for every value (0 too), at
// the first such conversion. (With NDEBUG the next line, `qb = (F2 - _AP_F > _AP_W2) ? _AP_S2 &&
// signbit : qbit`, would give the defined result: 0 for every value, as the whole source lies
// below half an LSB of the destination.) So the conversion is undefined exactly when
//     rounding(to.quant, from.isSigned) && from.frac() - to.frac() > from.width,
// i.e. from.integer + to.frac() < 0: the source's MSB lies below the destination's rounding bit.
// Checked exhaustively against the vendor headers for W, W2 in 1..12, I, I2 in -6..14, both
// signednesses, all quantisation and overflow modes, products and sums (see docs/hls.md). The
// constructors from double and from C integers (ap_fixed<32,32>-like, same rule) never read past
// a 53-bit mantissa. Everything else the library defines, FixedPointSim reproduces bit for bit.

// Whether converting every value of `from` to `to` is defined in the vendor's ap_fixed (see above).
bool conversionIsDefined(const FixedType& from, const FixedType& to);
// Why not, as a sentence for error messages; empty when the conversion is defined.
std::string conversionProblem(const FixedType& from, const FixedType& to);
// The smallest widening of `from` that makes its conversion to `to` defined: integer bits and
// width raised by the same amount, so every value keeps its bits (the fractional bits stay);
// `from` itself when the conversion is already defined.
FixedType widenedToConvert(const FixedType& from, const FixedType& to);
// The exact types of a * b and a + b (ap_fixed_base::RType mult and plus, always AP_TRN/AP_WRAP).
FixedType productType(const FixedType& a, const FixedType& b);
FixedType sumType(const FixedType& a, const FixedType& b);

}  // namespace mmlc::hls
