// ONNX operator handlers: one function per operator (or family), and the table mapping operator
// names to them. Each reads its node through the Importer and defines the node's output as a view.
// A new operator is one function and one table row.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "nn/DenseLayer.h"
#include "nn/Error.h"
#include "nn/OnnxImporter.h"

namespace mmlc::nn::onnximport {
namespace {

std::string ints(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}
std::string floats(const std::vector<float>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v[i]);
    s += (i ? "," : "") + std::string(b);
  }
  return s + "]";
}
std::string fmt(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", x);
  return b;
}

long product(const std::vector<int>& d, size_t from = 0, size_t to = std::string::npos) {
  long p = 1;
  for (size_t i = from; i < d.size() && i < to; ++i) p *= d[i];
  return p;
}

// Per-sample axis of an ONNX axis attribute (which counts the batch axis) on a tensor of
// per-sample rank `rank`; negative axes count from the end.
int sampleAxis(Importer& imp, int64_t axis, int rank, const char* name) {
  const int64_t a = axis < 0 ? axis + rank + 1 : axis;
  imp.requireAttr(a >= 1 && a <= rank, name, std::to_string(axis),
                  "an axis after the batch axis of a rank-" + std::to_string(rank + 1) + " tensor");
  return static_cast<int>(a - 1);
}

// ---- Dense: Gemm, MatMul (+ Add as its bias) ----

// Adds a Dense layer computing `input · W` (W given as [in][out], or [out][in] when
// `transposed`). A flattened view of a permuted tensor (Keras' Transpose + Flatten before a
// Dense) is folded into the weights: the rows are permuted instead of the activations.
void addDense(Importer& imp, const InitTensor& w, bool transposed, float alpha, bool useBias) {
  if (w.dims.size() != 2 || w.f.empty()) imp.failNode("weight must be a 2-D float initializer, not " + ints(w.dims));
  const long in = transposed ? w.dims[1] : w.dims[0], out = transposed ? w.dims[0] : w.dims[1];
  const Value& v = imp.inputs()[0];
  std::vector<long> rowOf;  // weight row j of the ONNX layout -> row of the engine's layout
  std::string src;
  if (v.flattened && !v.perm.empty()) {
    const Shape phys = imp.shapeOf(v.layer);
    const int r = phys.rank();
    std::vector<long> stride(r, 1);
    for (int i = r - 2; i >= 0; --i) stride[i] = stride[i + 1] * phys.dims[i + 1];
    std::vector<int> logical(r), idx(r, 0);
    for (int i = 0; i < r; ++i) logical[i] = phys.dims[v.perm[i]];
    rowOf.resize(phys.size());
    for (long j = 0; j < phys.size(); ++j) {
      long p = 0;
      for (int i = 0; i < r; ++i) p += idx[i] * stride[v.perm[i]];
      rowOf[j] = p;
      for (int i = r - 1; i >= 0; --i) {
        if (++idx[i] < logical[i]) break;
        idx[i] = 0;
      }
    }
    Value plain = v;
    plain.perm.clear();
    src = imp.materialise(plain);
  } else {
    src = imp.materialise(v);
  }
  const Shape s = imp.shapeOf(src);
  if (s.rank() != 1 || s.size() != in)
    imp.failNode("expects " + std::to_string(in) + " features but gets a tensor of shape " + s.str());
  const std::string name = imp.addLayer(layers::dense(static_cast<int>(out), useBias), {src});
  Parameter& W = *imp.net().layer(imp.net().indexOf(name)).parameters()[0];
  Eigen::Map<const Matrix> m(w.f.data(), w.dims[0], w.dims[1]);
  const Matrix onnxW = transposed ? Matrix(m.transpose() * alpha) : Matrix(m * alpha);
  if (rowOf.empty()) W.value = onnxW;
  else
    for (long j = 0; j < in; ++j) W.value.row(rowOf[j]) = onnxW.row(j);
  imp.define(imp.valueOf(name));
}

Parameter& biasOf(Importer& imp, const std::string& layer) { return *imp.net().layer(imp.net().indexOf(layer)).parameters()[1]; }

void gemm(Importer& imp) {
  imp.requireAttr(imp.attrInt("transA", 0) == 0, "transA", std::to_string(imp.attrInt("transA", 0)), "transA=0");
  const InitTensor* c = imp.optionalInit(2);
  addDense(imp, imp.init(1), imp.attrInt("transB", 0) != 0, imp.attrFloat("alpha", 1.0f), c != nullptr);
  if (!c) return;
  const std::string layer = imp.net().layer(imp.net().size() - 1).spec().name;
  Parameter& b = biasOf(imp, layer);
  if (static_cast<long>(c->f.size()) != b.value.cols() && c->f.size() != 1)
    imp.failNode("bias has " + std::to_string(c->f.size()) + " values, expected " + std::to_string(b.value.cols()));
  const float beta = imp.attrFloat("beta", 1.0f);
  for (long j = 0; j < b.value.cols(); ++j) b.value(0, j) = beta * c->f[c->f.size() == 1 ? 0 : j];
}

