// Quantiser layers: QONNX's IntQuant rounding modes and clamping, bipolar quantisation, and the
// straight-through gradient used to fine-tune quantised models.
#include "nn/QuantLayer.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "nn/Error.h"

namespace mmlc::nn {

namespace {

double roundWith(const std::string& mode, double v) {
  if (mode == "ROUND") return std::nearbyint(v);  // the default FE_TONEAREST: half to even
  if (mode == "FLOOR") return std::floor(v);
  if (mode == "CEIL") return std::ceil(v);
  if (mode == "UP") return v < 0 ? std::floor(v) : std::ceil(v);    // away from zero
  if (mode == "DOWN") return std::trunc(v);                          // towards zero
  if (mode == "HALF_UP") return std::round(v);                       // half away from zero
  if (mode == "HALF_DOWN") {                                         // half towards zero
    const double r = std::round(v);
    return std::fabs(r - v) == 0.5 ? std::trunc(v) : r;
  }
  throw Error("unknown rounding mode '" + mode + "'");
}

}  // namespace

bool isQuantRoundingMode(const std::string& mode) {
  for (const char* m : {"ROUND", "FLOOR", "CEIL", "UP", "DOWN", "HALF_UP", "HALF_DOWN"})
    if (mode == m) return true;
  return false;
}

double IntQuantiser::minInt() const {
  if (!isSigned) return 0.0;
  return -std::ldexp(1.0, bits - 1) + (narrow ? 1.0 : 0.0);
}

double IntQuantiser::maxInt() const {
  if (isSigned) return std::ldexp(1.0, bits - 1) - 1.0;
  return std::ldexp(1.0, bits) - (narrow ? 2.0 : 1.0);
}

float IntQuantiser::apply(float x) const {
  // In double, as QONNX's reference does in numpy: x / scale + zeroPoint is exact for a
  // power-of-two scale, and the rounding sees the exact quotient otherwise.
  double v = static_cast<double>(x) / scale + zeroPoint;
  v = std::fmin(std::fmax(v, minInt()), maxInt());
  return static_cast<float>((roundWith(rounding, v) - zeroPoint) * scale);
}

bool IntQuantiser::passesGradient(float x) const {
  const double v = static_cast<double>(x) / scale + zeroPoint;
  return v >= minInt() && v <= maxInt();
}

IntQuantiser IntQuantiser::of(const LayerSpec& s) {
  IntQuantiser q;
  q.bits = s.bits;
  q.scale = s.scale;
  q.zeroPoint = s.zeroPoint;
  q.isSigned = s.isSigned;
  q.narrow = s.narrow;
  q.rounding = s.rounding.empty() ? "ROUND" : s.rounding;
  return q;
}

int powerOfTwoExponent(float scale) {
  int e = 0;
  const float m = std::frexp(scale, &e);  // scale = m * 2^e, m in [0.5, 1)
  return scale > 0.0f && m == 0.5f ? e - 1 : INT_MIN;
}

std::string fixedTypeOf(const IntQuantiser& q, std::string* why) {
  auto no = [&](const std::string& reason) {
    if (why) *why = reason;
    return std::string();
  };
  const int e = powerOfTwoExponent(q.scale);
  if (e == INT_MIN) return no("scale " + std::to_string(q.scale) + " is not a power of two");
  if (q.zeroPoint != 0.0f) return no("zero point " + std::to_string(q.zeroPoint) + " is not 0");
  // ap_fixed rounds at the cast, then saturates: the same as QONNX's clamp-then-round because
  // the clamp bounds are integers. Modes without an ap_fixed twin cannot be cast exactly.
  const char* mode = q.rounding == "ROUND"       ? "RND_CONV"
                     : q.rounding == "FLOOR"     ? "TRN"
                     : q.rounding == "DOWN"      ? "TRN_ZERO"
                     : q.rounding == "HALF_UP"   ? "RND_INF"
                     : q.rounding == "HALF_DOWN" ? "RND_ZERO"
                                                 : nullptr;
  if (!mode) return no("rounding mode " + q.rounding + " has no ap_fixed quantisation mode");
  if (q.narrow && !q.isSigned) return no("narrow range on an unsigned quantiser has no ap_fixed overflow mode");
  const char* overflow = q.narrow ? "SAT_SYM" : "SAT";
  // b bits of integer steps of 2^e: fixed<b, b + e> (the sign bit counts as an integer bit).
  return std::string(q.isSigned ? "fixed<" : "ufixed<") + std::to_string(q.bits) + "," +
         std::to_string(q.bits + e) + "," + mode + "," + overflow + ">";
}

std::string quantiseToFixed(std::vector<float>& values, const IntQuantiser& base, const std::vector<float>& scales,
                            const std::vector<float>& zeroPoints) {
  if (scales.empty() || zeroPoints.empty()) return "";
  IntQuantiser q = base;
  bool exact = true;
  int minExp = INT_MAX, maxExp = INT_MIN;
  for (size_t i = 0; i < values.size(); ++i) {
    q.scale = scales[scales.size() == 1 ? 0 : i];
    q.zeroPoint = zeroPoints[zeroPoints.size() == 1 ? 0 : i];
    values[i] = q.apply(values[i]);
    const int e = powerOfTwoExponent(q.scale);
    exact = exact && e != INT_MIN && q.zeroPoint == 0.0f;
    minExp = std::min(minExp, e);
    maxExp = std::max(maxExp, e);
  }
  if (!exact || values.empty()) return "";
  // Integers of `bits` bits scaled by 2^minExp .. 2^maxExp: the finest step and the widest range.
  // The values are already exact, so the type needs no rounding or overflow mode.
  const int integer = base.bits + maxExp;
  const int width = integer - minExp;
  return std::string(base.isSigned ? "fixed<" : "ufixed<") + std::to_string(width) + "," + std::to_string(integer) + ">";
}

QuantLayer::QuantLayer(LayerSpec spec) : Layer(std::move(spec)) {
  bipolar_ = spec_.kind == "BipolarQuant";
  q_ = IntQuantiser::of(spec_);
  if (!(spec_.scale > 0.0f) || !std::isfinite(spec_.scale))
    throw Error(spec_.kind + " '" + spec_.name + "': scale must be a positive number, not " +
                std::to_string(spec_.scale));
  if (bipolar_) return;
  if (spec_.bits < 1 || spec_.bits > kMaxQuantBits)
    throw Error("Quant '" + spec_.name + "': bit width " + std::to_string(spec_.bits) +
                " is outside the supported range 1.." + std::to_string(kMaxQuantBits));
  if (!isQuantRoundingMode(q_.rounding))
    throw Error("Quant '" + spec_.name + "': unknown rounding mode '" + q_.rounding +
                "' (ROUND, FLOOR, CEIL, UP, DOWN, HALF_UP, HALF_DOWN)");
}

void QuantLayer::forward(const Matrix& x, Matrix& y, bool) {
  y.resize(x.rows(), x.cols());
  const float* src = x.data();
  float* dst = y.data();
  const long n = x.size();
  if (bipolar_) {
    for (long i = 0; i < n; ++i) dst[i] = src[i] >= 0.0f ? spec_.scale : -spec_.scale;
    return;
  }
  for (long i = 0; i < n; ++i) dst[i] = q_.apply(src[i]);
}

void QuantLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  dx.resize(x.rows(), x.cols());
  const long n = x.size();
  for (long i = 0; i < n; ++i)
    dx.data()[i] = bipolar_ || q_.passesGradient(x.data()[i]) ? dy.data()[i] : 0.0f;
}

}  // namespace mmlc::nn
