// Estimator: calibration on the hls4ml jet fixture (within 15% for DSP and LUT), CSD digit
// counting, and the direction of the model under pruning, narrower data, reuse and other parts.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "hls/CsynthReport.h"
#include "hls/ResourceEstimator.h"
#include "TestNetworks.h"

using namespace mmlc::hls;

namespace {

double pctError(double est, double real) { return 100.0 * std::abs(est - real) / real; }

NetworkDesc fixtureNet() { return loadHls4mlFixture(MMLC_HLS_FIXTURE_DIR); }

bool haveFixture() { return std::filesystem::exists(MMLC_HLS_FIXTURE_DIR); }

}  // namespace

TEST(ResourceEstimator, CsdDigits) {
  EXPECT_EQ(csdDigits(0), 0);
  EXPECT_EQ(csdDigits(1), 1);
  EXPECT_EQ(csdDigits(7), 2);     // 8 - 1
  EXPECT_EQ(csdDigits(-7), 2);
  EXPECT_EQ(csdDigits(5), 2);     // 4 + 1
  EXPECT_EQ(csdDigits(45), 4);    // 64 - 16 - 4 + 1
  EXPECT_EQ(csdDigits(59), 3);    // 64 - 4 - 1 (binary needs 5)
  EXPECT_EQ(csdDigits(-512), 1);
}

// csdDigits counts the non-adjacent form's digits with a popcount identity; it must agree with
// building the form digit by digit (the definition) everywhere, across the 2^61 switch-over too.
TEST(ResourceEstimator, CsdDigitsEqualsDigitByDigitForm) {
  auto reference = [](long long n) {
    unsigned long long u = static_cast<unsigned long long>(n < 0 ? -n : n);
    int digits = 0;
    while (u) {
      if (u & 1) {
        u = (u & 3) == 3 ? u + 1 : u - 1;  // digit -1 (and carry) or +1
        ++digits;
      }
      u >>= 1;
    }
    return digits;
  };
  for (long long n = -(1LL << 17); n <= (1LL << 17); ++n) ASSERT_EQ(csdDigits(n), reference(n)) << n;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const long long n = static_cast<long long>(rng() >> (1 + i % 40));
    ASSERT_EQ(csdDigits(n), reference(n)) << n;
    ASSERT_EQ(csdDigits(-n), reference(-n)) << -n;
  }
  for (long long n : {(1LL << 61) - 1, 1LL << 61, (1LL << 61) + 1, (1LL << 62) - 1, 0x5555555555555555LL, (1LL << 62) + 3})
    EXPECT_EQ(csdDigits(n), reference(n)) << n;
}

TEST(ResourceEstimator, FixtureWithinFifteenPercent) {
  ASSERT_TRUE(haveFixture()) << "fixture missing: " << MMLC_HLS_FIXTURE_DIR;
  const NetworkDesc net = fixtureNet();
  const auto est = ResourceEstimator(ResourceModel{}).estimate(net);
  const SynthMetrics real = CsynthReport::parseFile(std::string(MMLC_HLS_FIXTURE_DIR) + "/reports/csynth.xml");
  EXPECT_LT(pctError(est.total.dsp, real.dsp), 15.0) << est.total.dsp << " vs " << real.dsp;
  EXPECT_LT(pctError(est.total.lut, real.lut), 15.0) << est.total.lut << " vs " << real.lut;
  EXPECT_LT(pctError(est.total.ff, real.ff), 30.0) << est.total.ff << " vs " << real.ff;
  EXPECT_LE(std::abs(est.total.latencyMax - real.latencyMax), 2) << est.total.latencyMax;
  EXPECT_EQ(est.total.intervalMax, 1);
  EXPECT_TRUE(est.total.estimated);
  EXPECT_EQ(est.total.availDsp, 12288);
  EXPECT_EQ(est.layers.size(), 8u);
}

TEST(ResourceEstimator, RespondsToPruningWidthReuseAndPart) {
  ASSERT_TRUE(haveFixture()) << "fixture missing: " << MMLC_HLS_FIXTURE_DIR;
  const NetworkDesc base = fixtureNet();
  const auto b = ResourceEstimator(ResourceModel{}).estimate(base).total;
  // Pruning half the weights removes multipliers and adders.
  NetworkDesc pruned = base;
  for (auto& l : pruned.layers)
    for (size_t i = 0; i < l.weights.size(); i += 2) l.weights[i] = 0.0f;
  const auto p = ResourceEstimator(ResourceModel{}).estimate(pruned).total;
  EXPECT_LT(p.dsp, 0.7 * b.dsp);
  EXPECT_LT(p.lut, 0.7 * b.lut);
  // 8-bit data: multiplications move to LUTs.
  NetworkDesc narrow = base;
  narrow.inputType = FixedType::fixed(8, 3);
  for (auto& l : narrow.layers) l.weightType = l.biasType = l.accumType = l.resultType = FixedType::fixed(8, 3);
  const auto n = ResourceEstimator(ResourceModel{}).estimate(narrow).total;
  EXPECT_LT(n.dsp, 0.1 * b.dsp);
  // Reuse factor 4: a quarter of the multipliers, II 4, longer latency.
  NetworkDesc reused = base;
  for (auto& l : reused.layers) l.reuseFactor = 4;
  const auto r = ResourceEstimator(ResourceModel{}).estimate(reused).total;
  EXPECT_EQ(r.intervalMax, 4);
  EXPECT_GT(r.latencyMax, b.latencyMax);
  EXPECT_LT(r.dsp, 0.35 * 4256);
  // Slower 7-series part at the same clock needs at least as many cycles; availability follows the part.
  const auto z = ResourceEstimator(ResourceModel{}).estimate(base, "xc7z020clg400-1", 5.0).total;
  EXPECT_GE(z.latencyMax, b.latencyMax);
  EXPECT_EQ(z.availDsp, 220);
  EXPECT_THROW(ResourceEstimator(ResourceModel{}).estimate(base, "xc9nonsense"), std::invalid_argument);
}

