// Unit tests of nn::Network → hls::NetworkDesc: the bit-exact simulator at a wide precision must
// reproduce the engine's float outputs for MLPs, batch-norm and channels-first CNNs.
#include "tasks/HlsConversion.h"

#include <gtest/gtest.h>

#include <random>

#include "hls/NetworkSim.h"
#include "nn/Network.h"

namespace mmlc::tasks {
namespace {

using nn::Matrix;
namespace L = nn::layers;

nn::LayerSpec named(nn::LayerSpec spec, const std::string &name) {
  spec.name = name;
  return spec;
}

Matrix randomInputs(long n, long features, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Matrix x(n, features);
  for (long i = 0; i < x.size(); ++i)
    x.data()[i] = u(rng);
  return x;
}

/// Largest |engine - simulator| over `n` random samples; the default fixed<30,12> is wide
/// enough to be near-exact (and products still fit 64 bits).
double maxDifference(nn::Network &net, hls::FixedType precision = hls::FixedType::fixed(30, 12),
                     long n = 64) {
  HlsConversionOptions options;
  options.precision = precision;
  hls::NetworkDesc desc = toHlsNetwork(net, options);
  hls::NetworkSim sim(desc);
  Matrix x = randomInputs(n, net.inputShape().size(), 3);
  Matrix expected = net.predict(x);
  std::vector<float> hlsInputs = toHlsInputOrder(net, x.data(), static_cast<size_t>(n));
  std::vector<double> got(static_cast<size_t>(n * expected.cols()));
  sim.run(hlsInputs.data(), static_cast<size_t>(n), got.data());
  double worst = 0;
  for (long i = 0; i < expected.size(); ++i)
    worst = std::max(worst, std::abs(expected.data()[i] - got[static_cast<size_t>(i)]));
  return worst;
}

TEST(HlsConversion, MlpMatchesTheEngine) {
  nn::Network net(nn::Shape{16}, 1);
  net.add(L::dense(32)).add(L::relu()).add(L::dense(8)).add(L::relu()).add(L::dense(5));
  EXPECT_LT(maxDifference(net), 1e-3);
  hls::NetworkDesc desc = toHlsNetwork(net, {});
  ASSERT_EQ(desc.layers.size(), 5u);
  EXPECT_EQ(desc.layers[0].kind, hls::LayerKind::Dense);
  EXPECT_EQ(desc.layers[0].nIn, 16);
  EXPECT_EQ(desc.layers[0].nOut, 32);
  EXPECT_EQ(desc.outputSize(), 5);
}

// Sigmoid, tanh and softmax are hls4ml-style lookup tables (1024 entries) indexed by the bits
// of their input type: close to the engine at the usual fixed<16,6>, not exact.
TEST(HlsConversion, TableActivationsApproximateTheEngine) {
  nn::Network net(nn::Shape{16}, 1);
  net.add(L::dense(8)).add(L::tanh()).add(L::dense(8)).add(L::sigmoid()).add(L::dense(5)).add(L::softmax());
  EXPECT_LT(maxDifference(net, hls::FixedType::fixed(16, 6)), 0.05);
}

TEST(HlsConversion, OptionsReachEveryLayer) {
  nn::Network net(nn::Shape{4}, 2);
  net.add(L::dense(3)).add(L::relu()).add(L::dense(2)).add(L::softmax());
  HlsConversionOptions o;
  o.precision = hls::FixedType::fixed(10, 4);
  o.reuseFactor = 2;
  o.strategy = hls::Strategy::Resource;
  o.top = "jet";
  o.part = "xc7z020clg400-1";
  o.clockPeriodNs = 10;
  hls::NetworkDesc desc = toHlsNetwork(net, o);
  EXPECT_EQ(desc.name, "jet");
  EXPECT_EQ(desc.part, "xc7z020clg400-1");
  EXPECT_DOUBLE_EQ(desc.clockPeriodNs, 10);
  for (const hls::LayerDesc &l : desc.layers) {
    EXPECT_EQ(l.reuseFactor, 2);
    EXPECT_EQ(l.strategy, hls::Strategy::Resource);
    EXPECT_EQ(l.weightType.width, 10);
  }
}

TEST(HlsConversion, BatchNormBecomesScaleAndShift) {
  nn::Network net(nn::Shape{6}, 4);
  net.add(L::dense(5)).add(L::batchNorm()).add(L::relu()).add(L::dense(3));
  // Non-trivial running statistics.
  for (nn::Parameter *p : net.parameters())
    if (p->name.find("mean") != std::string::npos)
      p->value.setConstant(0.3f);
    else if (p->name.find("variance") != std::string::npos)
      p->value.setConstant(2.0f);
  EXPECT_LT(maxDifference(net), 1e-3);
}

TEST(HlsConversion, ChannelsFirstCnnMatchesAfterReordering) {
  nn::Network net(nn::Shape{2, 6, 6}, 5);
  net.add(L::conv2d(3, 3)).add(L::relu()).add(L::maxPool(2)).add(L::flatten()).add(L::dense(4));
  EXPECT_LT(maxDifference(net), 1e-3);
}

TEST(HlsConversion, Conv1dAndAveragePool) {
  nn::Network net(nn::Shape{3, 12}, 6);
  net.add(L::conv1d(4, 3)).add(L::relu()).add(L::averagePool1d(2)).add(L::flatten()).add(L::dense(2));
  EXPECT_LT(maxDifference(net), 1e-3);
}

TEST(HlsConversion, DropoutIsIdentityAtInference) {
  nn::Network net(nn::Shape{8}, 7);
  net.add(L::dense(8)).add(L::dropout(0.5f)).add(L::relu()).add(L::dense(2));
  EXPECT_EQ(toHlsNetwork(net, {}).layers.size(), 3u);
  EXPECT_LT(maxDifference(net), 1e-3);
}

/// Sets every slope of the PReLU layer at `index` to a different value (the engine starts at 0.25).
void randomSlopes(nn::Network &net, size_t index, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 0.5f);
  nn::Matrix &a = net.layer(index).parameters().at(0)->value;
  for (long i = 0; i < a.size(); ++i)
    a.data()[i] = u(rng);
}

// PReLU's per-element slopes move to the HLS order with their elements: channels last on a
// feature map, the Dense layer's row order after a Flatten; nearest Upsample repeats the same
// way on both sides.
TEST(HlsConversion, PReLUAndUpsampleMatchTheEngine) {
  nn::LayerSpec prelu;
  prelu.kind = "PReLU";
  nn::Network net(nn::Shape{2, 4, 5}, 4);
  net.add(L::conv2d(3, 3, 1, 1)).add(prelu).add(L::upsample(2, 3)).add(L::flatten()).add(L::dense(3));
  randomSlopes(net, 1, 5);
  EXPECT_LT(maxDifference(net), 1e-3);
  const hls::NetworkDesc desc = toHlsNetwork(net, {});
  ASSERT_EQ(desc.layers.size(), 5u);
  EXPECT_EQ(desc.layers[1].kind, hls::LayerKind::PReLU);
  EXPECT_EQ(desc.layers[1].weights.size(), 3u * 4 * 5);
  EXPECT_EQ(desc.layers[2].kind, hls::LayerKind::Upsample);
  EXPECT_EQ(desc.layers[2].outHeight, 8);
  EXPECT_EQ(desc.layers[2].outWidth, 15);
  // On a flattened map the slopes follow the rows the Dense layer reads.
  nn::Network flat(nn::Shape{3, 4, 4}, 6);
  flat.add(L::conv2d(2, 3)).add(L::flatten()).add(prelu).add(L::dense(4));
  randomSlopes(flat, 2, 7);
  EXPECT_LT(maxDifference(flat), 1e-3);
  // A (C, L) map upsamples along its length only.
  nn::Network oneD(nn::Shape{2, 6}, 8);
  oneD.add(L::conv1d(3, 3)).add(L::upsample(1, 2)).add(prelu).add(L::flatten()).add(L::dense(2));
  randomSlopes(oneD, 2, 9);
  EXPECT_LT(maxDifference(oneD), 1e-3);
}

TEST(HlsConversion, UnsupportedLayersAreNamed) {
  nn::Network net(nn::Shape{2, 4, 4}, 8);
  net.add(L::conv2d(2, 3)).add(named(L::reshape({2, 4}), "to2d")).add(L::flatten()).add(L::dense(2));
  try {
    toHlsNetwork(net, {});
    FAIL() << "a Reshape to rank 2 must be rejected";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("layer 'to2d' reshapes to rank 2; only flattening is supported"), std::string::npos)
        << e.what();
  }
  nn::Network grouped(nn::Shape{4, 5, 5}, 9);  // 2 groups of 2 channels: neither plain nor depthwise
  grouped.add(L::grouped(L::conv2d(4, 3), 2)).add(L::flatten()).add(L::dense(2));
  EXPECT_THROW(toHlsNetwork(grouped, {}), std::invalid_argument);
  nn::Network three(nn::Shape{4}, 8);
  three.add(named(L::dense(4), "a")).add(named(L::dense(4), "b"));
  three.add(named(L::from(L::dense(4), {"a"}), "c")).add(L::add({"a", "b", "c"}));
  try {
    toHlsNetwork(three, {});
    FAIL() << "a three-input Add must be rejected";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("merges 3 inputs; hls4ml's merge layers take two"), std::string::npos)
        << e.what();
  }
}