void matMul(Importer& imp) {
  addDense(imp, imp.init(1), false, 1.0f, true);  // bias slot for a following Add (stays 0 otherwise)
  imp.pendingBias = imp.net().layer(imp.net().size() - 1).spec().name;
}

// ---- Merges: Add, Concat ----

// The inputs as views of one permutation (so a merge can work on the layers' own layout), or
// all materialised.
std::vector<std::string> mergeInputs(Importer& imp, bool& keepView) {
  const auto& in = imp.inputs();
  keepView = true;
  for (const Value& v : in)
    keepView = keepView && v.perm == in[0].perm && !v.flattened && v.padBegin.empty() && v.shape.size() == in[0].shape.size() &&
               imp.shapeOf(v.layer).rank() == static_cast<int>(v.shape.size());
  std::vector<std::string> layers;
  for (const Value& v : in) layers.push_back(keepView ? v.layer : imp.materialise(v));
  return layers;
}

void add(Importer& imp) {
  const auto& in = imp.inputs();
  if (in.size() == 1) {  // a constant: the bias of the MatMul right before
    const onnx::NodeProto& n = imp.node();
    const int other = imp.isInit(n.input(0)) ? 0 : 1;
    const std::string& target = imp.previousMatMul();
    if (target.empty() || !in[0].plain() || in[0].layer != target)
      imp.failNode("adds a constant, which is only supported as the bias of the MatMul right before it");
    const InitTensor& c = imp.init(other);
    Parameter& b = biasOf(imp, target);
    if (static_cast<long>(c.f.size()) != b.value.cols())
      imp.failNode("bias has " + std::to_string(c.f.size()) + " values, expected " + std::to_string(b.value.cols()));
    b.value = Eigen::Map<const Matrix>(c.f.data(), 1, b.value.cols());
    imp.define(in[0]);
    return;
  }
  bool view = false;
  auto layersIn = mergeInputs(imp, view);
  Value out = view ? in[0] : Value{};
  out.layer = imp.addLayer(layers::add(layersIn), layersIn);
  if (!view) out = imp.valueOf(out.layer);
  imp.define(out);
}

void concat(Importer& imp) {
  const auto& in = imp.inputs();
  const int64_t axisAttr = imp.attrInt("axis", 1);
  const int ax = sampleAxis(imp, axisAttr, static_cast<int>(in[0].shape.size()), "axis");
  bool view = false;
  auto layersIn = mergeInputs(imp, view);
  const int physical = view && !in[0].perm.empty() ? in[0].perm[ax] : ax;
  if (physical != 0) {
    if (view) {  // the layers' own layout joins another axis: work on the ONNX layout instead
      layersIn.clear();
      for (const Value& v : in) layersIn.push_back(imp.materialise(v));
      view = false;
    }
    if (ax != 0)
      imp.failNode("joins axis " + std::to_string(axisAttr) + " of a tensor of shape " + Shape(in[0].shape).str() +
                   "; only the channel axis (1, or the last axis of a channels-last tensor) is supported");
  }
  Value out = view ? in[0] : Value{};
  out.layer = imp.addLayer(layers::concatenate(layersIn), layersIn);
  if (view) {
    out.shape[ax] = 0;
    for (const Value& v : in) out.shape[ax] += v.shape[ax];
  } else {
    out = imp.valueOf(out.layer);
  }
  imp.define(out);
}

// ---- Convolution and pooling ----

// "same" when `pads` (begin..., end...) are Keras/TF "same" padding for `kernel`/`strides` on an
// input of spatial size `in`, "" when all zero, "sym" when symmetric; anything else fails.
std::string padMode(Importer& imp, const std::vector<int64_t>& pads, const std::vector<int64_t>& kernel,
                    const std::vector<int64_t>& strides, const std::vector<int>& in, bool symmetricOk) {
  const size_t sp = kernel.size();
  if (pads.size() != 2 * sp) imp.failNode("has pads=" + ints(pads) + "; expected " + std::to_string(2 * sp) + " values");
  bool zero = true, symmetric = true, same = in.size() == sp;
  for (int64_t p : pads) zero = zero && p == 0;
  if (zero) return "";
  for (size_t i = 0; i < sp; ++i) symmetric = symmetric && pads[i] == pads[i + sp];
  if (symmetric && symmetricOk) return "sym";
  for (size_t i = 0; same && i < sp; ++i) {
    const int64_t n = in[i], out = (n + strides[i] - 1) / strides[i];
    const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + kernel[i] - n);
    same = pads[i] == total / 2 && pads[i + sp] == total - total / 2;
  }
  if (!same)
    imp.failNode("has pads=" + ints(pads) + " (kernel " + ints(kernel) + ", strides " + ints(strides) +
                 "), which is neither " + std::string(symmetricOk ? "symmetric nor " : "") +
                 "\"same\" padding (the odd zero last)");
  return "same";
}

