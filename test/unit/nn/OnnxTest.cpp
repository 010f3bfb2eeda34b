// ONNX import/export: the tests build ONNX graphs with protobuf (PyTorch Gemm form, Keras MatMul+Add
// and channels-last Transpose forms, a CNN) and check outputs against straightforward reference code.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <fstream>

#include "nn/Error.h"
#include "nn/NpyReader.h"
#include "nn/OnnxModel.h"
#include "nn/Random.h"

using namespace mmlc::nn;

namespace {

std::vector<float> randomValues(size_t n, uint64_t seed, float scale = 0.5f) {
  Random rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.normal()) * scale;
  return v;
}

// Minimal graph builder over the protobuf classes.
struct GraphBuilder {
  onnx::ModelProto model;
  onnx::GraphProto* g;
  int counter = 0;
  std::string current = "x";

  explicit GraphBuilder(const std::vector<int64_t>& inputDims, bool floatData = false) : useFloatData(floatData) {
    model.set_ir_version(7);
    model.add_opset_import()->set_version(13);
    g = model.mutable_graph();
    auto* in = g->add_input();
    in->set_name("x");
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_param("N");
    for (int64_t d : inputDims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  bool useFloatData;
  std::string init(const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto* t = g->add_initializer();
    t->set_name("w" + std::to_string(counter++));
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    if (useFloatData) for (float f : v) t->add_float_data(f);  // exercise both storage forms
    else t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    return t->name();
  }
  std::string initInt64(const std::vector<int64_t>& v) {
    auto* t = g->add_initializer();
    t->set_name("s" + std::to_string(counter++));
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (auto x : v) t->add_int64_data(x);
    return t->name();
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> extraInputs = {}) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(op + "_node" + std::to_string(counter));
    n->add_input(current);
    for (auto& i : extraInputs) n->add_input(i);
    current = "t" + std::to_string(counter++);
    n->add_output(current);
    return n;
  }
  static void ints(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void intAttr(onnx::NodeProto* n, const char* name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void floatAttr(onnx::NodeProto* n, const char* name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  void save(const std::string& path) {
    auto* out = g->add_output();
    out->set_name(current);
    out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    std::ofstream f(path, std::ios::binary);
    ASSERT_TRUE(model.SerializeToOstream(&f));
  }
};

// Reference dense: y[o] = sum_i x[i] * W[i][o] + b[o] with W given as [in][out].
std::vector<double> denseRef(const std::vector<double>& x, const std::vector<float>& w, const std::vector<float>& b,
                             int in, int out) {
  std::vector<double> y(out);
  for (int o = 0; o < out; ++o) {
    double s = b[o];
    for (int i = 0; i < in; ++i) s += x[i] * w[i * out + o];
    y[o] = s;
  }
  return y;
}
std::vector<float> transposed(const std::vector<float>& w, int rows, int cols) {
  std::vector<float> t(w.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) t[c * rows + r] = w[r * cols + c];
  return t;
}

struct Mlp {
  std::vector<float> w1 = randomValues(4 * 5, 1), b1 = randomValues(5, 2), w2 = randomValues(5 * 3, 3), b2 = randomValues(3, 4);
  std::vector<double> reference(const float* x) const {
    std::vector<double> in(x, x + 4);
    auto h = denseRef(in, w1, b1, 4, 5);
    for (auto& v : h) v = v > 0 ? v : 0;
    auto z = denseRef(h, w2, b2, 5, 3);
    double m = *std::max_element(z.begin(), z.end()), s = 0;
    for (auto& v : z) s += (v = std::exp(v - m));
    for (auto& v : z) v /= s;
    return z;
  }
};

Matrix inputs(long n, long f, uint64_t seed) {
  auto v = randomValues(n * f, seed, 1.0f);
  return Eigen::Map<Matrix>(v.data(), n, f);
}

void expectMatchesReference(Network& net, const Matrix& x, const std::function<std::vector<double>(const float*)>& ref) {
  Matrix y = net.predict(x);
  for (long r = 0; r < x.rows(); ++r) {
    Matrix row = x.row(r);
    auto want = ref(row.data());
    ASSERT_EQ(static_cast<long>(want.size()), y.cols());
    for (long c = 0; c < y.cols(); ++c) EXPECT_NEAR(y(r, c), want[c], 1e-5) << "row " << r << " col " << c;
  }
}

}  // namespace

TEST(OnnxImport, PyTorchGemmAndKerasMatMulAddFormsAgree) {
  Mlp m;
  {  // PyTorch: Gemm with transB=1 and weights [out, in]
    GraphBuilder b({4});
    auto* g1 = b.node("Gemm", {b.init({5, 4}, transposed(m.w1, 4, 5)), b.init({5}, m.b1)});
    GraphBuilder::intAttr(g1, "transB", 1);
    b.node("Relu");
    auto* g2 = b.node("Gemm", {b.init({3, 5}, transposed(m.w2, 5, 3)), b.init({3}, m.b2)});
    GraphBuilder::intAttr(g2, "transB", 1);
    b.node("Softmax");
    b.save("torch_mlp.onnx");
  }
  {  // Keras/tf2onnx: MatMul + Add with weights [in, out], float_data storage, bias first in one Add
    GraphBuilder b({4}, true);
    b.node("MatMul", {b.init({4, 5}, m.w1)});
    b.node("Add", {b.init({5}, m.b1)});
    b.node("Relu");
    b.node("MatMul", {b.init({5, 3}, m.w2)});
    auto* add = b.node("Add", {b.init({3}, m.b2)});
    std::swap(*add->mutable_input(0), *add->mutable_input(1));
    b.node("Identity");
    auto* sm = b.node("Softmax");
    GraphBuilder::intAttr(sm, "axis", 1);
    b.save("keras_mlp.onnx");
  }
  Network torch = importOnnx("torch_mlp.onnx"), keras = importOnnx("keras_mlp.onnx");
  Matrix x = inputs(6, 4, 9);
  auto ref = [&](const float* row) { return m.reference(row); };
  expectMatchesReference(torch, x, ref);
  expectMatchesReference(keras, x, ref);
  EXPECT_TRUE(torch.predict(x).isApprox(keras.predict(x), 1e-6f));
}

namespace {
// NCHW reference conv (valid or padded) + ReLU + 2x2 max pool + flatten + dense.
struct Cnn {
  int C = 2, H = 6, W = 6, F = 3, K = 3, pad = 1;
  std::vector<float> w = randomValues(F * C * K * K, 11), b = randomValues(F, 12);
  std::vector<float> scale = randomValues(F, 13), shift = randomValues(F, 14), mean = randomValues(F, 15);
  std::vector<float> var = {0.5f, 1.5f, 2.0f};
  std::vector<float> wd = randomValues(F * 3 * 3 * 4, 16), bd = randomValues(4, 17);
  // x in C,H,W order; `channelsLast` reads it as H,W,C instead (the Keras layout).
  std::vector<double> reference(const float* x, bool channelsLast) const {
    auto at = [&](int c, int h, int ww) -> double {
      if (h < 0 || h >= H || ww < 0 || ww >= W) return 0.0;
      return channelsLast ? x[(h * W + ww) * C + c] : x[(c * H + h) * W + ww];
    };
    std::vector<double> conv(F * H * W);
    for (int f = 0; f < F; ++f)
      for (int h = 0; h < H; ++h)
        for (int ww = 0; ww < W; ++ww) {
          double s = b[f];
          for (int c = 0; c < C; ++c)
            for (int i = 0; i < K; ++i)
              for (int j = 0; j < K; ++j) s += w[((f * C + c) * K + i) * K + j] * at(c, h - pad + i, ww - pad + j);
          s = (s - mean[f]) / std::sqrt(var[f] + 1e-5) * scale[f] + shift[f];
          conv[(f * H + h) * W + ww] = s > 0 ? s : 0.1 * s;  // LeakyRelu(0.1)
        }
    std::vector<double> pooled;  // 2x2 max pool, flattened in C,H,W order
    for (int f = 0; f < F; ++f)
      for (int h = 0; h < H / 2; ++h)
        for (int ww = 0; ww < W / 2; ++ww) {
          double m = -1e30;
          for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j) m = std::max(m, conv[(f * H + 2 * h + i) * W + 2 * ww + j]);
          pooled.push_back(m);
        }
    auto y = denseRef(pooled, wd, bd, F * 9, 4);
    for (auto& v : y) v = std::tanh(v);
    return y;
  }
  void addConvBlock(GraphBuilder& g) const {
    auto* conv = g.node("Conv", {g.init({F, C, K, K}, w), g.init({F}, b)});
    GraphBuilder::ints(conv, "kernel_shape", {K, K});
    GraphBuilder::ints(conv, "pads", {pad, pad, pad, pad});
    auto* bn = g.node("BatchNormalization", {g.init({F}, scale), g.init({F}, shift), g.init({F}, mean), g.init({F}, var)});
    GraphBuilder::floatAttr(bn, "epsilon", 1e-5f);
    auto* lr = g.node("LeakyRelu");
    GraphBuilder::floatAttr(lr, "alpha", 0.1f);
    auto* mp = g.node("MaxPool");
    GraphBuilder::ints(mp, "kernel_shape", {2, 2});
    GraphBuilder::ints(mp, "strides", {2, 2});
  }
};
}  // namespace

TEST(OnnxImport, ChannelsFirstCnn) {
  Cnn c;
  GraphBuilder g({c.C, c.H, c.W});
  c.addConvBlock(g);
  g.node("Dropout");
  auto* fl = g.node("Flatten");
  GraphBuilder::intAttr(fl, "axis", 1);
  g.node("Gemm", {g.init({c.F * 9, 4}, c.wd), g.init({4}, c.bd)});
  g.node("Tanh");
  g.save("cnn.onnx");
  Network net = importOnnx("cnn.onnx");
  expectMatchesReference(net, inputs(3, c.C * c.H * c.W, 20), [&](const float* x) { return c.reference(x, false); });
}

TEST(OnnxImport, KerasChannelsLastWithTransposes) {
  Cnn c;
  GraphBuilder g({c.H, c.W, c.C});  // NHWC input as exported from Keras
  GraphBuilder::ints(g.node("Transpose"), "perm", {0, 3, 1, 2});
  c.addConvBlock(g);
  GraphBuilder::ints(g.node("Transpose"), "perm", {0, 2, 3, 1});  // back to NHWC before Keras' Flatten
  g.node("Reshape", {g.initInt64({-1, c.F * 9})});
  // Keras' dense weight rows follow the NHWC flatten order: permute the reference's CHW-order rows.
  std::vector<float> wdHwc(c.wd.size());
  for (int f = 0; f < c.F; ++f)
    for (int p = 0; p < 9; ++p)
      for (int o = 0; o < 4; ++o) wdHwc[(p * c.F + f) * 4 + o] = c.wd[(f * 9 + p) * 4 + o];
  g.node("MatMul", {g.init({c.F * 9, 4}, wdHwc)});
  g.node("Add", {g.init({4}, c.bd)});
  g.node("Tanh");
  g.save("keras_cnn.onnx");
  Network net = importOnnx("keras_cnn.onnx");
  // Both Transposes fold away: the network takes channels-first input like a native one, and the
  // dense weights' rows are permuted to the engine's flattening order.
  EXPECT_EQ(net.inputShape(), (Shape{c.C, c.H, c.W}));
  for (size_t i = 0; i < net.size(); ++i) EXPECT_NE(net.layer(i).spec().kind, "Transpose");
  expectMatchesReference(net, inputs(3, c.C * c.H * c.W, 21), [&](const float* x) { return c.reference(x, false); });
}

TEST(OnnxRoundTrip, ExportThenImportIsExact) {
  Network net(Shape{2, 8, 8}, 3);
  net.add(layers::conv2d(4, 3, 1, 1)).add(layers::batchNorm()).add(layers::leakyRelu(0.1f)).add(layers::maxPool(2))
      .add(layers::conv2d(3, 2)).add(layers::averagePool(3)).add(layers::transpose({1, 2, 0})).add(layers::reshape({3, 1}))
      .add(layers::conv1d(2, 1)).add(layers::flatten()).add(layers::dropout(0.2f)).add(layers::dense(6)).add(layers::relu())
      .add(layers::dense(3, false)).add(layers::sigmoid()).add(layers::softmax());
  // Non-trivial BN statistics so the export must carry them.
  net.parameter("BatchNormalization_1.mean").value.setConstant(0.3f);
  net.parameter("BatchNormalization_1.var").value.setConstant(2.0f);
  exportOnnx(net, "roundtrip.onnx");
  Network back = importOnnx("roundtrip.onnx");
  ASSERT_EQ(back.size(), net.size());
  auto a = net.parameters(), b = back.parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i]->value == b[i]->value) << a[i]->name;
  Matrix x = inputs(4, 128, 30);
  EXPECT_TRUE(back.predict(x) == net.predict(x));
  // And a second export of the import is byte-identical in its weights (stable format).
  exportOnnx(back, "roundtrip2.onnx");
  EXPECT_TRUE(importOnnx("roundtrip2.onnx").predict(x) == net.predict(x));
}

