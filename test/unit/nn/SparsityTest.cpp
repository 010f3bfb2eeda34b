// Sparsity masks stay exactly zero through training, model files and ONNX export; pruning helpers.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/Error.h"
#include "nn/ModelFile.h"
#include "nn/OnnxModel.h"
#include "nn/Sparsity.h"
#include "nn/Trainer.h"

using namespace mmlc::nn;

namespace {
Network smallNet() {
  Network net(Shape{1, 6, 6}, 1);
  net.add(layers::conv2d(4, 3)).add(layers::relu()).add(layers::flatten()).add(layers::dense(16)).add(layers::relu())
      .add(layers::dense(3));
  return net;
}
void data(Matrix& x, Matrix& y) {
  Random rng(2);
  x.resize(96, 36);
  y = Matrix::Zero(96, 3);
  for (long i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.normal());
  for (long r = 0; r < 96; ++r) y(r, (x(r, 0) > 0) + (x(r, 7) > 0.5f)) = 1;
}
void expectMaskedZero(Network& net) {
  for (Parameter* p : net.parameters())
    if (p->hasMask())
      for (long i = 0; i < p->value.size(); ++i)
        if (p->mask.data()[i] == 0.0f) ASSERT_EQ(p->value.data()[i], 0.0f) << p->name << "[" << i << "]";
}
}  // namespace

TEST(Sparsity, MaskedWeightsStayZeroThroughTrainingAndExport) {
  for (const char* opt : {"adam", "sgd"}) {
    Network net = smallNet();
    magnitudePruneLayer(net, "Dense_3", 0.7);
    magnitudePruneLayer(net, "Conv2D_0", 0.5);
    Matrix x, y;
    data(x, y);
    TrainConfig c;
    c.epochs = 5;
    c.batchSize = 16;
    c.l1 = 1e-3f;  // regularisation gradients must not leak into masked entries either
    c.l2 = 1e-3f;
    c.optimizer.kind = opt;
    c.optimizer.momentum = 0.9f;
    Trainer(c).fit(net, x, y);
    expectMaskedZero(net);
    EXPECT_NEAR(layerSparsity(net)["Dense_3.weight"], 0.7, 0.01);
    EXPECT_NEAR(layerSparsity(net)["Conv2D_0.weight"], 0.5, 0.03);

    saveModel(net, "sparse.mmlnn");
    Network loaded = loadModel("sparse.mmlnn");
    expectMaskedZero(loaded);
    EXPECT_TRUE(loaded.parameter("Dense_3.weight").hasMask());
    exportOnnx(net, "sparse.onnx");
    Network fromOnnx = importOnnx("sparse.onnx");
    EXPECT_EQ(countNonZeros(fromOnnx.parameter("Dense_3.weight")), countNonZeros(net.parameter("Dense_3.weight")));
    EXPECT_TRUE(fromOnnx.predict(x) == net.predict(x));
  }
}

TEST(Sparsity, GlobalPruningHitsTargetAndIsMonotone) {
  Network net = smallNet();
  magnitudePruneGlobal(net, 0.5);
  EXPECT_NEAR(globalSparsity(net), 0.5, 0.001);
  magnitudePruneGlobal(net, 0.8);
  EXPECT_NEAR(globalSparsity(net), 0.8, 0.001);
  expectMaskedZero(net);
  // Biases start at zero, so the non-zeros left are exactly the unpruned weights.
  long total = 0;
  for (Parameter* p : prunableWeights(net)) total += p->value.size();
  EXPECT_EQ(countNonZeros(net), total - static_cast<long>(std::ceil(0.8 * total - 1e-9)));
}

TEST(Sparsity, HelpersValidateInput) {
  Network net = smallNet();
  Parameter& w = net.parameter("Dense_3.weight");
  EXPECT_THROW(setMask(w, Matrix::Ones(2, 2)), Error);
  EXPECT_THROW(setMask(w, Matrix::Constant(w.value.rows(), w.value.cols(), 0.5f)), Error);
  EXPECT_THROW(magnitudePruneLayer(net, "nope", 0.5), Error);
  EXPECT_THROW(magnitudePruneLayer(net, "ReLU_1", 0.5), Error);
  EXPECT_THROW(magnitudePruneGlobal(net, 1.5), Error);
  Matrix m = Matrix::Ones(w.value.rows(), w.value.cols());
  m(0, 0) = 0;
  setMask(w, m);
  EXPECT_EQ(w.value(0, 0), 0.0f);
  EXPECT_EQ(countNonZeros(w), w.value.size() - 1);
  clearMask(w);
  EXPECT_FALSE(w.hasMask());
}

TEST(Sparsity, NonZeroMacsCountKernelWeightsAtEveryOutputPosition) {
  Network net = smallNet();  // conv 1->4 3x3 on 6x6 (4x4 outputs), dense 64->16, dense 16->3
  EXPECT_EQ(nonZeroMacs(net), 9L * 4 * 16 + 64L * 16 + 16L * 3);
  magnitudePruneGlobal(net, 0.5);
  long conv = countNonZeros(*net.layer(0).parameters().front());
  long dense = countNonZeros(*net.layer(3).parameters().front()) + countNonZeros(*net.layer(5).parameters().front());
  EXPECT_EQ(nonZeroMacs(net), conv * 16 + dense);
  EXPECT_LT(nonZeroMacs(net), 9L * 4 * 16 + 64L * 16 + 16L * 3);
}
