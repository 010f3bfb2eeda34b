// ONNX import: walks the nodes in graph order, turning each operator into engine layers (wired to the
// layers producing their inputs: chains and DAGs with Add/Concat) and copying weights.
// MatMul followed by Add(bias) (the Keras/tf2onnx form) folds into one Dense like Gemm (PyTorch form).
// QONNX quantisers (Quant/IntQuant, BipolarQuant, Trunc): on an initializer they quantise it in
// place and give the layer reading it an exact weight or bias type; on data they become Quant layers.
#include <onnx/onnx_pb.h>

#include <cctype>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "nn/Error.h"
#include "nn/OnnxModel.h"
#include "nn/QuantLayer.h"

namespace mmlc::nn {

namespace {

struct Tensor {
  std::vector<int64_t> dims;
  std::vector<float> f;    // float data
  std::vector<int64_t> i;  // integer data
};

class Importer {
 public:
  Importer(const std::string& path, const onnx::ModelProto& model) : path_(path), g_(model.graph()) {
    for (const auto& t : g_.initializer()) inits_[t.name()] = convert(t);
  }
  Network run();

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error("ONNX model " + path_ + ": " + what); }
  Tensor convert(const onnx::TensorProto& t) const;
  const Tensor& init(const onnx::NodeProto& n, int input) const {
    if (n.input_size() <= input) fail("node '" + n.name() + "' (" + n.op_type() + ") is missing input " + std::to_string(input));
    auto it = inits_.find(n.input(input));
    if (it == inits_.end())
      fail("input '" + n.input(input) + "' of node '" + n.name() + "' (" + n.op_type() + ") must be an initializer");
    return it->second;
  }
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  int64_t attrInt(const onnx::NodeProto& n, const char* name, int64_t def) const {
    const auto* a = attr(n, name);
    return a ? a->i() : def;
  }
  float attrFloat(const onnx::NodeProto& n, const char* name, float def) const {
    const auto* a = attr(n, name);
    return a ? a->f() : def;
  }
  std::vector<int64_t> attrInts(const onnx::NodeProto& n, const char* name) const {
    const auto* a = attr(n, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
  }
  std::string layerName(const onnx::NodeProto& n) {
    std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(counter_) : n.name();
    ++counter_;
    while (used_.count(base)) base += "_";
    used_.insert(base);
    return base;
  }
  // The layer (or "input") producing a data tensor; fails for a dangling or not-yet-produced one.
  std::string sourceOf(const onnx::NodeProto& n, const std::string& tensor) const {
    auto it = source_.find(tensor);
    if (it != source_.end()) return it->second;
    if (produced_.count(tensor))
      fail("node '" + n.name() + "' (" + n.op_type() + ") reads '" + tensor +
           "' before the node producing it: the graph has a cycle or is not in topological order");
    fail("node '" + n.name() + "' (" + n.op_type() + ") reads '" + tensor +
         "', which is neither the graph input, an initializer nor a node's output");
  }
  // Adds `s` reading `inputs` (a single input that is the previous layer is left implicit, so
  // chains import exactly as before).
  void add(Network& net, LayerSpec s, const std::vector<std::string>& inputs) {
    const std::string previous = net.size() ? net.layer(net.size() - 1).spec().name : "input";
    if (!(inputs.size() == 1 && inputs[0] == previous)) s.inputs = inputs;
    net.add(s);
  }
  void add(Network& net, LayerSpec s) { add(net, std::move(s), {src_}); }
  // "same" when `pads` (begin..., end...) are Keras/TF "same" padding for `kernel`/`strides` on
  // the current input, "" when all zero; anything else fails.
  std::string padMode(const onnx::NodeProto& n, const std::vector<int64_t>& pads, const std::vector<int64_t>& kernel,
                      const std::vector<int64_t>& strides) const;
  void addDense(Network& net, const onnx::NodeProto& n, const Tensor& w, bool transposed, float alpha, bool useBias);
  void addConv(Network& net, const onnx::NodeProto& n);
  void addPool(Network& net, const onnx::NodeProto& n);
  // A QONNX quantiser node: its quantiser (scalar parameters; `scales`/`zeros` get the per-value
  // ones broadcast to `dims` when given) from its constant inputs and attributes.
  LayerSpec qonnxQuantiser(const onnx::NodeProto& n, const std::vector<int64_t>* dims = nullptr,
                           std::vector<float>* scales = nullptr, std::vector<float>* zeros = nullptr) const;
  // Quantises the initializer a QONNX node reads into a new initializer under its output's name.
  void quantiseInitializer(const onnx::NodeProto& n);
  // Gives the layer just imported from `n` the types of the quantised initializers `n` reads.
  void annotateQuantisedInputs(Network& net, const onnx::NodeProto& n);

  std::string path_;
  const onnx::GraphProto& g_;
  std::map<std::string, Tensor> inits_;
  std::map<std::string, std::string> quantTypes_;  // quantised initializer -> its exact fixed type
  std::set<std::string> used_{"input"};  // "input" names the network input in layer inputs
  int counter_ = 0;
  std::map<std::string, std::string> source_;  // data tensor -> producing layer name or "input"
  std::set<std::string> produced_;             // every node output
  std::string src_;                            // the data input of the node being imported
  Shape in_;                                   // its shape
};

Tensor Importer::convert(const onnx::TensorProto& t) const {
  Tensor out;
  size_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) fail("initializer '" + t.name() + "' has a negative dimension");
    out.dims.push_back(d);
    count *= d;
  }
  const std::string& raw = t.raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (!raw.empty()) {
        if (raw.size() != count * 4) fail("initializer '" + t.name() + "' raw data size does not match its shape");
        out.f.resize(count);
        std::memcpy(out.f.data(), raw.data(), raw.size());
      } else {
        out.f.assign(t.float_data().begin(), t.float_data().end());
      }
      if (out.f.size() != count) fail("initializer '" + t.name() + "' has " + std::to_string(out.f.size()) +
                                      " values but its shape needs " + std::to_string(count));
      break;
    case onnx::TensorProto::DOUBLE: {
      std::vector<double> d;
      if (!raw.empty()) {
        if (raw.size() != count * 8) fail("initializer '" + t.name() + "' raw data size does not match its shape");
        d.resize(count);
        std::memcpy(d.data(), raw.data(), raw.size());
      } else {
        d.assign(t.double_data().begin(), t.double_data().end());
      }
      out.f.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto::INT64:
      if (!raw.empty()) {
        if (raw.size() != count * 8) fail("initializer '" + t.name() + "' raw data size does not match its shape");
        out.i.resize(count);
        std::memcpy(out.i.data(), raw.data(), raw.size());
      } else {
        out.i.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    case onnx::TensorProto::INT32:
      if (!raw.empty()) {
        if (raw.size() != count * 4) fail("initializer '" + t.name() + "' raw data size does not match its shape");
        std::vector<int32_t> v(count);
        std::memcpy(v.data(), raw.data(), raw.size());
        out.i.assign(v.begin(), v.end());
      } else {
        out.i.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    default:
      break;  // other types only matter if a supported operator reads them, which then fails clearly
  }
  return out;
}

void Importer::addDense(Network& net, const onnx::NodeProto& n, const Tensor& w, bool transposed, float alpha,
                        bool useBias) {
  if (w.dims.size() != 2 || w.f.empty()) fail("node '" + n.name() + "' weight must be a 2-D float initializer");
  const long in = transposed ? w.dims[1] : w.dims[0], out = transposed ? w.dims[0] : w.dims[1];
  if (in_.rank() != 1 || in_.size() != in)
    fail("node '" + n.name() + "' (" + n.op_type() + ") expects " + std::to_string(in) + " features but gets " +
         in_.str());
  LayerSpec s = layers::dense(static_cast<int>(out), useBias);
  s.name = layerName(n);
  add(net, s);
  Parameter& W = *net.layer(net.size() - 1).parameters()[0];
  Eigen::Map<const Matrix> src(w.f.data(), w.dims[0], w.dims[1]);
  if (transposed) W.value = src.transpose() * alpha;
  else W.value = src * alpha;
}

void Importer::addConv(Network& net, const onnx::NodeProto& n) {
  const Tensor& w = init(n, 1);
  if (attrInt(n, "group", 1) != 1) fail("node '" + n.name() + "' (Conv) uses groups, which are not supported");
  for (int64_t d : attrInts(n, "dilations"))
    if (d != 1) fail("node '" + n.name() + "' (Conv) uses dilation, which is not supported");
  const bool twoD = w.dims.size() == 4;
  if (!twoD && w.dims.size() != 3) fail("node '" + n.name() + "' (Conv) weight must be 3-D or 4-D");
  const int sp = twoD ? 2 : 1;
  LayerSpec s = twoD ? layers::conv2d(static_cast<int>(w.dims[0]), static_cast<int>(w.dims[2]))
                     : layers::conv1d(static_cast<int>(w.dims[0]), static_cast<int>(w.dims[2]));
  if (twoD) s.kernelW = static_cast<int>(w.dims[3]);
  auto strides = attrInts(n, "strides");
  auto pads = attrInts(n, "pads");
  const auto* autoPad = attr(n, "auto_pad");
  const std::string ap = autoPad ? autoPad->s() : "NOTSET";
  std::vector<int64_t> k = {w.dims[2]};
  if (twoD) k.push_back(w.dims[3]);
  if (strides.empty()) strides.assign(sp, 1);
  bool symmetricSame = ap == "SAME_UPPER" || ap == "SAME_LOWER";
  for (int i = 0; i < sp; ++i) symmetricSame = symmetricSame && strides[i] == 1 && k[i] % 2 == 1;
  if (symmetricSame) {  // odd kernels at stride 1: "same" is symmetric padding of k/2
    pads.clear();
    for (int i = 0; i < 2 * sp; ++i) pads.push_back(k[i % sp] / 2);
  } else if (ap == "SAME_UPPER") {
    s.padding = "same";
    pads.assign(2 * sp, 0);
  } else if (ap != "NOTSET" && ap != "VALID") {
    fail("node '" + n.name() + "' (Conv) has unsupported auto_pad " + ap);
  }
  if (pads.empty()) pads.assign(2 * sp, 0);
  bool symmetric = true;
  for (int i = 0; i < sp; ++i) symmetric = symmetric && pads[i] == pads[i + sp];
  if (!symmetric) {
    s.padding = padMode(n, pads, k, strides);
    pads.assign(2 * sp, 0);
  }
  if (twoD) {
    s.strideH = static_cast<int>(strides[0]);
    s.strideW = static_cast<int>(strides[1]);
    s.padH = static_cast<int>(pads[0]);
    s.padW = static_cast<int>(pads[1]);
  } else {
    s.strideW = static_cast<int>(strides[0]);
    s.padW = static_cast<int>(pads[0]);
  }
  const bool hasBias = n.input_size() > 2 && !n.input(2).empty();
  s.useBias = hasBias;
  s.name = layerName(n);
  if (in_.dims.empty() || in_.dims[0] != w.dims[1])
    fail("node '" + n.name() + "' (Conv) expects " + std::to_string(w.dims[1]) + " channels but gets " + in_.str());
  add(net, s);
  auto params = net.layer(net.size() - 1).parameters();
  params[0]->value = Eigen::Map<const Matrix>(w.f.data(), params[0]->value.rows(), params[0]->value.cols());
  if (hasBias) {
    const Tensor& b = init(n, 2);
    if (static_cast<long>(b.f.size()) != params[1]->value.cols()) fail("node '" + n.name() + "' (Conv) bias has the wrong size");
    params[1]->value = Eigen::Map<const Matrix>(b.f.data(), 1, params[1]->value.cols());
  }
}

void Importer::addPool(Network& net, const onnx::NodeProto& n) {
  auto k = attrInts(n, "kernel_shape");
  auto strides = attrInts(n, "strides");
  if (attrInt(n, "ceil_mode", 0) != 0) fail("node '" + n.name() + "' (" + n.op_type() + ") uses ceil_mode");
  if (k.empty() || k.size() > 2) fail("node '" + n.name() + "' (" + n.op_type() + ") needs a 1-D or 2-D kernel_shape");
  if (strides.empty()) strides.assign(k.size(), 1);
  LayerSpec s;
  const auto* autoPad = attr(n, "auto_pad");
  const std::string ap = autoPad ? autoPad->s() : "NOTSET";
  if (ap == "SAME_UPPER") s.padding = "same";
  else if (ap != "NOTSET" && ap != "VALID") fail("node '" + n.name() + "' (" + n.op_type() + ") uses auto_pad " + ap);
  else if (!attrInts(n, "pads").empty()) s.padding = padMode(n, attrInts(n, "pads"), k, strides);
  if (!s.padding.empty() && n.op_type() == "AveragePool" && attrInt(n, "count_include_pad", 0) != 0)
    fail("node '" + n.name() + "' (AveragePool) counts padding (count_include_pad=1), which is not supported");
  s.kind = n.op_type();
  s.kernelW = static_cast<int>(k.back());
  s.strideW = static_cast<int>(strides.back());
  if (k.size() == 2) {
    s.kernelH = static_cast<int>(k[0]);
    s.strideH = static_cast<int>(strides[0]);
  }
  s.name = layerName(n);
  add(net, s);
}

std::string Importer::padMode(const onnx::NodeProto& n, const std::vector<int64_t>& pads,
                              const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides) const {
  const size_t sp = kernel.size();
  bool zero = true, same = pads.size() == 2 * sp && in_.rank() == static_cast<int>(sp) + 1;
  for (int64_t p : pads) zero = zero && p == 0;
  if (zero) return "";
  for (size_t i = 0; same && i < sp; ++i) {
    const int64_t in = in_.dims[i + 1], out = (in + strides[i] - 1) / strides[i];
    const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + kernel[i] - in);
    same = pads[i] == total / 2 && pads[i + sp] == total - total / 2;
  }
  if (!same)
    fail("node '" + n.name() + "' (" + n.op_type() +
         ") has padding other than none, symmetric (Conv) or \"same\" (the odd zero last), which is not supported");
  return "same";
}

bool isQonnxDomain(const std::string& domain) {
  return domain == "qonnx.custom_op.general" || domain == "finn.custom_op.general" || domain == "onnx.brevitas";
}

// numpy broadcasting of `t` (a scale or zero point) to `dims`, right-aligned.
std::vector<float> broadcastTo(const Tensor& t, const std::vector<int64_t>& dims) {
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

LayerSpec Importer::qonnxQuantiser(const onnx::NodeProto& n, const std::vector<int64_t>* dims,
                                   std::vector<float>* scales, std::vector<float>* zeros) const {
  const std::string& op = n.op_type();
  const std::string where = "node '" + n.name() + "' (" + op + ")";
  // Scalar value of constant input i (a one-element tensor, float or integer).
  auto scalar = [&](int i, const char* what) {
    const Tensor& t = init(n, i);
    if (t.f.size() == 1) return static_cast<double>(t.f[0]);
    if (t.i.size() == 1) return static_cast<double>(t.i[0]);
    fail(where + " " + what + " must be one number here, not a tensor of " + std::to_string(std::max(t.f.size(), t.i.size())) + " values");
  };
  // A scale or zero point: broadcast to `dims` when asked, else it must be one number.
  auto perValue = [&](int i, const char* what, std::vector<float>* out) {
    const Tensor& t = init(n, i);
    if (t.f.empty()) fail(where + " " + what + " must be a float tensor");
    if (out) {
      if (t.f.size() != 1) {
        if (t.dims.size() > dims->size()) fail(where + " " + what + " has more dimensions than the tensor it quantises");
        for (size_t a = 0; a < t.dims.size(); ++a) {
          const int64_t want = (*dims)[dims->size() - t.dims.size() + a];
          if (t.dims[a] != 1 && t.dims[a] != want)
            fail(where + " " + what + " of shape " + std::to_string(t.dims[a]) + " on axis " + std::to_string(a) +
                 " does not broadcast to " + std::to_string(want));
        }
      }
      *out = broadcastTo(t, *dims);
      return t.f[0];
    }
    if (t.f.size() != 1)
      fail(where + " " + what + " has " + std::to_string(t.f.size()) +
           " values: per-channel quantisation of activations is not supported (only of weights and biases)");
    return t.f[0];
  };
  auto rounding = [&](const char* def) {
    const auto* a = attr(n, "rounding_mode");
    std::string mode = a ? a->s() : def;
    for (char& c : mode) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!isQuantRoundingMode(mode))
      fail(where + " has rounding_mode '" + (a ? a->s() : def) + "' (ROUND, CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN)");
    return mode;
  };
  auto checkBits = [&](double bits, const char* what) {
    if (bits != std::floor(bits) || bits < 1 || bits > kMaxQuantBits)
      fail(where + " " + what + " " + std::to_string(bits) + " is outside the supported range 1.." +
           std::to_string(kMaxQuantBits));
    return static_cast<int>(bits);
  };
  LayerSpec s;
  if (op == "BipolarQuant") {
    if (n.input_size() != 2) fail(where + " needs 2 inputs (X, scale), has " + std::to_string(n.input_size()));
    s.kind = "BipolarQuant";
    s.scale = perValue(1, "scale", scales);
    if (zeros) *zeros = {0.0f};
  } else if (op == "Quant" || op == "IntQuant") {
    if (n.input_size() != 4)
      fail(where + " needs 4 inputs (X, scale, zeropt, bitwidth), has " + std::to_string(n.input_size()));
    s.kind = "Quant";
    s.scale = perValue(1, "scale", scales);
    s.zeroPoint = perValue(2, "zero point", zeros);
    s.bits = checkBits(scalar(3, "bitwidth"), "bit width");
    s.isSigned = attrInt(n, "signed", 1) != 0;
    s.narrow = attrInt(n, "narrow", 0) != 0;
    s.rounding = rounding("ROUND");
  } else if (op == "Trunc") {
    // Version 2 (X, scale, zeropt, in_bitwidth, out_scale, out_bitwidth): on a tensor already on the
    // grid of `scale` (the output of a quantiser), Trunc is a quantiser to out_scale/out_bitwidth.
    if (n.input_size() != 6)
      fail(where + " has " + std::to_string(n.input_size()) +
           " inputs; only Trunc version 2 (X, scale, zeropt, in_bitwidth, out_scale, out_bitwidth) is supported");
    const float in = perValue(1, "scale", nullptr);
    if (perValue(2, "zero point", nullptr) != 0.0f) fail(where + " has a non-zero zero point, which is not supported");
    checkBits(scalar(3, "in_bitwidth"), "input bit width");
    s.kind = "Quant";
    s.scale = perValue(4, "out_scale", nullptr);
    const int e = powerOfTwoExponent(s.scale / in);
    if (e == INT_MIN || e < 0)
      fail(where + " out_scale / scale = " + std::to_string(s.scale / in) + " is not a power of two of at least 1");
    s.bits = checkBits(scalar(5, "out_bitwidth"), "output bit width");
    s.isSigned = attrInt(n, "signed", 1) != 0;
    s.narrow = attrInt(n, "narrow", 0) != 0;
    s.rounding = rounding("FLOOR");
  } else {
    fail("unsupported operator '" + n.domain() + "." + op + "' (node '" + n.name() + "')");
  }
  if (!(s.scale > 0.0f)) fail(where + " scale must be positive, not " + std::to_string(s.scale));
  if (scales)
    for (float v : *scales)
      if (!(v > 0.0f)) fail(where + " scale must be positive, not " + std::to_string(v));
  return s;
}

void Importer::quantiseInitializer(const onnx::NodeProto& n) {
  if (n.output_size() != 1) fail("node '" + n.name() + "' (" + n.op_type() + ") must have one output");
  Tensor t = init(n, 0);
  if (t.f.empty()) fail("node '" + n.name() + "' (" + n.op_type() + ") quantises '" + n.input(0) + "', which is not a float tensor");
  std::vector<float> scales, zeros;
  const LayerSpec q = qonnxQuantiser(n, &t.dims, &scales, &zeros);
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
  inits_[n.output(0)] = std::move(t);
  if (!type.empty()) quantTypes_[n.output(0)] = type;
}

void Importer::annotateQuantisedInputs(Network& net, const onnx::NodeProto& n) {
  if (!net.size()) return;
  Layer& layer = net.layer(net.size() - 1);
  if (layer.spec().kind != "Dense" && layer.spec().kind.rfind("Conv", 0) != 0) return;
  for (const auto& in : n.input()) {
    auto it = quantTypes_.find(in);
    if (it == quantTypes_.end()) continue;
    // A weight has two or more dimensions, a bias one (also when a MatMul's Add brings it).
    if (inits_.at(in).dims.size() >= 2) layer.setQuantisedTypes(it->second, "");
    else layer.setQuantisedTypes("", it->second);
  }
}

Network Importer::run() {
  std::string current;
  std::vector<int> inputDims;
  for (const auto& in : g_.input()) {
    if (inits_.count(in.name())) continue;
    if (!current.empty()) fail("the graph has more than one data input ('" + current + "', '" + in.name() + "')");
    current = in.name();
    const auto& shape = in.type().tensor_type().shape();
    if (shape.dim_size() < 2 || shape.dim_size() > 4)
      fail("input '" + in.name() + "' must have 2 to 4 dimensions (batch first)");
    for (int i = 1; i < shape.dim_size(); ++i) {
      if (!shape.dim(i).has_dim_value() || shape.dim(i).dim_value() <= 0)
        fail("input '" + in.name() + "' dimension " + std::to_string(i) + " must be a fixed positive size");
      inputDims.push_back(static_cast<int>(shape.dim(i).dim_value()));
    }
  }
  if (current.empty()) fail("the graph has no data input");
  Network net{Shape(inputDims)};
  source_[current] = "input";
  for (const auto& n : g_.node())
    for (const auto& o : n.output()) produced_.insert(o);
  std::string lastMatMul;  // a bias-less MatMul layer that a following Add may give its bias
  for (const auto& n : g_.node()) {
    const std::string& op = n.op_type();
    const bool qonnx = isQonnxDomain(n.domain());
    if (qonnx && !n.input().empty() && inits_.count(n.input(0))) {
      quantiseInitializer(n);  // a quantised weight or bias: no layer
      continue;
    }
    if (!qonnx && !n.domain().empty() && n.domain() != "ai.onnx") fail("unsupported operator '" + n.domain() + "." + op + "'");
    if (op == "Constant") {  // PyTorch emits constants (e.g. pads) as nodes; treat them as initializers
      const auto* value = attr(n, "value");
      if (!value || !value->has_t() || n.output_size() != 1) fail("node '" + n.name() + "' (Constant) needs a tensor 'value'");
      inits_[n.output(0)] = convert(value->t());
      continue;
    }
    if (n.input_size() == 0) fail("node '" + n.name() + "' (" + op + ") has no input");
    if (n.output_size() < 1) fail("node '" + n.name() + "' has no output");
    // Data inputs are the ones that are not initializers; Add may list the running tensor second.
    std::vector<std::string> data;
    for (const auto& in : n.input())
      if (!in.empty() && !inits_.count(in)) data.push_back(sourceOf(n, in));
    if (data.empty()) fail("node '" + n.name() + "' (" + op + ") reads no data tensor");
    src_ = data[0];
    in_ = src_ == "input" ? net.inputShape() : net.layer(net.indexOf(src_)).outputShape();
    const size_t before = net.size();
    const std::string biasTarget = lastMatMul;
    lastMatMul.clear();
    std::string result;  // the layer producing this node's output when it adds none
    if ((op == "Add" && data.size() == 2) || op == "Concat") {
      if (op == "Concat") {
        const int64_t axis = attrInt(n, "axis", 1);
        if (axis != 1 && axis != -in_.rank() - 1)
          fail("node '" + n.name() + "' (Concat) joins axis " + std::to_string(axis) +
               "; only the channel axis 1 is supported");
      }
      LayerSpec s = op == "Add" ? layers::add(data) : layers::concatenate(data);
      s.name = layerName(n);
      try {
        net.add(s);
      } catch (const Error& e) {
        fail("node '" + n.name() + "' (" + op + "): " + e.what());
      }
    } else if (data.size() != 1) {
      fail("node '" + n.name() + "' (" + op + ") reads " + std::to_string(data.size()) +
           " data tensors; only Add and Concat merge tensors");
    } else if (op == "Gemm") {
      if (attrInt(n, "transA", 0) != 0) fail("node '" + n.name() + "' (Gemm) with transA=1 is not supported");
      const bool hasBias = n.input_size() > 2 && !n.input(2).empty();
      addDense(net, n, init(n, 1), attrInt(n, "transB", 0) != 0, attrFloat(n, "alpha", 1.0f), hasBias);
      if (hasBias) {
        Parameter& b = *net.layer(net.size() - 1).parameters()[1];
        const Tensor& c = init(n, 2);
        if (static_cast<long>(c.f.size()) != b.value.cols() && c.f.size() != 1)
          fail("node '" + n.name() + "' (Gemm) bias has " + std::to_string(c.f.size()) + " values, expected " +
               std::to_string(b.value.cols()));
        const float beta = attrFloat(n, "beta", 1.0f);
        for (long j = 0; j < b.value.cols(); ++j) b.value(0, j) = beta * c.f[c.f.size() == 1 ? 0 : j];
      }
    } else if (op == "MatMul") {
      addDense(net, n, init(n, 1), false, 1.0f, true);  // bias slot for a following Add (stays 0 otherwise)
      lastMatMul = net.layer(net.size() - 1).spec().name;
    } else if (op == "Add") {
      const int other = inits_.count(n.input(0)) ? 0 : 1;
      if (biasTarget.empty() || src_ != biasTarget)
        fail("node '" + n.name() + "' (Add) with a constant is only supported as the bias of a preceding MatMul");
      const Tensor& c = init(n, other);
      Parameter& b = *net.layer(net.size() - 1).parameters()[1];
      if (static_cast<long>(c.f.size()) != b.value.cols())
        fail("node '" + n.name() + "' (Add) bias has " + std::to_string(c.f.size()) + " values, expected " +
             std::to_string(b.value.cols()));
      b.value = Eigen::Map<const Matrix>(c.f.data(), 1, b.value.cols());
      result = src_;
    } else if (qonnx) {
      LayerSpec s = qonnxQuantiser(n);
      s.name = layerName(n);
      add(net, s);
    } else if (op == "Conv") {
      addConv(net, n);
    } else if (op == "MaxPool" || op == "AveragePool") {
      addPool(net, n);
    } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "LeakyRelu") {
      LayerSpec s;
      s.kind = op == "Relu" ? "ReLU" : op == "LeakyRelu" ? "LeakyReLU" : op;
      s.alpha = attrFloat(n, "alpha", 0.01f);
      s.name = layerName(n);
      add(net, s);
    } else if (op == "Softmax") {
      const int rank = in_.rank();
      const int64_t axis = attrInt(n, "axis", -1);
      if (!(axis == -1 || axis == rank || (rank == 1 && axis == 1)))
        fail("node '" + n.name() + "' (Softmax) over axis " + std::to_string(axis) + " is not supported (only the last axis)");
      LayerSpec s = layers::softmax();
      s.name = layerName(n);
      add(net, s);
    } else if (op == "Dropout") {
      float rate = attrFloat(n, "ratio", 0.5f);
      if (n.input_size() > 1 && !n.input(1).empty()) {
        const Tensor& r = init(n, 1);
        if (!r.f.empty()) rate = r.f[0];
      }
      LayerSpec s = layers::dropout(rate);
      s.name = layerName(n);
      add(net, s);
    } else if (op == "Pad") {
      // PyTorch puts an all-zero Pad in front of AveragePool; only that no-op form is accepted.
      std::vector<int64_t> pads = attrInts(n, "pads");
      if (n.input_size() > 1 && !n.input(1).empty()) pads = init(n, 1).i;
      for (int64_t p : pads)
        if (p != 0) fail("node '" + n.name() + "' (Pad) with non-zero padding is not supported");
      result = src_;
    } else if (op == "Identity") {
      result = src_;  // no layer: the tensor just gets a new name
    } else if (op == "Flatten") {
      if (attrInt(n, "axis", 1) != 1) fail("node '" + n.name() + "' (Flatten) only axis=1 is supported");
      LayerSpec s = layers::flatten();
      s.name = layerName(n);
      add(net, s);
    } else if (op == "Reshape") {
      const Tensor& shape = init(n, 1);
      if (shape.i.empty()) fail("node '" + n.name() + "' (Reshape) shape must be an int64 initializer");
      std::vector<int> dims;
      for (size_t i = 1; i < shape.i.size(); ++i) {
        const int64_t d = shape.i[i];
        if (d == 0) {
          if (static_cast<int>(i) - 1 >= in_.rank()) fail("node '" + n.name() + "' (Reshape) copies a missing dim");
          dims.push_back(in_.dims[i - 1]);
        } else {
          dims.push_back(static_cast<int>(d));
        }
      }
      if (shape.i[0] != 0 && shape.i[0] != -1) {
        // A fixed batch size (e.g. 1) is accepted when the other dims describe one whole sample.
        long prod = 1;
        for (int d : dims) prod *= d;
        if (prod != in_.size()) fail("node '" + n.name() + "' (Reshape) changes the batch dimension");
      }
      LayerSpec s = dims.size() == 1 && dims[0] == -1 ? layers::flatten() : layers::reshape(dims);
      s.name = layerName(n);
      add(net, s);
    } else if (op == "Transpose") {
      auto perm = attrInts(n, "perm");
      if (perm.empty() || perm[0] != 0) fail("node '" + n.name() + "' (Transpose) must keep the batch axis first");
      std::vector<int> p;
      for (size_t i = 1; i < perm.size(); ++i) p.push_back(static_cast<int>(perm[i] - 1));
      LayerSpec s = layers::transpose(p);
      s.name = layerName(n);
      add(net, s);
    } else if (op == "BatchNormalization") {
      LayerSpec s = layers::batchNorm(attrFloat(n, "epsilon", 1e-5f), attrFloat(n, "momentum", 0.9f));
      s.name = layerName(n);
      const long c = in_.dims.empty() ? 0 : in_.dims[0];
      add(net, s);
      auto params = net.layer(net.size() - 1).parameters();  // scale, bias, mean, var: ONNX input order
      for (int i = 0; i < 4; ++i) {
        const Tensor& t = init(n, i + 1);
        if (static_cast<long>(t.f.size()) != c)
          fail("node '" + n.name() + "' (BatchNormalization) input " + std::to_string(i + 1) + " has " +
               std::to_string(t.f.size()) + " values, expected " + std::to_string(c));
        params[i]->value = Eigen::Map<const Matrix>(t.f.data(), 1, c);
      }
    } else {
      fail("unsupported operator '" + op + "' (node '" + n.name() + "')");
    }
    if (result.empty()) {
      if (net.size() != before + 1) fail("node '" + n.name() + "' (" + op + ") was not imported");
      result = net.layer(net.size() - 1).spec().name;
    }
    annotateQuantisedInputs(net, n);
    source_[n.output(0)] = result;
  }
  const std::string last = net.size() ? net.layer(net.size() - 1).spec().name : "input";
  if (g_.output_size() != 1 || !source_.count(g_.output(0).name()) || source_.at(g_.output(0).name()) != last)
    fail("the graph must have one output, produced by its last layer");
  for (size_t i = 0; i + 1 < net.size(); ++i)
    if (net.consumers(i).empty())
      fail("the output of node '" + net.layer(i).spec().name + "' is never used; only one graph output is supported");
  return net;
}

}  // namespace

Network importOnnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open ONNX file");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) throw Error(path + ": not a valid ONNX protobuf (corrupt or truncated)");
  try {
    return Importer(path, model).run();
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.find(path) != std::string::npos) throw;
    throw Error("ONNX model " + path + ": " + msg);
  }
}

}  // namespace mmlc::nn
