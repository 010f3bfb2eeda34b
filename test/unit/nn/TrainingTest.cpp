// Training behaviour: convergence on a Fashion-MNIST subset, determinism, early stopping, schedules, regularisation, metrics.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>

#include "nn/Error.h"
#include "nn/IdxReader.h"
#include "nn/Metrics.h"
#include "nn/Trainer.h"

using namespace mmlc::nn;

namespace {

const std::string kFmnist = MMLC_FASHION_MNIST_DIR;

struct Subset {
  Dataset train, test;
};
// Loaded once: 2000 training and 1000 test images keep every test to a second or two.
const Subset& fashionSubset() {
  static const Subset s = [] {
    Subset r;
    r.train = loadIdxDataset(kFmnist + "/train-images-idx3-ubyte.gz", kFmnist + "/train-labels-idx1-ubyte.gz", 2000);
    r.test = loadIdxDataset(kFmnist + "/t10k-images-idx3-ubyte.gz", kFmnist + "/t10k-labels-idx1-ubyte.gz", 1000);
    r.train.numClasses = r.test.numClasses = 10;
    return r;
  }();
  return s;
}

Network mlp(uint64_t seed, bool withDropout = false) {
  Network net(Shape{784}, seed);
  net.add(layers::dense(64)).add(layers::relu());
  if (withDropout) net.add(layers::dropout(0.2f));
  net.add(layers::dense(10));
  return net;
}

// Tiny two-blob problem for fast optimiser checks.
void blobs(long n, Matrix& x, Matrix& y, uint64_t seed) {
  Random rng(seed);
  x.resize(n, 2);
  y = Matrix::Zero(n, 2);
  for (long i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 2);
    x(i, 0) = static_cast<float>(rng.normal() * 0.5 + (c ? 1.5 : -1.5));
    x(i, 1) = static_cast<float>(rng.normal() * 0.5 + (c ? -1.0 : 1.0));
    y(i, c) = 1.0f;
  }
}

}  // namespace

TEST(Training, FashionMnistMlpConvergesOnSubset) {
  const auto& d = fashionSubset();
  Network net = mlp(1);
  TrainConfig c;
  c.epochs = 6;
  c.batchSize = 32;
  c.learningRate.initial = 2e-3f;
  TrainHistory h = Trainer(c).fit(net, d.train.x, d.train.targetMatrix());
  EXPECT_LT(h.trainLoss.back(), h.trainLoss.front());
  const double acc = accuracy(net.predict(d.test.x), d.test.targetMatrix());
  EXPECT_GT(acc, 0.75) << "test accuracy after 6 epochs on 2000 samples";
}

TEST(Training, FashionMnistCnnLearns) {
  const auto& d = fashionSubset();
  Network net(Shape{1, 28, 28}, 2);
  net.add(layers::conv2d(8, 3)).add(layers::relu()).add(layers::maxPool(2)).add(layers::flatten()).add(layers::dense(10));
  TrainConfig c;
  c.epochs = 2;
  c.batchSize = 32;
  c.learningRate.initial = 2e-3f;
  Trainer(c).fit(net, d.train.x, d.train.targetMatrix());
  EXPECT_GT(accuracy(net.predict(d.test.x), d.test.targetMatrix()), 0.65);
}

// One epoch at `batch` on `threads` threads, everything else the defaults.
static TrainConfig oneEpoch(long batch, int threads) {
  TrainConfig c;
  c.epochs = 1;
  c.batchSize = batch;
  c.threads = threads;
  return c;
}

static std::vector<Matrix> parameterValues(Network& net) {
  std::vector<Matrix> w;
  for (Parameter* p : net.parameters()) w.push_back(p->value);
  return w;
}

TEST(Training, SameSeedGivesBitIdenticalWeights) {
  const auto& d = fashionSubset();
  auto run = [&](uint64_t seed, int threads) {
    Network net(Shape{1, 28, 28}, seed);
    net.add(layers::conv2d(4, 3)).add(layers::relu()).add(layers::maxPool(2)).add(layers::flatten())
        .add(layers::batchNorm()).add(layers::dense(32)).add(layers::relu()).add(layers::dropout(0.3f)).add(layers::dense(10));
    TrainConfig c = oneEpoch(64, threads);
    c.seed = seed;
    c.validationSplit = 0.2;
    Trainer(c).fit(net, d.train.x.topRows(600), d.train.targetMatrix().topRows(600));
    return parameterValues(net);
  };
  // Work is split into chunks that do not depend on the thread count, so even 1 vs 2 threads agree.
  const auto a = run(5, 2), b = run(5, 2), one = run(5, 1), c = run(6, 2);
  ASSERT_EQ(a.size(), b.size());
  bool anyDiffers = false;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    EXPECT_EQ(0, std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float))) << "parameter " << i;
    EXPECT_EQ(0, std::memcmp(a[i].data(), one[i].data(), a[i].size() * sizeof(float))) << "1 thread, parameter " << i;
    anyDiffers = anyDiffers || a[i] != c[i];
  }
  EXPECT_TRUE(anyDiffers) << "a different seed should give different weights";
}

