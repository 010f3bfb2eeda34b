// Graph networks: Add/Concatenate forward and backward (finite differences), "same" padding shapes
// and values, wiring errors (dangling input, cycle, merge shape mismatch), model files and ONNX
// round trips of graphs, width groups for scaling, pruning and training of a residual network.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <fstream>

#include "nn/ArchitectureEdit.h"
#include "nn/Error.h"
#include "nn/ModelFile.h"
#include "nn/OnnxModel.h"
#include "nn/Sparsity.h"
#include "nn/Trainer.h"
#include "RandomMatrix.h"

using namespace mmlc::nn;
using mmlc::nn::testing::randomMatrix;

namespace {

double projectedLoss(Network& net, const Matrix& x, const Matrix& r) {
  const Matrix& y = net.forward(x, true);
  return (y.cast<double>().array() * r.cast<double>().array()).sum();
}

// Analytic parameter gradients of L = sum(output .* R) against central differences.
void checkGradients(Network& net, const Matrix& x, float eps = 1e-2f, double tol = 2e-2) {
  const Matrix r = randomMatrix(x.rows(), net.outputShape().size(), 99);
  net.zeroGradients();
  projectedLoss(net, x, r);
  net.backward(r);
  for (Parameter* p : net.parameters()) {
    if (!p->trainable) continue;
    const Matrix analytic = p->grad;
    for (long i = 0; i < p->value.size(); ++i) {
      float& v = p->value.data()[i];
      const float saved = v;
      v = saved + eps;
      const double up = projectedLoss(net, x, r);
      v = saved - eps;
      const double down = projectedLoss(net, x, r);
      v = saved;
      const double numeric = (up - down) / (2.0 * eps);
      EXPECT_NEAR(analytic.data()[i], numeric, tol * std::max(1.0, std::abs(numeric))) << p->name << "[" << i << "]";
    }
  }
}

// A small residual network with a concatenation: stem conv, a residual block (two convs added to
// the stem's output), a concatenation of the block's output with the network input, a 1x1 conv
// reading both, "same" pooling and a dense head.
Network residualNet(uint64_t seed = 5, int width = 3) {
  Network net(Shape{2, 5, 5}, seed);
  net.add(layers::same(layers::conv2d(width, 3))).add(layers::tanh());
  const std::string stem = net.layer(net.size() - 1).spec().name;
  net.add(layers::same(layers::conv2d(width, 3))).add(layers::tanh()).add(layers::same(layers::conv2d(width, 3)));
  const std::string branch = net.layer(net.size() - 1).spec().name;
  net.add(layers::add({stem, branch}));
  net.add(layers::concatenate({net.layer(net.size() - 1).spec().name, "input"}));
  net.add(layers::conv2d(4, 1)).add(layers::batchNorm()).add(layers::tanh());
  net.add(layers::same(layers::averagePool(2))).add(layers::flatten()).add(layers::dense(3));
  return net;
}

}  // namespace

TEST(Graph, AddAndConcatenateGradientsMatchFiniteDifferences) {
  Network net = residualNet();
  EXPECT_FALSE(net.isChain());
  EXPECT_EQ(net.outputShape(), Shape{3});
  EXPECT_EQ(net.consumers(1), (std::vector<int>{2, 5}));  // the stem's activation feeds the block and the Add
  checkGradients(net, randomMatrix(3, 50, 1));
}