void conv(Importer& imp) {
  const InitTensor& w = imp.init(1);
  Value v = imp.inputs()[0];
  std::vector<int64_t> extraPads;  // from a folded Pad node, ONNX order (begins, ends)
  if (!v.padBegin.empty()) {
    for (int p : v.padBegin) extraPads.push_back(p);
    for (int p : v.padEnd) extraPads.push_back(p);
    for (size_t i = 0; i < v.padBegin.size(); ++i) v.shape[i + 1] -= v.padBegin[i] + v.padEnd[i];
    v.padBegin.clear();
    v.padEnd.clear();
  }
  const std::string src = imp.materialise(v);
  const Shape in = imp.shapeOf(src);
  const bool twoD = w.dims.size() == 4;
  if (!twoD && w.dims.size() != 3) imp.failNode("weight must be 3-D or 4-D, not " + ints(w.dims));
  const size_t sp = twoD ? 2 : 1;
  const int64_t group = imp.attrInt("group", 1);
  for (int64_t d : imp.attrInts("dilations")) imp.requireAttr(d == 1, "dilations", ints(imp.attrInts("dilations")), "all 1");
  if (in.rank() != static_cast<int>(sp) + 1 || in.dims[0] != w.dims[1] * group)
    imp.failNode("expects " + std::to_string(w.dims[1] * group) + " channels (weight " + ints(w.dims) + ", group=" +
                 std::to_string(group) + ") but gets a tensor of shape " + in.str());
  imp.requireAttr(group >= 1 && w.dims[0] % group == 0, "group", std::to_string(group), "a divisor of the filter count");
  LayerSpec s = twoD ? layers::conv2d(static_cast<int>(w.dims[0]), static_cast<int>(w.dims[2]))
                     : layers::conv1d(static_cast<int>(w.dims[0]), static_cast<int>(w.dims[2]));
  if (twoD) s.kernelW = static_cast<int>(w.dims[3]);
  s.groups = static_cast<int>(group);
  std::vector<int64_t> k(w.dims.begin() + 2, w.dims.end()), strides = imp.attrInts("strides"), pads = imp.attrInts("pads");
  if (strides.empty()) strides.assign(sp, 1);
  if (pads.empty()) pads.assign(2 * sp, 0);
  const std::string ap = imp.attrString("auto_pad", "NOTSET");
  const std::vector<int> spatial(in.dims.begin() + 1, in.dims.end());
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    // SAME_UPPER is Keras "same" (the odd zero last); SAME_LOWER only when there is no odd zero.
    pads.assign(2 * sp, 0);
    for (size_t i = 0; i < sp; ++i) {
      const int64_t out = (spatial[i] + strides[i] - 1) / strides[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + k[i] - spatial[i]);
      pads[i] = ap == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[i + sp] = total - pads[i];
    }
  } else {
    imp.requireAttr(ap == "NOTSET" || ap == "VALID", "auto_pad", ap, "NOTSET, VALID, SAME_UPPER or SAME_LOWER");
  }
  for (size_t i = 0; i < extraPads.size(); ++i) pads[i] += extraPads[i];
  for (int64_t p : pads)
    if (p < 0) imp.failNode("has negative pads=" + ints(pads));
  // Symmetric pads stay padH/padW, Keras "same" pads become padding "same", others are explicit
  // per side (padBottom/padRight).
  bool symmetric = true, same = true;
  for (size_t i = 0; i < sp; ++i) {
    symmetric = symmetric && pads[i] == pads[i + sp];
    const int64_t out = (spatial[i] + strides[i] - 1) / strides[i];
    const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + k[i] - spatial[i]);
    same = same && pads[i] == total / 2 && pads[i + sp] == total - total / 2;
  }
  const std::string mode = symmetric ? "sym" : same ? "same" : "explicit";
  if (mode == "same") s.padding = "same";
  if (twoD) {
    s.strideH = static_cast<int>(strides[0]);
    s.strideW = static_cast<int>(strides[1]);
    if (mode != "same") {
      s.padH = static_cast<int>(pads[0]);
      s.padW = static_cast<int>(pads[1]);
    }
    if (mode == "explicit") {
      s.padBottom = static_cast<int>(pads[2]);
      s.padRight = static_cast<int>(pads[3]);
    }
  } else {
    s.strideW = static_cast<int>(strides[0]);
    if (mode != "same") s.padW = static_cast<int>(pads[0]);
    if (mode == "explicit") s.padRight = static_cast<int>(pads[1]);
  }
  const InitTensor* b = imp.optionalInit(2);
  s.useBias = b != nullptr;
  const std::string name = imp.addLayer(s, {src});
  auto params = imp.net().layer(imp.net().indexOf(name)).parameters();
  if (static_cast<long>(w.f.size()) != params[0]->value.size()) imp.failNode("weight has the wrong number of values");
  params[0]->value = Eigen::Map<const Matrix>(w.f.data(), params[0]->value.rows(), params[0]->value.cols());
  if (b) {
    if (static_cast<long>(b->f.size()) != params[1]->value.cols())
      imp.failNode("bias has " + std::to_string(b->f.size()) + " values, expected " + std::to_string(params[1]->value.cols()));
    params[1]->value = Eigen::Map<const Matrix>(b->f.data(), 1, params[1]->value.cols());
  }
  imp.define(imp.valueOf(name));
}