TEST(OnnxImport, ErrorsNameTheProblem) {
  GraphBuilder g({4});
  g.node("Sin");
  g.save("sin.onnx");
  try {
    importOnnx("sin.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported operator 'Sin'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sin.onnx"), std::string::npos) << e.what();
  }
  GraphBuilder h({4});
  h.node("MatMul", {h.init({5, 3}, randomValues(15, 1))});
  h.save("mismatch.onnx");
  EXPECT_THROW(importOnnx("mismatch.onnx"), Error);
  std::ofstream("garbage.onnx") << "\xff\xff\xff\xff this is not protobuf";
  EXPECT_THROW(importOnnx("garbage.onnx"), Error);
  EXPECT_THROW(importOnnx("no-such-file.onnx"), Error);
}

// When Debian's python3-torch is installed, a real PyTorch export is imported and compared with
// PyTorch's own inference (through .npy files, which also exercises the NPY reader on numpy output).
TEST(OnnxImport, RealPyTorchExportMatchesPyTorchInference) {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3-torch not installed";
  std::ofstream("torch_export.py") << R"(
import numpy as np, torch
from torch import nn
torch.manual_seed(0)
m = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
                  nn.Conv2d(4, 3, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Dropout(0.3),
                  nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 4), nn.Sigmoid(), nn.Linear(4, 3), nn.Softmax(dim=1))
with torch.no_grad():
    m[1].running_mean.uniform_(-0.5, 0.5)
    m[1].running_var.uniform_(0.5, 2.0)
m.eval()
x = torch.randn(5, 2, 10, 10)
torch.onnx.export(m, x, "torch_export.onnx", input_names=["x"], output_names=["y"],
                  dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, opset_version=13)
np.save("torch_x.npy", x.numpy())
np.save("torch_y.npy", m(x).detach().numpy())
)";
  ASSERT_EQ(std::system("/usr/bin/python3 torch_export.py >/dev/null 2>&1"), 0);
  Network net = importOnnx("torch_export.onnx");
  NpyArray x = readNpy("torch_x.npy"), y = readNpy("torch_y.npy");
  ASSERT_EQ(x.shape, (std::vector<long>{5, 2, 10, 10}));
  Matrix out = net.predict(Eigen::Map<Matrix>(x.values.data(), 5, 200));
  Eigen::Map<Matrix> want(y.values.data(), 5, 3);
  EXPECT_LT((out - want).cwiseAbs().maxCoeff(), 1e-5f);
}
