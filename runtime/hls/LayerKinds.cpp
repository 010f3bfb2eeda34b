// The registry of layer-kind descriptors: every file of runtime/hls/layers adds its kinds here,
// and lookups by LayerKind, engine name, .mml name and hls4ml function go through it.
#include "hls/LayerKinds.h"

#include <algorithm>
#include <stdexcept>

namespace mmlc::hls {

// One function per file of runtime/hls/layers.
void addDenseKind(std::vector<const LayerKindInfo*>&);
void addConvKinds(std::vector<const LayerKindInfo*>&);
void addDepthwiseConvKinds(std::vector<const LayerKindInfo*>&);
void addPoolingKinds(std::vector<const LayerKindInfo*>&);
void addZeroPadKind(std::vector<const LayerKindInfo*>&);
void addUpsampleKind(std::vector<const LayerKindInfo*>&);
void addBatchNormKind(std::vector<const LayerKindInfo*>&);
void addActivationKinds(std::vector<const LayerKindInfo*>&);
void addExportedActivationKinds(std::vector<const LayerKindInfo*>&);
void addPReLUKind(std::vector<const LayerKindInfo*>&);
void addSoftmaxKind(std::vector<const LayerKindInfo*>&);
void addQuantizeKind(std::vector<const LayerKindInfo*>&);
void addMergeKinds(std::vector<const LayerKindInfo*>&);
void addFlattenKind(std::vector<const LayerKindInfo*>&);

namespace {

// Indexed by LayerKind; a slot stays null when no file registers the kind (the registry test
// and kindInfo() report it).
const std::vector<const LayerKindInfo*>& table() {
  static const std::vector<const LayerKindInfo*> t = [] {
    std::vector<const LayerKindInfo*> found;
    for (auto add : {addDenseKind, addConvKinds, addDepthwiseConvKinds, addPoolingKinds, addZeroPadKind, addUpsampleKind,
                     addBatchNormKind, addActivationKinds, addExportedActivationKinds, addPReLUKind, addSoftmaxKind, addQuantizeKind, addMergeKinds,
                     addFlattenKind})
      add(found);
    std::vector<const LayerKindInfo*> byKind(kLayerKindCount, nullptr);
    for (const LayerKindInfo* k : found) {
      const int i = static_cast<int>(k->kind);
      if (i < 0 || i >= kLayerKindCount || byKind[i])
        throw std::logic_error(std::string("layer kind '") + k->name + "' registered twice or out of range");
      byKind[i] = k;
    }
    return byKind;
  }();
  return t;
}

}  // namespace

const LayerKindInfo& kindInfo(LayerKind k) {
  const int i = static_cast<int>(k);
  if (i < 0 || i >= kLayerKindCount || !table()[i])
    throw std::logic_error("layer kind " + std::to_string(i) + " has no descriptor (runtime/hls/layers)");
  return *table()[i];
}

const std::vector<const LayerKindInfo*>& allLayerKinds() {
  static const std::vector<const LayerKindInfo*> all = [] {
    std::vector<const LayerKindInfo*> v;
    for (const LayerKindInfo* k : table())
      if (k) v.push_back(k);
    return v;
  }();
  return all;
}

const LayerKindInfo* kindByNnName(const std::string& nnKind) {
  if (nnKind.empty()) return nullptr;
  for (const LayerKindInfo* k : allLayerKinds())
    if (nnKind == k->nnKind) return k;
  return nullptr;
}

const LayerKindInfo* kindByMmlName(const std::string& mmlName) {
  if (mmlName.empty()) return nullptr;
  for (const LayerKindInfo* k : allLayerKinds())
    if (mmlName == k->mmlName) return k;
  return nullptr;
}

std::vector<const LayerKindInfo*> kindsByNnetCall(const std::string& function) {
  std::vector<const LayerKindInfo*> v;
  for (const LayerKindInfo* k : allLayerKinds())
    if (std::find(k->nnetCalls.begin(), k->nnetCalls.end(), function) != k->nnetCalls.end() ||
        std::find(k->nnetAliases.begin(), k->nnetAliases.end(), function) != k->nnetAliases.end())
      v.push_back(k);
  return v;
}

ConfigField sizeField(const char* name, const char* meaning, FieldSize size, FieldDims dims, bool required) {
  ConfigField f{name, meaning, FieldRead::Size, dims, required};
  f.size = size;
  return f;
}

ConfigField countField(const char* name, const char* meaning, int LayerDesc::*count, bool required, FieldDims dims,
                       int LayerDesc::*fallback) {
  ConfigField f{name, meaning, FieldRead::Count, dims, required};
  f.count = count;
  f.countFallback = fallback;
  return f;
}

ConfigField numberField(const char* name, const char* meaning, double LayerDesc::*number, FixedType LayerDesc::*type) {
  ConfigField f{name, meaning, FieldRead::Number, FieldDims::Any, true};
  f.number = number;
  f.type = type;
  return f;
}

ConfigField typeField(const char* name, const char* meaning, FixedType LayerDesc::*type, bool required) {
  ConfigField f{name, meaning, FieldRead::Type, FieldDims::Any, required};
  f.type = type;
  return f;
}

ConfigField keywordField(const char* name, const char* meaning) { return {name, meaning, FieldRead::Keyword}; }

std::vector<ConfigField> macTypeFields() {
  return {typeField("accum_t", "accumulator type", &LayerDesc::accumType, true), typeField("bias_t", "bias type", &LayerDesc::biasType, true),
          typeField("weight_t", "weight type", &LayerDesc::weightType, true)};
}

std::vector<ConfigField> convGeometryFields(const char* filtersMeaning) {
  const FieldDims two = FieldDims::TwoD;
  return {sizeField("in_height", "input rows", FieldSize::Rows, two),
          sizeField("in_width", "input columns", FieldSize::Columns),
          sizeField("n_chan", "input channels", FieldSize::Channels),
          countField("filt_height", "kernel rows", &LayerDesc::kernelH, true, two),
          countField("filt_width", "kernel columns", &LayerDesc::kernelW, true),
          countField("n_filt", filtersMeaning, &LayerDesc::nFilters, true),
          countField("stride_height", "row stride", &LayerDesc::strideH, false, two),
          countField("stride_width", "column stride", &LayerDesc::strideW, false),
          countField("pad_top", "zero rows above", &LayerDesc::padTop, false, two),
          countField("pad_bottom", "zero rows below", &LayerDesc::padBottom, false, two),
          countField("pad_left", "zero columns left", &LayerDesc::padLeft, false),
          countField("pad_right", "zero columns right", &LayerDesc::padRight, false),
          {"out_height", "output rows"},
          {"out_width", "output columns"}};
}

std::vector<ConfigField> hardActivationFields() {
  return {sizeField("n_in", "elements", FieldSize::Elements), keywordField("reuse_factor", "reuse factor"),
          {"slope_t", "slope type (read with slope)"}, {"shift_t", "shift type (read with shift)"},
          numberField("slope", "slope", &LayerDesc::slope, &LayerDesc::slopeType),
          numberField("shift", "shift", &LayerDesc::shift, &LayerDesc::shiftType)};
}

std::string configUnsigned(const std::string& name, long long v) {
  return "  static const unsigned " + name + " = " + std::to_string(v) + ";\n";
}

const char* layerKindName(LayerKind k) {
  const int i = static_cast<int>(k);
  return i >= 0 && i < kLayerKindCount && table()[i] ? table()[i]->name : "?";
}

bool isActivation(LayerKind k) { return kindInfo(k).isActivation; }

}  // namespace mmlc::hls
