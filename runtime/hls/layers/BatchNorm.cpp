// Layer kind BatchNorm (hls4ml BatchNormalization, nnet::normalize): res = res_T(x * scale + bias)
// per channel, the product and sum exact (the folded Keras batch normalisation).
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

void simulate(const SimLayer& sl, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = sl.l;
  const FixedType& inT = sl.in;
  const int fp = inT.frac() + l.weightType.frac(), fb = l.biasType.frac();
  const int f = std::max(fp, fb);
  const int c = l.inChannels, n = l.inputSize();
  for (int i = 0; i < n; ++i) {
    const int ch = i % c;
    const WideRaw prod = static_cast<WideRaw>(in[i]) * p.weights[ch];
    const WideRaw v = prod * (static_cast<WideRaw>(1) << (f - fp)) + static_cast<WideRaw>(p.biases[ch]) * (static_cast<WideRaw>(1) << (f - fb));
    out[i] = quantizeRaw(v, f, l.resultType);
  }
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  const int n = l.inputSize();
  for (int i = 0; i < n; ++i) {
    const int ch = i % l.inChannels;
    out[i] = in[i] * l.weights[static_cast<size_t>(ch)] + l.biases[static_cast<size_t>(ch)];
  }
}

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  std::string s = "struct config_" + l.name + " : nnet::batchnorm_config {\n";
  s += configUnsigned("n_in", l.inputSize()) + configUnsigned("n_filt", l.inChannels) + configUnsigned("reuse_factor", l.reuseFactor);
  s += "  typedef " + l.name + "_weight_t scale_t;\n  typedef " + l.name + "_bias_t bias_t;\n};\n";
  return s;
}

std::string emitTypedefs(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  return "typedef " + l.weightType.toCpp() + " " + l.name + "_weight_t;\n" + "typedef " + l.biasType.toCpp() + " " + l.name +
         "_bias_t;\n";
}

std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  const LayerDesc& l = e.l;
  return "nnet::normalize<" + e.inType + ", " + e.outType + ", config_" + l.name + ">(" + in + ", " + out + ", s_" + l.name +
         ", b_" + l.name + ");";
}

}  // namespace

void addBatchNormKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo batchNorm = [] {
    LayerKindInfo k;
    k.kind = LayerKind::BatchNorm;
    k.name = "BatchNorm";
    k.nnKind = "BatchNormalization";
    k.mmlName = "";
    k.nnetCalls = {"normalize"};
    k.configStruct = "batchnorm_config";
    // n_filt: the channels (hls4ml writes -1 after a Dense layer: not stated).
    k.configFields = {sizeField("n_in", "elements", FieldSize::Elements),
                      sizeField("n_filt", "channels", FieldSize::Channels, FieldDims::Any, false),
                      keywordField("reuse_factor", "reuse factor"),
                      typeField("scale_t", "scale type (the weight array s_; hls4ml 0.x: weight_t)", &LayerDesc::weightType, false),
                      typeField("bias_t", "shift type", &LayerDesc::biasType, true)};
    k.hasWeights = true;
    k.weightPrefix = "s_";
    k.estimate = EstimateFamily::Other;
    k.conversions = LayerTypes::Template::BatchNorm;
    k.simulate = simulate;
    k.reference = reference;
    k.emitConfig = emitConfig;
    k.emitTypedefs = emitTypedefs;
    k.emitCall = emitCall;
    k.streamCall = true;  // nnet_batchnorm.h's stream form: one packet (pixel) at a time
    return k;
  }();
  kinds.push_back(&batchNorm);
}

}  // namespace mmlc::hls
