// Conformance of NetworkSim with the real hls4ml templates: for each template generation in
// test/fixtures/hls4ml-projects, one generated C++ program calls that project's own nnet_utils
// (with its own ap_types, g++ -std=c++14 -O1) on deterministic random inputs for many one-layer
// cases, io_parallel and io_stream, and every output mantissa must equal NetworkSim's for the same
// NetworkDesc. Weights and inputs are exact in float, so both sides hold the same mantissas.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hls/NetworkSim.h"

using namespace mmlc::hls;
namespace fs = std::filesystem;

namespace {

const std::string kProjects = MMLC_HLS4ML_PROJECTS_DIR;
constexpr int kSamples = 1000;

struct Generation {
  std::string label;
  std::string project;  // folder under test/fixtures/hls4ml-projects
  TemplateGeneration gen;
  bool stream;          // also exercise the io_stream templates
};

// One project per generation (detectTemplateGeneration maps all seven fixtures onto these).
const Generation kGenerations[] = {
    {"hls4ml-0.8", "jet-16-6-rf1-vivado2019", TemplateGeneration::Hls4ml_0_8, true},
    {"hls4ml-1.0", "jet-pruned60-u50-vitis2024", TemplateGeneration::Hls4ml_1_0, true},
    {"hls4ml-1.1", "conv1d-stream-u250-vitis2024", TemplateGeneration::Hls4ml_1_1, true},
};

FixedType F(int w, int i, QuantMode q = QuantMode::TRN, OverflowMode o = OverflowMode::WRAP) { return FixedType::fixed(w, i, q, o); }
FixedType U(int w, int i, QuantMode q = QuantMode::TRN, OverflowMode o = OverflowMode::WRAP) { return FixedType::ufixed(w, i, q, o); }
constexpr QuantMode RND = QuantMode::RND;
constexpr OverflowMode SAT = OverflowMode::SAT;

// A one-layer network with its inputs; net.ioType selects the io_parallel or io_stream template.
struct Case {
  std::string name;
  NetworkDesc net;
  std::vector<Raw> inputs;  // kSamples x inputSize mantissas of net.inputType
};

// Mantissas spread over the type's range: the extremes, values next to zero, and uniform values.
Raw randomRaw(std::mt19937_64& rng, const FixedType& t) {
  const Raw lo = t.minRaw(), hi = t.maxRaw();
  switch (rng() % 8) {
    case 0: return lo;
    case 1: return hi;
    case 2: return std::clamp<Raw>(static_cast<Raw>(rng() % 9) - 4, lo, hi);
    default: return lo + static_cast<Raw>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
  }
}

// Float weights that are exactly representable in t (so the template and the simulator hold the
// same mantissas), including the type's extremes.
std::vector<float> randomParams(std::mt19937_64& rng, const FixedType& t, size_t n) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(std::ldexp(static_cast<double>(randomRaw(rng, t)), -t.frac()));
  return v;
}

LayerDesc makeLayer(LayerKind kind, FixedType result) {
  LayerDesc l;
  l.name = "layer";
  l.kind = kind;
  l.weightType = l.biasType = l.accumType = l.resultType = result;
  return l;
}

Case makeCase(const std::string& name, FixedType in, int h, int w, int c, LayerDesc l, unsigned seed,
              IOType io = IOType::Parallel) {
  Case k;
  k.name = name;
  k.net.name = "conf";
  k.net.inputType = in;
  k.net.inputHeight = h;
  k.net.inputWidth = w;
  k.net.inputChannels = c;
  k.net.ioType = io;
  std::mt19937_64 rng(seed * 7919u + 17u);
  if (l.kind == LayerKind::Dense || l.kind == LayerKind::Conv1D || l.kind == LayerKind::Conv2D) {
    const int nIn = l.kind == LayerKind::Dense ? h * w * c : l.kernelH * l.kernelW * c;
    const int nOut = l.kind == LayerKind::Dense ? l.nOut : l.nFilters;
    l.weights = randomParams(rng, l.weightType, static_cast<size_t>(nIn) * nOut);
    l.biases = randomParams(rng, l.biasType, static_cast<size_t>(nOut));
  } else if (isDepthwise(l.kind)) {  // one kernel and one bias per channel
    l.weights = randomParams(rng, l.weightType, static_cast<size_t>(l.kernelH) * l.kernelW * c);
    l.biases = randomParams(rng, l.biasType, static_cast<size_t>(c));
  } else if (l.kind == LayerKind::BatchNorm) {
    l.weights = randomParams(rng, l.weightType, static_cast<size_t>(c));
    l.biases = randomParams(rng, l.biasType, static_cast<size_t>(c));
  } else if (l.kind == LayerKind::PReLU) {  // one slope per element, no biases
    l.weights = randomParams(rng, l.weightType, static_cast<size_t>(h) * w * c);
  }
  k.net.layers.push_back(std::move(l));
  k.inputs.resize(static_cast<size_t>(kSamples) * h * w * c);
  for (Raw& x : k.inputs) x = randomRaw(rng, in);
  return k;
}

// ---------------------------------------------------------------- the cases

