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
