// Layer kind Quantize (HGQ's generated per-element quantizer functions): out[i] = res_T(T_i(in[i])),
// an element type of width 0 giving the constant 0. Simulated and rewritten in imported projects.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

void simulate(const SimLayer& sl, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = sl.l;
  const int fin = sl.in.frac(), n = l.inputSize();
  for (int i = 0; i < n; ++i) {
    const FixedType& t = l.elementTypes[static_cast<size_t>(i)];
    if (t.width == 0) {
      out[i] = 0;
      continue;
    }
    out[i] = quantizeRaw64(quantizeRaw64(in[i], fin, t), t.frac(), l.resultType);
  }
}

// The float reference of a cast is the value itself.
void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) { std::copy(in, in + l.inputSize(), out); }

}  // namespace

void addQuantizeKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo quantize = [] {
    LayerKindInfo k;
    k.kind = LayerKind::Quantize;
    k.name = "Quantize";
    k.nnKind = "";
    k.mmlName = "";
    k.nnetAliases = {"quantize"};  // the reader names HGQ's generated functions so
    k.configStruct = "";
    k.simulate = simulate;
    k.reference = reference;
    k.notEmitted = "they are simulated and rewritten in imported hls4ml projects";
    return k;
  }();
  kinds.push_back(&quantize);
}

}  // namespace mmlc::hls