std::vector<Case> buildCases(const Generation& g) {
  std::vector<Case> cs;
  unsigned seed = 1;
  const bool v08 = g.gen == TemplateGeneration::Hls4ml_0_8;
  auto add = [&](Case c) {
    c.net.generation = g.gen;
    c.net.resolve();  // layer shapes, used by the code generator
    const auto issues = c.net.templateIssues();  // every case must be computable by the templates
    EXPECT_TRUE(issues.empty()) << g.label << " " << c.name << ": " << issues.front();
    cs.push_back(std::move(c));
  };
  // Dense: latency and resource (transposed weights, several reuse-factor regimes).
  struct DenseTypes { FixedType in, w, b, acc, res; };
  const DenseTypes denseTypes[] = {
      {F(16, 6), F(16, 6), F(16, 6), F(16, 6), F(16, 6)},
      {F(8, 3, RND, SAT), F(6, 1), F(8, 2), F(12, 4, RND, SAT), F(8, 2, RND, SAT)},
      {U(8, 0), F(4, -2), F(6, -1), F(14, 2, RND, SAT), U(6, 2, RND, SAT)},
      {F(10, 12), F(8, 10), F(9, 13), F(24, 26, QuantMode::RND_CONV, OverflowMode::SAT_SYM), F(10, 12, QuantMode::TRN_ZERO, SAT)},
      {F(12, 4), F(8, 2), F(8, 2), F(9, 2, QuantMode::RND_ZERO, OverflowMode::SAT_ZERO), F(12, 4)},
  };
  int di = 0;
  for (const DenseTypes& t : denseTypes) {
    LayerDesc l = makeLayer(LayerKind::Dense, t.res);
    l.nOut = 4;
    l.weightType = t.w;
    l.biasType = t.b;
    l.accumType = t.acc;
    add(makeCase("dense_latency_" + std::to_string(di), t.in, 1, 8, 1, l, seed++));
    for (int rf : {2, 8, 16}) {
      if (di > 2) break;
      LayerDesc r = l;
      r.strategy = Strategy::Resource;
      r.reuseFactor = rf;
      add(makeCase("dense_resource_rf" + std::to_string(rf) + "_" + std::to_string(di), t.in, 1, 8, 1, r, seed++));
    }
    ++di;
  }
  if (v08) {  // 0.8 dispatches RF > n_in with a remainder to dense_resource_rf_gt_nin
    LayerDesc r = makeLayer(LayerKind::Dense, F(8, 2, RND, SAT));
    r.nOut = 4;
    r.weightType = F(6, 1);
    r.accumType = F(10, 3, RND, SAT);
    r.strategy = Strategy::Resource;
    r.reuseFactor = 12;
    add(makeCase("dense_resource_rf12", F(8, 3), 1, 8, 1, r, seed++));
  }
  // Element-wise activations.
  struct ActTypes { FixedType in, res; };
  const ActTypes actTypes[] = {
      {F(16, 6), F(16, 6)},
      {F(16, 6), U(8, 3, RND, SAT)},
      {F(8, 3, RND, SAT), F(12, 1, RND, SAT)},
      {U(10, 4), F(6, 2)},
      {F(10, 12), F(8, -1, RND, SAT)},
      {F(12, -2), F(16, 6, QuantMode::RND_INF, OverflowMode::SAT_SYM)},
  };
  int ai = 0;
  for (const ActTypes& t : actTypes) {
    const std::string s = std::to_string(ai++);
    add(makeCase("linear_" + s, t.in, 1, 16, 1, makeLayer(LayerKind::Linear, t.res), seed++));
    add(makeCase("relu_" + s, t.in, 1, 16, 1, makeLayer(LayerKind::ReLU, t.res), seed++));
    for (LayerKind k : {LayerKind::Sigmoid, LayerKind::Tanh}) {
      for (int ts : {ai % 2 ? 1024 : 256}) {
        LayerDesc l = makeLayer(k, t.res);
        l.tableSize = ts;
        l.tableType = ts == 1024 ? F(18, 8) : F(10, 2, RND, SAT);
        add(makeCase(std::string(k == LayerKind::Sigmoid ? "sigmoid_" : "tanh_") + std::to_string(ts) + "_" + s, t.in, 1, 16, 1,
                     l, seed++));
      }
    }
    if (ai == 1) {
      // 30 fractional bits tell float table expressions from double ones (std::tanh(float) vs
      // std::tanh(double), std::exp(float)).
      for (LayerKind k : {LayerKind::Sigmoid, LayerKind::Tanh}) {
        LayerDesc l = makeLayer(k, F(32, 2));
        l.tableSize = 4096;
        l.tableType = F(32, 2);
        add(makeCase(std::string(k == LayerKind::Sigmoid ? "sigmoid" : "tanh") + "_wide_table", t.in, 1, 16, 1, l, seed++));
      }
    }
    LayerDesc lr = makeLayer(LayerKind::LeakyReLU, t.res);
    lr.alpha = 0.3;
    // 0.8 passes alpha as data_T; 1.x as the layer's param_t.
    lr.paramType = v08 ? t.in : F(8, 1, RND);
    add(makeCase("leaky_relu_" + s, t.in, 1, 16, 1, lr, seed++));
    LayerDesc pr = makeLayer(LayerKind::PReLU, t.res);
    pr.weightType = v08 ? t.in : F(8, 1, RND);  // 0.8: the slopes are data_T; 1.x: param_T
    add(makeCase("prelu_" + s, t.in, 1, 16, 1, pr, seed++));
    LayerDesc ht = makeLayer(LayerKind::HardTanh, t.res);
    ht.slope = 0.2;
    ht.shift = 0.5;
    ht.slopeType = F(16, 6);
    ht.shiftType = ai % 2 ? F(16, 6) : F(4, 1);
    add(makeCase("hard_tanh_" + s, t.in, 1, 16, 1, ht, seed++));
    if (!v08) {  // the activations of framework exports (hls4ml 1.x signatures)
      for (LayerKind k : {LayerKind::ELU, LayerKind::SELU, LayerKind::Softplus, LayerKind::Softsign}) {
        LayerDesc e = makeLayer(k, t.res);
        e.tableSize = ai % 2 ? 1024 : 256;
        e.tableType = ai % 2 ? F(18, 8) : F(10, 2, RND, SAT);
        e.alpha = 0.75;
        e.paramType = F(8, 1, RND);
        add(makeCase(std::string(layerKindName(k)) + "_" + s, t.in, 1, 16, 1, e, seed++));
      }
      LayerDesc hs = ht;
      hs.kind = LayerKind::HardSigmoid;
      add(makeCase("hard_sigmoid_" + s, t.in, 1, 16, 1, hs, seed++));
    }
  }
  // Softmax, every implementation.
  struct SoftTypes { FixedType in, exp, inv, res; int ts; };
  const SoftTypes softTypes[] = {
      {F(16, 6), F(18, 8, RND, SAT), F(18, 8, RND, SAT), F(16, 6), 1024},
      {F(8, 3, RND, SAT), F(12, 5, RND, SAT), F(14, 4, RND, SAT), U(8, 0, RND, SAT), 256},
      {F(12, 4), F(10, 3), F(18, 8, RND, SAT), F(16, 6), 1024},
      {F(14, 8), F(18, 10, RND, SAT), F(18, 4, RND, SAT), F(18, 2, RND, SAT), 512},
      {F(16, 6), F(32, 10, RND, SAT), F(32, 4, RND, SAT), F(32, 2, RND, SAT), 1024},
      // Unsigned inputs: x - max(x) <= 0 is passed to softmax_idx_from_real_val as data_T.
      {U(10, 4, RND, SAT), F(18, 8, RND, SAT), F(18, 8, RND, SAT), U(16, 0, RND, SAT), 1024},
      {U(12, 5), F(18, 8, RND, SAT), F(18, 8, RND, SAT), F(16, 6), 256},
  };
  int si = 0;
  for (const SoftTypes& t : softTypes) {
    for (SoftmaxImpl impl : {SoftmaxImpl::Latency, SoftmaxImpl::Stable, SoftmaxImpl::Legacy, SoftmaxImpl::Argmax}) {
      LayerDesc l = makeLayer(LayerKind::Softmax, t.res);
      l.softmaxImpl = impl;
      l.tableSize = t.ts;
      l.expTableType = t.exp;
      l.invTableType = t.inv;
      l.tableType = F(18, 8);
      if (g.gen == TemplateGeneration::Hls4ml_1_1) {
        l.invTableSize = t.ts * 2;
        l.accumType = si % 2 ? t.exp : F(20, 10, RND, SAT);
        l.invInpType = si % 2 ? t.exp : F(16, 8, RND, SAT);
        l.inpNormType = si % 2 ? U(t.in.width, t.in.integer - 1) : U(10, 4, RND, SAT);
        l.expScale = si == 3 ? 0.5 : 1.0;
      }
      add(makeCase(std::string("softmax_") + softmaxImplName(impl) + "_" + std::to_string(si), t.in, 1, 5 + si, 1, l, seed++));
    }
    ++si;
  }
  // Batch normalisation (per-channel scale and shift).
  {
    LayerDesc l = makeLayer(LayerKind::BatchNorm, F(16, 6));
    l.weightType = F(12, 3);
    l.biasType = F(10, 4);
    add(makeCase("normalize_0", F(16, 6), 1, 4, 3, l, seed++));
    l.resultType = F(8, 2, RND, SAT);
    l.weightType = U(6, 1);
    add(makeCase("normalize_1", F(8, 3, RND, SAT), 1, 4, 3, l, seed++));
  }
  // Convolutions with padding and stride.
  {
    LayerDesc c = makeLayer(LayerKind::Conv1D, F(16, 6));
    c.nFilters = 3;
    c.kernelW = 3;
    c.padLeft = 1;
    c.padRight = 1;
    add(makeCase("conv1d_0", F(16, 6), 1, 8, 2, c, seed++));
    c.strideW = 2;
    c.padLeft = 0;
    c.padRight = 2;
    c.weightType = F(6, 1);
    c.accumType = F(12, 4, RND, SAT);
    c.resultType = F(8, 2, RND, SAT);
    add(makeCase("conv1d_1", F(8, 3, RND, SAT), 1, 9, 2, c, seed++));
    c.strategy = Strategy::Resource;  // conv_1d_resource_cl: RF <= filt_width * n_chan
    c.reuseFactor = 2;
    add(makeCase("conv1d_resource", F(8, 3, RND, SAT), 1, 9, 2, c, seed++));
    c.strategy = Strategy::Latency;
    c.reuseFactor = 1;
    LayerDesc d = makeLayer(LayerKind::Conv2D, F(16, 6));
    d.nFilters = 2;
    d.kernelH = d.kernelW = 3;
    d.padTop = d.padBottom = d.padLeft = d.padRight = 1;
    add(makeCase("conv2d_0", F(16, 6), 5, 5, 2, d, seed++));
    d.strideH = 2;
    d.strideW = 1;
    d.padTop = d.padLeft = 0;
    d.padBottom = 1;
    d.padRight = 2;
    d.weightType = F(6, 1);
    d.accumType = F(12, 4, RND, SAT);
    d.resultType = U(8, 2, RND, SAT);
    add(makeCase("conv2d_1", F(8, 3, RND, SAT), 5, 4, 2, d, seed++));
    d.strategy = Strategy::Resource;
    d.reuseFactor = 3;
    add(makeCase("conv2d_resource", F(8, 3, RND, SAT), 5, 4, 2, d, seed++));
  }
  // Depthwise convolutions (nnet_sepconv1d/2d.h from hls4ml 1.0; 0.8 has none outside its io_stream
  // separable convolution): saturating and wrapping accumulators, padding and stride.
  if (!v08) {
    LayerDesc c = makeLayer(LayerKind::DepthwiseConv1D, F(16, 6));
    c.kernelW = 3;
    c.padLeft = 1;
    c.padRight = 1;
    add(makeCase("depthwise1d_0", F(16, 6), 1, 8, 3, c, seed++));
    c.strideW = 2;
    c.padLeft = 0;
    c.padRight = 2;
    c.weightType = F(6, 1);
    c.biasType = F(7, 2);
    c.accumType = F(10, 3, RND, SAT);
    c.resultType = U(8, 2, RND, SAT);
    add(makeCase("depthwise1d_1", F(8, 3, RND, SAT), 1, 9, 2, c, seed++));
    LayerDesc d = makeLayer(LayerKind::DepthwiseConv2D, F(16, 6));
    d.kernelH = d.kernelW = 3;
    d.padTop = d.padBottom = d.padLeft = d.padRight = 1;
    add(makeCase("depthwise2d_0", F(16, 6), 5, 5, 2, d, seed++));
    d.kernelW = 2;
    d.strideH = 2;
    d.padTop = d.padLeft = 0;
    d.padBottom = 1;
    d.padRight = 2;
    d.weightType = F(6, 1);
    d.accumType = F(11, 4, QuantMode::RND_CONV, OverflowMode::SAT_SYM);
    d.resultType = F(8, 2, RND, SAT);
    add(makeCase("depthwise2d_1", F(8, 3, RND, SAT), 5, 4, 3, d, seed++));
  }
  // Separable convolutions (1.x io_parallel): depthwise into its own result type (dw_res_T),
  // then a pointwise convolution (kernel 1).
  auto separable = [&](const std::string& name, FixedType in, int h, int w, int c, LayerDesc d, FixedType dwRes,
                       LayerDesc pw, IOType io) {
    if (g.gen == TemplateGeneration::Hls4ml_0_8) dwRes = in;  // 0.8 keeps the depthwise result in data_T
    d.resultType = dwRes;
    Case k = makeCase(name, in, h, w, c, d, seed++, io);
    std::mt19937_64 rng(seed * 104729u + 5u);
    pw.name = "pointwise";
    pw.weights = randomParams(rng, pw.weightType, static_cast<size_t>(c) * pw.nFilters);
    pw.biases = randomParams(rng, pw.biasType, static_cast<size_t>(pw.nFilters));
    k.net.layers.push_back(pw);
    add(std::move(k));
  };
  {
    LayerDesc pw = makeLayer(LayerKind::Conv1D, F(10, 3, RND, SAT));
    pw.nFilters = 4;
    pw.weightType = F(6, 1);
    pw.biasType = F(6, 2);
    pw.accumType = F(14, 5, RND, SAT);
    LayerDesc d = makeLayer(LayerKind::DepthwiseConv1D, F(16, 6));
    d.kernelW = 3;
    d.weightType = F(7, 2);
    d.accumType = F(12, 4, RND, SAT);
    if (!v08) {
      LayerDesc dp = d;
      dp.padLeft = dp.padRight = 1;
      separable("separable1d", F(8, 3, RND, SAT), 1, 8, 3, dp, F(9, 3, RND, SAT), pw, IOType::Parallel);
      LayerDesc d2 = d;
      d2.kind = LayerKind::DepthwiseConv2D;
      d2.kernelH = 2;
      d2.padBottom = d2.padRight = 1;
      LayerDesc pw2 = pw;
      pw2.kind = LayerKind::Conv2D;
      separable("separable2d", F(8, 3, RND, SAT), 4, 5, 2, d2, F(8, 2), pw2, IOType::Parallel);
    }
    if (g.stream) {
      separable("stream_separable1d", F(8, 3, RND, SAT), 1, 9, 3, d, F(9, 3, RND, SAT), pw, IOType::Stream);
      LayerDesc d2 = d;
      d2.kind = LayerKind::DepthwiseConv2D;
      d2.kernelH = 2;
      LayerDesc pw2 = pw;
      pw2.kind = LayerKind::Conv2D;
      separable("stream_separable2d", F(8, 3, RND, SAT), 4, 5, 2, d2, F(8, 2), pw2, IOType::Stream);
    }
  }
  // HGQ's per-element quantizer (hls4ml writes it into nnet_code_gen.h as h_quantize_N:
  // out[i] = ap_fixed<...>(inp[i]) per element).
  {
    LayerDesc q = makeLayer(LayerKind::Quantize, F(14, 5));
    std::mt19937_64 rng(99);
    for (int i = 0; i < 12; ++i) {
      const int w = 4 + static_cast<int>(rng() % 9), in = static_cast<int>(rng() % 7) - 1;
      const QuantMode qm = rng() % 2 ? RND : QuantMode::TRN;
      const OverflowMode om = rng() % 3 == 0 ? SAT : OverflowMode::WRAP;
      q.elementTypes.push_back(rng() % 4 == 0 ? U(w, in, qm, om) : F(w, in, qm, om));
    }
    add(makeCase("h_quantize", F(16, 6), 1, 12, 1, q, seed++));
  }
  // Zero padding.
  {
    LayerDesc z = makeLayer(LayerKind::ZeroPad, F(8, 3, RND, SAT));
    z.padLeft = 2;
    z.padRight = 1;
    add(makeCase("zeropad1d", F(16, 6), 1, 6, 3, z, seed++));
    z.padTop = 1;
    z.padBottom = 2;
    add(makeCase("zeropad2d", F(16, 6), 4, 3, 2, z, seed++));
  }
  // Nearest upsampling (one data_T: the result type is the input's).
  {
    LayerDesc u = makeLayer(LayerKind::Upsample, F(8, 3, RND, SAT));
    u.scaleW = 3;
    add(makeCase("resize_nearest1d", F(8, 3, RND, SAT), 1, 5, 2, u, seed++));
    u.scaleH = 2;
    u.scaleW = 2;
    add(makeCase("resize_nearest2d", F(12, 4), 3, 4, 3, u, seed++));
    u.scaleH = 3;
    add(makeCase("resize_nearest2d_3x2", F(6, 2), 5, 2, 2, u, seed++));
  }
  // Pooling, max and average, 1-D and 2-D, window and global. 0.8's pooling1d/2d_cl and 1.0's
  // pooling2d_cl only fill a stride-sized window, so there pool == stride (NetworkDesc::resolve
  // rejects the rest).
  struct PoolTypes { FixedType in, acc, res; };
  const PoolTypes poolTypes[] = {
      {F(8, 3, RND, SAT), F(10, 4, RND, SAT), F(8, 3)},
      {U(8, 4), F(9, 4), U(6, 3, RND, SAT)},
      {F(8, 3), F(8, 2, RND, SAT), F(8, 3)},
  };
  int pi = 0;
  for (const PoolTypes& t : poolTypes) {
    const std::string s = std::to_string(pi++);
    for (bool avg : {false, true}) {
      const std::string op = avg ? "avg" : "max";
      LayerDesc p = makeLayer(avg ? LayerKind::AvgPool : LayerKind::MaxPool, t.res);
      p.accumType = t.acc;
      p.kernelW = p.strideW = 2;
      add(makeCase("pooling1d_" + op + "_" + s, t.in, 1, 9, 3, p, seed++));
      if (!v08) {
        p.kernelW = 3;
        add(makeCase("pooling1d_overlap_" + op + "_" + s, t.in, 1, 9, 3, p, seed++));
      }
      p.kernelH = p.strideH = 2;
      p.kernelW = p.strideW = 2;
      add(makeCase("pooling2d_" + op + "_" + s, t.in, 4, 5, 2, p, seed++));
      if (g.gen == TemplateGeneration::Hls4ml_1_1) {  // 0.8 and 1.0 need pool == stride in 2-D
        p.kernelH = 3;
        p.strideW = 1;
        add(makeCase("pooling2d_overlap_" + op + "_" + s, t.in, 5, 4, 2, p, seed++));
      }
      LayerDesc gp = makeLayer(avg ? LayerKind::GlobalAvgPool : LayerKind::GlobalMaxPool, t.res);
      gp.accumType = t.acc;
      add(makeCase("global_pooling1d_" + op + "_" + s, t.in, 1, 7, 3, gp, seed++));
      add(makeCase("global_pooling2d_" + op + "_" + s, t.in, 3, 4, 2, gp, seed++));
    }
  }
  if (!g.stream) return cs;
  // io_stream versions (nnet::array packs, hls::stream).
  const IOType S = IOType::Stream;
  {
    LayerDesc l = makeLayer(LayerKind::Dense, F(8, 2, RND, SAT));
    l.nOut = 5;
    l.weightType = F(6, 1);
    l.accumType = F(12, 4, RND, SAT);
    add(makeCase("stream_dense", F(8, 3, RND, SAT), 1, 6, 1, l, seed++, S));
    add(makeCase("stream_relu", F(16, 6), 1, 12, 1, makeLayer(LayerKind::ReLU, U(8, 3, RND, SAT)), seed++, S));
    for (SoftmaxImpl impl : {SoftmaxImpl::Latency, SoftmaxImpl::Stable}) {
      LayerDesc sm = makeLayer(LayerKind::Softmax, F(16, 6));
      sm.softmaxImpl = impl;
      sm.expTableType = F(18, 8, RND, SAT);
      sm.invTableType = F(18, 8, RND, SAT);
      sm.accumType = F(16, 6, RND, SAT);
      sm.invInpType = F(18, 8, RND, SAT);
      sm.inpNormType = U(15, 5);
      add(makeCase(std::string("stream_softmax_") + softmaxImplName(impl), F(16, 6), 1, 6, 1, sm, seed++, S));
    }
    LayerDesc c = makeLayer(LayerKind::Conv1D, F(8, 2, RND, SAT));
    c.nFilters = 4;
    c.kernelW = 3;
    c.weightType = F(6, 1);
    c.accumType = F(12, 4, RND, SAT);
    add(makeCase("stream_conv1d", F(8, 3, RND, SAT), 1, 10, 3, c, seed++, S));
    c.strideW = 2;
    add(makeCase("stream_conv1d_stride2", F(16, 6), 1, 11, 3, c, seed++, S));
    // io_stream depthwise (1.x; 0.8's nnet_sepconv*_stream.h has depthwise_conv_*_buffer_cl only
    // inside separable_conv_*_cl): no padding (the templates assert it; hls4ml inserts a
    // zero-padding layer).
    if (!v08) {
      LayerDesc dc = makeLayer(LayerKind::DepthwiseConv1D, F(8, 2, RND, SAT));
      dc.kernelW = 3;
      dc.weightType = F(6, 1);
      dc.accumType = F(10, 3, RND, SAT);
      add(makeCase("stream_depthwise1d", F(8, 3, RND, SAT), 1, 10, 3, dc, seed++, S));
      dc.strideW = 2;
      dc.accumType = F(16, 6);
      add(makeCase("stream_depthwise1d_stride2", F(16, 6), 1, 11, 2, dc, seed++, S));
      LayerDesc d2 = makeLayer(LayerKind::DepthwiseConv2D, F(8, 2, RND, SAT));
      d2.kernelH = d2.kernelW = 3;
      d2.weightType = F(6, 1);
      d2.accumType = F(10, 3, RND, SAT);
      add(makeCase("stream_depthwise2d", F(8, 3, RND, SAT), 5, 6, 2, d2, seed++, S));
      d2.strideH = d2.strideW = 2;
      add(makeCase("stream_depthwise2d_stride2", F(16, 6), 7, 5, 3, d2, seed++, S));
    }
    LayerDesc z = makeLayer(LayerKind::ZeroPad, F(16, 6));
    z.padLeft = 1;
    z.padRight = 2;
    add(makeCase("stream_zeropad1d", F(16, 6), 1, 6, 3, z, seed++, S));
    LayerDesc c2 = makeLayer(LayerKind::Conv2D, F(8, 2, RND, SAT));
    c2.nFilters = 3;
    c2.kernelH = c2.kernelW = 3;
    c2.weightType = F(6, 1);
    c2.accumType = F(12, 4, RND, SAT);
    add(makeCase("stream_conv2d", F(8, 3, RND, SAT), 5, 6, 2, c2, seed++, S));
    c2.strideH = c2.strideW = 2;
    add(makeCase("stream_conv2d_stride2", F(16, 6), 7, 5, 2, c2, seed++, S));
    z.padTop = 2;
    z.padBottom = 1;
    add(makeCase("stream_zeropad2d", F(16, 6), 3, 4, 2, z, seed++, S));
    LayerDesc u = makeLayer(LayerKind::Upsample, F(12, 4));
    u.scaleH = 2;
    u.scaleW = 3;
    add(makeCase("stream_resize_nearest2d", F(12, 4), 3, 4, 2, u, seed++, S));
    LayerDesc pr = makeLayer(LayerKind::PReLU, F(10, 3, RND, SAT));
    pr.weightType = v08 ? F(12, 4) : F(8, 1, RND);
    add(makeCase("stream_prelu", F(12, 4), 1, 12, 1, pr, seed++, S));
    for (const PoolTypes& t : poolTypes) {
      const std::string s = std::to_string(&t - poolTypes);
      for (bool avg : {false, true}) {
        const std::string op = avg ? "avg" : "max";
        LayerDesc p = makeLayer(avg ? LayerKind::AvgPool : LayerKind::MaxPool, t.res);
        p.accumType = t.acc;
        p.kernelW = 3;
        p.strideW = 2;
        add(makeCase("stream_pooling1d_" + op + "_" + s, t.in, 1, 9, 3, p, seed++, S));
        p.kernelH = p.strideH = 2;
        p.kernelW = p.strideW = 2;  // the io_stream pooling2d_cl needs pool == stride
        add(makeCase("stream_pooling2d_" + op + "_" + s, t.in, 4, 6, 3, p, seed++, S));
        LayerDesc gp = makeLayer(avg ? LayerKind::GlobalAvgPool : LayerKind::GlobalMaxPool, t.res);
        gp.accumType = t.acc;
        add(makeCase("stream_global_pooling1d_" + op + "_" + s, t.in, 1, 7, 3, gp, seed++, S));
        add(makeCase("stream_global_pooling2d_" + op + "_" + s, t.in, 3, 4, 2, gp, seed++, S));
      }
    }
  }
  return cs;
}

