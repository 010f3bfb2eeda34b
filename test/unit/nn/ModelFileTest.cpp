// Model files: save/load reproduces outputs bit for bit; corrupt files give clear errors.
#include <gtest/gtest.h>

#include <fstream>

#include "nn/Error.h"
#include "nn/ModelFile.h"
#include "nn/Trainer.h"

using namespace mmlc::nn;

namespace {
Network everyLayerNet() {
  Network net(Shape{2, 8, 8}, 3);
  net.add(layers::conv2d(4, 3, 1, 1)).add(layers::batchNorm()).add(layers::leakyRelu(0.1f)).add(layers::maxPool(2))
      .add(layers::conv2d(3, 2)).add(layers::averagePool(3)).add(layers::transpose({1, 2, 0})).add(layers::flatten())
      .add(layers::dropout(0.2f)).add(layers::dense(6)).add(layers::tanh()).add(layers::dense(3)).add(layers::sigmoid())
      .add(layers::reshape({3})).add(layers::softmax());
  return net;
}
Matrix input(long n, long features) {
  Random rng(4);
  Matrix x(n, features);
  for (long i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.normal());
  return x;
}
std::string readAll(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void writeAll(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
}  // namespace

TEST(ModelFile, SaveLoadGivesIdenticalOutputs) {
  Network net = everyLayerNet();
  Matrix x = input(5, 128);
  Matrix y = Matrix::Zero(5, 3);
  y.col(0).setOnes();
  TrainConfig c;
  c.epochs = 2;
  c.batchSize = 2;
  c.loss = LossKind::CrossEntropy;
  Trainer(c).fit(net, x, y);  // moves BN statistics and weights away from their initial values
  saveModel(net, "model.mmlnn");
  Network loaded = loadModel("model.mmlnn");
  EXPECT_EQ(loaded.specs().size(), net.specs().size());
  EXPECT_TRUE(loaded.predict(x) == net.predict(x));
  for (size_t i = 0; i < net.size(); ++i) EXPECT_EQ(loaded.layer(i).spec().name, net.layer(i).spec().name);
  EXPECT_EQ(loaded.summary(), net.summary());
  EXPECT_NE(net.summary().find("Conv2D_0 (Conv2D) -> (4,8,8), 76 parameters"), std::string::npos) << net.summary();
}

TEST(ModelFile, CorruptFilesGiveClearErrors) {
  Network net = everyLayerNet();
  saveModel(net, "good.mmlnn");
  const std::string good = readAll("good.mmlnn");
  auto expectError = [](const std::string& path, const std::string& fragment) {
    try {
      loadModel(path);
      FAIL() << "expected an error for " << path;
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    }
  };
  writeAll("truncated.mmlnn", good.substr(0, good.size() - 10));
  expectError("truncated.mmlnn", "truncated");
  writeAll("magic.mmlnn", "XXXXXXXX" + good.substr(8));
  expectError("magic.mmlnn", "magic");
  std::string badJson = good;
  badJson[16] = '#';  // the opening brace of the JSON
  writeAll("json.mmlnn", badJson);
  expectError("json.mmlnn", "JSON");
  expectError("missing.mmlnn", "cannot open");
}
