// Quantiser layers of quantised models (QONNX Quant/BipolarQuant/Trunc, QKeras quantizers):
// the arithmetic shared by the engine, the importers and the HLS conversion.
#pragma once
#include <string>
#include <vector>

#include "nn/Layer.h"

namespace mmlc::nn {

// QONNX's integer quantiser (IntQuant/Quant), which Trunc and the QKeras quantizers reduce to:
//   y = (clamp(round(x / scale + zeroPoint), minInt, maxInt) - zeroPoint) * scale
// with minInt/maxInt from bits, signedness and narrow range, and round one of QONNX's modes.
struct IntQuantiser {
  int bits = 8;
  float scale = 1.0f;
  float zeroPoint = 0.0f;
  bool isSigned = true;
  bool narrow = false;
  std::string rounding = "ROUND";  // ROUND (half to even), CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN

  double minInt() const;
  double maxInt() const;
  float apply(float x) const;
  // Whether x / scale + zeroPoint lies inside [minInt, maxInt] (the straight-through gradient).
  bool passesGradient(float x) const;
  // The quantiser of a Quant layer's spec (kind "Quant").
  static IntQuantiser of(const LayerSpec& spec);
};

// Quantises `values` in place with `base` (its bits, signedness, narrow range and rounding) and
// per-value scales and zero points (`scales`/`zeroPoints` hold one value, or one per value, e.g.
// a per-channel scale broadcast by the importer), and returns the exact fixed-point type (hls4ml
// spelling, e.g. "fixed<6,2>") that holds every result, or "" when a scale is not a power of two
// or a zero point is not 0 (the values are then quantised but no fixed-point type holds them).
std::string quantiseToFixed(std::vector<float>& values, const IntQuantiser& base, const std::vector<float>& scales,
                            const std::vector<float>& zeroPoints);
// The fixed-point type (hls4ml spelling, with rounding and overflow modes) whose cast from a finer
// type computes `q` exactly, or "" with `why` set when none does (a scale that is not a power of
// two, a zero point, a rounding mode or narrow range ap_fixed does not have).
std::string fixedTypeOf(const IntQuantiser& q, std::string* why);
// log2(scale) when scale is a power of two, otherwise INT_MIN.
int powerOfTwoExponent(float scale);

// The rounding modes IntQuantiser accepts (upper case); false for any other spelling.
bool isQuantRoundingMode(const std::string& mode);
// The widest quantiser the fixed-point simulator and the HLS types carry.
constexpr int kMaxQuantBits = 32;

// "Quant": IntQuantiser element-wise; "BipolarQuant": y = x >= 0 ? scale : -scale. Both pass
// the gradient straight through (inside the clamp range for Quant), as QKeras and Brevitas train.
class QuantLayer : public Layer {
 public:
  explicit QuantLayer(LayerSpec spec);
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override { return input; }

 private:
  IntQuantiser q_;
  bool bipolar_ = false;
};

}  // namespace mmlc::nn