void pool(Importer& imp) {
  const std::string op = imp.node().op_type();
  const std::string src = imp.materialise(imp.inputs()[0]);
  const Shape in = imp.shapeOf(src);
  auto k = imp.attrInts("kernel_shape");
  auto strides = imp.attrInts("strides");
  imp.requireAttr(imp.attrInt("ceil_mode", 0) == 0, "ceil_mode", std::to_string(imp.attrInt("ceil_mode", 0)), "0");
  for (int64_t d : imp.attrInts("dilations")) imp.requireAttr(d == 1, "dilations", ints(imp.attrInts("dilations")), "all 1");
  if (k.empty() || k.size() > 2) imp.failNode("needs a 1-D or 2-D kernel_shape, not " + ints(k));
  if (in.rank() != static_cast<int>(k.size()) + 1)
    imp.failNode("has a " + std::to_string(k.size()) + "-D kernel but reads a tensor of shape " + in.str());
  if (strides.empty()) strides.assign(k.size(), 1);
  LayerSpec s;
  const std::string ap = imp.attrString("auto_pad", "NOTSET");
  const std::vector<int> spatial(in.dims.begin() + 1, in.dims.end());
  if (ap == "SAME_UPPER") s.padding = "same";
  else {
    imp.requireAttr(ap == "NOTSET" || ap == "VALID", "auto_pad", ap, "NOTSET, VALID or SAME_UPPER");
    if (!imp.attrInts("pads").empty()) s.padding = padMode(imp, imp.attrInts("pads"), k, strides, spatial, false);
  }
  if (!s.padding.empty() && op == "AveragePool")
    imp.requireAttr(imp.attrInt("count_include_pad", 0) == 0, "count_include_pad",
                    std::to_string(imp.attrInt("count_include_pad", 0)), "0 with padding");
  s.kind = op;
  s.kernelW = static_cast<int>(k.back());
  s.strideW = static_cast<int>(strides.back());
  if (k.size() == 2) {
    s.kernelH = static_cast<int>(k[0]);
    s.strideH = static_cast<int>(strides[0]);
  }
  imp.define(imp.valueOf(imp.addLayer(s, {src})));
}

// GlobalAveragePool / GlobalMaxPool: a pool over the whole spatial extent (one value per channel,
// shape (C,1,1) or (C,1) as in ONNX).
void globalPool(Importer& imp) {
  const std::string src = imp.materialise(imp.inputs()[0]);
  const Shape in = imp.shapeOf(src);
  if (in.rank() < 2) imp.failNode("needs a (C,L) or (C,H,W) input, not " + in.str());
  LayerSpec s;
  s.kind = imp.node().op_type() == "GlobalMaxPool" ? "MaxPool" : "AveragePool";
  s.kernelW = s.strideW = in.dims.back();
  if (in.rank() == 3) s.kernelH = s.strideH = in.dims[1];
  imp.define(imp.valueOf(imp.addLayer(s, {src})));
}

// ---- Element-wise activations (they keep any folded view of their input: elementwise()) ----

LayerSpec kindSpec(const char* kind, float alpha = 0.01f, float beta = 0.0f) {
  LayerSpec s;
  s.kind = kind;
  s.alpha = alpha;
  s.beta = beta;
  return s;
}

void relu(Importer& imp) { elementwise(imp, layers::relu()); }
void sigmoid(Importer& imp) { elementwise(imp, layers::sigmoid()); }
void tanhOp(Importer& imp) { elementwise(imp, layers::tanh()); }
void leakyRelu(Importer& imp) { elementwise(imp, layers::leakyRelu(imp.attrFloat("alpha", 0.01f))); }
void elu(Importer& imp) { elementwise(imp, kindSpec("ELU", imp.attrFloat("alpha", 1.0f))); }
void selu(Importer& imp) {
  elementwise(imp, kindSpec("SELU", imp.attrFloat("alpha", 1.67326319217681884765625f),
                            imp.attrFloat("gamma", 1.05070102214813232421875f)));
}
void hardSigmoid(Importer& imp) {
  elementwise(imp, kindSpec("HardSigmoid", imp.attrFloat("alpha", 0.2f), imp.attrFloat("beta", 0.5f)));
}
void softplus(Importer& imp) { elementwise(imp, kindSpec("Softplus")); }
void softsign(Importer& imp) { elementwise(imp, kindSpec("Softsign")); }

