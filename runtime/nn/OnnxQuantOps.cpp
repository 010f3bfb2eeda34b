// QONNX's own operators. Quantisers (Quant/IntQuant, BipolarQuant, Trunc of the qonnx, finn and
// brevitas domains): on an initializer they quantise it in place and give the layer reading it an
// exact weight or bias type; on data they become engine Quant/BipolarQuant layers (nn/QuantLayer.h).
// Channels-last wrappers (qonnx.custom_op.channels_last Conv, MaxPool, AveragePool,
// BatchNormalization, as QONNX's ConvertToChannelsLastAndClean leaves them): the standard operator
// between folded Transposes of its data (and of a Conv's weight, stored O x k... x I).
#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>

#include "nn/OnnxImporter.h"
#include "nn/QuantLayer.h"

namespace mmlc::nn::onnximport {
namespace {

// numpy broadcasting of `t` (a scale or zero point) to `dims`, right-aligned.
std::vector<float> broadcastTo(const InitTensor& t, const std::vector<int64_t>& dims) {
  size_t count = 1;
  for (int64_t d : dims) count *= static_cast<size_t>(d);
  if (t.f.size() == 1) return std::vector<float>(1, t.f[0]);
  std::vector<float> out(count);
  const size_t rank = dims.size(), trank = t.dims.size();
  std::vector<size_t> idx(rank, 0);
  for (size_t k = 0; k < count; ++k) {
    size_t src = 0;
    for (size_t a = 0; a < trank; ++a) {
      const size_t axis = rank - trank + a;
      const int64_t extent = t.dims[a];
      src = src * static_cast<size_t>(extent) + (extent == 1 ? 0 : idx[axis]);
    }
    out[k] = t.f[src];
    for (size_t a = rank; a-- > 0;) {  // next index, last axis fastest
      if (++idx[a] < static_cast<size_t>(dims[a])) break;
      idx[a] = 0;
    }
  }
  return out;
}

// The current node's quantiser (scalar parameters); `scales`/`zeros` get the per-value ones
// broadcast to `dims` when given (a quantised initializer), else they must be single numbers.
LayerSpec quantiserOf(Importer& imp, const std::vector<int64_t>* dims = nullptr,
                      std::vector<float>* scales = nullptr, std::vector<float>* zeros = nullptr) {
  const onnx::NodeProto& n = imp.node();
  const std::string& op = n.op_type();
  // Scalar value of constant input i (a one-element tensor, float or integer).
  auto scalar = [&](int i, const char* what) {
    const InitTensor& t = imp.init(i);
    if (t.f.size() == 1) return static_cast<double>(t.f[0]);
    if (t.i.size() == 1) return static_cast<double>(t.i[0]);
    imp.failNode(std::string(what) + " must be one number here, not a tensor of " +
                 std::to_string(std::max(t.f.size(), t.i.size())) + " values");
  };
  auto perValue = [&](int i, const char* what, std::vector<float>* out) {
    const InitTensor& t = imp.init(i);
    if (t.f.empty()) imp.failNode(std::string(what) + " must be a float tensor");
    if (out) {
      if (t.f.size() != 1) {
        if (t.dims.size() > dims->size())
          imp.failNode(std::string(what) + " has more dimensions than the tensor it quantises");
        for (size_t a = 0; a < t.dims.size(); ++a) {
          const int64_t want = (*dims)[dims->size() - t.dims.size() + a];
          if (t.dims[a] != 1 && t.dims[a] != want)
            imp.failNode(std::string(what) + " of shape " + std::to_string(t.dims[a]) + " on axis " + std::to_string(a) +
                         " does not broadcast to " + std::to_string(want));
        }
      }
      *out = broadcastTo(t, *dims);
      return t.f[0];
    }
    if (t.f.size() != 1)
      imp.failNode(std::string(what) + " has " + std::to_string(t.f.size()) +
                   " values: per-channel quantisation of activations is not supported (only of weights and biases)");
    return t.f[0];
  };
  auto rounding = [&](const char* def) {
    const std::string given = imp.attrString("rounding_mode", def);
    std::string mode = given;
    for (char& c : mode) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!isQuantRoundingMode(mode))
      imp.requireAttr(false, "rounding_mode", "'" + given + "'", "ROUND, CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN");
    return mode;
  };
  auto checkBits = [&](double bits, const char* what) {
    if (bits != std::floor(bits) || bits < 1 || bits > kMaxQuantBits)
      imp.failNode(std::string(what) + " " + std::to_string(bits) + " is outside the supported range 1.." +
                   std::to_string(kMaxQuantBits));
    return static_cast<int>(bits);
  };
  LayerSpec s;
  if (op == "BipolarQuant") {
    if (n.input_size() != 2) imp.failNode("needs 2 inputs (X, scale), has " + std::to_string(n.input_size()));
    s.kind = "BipolarQuant";
    s.scale = perValue(1, "scale", scales);
    if (zeros) *zeros = {0.0f};
  } else if (op == "Quant" || op == "IntQuant") {
    if (n.input_size() != 4)
      imp.failNode("needs 4 inputs (X, scale, zeropt, bitwidth), has " + std::to_string(n.input_size()));
    s.kind = "Quant";
    s.scale = perValue(1, "scale", scales);
    s.zeroPoint = perValue(2, "zero point", zeros);
    s.bits = checkBits(scalar(3, "bitwidth"), "bit width");
    s.isSigned = imp.attrInt("signed", 1) != 0;
    s.narrow = imp.attrInt("narrow", 0) != 0;
    s.rounding = rounding("ROUND");
  } else {  // Trunc
    // Version 2 (X, scale, zeropt, in_bitwidth, out_scale, out_bitwidth): on a tensor already on the
    // grid of `scale` (the output of a quantiser), Trunc is a quantiser to out_scale/out_bitwidth.
    if (n.input_size() != 6)
      imp.failNode("has " + std::to_string(n.input_size()) +
                   " inputs; only Trunc version 2 (X, scale, zeropt, in_bitwidth, out_scale, out_bitwidth) is supported");
    const float in = perValue(1, "scale", nullptr);
    if (perValue(2, "zero point", nullptr) != 0.0f) imp.failNode("has a non-zero zero point, which is not supported");
    checkBits(scalar(3, "in_bitwidth"), "input bit width");
    s.kind = "Quant";
    s.scale = perValue(4, "out_scale", nullptr);
    const int e = powerOfTwoExponent(s.scale / in);
    if (e == INT_MIN || e < 0)
      imp.failNode("out_scale / scale = " + std::to_string(s.scale / in) + " is not a power of two of at least 1");
    s.bits = checkBits(scalar(5, "out_bitwidth"), "output bit width");
    s.isSigned = imp.attrInt("signed", 1) != 0;
    s.narrow = imp.attrInt("narrow", 0) != 0;
    s.rounding = rounding("FLOOR");
  }
  if (!(s.scale > 0.0f)) imp.failNode("scale must be positive, not " + std::to_string(s.scale));
  if (scales)
    for (float v : *scales)
      if (!(v > 0.0f)) imp.failNode("scale must be positive, not " + std::to_string(v));
  return s;
}

// A quantiser on data: an engine layer (per-tensor parameters only).
void quantiseData(Importer& imp) { elementwise(imp, quantiserOf(imp)); }

// A channels-last wrapped operator: the standard one on the channels-first view of its input,
// its output viewed channels-last again (the Transposes fold away as views, nothing is copied).
void channelsLast(Importer& imp) {
  const onnx::NodeProto& n = imp.node();
  const Value& v = imp.inputs()[0];
  const int rank = static_cast<int>(v.shape.size());
  if (rank < 2 || rank > 3)
    imp.failNode("reads a tensor of per-sample shape " + Shape(v.shape).str() +
                 "; channels-last operators take (L, C) or (H, W, C) per sample");
  std::vector<int> toFirst(rank), toLast(rank);  // (..., C) -> (C, ...) and back
  toFirst[0] = rank - 1;
  for (int i = 1; i < rank; ++i) toFirst[i] = i - 1;
  for (int i = 0; i < rank; ++i) toLast[i] = (i + 1) % rank;
  onnx::NodeProto standard = n;
  standard.clear_domain();
  if (n.op_type() == "Conv") {
    // The weight is O x k... x I: the standard Conv reads it as O x I x k....
    const InitTensor& w = imp.init(1);
    if (w.dims.size() != static_cast<size_t>(rank) + 1)
      imp.failNode("weight has shape of rank " + std::to_string(w.dims.size()) + ", expected " + std::to_string(rank + 1));
    InitTensor cf;
    cf.dims = {w.dims[0], w.dims.back()};
    cf.dims.insert(cf.dims.end(), w.dims.begin() + 1, w.dims.end() - 1);
    const int64_t outs = w.dims[0], ins = w.dims.back();
    int64_t taps = 1;
    for (size_t a = 1; a + 1 < w.dims.size(); ++a) taps *= w.dims[a];
    cf.f.resize(w.f.size());
    if (static_cast<int64_t>(w.f.size()) != outs * taps * ins) imp.failNode("weight must be a float initializer");
    for (int64_t o = 0; o < outs; ++o)
      for (int64_t k = 0; k < taps; ++k)
        for (int64_t c = 0; c < ins; ++c)
          cf.f[static_cast<size_t>((o * ins + c) * taps + k)] = w.f[static_cast<size_t>((o * taps + k) * ins + c)];
    const std::string name = n.input(1) + "/channels_first";
    imp.defineInit(name, std::move(cf), imp.quantTypeOf(n.input(1)));
    standard.set_input(1, name);
  }
  const Value out = imp.importAs(standard, {transposedView(imp, v, toFirst)});
  imp.define(transposedView(imp, out, toLast));
}

}  // namespace

