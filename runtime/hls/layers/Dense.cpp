// Layer kind Dense (hls4ml Dense, nnet::dense): y = W x + b in accum_t, cast to res_T.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

const char* strategyName(Strategy s) { return s == Strategy::Latency ? "latency" : "resource"; }

// The fast 32-bit kernel's weights and dense_resource's visit order (shared with convolutions).
void prepare(const SimLayer& s, PreparedLayer& p) {
  const LayerDesc& l = s.l;
  if (p.fastWrap && s.in.width + l.weightType.width <= 32 && l.accumType.width <= 32)
    p.weights32.assign(p.weights.begin(), p.weights.end());
  if (l.strategy == Strategy::Resource) {
    // dense_resource and conv_1d/2d_resource_cl visit w_index = ir + RF*im over the transposed
    // weights (out-major); for a convolution n_in is the patch size.
    const int total = l.nIn * l.nOut, rf = l.reuseFactor;
    const int blockFactor = (total + rf - 1) / rf;
    for (int ir = 0; ir < rf; ++ir)
      for (int im = 0; im < blockFactor; ++im) {
        const int wIndex = ir + rf * im;
        if (wIndex >= total) break;
        p.resourceOrder.emplace_back(wIndex % l.nIn, wIndex / l.nIn);
      }
  }
}

void simulate(const SimLayer& s, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch& scratch) {
  macToResult(s, p, in, s.l.nIn, p.weights.data(), out, scratch);
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe& r) {
  r.peak.assign(static_cast<size_t>(l.nOut), 0.0);
  macRanges(in, l.nIn, l.nOut, l.weights.data(), l.biases.data(), out, r);
}

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  const int nz = l.nonZeroWeights();
  std::string s = "struct config_" + l.name + " : nnet::dense_config {\n";
  s += configUnsigned("n_in", l.nIn) + configUnsigned("n_out", l.nOut);
  s += "  static const unsigned io_type = nnet::io_parallel;\n";
  s += std::string("  static const unsigned strategy = nnet::") + strategyName(l.strategy) + ";\n";
  s += configUnsigned("reuse_factor", l.reuseFactor);
  s += configUnsigned("n_zeros", static_cast<long long>(l.weights.size()) - nz) + configUnsigned("n_nonzeros", nz);
  s += "  typedef " + l.name + "_accum_t accum_t;\n  typedef " + l.name + "_bias_t bias_t;\n  typedef " + l.name +
       "_weight_t weight_t;\n};\n";
  return s;
}

std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  const LayerDesc& l = e.l;
  const std::string io = "(" + in + ", " + out;
  if (e.unrolledDense) return "dense_" + l.name + io + ");";
  return "nnet::dense<" + e.inType + ", " + e.outType + ", config_" + l.name + ">" + io + ", w_" + l.name + ", b_" + l.name + ");";
}

}  // namespace

void addDenseKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo dense = [] {
    LayerKindInfo k;
    k.kind = LayerKind::Dense;
    k.name = "Dense";
    k.nnKind = "Dense";
    k.mmlName = "";
    k.nnetCalls = {"dense"};
    k.nnetAliases = {"dense_latency", "dense_resource"};
    k.configStruct = "dense_config";
    k.configFields = {sizeField("n_in", "inputs", FieldSize::Elements),
                      countField("n_out", "outputs", &LayerDesc::nOut, true),
                      {"io_type", "io_parallel or io_stream"},
                      keywordField("strategy", "latency or resource"),
                      keywordField("reuse_factor", "multiplications per multiplier"),
                      {"n_zeros", "zero weights"},
                      {"n_nonzeros", "non-zero weights"}};
    for (ConfigField& f : macTypeFields()) k.configFields.push_back(f);
    k.hasWeights = true;
    k.isMac = true;
    k.estimate = EstimateFamily::Mac;
    k.conversions = LayerTypes::Template::Mac;
    k.prepare = prepare;
    k.simulate = simulate;
    k.reference = reference;
    k.emitConfig = emitConfig;
    k.emitTypedefs = emitWeightedTypedefs;
    k.emitCall = emitCall;
    return k;
  }();
  kinds.push_back(&dense);
}

// Convolutions reuse Dense's preparation (the same MAC kernel per output pixel).
void prepareMacLayer(const SimLayer& s, PreparedLayer& p) { prepare(s, p); }

}  // namespace mmlc::hls