void clip(Importer& imp) {
  // Bounds are attributes before opset 11 and optional scalar inputs after.
  float lo = imp.attrFloat("min", -std::numeric_limits<float>::infinity());
  float hi = imp.attrFloat("max", std::numeric_limits<float>::infinity());
  for (int i : {1, 2})
    if (const InitTensor* t = imp.optionalInit(i)) {
      if (t->f.size() != 1) imp.failNode("bound input " + std::to_string(i) + " must be a float scalar");
      (i == 1 ? lo : hi) = t->f[0];
    }
  if (!(lo <= hi)) imp.failNode("has min=" + fmt(lo) + " > max=" + fmt(hi));
  if (lo == 0 && std::isinf(hi)) return elementwise(imp, layers::relu());
  elementwise(imp, kindSpec("Clip", lo, hi));
}

// PRelu: a learned slope per element (hls4ml's prelu); a per-channel or scalar ONNX slope is
// broadcast over the (ONNX-layout) input.
void prelu(Importer& imp) {
  const std::string src = imp.materialise(imp.inputs()[0]);
  const Shape in = imp.shapeOf(src);
  const InitTensor& slope = imp.init(1);
  // Broadcast the slope's shape (right-aligned, numpy rules) onto the per-sample shape.
  std::vector<int64_t> sd = slope.dims;
  while (!sd.empty() && sd.size() > static_cast<size_t>(in.rank()) && sd.front() == 1) sd.erase(sd.begin());
  if (sd.size() > static_cast<size_t>(in.rank())) imp.failNode("slope of shape " + ints(slope.dims) + " does not fit " + in.str());
  while (sd.size() < static_cast<size_t>(in.rank())) sd.insert(sd.begin(), 1);
  for (int i = 0; i < in.rank(); ++i)
    if (sd[i] != 1 && sd[i] != in.dims[i]) imp.failNode("slope of shape " + ints(slope.dims) + " does not broadcast to " + in.str());
  LayerSpec s = kindSpec("PReLU");
  const std::string name = imp.addLayer(s, {src});
  Parameter& a = *imp.net().layer(imp.net().indexOf(name)).parameters()[0];
  std::vector<int> idx(in.rank(), 0);
  for (long e = 0; e < in.size(); ++e) {
    long si = 0;
    for (int i = 0; i < in.rank(); ++i) si = si * sd[i] + (sd[i] == 1 ? 0 : idx[i]);
    a.value(0, e) = slope.f.at(si);
    for (int i = in.rank() - 1; i >= 0; --i) {
      if (++idx[i] < in.dims[i]) break;
      idx[i] = 0;
    }
  }
  imp.define(imp.valueOf(name));
}

void softmax(Importer& imp) {
  const std::string src = imp.materialise(imp.inputs()[0]);
  const int rank = imp.shapeOf(src).rank();
  const int64_t axis = imp.attrInt("axis", -1);
  imp.requireAttr(axis == -1 || axis == rank || (rank == 1 && axis == 1), "axis", std::to_string(axis),
                  "the last axis");
  imp.define(imp.valueOf(imp.addLayer(layers::softmax(), {src})));
}

void dropout(Importer& imp) {
  float rate = imp.attrFloat("ratio", 0.5f);
  if (const InitTensor* r = imp.optionalInit(1))
    if (!r->f.empty()) rate = r->f[0];
  elementwise(imp, layers::dropout(rate));
}

void identity(Importer& imp) { imp.define(imp.inputs()[0]); }

void batchNorm(Importer& imp) {
  Value v = imp.inputs()[0];
  const Shape phys = imp.shapeOf(v.layer);
  // The engine normalises the layer's axis 0 (or each feature of a flat tensor): the ONNX channel
  // axis must be that one, else the view is materialised.
  const bool unitView = v.perm.empty() && !v.flattened && v.padBegin.empty() &&
                        ((phys.rank() == 1 && product(v.shape, 1) == 1) ||
                         (phys.rank() > 1 && phys.dims[0] == v.shape[0]));
  const bool permView = !v.perm.empty() && !v.flattened && v.padBegin.empty() && v.perm[0] == 0;
  if (!unitView && !permView) v = imp.valueOf(imp.materialise(v));
  const long c = v.shape.empty() ? 0 : v.shape[0];
  LayerSpec s = layers::batchNorm(imp.attrFloat("epsilon", 1e-5f), imp.attrFloat("momentum", 0.9f));
  const std::string name = imp.addLayer(s, {v.layer});
  auto params = imp.net().layer(imp.net().indexOf(name)).parameters();  // scale, bias, mean, var: ONNX order
  for (int i = 0; i < 4; ++i) {
    const InitTensor& t = imp.init(i + 1);
    if (static_cast<long>(t.f.size()) != c || params[i]->value.size() != c)
      imp.failNode("input " + std::to_string(i + 1) + " has " + std::to_string(t.f.size()) + " values, expected " +
                   std::to_string(c));
    params[i]->value = Eigen::Map<const Matrix>(t.f.data(), 1, c);
  }
  v.layer = name;
  imp.define(v);
}

// ---- Shape operators (folded into views where possible) ----

