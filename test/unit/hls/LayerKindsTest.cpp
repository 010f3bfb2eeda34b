// The layer-kind registry: every LayerKind has a complete descriptor (names, hooks), names are
// unique, and the config structs the emitter writes use only the fields of their kind's schema.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "TestNetworks.h"
#include "hls/HlsProjectEmitter.h"
#include "hls/LayerKinds.h"
#include "hls/LayerModel.h"
#include "hls/ResourceEstimator.h"

namespace mmlc::hls {
namespace {

TEST(LayerKinds, EveryKindHasADescriptorWithEveryHook) {
  ASSERT_EQ(allLayerKinds().size(), static_cast<size_t>(kLayerKindCount));
  for (int i = 0; i < kLayerKindCount; ++i) {
    const LayerKind k = static_cast<LayerKind>(i);
    const LayerKindInfo& d = kindInfo(k);  // throws when no file of runtime/hls/layers registers k
    SCOPED_TRACE(d.name);
    EXPECT_EQ(d.kind, k);
    EXPECT_STRNE(d.name, "");
    EXPECT_STREQ(layerKindName(k), d.name);
    EXPECT_NE(d.simulate, nullptr) << "no simulation hook";
    EXPECT_NE(d.reference, nullptr) << "no float reference hook (QUANTIZATION's range analysis)";
    // Emission: a config and a call, or a stated reason why mmlc does not emit the kind.
    const bool emitted = d.emitConfig && d.emitCall;
    EXPECT_TRUE(emitted || std::string(d.notEmitted) != "") << "no emission hooks and no reason";
    EXPECT_FALSE((d.emitConfig == nullptr) != (d.emitCall == nullptr)) << "a config without a call or the reverse";
    if (emitted) EXPECT_STREQ(d.notEmitted, "");
    // Import: the hls4ml functions that compute the kind.
    EXPECT_FALSE(d.nnetCalls.empty() && d.nnetAliases.empty()) << "no hls4ml function imports as this kind";
    if (d.isMac) EXPECT_TRUE(d.hasWeights) << "a MAC layer without weights";
    if (d.isMac) EXPECT_EQ(d.estimate, EstimateFamily::Mac);
    if (std::string(d.configStruct) != "") EXPECT_FALSE(d.configFields.empty()) << "a config struct without a schema";
  }
}

TEST(LayerKinds, NamesAreUniqueAndFoundByEveryLookup) {
  std::set<std::string> names, nnKinds, mmlNames;
  for (const LayerKindInfo* d : allLayerKinds()) {
    EXPECT_TRUE(names.insert(d->name).second) << d->name;
    if (std::string(d->nnKind) != "") {
      EXPECT_TRUE(nnKinds.insert(d->nnKind).second) << d->nnKind;
      EXPECT_EQ(kindByNnName(d->nnKind), d);
    }
    if (std::string(d->mmlName) != "") {
      EXPECT_TRUE(mmlNames.insert(d->mmlName).second) << d->mmlName;
      EXPECT_EQ(kindByMmlName(d->mmlName), d);
    }
    for (const std::vector<std::string>* calls : {&d->nnetCalls, &d->nnetAliases})
      for (const std::string& f : *calls) {
        const auto kinds = kindsByNnetCall(f);
        EXPECT_NE(std::find(kinds.begin(), kinds.end(), d), kinds.end()) << f;
        // Only pooling shares its functions (max and average: the config's pool_type picks).
        if (kinds.size() > 1)
          for (const LayerKindInfo* other : kinds) EXPECT_TRUE(other->hasPoolAccum) << f << " is shared by " << other->name;
      }
  }
  EXPECT_EQ(kindByNnName("BatchNormalization")->kind, LayerKind::BatchNorm);
  EXPECT_EQ(kindsByNnetCall("normalize").front()->kind, LayerKind::BatchNorm);
  EXPECT_EQ(kindByNnName("Elu"), nullptr);
  EXPECT_TRUE(kindsByNnetCall("elu_unknown").empty());
}

// The struct config_<layer> : nnet::<base> { ... } blocks of parameters.h, by layer name.
std::map<std::string, std::pair<std::string, std::set<std::string>>> configStructs(const std::string& text) {
  std::map<std::string, std::pair<std::string, std::set<std::string>>> out;
  const std::regex head(R"(struct config_(\w+) : nnet::(\w+) \{)"), field(R"((?:static const [\w:]+ (\w+) =|typedef [\w<>, ]+ (\w+);))");
  for (std::sregex_iterator it(text.begin(), text.end(), head), end; it != end; ++it) {
    const size_t bodyStart = static_cast<size_t>(it->position() + it->length());
    const std::string body = text.substr(bodyStart, text.find("};", bodyStart) - bodyStart);
    auto& entry = out[(*it)[1]];
    entry.first = (*it)[2];
    for (std::sregex_iterator f(body.begin(), body.end(), field); f != end; ++f)
      entry.second.insert((*f)[1].matched ? (*f)[1].str() : (*f)[2].str());
  }
  return out;
}

TEST(LayerKinds, EmittedConfigFieldsAreTheKindsSchema) {
  NetworkDesc net = testnets::convNet();
  // Cover the emitted kinds convNet lacks: MaxPool and Conv1D (and the merges, below).
  NetworkDesc net1d;
  net1d.name = "net1d";
  net1d.inputWidth = 8;
  net1d.inputChannels = 2;
  LayerDesc c = testnets::layer("conv", LayerKind::Conv1D, FixedType::fixed(16, 6));
  c.nFilters = 3;
  c.kernelW = 3;
  c.weights.assign(3 * 2 * 3, 0.25f);
  net1d.layers.push_back(c);
  LayerDesc dw1 = testnets::layer("dw1", LayerKind::DepthwiseConv1D, FixedType::fixed(16, 6));
  dw1.kernelW = 2;
  dw1.weights.assign(2 * 3, 0.5f);
  net1d.layers.push_back(dw1);
  LayerDesc p = testnets::layer("pool", LayerKind::MaxPool, FixedType::fixed(16, 6));
  p.kernelW = p.strideW = 2;
  net1d.layers.push_back(p);
  // ... and the element-wise activations of framework exports.
  NetworkDesc netAct;
  netAct.name = "netact";
  netAct.inputWidth = 6;
  LayerDesc fc = testnets::layer("fc", LayerKind::Dense, FixedType::fixed(16, 6));
  fc.nOut = 6;
  fc.weights.assign(36, 0.25f);
  netAct.layers.push_back(fc);
  // Every emitted element-wise activation, from the descriptors (a new one is covered as it comes).
  for (const LayerKindInfo* k : allLayerKinds())
    if (k->isActivation && k->emitConfig && !k->hasWeights && !k->isMerge && k->kind != LayerKind::Softmax)
      netAct.layers.push_back(testnets::layer(std::string("act_") + k->name, k->kind, FixedType::fixed(16, 6)));
  LayerDesc prelu = testnets::layer("act_prelu", LayerKind::PReLU, FixedType::fixed(16, 6));
  prelu.weights.assign(6, 0.25f);
  netAct.layers.push_back(prelu);
  NetworkDesc netDw;  // a separable convolution: depthwise + pointwise
  netDw.name = "netdw";
  netDw.inputHeight = netDw.inputWidth = 4;
  netDw.inputChannels = 2;
  LayerDesc dw2 = testnets::layer("dw2", LayerKind::DepthwiseConv2D, FixedType::fixed(16, 6));
  dw2.kernelH = dw2.kernelW = 3;
  dw2.padTop = dw2.padBottom = dw2.padLeft = dw2.padRight = 1;
  dw2.weights.assign(9 * 2, 0.25f);
  netDw.layers.push_back(dw2);
  LayerDesc pw = testnets::layer("pw", LayerKind::Conv2D, FixedType::fixed(16, 6));
  pw.nFilters = 3;
  pw.weights.assign(2 * 3, 0.5f);
  netDw.layers.push_back(pw);
  LayerDesc up = testnets::layer("up", LayerKind::Upsample, FixedType::fixed(16, 6));
  up.scaleH = up.scaleW = 2;
  netDw.layers.push_back(up);
  std::set<LayerKind> seen;
  for (const NetworkDesc& n : {net, net1d, testnets::residualNet(), netAct, netDw}) {  // residualNet: Add, Concatenate
    HlsProjectEmitter e(n, EmitOptions{});
    const auto structs = configStructs(e.parametersHeader());
    for (const LayerDesc& l : e.desc().layers) {
      const LayerKindInfo& kind = kindInfo(l.kind);
      auto it = structs.find(l.name);
      if (std::string(kind.configStruct).empty()) {
        EXPECT_EQ(it, structs.end()) << l.name;
        continue;
      }
      ASSERT_NE(it, structs.end()) << l.name;
      seen.insert(l.kind);
      EXPECT_EQ(it->second.first, kind.configStruct) << l.name;
      std::set<std::string> schema;
      for (const ConfigField& f : kind.configFields) schema.insert(f.name);
      for (const std::string& f : it->second.second) EXPECT_TRUE(schema.count(f)) << kind.name << " writes '" << f << "' outside its schema";
    }
  }
  // Every kind mmlc emits with a config struct was looked at.
  for (const LayerKindInfo* d : allLayerKinds())
    if (d->emitConfig && std::string(d->configStruct) != "") EXPECT_TRUE(seen.count(d->kind)) << d->name;
}

// Both estimators cost an element-wise activation from its descriptor: the calibrated model's
// class is a lookup (Table) when the kind has tables, element-wise otherwise; the analytic model
// never costs one like a softmax (multipliers), and a table kind takes block RAM like sigmoid.
TEST(LayerKinds, ElementwiseActivationsAreCostedFromTheirDescriptors) {
  int checked = 0;
  for (const LayerKindInfo* k : allLayerKinds()) {
    if (!k->isActivation || k->kind == LayerKind::Softmax) continue;
    SCOPED_TRACE(k->name);
    LayerQuery q;
    q.kind = k->kind;
    EXPECT_EQ(layerClassOf(q), k->hasTable ? LayerClass::Table : LayerClass::Elementwise);
    NetworkDesc net;
    net.name = "act";
    net.inputType = FixedType::fixed(16, 6);
    net.inputWidth = 16;
    LayerDesc a = testnets::layer("a", k->kind, FixedType::fixed(16, 6));
    if (k->hasWeights) a.weights.assign(16, 0.25f);
    net.layers.push_back(a);
    const ResourceEstimate e = ResourceEstimator().estimate(net);
    ASSERT_EQ(e.layers.size(), 1u);
    EXPECT_EQ(e.layers[0].dsp, 0) << "costed like a softmax";
    EXPECT_EQ(e.layers[0].bram18 > 0, k->hasTable);
    ++checked;
  }
  EXPECT_GE(checked, 12);
}

}  // namespace
}  // namespace mmlc::hls