// ---------------------------------------------------------------- code generation

std::string rawList(const std::vector<float>& v, const FixedType& t) {
  std::string s;
  for (float x : v) s += std::to_string(fromDouble(x, t)) + "LL,";
  return s;
}

// Parameters as template-typed arrays filled from their mantissas.
std::string paramArray(const std::string& name, const FixedType& t, const std::vector<float>& v) {
  return "static " + t.toCpp() + " " + name + "[" + std::to_string(v.size()) + "];\nstatic const long long " + name +
         "_raw[] = {" + rawList(v, t) + "};\n";
}

std::string fillParam(const std::string& name, size_t n) {
  return "  for (unsigned i = 0; i < " + std::to_string(n) + "; i++) set_raw(" + name + "[i], " + name + "_raw[i]);\n";
}

const char* kPrelude = R"(
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"
#include "nnet_utils/nnet_types.h"
#include "nnet_utils/nnet_code_gen.h"
#include "nnet_utils/nnet_helpers.h"
#include "nnet_utils/nnet_activation.h"
#include "nnet_utils/nnet_batchnorm.h"
#include "nnet_utils/nnet_conv1d.h"
#include "nnet_utils/nnet_conv2d.h"
#include "nnet_utils/nnet_dense.h"
#include "nnet_utils/nnet_image.h"
#include "nnet_utils/nnet_padding.h"
#include "nnet_utils/nnet_pooling.h"
#if CONF_SEPCONV_PARALLEL
#include "nnet_utils/nnet_sepconv1d.h"
// hls4ml's nnet_sepconv1d_latency.h uses nnet_sepconv2d_latency.h's include guard, so a program
// including both sees only the first; undo that to get depthwise_conv_2d_latency_cl too.
#undef NNET_SEPARABLE_CONV2D_LATENCY_H_
#include "nnet_utils/nnet_sepconv2d.h"
#endif
#if CONF_STREAM
#include "nnet_utils/nnet_activation_stream.h"
#include "nnet_utils/nnet_conv1d_stream.h"
#include "nnet_utils/nnet_conv2d_stream.h"
#include "nnet_utils/nnet_dense_stream.h"
#include "nnet_utils/nnet_image_stream.h"
#include "nnet_utils/nnet_padding_stream.h"
#include "nnet_utils/nnet_pooling_stream.h"
#include "nnet_utils/nnet_sepconv1d_stream.h"
#include "nnet_utils/nnet_sepconv2d_stream.h"
#endif

