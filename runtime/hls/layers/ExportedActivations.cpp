// The activation kinds that framework exports bring beyond ReLU/sigmoid/tanh: ELU, SELU, Softplus and
// Softsign (hls4ml's lookup tables), HardSigmoid (slope/shift in full precision) and Clip (no hls4ml
// function: simulated, not emitted). Bit-exact to hls4ml 1.0's nnet_activation.h, which mmlc's own
// template (runtime/hls/templates/nnet_utils/nnet_activation.h) reproduces.
#include <cstdio>

#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

// hls4ml's SELU constants (selu ignores the layer's own; conversion refuses other values).
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

// ---- tables: entries are hls4ml's float expressions converted to table_t ----

// Softplus/softsign: in_val = 2 * 8.0 * (ii - N / 2.0) / N over [-8, 8).
template <float (*F)(float)>
void symmetricTable(const SimLayer& s, PreparedLayer& p) {
  const LayerDesc& l = s.l;
  const int n = l.tableSize;
  p.table.resize(n);
  for (int ii = 0; ii < n; ++ii) {
    const float inVal = static_cast<float>(2 * 8.0 * (ii - float(n) / 2.0) / float(n));
    p.table[ii] = fromDouble(F(inVal), l.tableType);
  }
}
float softplusF(float x) { return static_cast<float>(std::log(std::exp(x) + 1.)); }
float softsignF(float x) { return static_cast<float>(x / (std::abs(x) + 1.)); }

// ELU/SELU: in_val = -8.0 * ii / N over (-8, 0].
template <float (*F)(float)>
void negativeTable(const SimLayer& s, PreparedLayer& p) {
  const LayerDesc& l = s.l;
  const int n = l.tableSize;
  p.table.resize(n);
  for (int ii = 0; ii < n; ++ii) {
    const float inVal = static_cast<float>(-8.0 * ii / float(n));
    p.table[ii] = fromDouble(F(inVal), l.tableType);
  }
}
float eluF(float x) { return static_cast<float>(std::exp(x) - 1.); }
float seluF(float x) { return static_cast<float>(kSeluScale * (kSeluAlpha * (std::exp(x) - 1.))); }

// ---- bit-exact arithmetic ----

// softplus/softsign: index = int(data * N / 16) + 8 * N / 16, clamped to [0, N-1];
// res = res_T(table[index]).
void symmetricLookup(const SimLayer& s, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac(), ts = l.tableSize;
  for (int i = 0; i < n; ++i) {
    const WideRaw q = static_cast<WideRaw>(in[i]) * ts / 16;  // ap_fixed / int truncates toward zero
    long long index = static_cast<long long>(static_cast<int>(truncShift(q, fin))) + 8 * ts / 16;
    index = std::clamp<long long>(index, 0, ts - 1);
    out[i] = quantizeRaw(p.table[static_cast<size_t>(index)], l.tableType.frac(), l.resultType);
  }
}

// Index of a negative input into the (-8, 0] table: int(data * N / -8), at most N - 1.
size_t negativeIndex(Raw x, int fin, int ts) {
  const WideRaw q = static_cast<WideRaw>(x) * ts / -8;
  return static_cast<size_t>(std::min<long long>(static_cast<long long>(static_cast<int>(truncShift(q, fin))), ts - 1));
}

// elu: x >= 0 ? res_T(x) : res_T(alpha * table[index]), alpha held in param_T, the product exact.
void elu(const SimLayer& s, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac(), ts = l.tableSize;
  const Raw a = fromDouble(l.alpha, l.paramType);
  const int fp = l.paramType.frac() + l.tableType.frac();
  for (int i = 0; i < n; ++i)
    out[i] = in[i] >= 0 ? quantizeRaw64(in[i], fin, l.resultType)
                        : quantizeRaw(static_cast<WideRaw>(a) * p.table[negativeIndex(in[i], fin, ts)], fp, l.resultType);
}