TEST(Training, WideMlpIsBitIdenticalAcrossThreadCounts) {
  // Large enough that Dense forward/backward and the activations are split into several chunks.
  const auto& d = fashionSubset();
  auto run = [&](int threads) {
    Network net(Shape{784}, 9);
    net.add(layers::dense(256)).add(layers::sigmoid()).add(layers::dense(10));
    TrainConfig c;
    c.epochs = 1;
    c.batchSize = 256;
    c.threads = threads;
    Trainer(c).fit(net, d.train.x.topRows(768), d.train.targetMatrix().topRows(768));
    return net.parameter("Dense_0.weight").value;
  };
  const Matrix one = run(1), two = run(2);
  EXPECT_EQ(0, std::memcmp(one.data(), two.data(), one.size() * sizeof(float)));
}

TEST(Training, ResidualCnnIsBitIdenticalAcrossThreadCounts) {
  // Batch-norm over feature maps (split by channel), a residual Add, and convolutions whose
  // batches are split into several im2col groups: none of it may depend on the thread count.
  const auto& d = fashionSubset();
  auto run = [&](int threads) {
    Network net(Shape{1, 28, 28}, 12);
    net.add(layers::same(layers::conv2d(8, 3))).add(layers::batchNorm()).add(layers::relu());
    net.add(layers::same(layers::maxPool(2)));
    const std::string in = net.layer(net.size() - 1).spec().name;
    net.add(layers::same(layers::conv2d(8, 3))).add(layers::batchNorm()).add(layers::relu());
    const std::string out = net.layer(net.size() - 1).spec().name;
    net.add(layers::add({in, out})).add(layers::flatten()).add(layers::dense(10));
    Trainer(oneEpoch(64, threads)).fit(net, d.train.x.topRows(256), d.train.targetMatrix().topRows(256));
    return parameterValues(net);
  };
  const auto one = run(1), two = run(2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t i = 0; i < one.size(); ++i)
    EXPECT_EQ(0, std::memcmp(one[i].data(), two[i].data(), one[i].size() * sizeof(float))) << "parameter " << i;
}

TEST(Training, EarlyStoppingRestoresBestWeights) {
  Matrix x, y, xv, yv;
  blobs(64, x, y, 1);
  blobs(64, xv, yv, 2);
  // Random validation labels: validation loss rises quickly, so training must stop early.
  Random rng(3);
  for (long i = 0; i < yv.rows(); ++i) yv.row(i) = (rng.uniform() < 0.5) ? Vector::Unit(2, 0) : Vector::Unit(2, 1);
  Network net(Shape{2}, 4);
  net.add(layers::dense(16)).add(layers::relu()).add(layers::dense(2));
  TrainConfig c;
  c.epochs = 200;
  c.batchSize = 8;
  c.learningRate.initial = 0.05f;
  c.earlyStoppingPatience = 3;
  TrainHistory h = Trainer(c).fit(net, x, y, &xv, &yv);
  EXPECT_TRUE(h.stoppedEarly);
  EXPECT_EQ(static_cast<int>(h.valLoss.size()), h.bestEpoch + 1 + c.earlyStoppingPatience);
  const float best = *std::min_element(h.valLoss.begin(), h.valLoss.end());
  EXPECT_FLOAT_EQ(Trainer::evaluate(net, xv, yv, c.loss).first, best);
}

TEST(Training, LearningRateSchedules) {
  LearningRateSchedule s;
  s.initial = 0.1f;
  EXPECT_FLOAT_EQ(s.at(7), 0.1f);
  s.kind = "step";
  s.stepEpochs = 3;
  s.gamma = 0.5f;
  EXPECT_FLOAT_EQ(s.at(2), 0.1f);
  EXPECT_FLOAT_EQ(s.at(3), 0.05f);
  EXPECT_FLOAT_EQ(s.at(7), 0.025f);
  s.kind = "exponential";
  s.gamma = 0.9f;
  EXPECT_NEAR(s.at(2), 0.081f, 1e-7);
  s.kind = "cosine";
  s.totalEpochs = 10;
  s.minimum = 0.0f;
  EXPECT_FLOAT_EQ(s.at(0), 0.1f);
  EXPECT_NEAR(s.at(5), 0.05f, 1e-7);
  EXPECT_NEAR(s.at(10), 0.0f, 1e-7);
  s.kind = "bogus";
  EXPECT_THROW(s.at(0), Error);
}

