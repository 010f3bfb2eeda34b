// Network simulator: hand-worked dense arithmetic, fixture loading, agreement with a float
// reference on the fixture network, and error messages for bad descriptions.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "TestNetworks.h"
#include "hls/HlsProjectEmitter.h"
#include "hls/NetworkSim.h"

using namespace mmlc::hls;

namespace {

NetworkDesc tinyDense(FixedType accum) {
  NetworkDesc n;
  n.name = "tiny";
  n.inputType = FixedType::fixed(8, 3);
  n.inputWidth = 2;
  LayerDesc d = testnets::layer("fc", LayerKind::Dense, FixedType::fixed(8, 3));
  d.nOut = 1;
  d.weights = {0.75f, 0.5f};
  d.biases = {0.125f};
  d.accumType = accum;
  n.layers.push_back(d);
  return n;
}

}  // namespace

TEST(NetworkSim, DenseHandWorked) {
  const NetworkSim sim(tinyDense(FixedType::fixed(8, 3)));
  // 0.125 + 0.5*0.75 + (-0.25)*0.5 = 0.375
  const float x[2] = {0.5f, -0.25f};
  double y = 0;
  sim.run(x, 1, &y);
  EXPECT_EQ(y, 0.375);
  // 3.5*0.75 + 3.5*0.5 + 0.125 = 4.5 overflows ap_fixed<8,3> (max 3.96875).
  const float big[2] = {3.5f, 3.5f};
  sim.run(big, 1, &y);
  EXPECT_EQ(y, 4.5 - 8.0);  // AP_WRAP accumulator
  const NetworkSim sat(tinyDense(FixedType::fixed(8, 3, QuantMode::TRN, OverflowMode::SAT)));
  sat.run(big, 1, &y);
  EXPECT_EQ(y, 3.96875);
  // Products truncated to the accumulator: 0.03125 * 0.75 = 0.0234375 -> 0 in ap_fixed<8,3> (LSB 1/32).
  const float small[2] = {0.03125f, 0.0f};
  sim.run(small, 1, &y);
  EXPECT_EQ(y, 0.125);
}

TEST(NetworkSim, SaturationOrderFollowsTemplate) {
  // With a saturating accumulator the order matters: bias -1.5, products +3.0 then -3.0 with
  // ap_fixed<6,3> (max 3.875): -1.5+3.0 = 1.5; 1.5-3.0 = -1.5. In the other order it would clip.
  NetworkDesc n = tinyDense(FixedType::fixed(6, 3, QuantMode::TRN, OverflowMode::SAT));
  n.layers[0].weights = {1.5f, -1.5f};
  n.layers[0].biases = {-1.5f};
  const NetworkSim sim(n);
  const float x[2] = {2.0f, 2.0f};
  double y = 0;
  sim.run(x, 1, &y);
  EXPECT_EQ(y, -1.5);
  const float x2[2] = {2.5f, 0.5f};  // -1.5 + 3.75 = 2.25; 2.25 - 0.75 = 1.5
  sim.run(x2, 1, &y);
  EXPECT_EQ(y, 1.5);
}

TEST(NetworkSim, LoadsFixtureAndTracksFloat) {
  const std::string dir = MMLC_HLS_FIXTURE_DIR;
  ASSERT_TRUE(std::filesystem::exists(dir)) << "fixture missing: " << dir;
  const NetworkDesc net = loadHls4mlFixture(dir);
  ASSERT_EQ(net.layers.size(), 8u);
  EXPECT_EQ(net.inputSize(), 16);
  EXPECT_EQ(net.outputSize(), 5);
  EXPECT_EQ(net.layers[0].name, "layer2");
  EXPECT_EQ(net.layers[2].nIn, 64);
  EXPECT_EQ(net.layers[6].nOut, 5);
  EXPECT_EQ(net.layers[7].kind, LayerKind::Softmax);
  EXPECT_EQ(net.layers[0].weightType, FixedType::fixed(16, 6));
  EXPECT_EQ(net.part, "xcu250-figd2104-2L-e");
  EXPECT_EQ(net.clockPeriodNs, 5.0);

  // Compare the last dense layer (pre-softmax) with a float forward pass.
  const NetworkSim sim(net);
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.0f, 1.0f);
  double worst = 0;
  for (int s = 0; s < 50; ++s) {
    std::vector<float> x(16);
    for (auto& v : x) v = d(rng);
    std::vector<double> a(x.begin(), x.end());
    for (size_t k = 0; k < 7; ++k) {
      const LayerDesc& l = net.layers[k];
      if (l.kind == LayerKind::Dense) {
        std::vector<double> b(l.nOut);
        for (int j = 0; j < l.nOut; ++j) {
          b[j] = l.biases[j];
          for (int i = 0; i < l.nIn; ++i) b[j] += a[i] * l.weights[i * l.nOut + j];
        }
        a = b;
      } else {
        for (auto& v : a) v = std::max(v, 0.0);
      }
    }
    const auto tr = sim.trace(x.data());
    for (int j = 0; j < 5; ++j) worst = std::max(worst, std::abs(toDouble(tr[6][j], net.layers[6].resultType) - a[j]));
    // Softmax outputs are non-negative; their sum is only roughly 1 because the inverse table
    // is indexed by the top bits of the sum (hls4ml's table scheme).
    for (int j = 0; j < 5; ++j) EXPECT_GE(toDouble(tr[7][j], net.layers[7].resultType), 0.0);
  }
  EXPECT_LT(worst, 0.5) << "fixed<16,6> should track float closely";
}