// selu: x >= 0 ? res_T(lambda * x) : res_T(table[index]), lambda = res_T(scale) in hls4ml 1.0
// (and mmlc's template), ap_ufixed<16,1>(scale) in 1.1; the product exact before the cast.
void selu(const SimLayer& s, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac(), ts = l.tableSize;
  const FixedType lambdaType =
      s.net.generation == TemplateGeneration::Hls4ml_1_1 ? FixedType::ufixed(16, 1) : l.resultType;
  const Raw scale = fromDouble(kSeluScale, lambdaType);
  const int fp = lambdaType.frac() + fin;
  for (int i = 0; i < n; ++i)
    out[i] = in[i] >= 0 ? quantizeRaw(static_cast<WideRaw>(scale) * in[i], fp, l.resultType)
                        : quantizeRaw(p.table[negativeIndex(in[i], fin, ts)], l.tableType.frac(), l.resultType);
}

// hard_sigmoid: slope * x + shift in full precision (slope_t, shift_t constants), clamped to
// [0, 1], cast to res_T.
void hardSigmoid(const SimLayer& s, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac();
  const Raw sl = fromDouble(l.slope, l.slopeType), sh = fromDouble(l.shift, l.shiftType);
  const int fp = fin + l.slopeType.frac(), fs = l.shiftType.frac();
  const int f = std::max(fp, fs);
  const WideRaw one = static_cast<WideRaw>(1) << f;
  for (int i = 0; i < n; ++i) {
    WideRaw v = static_cast<WideRaw>(in[i]) * sl * (static_cast<WideRaw>(1) << (f - fp)) +
                static_cast<WideRaw>(sh) * (static_cast<WideRaw>(1) << (f - fs));
    out[i] = quantizeRaw(std::clamp(v, static_cast<WideRaw>(0), one), f, l.resultType);
  }
}

// clip (mmlc's template; hls4ml has none): bounds held in bound_t (ap_fixed<64,32>, infinite
// bounds as +-2^30), compared exactly with the input; res = res_T(bound) or res_T(x).
const FixedType& boundType() {
  static const FixedType t = FixedType::fixed(64, 32);
  return t;
}
double finiteBound(double b) { return std::clamp(b, -std::ldexp(1.0, 30), std::ldexp(1.0, 30)); }

void clip(const SimLayer& s, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac(), fb = boundType().frac(), f = std::max(fin, fb);
  const Raw lo = fromDouble(finiteBound(l.clipMin), boundType()), hi = fromDouble(finiteBound(l.clipMax), boundType());
  const WideRaw loF = static_cast<WideRaw>(lo) * (static_cast<WideRaw>(1) << (f - fb)),
                hiF = static_cast<WideRaw>(hi) * (static_cast<WideRaw>(1) << (f - fb));
  for (int i = 0; i < n; ++i) {
    const WideRaw x = static_cast<WideRaw>(in[i]) * (static_cast<WideRaw>(1) << (f - fin));
    if (x < loF) out[i] = quantizeRaw(lo, fb, l.resultType);
    else if (x > hiF) out[i] = quantizeRaw(hi, fb, l.resultType);
    else out[i] = quantizeRaw64(in[i], fin, l.resultType);
  }
}

std::string formatDouble(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string clipConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  const std::string t = "config_" + l.name;
  return "struct " + t + " : nnet::clip_config {\n" + configUnsigned("n_in", l.inputSize()) +
         configUnsigned("reuse_factor", l.reuseFactor) + "  typedef " + boundType().toCpp() +
         " bound_t;\n  static const bound_t min;\n  static const bound_t max;\n};\nconst " + t + "::bound_t " + t +
         "::min = " + formatDouble(finiteBound(l.clipMin)) + ";\nconst " + t + "::bound_t " + t + "::max = " +
         formatDouble(finiteBound(l.clipMax)) + ";\n";
}

// ---- float references ----