TEST(ResourceEstimator, PerLayerAgainstPerFunctionReports) {
  ASSERT_TRUE(haveFixture()) << "fixture missing: " << MMLC_HLS_FIXTURE_DIR;
  const auto est = ResourceEstimator(ResourceModel{}).estimate(fixtureNet());
  const std::string r = std::string(MMLC_HLS_FIXTURE_DIR) + "/reports/";
  const std::string z33 = "0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0_0";
  // hls4ml layer index -> per-function report (the dense modules are told apart by their sizes).
  const std::pair<size_t, std::string> layers[] = {
      {0, "dense_latency_" + z33 + "_s_csynth.xml"},
      {2, "dense_latency_" + z33 + "_1_csynth.xml"},
      {4, "dense_latency_" + z33 + "_csynth.xml"},
      {6, "dense_latency_ap_fixed_ap_fixed_16_6_5_3_0_config11_0_0_0_0_0_0_csynth.xml"},
      {1, "relu_ap_fixed_16_6_5_3_0_ap_fixed_16_6_5_3_0_relu_config4_s_csynth.xml"},
      {7, "softmax_stable_ap_fixed_ap_fixed_16_6_5_3_0_softmax_config13_s_csynth.xml"},
  };
  for (const auto& [k, file] : layers) {
    const SynthMetrics real = CsynthReport::parseFile(r + file);
    const LayerEstimate& e = est.layers[k];
    EXPECT_LE(std::abs(e.dsp - real.dsp), 0.06 * real.dsp + 0.5) << e.name << " DSP " << e.dsp << " vs " << real.dsp;
    EXPECT_LE(std::abs(e.lut - real.lut), 0.05 * real.lut) << e.name << " LUT " << e.lut << " vs " << real.lut;
    EXPECT_LE(std::abs(e.ff - real.ff), 0.25 * real.ff + 1) << e.name << " FF " << e.ff << " vs " << real.ff;
    EXPECT_EQ(e.latency, real.latencyMax) << e.name;
    EXPECT_EQ(e.bram18, real.bram18) << e.name;
  }
}

TEST(ResourceEstimator, StreamingRaisesIntervalToPixelCount) {
  NetworkDesc n;
  n.inputHeight = 8;
  n.inputWidth = 8;
  n.inputChannels = 1;
  LayerDesc c;
  c.name = "conv";
  c.kind = LayerKind::Conv2D;
  c.nFilters = 2;
  c.kernelH = c.kernelW = 3;
  c.weights.assign(3 * 3 * 2, 0.37f);
  c.weightType = c.biasType = c.accumType = c.resultType = FixedType::fixed(16, 6);
  n.layers.push_back(c);
  const auto par = ResourceEstimator(ResourceModel{}).estimate(n).total;
  n.ioType = IOType::Stream;
  const auto str = ResourceEstimator(ResourceModel{}).estimate(n).total;
  EXPECT_EQ(par.intervalMax, 1);
  EXPECT_EQ(str.intervalMax, 64);
  EXPECT_GT(str.latencyMax, par.latencyMax + 64);
}

