// Layer kind PReLU (Keras PReLU, ONNX PRelu; hls4ml's nnet::prelu of nnet_activation.h): res =
// x > 0 ? x : a_i * x with one slope per element (LayerDesc::weights, channels last) held in
// weight_t, the product exact before the cast to res_T, as hls4ml's template computes it.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

void prepare(const SimLayer& sl, PreparedLayer& p) {
  p.weights.resize(sl.l.weights.size());
  for (size_t i = 0; i < sl.l.weights.size(); ++i) p.weights[i] = fromDouble(sl.l.weights[i], sl.l.weightType);
}

void simulate(const SimLayer& sl, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = sl.l;
  const int n = l.inputSize(), fin = sl.in.frac(), fp = fin + l.weightType.frac();
  for (int i = 0; i < n; ++i)
    out[i] = in[i] > 0 ? quantizeRaw64(in[i], fin, l.resultType)
                       : quantizeRaw(static_cast<WideRaw>(in[i]) * p.weights[static_cast<size_t>(i)], fp, l.resultType);
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  for (int i = 0; i < l.inputSize(); ++i) out[i] = in[i] > 0 ? in[i] : l.weights[static_cast<size_t>(i)] * in[i];
}

std::string emitConfig(const EmitLayer& e) {
  return "struct config_" + e.l.name + " : nnet::activ_config {\n" + configUnsigned("n_in", e.l.inputSize()) +
         configUnsigned("reuse_factor", e.l.reuseFactor) + "};\n";
}

std::string emitTypedefs(const EmitLayer& e) { return "typedef " + e.l.weightType.toCpp() + " " + e.l.name + "_weight_t;\n"; }

// hls4ml 1.x: prelu<data_T, param_T, res_T, CONFIG_T>(data, alpha, res), the slopes a global array.
std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  const std::string& n = e.l.name;
  return "nnet::prelu<" + e.inType + ", " + n + "_weight_t, " + e.outType + ", config_" + n + ">(" + in + ", a_" + n + ", " + out + ");";
}

}  // namespace

void addPReLUKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo prelu = [] {
    LayerKindInfo k;
    k.kind = LayerKind::PReLU;
    k.name = "PReLU";
    k.nnKind = "PReLU";
    k.mmlName = "";
    k.nnetCalls = {"prelu"};
    k.configStruct = "activ_config";
    k.configFields = {sizeField("n_in", "elements", FieldSize::Elements), {"table_size", "table entries (unused)"},
                      keywordField("reuse_factor", "reuse factor")};
    k.hasWeights = true;
    k.hasBias = false;
    k.weightPrefix = "a_";
    k.isActivation = true;  // keeps the shape
    k.resultSign = ResultSign::Any;
    k.estimate = EstimateFamily::Activation;
    k.conversions = LayerTypes::Template::PReLU;
    k.prepare = prepare;
    k.simulate = simulate;
    k.reference = reference;
    k.emitConfig = emitConfig;
    k.emitTypedefs = emitTypedefs;
    k.emitCall = emitCall;
    return k;
  }();
  kinds.push_back(&prelu);
}

}  // namespace mmlc::hls