TEST(Graph, MergeLayerInputGradients) {
  // Add: every input gets dL/dy; Concatenate: each input its own block of columns.
  Network net(Shape{4}, 1);
  net.add(layers::dense(4)).add(layers::dense(2)).add(layers::from(layers::dense(4), {"Dense_0"}));
  net.add(layers::add({"Dense_0", "Dense_2"})).add(layers::concatenate({"Add_3", "Dense_1"}));
  EXPECT_EQ(net.outputShape(), Shape{6});
  Layer& add = net.layer(3);
  Layer& cat = net.layer(4);
  const Matrix a = randomMatrix(2, 4, 2), b = randomMatrix(2, 4, 3), c = randomMatrix(2, 2, 4);
  Matrix y, z;
  add.forwardInputs({&a, &b}, y, false);
  EXPECT_TRUE(y.isApprox(a + b));
  cat.forwardInputs({&y, &c}, z, false);
  EXPECT_TRUE(z.leftCols(4) == y && z.rightCols(2) == c);
  const Matrix dz = randomMatrix(2, 6, 5);
  Matrix dy, dc, da, db;
  cat.backwardInputs({&y, &c}, z, dz, {&dy, &dc});
  EXPECT_TRUE(dy == dz.leftCols(4) && dc == dz.rightCols(2));
  add.backwardInputs({&a, &b}, y, dy, {&da, &db});
  EXPECT_TRUE(da == dy && db == dy);
  checkGradients(net, randomMatrix(3, 4, 6));
}

TEST(Graph, SamePaddingShapesAndValues) {
  Network shapes(Shape{1, 7, 7}, 1);
  shapes.add(layers::same(layers::conv2d(2, 3)));
  EXPECT_EQ(shapes.outputShape(), (Shape{2, 7, 7}));
  shapes.add(layers::same(layers::conv2d(2, 3, 2)));
  EXPECT_EQ(shapes.outputShape(), (Shape{2, 4, 4}));
  shapes.add(layers::same(layers::conv2d(2, 2)));
  EXPECT_EQ(shapes.outputShape(), (Shape{2, 4, 4}));
  shapes.add(layers::same(layers::maxPool(3, 2)));
  EXPECT_EQ(shapes.outputShape(), (Shape{2, 2, 2}));
  Network pool7(Shape{3, 7, 7}, 1);
  pool7.add(layers::same(layers::maxPool(2)));
  EXPECT_EQ(pool7.outputShape(), (Shape{3, 4, 4}));  // "valid" would give 3x3

  // 1x3x3 image 1..9: max and average pools of 2 keep partial windows at the bottom/right
  // (the average divides by the values inside, like Keras), a 3x3 all-ones conv sums neighbours.
  Matrix x(1, 9);
  for (int i = 0; i < 9; ++i) x(0, i) = static_cast<float>(i + 1);
  Network mp(Shape{1, 3, 3}, 1);
  mp.add(layers::same(layers::maxPool(2)));
  EXPECT_EQ(mp.predict(x), (Matrix(1, 4) << 5, 6, 8, 9).finished());
  Network ap(Shape{1, 3, 3}, 1);
  ap.add(layers::same(layers::averagePool(2)));
  EXPECT_EQ(ap.predict(x), (Matrix(1, 4) << 3, 4.5f, 7.5f, 9).finished());
  Network cv(Shape{1, 3, 3}, 1);
  cv.add(layers::same(layers::conv2d(1, 3)));
  cv.parameter("Conv2D_0.weight").value.setOnes();
  EXPECT_EQ(cv.predict(x), (Matrix(1, 9) << 12, 21, 16, 27, 45, 33, 24, 39, 28).finished());
  // Even kernel, stride 2: the odd zero goes below/right (TensorFlow's convention).
  Network cv2(Shape{1, 3, 3}, 1);
  cv2.add(layers::same(layers::conv2d(1, 2, 2)));
  cv2.parameter("Conv2D_0.weight").value.setOnes();
  EXPECT_EQ(cv2.predict(x), (Matrix(1, 4) << 12, 9, 15, 9).finished());
}

TEST(Graph, SamePaddingGradients) {
  Network net(Shape{2, 5, 6}, 3);
  net.add(layers::same(layers::conv2d(3, 3, 2))).add(layers::tanh()).add(layers::same(layers::conv2d(2, 2)))
      .add(layers::same(layers::averagePool(2))).add(layers::same(layers::conv2d(2, 3))).add(layers::flatten())
      .add(layers::dense(2));
  checkGradients(net, randomMatrix(2, 60, 7));
  Network mp(Shape{1, 5, 5}, 3);
  mp.add(layers::same(layers::conv2d(2, 3))).add(layers::same(layers::maxPool(2))).add(layers::flatten()).add(layers::dense(2));
  checkGradients(mp, randomMatrix(2, 25, 8), 1e-3f, 3e-2);
}