TEST(NetworkSim, RejectsBadDescriptions) {
  NetworkDesc n = tinyDense(FixedType::fixed(8, 3));
  n.layers[0].weights.pop_back();
  try {
    NetworkSim s(n);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'fc'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("expected 2 weights"), std::string::npos);
  }
  NetworkDesc m = tinyDense(FixedType::fixed(8, 3));
  m.layers[0].name = "bad name";
  EXPECT_THROW(NetworkSim{m}, std::invalid_argument);
}

// A depthwise convolution convolves each channel with its own kernel (weights kh x kw x channels),
// casting every product to accum_t and adding it to accum_t(bias) in kernel order (hls4ml's
// depthwise_product), so a saturating accumulator clips where the order says.
TEST(NetworkSim, DepthwiseConvHandWorked) {
  NetworkDesc n = testnets::network("dw", FixedType::fixed(8, 3), 1, 3, 2);
  LayerDesc d = testnets::layer("dw", LayerKind::DepthwiseConv1D, FixedType::fixed(8, 3));
  d.kernelW = 2;
  d.padLeft = 1;  // output 0 sees (pad, x0), output 1 (x0, x1), output 2 (x1, x2)
  d.weights = {1.0f, -1.0f, 2.0f, 0.5f};  // [kw][channel]
  d.biases = {0.25f, -0.5f};
  d.accumType = FixedType::fixed(6, 3, QuantMode::TRN, OverflowMode::SAT);  // [-4, 3.875]
  n.layers.push_back(d);
  const NetworkSim sim(n);
  EXPECT_EQ(sim.desc().layers[0].nFilters, 2);
  EXPECT_EQ(sim.desc().layers[0].outWidth, 3);
  // x (pixel-major, channels last): (1, 2), (-1, 3), (1.5, -2)
  const float x[6] = {1.0f, 2.0f, -1.0f, 3.0f, 1.5f, -2.0f};
  double y[6];
  sim.run(x, 1, y);
  // ch0: w = (1, 2); ch1: w = (-1, 0.5)
  EXPECT_EQ(y[0], 0.25 + 2 * 1.0);          // pad, then 1 * 2
  EXPECT_EQ(y[1], -0.5 + 0.5 * 2.0);        // pad, then 2 * 0.5
  EXPECT_EQ(y[2], 0.25 + 1 * 1.0 - 2.0);    // 1 * 1 + (-1) * 2
  EXPECT_EQ(y[3], -0.5 - 2.0 + 1.5);        // 2 * -1 + 3 * 0.5
  EXPECT_EQ(y[4], 0.25 - 1.0 + 3.0);        // -1 * 1 + 1.5 * 2
  // ch1 at output 2: -0.5 + 3 * -1 = -3.5, then + (-2) * 0.5 = -4.5 clips to -4.
  EXPECT_EQ(y[5], -4.0);
}