// The output of flattening `v` (after the check of the flattened axes).
void defineFlattened(Importer& imp, Value v) {
  if (v.flattened) return imp.define(v);
  if (!v.perm.empty() && v.padBegin.empty()) {
    v.flattened = true;
    v.shape = {static_cast<int>(product(v.shape))};
    return imp.define(v);
  }
  imp.define(imp.valueOf(imp.addLayer(layers::flatten(), {imp.materialise(v)})));
}

void flatten(Importer& imp) {
  const Value& v = imp.inputs()[0];
  const int64_t axis = imp.attrInt("axis", 1);
  const int64_t a = axis < 0 ? axis + static_cast<int64_t>(v.shape.size()) + 1 : axis;
  if (a == 0) {
    // (1, everything): the batch axis joins the features, which is a per-sample flatten only
    // when the graph's batch is fixed at 1 (Keras exports).
    if (imp.batch() != 1)
      imp.failNode("has axis=0, which folds the batch into the features; supported only when the graph input has a "
                   "fixed batch of 1 (it has " + (imp.batch() ? std::to_string(imp.batch()) : std::string("a symbolic batch")) + ")");
  } else if (a < 0 || a > static_cast<int64_t>(v.shape.size()) || product(v.shape, 0, static_cast<size_t>(a - 1)) != 1) {
    imp.failNode("has axis=" + std::to_string(axis) + " on a tensor of per-sample shape " + Shape(v.shape).str() +
                 ", which would move features into the batch axis");
  }
  defineFlattened(imp, v);
}

void reshape(Importer& imp) {
  const Value& v = imp.inputs()[0];
  const InitTensor& shape = imp.init(1);
  if (shape.i.empty()) imp.failNode("shape must be an int64 initializer");
  std::vector<int> dims;
  for (size_t i = 1; i < shape.i.size(); ++i) {
    const int64_t d = shape.i[i];
    if (d == 0) {
      if (i - 1 >= v.shape.size()) imp.failNode("copies dimension " + std::to_string(i) + " (shape " + ints(shape.i) + "), which the input lacks");
      dims.push_back(v.shape[i - 1]);
    } else {
      dims.push_back(static_cast<int>(d));
    }
  }
  const long size = product(v.shape);
  if (shape.i[0] != 0 && shape.i[0] != -1) {
    // A fixed batch size (e.g. 1) is accepted when the other dims describe one whole sample.
    long prod = 1;
    for (int d : dims) prod *= d;
    if (prod != size && !(dims.size() == 1 && dims[0] == -1))
      imp.failNode("has shape " + ints(shape.i) + ", which changes the batch dimension of a tensor of per-sample shape " +
                   Shape(v.shape).str());
  }
  // Reshape to one axis flattens; a plain input keeps its Reshape (or Flatten for -1) layer as before.
  if (dims.size() == 1 && !v.plain()) return defineFlattened(imp, v);
  if (dims.size() == 1 && dims[0] == -1) return imp.define(imp.valueOf(imp.addLayer(layers::flatten(), {imp.materialise(v)})));
  imp.define(imp.valueOf(imp.addLayer(layers::reshape(dims), {imp.materialise(v)})));
}

void transpose(Importer& imp) {
  Value v = imp.inputs()[0];
  const int rank = static_cast<int>(v.shape.size());
  std::vector<int64_t> perm = imp.attrInts("perm");
  if (perm.empty())  // default: reverse all axes, which moves the batch
    for (int i = rank; i >= 0; --i) perm.push_back(i);
  if (static_cast<int>(perm.size()) != rank + 1 || perm[0] != 0)
    imp.failNode("has perm=" + ints(perm) + "; a Transpose must keep the batch axis first (perm[0] = 0) on a tensor of rank " +
                 std::to_string(rank + 1));
  std::vector<int> q;
  for (size_t i = 1; i < perm.size(); ++i) q.push_back(static_cast<int>(perm[i] - 1));
  imp.define(transposedView(imp, v, q));
}

// Squeeze/Unsqueeze: axes as an attribute (before opset 13) or an int64 input.
std::vector<int64_t> axesOf(Importer& imp) {
  if (const InitTensor* t = imp.optionalInit(1)) return t->i;
  return imp.attrInts("axes");
}

void unsqueeze(Importer& imp) {
  Value v = imp.inputs()[0];
  if (!v.plain()) v = imp.valueOf(imp.materialise(v));
  auto axes = axesOf(imp);
  const int outRank = static_cast<int>(v.shape.size() + axes.size()) + 1;
  std::vector<int64_t> norm;
  for (int64_t a : axes) norm.push_back(a < 0 ? a + outRank : a);
  std::sort(norm.begin(), norm.end());
  for (int64_t a : norm) {
    if (a < 1 || a >= outRank) imp.failNode("has axes=" + ints(axes) + "; only axes after the batch axis can be added");
    v.shape.insert(v.shape.begin() + (a - 1), 1);
  }
  imp.define(v);
}

