// Quantised models (QONNX Quant/BipolarQuant/Trunc, QKeras quantizers) from import to HLS: the
// engine's forward pass and the bit-exact HLS simulation both equal a float64 NumPy reference of
// the quantised model (quantised_models.py), without a QUANTIZATION step; and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "hls/NetworkSim.h"
#include "nn/Error.h"
#include "nn/KerasImport.h"
#include "nn/ModelFile.h"
#include "nn/Network.h"
#include "nn/NpyReader.h"
#include "nn/OnnxModel.h"
#include "tasks/HlsConversion.h"

using namespace mmlc;
namespace fs = std::filesystem;

namespace {

const fs::path &models() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("mmlc-quantised-" + std::to_string(::getpid()));
    fs::remove_all(d);
    const std::string cmd = std::string("/usr/bin/python3 ") + MMLC_QUANTISED_MODELS_PY + " " + d.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return d;
  }();
  return dir;
}

struct Reference {
  nn::Matrix x;
  std::vector<float> y;
  long outputs = 0;
};

Reference reference(const std::string &stem) {
  const nn::NpyArray x = nn::readNpy((models() / (stem + "_x.npy")).string());
  const nn::NpyArray y = nn::readNpy((models() / (stem + "_y.npy")).string());
  Reference r;
  r.x = Eigen::Map<const nn::Matrix>(x.values.data(), x.shape[0], x.shape[1]);
  r.y = y.values;
  r.outputs = y.shape[1];
  return r;
}

/// Largest |engine - reference| and |HLS simulation - reference| over every output.
std::pair<double, double> errors(nn::Network &net, const Reference &ref, hls::NetworkDesc *descOut = nullptr) {
  const nn::Matrix got = net.predict(ref.x);
  double engine = 0;
  for (long i = 0; i < got.size(); ++i) engine = std::max(engine, std::fabs(double(got.data()[i]) - ref.y[size_t(i)]));
  tasks::HlsConversionOptions o; // fixed<16,6> everywhere the model does not say otherwise
  hls::NetworkDesc desc = tasks::toHlsNetwork(net, o);
  const hls::NetworkSim sim(desc);
  const size_t n = static_cast<size_t>(ref.x.rows());
  std::vector<double> out(n * static_cast<size_t>(ref.outputs));
  const std::vector<float> in = tasks::toHlsInputOrder(net, ref.x.data(), n);
  sim.run(in.data(), n, out.data());
  double hlsErr = 0;
  for (size_t i = 0; i < out.size(); ++i) hlsErr = std::max(hlsErr, std::fabs(out[i] - ref.y[i]));
  if (descOut) *descOut = desc;
  return {engine, hlsErr};
}

TEST(QuantisedImport, QonnxMlpIsBitExactWithoutQuantization) {
  nn::Network net = nn::importOnnx((models() / "qmlp.onnx").string());
  const Reference ref = reference("qmlp");
  hls::NetworkDesc desc;
  auto [engine, hlsErr] = errors(net, ref, &desc);
  EXPECT_EQ(engine, 0.0);
  EXPECT_EQ(hlsErr, 0.0);
  // The types come from the quantisers: the input, the weights and biases, and the results.
  EXPECT_EQ(desc.inputType.toString(), "fixed<8,4,RND_CONV,SAT>");
  ASSERT_EQ(desc.layers.size(), 3u); // Dense, ReLU, Dense
  EXPECT_EQ(desc.layers[0].weightType.toString(), "fixed<6,2>");
  EXPECT_EQ(desc.layers[0].biasType.toString(), "fixed<8,2>");
  EXPECT_EQ(desc.layers[1].resultType.toString(), "ufixed<6,3,RND_CONV,SAT>");
  // Per-channel scales 2^-2 .. 2^-4 on 4 bits: the finest step and the widest range.
  EXPECT_EQ(desc.layers[2].weightType.toString(), "fixed<6,2>");
  EXPECT_EQ(desc.layers[2].resultType.toString(), "fixed<10,5,RND_INF,SAT>");
  EXPECT_GT(desc.layers[0].accumType.width, 16); // exact, not the task's fixed<16,6>
}

TEST(QuantisedImport, BipolarWeightsAndTrunc) {
  nn::Network net = nn::importOnnx((models() / "binary_trunc.onnx").string());
  auto [engine, hlsErr] = errors(net, reference("binary_trunc"));
  EXPECT_EQ(engine, 0.0);
  EXPECT_EQ(hlsErr, 0.0);
}

TEST(QuantisedImport, QKerasMlpIsBitExactWithoutQuantization) {
  nn::Network net = nn::importKeras((models() / "qkeras_mlp.json").string(), (models() / "qkeras_mlp.h5").string());
  hls::NetworkDesc desc;
  auto [engine, hlsErr] = errors(net, reference("qkeras_mlp"), &desc);
  EXPECT_EQ(engine, 0.0);
  EXPECT_EQ(hlsErr, 0.0);
  EXPECT_EQ(desc.inputType.toString(), "fixed<8,3,RND_CONV,SAT>"); // quantized_bits(8,2)
  EXPECT_EQ(desc.layers[0].weightType.toString(), "fixed<6,1>");   // quantized_bits(6,0)
}

TEST(QuantisedImport, ModelFileKeepsQuantisers) {
  nn::Network net = nn::importOnnx((models() / "qmlp.onnx").string());
  const fs::path file = models() / "qmlp.mmlcnn";
  nn::saveModel(net, file.string());
  nn::Network loaded = nn::loadModel(file.string());
  auto [engine, hlsErr] = errors(loaded, reference("qmlp"));
  EXPECT_EQ(engine, 0.0);
  EXPECT_EQ(hlsErr, 0.0);
}

std::string importError(const std::string &file) {
  try {
    nn::importOnnx((models() / file).string());
  } catch (const nn::Error &e) {
    return e.what();
  }
  return "";
}

std::string conversionError(const std::string &file) {
  nn::Network net = nn::importOnnx((models() / file).string());
  try {
    tasks::toHlsNetwork(net, tasks::HlsConversionOptions{});
  } catch (const std::invalid_argument &e) {
    return e.what();
  }
  return "";
}

TEST(QuantisedImport, Errors) {
  EXPECT_NE(importError("bad_bits.onnx").find("bit width 40"), std::string::npos) << importError("bad_bits.onnx");
  EXPECT_NE(importError("bad_bits.onnx").find("supported range 1..32"), std::string::npos);
  EXPECT_NE(importError("bad_perchannel.onnx").find("per-channel quantisation of activations"), std::string::npos)
      << importError("bad_perchannel.onnx");
  EXPECT_NE(importError("bad_trunc_v1.onnx").find("only Trunc version 2"), std::string::npos)
      << importError("bad_trunc_v1.onnx");
  // These import (the engine computes them) but no ap_fixed cast computes them exactly.
  EXPECT_NE(conversionError("bad_scale.onnx").find("is not a power of two"), std::string::npos)
      << conversionError("bad_scale.onnx");
  EXPECT_NE(conversionError("bad_ceil.onnx").find("rounding mode CEIL"), std::string::npos)
      << conversionError("bad_ceil.onnx");
}

} // namespace