TEST(Graph, WiringErrorsNameTheLayers) {
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Network net(Shape{2, 4, 4}, 1);
  net.add(layers::conv2d(3, 1)).add(layers::conv2d(2, 1));
  // Dangling input (also a forward reference: layers must come after what they read).
  const std::string dangling0 = message([&] { net.add(layers::add({"Conv2D_0", "nope"})); });
  EXPECT_NE(dangling0.find("reads 'nope'"), std::string::npos) << dangling0;
  const std::string mismatch = message([&] { net.add(layers::add({"Conv2D_0", "Conv2D_1"})); });
  EXPECT_NE(mismatch.find("input 'Conv2D_1' has shape (2,4,4) but 'Conv2D_0' has (3,4,4)"), std::string::npos) << mismatch;
  const std::string cat = message([&] { net.add(layers::concatenate({"input", "Conv2D_1", "Flatten_x"})); });
  EXPECT_NE(cat.find("Flatten_x"), std::string::npos) << cat;
  Network flat(Shape{2, 4, 4}, 1);
  flat.add(layers::flatten());
  const std::string catShape = message([&] { flat.add(layers::concatenate({"input", "Flatten_0"})); });
  EXPECT_NE(catShape.find("only in their first (channel) dimension"), std::string::npos) << catShape;
  const std::string one = message([&] { flat.add(layers::add({"input"})); });
  EXPECT_NE(one.find("needs two or more inputs"), std::string::npos) << one;
  const std::string reserved = message([&] {
    LayerSpec s = layers::relu();
    s.name = "input";
    flat.add(s);
  });
  EXPECT_NE(reserved.find("reserved"), std::string::npos) << reserved;

  // fromSpecs sorts layers given in any order, and names cycles and dangling inputs.
  LayerSpec a = layers::dense(3), b = layers::relu(), c = layers::dense(2);
  a.name = "a";
  b.name = "b";
  c.name = "c";
  a.inputs = {"input"};
  b.inputs = {"a"};
  c.inputs = {"b"};
  Network sorted = Network::fromSpecs(Shape{4}, 1, {c, b, a});
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted.layer(0).spec().name, "a");
  EXPECT_EQ(sorted.layer(2).spec().name, "c");
  LayerSpec a2 = a;
  a2.inputs = {"c"};
  const std::string cycle = message([&] { Network::fromSpecs(Shape{4}, 1, {a2, b, c}); });
  EXPECT_NE(cycle.find("cycle: a -> b -> c -> a"), std::string::npos) << cycle;
  LayerSpec d = c;
  d.inputs = {"missing"};
  const std::string dangling = message([&] { Network::fromSpecs(Shape{4}, 1, {a, b, d}); });
  EXPECT_NE(dangling.find("layer 'c' reads 'missing'"), std::string::npos) << dangling;
  LayerSpec e = layers::dense(2);
  e.name = "e";
  e.inputs = {"a"};
  const std::string unread = message([&] { Network::fromSpecs(Shape{4}, 1, {a, b, e}); });
  EXPECT_NE(unread.find("output of layer 'b' is never read"), std::string::npos) << unread;
}

