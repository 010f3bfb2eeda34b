// Layer kind Flatten: a reshape. In io_parallel it is no code at all (channels-last arrays are
// already flat) and keeps its input's type; in io_stream it is a repacking process (mmlc's own
// `stream` function, which the importer reads back as a Flatten).
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

void simulate(const SimLayer& sl, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  std::copy(in, in + sl.l.inputSize(), out);
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) { std::copy(in, in + l.inputSize(), out); }

// No config struct and no call: the emitter skips a reshape in io_parallel and repacks the
// stream in io_stream.
std::string emitConfig(const EmitLayer&) { return ""; }
std::string emitCall(const EmitLayer&, const std::string&, const std::string&) { return ""; }

}  // namespace

void addFlattenKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo flatten = [] {
    LayerKindInfo k;
    k.kind = LayerKind::Flatten;
    k.name = "Flatten";
    k.nnKind = "Flatten";
    k.mmlName = "";
    k.nnetAliases = {"stream"};  // mmlc's io_stream repacking process
    k.configStruct = "";
    k.reshapeOnly = true;
    k.resultSign = ResultSign::AsInput;
    k.simulate = simulate;
    k.reference = reference;
    k.emitConfig = emitConfig;
    k.emitCall = emitCall;
    return k;
  }();
  kinds.push_back(&flatten);
}

}  // namespace mmlc::hls