TEST(NetworkSim, DepthwiseConvRejectsBadDescriptions) {
  auto net = [](LayerDesc d) {
    NetworkDesc n;
    n.inputWidth = 4;
    n.inputChannels = 3;
    n.layers.push_back(d);
    return n;
  };
  LayerDesc d = testnets::layer("dw", LayerKind::DepthwiseConv1D, FixedType::fixed(8, 3));
  d.kernelW = 2;
  d.weights.assign(6, 0.5f);
  d.biases.assign(3, 0.0f);
  EXPECT_NO_THROW(net(d).resolve());
  auto message = [&](LayerDesc bad) {
    try {
      net(bad).resolve();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  LayerDesc w = d;
  w.weights.pop_back();
  EXPECT_NE(message(w).find("expected 6 weights, got 5"), std::string::npos) << message(w);
  LayerDesc b = d;
  b.biases.pop_back();
  EXPECT_NE(message(b).find("one bias per channel"), std::string::npos) << message(b);
  LayerDesc m = d;
  m.nFilters = 6;  // depth multiplier 2
  EXPECT_NE(message(m).find("depth multiplier of 1"), std::string::npos) << message(m);
  LayerDesc r = d;
  r.strategy = Strategy::Resource;
  EXPECT_NE(message(r).find("no Resource strategy"), std::string::npos) << message(r);
  // mmlc emits depthwise layers with its own depthwise_conv_2d_cl (ONNX/Keras separable convolutions).
  NetworkDesc n = net(d);
  HlsProjectEmitter e(n);
  EXPECT_NE(e.parametersHeader().find("nnet::conv2d_config"), std::string::npos);
}

TEST(NetworkDesc, FixtureConfigErrorsNameFileAndLine) {
  const auto dir = std::filesystem::temp_directory_path() / "mmlc_hls_badcfg";
  std::filesystem::create_directories(dir / "weights");
  std::ofstream(dir / "hls4ml_config.yml") << "Part: x\nHLSConfig:\n  Model:\n    Precision: fixed<16,6>\n    oops\n";
  std::ofstream(dir / "weights" / "w2.txt") << "0.5, 0.25\n";
  std::ofstream(dir / "weights" / "b2.txt") << "0.1\n";
  try {
    loadHls4mlFixture(dir.string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("hls4ml_config.yml:5"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "hls4ml_config.yml") << "Part: x\n";
  std::ofstream(dir / "weights" / "w2.txt") << "0.5, zz\n";
  try {
    loadHls4mlFixture(dir.string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("w2.txt:1"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(NetworkDesc, FixtureLayerOverrides) {
  const auto dir = std::filesystem::temp_directory_path() / ("mmlc_hls_overrides_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "weights");
  std::ofstream(dir / "hls4ml_config.yml") << "# comment line\n"
                                              "ProjectName: jetnet\nPart: xcvu9p-flga2104-2L-e\nClockPeriod: 3.3\n"
                                              "HLSConfig:\n  Model:\n    Precision: fixed<12,4>\n    ReuseFactor: 2\n"
                                              "    Strategy: Latency\n  LayerName:\n    layer2:\n      Precision:\n"
                                              "        weight: fixed<8,3,RND,SAT>\n        accum: fixed<20,8>\n"
                                              "      ReuseFactor: 4\n      Strategy: Resource\n"
                                              "    layer4:\n      Precision: ufixed<10,4>\n";
  std::ofstream(dir / "weights" / "w2.txt") << "0.5, 0.25, -0.125, 1.0, 0.0, 2.0\n";
  std::ofstream(dir / "weights" / "b2.txt") << "0.1, 0.2\n";
  std::ofstream(dir / "weights" / "w5.txt") << "1.0, -1.0\n";
  std::ofstream(dir / "weights" / "b5.txt") << "0.0\n";
  const NetworkDesc n = loadHls4mlFixture(dir.string(), LayerKind::ReLU, LayerKind::Sigmoid);
  EXPECT_EQ(n.name, "jetnet");
  EXPECT_EQ(n.part, "xcvu9p-flga2104-2L-e");
  EXPECT_DOUBLE_EQ(n.clockPeriodNs, 3.3);
  EXPECT_EQ(n.inputSize(), 3);
  ASSERT_EQ(n.layers.size(), 4u);
  const LayerDesc& d = n.layers[0];
  EXPECT_EQ(d.weightType, FixedType::fixed(8, 3, QuantMode::RND, OverflowMode::SAT));
  EXPECT_EQ(d.accumType, FixedType::fixed(20, 8));
  EXPECT_EQ(d.biasType, FixedType::fixed(12, 4));
  EXPECT_EQ(d.reuseFactor, 4);
  EXPECT_EQ(d.strategy, Strategy::Resource);
  EXPECT_EQ(n.layers[1].resultType, FixedType::ufixed(10, 4));
  EXPECT_EQ(n.layers[2].reuseFactor, 2);
  EXPECT_EQ(n.layers[3].kind, LayerKind::Sigmoid);
  NetworkSim sim(n);  // resolves and builds tables without complaint
  const float x[3] = {1.0f, 0.5f, -0.5f};
  double y = 0;
  sim.run(x, 1, &y);
  EXPECT_GT(y, 0.0);
  EXPECT_LT(y, 1.0);
  std::filesystem::remove_all(dir);
}

TEST(NetworkSim, ParallelRunMatchesSerialAndAccuracy) {
  const NetworkSim sim(testnets::convNet(4));
  const NetworkDesc& net = sim.desc();  // resolved: output sizes are known
  std::mt19937 rng(21);
  const size_t n = 301;
  const auto x = testnets::randomValues(n * net.inputSize(), rng, 3.0f);
  std::vector<double> a(n * net.outputSize()), b(a.size());
  sim.run(x.data(), n, a.data());
  sim.runParallel(x.data(), n, b.data(), 3);
  EXPECT_EQ(a, b);
  std::vector<int> labels(n);
  size_t expectCorrect = 0;
  for (size_t s = 0; s < n; ++s) {
    const double* row = &a[s * net.outputSize()];
    labels[s] = static_cast<int>(s % 5);
    expectCorrect += std::max_element(row, row + net.outputSize()) - row == labels[s];
  }
  EXPECT_DOUBLE_EQ(sim.accuracy(x.data(), labels.data(), n, 2), static_cast<double>(expectCorrect) / n);
}
