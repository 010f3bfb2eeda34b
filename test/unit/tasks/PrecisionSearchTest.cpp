// Unit tests of QUANTIZATION's core: value ranges, integer bits of the slots, and the width search
// (narrower than the start, within the tolerance, every candidate reported, feasible result).
#include "tasks/PrecisionSearch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <unistd.h>

#include "hls/CSimHarness.h"
#include "hls/FixedPointSim.h"
#include "hls/NetworkSim.h"
#include "hls/TemplateConversions.h"

namespace mmlc::tasks {
namespace {

using hls::FixedType;
using hls::LayerDesc;
using hls::LayerKind;

LayerDesc dense(const std::string &name, int nOut, std::vector<float> w, std::vector<float> b) {
  LayerDesc l;
  l.name = name;
  l.kind = LayerKind::Dense;
  l.nOut = nOut;
  l.weights = std::move(w);
  l.biases = std::move(b);
  return l;
}

LayerDesc activation(const std::string &name, LayerKind kind) {
  LayerDesc l;
  l.name = name;
  l.kind = kind;
  return l;
}

/// in -> dense -> relu -> dense -> softmax, every type `precision`, random weights.
hls::NetworkDesc randomMlp(int in, int hidden, int out, unsigned seed,
                           FixedType precision = FixedType::fixed(16, 6)) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  auto values = [&](size_t n, float scale) {
    std::vector<float> v(n);
    for (float &x : v)
      x = g(rng) * scale;
    return v;
  };
  hls::NetworkDesc d;
  d.inputWidth = in;
  d.inputType = precision;
  d.layers.push_back(dense("fc1", hidden, values(size_t(in * hidden), 0.5f), values(hidden, 0.1f)));
  d.layers.push_back(activation("relu1", LayerKind::ReLU));
  d.layers.push_back(dense("fc2", out, values(size_t(hidden * out), 0.5f), values(out, 0.1f)));
  d.layers.push_back(activation("softmax", LayerKind::Softmax));
  for (LayerDesc &l : d.layers)
    l.weightType = l.biasType = l.accumType = l.resultType = precision;
  d.resolve();
  return d;
}

/// Inputs in [0, 1) labelled by the network itself at a wide precision (a reachable target).
void teacherData(const hls::NetworkDesc &net, size_t n, unsigned seed, std::vector<float> &x,
                 std::vector<int> &labels) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  x.resize(n * size_t(net.inputSize()));
  for (float &v : x)
    v = u(rng);
  hls::NetworkDesc wide = net;
  wide.inputType = FixedType::fixed(30, 12);
  for (LayerDesc &l : wide.layers)
    l.weightType = l.biasType = l.accumType = l.resultType = FixedType::fixed(30, 12);
  hls::NetworkSim sim(wide);
  const int k = net.outputSize();
  std::vector<double> out(n * size_t(k));
  sim.run(x.data(), n, out.data());
  labels.resize(n);
  for (size_t s = 0; s < n; ++s) {
    const double *row = &out[s * size_t(k)];
    labels[s] = int(std::max_element(row, row + k) - row);
  }
}