static FILE* in_file;
static long long rd() {
  long long v;
  if (std::fscanf(in_file, "%lld", &v) != 1) { std::fprintf(stderr, "short input\n"); std::exit(3); }
  return v;
}
template <class T> void set_raw(T& x, long long v) {
  ap_uint<T::width> u = (unsigned long long)v;
  x.range(T::width - 1, 0) = u;
}
// One output line per sample, written at once so that nothing the headers print can split it.
static char line[1 << 16];
static int line_len;
static void begin_line(int id, int s) { line_len = std::snprintf(line, sizeof line, "%d %d", id, s); }
template <class T> void put(const T& x) {
  ap_uint<T::width> u = x.range(T::width - 1, 0);
  line_len += std::snprintf(line + line_len, sizeof line - line_len, " %llu", (unsigned long long)u.to_uint64());
}
static void end_line() { std::printf("%s\n", line); }
)";

std::string emitRunner(int id, const std::string& inT, const std::string& resT, int nIn, int nOut, int inPack, int outPack,
                       bool stream, const std::string& setup, const std::string& call);
std::string emitSeparable(const Case& k, int id, const Generation& g);

// The config struct, parameters and runner of one case. With setupOut, only the config structs
// and parameters: the code filling the parameters goes to *setupOut, the template call to *callOut.
std::string emitCase(const Case& k, int id, const Generation& g, std::string* setupOut = nullptr,
                     std::string* callOut = nullptr) {
  if (k.net.layers.size() == 2) return emitSeparable(k, id, g);
  const LayerDesc& l = k.net.layers[0];
  const std::string I = std::to_string(id);
  const std::string cfg = "config" + I;
  const std::string inT = k.net.inputType.toCpp(), resT = l.resultType.toCpp();
  const bool v08 = g.gen == TemplateGeneration::Hls4ml_0_8, v11 = g.gen == TemplateGeneration::Hls4ml_1_1;
  const bool stream = k.net.ioType == IOType::Stream;
  const int nIn = l.inputSize(), nOut = l.outputSize();
  auto u = [](long v) { return std::to_string(v); };
  std::ostringstream o;
  o << "// case " << id << ": " << k.name << "\n";
  std::string call, setup;
  auto denseConfig = [&](const std::string& name, int n_in, int n_out, bool resource, int rf, const char* kernelName = nullptr) {
    o << "struct " << name << " : nnet::dense_config {\n"
      << "  static const unsigned n_in = " << n_in << ", n_out = " << n_out << ";\n"
      << "  static const unsigned io_type = nnet::" << (stream ? "io_stream" : "io_parallel") << ";\n"
      << "  static const unsigned strategy = nnet::" << (resource ? "resource" : "latency") << ";\n"
      << "  static const unsigned reuse_factor = " << rf << ", n_zeros = 0, n_nonzeros = " << n_in * n_out << ";\n"
      << "  static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor);\n"
      << "  static const bool store_weights_in_bram = false;\n"
      << "  typedef " << l.accumType.toCpp() << " accum_t;\n  typedef " << l.biasType.toCpp() << " bias_t;\n"
      << "  typedef " << l.weightType.toCpp() << " weight_t;\n  typedef ap_uint<1> index_t;\n"
      << "  template <class x_T, class y_T> using product = nnet::product::mult<x_T, y_T>;\n";
    if (!v08) {
      const char* kernel = kernelName ? kernelName
                           : !resource ? "DenseLatency"
                           : rf <= n_in ? "DenseResource_rf_leq_nin"
                                        : "DenseResource_rf_gt_nin_rem0";
      o << "  template <class d_T, class r_T, class C_T> using kernel = nnet::" << kernel << "<d_T, r_T, C_T>;\n";
    }
    o << "};\n";
  };
  // Parameters.
  const bool hasWeights = !l.weights.empty();
  if (hasWeights) {
    std::vector<float> w = l.weights;
    if (l.strategy == Strategy::Resource)  // hls4ml writes them transposed
      for (int i = 0; i < l.nIn; ++i)
        for (int j = 0; j < l.nOut; ++j) w[static_cast<size_t>(j) * l.nIn + i] = l.weights[static_cast<size_t>(i) * l.nOut + j];
    o << paramArray("w" + I, l.weightType, w);
    setup += fillParam("w" + I, w.size());
    if (!l.biases.empty()) {  // PReLU has slopes only
      o << paramArray("b" + I, l.biasType, l.biases);
      setup += fillParam("b" + I, l.biases.size());
    }
  }
  switch (l.kind) {
    case LayerKind::Dense:
      denseConfig(cfg, l.nIn, l.nOut, l.strategy == Strategy::Resource, l.reuseFactor);
      call = "nnet::dense<IN_T, OUT_T, " + cfg + ">(x, y, w" + I + ", b" + I + ");";
      break;
    case LayerKind::Conv1D:
    case LayerKind::Conv2D:
    case LayerKind::DepthwiseConv1D:
    case LayerKind::DepthwiseConv2D: {
      const bool dw = isDepthwise(l.kind);
      const bool two = l.kind == LayerKind::Conv2D || l.kind == LayerKind::DepthwiseConv2D;
      const int kh = l.kernelH, kw = l.kernelW, c = l.inChannels;
      const bool resource = l.strategy == Strategy::Resource;
      // 1.1's io_stream depthwise calls mult_config::kernel (DepthwiseDenseLatency over the
      // kernel_size * n_chan window, n_chan outputs); the others call depthwise_product directly.
      denseConfig(cfg + "_mult", kh * kw * c, l.nFilters, resource, l.reuseFactor,
                  dw && v11 ? "DepthwiseDenseLatency" : nullptr);
      // hls4ml generates one fill_buffer per layer: the im2col patch of output pixel `partition`
      // (n_pixels = 1), zeros in the padding, in (kernel row, kernel column, channel) order.
      o << "template <class data_T, typename CONFIG_T> class fill" << I << " : public nnet::FillConv" << (two ? "2" : "1")
        << "DBuffer<data_T, CONFIG_T> {\n public:\n  static void fill_buffer(data_T data[], data_T buffer[CONFIG_T::n_pixels]["
        << kh * kw * c << "], const unsigned partition) {\n"
        << "    const int oh = partition / " << l.outWidth << ", ow = partition % " << l.outWidth << ";\n"
        << "    for (int kh = 0; kh < " << kh << "; kh++) for (int kw = 0; kw < " << kw << "; kw++) for (int c = 0; c < " << c
        << "; c++) {\n"
        << "      const int ih = oh * " << l.strideH << " + kh - " << l.padTop << ", iw = ow * " << l.strideW << " + kw - "
        << l.padLeft << ";\n"
        << "      const bool in = ih >= 0 && ih < " << l.inHeight << " && iw >= 0 && iw < " << l.inWidth << ";\n"
        << "      buffer[0][(kh * " << kw << " + kw) * " << c << " + c] = in ? data[(ih * " << l.inWidth << " + iw) * " << c
        << " + c] : data_T(0);\n    }\n  }\n};\n";
      o << "struct " << cfg << " : nnet::conv" << (two ? "2" : "1") << "d_config {\n";
      if (two)
        o << "  static const unsigned pad_top = " << l.padTop << ", pad_bottom = " << l.padBottom << ";\n"
          << "  static const unsigned in_height = " << l.inHeight << ", filt_height = " << kh << ", stride_height = " << l.strideH
          << ", out_height = " << l.outHeight << ", dilation_height = 1;\n";
      o << "  static const unsigned pad_left = " << l.padLeft << ", pad_right = " << l.padRight << ";\n"
        << "  static const unsigned in_width = " << l.inWidth << ", n_chan = " << c << ", filt_width = " << kw
        << ", kernel_size = " << kh * kw << ", n_filt = " << l.nFilters << ";\n"
        << "  static const unsigned stride_width = " << l.strideW << ", dilation = 1, dilation_width = 1, out_width = "
        << l.outWidth << ";\n"
        << "  static const unsigned reuse_factor = " << l.reuseFactor << ", n_zeros = 0;\n"
        << "  static const unsigned multiplier_limit = DIV_ROUNDUP(kernel_size * n_chan * n_filt, reuse_factor);\n"
        << "  static const bool store_weights_in_bram = false;\n  static const unsigned strategy = nnet::"
        << (resource ? "resource" : "latency") << ";\n"
        << (!stream ? "" : "  static const nnet::conv_implementation implementation = nnet::conv_implementation::linebuffer;\n")
        << "  static const unsigned min_height = " << l.inHeight << ", min_width = " << l.inWidth << ";\n"
        << "  static const unsigned n_partitions = " << l.outHeight * l.outWidth << ", n_pixels = 1;\n"
        << "  template <class data_T, class CONFIG_T> using fill_buffer = fill" << I << "<data_T, CONFIG_T>;\n"
        << "  typedef " << l.accumType.toCpp() << " accum_t;\n  typedef " << l.biasType.toCpp() << " bias_t;\n"
        << "  typedef " << l.weightType.toCpp() << " weight_t;\n  typedef " << cfg << "_mult mult_config;\n";
      if (!v08 && !stream && !two)
        o << "  template <class d_T, class r_T, class C_T> using conv_kernel = nnet::Conv1D"
          << (resource ? "Resource" : "Latency") << "<d_T, r_T, C_T>;\n";
      // The encoded implementation's instruction table, unused by linebuffer (as hls4ml writes it).
      const std::string pixelT = two ? "ap_uint<filt_height * filt_width>" : "ap_uint<filt_width>";
      if (stream)
        o << "  template <unsigned K, unsigned S, unsigned W> using scale_index = nnet::scale_index_regular<K, S, W>;\n"
          << "  template <unsigned K, unsigned S, unsigned W> using scale_index_height = nnet::scale_index_regular<K, S, W>;\n"
          << "  template <unsigned K, unsigned S, unsigned W> using scale_index_width = nnet::scale_index_regular<K, S, W>;\n"
          << "  static const " << pixelT << " pixels[min_height * min_width];\n";
      o << "};\n";
      if (stream)
        o << "const " << (two ? "ap_uint<" + cfg + "::filt_height * " + cfg + "::filt_width>" : "ap_uint<" + cfg + "::filt_width>")
          << " " << cfg << "::pixels[] = {0};\n";
      call = std::string(dw ? "nnet::depthwise_conv_" : "nnet::conv_") + (two ? "2" : "1") + "d_cl<IN_T, OUT_T, " + cfg +
             ">(x, y, w" + I + ", b" + I + ");";
      break;
    }
    case LayerKind::BatchNorm:
      o << "struct " << cfg << " : nnet::batchnorm_config {\n  static const unsigned n_in = " << nIn
        << ", n_filt = " << l.inChannels << ", n_scale_bias = " << l.inChannels << ";\n"
        << "  static const unsigned io_type = nnet::io_parallel, reuse_factor = 1, n_zeros = 0;\n"
        << "  static const bool store_weights_in_bram = false;\n"
        << "  typedef " << l.biasType.toCpp() << " bias_t;\n  typedef " << l.weightType.toCpp() << " scale_t;\n"
        << "  template <class x_T, class y_T> using product = nnet::product::mult<x_T, y_T>;\n};\n";
      call = "nnet::normalize<IN_T, OUT_T, " + cfg + ">(x, y, w" + I + ", b" + I + ");";
      break;
    case LayerKind::Upsample:
      o << "struct " << cfg << " : nnet::resize_config {\n  static const unsigned height = " << l.inHeight
        << ", width = " << l.inWidth << ", n_chan = " << l.inChannels << ", new_height = " << l.outHeight
        << ", new_width = " << l.outWidth << ";\n};\n";
      call = "nnet::resize_nearest<IN_T, " + cfg + ">(x, y);";
      break;
    case LayerKind::Quantize: {
      o << "template <typename input_t, typename output_t> void h_quantize" << I << "(input_t* inp, output_t* out) {\n";
      for (size_t i = 0; i < l.elementTypes.size(); ++i)
        o << "  out[" << i << "] = " << l.elementTypes[i].toCpp() << "(inp[" << i << "]);\n";
      o << "}\n";
      call = "h_quantize" + I + "<IN_T, OUT_T>(x, y);";
      break;
    }
    case LayerKind::ZeroPad:
      o << "struct " << cfg << " : nnet::padding" << (l.inHeight > 1 || l.padTop || l.padBottom ? "2" : "1") << "d_config {\n"
        << "  static const unsigned n_chan = " << l.inChannels << ", in_height = " << l.inHeight << ", in_width = " << l.inWidth
        << ", out_height = " << l.outHeight << ", out_width = " << l.outWidth << ";\n"
        << "  static const unsigned pad_top = " << l.padTop << ", pad_bottom = " << l.padBottom << ", pad_left = " << l.padLeft
        << ", pad_right = " << l.padRight << ";\n};\n";
      call = std::string("nnet::zeropad") + (l.inHeight > 1 || l.padTop || l.padBottom ? "2" : "1") + "d_cl<IN_T, OUT_T, " + cfg +
             ">(x, y);";
      break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
    case LayerKind::GlobalMaxPool:
    case LayerKind::GlobalAvgPool: {
      const bool global = l.kind == LayerKind::GlobalMaxPool || l.kind == LayerKind::GlobalAvgPool;
      const bool two = l.inHeight > 1;
      const bool mx = l.kind == LayerKind::MaxPool || l.kind == LayerKind::GlobalMaxPool;
      o << "struct " << cfg << " : nnet::pooling" << (two ? "2" : "1") << "d_config {\n";
      if (two)
        o << "  static const unsigned in_height = " << l.inHeight << ", in_width = " << l.inWidth << ", n_filt = " << l.inChannels
          << ";\n  static const unsigned stride_height = " << l.strideH << ", stride_width = " << l.strideW
          << ", pool_height = " << l.kernelH << ", pool_width = " << l.kernelW << ", filt_height = " << l.kernelH
          << ", filt_width = " << l.kernelW << ";\n  static const unsigned out_height = " << l.outHeight
          << ", out_width = " << l.outWidth << ", n_chan = " << l.inChannels
          << ";\n  static const unsigned pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;\n";
      else
        o << "  static const unsigned n_in = " << l.inWidth << ", n_filt = " << l.inChannels << ", n_chan = " << l.inChannels
          << ";\n  static const unsigned pool_width = " << l.kernelW << ", stride_width = " << l.strideW
          << ", filt_width = " << l.kernelW << ", n_out = " << l.outWidth << ";\n"
          << "  static const unsigned pad_left = 0, pad_right = 0;\n";
      o << "  static const bool count_pad = false;\n  static const nnet::Pool_Op pool_op = nnet::" << (mx ? "Max" : "Average")
        << ";\n  static const unsigned reuse_factor = 1;\n  typedef " << l.accumType.toCpp() << " accum_t;\n";
      if (stream) o << "  static const nnet::conv_implementation implementation = nnet::conv_implementation::linebuffer;\n";
      o << "};\n";
      call = std::string("nnet::") + (global ? "global_" : "") + "pooling" + (two ? "2" : "1") + "d_cl<IN_T, OUT_T, " + cfg +
             ">(x, y);";
      break;
    }
    case LayerKind::Softmax: {
      o << "struct " << cfg << " : nnet::activ_config {\n  static const unsigned n_in = " << nIn << ";\n";
      if (v11)
        o << "  static const unsigned n_slice = " << nIn << ", n_outer = 1, n_inner = 1, parallelization_factor = -1;\n"
          << "  static const unsigned exp_table_size = " << l.tableSize << ", inv_table_size = " << l.inverseTableSize() << ";\n"
          << "  static constexpr float exp_scale = " << l.expScale << ";\n"
          << "  typedef " << l.accumType.toCpp() << " accum_t;\n  typedef " << l.invInpType.toCpp() << " inv_inp_t;\n"
          << "  typedef " << l.inpNormType.toCpp() << " inp_norm_t;\n";
      o << "  static const unsigned table_size = " << l.tableSize << ";\n"
        << "  static const unsigned io_type = nnet::" << (stream ? "io_stream" : "io_parallel") << ", reuse_factor = 1;\n"
        << "  static const unsigned axis = -1;\n"
        << "  static const nnet::softmax_implementation implementation = nnet::softmax_implementation::"
        << softmaxImplName(l.softmaxImpl) << ";\n"
        << "  typedef " << l.expTableType.toCpp() << " exp_table_t;\n  typedef " << l.invTableType.toCpp() << " inv_table_t;\n"
        << "  typedef " << l.tableType.toCpp() << " table_t;\n};\n";
      call = "nnet::softmax<IN_T, OUT_T, " + cfg + ">(x, y);";
      break;
    }
    default: {
      o << "struct " << cfg << " : nnet::activ_config {\n  static const unsigned n_in = " << nIn
        << ", table_size = " << l.tableSize << ";\n"
        << "  static const unsigned io_type = nnet::" << (stream ? "io_stream" : "io_parallel") << ", reuse_factor = 1;\n"
        << "  typedef " << l.tableType.toCpp() << " table_t;\n";
      const bool hard = l.kind == LayerKind::HardTanh || l.kind == LayerKind::HardSigmoid;
      if (hard)
        o << "  static const " << l.slopeType.toCpp() << " slope;\n  static const " << l.shiftType.toCpp() << " shift;\n";
      o << "};\n";
      if (hard)
        o << "const " << l.slopeType.toCpp() << " " << cfg << "::slope = " << l.slope << ";\nconst " << l.shiftType.toCpp()
          << " " << cfg << "::shift = " << l.shift << ";\n";
      const char* fn = l.kind == LayerKind::Linear      ? "linear"
                       : l.kind == LayerKind::ReLU      ? "relu"
                       : l.kind == LayerKind::Sigmoid   ? "sigmoid"
                       : l.kind == LayerKind::Tanh      ? "tanh"
                       : l.kind == LayerKind::HardTanh  ? "hard_tanh"
                       : l.kind == LayerKind::HardSigmoid ? "hard_sigmoid"
                       : l.kind == LayerKind::SELU      ? "selu"
                       : l.kind == LayerKind::Softplus  ? "softplus"
                       : l.kind == LayerKind::Softsign  ? "softsign"
                                                        : "leaky_relu";
      if (l.kind == LayerKind::ELU) {
        std::ostringstream a;
        a.precision(17);
        a << l.alpha;
        call = "nnet::elu<IN_T, " + l.paramType.toCpp() + ", OUT_T, " + cfg + ">(x, " + a.str() + ", y);";
      } else if (l.kind == LayerKind::PReLU) {
        call = v08 ? "nnet::prelu<IN_T, OUT_T, " + cfg + ">(x, w" + I + ", y);"
                   : "nnet::prelu<IN_T, " + l.weightType.toCpp() + ", OUT_T, " + cfg + ">(x, w" + I + ", y);";
      } else if (l.kind == LayerKind::LeakyReLU) {
        std::ostringstream a;
        a.precision(17);
        a << l.alpha;
        call = v08 ? "nnet::leaky_relu<IN_T, OUT_T, " + cfg + ">(x, " + a.str() + ", y);"
                   : "nnet::leaky_relu<IN_T, " + l.paramType.toCpp() + ", OUT_T, " + cfg + ">(x, " + a.str() + ", y);";
      } else {
        call = std::string("nnet::") + fn + "<IN_T, OUT_T, " + cfg + ">(x, y);";
      }
    }
  }
  // Stream element packs: one pixel (all channels) per read for spatial layers, the whole vector
  // for dense and activations, as hls4ml's io_stream projects do.
  const bool spatial = l.kind == LayerKind::Conv1D || l.kind == LayerKind::Conv2D || isDepthwise(l.kind) ||
                       l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool ||
                       l.kind == LayerKind::GlobalMaxPool || l.kind == LayerKind::GlobalAvgPool || l.kind == LayerKind::ZeroPad ||
                       l.kind == LayerKind::Upsample;
  const int inPack = stream ? (spatial ? l.inChannels : nIn) : nIn;
  const int outPack = stream ? (spatial ? l.outChannels : nOut) : nOut;
  if (setupOut) {  // a part of a larger case (a separable convolution): no runner
    *setupOut = setup;
    *callOut = call;
    return o.str();
  }
  return o.str() + emitRunner(id, inT, resT, nIn, nOut, inPack, outPack, stream, setup, call);
}

