// The constant-weight statistics cache (ConstWeightStatsCache.h) and per-setting layer estimates
// (ResourceEstimator::estimateSettings): the same figures as estimating without the cache and
// one design per setting, the statistics computed once per layer, recomputed when what they
// depend on changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "hls/ConstWeightStatsCache.h"
#include "hls/FixedPointSim.h"
#include "hls/ResourceEstimator.h"
#include "TestNetworks.h"

using namespace mmlc::hls;

namespace {

bool isMac(const LayerDesc& l) { return l.kind == LayerKind::Dense || l.kind == LayerKind::Conv1D || l.kind == LayerKind::Conv2D; }

void expectSameLayer(const LayerEstimate& a, const LayerEstimate& b, const std::string& what) {
  EXPECT_EQ(a.dsp, b.dsp) << what;
  EXPECT_EQ(a.lut, b.lut) << what;
  EXPECT_EQ(a.ff, b.ff) << what;
  EXPECT_EQ(a.bram18, b.bram18) << what;
  EXPECT_EQ(a.latency, b.latency) << what;
  EXPECT_EQ(a.interval, b.interval) << what;
}

void expectSameEstimate(const ResourceEstimate& a, const ResourceEstimate& b, const std::string& what) {
  ASSERT_EQ(a.layers.size(), b.layers.size()) << what;
  for (size_t k = 0; k < a.layers.size(); ++k) expectSameLayer(a.layers[k], b.layers[k], what + " layer " + a.layers[k].name);
  EXPECT_EQ(a.total.dsp, b.total.dsp) << what;
  EXPECT_EQ(a.total.lut, b.total.lut) << what;
  EXPECT_EQ(a.total.ff, b.total.ff) << what;
  EXPECT_EQ(a.total.bram18, b.total.bram18) << what;
  EXPECT_EQ(a.total.latencyMax, b.total.latencyMax) << what;
  EXPECT_EQ(a.total.intervalMax, b.total.intervalMax) << what;
}

// Every MAC layer of `net` set to (reuse, strategy).
NetworkDesc withSetting(NetworkDesc net, int reuse, Strategy strategy) {
  for (LayerDesc& l : net.layers)
    if (isMac(l)) {
      l.reuseFactor = reuse;
      l.strategy = strategy;
    }
  return net;
}

std::vector<NetworkDesc> testDesigns() {
  std::vector<NetworkDesc> out{testnets::convNet(), testnets::conv1dNet()};
  if (std::filesystem::exists(MMLC_HLS_FIXTURE_DIR)) out.push_back(loadHls4mlFixture(MMLC_HLS_FIXTURE_DIR));
  return out;
}

}  // namespace

// Variants of one design that differ in reuse factors and strategies: estimates with one shared
// cache equal those without, and each latency-strategy MAC layer's statistics are computed once.
TEST(ConstWeightStatsCache, SameEstimatesAcrossReuseAndStrategyVariants) {
  for (const NetworkDesc& design : testDesigns()) {
    ConstWeightStatsCache cache;
    ResourceEstimator cached;
    cached.useCache(&cache);
    const ResourceEstimator plain;
    long macLayers = 0;
    for (const LayerDesc& l : design.layers) macLayers += isMac(l) ? 1 : 0;
    ASSERT_GT(macLayers, 0) << design.name;
    for (int reuse : {1, 2, 4, 8})
      for (Strategy s : {Strategy::Latency, Strategy::Resource}) {
        const NetworkDesc v = withSetting(design, reuse, s);
        expectSameEstimate(cached.estimate(v), plain.estimate(v), design.name + " RF " + std::to_string(reuse));
      }
    EXPECT_EQ(cache.misses(), macLayers) << design.name;  // once per layer, for every reuse factor
    EXPECT_EQ(cache.hits(), 3 * macLayers) << design.name;  // the other three latency-strategy variants
  }
}