void squeeze(Importer& imp) {
  Value v = imp.inputs()[0];
  if (!v.plain()) v = imp.valueOf(imp.materialise(v));
  auto axes = axesOf(imp);
  const int rank = static_cast<int>(v.shape.size()) + 1;
  std::vector<int64_t> norm;
  if (axes.empty())
    for (int i = 1; i < rank; ++i)
      if (v.shape[i - 1] == 1) norm.push_back(i);
  for (int64_t a : axes) norm.push_back(a < 0 ? a + rank : a);
  std::sort(norm.rbegin(), norm.rend());
  for (int64_t a : norm) {
    if (a < 1 || a >= rank || v.shape[a - 1] != 1)
      imp.failNode("has axes=" + ints(axes) + " on a tensor of per-sample shape " + Shape(v.shape).str() +
                   "; only unit axes after the batch axis can be removed");
    v.shape.erase(v.shape.begin() + (a - 1));
  }
  if (v.shape.empty()) imp.failNode("would leave a scalar per sample");
  imp.define(v);
}

// Pad with zeros on the spatial axes: kept in the view and folded into the Conv that reads it.
void pad(Importer& imp) {
  std::vector<int64_t> pads = imp.attrInts("pads");
  if (const InitTensor* t = imp.optionalInit(1)) pads = t->i;
  const std::string mode = imp.attrString("mode", "constant");
  float value = imp.attrFloat("value", 0.0f);
  if (const InitTensor* t = imp.optionalInit(2))
    if (!t->f.empty()) value = t->f[0];
  bool zero = true;
  for (int64_t p : pads) zero = zero && p == 0;
  if (zero) return imp.define(imp.inputs()[0]);  // PyTorch puts an all-zero Pad before AveragePool
  imp.requireAttr(mode == "constant", "mode", mode, "constant");
  if (value != 0.0f) imp.failNode("pads with the value " + fmt(value) + "; only zero padding is supported");
  Value v = imp.inputs()[0];
  if (!v.plain()) v = imp.valueOf(imp.materialise(v));
  const size_t rank = v.shape.size() + 1;
  if (pads.size() != 2 * rank || pads[0] || pads[1] || pads[rank] || pads[rank + 1] || rank < 3)
    imp.failNode("has pads=" + ints(pads) + "; only the spatial axes of an (N,C,L) or (N,C,H,W) tensor can be padded");
  for (size_t i = 2; i < rank; ++i) {
    if (pads[i] < 0 || pads[i + rank] < 0) imp.failNode("has negative pads=" + ints(pads) + " (cropping)");
    v.padBegin.push_back(static_cast<int>(pads[i]));
    v.padEnd.push_back(static_cast<int>(pads[i + rank]));
    v.shape[i - 1] += static_cast<int>(pads[i] + pads[i + rank]);
  }
  imp.define(v);
}

// ---- Resize / Upsample (nearest neighbour, integer factors) ----

// Where ONNX's nearest Resize takes output index i from, for an integer factor s, per the
// coordinate transformation and rounding attributes.
int64_t nearestSource(const std::string& ctm, const std::string& nm, int64_t i, int64_t s, int64_t in) {
  const int64_t out = in * s;
  double x;
  if (ctm == "half_pixel") x = (i + 0.5) / s - 0.5;
  else if (ctm == "pytorch_half_pixel") x = out > 1 ? (i + 0.5) / s - 0.5 : 0.0;
  else if (ctm == "align_corners") x = out == 1 ? 0.0 : static_cast<double>(i) * (in - 1) / (out - 1);
  else if (ctm == "tf_half_pixel_for_nn") x = (i + 0.5) / s;
  else x = static_cast<double>(i) / s;  // asymmetric
  double r;
  if (nm == "floor") r = std::floor(x);
  else if (nm == "ceil") r = std::ceil(x);
  else if (nm == "round_prefer_ceil") r = std::floor(x + 0.5);
  else r = x - std::floor(x) == 0.5 ? std::floor(x) : std::round(x);  // round_prefer_floor
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
}