TEST(PrecisionSearch, RangesOfAHandComputedNetwork) {
  // y = relu(x0 * 3 - x1 * 2 + 1); partial sums: 1, 1 + 3*x0, then -2*x1 added.
  hls::NetworkDesc d;
  d.inputWidth = 2;
  d.layers.push_back(dense("fc", 1, {3.0f, -2.0f}, {1.0f}));
  d.layers.push_back(activation("relu", LayerKind::ReLU));
  d.resolve();
  const std::vector<float> x{1.0f, 4.0f, 0.5f, 0.0f}; // sums -4 and 2.5; partial peak 4
  ValueRanges finals = analyseRanges(d, x.data(), 2, false);
  EXPECT_DOUBLE_EQ(finals.layers[0].accumAbs, 4.0);
  EXPECT_DOUBLE_EQ(finals.layers[0].resultAbs, 4.0);
  EXPECT_DOUBLE_EQ(finals.layers[1].resultAbs, 2.5);
  EXPECT_DOUBLE_EQ(finals.layers[0].weightMax, 3.0);
  EXPECT_DOUBLE_EQ(finals.layers[0].weightMin, -2.0);
  EXPECT_DOUBLE_EQ(finals.inputMin, 0.0);
  EXPECT_DOUBLE_EQ(finals.inputMax, 4.0);
  const std::vector<float> y{2.0f, 3.0f}; // partial 1 + 6 = 7, final 7 - 6 = 1
  EXPECT_DOUBLE_EQ(analyseRanges(d, y.data(), 1, false).layers[0].accumAbs, 1.0);
  EXPECT_DOUBLE_EQ(analyseRanges(d, y.data(), 1, true).layers[0].accumAbs, 7.0);

  std::vector<PrecisionSlot> slots = precisionSlots(d, finals, 1);
  ASSERT_EQ(slots.size(), 6u); // input, fc.{weight,bias,accum,result}, relu.result
  EXPECT_EQ(slots[0].role, "input");
  EXPECT_FALSE(slots[0].isSigned);      // inputs are never negative: ufixed
  EXPECT_EQ(slots[0].integerBits, 3);   // 4.0 needs [0, 8)
  EXPECT_EQ(slots[1].role, "weight");
  EXPECT_EQ(slots[1].integerBits, 3);   // |3| needs [-4, 4)
  EXPECT_EQ(slots[2].integerBits, 2);   // bias 1 needs [-2, 2)
  EXPECT_EQ(slots[3].role, "accum");
  EXPECT_EQ(slots[3].integerBits, 4 + 1); // |-4| needs [-8, 8), plus the guard bit
  EXPECT_EQ(slots[5].role, "result");
  EXPECT_FALSE(slots[5].isSigned);      // ReLU output
  EXPECT_EQ(slots[5].integerBits, 2 + 1);
}

TEST(PrecisionSearch, SlotsOfPReLUAndUpsample) {
  // 1x2x1 -> PReLU (slopes 0.5, -3) -> Upsample 1x2: the slopes are a constant weight slot (no
  // bias), the copy has no type of its own (its result is its input's).
  hls::NetworkDesc d;
  d.inputWidth = 2;
  LayerDesc pr;
  pr.name = "pr";
  pr.kind = LayerKind::PReLU;
  pr.weights = {0.5f, -3.0f};
  d.layers.push_back(pr);
  LayerDesc up;
  up.name = "up";
  up.kind = LayerKind::Upsample;
  up.scaleW = 2;
  d.layers.push_back(up);
  d.resolve();
  const std::vector<float> x{-2.0f, -1.0f};  // -1, 3, repeated
  const ValueRanges r = analyseRanges(d, x.data(), 1, false);
  EXPECT_DOUBLE_EQ(r.layers[0].resultAbs, 3.0);
  EXPECT_DOUBLE_EQ(r.layers[1].resultAbs, 3.0);
  const std::vector<PrecisionSlot> slots = precisionSlots(d, r, 0);
  ASSERT_EQ(slots.size(), 3u);  // input, pr.weight, pr.result
  EXPECT_EQ(slots[1].role, "weight");
  EXPECT_TRUE(slots[1].constant);
  EXPECT_EQ(slots[1].integerBits, 3);  // -3 needs [-4, 4)
  EXPECT_EQ(slots[2].role, "result");
  EXPECT_EQ(slots[2].layer, 0);
}