// What the statistics depend on changes: the entry is recomputed, the figures follow the change.
TEST(ConstWeightStatsCache, RecomputesWhenWeightsTypesOrPartChange) {
  const NetworkDesc design = testnets::convNet();
  ConstWeightStatsCache cache;
  ResourceEstimator cached;
  cached.useCache(&cache);
  const ResourceEstimator plain;
  expectSameEstimate(cached.estimate(design), plain.estimate(design), "original");
  const long first = cache.misses();
  size_t fc = 0;
  while (design.layers[fc].kind != LayerKind::Dense || design.layers[fc].strategy != Strategy::Latency) ++fc;

  NetworkDesc weights = design;  // one weight of a latency-strategy dense layer changed
  weights.layers[fc].weights[3] = 0.8125f;
  weights.layers[fc].weights[5] = 0.0f;
  expectSameEstimate(cached.estimate(weights), plain.estimate(weights), "changed weights");
  EXPECT_EQ(cache.misses(), first + 1);
  EXPECT_NE(plain.estimate(weights).layers[fc].lut, plain.estimate(design).layers[fc].lut);  // the change shows

  NetworkDesc type = design;  // narrower weights
  type.layers[fc].weightType = FixedType::fixed(6, 1);
  expectSameEstimate(cached.estimate(type), plain.estimate(type), "weight type");
  NetworkDesc part = design;  // DSP48E1 ports on a Zynq-7020
  part.part = "xc7z020clg400-1";
  expectSameEstimate(cached.estimate(part), plain.estimate(part), "part");
  expectSameEstimate(cached.estimate(design), plain.estimate(design), "original again");
  // The weights and the type: that layer again; the part, and back: every latency-strategy MAC layer.
  EXPECT_EQ(cache.misses(), first + 2 + 2 * first);
}

// estimateSettings: layer k under each setting equals layer k of the design with that setting
// applied to it alone, for the calibrated model (with and without a cache) and the analytic one.
TEST(ConstWeightStatsCache, EstimateSettingsEqualsOneDesignPerSetting) {
  const std::vector<LayerSetting> candidates = {{1, Strategy::Latency}, {2, Strategy::Latency}, {4, Strategy::Resource},
                                                {1, Strategy::Resource}, {8, Strategy::Latency}, {2, Strategy::Resource}};
  for (const NetworkDesc& design : testDesigns()) {
    std::vector<std::vector<LayerSetting>> settings(design.layers.size());
    for (size_t k = 0; k < design.layers.size(); ++k)
      if (isMac(design.layers[k])) settings[k] = candidates;
    ConstWeightStatsCache cache;
    ResourceEstimator withCache;
    withCache.useCache(&cache);
    const ResourceEstimator calibrated;
    const ResourceEstimator analytic{ResourceModel{}};
    for (const ResourceEstimator* e : std::vector<const ResourceEstimator*>{&calibrated, &withCache, &analytic}) {
      const auto perSetting = e->estimateSettings(design, settings);
      ASSERT_EQ(perSetting.size(), design.layers.size());
      for (size_t k = 0; k < design.layers.size(); ++k) {
        ASSERT_EQ(perSetting[k].size(), settings[k].size());
        for (size_t i = 0; i < settings[k].size(); ++i) {
          NetworkDesc one = design;
          one.layers[k].reuseFactor = settings[k][i].reuse;
          one.layers[k].strategy = settings[k][i].strategy;
          expectSameLayer(perSetting[k][i], e->estimate(one).layers.at(k),
                          design.name + " " + design.layers[k].name + " setting " + std::to_string(i));
        }
      }
    }
  }
}