void resize(Importer& imp) {
  const onnx::NodeProto& n = imp.node();
  // A permuted view (a channels-last tensor) is resized on the layer's own axes: the scales are
  // permuted instead of the values.
  Value v = imp.inputs()[0];
  const bool permView = !v.perm.empty() && !v.flattened && v.padBegin.empty() &&
                        imp.shapeOf(v.layer).rank() == static_cast<int>(v.shape.size());
  if (!permView) v = imp.valueOf(imp.materialise(v));
  const Shape in = imp.shapeOf(v.layer);
  const std::string mode = imp.attrString("mode", "nearest");
  imp.requireAttr(mode == "nearest", "mode", mode, "nearest");
  const std::string ctm = imp.attrString("coordinate_transformation_mode", "half_pixel");
  const std::string nm = imp.attrString("nearest_mode", "round_prefer_floor");
  std::vector<float> scales;  // ONNX order (batch first)
  if (n.op_type() == "Upsample") {
    if (const auto* a = imp.attr("scales")) scales.assign(a->floats().begin(), a->floats().end());
    if (const InitTensor* t = imp.optionalInit(1)) scales = t->f;
  } else {
    // Resize: (X, scales) in opset 10, (X, roi, scales, sizes) from opset 11.
    const int scalesAt = n.input_size() == 2 ? 1 : 2;
    if (const InitTensor* t = imp.optionalInit(scalesAt)) scales = t->f;
    if (const InitTensor* t = imp.optionalInit(3); t && scales.empty()) {
      if (t->i.size() != v.shape.size() + 1) imp.failNode("has sizes " + ints(t->i) + " of the wrong rank");
      scales.push_back(1.0f);
      for (size_t i = 0; i < v.shape.size(); ++i) scales.push_back(static_cast<float>(t->i[i + 1]) / v.shape[i]);
    }
  }
  if (scales.size() != v.shape.size() + 1 || in.rank() < 2)
    imp.failNode("has scales " + floats(scales) + " for an input of per-sample shape " + Shape(v.shape).str() +
                 "; expected one per axis of an (N,C,L) or (N,C,H,W) tensor");
  std::vector<float> layerScales = scales;  // the layer's axes (channels first)
  if (permView)
    for (size_t i = 0; i < v.shape.size(); ++i) layerScales[static_cast<size_t>(v.perm[i]) + 1] = scales[i + 1];
  if (layerScales[0] != 1.0f || layerScales[1] != 1.0f)
    imp.failNode("has scales " + floats(scales) + "; only the spatial axes can be resized");
  std::vector<int> factor;
  for (size_t i = 2; i < layerScales.size(); ++i) {
    if (layerScales[i] < 1.0f || layerScales[i] != std::floor(layerScales[i]))
      imp.failNode("has scales " + floats(scales) + "; only whole upsampling factors are supported");
    factor.push_back(static_cast<int>(layerScales[i]));
  }
  for (size_t a = 0; a < factor.size(); ++a) {
    const int64_t len = in.dims[a + 1];
    for (int64_t i = 0; i < len * factor[a]; ++i)
      if (nearestSource(ctm, nm, i, factor[a], len) != i / factor[a])
        imp.failNode("has coordinate_transformation_mode=" + ctm + ", nearest_mode=" + nm +
                     ", which does not repeat each value (only that form of nearest upsampling is supported)");
  }
  LayerSpec s;
  s.kind = "Upsample";
  s.kernelW = factor.back();
  if (factor.size() == 2) s.kernelH = factor[0];
  Value out = v;
  out.layer = imp.addLayer(s, {v.layer});
  for (size_t i = 0; i < out.shape.size(); ++i) out.shape[i] = static_cast<int>(out.shape[i] * scales[i + 1]);
  imp.define(out);
}

}  // namespace

Value transposedView(Importer& imp, Value v, const std::vector<int>& q) {
  const int rank = static_cast<int>(v.shape.size());
  if (v.flattened || !v.padBegin.empty() || imp.shapeOf(v.layer).rank() != rank) v = imp.valueOf(imp.materialise(v));
  Value out = v;
  out.perm = composePerm(v.perm, q);
  for (int i = 0; i < rank; ++i) out.shape[i] = v.shape[q[i]];
  return out;
}

void elementwise(Importer& imp, LayerSpec s) {
  Value v = imp.inputs()[0];
  if (!v.padBegin.empty()) imp.materialise(v);  // fails: padded values are not element-wise safe
  v.layer = imp.addLayer(s, {v.layer});
  imp.define(v);
}

const std::map<std::string, OpHandler>& opHandlers() {
  static const std::map<std::string, OpHandler> table = [] {
    std::map<std::string, OpHandler> t = {
      {"Gemm", gemm},
      {"MatMul", matMul},
      {"Add", add},
      {"Concat", concat},
      {"Conv", conv},
      {"MaxPool", pool},
      {"AveragePool", pool},
      {"GlobalMaxPool", globalPool},
      {"GlobalAveragePool", globalPool},
      {"Relu", relu},
      {"Sigmoid", sigmoid},
      {"Tanh", tanhOp},
      {"LeakyRelu", leakyRelu},
      {"Elu", elu},
      {"Selu", selu},
      {"HardSigmoid", hardSigmoid},
      {"Softplus", softplus},
      {"Softsign", softsign},
      {"Clip", clip},
      {"PRelu", prelu},
      {"Softmax", softmax},
      {"Dropout", dropout},
      {"Identity", identity},
      {"BatchNormalization", batchNorm},
      {"Flatten", flatten},
      {"Reshape", reshape},
      {"Transpose", transpose},
      {"Squeeze", squeeze},
      {"Unsqueeze", unsqueeze},
      {"Pad", pad},
      {"Resize", resize},
      {"Upsample", resize},
    };
    addQonnxHandlers(t);
    return t;
  }();
  return table;
}

}  // namespace mmlc::nn::onnximport
