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

}  // namespace mmlc::hls