TEST(PrecisionSearch, RangesOfADepthwiseConvolution) {
  // Two channels, kernel 2, no padding: out[ch] = b[ch] + x0[ch] w0[ch] + x1[ch] w1[ch].
  hls::NetworkDesc d;
  d.inputWidth = 2;
  d.inputChannels = 2;
  LayerDesc dw;
  dw.name = "dw";
  dw.kind = LayerKind::DepthwiseConv1D;
  dw.kernelW = 2;
  dw.weights = {2.0f, -1.0f, -3.0f, 0.5f}; // [kw][channel]
  dw.biases = {1.0f, 0.0f};
  d.layers.push_back(dw);
  d.resolve();
  const std::vector<float> x{1.0f, 4.0f, 1.0f, 2.0f}; // pixels (1, 4), (1, 2)
  // ch0: 1 + 2 - 3 = 0 (partial peak 3); ch1: 0 - 4 + 1 = -3 (partial peak 4)
  const ValueRanges finals = analyseRanges(d, x.data(), 1, false);
  EXPECT_DOUBLE_EQ(finals.layers[0].accumAbs, 3.0);
  EXPECT_DOUBLE_EQ(finals.layers[0].resultAbs, 3.0);
  EXPECT_DOUBLE_EQ(analyseRanges(d, x.data(), 1, true).layers[0].accumAbs, 4.0);
  const std::vector<PrecisionSlot> slots = precisionSlots(d, finals, 0);
  ASSERT_EQ(slots.size(), 5u); // input, dw.{weight,bias,accum,result}
  EXPECT_EQ(slots[1].role, "weight");
  EXPECT_EQ(slots[3].role, "accum");
}

TEST(PrecisionSearch, NarrowsWithinTheTolerance) {
  hls::NetworkDesc net = randomMlp(12, 16, 4, 7);
  std::vector<float> x;
  std::vector<int> labels;
  teacherData(net, 2000, 11, x, labels);
  std::vector<PrecisionSlot> slots =
      precisionSlots(net, analyseRanges(net, x.data(), 2000, false), 1);
  QuantizeOptions o;
  o.tolerance = 0.02;
  o.rounding = hls::QuantMode::RND;
  std::vector<QuantizeCandidate> seen;
  QuantizeResult r = searchPrecisions(net, slots, x.data(), labels.data(), 2000, o,
                                      [&](const QuantizeCandidate &c) { seen.push_back(c); });
  EXPECT_LT(r.bits, r.bitsBefore);
  EXPECT_EQ(r.evaluations, static_cast<int>(seen.size()));
  EXPECT_GE(r.accuracy, r.baselineAccuracy - o.tolerance - 1e-12);
  // The returned design is what was measured.
  EXPECT_DOUBLE_EQ(hls::NetworkSim(r.desc).accuracy(x.data(), labels.data(), 2000), r.accuracy);
  EXPECT_EQ(seen.front().phase, "start");
  bool infeasibleSeen = false;
  for (const QuantizeCandidate &c : seen)
    infeasibleSeen = infeasibleSeen || !c.feasible;
  EXPECT_TRUE(infeasibleSeen); // the search went below what the tolerance allows, and backed off
  for (const LayerDesc &l : r.desc.layers) {
    EXPECT_LE(l.resultType.width, o.maxWidth);
    EXPECT_GE(l.resultType.width, o.minWidth);
    EXPECT_EQ(l.resultType.quant, hls::QuantMode::RND);
    // Rounding never pushes a weight past its type's range (a wrapped weight flips sign).
    for (float w : l.weights) {
      const double q = hls::toDouble(hls::fromDouble(w, l.weightType), l.weightType);
      EXPECT_TRUE(q == 0 || (q > 0) == (w > 0)) << l.name << " " << w << " -> " << q;
    }
  }
}