double eluRef(double x, const LayerDesc& l) { return x >= 0 ? x : l.alpha * (std::exp(x) - 1); }
double seluRef(double x, const LayerDesc&) { return x >= 0 ? kSeluScale * x : kSeluScale * kSeluAlpha * (std::exp(x) - 1); }
double softplusRef(double x, const LayerDesc&) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }
double softsignRef(double x, const LayerDesc&) { return x / (1 + std::abs(x)); }
double hardSigmoidRef(double x, const LayerDesc& l) { return std::clamp(l.slope * x + l.shift, 0.0, 1.0); }
double clipRef(double x, const LayerDesc& l) { return std::clamp(x, l.clipMin, l.clipMax); }

// ---- emission ----

std::string tableConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  return "struct config_" + l.name + " : nnet::activ_config {\n" + configUnsigned("n_in", l.inputSize()) +
         configUnsigned("table_size", l.tableSize) + configUnsigned("reuse_factor", l.reuseFactor) + "  typedef " + l.name +
         "_table_t table_t;\n};\n";
}
std::string tableTypedefs(const EmitLayer& e) { return "typedef " + e.l.tableType.toCpp() + " " + e.l.name + "_table_t;\n"; }
std::string eluTypedefs(const EmitLayer& e) {
  return tableTypedefs(e) + "typedef " + e.l.paramType.toCpp() + " " + e.l.name + "_param_t;\n";
}

std::string hardSigmoidConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  const std::string t = "config_" + l.name;
  return "struct " + t + " : nnet::hard_activ_config {\n" + configUnsigned("n_in", l.inputSize()) +
         configUnsigned("reuse_factor", l.reuseFactor) + "  typedef " + l.name + "_slope_t slope_t;\n  typedef " + l.name +
         "_shift_t shift_t;\n  static const slope_t slope;\n  static const shift_t shift;\n};\nconst " + l.name + "_slope_t " + t +
         "::slope = " + formatDouble(l.slope) + ";\nconst " + l.name + "_shift_t " + t + "::shift = " + formatDouble(l.shift) + ";\n";
}
std::string hardSigmoidTypedefs(const EmitLayer& e) {
  return "typedef " + e.l.slopeType.toCpp() + " " + e.l.name + "_slope_t;\ntypedef " + e.l.shiftType.toCpp() + " " + e.l.name +
         "_shift_t;\n";
}

template <const char* Fn>
std::string plainCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  return std::string("nnet::") + Fn + "<" + e.inType + ", " + e.outType + ", config_" + e.l.name + ">(" + in + ", " + out + ");";
}
std::string eluCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  return "nnet::elu<" + e.inType + ", " + e.l.name + "_param_t, " + e.outType + ", config_" + e.l.name + ">(" + in + ", " +
         formatDouble(e.l.alpha) + ", " + out + ");";
}
constexpr char kSelu[] = "selu", kSoftplus[] = "softplus", kSoftsign[] = "softsign", kHardSigmoid[] = "hard_sigmoid", kClip[] = "clip";

LayerKindInfo base(LayerKind kind, const char* name, const char* nnKind, const char* mmlName, const char* call) {
  LayerKindInfo k;
  k.kind = kind;
  k.name = name;
  k.nnKind = nnKind;
  k.mmlName = mmlName;
  k.nnetCalls = {call};
  k.isActivation = true;
  k.estimate = EstimateFamily::Activation;
  k.streamCall = true;  // nnet_activation.h's stream form: one packet at a time
  return k;
}

template <double (*F)(double, const LayerDesc&)>
void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  for (int i = 0; i < l.inputSize(); ++i) out[i] = F(in[i], l);
}