TEST(HlsConversion, SeparableConvolutionIsDepthwisePlusPointwise) {
  nn::Network net(nn::Shape{3, 6, 6}, 5);
  net.add(L::grouped(L::same(L::conv2d(3, 3)), 3)).add(L::conv2d(4, 1)).add(L::relu()).add(L::flatten()).add(L::dense(2));
  hls::NetworkDesc d = toHlsNetwork(net, {});
  EXPECT_EQ(d.layers[0].kind, hls::LayerKind::DepthwiseConv2D);
  EXPECT_EQ(d.layers[1].kind, hls::LayerKind::Conv2D);
  EXPECT_LT(maxDifference(net), 1e-3);
  nn::Network net1d(nn::Shape{2, 9}, 5);
  net1d.add(L::grouped(L::conv1d(2, 3, 2), 2)).add(L::flatten()).add(L::dense(2));
  EXPECT_EQ(toHlsNetwork(net1d, {}).layers[0].kind, hls::LayerKind::DepthwiseConv1D);
  EXPECT_LT(maxDifference(net1d), 1e-3);
}

TEST(HlsConversion, PaddedConvolutionsAndExportActivations) {
  // Symmetric and "same" (odd zero last) padding reach the HLS templates' pad fields.
  nn::Network padded(nn::Shape{1, 6, 6}, 9);
  padded.add(L::conv2d(2, 3, 1, 1)).add(L::same(L::conv2d(3, 2, 2))).add(L::flatten()).add(L::dense(2));
  hls::NetworkDesc d = toHlsNetwork(padded, {});
  EXPECT_EQ(d.layers[0].padTop, 1);
  EXPECT_EQ(d.layers[0].padBottom, 1);
  EXPECT_EQ(d.layers[1].padTop, 0);
  EXPECT_EQ(d.layers[1].padBottom, 0);  // 6 / 2 = 3 outputs of a 2-kernel need no zero
  EXPECT_LT(maxDifference(padded), 1e-3);
  nn::Network odd(nn::Shape{1, 5, 5}, 9);
  odd.add(L::same(L::conv2d(2, 2, 2))).add(L::flatten()).add(L::dense(2));
  hls::NetworkDesc o = toHlsNetwork(odd, {});
  EXPECT_EQ(o.layers[0].padTop, 0);
  EXPECT_EQ(o.layers[0].padBottom, 1);
  EXPECT_LT(maxDifference(odd), 1e-3);
  for (const char *kind : {"ELU", "SELU", "Softplus", "Softsign", "HardSigmoid", "Clip", "LeakyReLU"}) {
    nn::Network net(nn::Shape{6}, 3);
    nn::LayerSpec act;
    act.kind = kind;
    act.alpha = std::string(kind) == "SELU" ? 1.6732632f : std::string(kind) == "Clip" ? -0.5f : 0.2f;
    act.beta = std::string(kind) == "SELU" ? 1.0507010f : std::string(kind) == "Clip" ? 0.75f : 0.5f;
    net.add(L::dense(5)).add(act).add(L::dense(2));
    EXPECT_LT(maxDifference(net), 8e-2) << kind;  // lookup tables of 1024 entries over [-8, 8) (bit-exactness: TemplateConformance)
  }
  // The descriptors say where alpha and beta go; a SELU with other constants than those hls4ml's
  // selu has built in is refused, naming the layer.
  nn::Network bounds(nn::Shape{6}, 3);
  nn::LayerSpec clip;
  clip.kind = "Clip";
  clip.alpha = -0.5f;
  clip.beta = 0.75f;
  bounds.add(L::dense(5)).add(clip).add(L::dense(2));
  const hls::NetworkDesc c = toHlsNetwork(bounds, {});
  EXPECT_EQ(c.layers[1].clipMin, -0.5);
  EXPECT_EQ(c.layers[1].clipMax, 0.75);
  nn::Network selu(nn::Shape{6}, 3);
  nn::LayerSpec s;
  s.kind = "SELU";
  s.alpha = 1.5f;
  s.beta = 1.0507010f;
  selu.add(L::dense(5)).add(named(s, "selu1")).add(L::dense(2));
  try {
    toHlsNetwork(selu, {});
    FAIL() << "a SELU with alpha 1.5 was converted";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("layer 'selu1' is a SELU with alpha 1.5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("hls4ml's selu has the constants (1.673263, 1.050701) built in"), std::string::npos) << e.what();
  }
}

// A residual block with "same" padding (7x7: the max-pool pads one row and column, ignored) and a
// concatenation of two branches read from the input: the graph, the padding and the merges
// reproduce the engine.
TEST(HlsConversion, GraphWithSamePaddingMatchesTheEngine) {
  nn::Network net(nn::Shape{2, 7, 7}, 11);
  net.add(named(L::same(L::conv2d(4, 3)), "stem")).add(named(L::relu(), "r1"));
  net.add(L::same(L::conv2d(4, 3))).add(L::relu()).add(named(L::add({"r1", "ReLU_3"}), "sum"));
  net.add(L::same(L::maxPool(2))).add(L::same(L::averagePool(2))).add(L::flatten()).add(L::dense(3));
  ASSERT_FALSE(net.isChain());
  const hls::NetworkDesc d = toHlsNetwork(net, {});
  EXPECT_EQ(d.layers[4].kind, hls::LayerKind::Add);
  EXPECT_EQ(d.layers[4].inputs, (std::vector<std::string>{"r1", "ReLU_3"}));
  EXPECT_EQ(d.layers[5].padBottom, 1);  // 7 -> 4
  EXPECT_LT(maxDifference(net), 1e-3);

  nn::Network cat(nn::Shape{3, 6}, 12);
  cat.add(named(L::conv1d(2, 3), "left"));
  cat.add(named(L::from(L::same(L::conv1d(3, 3)), {"input"}), "right"));
  cat.add(L::from(L::same(L::conv1d(3, 3)), {"input"}));  // "same": width 6, like `right`
  cat.add(L::concatenate({"right", "Conv1D_2"})).add(L::relu()).add(L::flatten()).add(L::dense(2));
  cat.add(named(L::from(L::flatten(), {"left"}), "lflat")).add(named(L::dense(2), "ldense"));
  cat.add(L::add({"Dense_6", "ldense"}));
  EXPECT_LT(maxDifference(cat), 1e-3);
}

} // namespace
} // namespace mmlc::tasks
