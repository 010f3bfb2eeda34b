// The element-wise activation kinds (hls4ml Activation, nnet::<function>): one table row each, with
// its bit-exact arithmetic and its float reference. A new element-wise activation is one row here
// plus its LayerKind value (docs/layer-kinds.md).
#include <cstdio>

#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

using Simulate = void (*)(const SimLayer&, const PreparedLayer&, const Raw*, Raw*, SimScratch&);
using Prepare = void (*)(const SimLayer&, PreparedLayer&);

// ---- bit-exact arithmetic (hls4ml's nnet_activation.h) ----

void linear(const SimLayer& s, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const int n = s.l.inputSize(), fin = s.in.frac();
  for (int i = 0; i < n; ++i) out[i] = quantizeRaw64(in[i], fin, s.l.resultType);
}

void relu(const SimLayer& s, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const int n = s.l.inputSize(), fin = s.in.frac();
  for (int i = 0; i < n; ++i) out[i] = in[i] > 0 ? quantizeRaw64(in[i], fin, s.l.resultType) : 0;
}

void leakyRelu(const SimLayer& s, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  // res = x > 0 ? x : alpha * x, alpha held in param_t, the product exact before the cast.
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac();
  const Raw a = fromDouble(l.alpha, l.paramType);
  const int fp = fin + l.paramType.frac();
  for (int i = 0; i < n; ++i)
    out[i] = in[i] > 0 ? quantizeRaw64(in[i], fin, l.resultType) : quantizeRaw(static_cast<WideRaw>(in[i]) * a, fp, l.resultType);
}

void hardTanh(const SimLayer& s, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  // sigmoid = slope * x + shift in full precision, clamped to [0, 1]; res = 2 * sigmoid - 1.
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac();
  const Raw sl = fromDouble(l.slope, l.slopeType), sh = fromDouble(l.shift, l.shiftType);
  const int fp = fin + l.slopeType.frac(), fs = l.shiftType.frac();
  const int f = std::max(fp, fs);
  const WideRaw one = static_cast<WideRaw>(1) << f;
  for (int i = 0; i < n; ++i) {
    WideRaw v = static_cast<WideRaw>(in[i]) * sl * (static_cast<WideRaw>(1) << (f - fp)) +
                static_cast<WideRaw>(sh) * (static_cast<WideRaw>(1) << (f - fs));
    v = std::clamp(v, static_cast<WideRaw>(0), one);
    out[i] = quantizeRaw(2 * v - one, f, l.resultType);
  }
}

// sigmoid and tanh: index = (data * table_size / R).to_int() + table_size / 2, clamped
// (R = 16 sigmoid, 8 tanh), into a table over [-R/2, R/2).
template <int Range>
void tableLookup(const SimLayer& s, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = s.l;
  const int n = l.inputSize(), fin = s.in.frac();
  const int divisor = Range;
  const int ts = l.tableSize;
  const int offset = (Range / 2) * ts / divisor;
  for (int i = 0; i < n; ++i) {
    const WideRaw q = static_cast<WideRaw>(in[i]) * ts / divisor;  // ap_fixed / int truncates toward zero
    long long index = static_cast<long long>(static_cast<int>(truncShift(q, fin))) + offset;
    index = std::clamp<long long>(index, 0, ts - 1);
    out[i] = quantizeRaw(p.table[static_cast<size_t>(index)], l.tableType.frac(), l.resultType);
  }
}

// hls4ml fills its tables in float (a float in_val, sigmoid_fcn_float, tanh(float)), so the
// entries are what those float expressions give, then converted to the table type.
void sigmoidTable(const SimLayer& s, PreparedLayer& p) {
  const LayerDesc& l = s.l;
  const int n = l.tableSize;
  p.table.resize(n);
  for (int ii = 0; ii < n; ++ii) {
    const float inVal = static_cast<float>(2 * 8.0 * (ii - float(n) / 2.0) / float(n));
    const float realVal = static_cast<float>(1.0 / (1 + std::exp(-inVal)));  // sigmoid_fcn_float
    p.table[ii] = fromDouble(realVal, l.tableType);
  }
}

