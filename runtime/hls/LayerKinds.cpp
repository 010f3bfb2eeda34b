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

std::string configUnsigned(const std::string& name, long long v) {
  return "  static const unsigned " + name + " = " + std::to_string(v) + ";\n";
}

const char* layerKindName(LayerKind k) {
  const int i = static_cast<int>(k);
  return i >= 0 && i < kLayerKindCount && table()[i] ? table()[i]->name : "?";
}

bool isActivation(LayerKind k) { return kindInfo(k).isActivation; }

}  // namespace mmlc::hls