// The runner of case `id`: reads kSamples inputs, calls the template, prints every output.
std::string emitRunner(int id, const std::string& inT, const std::string& resT, int nIn, int nOut, int inPack, int outPack,
                       bool stream, const std::string& setup, const std::string& call) {
  std::ostringstream o;
  const std::string I = std::to_string(id);
  o << "static void run" << I << "() {\n" << setup;
  o << "  typedef " << inT << " in_t;\n  typedef " << resT << " out_t;\n";
  if (stream) {
    o << "  typedef nnet::array<in_t, " << inPack << "> IN_T;\n  typedef nnet::array<out_t, " << outPack << "> OUT_T;\n"
      << "  for (int s = 0; s < " << kSamples << "; s++) {\n    hls::stream<IN_T> x(\"x\");\n    hls::stream<OUT_T> y(\"y\");\n"
      << "    for (int p = 0; p < " << nIn / inPack << "; p++) { IN_T a; for (int i = 0; i < " << inPack
      << "; i++) set_raw(a[i], rd()); x.write(a); }\n"
      << "    " << call << "\n    begin_line(" << id << ", s);\n"
      << "    for (int p = 0; p < " << nOut / outPack << "; p++) { OUT_T b = y.read(); for (int i = 0; i < " << outPack
      << "; i++) put(b[i]); }\n"
      << "    if (!x.empty() || !y.empty()) { std::fprintf(stderr, \"case " << id << ": stream not drained\\n\"); std::exit(4); }\n"
      << "    end_line();\n  }\n}\n";
  } else {
    o << "  typedef in_t IN_T;\n  typedef out_t OUT_T;\n"
      << "  static IN_T x[" << nIn << "];\n  static OUT_T y[" << nOut << "];\n"
      << "  for (int s = 0; s < " << kSamples << "; s++) {\n    for (int i = 0; i < " << nIn << "; i++) set_raw(x[i], rd());\n"
      << "    " << call << "\n    begin_line(" << id << ", s);\n    for (int i = 0; i < " << nOut
      << "; i++) put(y[i]);\n    end_line();\n  }\n}\n";
  }
  return o.str();
}