void tanhTable(const SimLayer& s, PreparedLayer& p) {
  const LayerDesc& l = s.l;
  const int n = l.tableSize;
  p.table.resize(n);
  for (int ii = 0; ii < n; ++ii) {
    const float inVal = static_cast<float>(2 * 4.0 * (ii - float(n) / 2.0) / float(n));
    // init_tanh_table's unqualified tanh(in_val) takes the float overload (<math.h>'s
    // std::tanh(float) is visible there), as the 30-bit table case of the conformance test shows.
    p.table[ii] = fromDouble(std::tanh(inVal), l.tableType);
  }
}

// ---- float references (QUANTIZATION's range analysis) ----

double linearF(double x, const LayerDesc&) { return x; }
double reluF(double x, const LayerDesc&) { return x > 0 ? x : 0.0; }
double leakyReluF(double x, const LayerDesc& l) { return x > 0 ? x : l.alpha * x; }
double hardTanhF(double x, const LayerDesc& l) { return 2 * std::clamp(l.slope * x + l.shift, 0.0, 1.0) - 1; }
double sigmoidF(double x, const LayerDesc&) { return 1.0 / (1.0 + std::exp(-x)); }
double tanhF(double x, const LayerDesc&) { return std::tanh(x); }

// One element-wise activation: its names, arithmetic and reference.
struct Activation {
  LayerKind kind;
  const char* name;     // mmlc's
  const char* nnKind;   // the DNN engine's ("" none)
  const char* mmlName;  // in .mml activation parameters ("" none)
  const char* call;     // nnet::<call>
  bool emitted;         // mmlc's templates have it
  ResultSign sign;
  LayerTypes::Template conversions;  // its template's rounding conversions (None: hls4ml's, as imported)
  Simulate simulate;
  Prepare prepare;      // its lookup table (nullptr: none)
  double (*f)(double, const LayerDesc&);
  bool hardActivation = false;  // hls4ml's hard_activ_config (slope, shift) instead of activ_config
  CallParam param = {};         // a scalar argument of the call (leaky_relu's alpha)
};

// leaky_relu(data, alpha, res): alpha in param_t (hls4ml 0.x: data_T).
const CallParam kLeakyAlpha{"alpha", &LayerDesc::alpha, &LayerDesc::paramType, true, 0.0, FixedType(), true};

// The table: a new element-wise activation is one more row.
const Activation kActivations[] = {
    {LayerKind::Linear, "Linear", "", "linear", "linear", true, ResultSign::Any, LayerTypes::Template::Copy, linear, nullptr, linearF},
    {LayerKind::ReLU, "ReLU", "ReLU", "relu", "relu", true, ResultSign::NonNegative, LayerTypes::Template::ReLU, relu, nullptr, reluF},
    {LayerKind::LeakyReLU, "LeakyReLU", "LeakyReLU", "leaky_relu", "leaky_relu", true, ResultSign::Any,
     LayerTypes::Template::LeakyReLU, leakyRelu, nullptr, leakyReluF, false, kLeakyAlpha},
    {LayerKind::HardTanh, "HardTanh", "", "hard_tanh", "hard_tanh", false, ResultSign::Any, LayerTypes::Template::None,
     hardTanh, nullptr, hardTanhF, true},
    {LayerKind::Sigmoid, "Sigmoid", "Sigmoid", "sigmoid", "sigmoid", true, ResultSign::NonNegative, LayerTypes::Template::Table,
     tableLookup<16>, sigmoidTable,
     sigmoidF},
    {LayerKind::Tanh, "Tanh", "Tanh", "tanh", "tanh", true, ResultSign::Any, LayerTypes::Template::Table, tableLookup<8>, tanhTable, tanhF},
};

