// SCALING edits: narrower layers keep the rest of the network and the weights that still fit.
#include <gtest/gtest.h>

#include "nn/ArchitectureEdit.h"
#include "nn/Error.h"
#include "nn/Sparsity.h"

using namespace mmlc::nn;

TEST(ArchitectureEdit, NarrowerDenseLayersCopyLeadingBlocks) {
  Network net(Shape{16}, 1);
  net.add(layers::dense(64)).add(layers::relu()).add(layers::batchNorm()).add(layers::dense(32)).add(layers::relu())
      .add(layers::dense(5));
  magnitudePruneLayer(net, "Dense_3", 0.5);
  Network small = withLayerWidths(net, {{"Dense_0", 20}, {"Dense_3", 8}}, 7);
  ASSERT_EQ(small.size(), net.size());
  for (size_t i = 0; i < net.size(); ++i) EXPECT_EQ(small.layer(i).spec().kind, net.layer(i).spec().kind);
  EXPECT_EQ(small.layer(0).outputShape(), Shape{20});
  EXPECT_EQ(small.layer(3).outputShape(), Shape{8});
  EXPECT_EQ(small.outputShape(), Shape{5});
  EXPECT_TRUE(small.parameter("Dense_0.weight").value == net.parameter("Dense_0.weight").value.leftCols(20));
  EXPECT_TRUE(small.parameter("BatchNormalization_2.scale").value == net.parameter("BatchNormalization_2.scale").value.leftCols(20));
  EXPECT_TRUE(small.parameter("Dense_3.weight").value == net.parameter("Dense_3.weight").value.topLeftCorner(20, 8));
  EXPECT_TRUE(small.parameter("Dense_3.weight").mask == net.parameter("Dense_3.weight").mask.topLeftCorner(20, 8));
  EXPECT_TRUE(small.parameter("Dense_5.weight").value == net.parameter("Dense_5.weight").value.topRows(8));
  EXPECT_TRUE(small.parameter("Dense_5.bias").value == net.parameter("Dense_5.bias").value);
  EXPECT_EQ(small.predict(Matrix::Ones(2, 16)).cols(), 5);
}

TEST(ArchitectureEdit, FewerFiltersKeepChannelMajorWeights) {
  Network net(Shape{1, 8, 8}, 2);
  net.add(layers::conv2d(8, 3)).add(layers::relu()).add(layers::conv2d(6, 3)).add(layers::flatten()).add(layers::dense(4));
  Network small = scaleHiddenWidths(net, 0.5, 3);
  EXPECT_EQ(small.layer(0).spec().units, 4);
  EXPECT_EQ(small.layer(2).spec().units, 3);
  EXPECT_EQ(small.layer(4).spec().units, 4);  // output layer keeps its width
  // Second conv: the first 4 input channels of the first 3 filters are the original values.
  EXPECT_TRUE(small.parameter("Conv2D_2.weight").value == net.parameter("Conv2D_2.weight").value.topLeftCorner(3, 4 * 9));
  // Dense after flatten: the first 3 channels' features (3*4*4 rows) are kept.
  EXPECT_TRUE(small.parameter("Dense_4.weight").value == net.parameter("Dense_4.weight").value.topRows(3 * 16));
}

TEST(ArchitectureEdit, RejectsBadEdits) {
  Network net(Shape{4}, 1);
  net.add(layers::dense(8)).add(layers::relu()).add(layers::dense(2));
  EXPECT_THROW(withLayerWidths(net, {{"missing", 3}}, 0), Error);
  EXPECT_THROW(withLayerWidths(net, {{"ReLU_1", 3}}, 0), Error);
  EXPECT_THROW(withLayerWidths(net, {{"Dense_0", 0}}, 0), Error);
  EXPECT_THROW(scaleHiddenWidths(net, -1.0, 0), Error);
}

namespace {
// Random values in every parameter (BN running variances kept positive) so permutation bugs show.
void randomise(Network& net, uint64_t seed) {
  Random rng(seed);
  for (Parameter* p : net.parameters())
    for (long i = 0; i < p->value.size(); ++i)
      p->value.data()[i] = p->name.find(".var") != std::string::npos ? 0.5f + static_cast<float>(rng.uniform())
                                                                       : static_cast<float>(rng.uniform(-1, 1));
}
Matrix randomInput(long rows, long cols, uint64_t seed) {
  Random rng(seed);
  Matrix x(rows, cols);
  for (long i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform(-1, 1));
  return x;
}
}  // namespace