// separable_conv_1d/2d_cl: the case's two layers (a depthwise convolution into the intermediate
// type, a pointwise convolution with kernel 1) become the depthwise_config and pointwise_config
// of one call. 1.x take the intermediate type as dw_res_T; 0.8 (io_stream only) uses data_T.
std::string emitSeparable(const Case& k, int id, const Generation& g) {
  const LayerDesc& d = k.net.layers[0];
  const LayerDesc& p = k.net.layers[1];
  const bool stream = k.net.ioType == IOType::Stream, two = d.kind == LayerKind::DepthwiseConv2D;
  Case dw = k, pw = k;
  dw.net.layers = {d};
  pw.net.layers = {p};
  pw.net.inputType = d.resultType;
  const int dwId = 10000 + 2 * id, pwId = dwId + 1;  // names apart from the cases' own
  std::string dwSetup, dwCall, pwSetup, pwCall;
  std::string text = emitCase(dw, dwId, g, &dwSetup, &dwCall) + emitCase(pw, pwId, g, &pwSetup, &pwCall);
  const std::string I = std::to_string(id), D = std::to_string(dwId), P = std::to_string(pwId);
  text += "struct config" + I + " {\n  typedef config" + D + " depthwise_config;\n  typedef config" + P +
          " pointwise_config;\n};\n";
  const std::string dwT =
      stream ? "nnet::array<" + d.resultType.toCpp() + ", " + std::to_string(d.outChannels) + ">" : d.resultType.toCpp();
  const std::string types = g.gen == TemplateGeneration::Hls4ml_0_8 ? "IN_T, OUT_T" : "IN_T, " + dwT + ", OUT_T";
  const std::string call = std::string("nnet::separable_conv_") + (two ? "2" : "1") + "d_cl<" + types + ", config" + I +
                           ">(x, y, w" + D + ", w" + P + ", b" + D + ", b" + P + ");";
  const int nIn = d.inputSize(), nOut = p.outputSize();
  return text + emitRunner(id, k.net.inputType.toCpp(), p.resultType.toCpp(), nIn, nOut, stream ? d.inChannels : nIn,
                           stream ? p.outChannels : nOut, stream, dwSetup + pwSetup, call);
}