// The layer kinds that only come from imported projects cost what their structure says: a
// depthwise convolution one multiplier per kernel tap and channel (not per filter), leaky ReLU and
// hard tanh comparators and adders, a global pooling a reduction per channel, a rounding or
// saturating quantizer per-element logic; a linear activation and zero padding are wiring.
TEST(ResourceEstimator, ImportedLayerKindsHaveStructuralCosts) {
  NetworkDesc n = testnets::network("kinds", FixedType::fixed(16, 6), 1, 8, 4);
  LayerDesc pad = testnets::layer("pad", LayerKind::ZeroPad, FixedType::fixed(16, 6));
  pad.padLeft = pad.padRight = 1;
  LayerDesc dw = testnets::layer("dw", LayerKind::DepthwiseConv1D, FixedType::fixed(16, 6));
  dw.kernelW = 3;
  dw.weights = {0.75f, -1.5f, 0.3125f, 1.25f, -0.5f, 0.625f, 1.875f, -0.875f, 0.4375f, -1.125f, 0.8125f, 1.0625f};
  dw.biases.assign(4, 0.25f);
  LayerDesc lin = testnets::layer("lin", LayerKind::Linear, FixedType::fixed(16, 6));
  LayerDesc leaky = testnets::layer("leaky", LayerKind::LeakyReLU, FixedType::fixed(16, 6));
  leaky.alpha = 0.3;
  LayerDesc hard = testnets::layer("hard", LayerKind::HardTanh, FixedType::fixed(16, 6));
  LayerDesc gmax = testnets::layer("gmax", LayerKind::GlobalMaxPool, FixedType::fixed(16, 6));
  LayerDesc q = testnets::layer("q", LayerKind::Quantize, FixedType::fixed(16, 6));
  q.elementTypes.assign(4, FixedType::fixed(8, 3, QuantMode::RND, OverflowMode::SAT));
  n.layers = {pad, dw, lin, leaky, hard, gmax, q};
  const ResourceEstimate e = ResourceEstimator(ResourceModel{}).estimate(n, "xcu250-figd2104-2L-e", 5.0);
  ASSERT_EQ(e.layers.size(), 7u);
  auto layer = [&](const std::string& name) -> const LayerEstimate& {
    for (const LayerEstimate& l : e.layers)
      if (l.name == name) return l;
    ADD_FAILURE() << "no estimate for " << name;
    return e.layers.front();
  };
  EXPECT_EQ(layer("pad").lut, 0.0);
  EXPECT_EQ(layer("lin").lut, 0.0);
  // 3 taps x 4 channels x 8 pixels constant multipliers: 96, not 3 x 4 x 4 filters x 8 = 384.
  EXPECT_EQ(layer("dw").dspMultipliers + layer("dw").lutMultipliers, 96);
  EXPECT_GT(layer("dw").lut, 0.0);
  for (const char* name : {"leaky", "hard", "gmax", "q"}) EXPECT_GT(layer(name).lut, 0.0) << name;
  EXPECT_GT(layer("hard").lut, layer("leaky").lut / 4);
  // Truncating, wrapping element types cost nothing.
  n.layers.back().elementTypes.assign(4, FixedType::fixed(8, 3));
  EXPECT_EQ(ResourceEstimator(ResourceModel{}).estimate(n, "xcu250-figd2104-2L-e", 5.0).layers.back().lut, 0.0);

  // The calibrated model (what flows use) sees the depthwise convolution as multiply-accumulate
  // logic too, and the element-wise kinds as logic.
  const ResourceEstimate c = ResourceEstimator(ToolGen::VitisHls).estimate(n, "xcu250-figd2104-2L-e", 5.0);
  ASSERT_EQ(c.layers.size(), 7u);
  EXPECT_GT(c.layers[1].lut + 100 * c.layers[1].dsp, 0.0) << "depthwise";
  EXPECT_GT(c.layers[3].lut, 0.0) << "leaky ReLU";
  EXPECT_GT(c.layers[4].lut, 0.0) << "hard tanh";
}

// The calibrated estimator (what flows use): synthesis folds constants, so a dense output whose
// weights are all zero is its bias and the ReLU after it costs nothing for that element; the
// next layer drops its products. The latency strategy's DSPs do not depend on the reuse factor.
TEST(ResourceEstimator, CalibratedModelFoldsConstantOutputsAndKeepsDspsOverReuse) {
  ASSERT_TRUE(haveFixture()) << "fixture missing: " << MMLC_HLS_FIXTURE_DIR;
  NetworkDesc net = fixtureNet();
  net.resolve();
  size_t dense = 0;
  while (net.layers[dense].kind != LayerKind::Dense) ++dense;
  size_t relu = dense + 1;
  while (net.layers[relu].kind != LayerKind::ReLU) ++relu;
  const ResourceEstimator est(ToolGen::VivadoHls);
  const ResourceEstimate before = est.estimate(net);
  NetworkDesc pruned = net;
  LayerDesc& d = pruned.layers[dense];
  for (int i = 0; i < d.nIn; ++i)
    for (int j = 0; j < d.nOut / 2; ++j) d.weights[static_cast<size_t>(i) * d.nOut + j] = 0.0f;
  const ResourceEstimate after = est.estimate(pruned);
  ASSERT_GT(before.layers[relu].lut, 0.0);
  EXPECT_NEAR(after.layers[relu].lut / before.layers[relu].lut, 0.5, 0.05);
  EXPECT_LT(after.layers[relu + 1].lut, before.layers[relu + 1].lut);  // products of constant inputs fold away
  EXPECT_LT(after.total.ff, before.total.ff);                         // constant outputs are not registered

  NetworkDesc rf2 = net;
  for (LayerDesc& l : rf2.layers) l.reuseFactor = 2;
  const double dsp1 = before.total.dsp, dsp2 = est.estimate(rf2).total.dsp;
  EXPECT_NEAR(dsp2 / dsp1, 1.0, 0.01);
}