TEST(Training, L1AndL2ShrinkWeights) {
  Matrix x, y;
  blobs(128, x, y, 5);
  auto weightNorm = [&](float l1, float l2) {
    Network net(Shape{2}, 6);
    net.add(layers::dense(16)).add(layers::relu()).add(layers::dense(2));
    TrainConfig c;
    c.epochs = 30;
    c.batchSize = 16;
    c.learningRate.initial = 0.01f;
    c.l1 = l1;
    c.l2 = l2;
    Trainer(c).fit(net, x, y);
    double n = 0;
    for (Parameter* p : net.parameters())
      if (p->regularised) n += p->value.array().abs().sum();
    return n;
  };
  const double plain = weightNorm(0, 0);
  EXPECT_LT(weightNorm(0, 0.05f), 0.8 * plain);
  EXPECT_LT(weightNorm(0.02f, 0), 0.8 * plain);
}

TEST(Training, SgdWithMomentumFitsBlobs) {
  Matrix x, y;
  blobs(200, x, y, 7);
  Network net(Shape{2}, 8);
  net.add(layers::dense(8)).add(layers::tanh()).add(layers::dense(2)).add(layers::softmax());
  TrainConfig c;
  c.epochs = 20;
  c.batchSize = 20;
  c.loss = LossKind::CrossEntropy;
  c.optimizer.kind = "sgd";
  c.optimizer.momentum = 0.9f;
  c.learningRate.initial = 0.05f;
  c.validationSplit = 0.25;
  TrainHistory h = Trainer(c).fit(net, x, y);
  EXPECT_EQ(h.valLoss.size(), 20u);
  EXPECT_GT(h.valAccuracy.back(), 0.95);
}

TEST(Training, BinaryCrossEntropyWithSigmoid) {
  Matrix x, y;
  blobs(200, x, y, 9);
  Matrix y1 = y.col(1);
  Network net(Shape{2}, 10);
  net.add(layers::dense(4)).add(layers::relu()).add(layers::dense(1)).add(layers::sigmoid());
  TrainConfig c;
  c.epochs = 20;
  c.batchSize = 16;
  c.loss = LossKind::BinaryCrossEntropy;
  c.learningRate.initial = 0.02f;
  Trainer(c).fit(net, x, y1);
  EXPECT_GT(accuracy(net.predict(x), y1), 0.95);
}

TEST(Training, RejectsMismatchedTargets) {
  Network net = mlp(1);
  Matrix x = Matrix::Zero(4, 784), y = Matrix::Zero(3, 10), yWide = Matrix::Zero(4, 11);
  TrainConfig c;
  EXPECT_THROW(Trainer(c).fit(net, x, y), Error);
  EXPECT_THROW(Trainer(c).fit(net, x, yWide), Error);
  EXPECT_THROW(net.forward(Matrix::Zero(2, 5)), Error);
}

TEST(Metrics, ConfusionPerClassAndBalancedAccuracy) {
  // truth:     0 0 0 0 1 1 2 2
  // predicted: 0 0 0 1 1 0 2 2
  const std::vector<int> t = {0, 0, 0, 0, 1, 1, 2, 2}, p = {0, 0, 0, 1, 1, 0, 2, 2};
  ClassificationReport r = classificationReport(t, p, 3);
  EXPECT_DOUBLE_EQ(r.accuracy, 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(r.recall[0], 0.75);
  EXPECT_DOUBLE_EQ(r.recall[1], 0.5);
  EXPECT_DOUBLE_EQ(r.precision[0], 0.75);
  EXPECT_DOUBLE_EQ(r.precision[1], 0.5);
  EXPECT_DOUBLE_EQ(r.balancedAccuracy, (0.75 + 0.5 + 1.0) / 3.0);
  EXPECT_EQ(r.confusion[1][0], 1);
  EXPECT_EQ(r.support[0], 4);
  EXPECT_NEAR(r.f1[2], 1.0, 1e-12);
}

TEST(Training, AutomaticThreadCountIsWithinTheMachine) {
  const int n = Trainer::autoThreadCount();
  EXPECT_GE(n, 1);
  EXPECT_LE(n, omp_get_num_procs());
}