TEST(Graph, ModelFileRoundTripAndChainFormatUnchanged) {
  Network net = residualNet();
  net.parameter("BatchNormalization_8.mean").value.setConstant(0.25f);
  magnitudePruneGlobal(net, 0.3);
  saveModel(net, "graph.mmlnn");
  Network back = loadModel("graph.mmlnn");
  EXPECT_FALSE(back.isChain());
  ASSERT_EQ(back.size(), net.size());
  for (size_t i = 0; i < net.size(); ++i) {
    EXPECT_EQ(back.layer(i).spec().inputs, net.layer(i).spec().inputs);
    EXPECT_EQ(back.layer(i).spec().padding, net.layer(i).spec().padding);
    EXPECT_EQ(back.sources(i), net.sources(i));
  }
  const Matrix x = randomMatrix(4, 50, 9);
  EXPECT_TRUE(back.predict(x) == net.predict(x));
  EXPECT_DOUBLE_EQ(globalSparsity(back), globalSparsity(net));
  std::ifstream in("graph.mmlnn", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("\"version\":2"), std::string::npos);
  EXPECT_NE(text.find("\"inputs\":["), std::string::npos);

  // A chain is written as version 1 without the new keys, so old readers and old files agree.
  Network chain(Shape{1, 6, 6}, 2);
  chain.add(layers::conv2d(2, 3)).add(layers::relu()).add(layers::flatten()).add(layers::dense(3));
  EXPECT_TRUE(chain.isChain());
  saveModel(chain, "chain.mmlnn");
  std::ifstream cin("chain.mmlnn", std::ios::binary);
  const std::string ctext((std::istreambuf_iterator<char>(cin)), {});
  EXPECT_NE(ctext.find("\"version\":1"), std::string::npos);
  EXPECT_EQ(ctext.find("\"inputs\""), std::string::npos);
  EXPECT_EQ(ctext.find("\"padding\""), std::string::npos);
  EXPECT_TRUE(loadModel("chain.mmlnn").predict(randomMatrix(2, 36, 3)) == chain.predict(randomMatrix(2, 36, 3)));
}

