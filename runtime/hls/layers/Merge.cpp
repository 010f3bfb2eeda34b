// Merge layer kinds Add and Concatenate (hls4ml Merge layers, nnet_merge.h: nnet::add,
// nnet::concatenate1d/2d/3d): two inputs, given to the hooks one after the other; their types
// are the producers' result types (LayerDesc::sources). A new two-input element-wise merge
// (subtract, multiply) is one row of kMerges plus its template.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

const FixedType& inputType(const SimLayer& sl, size_t j) { return sl.net.sourceType(sl.l.sources.at(j)); }

void simulateAdd(const SimLayer& sl, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = sl.l;
  const int n = l.inputSize(), fa = inputType(sl, 0).frac(), fb = inputType(sl, 1).frac();
  // res[i] = data1[i] + data2[i]: the exact sum (one more integer bit) cast to res_T.
  for (int i = 0; i < n; ++i) out[i] = addCast(in[i], fa, in[n + i], fb, l.resultType);
}

void referenceAdd(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  const int n = l.inputSize();
  for (int i = 0; i < n; ++i) out[i] = in[i] + in[n + i];
}

// Channels-last concatenation along the channels (the last axis): per pixel, the first input's
// channels then the second's, each value cast from its own type to res_T.
void simulateConcat(const SimLayer& sl, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = sl.l;
  const int c1 = l.sourceChannels.at(0), c2 = l.sourceChannels.at(1), pixels = l.inHeight * l.inWidth;
  const int f1 = inputType(sl, 0).frac(), f2 = inputType(sl, 1).frac();
  const Raw* a = in;
  const Raw* b = in + static_cast<size_t>(pixels) * c1;
  for (int p = 0; p < pixels; ++p) {
    Raw* o = out + static_cast<size_t>(p) * (c1 + c2);
    for (int c = 0; c < c1; ++c) o[c] = quantizeRaw(a[static_cast<size_t>(p) * c1 + c], f1, l.resultType);
    for (int c = 0; c < c2; ++c) o[c1 + c] = quantizeRaw(b[static_cast<size_t>(p) * c2 + c], f2, l.resultType);
  }
}

void referenceConcat(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  const int c1 = l.sourceChannels.at(0), c2 = l.sourceChannels.at(1), pixels = l.inHeight * l.inWidth;
  const double* b = in + static_cast<size_t>(pixels) * c1;
  for (int p = 0; p < pixels; ++p) {
    double* o = out + static_cast<size_t>(p) * (c1 + c2);
    std::copy(in + static_cast<size_t>(p) * c1, in + static_cast<size_t>(p + 1) * c1, o);
    std::copy(b + static_cast<size_t>(p) * c2, b + static_cast<size_t>(p + 1) * c2, o + c1);
  }
}

std::string emitAddConfig(const EmitLayer& e) {
  return "struct config_" + e.l.name + " : nnet::merge_config {\n" + configUnsigned("n_elem", e.l.outputSize()) +
         configUnsigned("reuse_factor", e.l.reuseFactor) + "};\n";
}

// hls4ml's concat_config: the inputs' dimensions (n_elem<input>_<dim>, channels last) and the
// axis (-1: channels). A flat vector is concatenate1d, a (width x channels) map concatenate2d.
int concatRank(const LayerDesc& l) { return l.inHeight == 1 && l.inWidth == 1 ? 1 : l.inHeight == 1 ? 2 : 3; }

std::string emitConcatConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  const int rank = concatRank(l);
  std::string s = "struct config_" + l.name + " : nnet::concat_config {\n";
  for (int j = 0; j < 2; ++j) {
    const std::vector<long long> dims = rank == 1 ? std::vector<long long>{l.sourceChannels[j], 0, 0}
                                        : rank == 2 ? std::vector<long long>{l.inWidth, l.sourceChannels[j], 0}
                                                    : std::vector<long long>{l.inHeight, l.inWidth, l.sourceChannels[j]};
    for (int d = 0; d < 3; ++d) s += configUnsigned("n_elem" + std::to_string(j + 1) + "_" + std::to_string(d), dims[d]);
  }
  s += "  static const int axis = -1;\n};\n";
  return s;
}

// `in` and e.inType list both inputs ("a, b"), in the order of LayerDesc::inputs.
std::string emitAddCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  return "nnet::add<" + e.inType + ", " + e.outType + ", config_" + e.l.name + ">(" + in + ", " + out + ");";
}

std::string emitConcatCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  return "nnet::concatenate" + std::to_string(concatRank(e.l)) + "d<" + e.inType + ", " + e.outType + ", config_" + e.l.name +
         ">(" + in + ", " + out + ");";
}

LayerKindInfo mergeKind(LayerKind kind, const char* name, std::vector<std::string> calls, const char* config,
                        std::vector<ConfigField> fields, LayerTypes::Template conversions) {
  LayerKindInfo k;
  k.kind = kind;
  k.name = name;
  k.nnKind = name;  // the engine's Add / Concatenate
  k.mmlName = "";
  k.nnetCalls = std::move(calls);
  k.configStruct = config;
  k.configFields = std::move(fields);
  k.isMerge = true;
  k.resultSign = ResultSign::AsInput;  // sums and joins of non-negative values are non-negative
  k.streamCall = true;
  k.estimate = EstimateFamily::Other;  // adders (Add) or wiring (Concatenate)
  k.conversions = conversions;
  return k;
}

}  // namespace

void addMergeKinds(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo add = [] {
    LayerKindInfo k = mergeKind(LayerKind::Add, "Add", {"add"}, "merge_config",
                                {sizeField("n_elem", "elements of each input", FieldSize::Elements), keywordField("reuse_factor", "reuse factor")}, LayerTypes::Template::Sum);
    k.simulate = simulateAdd;
    k.reference = referenceAdd;
    k.emitConfig = emitAddConfig;
    k.emitCall = emitAddCall;
    return k;
  }();
  static const LayerKindInfo concat = [] {
    std::vector<ConfigField> fields;
    static const char* names[] = {"n_elem1_0", "n_elem1_1", "n_elem1_2", "n_elem2_0", "n_elem2_1", "n_elem2_2"};
    for (const char* n : names) fields.push_back({n, "a dimension of an input (channels last)"});
    fields.push_back({"axis", "the joined axis (-1: channels)"});
    LayerKindInfo k = mergeKind(LayerKind::Concatenate, "Concatenate", {"concatenate1d", "concatenate2d", "concatenate3d"},
                                "concat_config", std::move(fields), LayerTypes::Template::Join);
    k.simulate = simulateConcat;
    k.reference = referenceConcat;
    k.emitConfig = emitConcatConfig;
    k.emitCall = emitConcatCall;
    return k;
  }();
  kinds.push_back(&add);
  kinds.push_back(&concat);
}

}  // namespace mmlc::hls