TEST(ArchitectureEdit, PermutingUnitsKeepsTheFunction) {
  Network mlp(Shape{6}, 1);
  mlp.add(layers::dense(5)).add(layers::batchNorm()).add(layers::relu()).add(layers::dense(4)).add(layers::tanh())
      .add(layers::dense(3)).add(layers::softmax());
  randomise(mlp, 2);
  magnitudePruneLayer(mlp, "Dense_3", 0.4);
  const Matrix x = randomInput(7, 6, 3);
  const Matrix before = mlp.predict(x);
  permuteUnits(mlp, "Dense_0", {3, 0, 4, 1, 2});
  permuteUnits(mlp, "Dense_3", {2, 3, 1, 0});
  EXPECT_LT((mlp.predict(x) - before).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_EQ(mlp.parameter("Dense_3.weight").mask.rows(), 5);  // masks move with their weights
  EXPECT_NEAR(sparsity(mlp.parameter("Dense_3.weight")), 0.4, 0.06);

  Network cnn(Shape{2, 9, 9}, 4);
  cnn.add(layers::conv2d(4, 3)).add(layers::batchNorm()).add(layers::relu()).add(layers::maxPool(2))
      .add(layers::conv2d(3, 2)).add(layers::relu()).add(layers::flatten()).add(layers::dense(5)).add(layers::dense(2));
  randomise(cnn, 5);
  const Matrix xc = randomInput(3, 2 * 81, 6);
  const Matrix beforeC = cnn.predict(xc);
  permuteUnits(cnn, "Conv2D_0", {1, 3, 0, 2});
  permuteUnits(cnn, "Conv2D_4", {2, 0, 1});
  permuteUnits(cnn, "Dense_7", {4, 3, 2, 1, 0});
  EXPECT_LT((cnn.predict(xc) - beforeC).cwiseAbs().maxCoeff(), 1e-5f);

  EXPECT_THROW(permuteUnits(cnn, "Dense_8", {1, 0}), Error);          // the output layer
  EXPECT_THROW(permuteUnits(cnn, "Conv2D_0", {0, 1, 2}), Error);      // not a permutation of 4
  EXPECT_THROW(permuteUnits(cnn, "Conv2D_0", {0, 1, 1, 2}), Error);
  EXPECT_THROW(unitImportance(cnn, "ReLU_2"), Error);
}

TEST(ArchitectureEdit, StrongestUnitsSurviveNarrowing) {
  Network net(Shape{3}, 1);
  net.add(layers::dense(4)).add(layers::relu()).add(layers::dense(2));
  randomise(net, 7);
  // Units 0 and 2 are dead (no incoming weights, no bias); unit 3 is stronger than unit 1.
  Parameter& w = net.parameter("Dense_0.weight");
  Parameter& b = net.parameter("Dense_0.bias");
  for (int dead : {0, 2}) {
    w.value.col(dead).setZero();
    b.value(0, dead) = 0;
  }
  w.value.col(3) *= 10.0f;
  const std::vector<double> score = unitImportance(net, "Dense_0");
  EXPECT_EQ(score[0], 0.0);
  EXPECT_EQ(score[2], 0.0);
  EXPECT_GT(score[3], score[1]);
  // Keeping the two live units reproduces the network exactly; the leading block would not.
  const Matrix x = randomInput(5, 3, 8);
  Network strongest = withStrongestUnits(net, {{"Dense_0", 2}}, 9);
  EXPECT_EQ(strongest.layer(0).spec().units, 2);
  EXPECT_LT((strongest.predict(x) - net.predict(x)).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_TRUE(strongest.parameter("Dense_0.weight").value.col(0) == w.value.col(3));  // strongest first
  Network leading = withLayerWidths(net, {{"Dense_0", 2}}, 9);
  EXPECT_GT((leading.predict(x) - net.predict(x)).cwiseAbs().maxCoeff(), 1e-3f);
}