TEST(PrecisionSearch, ModelGranularityGivesOneTypePerRole) {
  hls::NetworkDesc net = randomMlp(10, 12, 3, 5);
  std::vector<float> x;
  std::vector<int> labels;
  teacherData(net, 1000, 3, x, labels);
  std::vector<PrecisionSlot> slots =
      precisionSlots(net, analyseRanges(net, x.data(), 1000, false), 1);
  QuantizeOptions o;
  o.perLayer = false;
  o.tolerance = 0.02;
  QuantizeResult r = searchPrecisions(net, slots, x.data(), labels.data(), 1000, o,
                                      [](const QuantizeCandidate &) {});
  EXPECT_LT(r.bits, r.bitsBefore);
  EXPECT_EQ(r.desc.layers[0].weightType, r.desc.layers[2].weightType);
  EXPECT_EQ(r.desc.layers[0].accumType, r.desc.layers[2].accumType);
  EXPECT_EQ(r.desc.layers[0].resultType, r.desc.layers[3].resultType);
  // Constants are rounded to nearest whatever the data types' mode.
  EXPECT_EQ(r.desc.layers[0].weightType.quant, hls::QuantMode::RND);
  EXPECT_EQ(r.desc.layers[0].accumType.quant, hls::QuantMode::TRN);
}

TEST(PrecisionSearch, ImpossibleStartIsAnError) {
  hls::NetworkDesc net = randomMlp(8, 8, 3, 2);
  std::vector<float> x;
  std::vector<int> labels;
  teacherData(net, 500, 1, x, labels);
  std::vector<PrecisionSlot> slots =
      precisionSlots(net, analyseRanges(net, x.data(), 500, false), 1);
  QuantizeOptions o;
  o.minWidth = 1;
  o.maxWidth = 2; // too narrow for the accumulators' ranges
  EXPECT_THROW(searchPrecisions(net, slots, x.data(), labels.data(), 500, o,
                                [](const QuantizeCandidate &) {}),
               std::runtime_error);
}

// Issue 11: tiny biases under a rounding (AP_RND, AP_SAT) accumulator. The search narrows the
// accumulator until the biases lie wholly below its rounding bit, a conversion the vendor's
// ap_fixed aborts on; the chosen design must widen the biases instead (same values) and
// C-simulate bit-exactly under the vendor headers.
TEST(PrecisionSearch, NeverChoosesAConversionTheVendorLibraryAbortsOn) {
  hls::NetworkDesc net = randomMlp(12, 16, 4, 7);
  for (float &b : net.layers[2].biases)
    b *= 0.001f;
  std::vector<float> x;
  std::vector<int> labels;
  teacherData(net, 1000, 11, x, labels);
  std::vector<PrecisionSlot> slots =
      precisionSlots(net, analyseRanges(net, x.data(), 1000, false), 1);
  const auto bias = std::find_if(slots.begin(), slots.end(), [](const PrecisionSlot &s) {
    return s.layer == 2 && s.role == "bias";
  });
  ASSERT_NE(bias, slots.end());
  QuantizeOptions o;
  o.tolerance = 0.02;
  o.rounding = hls::QuantMode::RND;
  o.overflow = hls::OverflowMode::SAT;
  QuantizeResult r = searchPrecisions(net, slots, x.data(), labels.data(), 1000, o,
                                      [](const QuantizeCandidate &) {});
  EXPECT_EQ(hls::firstUndefinedConversion(r.desc), "");
  // The biases were widened to reach the accumulator's rounding bit, keeping their LSB.
  const LayerDesc &fc2 = r.desc.layers[2];
  EXPECT_GT(fc2.biasType.integer, bias->integerBits);
  EXPECT_EQ(fc2.biasType.integer, -fc2.accumType.frac());
  EXPECT_DOUBLE_EQ(hls::NetworkSim(r.desc).accuracy(x.data(), labels.data(), 1000), r.accuracy);
  hls::CSimOptions c;
  c.apTypesDir = MMLC_VENDOR_AP_TYPES_DIR;
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("mmlc_tiny_bias_" + std::to_string(::getpid()))).string();
  const std::vector<float> some(x.begin(), x.begin() + 200 * 12);
  const hls::CSimResult cs = hls::CSimHarness(r.desc, c).run(dir, some);
  EXPECT_EQ(cs.bitExactFraction, 1.0) << cs.mismatchReport;
  if (!::testing::Test::HasFailure())
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace mmlc::tasks