const Activation& rowOf(LayerKind k) {
  for (const Activation& a : kActivations)
    if (a.kind == k) return a;
  throw std::logic_error("no activation row");
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  const auto f = rowOf(l.kind).f;
  const int n = l.inputSize();
  for (int i = 0; i < n; ++i) out[i] = f(in[i], l);
}

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  std::string s = "struct config_" + l.name + " : nnet::activ_config {\n";
  s += configUnsigned("n_in", l.inputSize()) + configUnsigned("table_size", l.tableSize) + configUnsigned("reuse_factor", l.reuseFactor);
  if (rowOf(l.kind).prepare) s += "  typedef " + l.name + "_table_t table_t;\n";
  return s + "};\n";
}

std::string emitTypedefs(const EmitLayer& e) {
  if (e.l.kind == LayerKind::LeakyReLU) return "typedef " + e.l.paramType.toCpp() + " " + e.l.name + "_param_t;\n";
  if (!rowOf(e.l.kind).prepare) return "";
  return "typedef " + e.l.tableType.toCpp() + " " + e.l.name + "_table_t;\n";
}

std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  if (e.l.kind == LayerKind::LeakyReLU) {  // hls4ml 1.x: leaky_relu<data_T, param_T, res_T, CONFIG_T>(data, alpha, res)
    char alpha[40];
    std::snprintf(alpha, sizeof alpha, "%.17g", e.l.alpha);
    const std::string p = e.l.name + "_param_t";
    // alpha as a bare literal, as hls4ml writes it (the call converts it to param_T; the project
    // reader takes the value from there).
    return "nnet::leaky_relu<" + e.inType + ", " + p + ", " + e.outType + ", config_" + e.l.name + ">(" + in + ", " + alpha +
           ", " + out + ");";
  }
  return std::string("nnet::") + rowOf(e.l.kind).call + "<" + e.inType + ", " + e.outType + ", config_" + e.l.name + ">(" + in +
         ", " + out + ");";
}

}  // namespace

void addActivationKinds(std::vector<const LayerKindInfo*>& kinds) {
  static const std::vector<LayerKindInfo> infos = [] {
    std::vector<LayerKindInfo> v;
    for (const Activation& a : kActivations) {
      LayerKindInfo k;
      k.kind = a.kind;
      k.name = a.name;
      k.nnKind = a.nnKind;
      k.mmlName = a.mmlName;
      k.nnetCalls = {a.call};
      k.configStruct = a.hardActivation ? "hard_activ_config" : "activ_config";
      k.configFields = a.hardActivation
                           ? hardActivationFields()
                           : std::vector<ConfigField>{sizeField("n_in", "elements", FieldSize::Elements),
                                                      a.prepare ? countField("table_size", "table entries", &LayerDesc::tableSize, false)
                                                                : ConfigField{"table_size", "table entries (unused)"},
                                                      keywordField("reuse_factor", "reuse factor")};
      if (a.prepare) k.configFields.push_back(typeField("table_t", "table type", &LayerDesc::tableType, false));
      k.callParam = a.param;
      k.engineAlpha = a.param.value;  // leaky_relu's alpha is the engine's
      k.isActivation = true;
      k.hasTable = a.prepare != nullptr;
      k.resultSign = a.sign;
      k.conversions = a.conversions;
      k.estimate = EstimateFamily::Activation;
      k.prepare = a.prepare;
      k.simulate = a.simulate;
      k.reference = reference;
      if (a.emitted) {
        k.emitConfig = emitConfig;
        k.emitTypedefs = emitTypedefs;
        k.emitCall = emitCall;
        k.streamCall = true;  // nnet_activation.h's stream form: one packet at a time
      } else {
        k.notEmitted = "they are simulated and rewritten in imported hls4ml projects";
      }
      v.push_back(std::move(k));
    }
    return v;
  }();
  for (const LayerKindInfo& k : infos) kinds.push_back(&k);
}

}  // namespace mmlc::hls
