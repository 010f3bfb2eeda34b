// Small quantised test networks covering every layer kind, with deterministic random weights.
#pragma once

#include <random>

#include "hls/NetworkDesc.h"

namespace mmlc::hls::testnets {

inline std::vector<float> randomValues(size_t n, std::mt19937& rng, float scale, float zeroFraction = 0.0f) {
  std::uniform_real_distribution<float> d(-scale, scale), u(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng) < zeroFraction ? 0.0f : d(rng);
  return v;
}

// An empty network of `name` reading an (height x width x channels) input of type `input`.
inline NetworkDesc network(const std::string& name, FixedType input, int height, int width, int channels) {
  NetworkDesc n;
  n.name = name;
  n.inputType = input;
  n.inputHeight = height;
  n.inputWidth = width;
  n.inputChannels = channels;
  return n;
}

inline LayerDesc layer(const std::string& name, LayerKind kind, FixedType t) {
  LayerDesc l;
  l.name = name;
  l.kind = kind;
  l.weightType = l.biasType = l.accumType = l.resultType = t;
  return l;
}

// 4x4x2 -> Conv2D(3x3, pad 1, 4 filters) -> BatchNorm -> ReLU -> AvgPool 2x2 -> Flatten ->
// Dense 16->8 (saturating accumulator) -> Tanh -> Dense 8->6 (resource, RF 4) -> Sigmoid ->
// Dense 6->5 (rounding) -> Softmax, with mixed per-layer precisions and pruned weights.
inline NetworkDesc convNet(unsigned seed = 1) {
  std::mt19937 rng(seed);
  NetworkDesc n;
  n.name = "convnet";
  n.inputType = FixedType::fixed(12, 4, QuantMode::RND, OverflowMode::SAT);
  n.inputHeight = 4;
  n.inputWidth = 4;
  n.inputChannels = 2;
  LayerDesc c = layer("conv1", LayerKind::Conv2D, FixedType::fixed(16, 6));
  c.nFilters = 4;
  c.kernelH = c.kernelW = 3;
  c.padTop = c.padBottom = c.padLeft = c.padRight = 1;
  c.weights = randomValues(3 * 3 * 2 * 4, rng, 0.8f, 0.2f);
  c.biases = randomValues(4, rng, 0.3f);
  c.weightType = FixedType::fixed(8, 2);
  c.accumType = FixedType::fixed(20, 8);
  n.layers.push_back(c);
  LayerDesc bn = layer("bn1", LayerKind::BatchNorm, FixedType::fixed(14, 6, QuantMode::RND_CONV));
  bn.weights = randomValues(4, rng, 1.5f);
  bn.biases = randomValues(4, rng, 0.5f);
  bn.weightType = FixedType::fixed(10, 3);
  n.layers.push_back(bn);
  n.layers.push_back(layer("relu1", LayerKind::ReLU, FixedType::ufixed(10, 4, QuantMode::TRN, OverflowMode::SAT)));
  LayerDesc pool = layer("pool1", LayerKind::AvgPool, FixedType::fixed(12, 5));
  pool.kernelH = pool.kernelW = pool.strideH = pool.strideW = 2;
  n.layers.push_back(pool);
  n.layers.push_back(layer("flat", LayerKind::Flatten, FixedType::fixed(12, 5)));
  LayerDesc d1 = layer("fc1", LayerKind::Dense, FixedType::fixed(16, 6));
  d1.nOut = 8;
  d1.weights = randomValues(16 * 8, rng, 1.0f, 0.3f);
  d1.biases = randomValues(8, rng, 0.5f);
  d1.accumType = FixedType::fixed(12, 3, QuantMode::TRN, OverflowMode::SAT);  // saturates often
  n.layers.push_back(d1);
  LayerDesc t = layer("tanh1", LayerKind::Tanh, FixedType::fixed(10, 2));
  t.tableSize = 512;
  n.layers.push_back(t);
  LayerDesc d2 = layer("fc2", LayerKind::Dense, FixedType::fixed(16, 6));
  d2.nOut = 6;
  d2.weights = randomValues(8 * 6, rng, 1.0f, 0.1f);
  d2.biases = randomValues(6, rng, 0.5f);
  d2.strategy = Strategy::Resource;
  d2.reuseFactor = 4;
  d2.accumType = FixedType::fixed(14, 5, QuantMode::RND, OverflowMode::SAT_SYM);
  n.layers.push_back(d2);
  n.layers.push_back(layer("sig1", LayerKind::Sigmoid, FixedType::ufixed(8, 0, QuantMode::RND, OverflowMode::SAT)));
  LayerDesc d3 = layer("fc3", LayerKind::Dense, FixedType::fixed(16, 6));
  d3.nOut = 5;
  d3.weights = randomValues(6 * 5, rng, 3.0f);
  d3.biases = randomValues(5, rng, 1.0f);
  d3.weightType = FixedType::fixed(9, 3, QuantMode::RND_ZERO);
  d3.accumType = FixedType::fixed(18, 8, QuantMode::RND_INF);
  n.layers.push_back(d3);
  n.layers.push_back(layer("softmax1", LayerKind::Softmax, FixedType::ufixed(16, 0, QuantMode::RND, OverflowMode::SAT)));
  return n;
}

// 1x10x3 -> Conv1D(k 3, stride 1, 5 filters, no pad) -> ReLU -> MaxPool 1x2 -> Flatten -> Dense 20->3.
inline NetworkDesc conv1dNet(unsigned seed = 2) {
  std::mt19937 rng(seed);
  NetworkDesc n;
  n.name = "conv1dnet";
  n.inputType = FixedType::fixed(10, 3);
  n.inputWidth = 10;
  n.inputChannels = 3;
  LayerDesc c = layer("conv1", LayerKind::Conv1D, FixedType::fixed(14, 5));
  c.nFilters = 5;
  c.kernelW = 3;
  c.weights = randomValues(3 * 3 * 5, rng, 1.0f, 0.25f);
  c.biases = randomValues(5, rng, 0.2f);
  c.accumType = FixedType::fixed(18, 7, QuantMode::RND_MIN_INF, OverflowMode::SAT_ZERO);
  n.layers.push_back(c);
  n.layers.push_back(layer("relu1", LayerKind::ReLU, FixedType::fixed(10, 4, QuantMode::TRN_ZERO)));
  LayerDesc p = layer("pool1", LayerKind::MaxPool, FixedType::fixed(10, 4));
  p.kernelH = 1;
  p.kernelW = 2;
  p.strideH = 1;
  p.strideW = 2;
  n.layers.push_back(p);
  n.layers.push_back(layer("flat", LayerKind::Flatten, FixedType::fixed(10, 4)));
  LayerDesc d = layer("fc1", LayerKind::Dense, FixedType::fixed(16, 6, QuantMode::RND_CONV, OverflowMode::WRAP));
  d.nOut = 3;
  d.weights = randomValues(20 * 3, rng, 1.0f, 0.2f);
  d.biases = randomValues(3, rng, 0.2f);
  n.layers.push_back(d);
  LayerDesc sm = layer("softmax1", LayerKind::Softmax, FixedType::fixed(12, 2, QuantMode::RND, OverflowMode::SAT));
  sm.softmaxImpl = SoftmaxImpl::Latency;  // hls4ml's plain "latency" softmax
  sm.tableSize = 256;
  n.layers.push_back(sm);
  return n;
}

// A graph (residual and concatenating branches): 5x5x2 -> conv1 (3x3, pad 1, 4 filters) -> relu1
// -> conv2 (3x3, pad 1) -> relu2; add1 = relu1 + relu2 (unsigned inputs, rounding and saturating
// result); cat1 = [add1, conv1] (channels 4 + 4); maxpool 2x2 padded to 3x3; avgpool 2x2 padded to
// 2x2 (saturating accumulator); flat -> fc1 (6) and fc2 (5) both read flat; cat2 = [fc1, fc2] ->
// fc3 (4) -> softmax. Several layers read relu1, conv1 and flat (io_stream clones them).
inline NetworkDesc residualNet(unsigned seed = 3) {
  std::mt19937 rng(seed);
  NetworkDesc n;
  n.name = "resnet";
  n.inputType = FixedType::fixed(12, 4, QuantMode::RND, OverflowMode::SAT);
  n.inputHeight = 5;
  n.inputWidth = 5;
  n.inputChannels = 2;
  auto conv = [&](const std::string& name, int inC) {
    LayerDesc c = layer(name, LayerKind::Conv2D, FixedType::fixed(16, 6));
    c.nFilters = 4;
    c.kernelH = c.kernelW = 3;
    c.padTop = c.padBottom = c.padLeft = c.padRight = 1;
    c.weights = randomValues(static_cast<size_t>(3 * 3 * inC * 4), rng, 0.8f, 0.2f);
    c.biases = randomValues(4, rng, 0.3f);
    c.weightType = FixedType::fixed(8, 2);
    c.accumType = FixedType::fixed(20, 8);
    return c;
  };
  n.layers.push_back(conv("conv1", 2));
  n.layers.push_back(layer("relu1", LayerKind::ReLU, FixedType::ufixed(10, 4, QuantMode::TRN, OverflowMode::SAT)));
  n.layers.push_back(conv("conv2", 4));
  n.layers.push_back(layer("relu2", LayerKind::ReLU, FixedType::ufixed(9, 3, QuantMode::RND, OverflowMode::SAT)));
  LayerDesc add = layer("add1", LayerKind::Add, FixedType::ufixed(9, 4, QuantMode::RND, OverflowMode::SAT));
  add.inputs = {"relu1", "relu2"};
  n.layers.push_back(add);
  LayerDesc cat = layer("cat1", LayerKind::Concatenate, FixedType::fixed(12, 5, QuantMode::RND_CONV));
  cat.inputs = {"add1", "conv1"};
  n.layers.push_back(cat);
  LayerDesc mp = layer("pool1", LayerKind::MaxPool, FixedType::fixed(12, 5));
  mp.kernelH = mp.kernelW = mp.strideH = mp.strideW = 2;
  mp.padBottom = mp.padRight = 1;  // 5x5 -> 3x3
  mp.accumType = FixedType::fixed(12, 5);
  n.layers.push_back(mp);
  LayerDesc ap = layer("pool2", LayerKind::AvgPool, FixedType::fixed(11, 4, QuantMode::RND));
  ap.kernelH = ap.kernelW = ap.strideH = ap.strideW = 2;
  ap.padBottom = ap.padRight = 1;  // 3x3 -> 2x2
  ap.accumType = FixedType::fixed(10, 4, QuantMode::TRN, OverflowMode::SAT);
  n.layers.push_back(ap);
  n.layers.push_back(layer("flat", LayerKind::Flatten, FixedType::fixed(11, 4)));
  auto dense = [&](const std::string& name, int nIn, int nOut) {
    LayerDesc d = layer(name, LayerKind::Dense, FixedType::fixed(16, 6));
    d.nOut = nOut;
    d.weights = randomValues(static_cast<size_t>(nIn * nOut), rng, 1.0f, 0.2f);
    d.biases = randomValues(static_cast<size_t>(nOut), rng, 0.5f);
    return d;
  };
  n.layers.push_back(dense("fc1", 32, 6));
  LayerDesc fc2 = dense("fc2", 32, 5);
  fc2.inputs = {"flat"};
  fc2.accumType = FixedType::fixed(12, 3, QuantMode::TRN, OverflowMode::SAT);
  n.layers.push_back(fc2);
  LayerDesc cat2 = layer("cat2", LayerKind::Concatenate, FixedType::fixed(14, 6));
  cat2.inputs = {"fc1", "fc2"};
  n.layers.push_back(cat2);
  n.layers.push_back(dense("fc3", 11, 4));
  n.layers.push_back(layer("softmax1", LayerKind::Softmax, FixedType::ufixed(16, 0, QuantMode::RND, OverflowMode::SAT)));
  return n;
}

// A U-Net step (the operators of QONNX's branched model): 4x6x2 -> Conv2D(3x3, pad 1, 4 filters)
// -> PReLU (one slope per element) -> MaxPool 2x2 -> Upsample 2x2 (keeps its input's type) ->
// Linear (a rounding, saturating cast of its own) -> Concatenate with the PReLU output (the skip)
// -> Conv2D 1x1 (3 filters).
inline NetworkDesc upsampleNet(unsigned seed = 3) {
  std::mt19937 rng(seed);
  NetworkDesc n;
  n.name = "upsamplenet";
  n.inputType = FixedType::fixed(10, 3, QuantMode::RND, OverflowMode::SAT);
  n.inputHeight = 4;
  n.inputWidth = 6;
  n.inputChannels = 2;
  LayerDesc c = layer("conv1", LayerKind::Conv2D, FixedType::fixed(12, 4));
  c.nFilters = 4;
  c.kernelH = c.kernelW = 3;
  c.padTop = c.padBottom = c.padLeft = c.padRight = 1;
  c.weights = randomValues(3 * 3 * 2 * 4, rng, 0.8f, 0.2f);
  c.biases = randomValues(4, rng, 0.3f);
  c.weightType = FixedType::fixed(8, 2);
  c.accumType = FixedType::fixed(20, 8);
  n.layers.push_back(c);
  LayerDesc pr = layer("prelu1", LayerKind::PReLU, FixedType::fixed(10, 4, QuantMode::RND, OverflowMode::SAT));
  pr.weights = randomValues(4 * 6 * 4, rng, 0.6f);
  pr.weightType = FixedType::fixed(6, 1, QuantMode::RND);
  n.layers.push_back(pr);
  LayerDesc mp = layer("pool1", LayerKind::MaxPool, FixedType::fixed(10, 4));
  mp.kernelH = mp.kernelW = mp.strideH = mp.strideW = 2;
  mp.accumType = FixedType::fixed(10, 4);
  n.layers.push_back(mp);
  LayerDesc up = layer("up1", LayerKind::Upsample, FixedType::fixed(10, 4));
  up.scaleH = up.scaleW = 2;
  n.layers.push_back(up);
  n.layers.push_back(layer("cast1", LayerKind::Linear, FixedType::fixed(6, 3, QuantMode::RND, OverflowMode::SAT)));
  LayerDesc cat = layer("cat1", LayerKind::Concatenate, FixedType::fixed(10, 4));
  cat.inputs = {"cast1", "prelu1"};
  n.layers.push_back(cat);
  LayerDesc c2 = layer("conv2", LayerKind::Conv2D, FixedType::fixed(14, 6, QuantMode::RND));
  c2.nFilters = 3;
  c2.weights = randomValues(8 * 3, rng, 0.8f);
  c2.biases = randomValues(3, rng, 0.3f);
  c2.weightType = FixedType::fixed(8, 2);
  c2.accumType = FixedType::fixed(22, 10);
  n.layers.push_back(c2);
  return n;
}

}  // namespace mmlc::hls::testnets