LayerKindInfo tableKind(LayerKind kind, const char* name, const char* nnKind, const char* mmlName, const char* call,
                        void (*prepare)(const SimLayer&, PreparedLayer&),
                        void (*simulate)(const SimLayer&, const PreparedLayer&, const Raw*, Raw*, SimScratch&),
                        void (*ref)(const LayerDesc&, const double*, double*, RangeProbe&),
                        std::string (*call_)(const EmitLayer&, const std::string&, const std::string&)) {
  LayerKindInfo k = base(kind, name, nnKind, mmlName, call);
  k.configStruct = "activ_config";
  k.configFields = {sizeField("n_in", "elements", FieldSize::Elements),
                    countField("table_size", "table entries", &LayerDesc::tableSize, false),
                    keywordField("reuse_factor", "reuse factor"), typeField("table_t", "table type", &LayerDesc::tableType, false)};
  k.hasTable = true;
  k.conversions = LayerTypes::Template::Table;
  k.prepare = prepare;
  k.simulate = simulate;
  k.reference = ref;
  k.emitConfig = tableConfig;
  k.emitTypedefs = kind == LayerKind::ELU ? eluTypedefs : tableTypedefs;
  k.emitCall = call_;
  return k;
}

}  // namespace

void addExportedActivationKinds(std::vector<const LayerKindInfo*>& kinds) {
  static const std::vector<LayerKindInfo> infos = [] {
    std::vector<LayerKindInfo> v;
    v.push_back(tableKind(LayerKind::ELU, "ELU", "ELU", "elu", "elu", negativeTable<eluF>, elu, reference<eluRef>, eluCall));
    // elu(data, alpha, res) in param_t, or elu(data, res): alpha 1 as ap_uint<1>.
    v.back().callParam = {"alpha", &LayerDesc::alpha, &LayerDesc::paramType, false, 1.0, FixedType::ufixed(1, 1), false};
    v.back().engineAlpha = &LayerDesc::alpha;
    v.push_back(tableKind(LayerKind::SELU, "SELU", "SELU", "selu", "selu", negativeTable<seluF>, selu, reference<seluRef>,
                          plainCall<kSelu>));
    v.back().builtInAlpha = 1.6732632;  // hls4ml's selu: alpha and gamma (the engine's beta) built in
    v.back().builtInBeta = 1.0507010;
    v.push_back(tableKind(LayerKind::Softplus, "Softplus", "Softplus", "softplus", "softplus", symmetricTable<softplusF>,
                          symmetricLookup, reference<softplusRef>, plainCall<kSoftplus>));
    v.push_back(tableKind(LayerKind::Softsign, "Softsign", "Softsign", "softsign", "softsign", symmetricTable<softsignF>,
                          symmetricLookup, reference<softsignRef>, plainCall<kSoftsign>));
    LayerKindInfo hs = base(LayerKind::HardSigmoid, "HardSigmoid", "HardSigmoid", "hard_sigmoid", "hard_sigmoid");
    hs.configStruct = "hard_activ_config";
    hs.configFields = hardActivationFields();
    hs.engineAlpha = &LayerDesc::slope;
    hs.engineBeta = &LayerDesc::shift;
    hs.resultSign = ResultSign::NonNegative;
    hs.simulate = hardSigmoid;
    hs.reference = reference<hardSigmoidRef>;
    hs.emitConfig = hardSigmoidConfig;
    hs.emitTypedefs = hardSigmoidTypedefs;
    hs.emitCall = plainCall<kHardSigmoid>;
    v.push_back(hs);
    LayerKindInfo c = base(LayerKind::Clip, "Clip", "Clip", "clip", "clip");
    c.configStruct = "clip_config";
    c.configFields = {sizeField("n_in", "elements", FieldSize::Elements), keywordField("reuse_factor", "reuse factor"),
                      {"bound_t", "bound type"}, numberField("min", "lower bound", &LayerDesc::clipMin),
                      numberField("max", "upper bound", &LayerDesc::clipMax)};
    c.engineAlpha = &LayerDesc::clipMin;
    c.engineBeta = &LayerDesc::clipMax;
    c.simulate = clip;
    c.reference = reference<clipRef>;
    c.emitConfig = clipConfig;
    c.emitCall = plainCall<kClip>;
    v.push_back(c);
    return v;
  }();
  for (const LayerKindInfo& k : infos) kinds.push_back(&k);
}

}  // namespace mmlc::hls