TEST(Graph, ModelFileWiringErrorsNameTheFile) {
  Network net = residualNet();
  saveModel(net, "wired.mmlnn");
  std::ifstream in("wired.mmlnn", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  // Same-length edit of the JSON: the Add now reads a layer that does not exist.
  const size_t at = text.find("\"inputs\":[\"Tanh_1\"");
  ASSERT_NE(at, std::string::npos);
  auto error = [&](const std::string& name, const std::string& replacement) {
    std::string edited = text;
    edited.replace(at, 18, "\"inputs\":[\"" + replacement + "\"");
    std::ofstream(name, std::ios::binary) << edited;
    try {
      loadModel(name);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string m = error("dangling.mmlnn", "Tanh_Q");
  EXPECT_NE(m.find("dangling.mmlnn: layer 'Add_5' reads 'Tanh_Q'"), std::string::npos) << m;
  m = error("cycle.mmlnn", "Tanh_9");  // Tanh_9 is computed from the Add's output
  EXPECT_NE(m.find("cycle.mmlnn: layers form a cycle: Add_5 -> Concatenate_6 -> Conv2D_7 -> "
                   "BatchNormalization_8 -> Tanh_9 -> Add_5"), std::string::npos) << m;
}

TEST(Graph, OnnxExportImportRoundTrip) {
  Network net = residualNet();
  net.parameter("BatchNormalization_8.var").value.setConstant(1.5f);
  exportOnnx(net, "graph.onnx");
  Network back = importOnnx("graph.onnx");
  ASSERT_EQ(back.size(), net.size());
  for (size_t i = 0; i < net.size(); ++i) EXPECT_EQ(back.sources(i), net.sources(i)) << i;
  const Matrix x = randomMatrix(5, 50, 10);
  EXPECT_TRUE(back.predict(x) == net.predict(x));
  // A max-pool with "same" padding exports as explicit pads and imports as "same" again.
  Network mp(Shape{2, 7, 7}, 1);
  mp.add(layers::same(layers::maxPool(2))).add(layers::same(layers::conv2d(3, 2, 2))).add(layers::flatten());
  exportOnnx(mp, "same.onnx");
  Network mpBack = importOnnx("same.onnx");
  EXPECT_EQ(mpBack.outputShape(), mp.outputShape());
  const Matrix y = randomMatrix(2, 98, 11);
  EXPECT_TRUE(mpBack.predict(y) == mp.predict(y));
}

TEST(Graph, OnnxImportWiringErrorsNameTheNode) {
  Network net = residualNet();
  exportOnnx(net, "base.onnx");
  auto load = [](const std::string& path) {
    onnx::ModelProto m;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(m.ParseFromIstream(&in));
    return m;
  };
  auto save = [](const onnx::ModelProto& m, const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    m.SerializeToOstream(&out);
  };
  auto error = [](const std::string& path) {
    try {
      importOnnx(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto nodeIndex = [](const onnx::ModelProto& m, const std::string& op) {
    for (int i = 0; i < m.graph().node_size(); ++i)
      if (m.graph().node(i).op_type() == op) return i;
    return -1;
  };
  onnx::ModelProto dangling = load("base.onnx");
  dangling.mutable_graph()->mutable_node(nodeIndex(dangling, "Add"))->set_input(1, "ghost");
  save(dangling, "dangling.onnx");
  std::string m = error("dangling.onnx");
  EXPECT_NE(m.find("dangling.onnx"), std::string::npos) << m;
  EXPECT_NE(m.find("reads 'ghost', which is neither the graph input"), std::string::npos) << m;

  onnx::ModelProto unsorted = load("base.onnx");
  unsorted.mutable_graph()->mutable_node()->SwapElements(0, nodeIndex(unsorted, "Add"));
  save(unsorted, "unsorted.onnx");
  m = error("unsorted.onnx");
  EXPECT_NE(m.find("cycle or is not in topological order"), std::string::npos) << m;

  onnx::ModelProto mismatch = load("base.onnx");
  mismatch.mutable_graph()->mutable_node(nodeIndex(mismatch, "Add"))->set_input(1, "input");
  save(mismatch, "mismatch.onnx");
  m = error("mismatch.onnx");
  EXPECT_NE(m.find("(Add)"), std::string::npos) << m;
  EXPECT_NE(m.find("has shape (2,5,5)"), std::string::npos) << m;
}

TEST(Graph, ScalingKeepsResidualWidthsEqual) {
  Network net = residualNet(5, 4);
  // The stem and the block's second conv meet at the Add: one group; the block's first conv is
  // alone; the 1x1 conv after the concatenation is alone; the dense output layer is left out.
  const auto groups = widthGroups(net);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (std::vector<std::string>{"Conv2D_0", "Conv2D_4"}));
  EXPECT_EQ(groups[1], (std::vector<std::string>{"Conv2D_2"}));
  EXPECT_EQ(groups[2], (std::vector<std::string>{"Conv2D_7"}));
  EXPECT_THROW(withLayerWidths(net, {{"Conv2D_0", 2}}, 1), Error);  // Conv2D_4 would stay at 4
  Network half = scaleHiddenWidths(net, 0.5, 1);
  EXPECT_EQ(half.layer(0).spec().units, 2);
  EXPECT_EQ(half.layer(4).spec().units, 2);
  EXPECT_EQ(half.layer(6).outputShape(), (Shape{4, 5, 5}));  // 2 residual channels + 2 input channels
  EXPECT_EQ(half.predict(randomMatrix(2, 50, 3)).cols(), 3);
  Network strongest = withStrongestUnits(net, {{"Conv2D_0", 3}, {"Conv2D_4", 3}}, 1);
  EXPECT_EQ(strongest.predict(randomMatrix(2, 50, 3)).cols(), 3);

  // Channels behind a Concatenate are copied per input: narrowing the residual branch by a
  // channel the 1x1 conv does not read leaves the network's function unchanged, so the input
  // channels (after the residual ones) must land on the right weights.
  Network cat = residualNet(6, 4);
  Parameter& w = cat.parameter("Conv2D_7.weight");  // 4 filters x (4 residual + 2 input channels)
  w.value.col(3).setZero();
  cat.parameter("Conv2D_0.weight").value.row(3).setZero();
  cat.parameter("Conv2D_0.bias").value(0, 3) = 0.0f;
  cat.parameter("Conv2D_4.weight").value.row(3).setZero();
  cat.parameter("Conv2D_4.bias").value(0, 3) = 0.0f;
  Network narrow = withLayerWidths(cat, {{"Conv2D_0", 3}, {"Conv2D_4", 3}}, 1);
  const Matrix x = randomMatrix(3, 50, 12);
  EXPECT_TRUE(narrow.predict(x).isApprox(cat.predict(x), 1e-5f));
}

TEST(Graph, StrongestUnitsPermuteAGroupWithoutChangingTheFunction) {
  // Narrowing to the full width permutes nothing; narrowing a group whose weakest channel is dead
  // everywhere drops exactly that channel, wherever it sits, and keeps the function.
  Network net = residualNet(8, 4);
  for (const char* conv : {"Conv2D_0", "Conv2D_4"}) {
    net.parameter(std::string(conv) + ".weight").value.row(1).setZero();
    net.parameter(std::string(conv) + ".bias").value(0, 1) = 0.0f;
  }
  net.parameter("Conv2D_2.weight").value.middleCols(9, 9).setZero();  // reads channel 1
  net.parameter("Conv2D_7.weight").value.col(1).setZero();
  Network narrow = withStrongestUnits(net, {{"Conv2D_0", 3}, {"Conv2D_4", 3}}, 1);
  const Matrix x = randomMatrix(3, 50, 13);
  EXPECT_TRUE(narrow.predict(x).isApprox(net.predict(x), 1e-5f));
}

TEST(Graph, TrainingIsDeterministicAndPruningMasksEveryBranch) {
  const Matrix x = randomMatrix(64, 50, 14);
  Matrix y = Matrix::Zero(64, 3);
  for (long i = 0; i < 64; ++i) y(i, (x(i, 0) > 0) + (x(i, 1) > 0)) = 1.0f;
  TrainConfig c;
  c.epochs = 3;
  c.batchSize = 16;
  c.seed = 3;
  auto run = [&](int threads) {
    Network net = residualNet(7);
    magnitudePruneGlobal(net, 0.5);
    TrainConfig cc = c;
    cc.threads = threads;
    Trainer(cc).fit(net, x, y);
    return net;
  };
  Network a = run(2), b = run(1);
  auto pa = a.parameters(), pb = b.parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(pa[i]->value == pb[i]->value) << pa[i]->name;
  // Every weighted layer (both branches of the block and the 1x1 conv) was pruned and stays so.
  for (Parameter* p : prunableWeights(a)) {
    ASSERT_TRUE(p->hasMask()) << p->name;
    EXPECT_TRUE((p->value.array() * (1.0f - p->mask.array())).cwiseAbs().maxCoeff() == 0.0f) << p->name;
  }
  EXPECT_GE(globalSparsity(a), 0.5);
  const Matrix before = residualNet(7).predict(x);
  EXPECT_FALSE(a.predict(x).isApprox(before));  // it did train
}

TEST(Graph, VersionOneModelFileWrittenByHandLoads) {
  // A file as mmlc wrote them before graphs existed (no "inputs"/"padding" keys): Dense(2) on 3 inputs.
  const std::string json =
      R"({"format":"mmlc-nn","input":[3],"layers":[{"alpha":0.01,"dims":[],"epsilon":1e-05,"kernelH":1,)"
      R"("kernelW":1,"kind":"Dense","momentum":0.9,"name":"Dense_0","padH":0,"padW":0,"perm":[],"rate":0.5,)"
      R"("strideH":1,"strideW":1,"units":2,"useBias":true}],"parameters":[{"cols":2,"hasMask":false,)"
      R"("name":"Dense_0.weight","rows":3},{"cols":2,"hasMask":false,"name":"Dense_0.bias","rows":1}],)"
      R"("seed":1,"version":1})";
  std::string file = "MMLCNN01";
  for (int i = 0; i < 8; ++i) file += static_cast<char>((json.size() >> (8 * i)) & 0xff);
  file += json;
  const float values[] = {1, 2, 3, 4, 5, 6, 0.5f, -0.5f};  // weight rows (in x out), then bias
  file.append(reinterpret_cast<const char*>(values), sizeof(values));
  std::ofstream("v1.mmlnn", std::ios::binary) << file;
  Network net = loadModel("v1.mmlnn");
  EXPECT_TRUE(net.isChain());
  Matrix x(1, 3);
  x << 1, 1, 1;
  EXPECT_EQ(net.predict(x), (Matrix(1, 2) << 9.5f, 11.5f).finished());
}