std::string emitProgram(const std::vector<Case>& cases, const Generation& g) {
  std::string s = std::string("// Generated by TemplateConformanceTest for ") + g.project + "\n#define CONF_STREAM " +
                  (g.stream ? "1" : "0") +
                  "\n#define CONF_SEPCONV_PARALLEL " + (g.gen == TemplateGeneration::Hls4ml_0_8 ? "0" : "1") + "\n" + kPrelude;
  for (size_t i = 0; i < cases.size(); ++i) s += emitCase(cases[i], static_cast<int>(i), g);
  s += "int main(int argc, char** argv) {\n  if (argc < 2 || !(in_file = std::fopen(argv[1], \"r\"))) return 2;\n";
  for (size_t i = 0; i < cases.size(); ++i) s += "  run" + std::to_string(i) + "();\n";
  return s + "  return 0;\n}\n";
}

int runCommand(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  std::string s;
  while (size_t n = fread(buf, 1, sizeof buf, p)) s.append(buf, n);
  const int rc = pclose(p);
  if (out) *out = s;
  return rc;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Names, sizes and modification times of the headers a program compiles against.
std::string headerStamp(const std::string& firmware) {
  std::vector<std::string> rows;
  for (const auto& e : fs::recursive_directory_iterator(firmware))
    if (e.is_regular_file() && e.path().extension() == ".h")
      rows.push_back(e.path().string() + " " + std::to_string(e.file_size()) + " " +
                     std::to_string(e.last_write_time().time_since_epoch().count()));
  std::sort(rows.begin(), rows.end());
  std::string s;
  for (const std::string& r : rows) s += r + "\n";
  return s;
}

struct Outcome {
  std::string error;  // compile or run failure
  std::string output;
};

// Writes, compiles and runs one generation's program in `dir`.
Outcome compileAndRun(const Generation& g, const std::vector<Case>& cases, const std::string& dir) {
  fs::create_directories(dir);
  const std::string src = dir + "/conformance.cpp", bin = dir + "/conformance", inputs = dir + "/inputs.txt";
  std::ofstream(src) << emitProgram(cases, g);
  {
    std::ofstream in(inputs);
    for (const Case& c : cases) {
      for (Raw x : c.inputs) in << x << ' ';
      in << '\n';
    }
  }
  const std::string fw = kProjects + "/" + g.project + "/firmware";
  Outcome r;
  std::string log;
  // The program is the same from run to run (fixed seeds), so a binary built from an identical
  // source and identical headers is reused from the build tree: only a change recompiles.
  const std::string cacheDir = std::string(MMLC_HLS_CONFORMANCE_CACHE_DIR) + "/" + g.label;
  const std::string stamp = std::to_string(std::hash<std::string>{}(emitProgram(cases, g) + "\n" + headerStamp(fw)));
  if (readFile(cacheDir + "/stamp") == stamp && fs::exists(cacheDir + "/conformance")) {
    fs::copy_file(cacheDir + "/conformance", bin, fs::copy_options::overwrite_existing);
  } else {
    const std::string cc = "g++ -std=c++14 -O1 -w -I" + fw + " -isystem " + fw + "/ap_types " + src + " -o " + bin;
    if (runCommand(cc, &log) != 0) {
      r.error = "compile failed: " + cc + "\n" + log.substr(0, 6000);
      return r;
    }
    std::error_code ec;
    fs::create_directories(cacheDir, ec);
    const std::string tmp = cacheDir + "/conformance." + std::to_string(::getpid());
    fs::copy_file(bin, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(tmp, cacheDir + "/conformance", ec);
    if (!ec) fs::copy_file(src, cacheDir + "/conformance.cpp", fs::copy_options::overwrite_existing, ec);  // for inspection
    if (!ec) std::ofstream(cacheDir + "/stamp") << stamp;
  }
  if (runCommand(bin + " " + inputs + " >" + dir + "/outputs.txt 2>" + dir + "/stderr.txt", &log) != 0) {
    r.error = "run failed: " + bin + "\n" + log.substr(0, 2000);
    return r;
  }
  std::ifstream out(dir + "/outputs.txt");
  r.output.assign(std::istreambuf_iterator<char>(out), std::istreambuf_iterator<char>());
  return r;
}

struct ScratchDir {
  std::string path;
  explicit ScratchDir(const std::string& name)
      : path((fs::temp_directory_path() / ("mmlc_conformance_" + std::to_string(::getpid()) + "_" + name)).string()) {
    fs::remove_all(path);
  }
  ~ScratchDir() {
    if (!::testing::Test::HasFailure()) fs::remove_all(path);
  }
};

// Compares one generation's template outputs with the simulator; returns the number of checked
// output values.
size_t compare(const Generation& g, const std::vector<Case>& cases, const std::string& output) {
  std::vector<std::vector<std::vector<std::uint64_t>>> got(cases.size());
  std::istringstream lines(output);
  std::string line;
  int stray = 0;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    size_t id = 0;
    int s = 0;
    ls >> id >> s;
    if (!ls || id >= cases.size() || line.find_first_not_of("0123456789 ") != std::string::npos) {
      // The vendor headers print warnings (e.g. a range with a negative bound) on invalid configs.
      if (stray++ < 3) ADD_FAILURE() << g.label << ": unexpected program output: " << line.substr(0, 300);
      continue;
    }
    std::vector<std::uint64_t> v;
    std::uint64_t x;
    while (ls >> x) v.push_back(x);
    got[id].push_back(std::move(v));
  }
  size_t checked = 0;
  for (size_t id = 0; id < cases.size(); ++id) {
    const Case& c = cases[id];
    SCOPED_TRACE(g.label + " case " + std::to_string(id) + " " + c.name);
    const NetworkSim sim(c.net);
    const int nIn = c.net.inputSize(), nOut = sim.desc().outputSize();
    const FixedType& outT = sim.desc().layers.back().resultType;
    std::vector<float> in(c.inputs.size());
    for (size_t i = 0; i < in.size(); ++i)
      in[i] = static_cast<float>(std::ldexp(static_cast<double>(c.inputs[i]), -c.net.inputType.frac()));
    std::vector<Raw> want(static_cast<size_t>(kSamples) * nOut);
    sim.runRaw(in.data(), kSamples, want.data());
    if (got[id].size() != static_cast<size_t>(kSamples)) {
      ADD_FAILURE() << c.name << ": " << got[id].size() << " output lines, expected " << kSamples;
      continue;
    }
    int reported = 0;
    size_t mismatches = 0;
    for (int s = 0; s < kSamples; ++s) {
      if (got[id][s].size() != static_cast<size_t>(nOut)) {
        ADD_FAILURE() << c.name << " sample " << s << ": " << got[id][s].size() << " outputs, expected " << nOut;
        break;
      }
      for (int e = 0; e < nOut; ++e) {
        std::uint64_t bits = got[id][s][e];
        Raw v = static_cast<Raw>(bits);
        if (outT.isSigned && outT.width < 64 && ((bits >> (outT.width - 1)) & 1)) v -= static_cast<Raw>(std::uint64_t{1} << outT.width);
        const Raw w = want[static_cast<size_t>(s) * nOut + e];
        ++checked;
        if (v == w) continue;
        ++mismatches;
        if (reported++ < 5) {
          std::ostringstream inputs;
          for (int i = 0; i < std::min(nIn, 16); ++i) inputs << ' ' << c.inputs[static_cast<size_t>(s) * nIn + i];
          ADD_FAILURE() << c.name << " sample " << s << " element " << e << ": template " << v << " (" << toDouble(v, outT)
                        << "), sim " << w << " (" << toDouble(w, outT) << "), " << outT.toString() << "; input mantissas"
                        << inputs.str();
        }
      }
    }
    EXPECT_EQ(mismatches, 0u) << c.name;
  }
  return checked;
}

}  // namespace

