// nn::Network → hls::NetworkDesc: layer mapping, weight layouts and the channels-first/last bridge.
#include "tasks/HlsConversion.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>
#include <stdexcept>

#include "hls/LayerKinds.h"
#include "nn/BatchNormLayer.h"
#include "nn/ConvLayer.h"
#include "nn/DenseLayer.h"
#include "nn/Network.h"
#include "tasks/QuantisedTypes.h"

namespace mmlc::tasks {
namespace {

using hls::LayerDesc;
using hls::LayerKind;

[[noreturn]] void unsupported(const std::string &layer, const std::string &why) {
  throw std::invalid_argument("layer '" + layer + "' " + why);
}

/// Per-sample geometry of an engine tensor: channels-first (C), (C, L) or (C, H, W).
struct Geometry {
  int channels = 1, height = 1, width = 1;
  bool isFeatureMap = false; // rank 2 or 3
};

Geometry geometryOf(const nn::Shape &shape) {
  Geometry g;
  if (shape.rank() == 1) {
    g.width = shape.dims[0];
  } else if (shape.rank() == 2) {
    g = {shape.dims[0], 1, shape.dims[1], true};
  } else if (shape.rank() == 3) {
    g = {shape.dims[0], shape.dims[1], shape.dims[2], true};
  }
  return g;
}

/// Index in the channels-last order of element (c, h, w) of a C x H x W map.
long channelsLastIndex(const Geometry &g, int c, int h, int w) {
  return (static_cast<long>(h) * g.width + w) * g.channels + c;
}

LayerDesc baseLayer(const nn::LayerSpec &spec, LayerKind kind, const HlsConversionOptions &o) {
  LayerDesc d;
  d.name = spec.name;
  for (char &ch : d.name) // emitted code uses the name as a C identifier
    if (!std::isalnum(static_cast<unsigned char>(ch)))
      ch = '_';
  d.kind = kind;
  d.weightType = d.biasType = d.accumType = d.resultType = o.precision;
  d.reuseFactor = o.reuseFactor;
  d.strategy = o.strategy;
  return d;
}

/// An activation layer with its constants, where its descriptor says the engine's alpha and beta
/// go (ELU's alpha, HardSigmoid's slope and shift, Clip's bounds); a kind whose template has its
/// constants built in (hls4ml's selu) converts only with those.
LayerDesc activationLayer(const nn::LayerSpec &spec, LayerKind kind, const HlsConversionOptions &o) {
  LayerDesc d = baseLayer(spec, kind, o);
  const hls::LayerKindInfo &info = hls::kindInfo(kind);
  if (info.engineAlpha)
    d.*info.engineAlpha = spec.alpha;
  if (info.engineBeta)
    d.*info.engineBeta = spec.beta;
  if (info.builtInAlpha != 0 && (std::abs(spec.alpha - static_cast<float>(info.builtInAlpha)) > 1e-6f ||
                                 std::abs(spec.beta - static_cast<float>(info.builtInBeta)) > 1e-6f))
    unsupported(spec.name, std::string("is a ") + info.name + " with alpha " + std::to_string(spec.alpha) + " and beta " +
                               std::to_string(spec.beta) + "; hls4ml's " + info.nnetCalls.front() +
                               " has the constants (" + std::to_string(info.builtInAlpha) + ", " +
                               std::to_string(info.builtInBeta) + ") built in");
  return d;
}

std::vector<float> toVector(const nn::Matrix &m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}


/// Keras/TensorFlow "same" padding of one axis: ceil(in / stride) outputs, the odd zero last.
std::pair<int, int> samePadding(int in, int kernel, int stride) {
  const int out = (in + stride - 1) / stride;
  const int total = std::max(0, (out - 1) * stride + kernel - in);
  return {total / 2, total - total / 2};
}

/// Sets the padding of a conv or pool from the engine's spec (explicit symmetric or "same").
void setPadding(LayerDesc &d, const nn::LayerSpec &spec, const Geometry &g, bool is2d) {
  if (spec.padding == "same") {
    if (is2d)
      std::tie(d.padTop, d.padBottom) = samePadding(g.height, d.kernelH, d.strideH);
    std::tie(d.padLeft, d.padRight) = samePadding(g.width, d.kernelW, d.strideW);
  } else {
    d.padTop = d.padBottom = is2d ? spec.padH : 0;
    d.padLeft = d.padRight = spec.padW;
  }
}

} // namespace

hls::NetworkDesc toHlsNetwork(nn::Network &net, const HlsConversionOptions &o) {
  hls::NetworkDesc desc;
  desc.name = o.top;
  desc.inputType = o.precision;
  desc.ioType = o.io;
  desc.part = o.part;
  desc.clockPeriodNs = o.clockPeriodNs;
  Geometry in = geometryOf(net.inputShape());
  desc.inputChannels = in.channels;
  desc.inputHeight = in.height;
  desc.inputWidth = in.width;

  // Per engine activation (0: the input, i + 1: layer i's output): the HLS layer computing it
  // (a layer HLS drops, Dropout or a flat Flatten, passes its input's on), and, for a flattened
  // feature map, the permutation its reader's rows need: the engine flattens channel-major, HLS
  // channels-last.
  const bool graph = !net.isChain();
  std::vector<std::string> producer(net.size() + 1, hls::NetworkDesc::kInputName);
  std::vector<std::vector<long>> rowOrder(net.size() + 1);
  std::vector<char> rowOrderUsed(net.size() + 1, 0);
  // Quantised models: the layers whose weights an importer typed (index, products per output),
  // given exact accumulators once every quantiser has been folded; the tensors quantised so far.
  std::vector<std::pair<size_t, long>> exactSums;
  std::vector<std::string> quantisedTensors;
  for (size_t i = 0; i < net.size(); ++i) {
    nn::Layer &layer = net.layer(i);
    const nn::LayerSpec &spec = layer.spec();
    const std::string &kind = spec.kind;
    const std::vector<int> &srcs = net.sources(i);
    const int src = srcs.at(0);
    const nn::Shape &current = net.activationShape(src);
    Geometry g = geometryOf(current);
    const hls::LayerKindInfo *act = hls::kindByNnName(kind);
    const bool elementwise = act && act->isActivation && act->emitConfig && act->kind != LayerKind::Softmax;
    for (int a : srcs)
      if (!rowOrder[static_cast<size_t>(a)].empty() && kind != "Dense" && kind != "Dropout" && !elementwise)
        unsupported(spec.name, "reads a flattened feature map; HLS only supports a Dense layer there (the engine "
                               "flattens channels first, the HLS templates channels last)");
    auto push = [&](LayerDesc d) {
      if (graph)
        for (int a : srcs)
          d.inputs.push_back(producer[static_cast<size_t>(a)]);
      producer[i + 1] = d.name;
      desc.layers.push_back(std::move(d));
    };
    producer[i + 1] = producer[static_cast<size_t>(src)]; // unless the layer is emitted
    if (kind == "Dense") {
      auto &dense = static_cast<nn::DenseLayer &>(layer);
      LayerDesc d = baseLayer(spec, LayerKind::Dense, o);
      const nn::Matrix &w = dense.weight().value; // in x out, row-major
      long nIn = w.rows(), nOut = w.cols();
      d.nIn = static_cast<int>(nIn);
      d.nOut = static_cast<int>(nOut);
      d.weights.assign(static_cast<size_t>(nIn * nOut), 0.0f);
      const std::vector<long> &order = rowOrder[static_cast<size_t>(src)];
      rowOrderUsed[static_cast<size_t>(src)] = 1;
      for (long r = 0; r < nIn; ++r) {
        long hlsRow = order.empty() ? r : order[static_cast<size_t>(r)];
        for (long c = 0; c < nOut; ++c)
          d.weights[static_cast<size_t>(hlsRow * nOut + c)] = w(r, c);
      }
      d.biases = spec.useBias ? toVector(dense.bias().value)
                              : std::vector<float>(static_cast<size_t>(nOut), 0.0f);
      if (applyQuantisedParameterTypes(d, spec)) exactSums.emplace_back(desc.layers.size(), nIn);
      push(std::move(d));
    } else if ((kind == "Conv1D" || kind == "Conv2D") && spec.groups != 1) {
      // A depthwise convolution (one filter per channel): hls4ml's DepthwiseConv kinds; a
      // separable convolution is this followed by a 1x1 Conv2D.
      if (spec.groups != g.channels || spec.units != g.channels)
        unsupported(spec.name, "is a grouped convolution with " + std::to_string(spec.groups) + " groups, " +
                                   std::to_string(g.channels) + " channels and " + std::to_string(spec.units) +
                                   " filters; only depthwise ones (groups = channels = filters) convert to HLS");
      const bool is2d = kind == "Conv2D";
      LayerDesc d = baseLayer(spec, is2d ? LayerKind::DepthwiseConv2D : LayerKind::DepthwiseConv1D, o);
      const nn::ConvGeometry &cg = static_cast<nn::ConvLayer &>(layer).geometry();
      d.nFilters = spec.units;
      d.kernelH = is2d ? spec.kernelH : 1;
      d.kernelW = spec.kernelW;
      d.strideH = is2d ? spec.strideH : 1;
      d.strideW = spec.strideW;
      d.padTop = is2d ? cg.pH : 0;
      d.padBottom = is2d ? cg.padBottom() : 0;
      d.padLeft = cg.pW;
      d.padRight = cg.padRight();
      const nn::Matrix &w = net.parameter(spec.name + ".weight").value; // C x (kH*kW)
      const int channels = g.channels, taps = d.kernelH * d.kernelW;
      d.weights.assign(static_cast<size_t>(w.size()), 0.0f);
      for (int c = 0; c < channels; ++c)
        for (int t = 0; t < taps; ++t)
          d.weights[static_cast<size_t>(t * channels + c)] = w(c, t);
      d.biases = spec.useBias ? toVector(net.parameter(spec.name + ".bias").value)
                              : std::vector<float>(static_cast<size_t>(channels), 0.0f);
      if (applyQuantisedParameterTypes(d, spec)) exactSums.emplace_back(desc.layers.size(), static_cast<long>(taps));
      push(std::move(d));
    } else if (kind == "Conv1D" || kind == "Conv2D") {
      bool is2d = kind == "Conv2D";
      LayerDesc d = baseLayer(spec, is2d ? LayerKind::Conv2D : LayerKind::Conv1D, o);
      // Explicit or "same" zero padding: the templates pad each side (the odd zero last).
      const nn::ConvGeometry &cg = static_cast<nn::ConvLayer &>(layer).geometry();
      d.padTop = is2d ? cg.pH : 0;
      d.padBottom = is2d ? cg.padBottom() : 0;
      d.padLeft = cg.pW;
      d.padRight = cg.padRight();
      d.nFilters = spec.units;
      // Conv1D is a Conv2D of height 1 on both sides (the engine keeps kernelH = strideH = 1).
      d.kernelH = is2d ? spec.kernelH : 1;
      d.kernelW = spec.kernelW;
      d.strideH = is2d ? spec.strideH : 1;
      d.strideW = spec.strideW;
      const nn::Matrix &w = net.parameter(spec.name + ".weight").value; // F x (C*kH*kW), ONNX order
      int channels = g.channels, kh = d.kernelH, kw = d.kernelW, filters = d.nFilters;
      d.weights.assign(static_cast<size_t>(w.size()), 0.0f);
      for (int f = 0; f < filters; ++f)
        for (int c = 0; c < channels; ++c)
          for (int y = 0; y < kh; ++y)
            for (int x = 0; x < kw; ++x)
              d.weights[static_cast<size_t>(((y * kw + x) * channels + c) * filters + f)] =
                  w(f, (c * kh + y) * kw + x);
      d.biases = spec.useBias ? toVector(net.parameter(spec.name + ".bias").value)
                              : std::vector<float>(static_cast<size_t>(filters), 0.0f);
      if (applyQuantisedParameterTypes(d, spec)) exactSums.emplace_back(desc.layers.size(), static_cast<long>(kh) * kw * channels);
      push(std::move(d));
    } else if (kind == "MaxPool" || kind == "AveragePool") {
      LayerDesc d = baseLayer(spec, kind == "MaxPool" ? LayerKind::MaxPool : LayerKind::AvgPool, o);
      bool is1d = current.rank() == 2;
      d.kernelH = is1d ? 1 : spec.kernelH;
      d.kernelW = spec.kernelW;
      d.strideH = is1d ? 1 : spec.strideH;
      d.strideW = spec.strideW;
      setPadding(d, spec, g, !is1d); // padded cells are ignored on both sides
      push(std::move(d));
    } else if (kind == "BatchNormalization") {
      auto &bn = static_cast<nn::BatchNormLayer &>(layer);
      LayerDesc d = baseLayer(spec, LayerKind::BatchNorm, o);
      auto params = bn.parameters(); // gamma, beta, mean, variance
      const nn::Matrix &gamma = params[0]->value, &beta = params[1]->value,
                       &mean = params[2]->value, &var = params[3]->value;
      for (long c = 0; c < gamma.size(); ++c) {
        float scale = gamma(c) / std::sqrt(var(c) + spec.epsilon);
        d.weights.push_back(scale);
        d.biases.push_back(beta(c) - mean(c) * scale);
      }
      push(std::move(d));
    } else if (kind == "Add" || kind == "Concatenate") {
      // hls4ml's merge layers (nnet_merge.h) take two inputs; the engine concatenates along its
      // channel axis, which is the last one of the HLS (channels-last) layout.
      if (srcs.size() != 2)
        unsupported(spec.name, "merges " + std::to_string(srcs.size()) +
                                   " inputs; hls4ml's merge layers take two (chain two " + kind +
                                   " layers instead)");
      push(baseLayer(spec, kind == "Add" ? LayerKind::Add : LayerKind::Concatenate, o));
    } else if (kind == "Upsample") {
      // Nearest-neighbour upsampling by whole factors (hls4ml's resize_nearest), the same on a
      // channels-last map; a (C, L) map is 1 x L.
      if (!g.isFeatureMap)
        unsupported(spec.name, "upsamples a flat vector; resize_nearest needs a (C, L) or (C, H, W) feature map");
      LayerDesc d = baseLayer(spec, LayerKind::Upsample, o);
      d.scaleH = current.rank() == 3 ? spec.kernelH : 1;
      d.scaleW = spec.kernelW;
      push(std::move(d));
    } else if (kind == "PReLU") {
      // One slope per element (hls4ml's prelu), moved to the HLS element order: channels last,
      // or a Flatten's order that the Dense layer after it reads.
      LayerDesc d = baseLayer(spec, LayerKind::PReLU, o);
      const nn::Matrix &alpha = layer.parameters().at(0)->value; // 1 x size, engine order
      const std::vector<long> &order = rowOrder[static_cast<size_t>(src)];
      d.weights.assign(static_cast<size_t>(alpha.size()), 0.0f);
      for (long e = 0; e < alpha.size(); ++e) {
        long to = e;
        if (!order.empty()) {
          to = order[static_cast<size_t>(e)];
        } else if (g.isFeatureMap) {
          const long c = e / (static_cast<long>(g.height) * g.width), hw = e % (static_cast<long>(g.height) * g.width);
          to = channelsLastIndex(g, static_cast<int>(c), static_cast<int>(hw / g.width), static_cast<int>(hw % g.width));
        }
        d.weights[static_cast<size_t>(to)] = alpha(0, e);
      }
      push(std::move(d));
      if (!order.empty()) {
        rowOrder[i + 1] = order;
        rowOrderUsed[static_cast<size_t>(src)] = 1;
      }
    } else if (act && act->isActivation && act->emitConfig) {
      // An activation the HLS templates have (its descriptor names the engine's layer); an
      // element-wise one passes a flattened map's row order on to the Dense layer after it.
      push(activationLayer(spec, act->kind, o));
      if (elementwise && !rowOrder[static_cast<size_t>(src)].empty()) {
        rowOrder[i + 1] = rowOrder[static_cast<size_t>(src)];
        rowOrderUsed[static_cast<size_t>(src)] = 1;
      }
    } else if (kind == "Flatten" || kind == "Reshape") {
      if (kind == "Reshape" && layer.outputShape().rank() != 1)
        unsupported(spec.name, "reshapes to rank " + std::to_string(layer.outputShape().rank()) +
                                   "; only flattening is supported");
      if (g.isFeatureMap) {
        std::vector<long> &order = rowOrder[i + 1];
        order.resize(static_cast<size_t>(current.size()));
        for (int c = 0; c < g.channels; ++c)
          for (int h = 0; h < g.height; ++h)
            for (int w = 0; w < g.width; ++w)
              order[static_cast<size_t>((c * g.height + h) * g.width + w)] = channelsLastIndex(g, c, h, w);
        push(baseLayer(spec, LayerKind::Flatten, o));
      }
    } else if (kind == "Quant" || kind == "BipolarQuant") {
      // The result type of the layer before, or (on a tensor quantised already) a linear layer.
      const std::string last = desc.layers.empty() ? std::string(hls::NetworkDesc::kInputName) : desc.layers.back().name;
      if (graph && producer[static_cast<size_t>(src)] != last)
        unsupported(spec.name, "quantises the output of '" + producer[static_cast<size_t>(src)] +
                                   "', not of the layer before it; quantisers in graph networks must follow their layer");
      rowOrder[i + 1] = rowOrder[static_cast<size_t>(src)];  // a quantiser keeps a flattened map's order
      rowOrderUsed[static_cast<size_t>(src)] = 1;
      if (!foldQuantiser(desc, spec, quantisedTensors)) {
        LayerDesc d = baseLayer(spec, LayerKind::Linear, o);
        d.resultType = quantiserType(spec);
        quantisedTensors.push_back(d.name);
        push(std::move(d));
      }
    } else if (kind == "Transpose" && i + 1 == net.size() && g.isFeatureMap &&
               spec.perm == (current.rank() == 3 ? std::vector<int>{1, 2, 0} : std::vector<int>{1, 0})) {
      // The network's output turned channels-last (a channels-last model's NHWC output): that is
      // the HLS layout already, so the HLS output equals the engine's in order.
    } else if (kind == "Dropout") {
      // Identity at inference: its readers read its input.
      rowOrder[i + 1] = rowOrder[static_cast<size_t>(src)];
      rowOrderUsed[static_cast<size_t>(src)] = 1;
    } else {
      unsupported(spec.name, "is a " + kind + ", which the HLS backend does not implement");
    }
  }
  for (size_t a = 1; a <= net.size(); ++a)
    if (!rowOrder[a].empty() && !rowOrderUsed[a])
      unsupported(net.layer(a - 1).spec().name, "flattens a feature map that no Dense layer reads");
  for (const auto &[index, terms] : exactSums) {
    hls::LayerDesc &d = desc.layers[index];
    hls::FixedType accum;
    if (exactAccumulator(inputTypeOf(desc, index), d.weightType, d.biasType, terms, accum)) d.accumType = accum;
  }
  desc.resolve();
  return desc;
}

std::vector<float> toHlsInputOrder(const nn::Network &net, const float *samples, size_t n) {
  Geometry g = geometryOf(net.inputShape());
  long size = net.inputShape().size();
  std::vector<float> out(static_cast<size_t>(size) * n);
  for (size_t s = 0; s < n; ++s) {
    const float *src = samples + s * static_cast<size_t>(size);
    float *dst = out.data() + s * static_cast<size_t>(size);
    if (!g.isFeatureMap) {
      std::copy(src, src + size, dst);
      continue;
    }
    for (int c = 0; c < g.channels; ++c)
      for (int h = 0; h < g.height; ++h)
        for (int w = 0; w < g.width; ++w)
          dst[channelsLastIndex(g, c, h, w)] = src[(c * g.height + h) * g.width + w];
  }
  return out;
}

} // namespace mmlc::tasks
