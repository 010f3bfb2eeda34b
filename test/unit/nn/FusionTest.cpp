// Layer fusion in Network (BatchNormalization + ReLU): bit-identical training, inference and
// gradients with fusion on and off, in chains and graphs; fusion only where the BN output has the
// ReLU as its one reader.
#include <gtest/gtest.h>

#include <cstring>

#include "nn/Trainer.h"
#include "RandomMatrix.h"

using namespace mmlc::nn;
using mmlc::nn::testing::randomMatrix;

namespace {

Matrix oneHot(long rows, int classes, uint64_t seed) {
  Random rng(seed);
  Matrix y = Matrix::Zero(rows, classes);
  for (long r = 0; r < rows; ++r) y(r, static_cast<long>(rng.below(classes))) = 1;
  return y;
}

// Same bits (not just ==: also -0 vs +0 and NaN payloads).
bool sameBits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.size())) == 0;
}

// conv(same) -> BN -> ReLU, twice, max pool, dense. 5x5 maps (25 values per channel) exercise the
// kernels' partial last lane block.
Network chainNet() {
  Network net(Shape{2, 5, 5}, 7);
  net.add(layers::same(layers::conv2d(4, 3))).add(layers::batchNorm(1e-3f, 0.9f)).add(layers::relu());
  net.add(layers::same(layers::conv2d(4, 3))).add(layers::batchNorm(1e-3f, 0.9f)).add(layers::relu());
  net.add(layers::same(layers::maxPool(2))).add(layers::flatten()).add(layers::dense(3));
  return net;
}

// A residual block: stem conv-BN-ReLU, two conv-BN-ReLU blocks added to the stem's output.
Network graphNet() {
  Network net(Shape{2, 6, 6}, 11);
  auto block = [&] {
    net.add(layers::same(layers::conv2d(4, 3))).add(layers::batchNorm(1e-3f, 0.9f)).add(layers::relu());
    return net.layer(net.size() - 1).spec().name;
  };
  const std::string stem = block();
  block();
  const std::string out = block();
  net.add(layers::add({stem, out})).add(layers::flatten()).add(layers::dense(3));
  return net;
}

int fusedCount(const Network& net) {
  int n = 0;
  for (size_t i = 0; i < net.size(); ++i) n += net.fusedRelu(i) >= 0;
  return n;
}

void expectTrainingIdentical(Network fused, Network plain, int expectedFusions) {
  plain.setLayerFusion(false);
  const Matrix x = randomMatrix(40, fused.inputShape().size(), 3), y = oneHot(40, 3, 4);
  TrainConfig c;
  c.batchSize = 8;
  c.epochs = 3;
  c.seed = 9;
  Trainer(c).fit(fused, x, y);
  Trainer(c).fit(plain, x, y);
  EXPECT_EQ(fusedCount(fused), expectedFusions);
  EXPECT_EQ(fusedCount(plain), 0);
  auto pf = fused.parameters(), pp = plain.parameters();
  ASSERT_EQ(pf.size(), pp.size());
  for (size_t i = 0; i < pf.size(); ++i) EXPECT_TRUE(sameBits(pf[i]->value, pp[i]->value)) << pf[i]->name;
  EXPECT_TRUE(sameBits(fused.predict(x), plain.predict(x)));
  // Inference statistics: forward(training=false) and a backward through it, as a saliency or
  // input-gradient computation does.
  const Matrix d = randomMatrix(40, 3, 5);
  for (Network* n : {&fused, &plain}) {
    n->zeroGradients();
    n->forward(x, false);
    n->backward(d);
  }
  pf = fused.parameters();
  pp = plain.parameters();
  for (size_t i = 0; i < pf.size(); ++i) EXPECT_TRUE(sameBits(pf[i]->grad, pp[i]->grad)) << pf[i]->name;
}

}  // namespace

TEST(Fusion, BatchNormReluChainTrainsBitIdentically) { expectTrainingIdentical(chainNet(), chainNet(), 2); }

TEST(Fusion, BatchNormReluGraphWithAddTrainsBitIdentically) { expectTrainingIdentical(graphNet(), graphNet(), 3); }

TEST(Fusion, TrainingChangesTheWeights) {
  Network net = graphNet(), start = graphNet();
  const Matrix x = randomMatrix(40, net.inputShape().size(), 3), y = oneHot(40, 3, 4);
  TrainConfig c;
  c.batchSize = 8;
  c.epochs = 1;
  Trainer(c).fit(net, x, y);
  EXPECT_FALSE(sameBits(net.parameters()[0]->value, start.parameters()[0]->value));
}

TEST(Fusion, NotAppliedWhenTheBatchNormOutputHasAnotherReader) {
  // bn's output feeds the ReLU and the Add: the ReLU cannot be applied inside bn.
  Network net(Shape{2, 4, 4}, 3);
  net.add(layers::same(layers::conv2d(2, 3)));
  LayerSpec bn = layers::batchNorm();
  bn.name = "bn";
  net.add(bn).add(layers::relu());
  const std::string r = net.layer(net.size() - 1).spec().name;
  net.add(layers::add({"bn", r})).add(layers::flatten()).add(layers::dense(3));
  // A BN followed by another activation is not fused either, nor is a ReLU after a layer that
  // cannot apply it.
  Network leaky(Shape{2, 4, 4}, 3);
  leaky.add(layers::batchNorm()).add(layers::leakyRelu(0.1f)).add(layers::conv2d(2, 3)).add(layers::relu());
  leaky.add(layers::flatten()).add(layers::dense(2));
  const Matrix x = randomMatrix(6, 32, 1);
  net.forward(x, true);
  leaky.forward(x, true);
  EXPECT_EQ(fusedCount(net), 0);
  EXPECT_EQ(fusedCount(leaky), 0);
  // And the ReLU layer still runs: the Add sees bn's output plus its rectified copy, and
  // training is unchanged by the (inactive) fusion setting.
  expectTrainingIdentical(net.clone(), net.clone(), 0);
}

TEST(Fusion, SwitchingFusionOffReplansBeforeTheNextForward) {
  Network net = chainNet();
  const Matrix x = randomMatrix(4, net.inputShape().size(), 2);
  const Matrix fused = net.forward(x, false);
  EXPECT_EQ(fusedCount(net), 2);
  net.setLayerFusion(false);
  const Matrix plain = net.forward(x, false);
  EXPECT_EQ(fusedCount(net), 0);
  EXPECT_TRUE(sameBits(fused, plain));
}
