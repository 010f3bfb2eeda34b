// Every ONNX model of test/fixtures/onnx (real exports from hls4ml's example models and the small
// generated ones of each export pattern) imports and computes what the file itself says: the
// engine's forward pass against a naive interpreter of the file's nodes and initialisers.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

#include "OnnxReference.h"
#include "nn/Error.h"
#include "nn/OnnxModel.h"
#include "nn/Random.h"

using namespace mmlc::nn;
namespace fs = std::filesystem;

namespace {

const std::string kDir = MMLC_ONNX_FIXTURES_DIR;

// The engine's input layout: the ONNX per-sample shape, or its channels-first form when the
// importer folded a channels-last input Transpose.
std::vector<int> engineOrder(const Shape& engine, const std::vector<int64_t>& onnxSample) {
  std::vector<int> perm(onnxSample.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int>(i);
  std::vector<int> same(engine.dims.begin(), engine.dims.end());
  std::vector<int> onnx(onnxSample.begin(), onnxSample.end());
  if (same == onnx) return perm;
  // channels last -> first: engine axis 0 is ONNX's last axis.
  perm.insert(perm.begin(), perm.back());
  perm.pop_back();
  return perm;
}

// Every output of `batch` random samples within `tolerance` (relative) of the reference.
void expectMatches(const std::string& file, double tolerance = 1e-4, int batch = 5) {
  SCOPED_TRACE(file);
  Network net = importOnnx(file);
  std::vector<int64_t> dims = onnxref::onnxInputDims(file, 1);
  const bool fixedOne = dims[0] == 1;
  std::vector<int64_t> sample(dims.begin() + 1, dims.end());
  long size = 1;
  for (int64_t d : sample) size *= d;
  ASSERT_EQ(net.inputShape().size(), size);
  const std::vector<int> perm = engineOrder(net.inputShape(), sample);
  Random rng(7);
  for (int s = 0; s < batch; ++s) {
    onnxref::RefTensor x;
    x.dims = dims;
    x.dims[0] = 1;
    for (long i = 0; i < size; ++i) x.v.push_back(rng.normal());
    // The same sample in the engine's layout (ONNX element at index idx goes to the permuted place).
    Matrix in(1, size);
    std::vector<long> stride(sample.size(), 1), estride(sample.size(), 1);
    std::vector<int64_t> edims(sample.size());
    for (size_t i = 0; i < sample.size(); ++i) edims[i] = sample[perm[i]];
    for (int i = static_cast<int>(sample.size()) - 2; i >= 0; --i) {
      stride[i] = stride[i + 1] * sample[i + 1];
      estride[i] = estride[i + 1] * edims[i + 1];
    }
    for (long e = 0; e < size; ++e) {
      long rem = e, dst = 0;
      std::vector<long> idx(sample.size());
      for (size_t i = 0; i < sample.size(); ++i) {
        idx[i] = rem / stride[i];
        rem %= stride[i];
      }
      for (size_t i = 0; i < sample.size(); ++i) dst += idx[perm[i]] * estride[i];
      in(0, dst) = static_cast<float>(x.v[e]);
    }
    const onnxref::RefTensor want = onnxref::runOnnxReference(file, x);
    const Matrix got = net.predict(in);
    ASSERT_EQ(got.size(), want.size());
    for (long i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got(0, i), want.v[i], tolerance * (1 + std::abs(want.v[i]))) << "sample " << s << " output " << i;
  }
  (void)fixedOne;
}

TEST(OnnxFixtures, RealExportsMatchTheirOwnInitialisers) {
  // hls4ml's example models: Keras MatMul+Add jet tagger, PyTorch BatchNorm1d (Unsqueeze/Squeeze,
  // unnamed nodes, a fixed export batch), Keras channels-last CNN (Transposes, Flatten axis 0).
  for (const char* f : {"three_layer_keras.onnx", "three_layer_bn_pytorch.onnx", "conv2d_small_keras.onnx"})
    expectMatches(kDir + "/" + f);
}

// A real QONNX model after QONNX's channels-last conversion: channels-last wrapped Conv/MaxPool,
// Quant on weights, biases and data, Resize and Concat on channels-last tensors. The network takes
// the channels-first layout (the wrappers' Transposes are views). Every scale is a power of two and
// every quantised value has few bits, so float sums are exact and the engine equals the reference.
TEST(OnnxFixtures, RealQonnxChannelsLastModelMatchesItsOwnInitialisers) {
  const std::string file = kDir + "/branched_model_ch_last.onnx";
  Network net = importOnnx(file);
  EXPECT_EQ(net.inputShape().dims, (std::vector<int>{3, 256, 256}));
  int quantisers = 0;
  for (size_t i = 0; i + 1 < net.size(); ++i) {
    EXPECT_NE(net.layer(i).spec().kind, "Transpose") << "layer " << i;
    quantisers += net.layer(i).spec().kind == "Quant";
  }
  // The 17 data quantisers are layers; the 21 on weights and biases are folded into them.
  EXPECT_EQ(quantisers, 17);
  // Only the graph output, NHWC as the file says, is materialised: (C, H, W) -> (H, W, C).
  EXPECT_EQ(net.layer(net.size() - 1).spec().kind, "Transpose");
  EXPECT_EQ(net.layer(net.size() - 1).spec().perm, (std::vector<int>{1, 2, 0}));
  expectMatches(file, 1e-6, 2);
}

TEST(OnnxFixtures, GeneratedPatternsMatchTheirOwnInitialisers) {
  for (const char* f : {"keras_cnn_same.onnx", "pytorch_bn1d_binary.onnx", "mlp_activations.onnx", "mlp_prelu.onnx",
                        "separable_conv.onnx", "upsample_concat.onnx", "mlp_regression.onnx", "unet_prelu.onnx"})
    expectMatches(kDir + "/generated/" + f);
}

TEST(OnnxFixtures, ChannelsLastExportsLeaveNoTranspose) {
  for (const char* f : {"conv2d_small_keras.onnx", "generated/keras_cnn_same.onnx"}) {
    Network net = importOnnx(kDir + "/" + f);
    for (size_t i = 0; i < net.size(); ++i) EXPECT_NE(net.layer(i).spec().kind, "Transpose") << f << " layer " << i;
    EXPECT_EQ(net.inputShape().rank(), 3);
    EXPECT_EQ(net.inputShape().dims[1], net.inputShape().dims[2]) << "channels first";
  }
  Network bn = importOnnx(kDir + "/three_layer_bn_pytorch.onnx");  // Unsqueeze/Squeeze fold away
  for (size_t i = 0; i < bn.size(); ++i) EXPECT_NE(bn.layer(i).spec().kind, "Reshape");
}

TEST(OnnxFixtures, BadInputIsALocatedError) {
  auto message = [](const std::string& f) {
    try {
      importOnnx(f);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string g = kDir + "/generated/";
  // An unnamed node: its index and output, and the attribute's values.
  EXPECT_EQ(message(g + "bad_dilation.onnx"),
            "ONNX model " + g + "bad_dilation.onnx: node 0 (Conv, output 't1') has dilations=[2,2], which is not supported (all 1)");
  EXPECT_EQ(message(g + "bad_operator.onnx"),
            "ONNX model " + g + "bad_operator.onnx: unsupported operator 'Celu' (node 1, output 't2')");
  EXPECT_NE(message(g + "truncated.onnx").find("truncated.onnx"), std::string::npos);
  EXPECT_NE(message(g + "truncated.onnx"), "no error");
}


// A broken variant of a model, written to a scratch file and imported: the importer's message
// without its "ONNX model FILE: " prefix, or "no error".
std::string importVariant(const onnx::ModelProto& v, const std::string& name) {
  const std::string f = testing::TempDir() + "/" + name;
  {
    std::ofstream out(f, std::ios::binary);
    v.SerializeToOstream(&out);
  }
  try {
    importOnnx(f);
  } catch (const Error& e) {
    return std::string(e.what()).substr(std::string("ONNX model " + f + ": ").size());
  }
  return "no error";
}

bool readModel(const std::string& path, onnx::ModelProto& m) {
  std::ifstream in(path, std::ios::binary);
  return m.ParseFromIstream(&in);
}

// Broken variants of the real channels-last QONNX model: an operator QONNX does not wrap, and a
// Conv weight that is not O x kH x kW x I. Each is an error naming the node.
TEST(OnnxFixtures, BadChannelsLastNodesAreLocatedErrors) {
  onnx::ModelProto m;
  ASSERT_TRUE(readModel(kDir + "/branched_model_ch_last.onnx", m));
  onnx::ModelProto unwrapped = m;
  for (auto& n : *unwrapped.mutable_graph()->mutable_node())
    if (n.name() == "Conv_0") n.set_op_type("Softmax");
  EXPECT_EQ(importVariant(unwrapped, "ch_last_softmax.onnx"),
            "unsupported operator 'qonnx.custom_op.channels_last.Softmax' (node 'Conv_0')");
  onnx::ModelProto flatWeight = m;
  for (auto& i : *flatWeight.mutable_graph()->mutable_initializer())
    if (i.name() == "Quant_0_param0") {
      i.clear_dims();
      i.add_dims(27);
    }
  EXPECT_EQ(importVariant(flatWeight, "ch_last_flat_weight.onnx"), "node 'Conv_0' (Conv) weight has shape of rank 1, expected 4");
}

// Variants of the generated U-Net with PReLU that the importer (and so the HLS side) cannot
// compute: a linear or cubic Resize, a scale that is not a whole factor, a nearest mode that does
// not repeat each value, and PReLU slopes that broadcast to no axis. Each is an error naming the node.
TEST(OnnxFixtures, UnsupportedResizeAndPReluVariantsAreLocatedErrors) {
  onnx::ModelProto m;
  ASSERT_TRUE(readModel(kDir + "/generated/unet_prelu.onnx", m));
  auto withAttr = [&](const std::string& attr, const std::string& value) {
    onnx::ModelProto v = m;
    for (auto& n : *v.mutable_graph()->mutable_node())
      if (n.name() == "resize_6")
        for (auto& a : *n.mutable_attribute())
          if (a.name() == attr) a.set_s(value);
    return v;
  };
  auto withInit = [&](const std::string& name, std::vector<int64_t> dims, std::vector<float> values) {
    onnx::ModelProto v = m;
    for (auto& i : *v.mutable_graph()->mutable_initializer())
      if (i.name() == name) {
        i.clear_dims();
        for (int64_t d : dims) i.add_dims(d);
        i.clear_raw_data();
        i.clear_float_data();
        for (float f : values) i.add_float_data(f);
      }
    return v;
  };
  EXPECT_EQ(importVariant(withAttr("mode", "linear"), "resize_linear.onnx"),
            "node 'resize_6' (Resize) has mode=linear, which is not supported (nearest)");
  EXPECT_EQ(importVariant(withAttr("mode", "cubic"), "resize_cubic.onnx"),
            "node 'resize_6' (Resize) has mode=cubic, which is not supported (nearest)");
  EXPECT_EQ(importVariant(withInit("c6", {4}, {1, 1, 1.5f, 1.5f}), "resize_fraction.onnx"),
            "node 'resize_6' (Resize) has scales [1,1,1.5,1.5]; only whole upsampling factors are supported");
  EXPECT_EQ(importVariant(withInit("c6", {4}, {1, 1, 0.5f, 0.5f}), "resize_down.onnx"),
            "node 'resize_6' (Resize) has scales [1,1,0.5,0.5]; only whole upsampling factors are supported");
  onnx::ModelProto ceil = withAttr("coordinate_transformation_mode", "tf_half_pixel_for_nn");
  for (auto& n : *ceil.mutable_graph()->mutable_node())
    for (auto& a : *n.mutable_attribute())
      if (a.name() == "nearest_mode") a.set_s("ceil");
  EXPECT_EQ(importVariant(ceil, "resize_shifted.onnx"),
            "node 'resize_6' (Resize) has coordinate_transformation_mode=tf_half_pixel_for_nn, nearest_mode=ceil, which does "
            "not repeat each value (only that form of nearest upsampling is supported)");
  // prelu_2 reads 4 channels of 8 x 8: 3 slopes, or a 2 x 8 plane, fit no axis.
  EXPECT_EQ(importVariant(withInit("c2", {3, 1, 1}, {0.1f, 0.2f, 0.3f}), "prelu_three.onnx"),
            "node 'prelu_2' (PRelu) slope of shape [3,1,1] does not broadcast to (4,8,8)");
  EXPECT_EQ(importVariant(withInit("c2", {2, 1, 1, 1, 1}, {0.1f, 0.2f}), "prelu_rank5.onnx"),
            "node 'prelu_2' (PRelu) slope of shape [2,1,1,1,1] does not fit (4,8,8)");
}

}  // namespace