// constWeightStatsOf walks the weights row by row; the definition, weight by weight (input =
// index / n_out mod n_in), gives the same statistics for dense and convolution shapes, inputs of
// their own widths (some constant 0), narrow and wide data, and untrained (synthesised) weights.
TEST(ConstWeightStatsCache, StatisticsEqualTheWeightByWeightDefinition) {
  auto bits = [](long long v) {
    unsigned long long u = static_cast<unsigned long long>(v < 0 ? -v : v);
    int b = 0;
    for (; u; u >>= 1) ++b;
    return b;
  };
  auto reference = [&](const LayerQuery& q) {
    const DeviceInfo& dev = lookupDevice(q.part);
    ConstWeightStats s;
    const long n = q.nIn * q.kernel * q.nOut;
    for (long idx = 0; idx < n; ++idx) {
      const long input = (idx / q.nOut) % std::max(1L, q.nIn);
      const int dw = static_cast<size_t>(input) < q.inputWidths.size() ? q.inputWidths[input] : q.dataType.width;
      if (dw <= 0) continue;
      const Raw r = fromDouble(q.weights[idx], q.weightType);
      if (r == 0) continue;
      long long odd = r;
      while (odd % 2 == 0) odd /= 2;
      const int d = csdDigits(r), cw = odd >= 0 ? bits(odd) : bits(-odd - 1) + 1;
      ++s.nz;
      s.productBits += dw + cw;
      if (d == 2) {
        ++s.shiftAdds;
        s.shiftAddBits += dw;
      } else if (d >= 3 && dw >= 11 && cw >= 5) {
        ++s.dspMults;
        s.dspSlices += static_cast<double>(((dw + dev.dspPortA - 1) / dev.dspPortA) * ((cw + dev.dspPortB - 1) / dev.dspPortB));
        s.dspOperandBits += dw + cw;
      } else if (d >= 3) {
        ++s.lutMults;
        s.lutMultBits += static_cast<double>(dw) * cw;
      }
    }
    return s;
  };
  std::mt19937 rng(5);
  int compared = 0;
  for (int trial = 0; trial < 24; ++trial) {
    LayerQuery q;
    q.kind = trial % 3 == 0 ? LayerKind::Conv2D : LayerKind::Dense;
    q.nIn = 3 + trial % 7;
    q.nOut = 2 + trial % 5;
    q.kernel = q.kind == LayerKind::Dense ? 1 : 9;
    q.part = trial % 2 ? "xc7z020" : "xcu250";
    q.dataType = FixedType::fixed(trial % 4 == 0 ? 8 : 16, 6);
    q.weightType = FixedType::fixed(6 + trial % 12, 2);
    if (trial % 5 == 1) {  // per-input widths, one input the constant 0
      q.inputWidths.assign(static_cast<size_t>(q.nIn), 14);
      q.inputWidths[1] = 0;
      q.inputWidths[2] = 7;
    }
    q.weights = testnets::randomValues(static_cast<size_t>(q.nIn * q.kernel * q.nOut), rng, 2.0f, 0.2f);
    const ConstWeightStats a = constWeightStatsOf(q), b = reference(q);
    EXPECT_EQ(a.nz, b.nz) << trial;
    EXPECT_EQ(a.shiftAdds, b.shiftAdds) << trial;
    EXPECT_EQ(a.shiftAddBits, b.shiftAddBits) << trial;
    EXPECT_EQ(a.dspMults, b.dspMults) << trial;
    EXPECT_EQ(a.dspSlices, b.dspSlices) << trial;
    EXPECT_EQ(a.dspOperandBits, b.dspOperandBits) << trial;
    EXPECT_EQ(a.lutMults, b.lutMults) << trial;
    EXPECT_EQ(a.lutMultBits, b.lutMultBits) << trial;
    EXPECT_EQ(a.productBits, b.productBits) << trial;
    compared += a.dspMults > 0 && a.lutMults > 0 && a.shiftAdds > 0 ? 1 : 0;
  }
  EXPECT_GE(compared, 4);  // the binding cases all occur
  // Untrained: the same synthesised weights either way (same shape: same statistics).
  LayerQuery untrained;
  untrained.nIn = 40;
  untrained.nOut = 8;
  const ConstWeightStats u = constWeightStatsOf(untrained);
  EXPECT_GT(u.nz, 0);
  EXPECT_EQ(u.productBits, constWeightStatsOf(untrained).productBits);
}