// All generations are compiled concurrently (each program is one translation unit), then compared.
TEST(TemplateConformance, NetworkSimMatchesRealHls4mlTemplates) {
  const auto t0 = std::chrono::steady_clock::now();
  ScratchDir dir("all");
  std::vector<std::vector<Case>> cases;
  for (const Generation& g : kGenerations) cases.push_back(buildCases(g));
  std::vector<std::future<Outcome>> runs;
  for (size_t i = 0; i < std::size(kGenerations); ++i)
    runs.push_back(std::async(std::launch::async, compileAndRun, std::cref(kGenerations[i]), std::cref(cases[i]),
                              dir.path + "/" + kGenerations[i].label));
  for (size_t i = 0; i < std::size(kGenerations); ++i) {
    const Outcome r = runs[i].get();
    if (!r.error.empty()) {
      ADD_FAILURE() << kGenerations[i].label << ": " << r.error;
      continue;
    }
    const size_t checked = compare(kGenerations[i], cases[i], r.output);
    std::printf("[ conformance ] %s (%s): %zu cases x %d samples, %zu output values compared\n", kGenerations[i].label.c_str(),
                kGenerations[i].project.c_str(), cases[i].size(), kSamples, checked);
  }
  std::printf("[ conformance ] %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

// Descriptions the real templates cannot compute are named (not silently simulated as if valid).
TEST(TemplateIssues, NamesWhatTheRealTemplatesCannotCompute) {
  NetworkDesc n;
  n.inputType = F(8, 3);
  n.inputHeight = 4;
  n.inputWidth = 4;
  n.inputChannels = 2;
  LayerDesc p = makeLayer(LayerKind::MaxPool, F(8, 3));
  p.kernelH = p.kernelW = 3;
  p.strideH = p.strideW = 1;
  n.layers.push_back(p);
  n.layers.push_back(makeLayer(LayerKind::Flatten, F(8, 3)));
  LayerDesc sm = makeLayer(LayerKind::Softmax, F(8, 3));
  sm.name = "sm";
  sm.tableSize = 1024;
  n.layers.push_back(sm);
  n.layers[1].name = "flat";
  for (TemplateGeneration g : {TemplateGeneration::Hls4ml_0_8, TemplateGeneration::Hls4ml_1_0}) {
    n.generation = g;
    const auto issues = n.templateIssues();
    ASSERT_EQ(issues.size(), 2u);
    EXPECT_NE(issues[0].find("needs the pool size equal to the stride"), std::string::npos) << issues[0];
    EXPECT_NE(issues[1].find("top 10 bits of the input type fixed<8,3>"), std::string::npos) << issues[1];
  }
  n.generation = TemplateGeneration::Hls4ml_1_1;  // overlapping windows are fine; inp_norm_t is what matters
  n.layers[2].inpNormType = U(12, 4);
  n.layers[2].invInpType = F(18, 8);
  EXPECT_EQ(n.templateIssues().size(), 0u);
  n.layers[2].inpNormType = U(9, 4);
  ASSERT_EQ(n.templateIssues().size(), 1u);
  EXPECT_NE(n.templateIssues()[0].find("inp_norm_t ufixed<9,4>"), std::string::npos) << n.templateIssues()[0];
  n.layers[2].tableSize = 512;
  EXPECT_EQ(n.templateIssues().size(), 0u);
}

// Every fixture project's nnet_utils is one of the generations the conformance test runs.
TEST(TemplateGeneration, DetectedFromTheProjectsTemplates) {
  const std::pair<const char*, TemplateGeneration> projects[] = {
      {"jet-16-6-rf1-vivado2019", TemplateGeneration::Hls4ml_0_8},   {"jet-16-6-rf2-vivado2019", TemplateGeneration::Hls4ml_0_8},
      {"jet-qkeras6-rf1-vivado2019", TemplateGeneration::Hls4ml_0_8}, {"jet-pruned60-u50-vitis2024", TemplateGeneration::Hls4ml_1_0},
      {"jet-mixed1-u50-vitis2024", TemplateGeneration::Hls4ml_1_0},   {"jet-mixed4-u50-vitis2024", TemplateGeneration::Hls4ml_1_0},
      {"conv1d-stream-u250-vitis2024", TemplateGeneration::Hls4ml_1_1},
  };
  for (const auto& [project, gen] : projects)
    EXPECT_STREQ(templateGenerationName(detectTemplateGeneration(kProjects + "/" + project + "/firmware/nnet_utils")),
                 templateGenerationName(gen))
        << project;
  EXPECT_THROW(detectTemplateGeneration(kProjects + "/no-such-project"), std::runtime_error);
}
