// nn::Network → hls::NetworkDesc: layer mapping, weight layouts and the channels-first/last bridge.
#include "tasks/HlsConversion.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

#include "hls/LayerKinds.h"
#include "nn/BatchNormLayer.h"
#include "nn/ConvLayer.h"
#include "nn/DenseLayer.h"
#include "nn/Network.h"

namespace mmlc::tasks {
namespace {

using hls::LayerDesc;
using hls::LayerKind;

[[noreturn]] void unsupported(const std::string &layer, const std::string &why) {
  throw std::invalid_argument("hls4ml: layer '" + layer + "' " + why);
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

/// An activation layer with its constants (ELU's alpha, HardSigmoid's slope and shift, Clip's
/// bounds); hls4ml's selu has SELU's standard constants built in, so no others convert.
LayerDesc activationLayer(const nn::LayerSpec &spec, LayerKind kind, const HlsConversionOptions &o) {
  LayerDesc d = baseLayer(spec, kind, o);
  if (kind == LayerKind::ELU || kind == LayerKind::LeakyReLU) d.alpha = spec.alpha;
  if (kind == LayerKind::HardSigmoid) {
    d.slope = spec.alpha;
    d.shift = spec.beta;
  }
  if (kind == LayerKind::Clip) {
    d.clipMin = spec.alpha;
    d.clipMax = spec.beta;
  }
  if (kind == LayerKind::SELU &&
      (std::abs(spec.alpha - 1.6732632f) > 1e-6f || std::abs(spec.beta - 1.0507010f) > 1e-6f))
    unsupported(spec.name, "is a SELU with alpha " + std::to_string(spec.alpha) + " and gamma " +
                               std::to_string(spec.beta) +
                               "; hls4ml's selu has the standard constants (1.6732632, 1.0507010) built in");
  return d;
}

std::vector<float> toVector(const nn::Matrix &m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

} // namespace

hls::NetworkDesc toHlsNetwork(nn::Network &net, const HlsConversionOptions &o) {
  // Graph networks (skip connections) have no HLS emission yet (issue 13, item 3).
  if (!net.isChain()) {
    for (size_t i = 0; i < net.size(); ++i)
      if (net.layer(i).spec().inputs.size() > 1)
        throw std::invalid_argument("graph networks (" + net.layer(i).spec().kind + " at layer " +
                                    std::to_string(i + 1) + ", '" + net.layer(i).spec().name +
                                    "') cannot be converted to HLS yet");
    throw std::invalid_argument("graph networks (layers that do not read the previous layer) cannot "
                                "be converted to HLS yet");
  }
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

  // After a Flatten of a feature map, the next Dense layer's rows follow the engine's
  // channel-major order; HLS flattens channels-last, so the rows are permuted.
  std::vector<long> pendingRowOrder;
  nn::Shape current = net.inputShape();
  for (size_t i = 0; i < net.size(); ++i) {
    nn::Layer &layer = net.layer(i);
    const nn::LayerSpec &spec = layer.spec();
    const std::string &kind = spec.kind;
    Geometry g = geometryOf(current);
    if (kind == "Dense") {
      auto &dense = static_cast<nn::DenseLayer &>(layer);
      LayerDesc d = baseLayer(spec, LayerKind::Dense, o);
      const nn::Matrix &w = dense.weight().value; // in x out, row-major
      long nIn = w.rows(), nOut = w.cols();
      d.nIn = static_cast<int>(nIn);
      d.nOut = static_cast<int>(nOut);
      d.weights.assign(static_cast<size_t>(nIn * nOut), 0.0f);
      for (long r = 0; r < nIn; ++r) {
        long hlsRow = pendingRowOrder.empty() ? r : pendingRowOrder[static_cast<size_t>(r)];
        for (long c = 0; c < nOut; ++c)
          d.weights[static_cast<size_t>(hlsRow * nOut + c)] = w(r, c);
      }
      pendingRowOrder.clear();
      d.biases = spec.useBias ? toVector(dense.bias().value)
                              : std::vector<float>(static_cast<size_t>(nOut), 0.0f);
      desc.layers.push_back(std::move(d));
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
      desc.layers.push_back(std::move(d));
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
      desc.layers.push_back(std::move(d));
    } else if (kind == "MaxPool" || kind == "AveragePool") {
      if (spec.padH != 0 || spec.padW != 0 || spec.padding == "same")
        unsupported(spec.name, "is padded; the HLS templates support unpadded pooling");
      LayerDesc d = baseLayer(spec, kind == "MaxPool" ? LayerKind::MaxPool : LayerKind::AvgPool, o);
      bool is1d = current.rank() == 2;
      d.kernelH = is1d ? 1 : spec.kernelH;
      d.kernelW = spec.kernelW;
      d.strideH = is1d ? 1 : spec.strideH;
      d.strideW = spec.strideW;
      desc.layers.push_back(std::move(d));
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
      desc.layers.push_back(std::move(d));
    } else if (const hls::LayerKindInfo *act = hls::kindByNnName(kind);
               act && act->isActivation && act->emitConfig) {
      // An activation the HLS templates have (its descriptor names the engine's layer).
      desc.layers.push_back(activationLayer(spec, act->kind, o));
    } else if (kind == "Flatten" || kind == "Reshape") {
      if (kind == "Reshape" && layer.outputShape().rank() != 1)
        unsupported(spec.name, "reshapes to rank " + std::to_string(layer.outputShape().rank()) +
                                   "; only flattening is supported");
      if (g.isFeatureMap) {
        pendingRowOrder.resize(static_cast<size_t>(current.size()));
        for (int c = 0; c < g.channels; ++c)
          for (int h = 0; h < g.height; ++h)
            for (int w = 0; w < g.width; ++w)
              pendingRowOrder[static_cast<size_t>((c * g.height + h) * g.width + w)] =
                  channelsLastIndex(g, c, h, w);
        desc.layers.push_back(baseLayer(spec, LayerKind::Flatten, o));
      }
    } else if (kind == "Dropout") {
      // Identity at inference.
    } else {
      unsupported(spec.name, "is a " + kind + ", which the HLS backend does not implement");
    }
    current = layer.outputShape();
  }
  if (!pendingRowOrder.empty())
    unsupported(desc.layers.back().name, "flattens a feature map that no Dense layer reads");
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