bool isQonnxDomain(const std::string& domain) {
  return domain == "qonnx.custom_op.general" || domain == "finn.custom_op.general" || domain == "onnx.brevitas";
}

bool isChannelsLastDomain(const std::string& domain) {
  return domain == "qonnx.custom_op.channels_last" || domain == "finn.custom_op.channels_last";
}

void quantiseInitializer(Importer& imp) {
  const onnx::NodeProto& n = imp.node();
  if (n.output_size() != 1) imp.failNode("must have one output");
  InitTensor t = imp.init(0);
  if (t.f.empty()) imp.failNode("quantises '" + n.input(0) + "', which is not a float tensor");
  std::vector<float> scales, zeros;
  const LayerSpec q = quantiserOf(imp, &t.dims, &scales, &zeros);
  std::string type;
  if (q.kind == "BipolarQuant") {
    // +-scale: 2-bit integers (-1, +1) scaled by a power of two are exact in fixed<2, 1 + e>.
    for (size_t i = 0; i < t.f.size(); ++i) {
      const float sc = scales[scales.size() == 1 ? 0 : i];
      t.f[i] = t.f[i] >= 0.0f ? sc : -sc;
    }
    IntQuantiser two;
    two.bits = 2;
    std::vector<float> copy = t.f;
    type = quantiseToFixed(copy, two, scales, zeros);
  } else {
    type = quantiseToFixed(t.f, IntQuantiser::of(q), scales, zeros);
  }
  imp.defineInit(n.output(0), std::move(t), type);
}

void addQonnxHandlers(std::map<std::string, OpHandler>& table) {
  for (const char* domain : {"qonnx.custom_op.general", "finn.custom_op.general", "onnx.brevitas"})
    for (const char* op : {"Quant", "IntQuant", "BipolarQuant", "Trunc"})
      table[std::string(domain) + "." + op] = quantiseData;
  for (const char* domain : {"qonnx.custom_op.channels_last", "finn.custom_op.channels_last"})
    for (const char* op : {"Conv", "MaxPool", "AveragePool", "BatchNormalization"})
      table[std::string(domain) + "." + op] = channelsLast;
}

}  // namespace mmlc::nn::onnximport
