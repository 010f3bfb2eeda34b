// ONNX import driver: reads the graph input (folding a channels-last input Transpose), walks the nodes
// in graph order handing each to its operator handler (OnnxOps.cpp), and keeps every data tensor as
// a view of an engine layer, materialising folded Transposes/Squeezes only where an operator needs them.
// QONNX quantisers of initializers are applied here (OnnxQuantOps.cpp) and typed on their readers.
#include <cstring>
#include <fstream>

#include "nn/Error.h"
#include "nn/OnnxImporter.h"
#include "nn/OnnxModel.h"

namespace mmlc::nn {
namespace onnximport {

std::vector<int> composePerm(const std::vector<int>& outer, const std::vector<int>& q) {
  // The ONNX view `outer` (axis j of the view = layer axis outer[j]) transposed by q: axis i of
  // the result is view axis q[i], i.e. layer axis outer[q[i]].
  std::vector<int> c(q.size());
  for (size_t i = 0; i < q.size(); ++i) c[i] = outer.empty() ? q[i] : outer[q[i]];
  return isIdentityPerm(c) ? std::vector<int>{} : c;
}

bool isIdentityPerm(const std::vector<int>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int>(i)) return false;
  return true;
}

namespace {
std::string joinInts(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}
}  // namespace

Importer::Importer(const std::string& path, const onnx::ModelProto& model) : path_(path), g_(model.graph()) {
  for (const auto& t : g_.initializer()) inits_[t.name()] = convert(t);
}

void Importer::fail(const std::string& what) const { throw Error("ONNX model " + path_ + ": " + what); }

std::string Importer::where() const {
  const onnx::NodeProto& n = *node_;
  if (!n.name().empty()) return "node '" + n.name() + "' (" + n.op_type() + ")";
  return "node " + std::to_string(index_) + " (" + n.op_type() +
         (n.output_size() ? ", output '" + n.output(0) + "'" : std::string()) + ")";
}

void Importer::failNode(const std::string& what) const { fail(where() + " " + what); }

const InitTensor* Importer::optionalInit(int input) const {
  const onnx::NodeProto& n = *node_;
  if (n.input_size() <= input || n.input(input).empty()) return nullptr;
  auto it = inits_.find(n.input(input));
  if (it == inits_.end()) failNode("input " + std::to_string(input) + " ('" + n.input(input) + "') must be an initializer");
  return &it->second;
}

const InitTensor& Importer::init(int input) const {
  const InitTensor* t = optionalInit(input);
  if (!t) failNode("is missing input " + std::to_string(input));
  return *t;
}

const onnx::AttributeProto* Importer::attr(const char* name) const {
  for (const auto& a : node_->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t Importer::attrInt(const char* name, int64_t def) const {
  const auto* a = attr(name);
  return a ? a->i() : def;
}
float Importer::attrFloat(const char* name, float def) const {
  const auto* a = attr(name);
  return a ? a->f() : def;
}
std::string Importer::attrString(const char* name, const std::string& def) const {
  const auto* a = attr(name);
  return a ? a->s() : def;
}
std::vector<int64_t> Importer::attrInts(const char* name) const {
  const auto* a = attr(name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}
void Importer::requireAttr(bool ok, const char* name, const std::string& value, const std::string& supported) const {
  if (!ok) failNode("has " + std::string(name) + "=" + value + ", which is not supported (" + supported + ")");
}

InitTensor Importer::convert(const onnx::TensorProto& t) const {
  InitTensor out;
  size_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) fail("initializer '" + t.name() + "' has a negative dimension");
    out.dims.push_back(d);
    count *= d;
  }
  const std::string& raw = t.raw_data();
  auto rawAs = [&](auto* dst, size_t width) {
    if (raw.size() != count * width) fail("initializer '" + t.name() + "' raw data size does not match its shape");
    std::memcpy(dst, raw.data(), raw.size());
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (!raw.empty()) {
        out.f.resize(count);
        rawAs(out.f.data(), 4);
      } else {
        out.f.assign(t.float_data().begin(), t.float_data().end());
      }
      if (out.f.size() != count)
        fail("initializer '" + t.name() + "' has " + std::to_string(out.f.size()) + " values but its shape needs " +
             std::to_string(count));
      break;
    case onnx::TensorProto::DOUBLE: {
      std::vector<double> d;
      if (!raw.empty()) {
        d.resize(count);
        rawAs(d.data(), 8);
      } else {
        d.assign(t.double_data().begin(), t.double_data().end());
      }
      out.f.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto::INT64:
      if (!raw.empty()) {
        out.i.resize(count);
        rawAs(out.i.data(), 8);
      } else {
        out.i.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    case onnx::TensorProto::INT32: {
      std::vector<int32_t> v;
      if (!raw.empty()) {
        v.resize(count);
        rawAs(v.data(), 4);
      } else {
        v.assign(t.int32_data().begin(), t.int32_data().end());
      }
      out.i.assign(v.begin(), v.end());
      break;
    }
    default:
      break;  // other types only matter if a supported operator reads them, which then fails clearly
  }
  return out;
}

void Importer::defineInit(const std::string& tensor, InitTensor t, const std::string& fixedType) {
  inits_[tensor] = std::move(t);
  if (!fixedType.empty()) quantTypes_[tensor] = fixedType;
}

Value Importer::importAs(const onnx::NodeProto& n, std::vector<Value> inputs) {
  auto h = opHandlers().find(n.op_type());
  if (h == opHandlers().end()) failNode("wraps operator '" + n.op_type() + "', which is not supported");
  const onnx::NodeProto* outer = node_;
  std::vector<Value> outerData = std::move(data_);
  node_ = &n;
  data_ = std::move(inputs);
  defined_ = false;
  h->second(*this);
  node_ = outer;
  data_ = std::move(outerData);
  if (!defined_) failNode("was not imported");
  defined_ = false;
  return out_;
}

void Importer::annotateQuantisedInputs() {
  if (quantTypes_.empty() || out_.layer == "input") return;
  Layer& layer = net_->layer(net_->indexOf(out_.layer));
  if (layer.spec().kind != "Dense" && layer.spec().kind.rfind("Conv", 0) != 0) return;
  for (const auto& in : node_->input()) {
    auto it = quantTypes_.find(in);
    if (it == quantTypes_.end()) continue;
    // A weight has two or more dimensions, a bias one (also when a MatMul's Add brings it).
    if (inits_.at(in).dims.size() >= 2) layer.setQuantisedTypes(it->second, "");
    else layer.setQuantisedTypes("", it->second);
  }
}

Shape Importer::shapeOf(const std::string& layer) const {
  return layer == "input" ? net_->inputShape() : net_->layer(net_->indexOf(layer)).outputShape();
}

Value Importer::valueOf(const std::string& layer) const {
  Value v;
  v.layer = layer;
  v.shape = shapeOf(layer).dims;
  return v;
}

std::string Importer::addLayer(LayerSpec s, const std::vector<std::string>& inputs) {
  // Names as before the views existed: the node's name, else <op>_<count of layers added so far>.
  const onnx::NodeProto& n = *node_;
  std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(used_.size() - 1) : n.name();
  while (used_.count(base)) base += "_";
  used_.insert(base);
  s.name = base;
  // A single input that is the previous layer stays implicit, so chains import as they always did.
  const std::string previous = net_->size() ? net_->layer(net_->size() - 1).spec().name : "input";
  if (!(inputs.size() == 1 && inputs[0] == previous)) s.inputs = inputs;
  try {
    net_->add(s);
  } catch (const Error& e) {
    fail(where() + ": " + e.what());
  }
  return base;
}

std::string Importer::materialise(const Value& v) {
  if (!v.padBegin.empty())
    failNode("reads the output of a Pad node; a Pad is only folded into the Conv that reads it");
  std::string src = v.layer;
  if (!v.perm.empty()) src = addLayer(layers::transpose(v.perm), {src});
  if (v.flattened) return addLayer(layers::flatten(), {src});
  if (shapeOf(src).dims != v.shape) {
    // Only unit axes differ (folded Squeeze/Unsqueeze): the same values in a new shape.
    if (v.shape.empty() || v.shape.size() > 3)
      failNode("needs its input as a tensor of rank " + std::to_string(v.shape.size()) + ", which the engine cannot hold");
    src = addLayer(layers::reshape(v.shape), {src});
  }
  return src;
}

Value Importer::sourceOf(const std::string& tensor) const {
  auto it = values_.find(tensor);
  if (it != values_.end()) return it->second;
  if (produced_.count(tensor))
    failNode("reads '" + tensor + "' before the node producing it: the graph has a cycle or is not in topological order");
  failNode("reads '" + tensor + "', which is neither the graph input, an initializer nor a node's output");
}

// When every reader of the graph input is a Transpose with one permutation (a channels-last export
// turning NHWC into NCHW), the network takes the transposed layout and the Transposes vanish; so
// does a QONNX channels-last model.
std::vector<int> Importer::foldedInputPerm() const {
  std::string input;
  for (const auto& in : g_.input())
    if (!inits_.count(in.name())) input = in.name();
  // A model QONNX converted to channels-last (its Conv/pool nodes in the channels_last domain) is
  // channels-last throughout: the network takes the channels-first layout and views it.
  int rank = 0;
  for (const auto& in : g_.input())
    if (in.name() == input) rank = in.type().tensor_type().shape().dim_size() - 1;
  for (const auto& n : g_.node())
    if (isChannelsLastDomain(n.domain()) && (rank == 2 || rank == 3)) {
      std::vector<int> q(rank);
      q[0] = rank - 1;
      for (int i = 1; i < rank; ++i) q[i] = i - 1;
      return q;
    }
  std::vector<int64_t> perm;
  bool any = false;
  for (const auto& n : g_.node())
    for (const auto& i : n.input()) {
      if (i != input) continue;
      if (n.op_type() != "Transpose") return {};
      std::vector<int64_t> p;
      for (const auto& a : n.attribute())
        if (a.name() == "perm") p.assign(a.ints().begin(), a.ints().end());
      if (p.empty() || p[0] != 0 || (any && p != perm)) return {};
      perm = p;
      any = true;
    }
  std::vector<int> q;
  for (size_t i = 1; i < perm.size(); ++i) q.push_back(static_cast<int>(perm[i] - 1));
  return isIdentityPerm(q) ? std::vector<int>{} : q;
}

Network Importer::run() {
  std::string current;
  std::vector<int> dims;
  for (const auto& in : g_.input()) {
    if (inits_.count(in.name())) continue;
    if (!current.empty()) fail("the graph has more than one data input ('" + current + "', '" + in.name() + "')");
    current = in.name();
    const auto& shape = in.type().tensor_type().shape();
    if (shape.dim_size() < 2 || shape.dim_size() > 4)
      fail("input '" + in.name() + "' must have 2 to 4 dimensions (batch first), not " + std::to_string(shape.dim_size()));
    batch_ = shape.dim(0).has_dim_value() ? shape.dim(0).dim_value() : 0;
    for (int i = 1; i < shape.dim_size(); ++i) {
      if (!shape.dim(i).has_dim_value() || shape.dim(i).dim_value() <= 0)
        fail("input '" + in.name() + "' dimension " + std::to_string(i) + " must be a fixed positive size");
      dims.push_back(static_cast<int>(shape.dim(i).dim_value()));
    }
  }
  if (current.empty()) fail("the graph has no data input");
  // A folded input Transpose q: the network input is the ONNX input transposed by q, and the
  // ONNX input is a view of it through q's inverse.
  const std::vector<int> q = foldedInputPerm();
  std::vector<int> physical = dims, inverse;
  if (!q.empty()) {
    inverse.assign(q.size(), 0);
    for (size_t i = 0; i < q.size(); ++i) {
      physical[i] = dims[q[i]];
      inverse[q[i]] = static_cast<int>(i);
    }
  }
  Network net{Shape(physical)};
  net_ = &net;
  Value in;
  in.layer = "input";
  in.perm = inverse;
  in.shape = dims;
  values_[current] = in;
  for (const auto& n : g_.node())
    for (const auto& o : n.output()) produced_.insert(o);

  const auto& handlers = opHandlers();
  for (int i = 0; i < g_.node_size(); ++i) {
    const onnx::NodeProto& n = g_.node(i);
    node_ = &n;
    index_ = i;
    const std::string& op = n.op_type();
    const bool standard = n.domain().empty() || n.domain() == "ai.onnx";
    const std::string key = standard ? op : n.domain() + "." + op;
    if (op == "Constant" && standard) {  // PyTorch emits constants (e.g. pads) as nodes: initializers
      const auto* value = attr("value");
      if (!value || !value->has_t() || n.output_size() != 1) failNode("needs a tensor 'value'");
      inits_[n.output(0)] = convert(value->t());
      continue;
    }
    auto h = handlers.find(key);
    if (h == handlers.end()) {
      const std::string loc = n.name().empty() ? "node " + std::to_string(i) +
                                                     (n.output_size() ? ", output '" + n.output(0) + "'" : std::string())
                                               : "node '" + n.name() + "'";
      fail("unsupported operator '" + key + "' (" + loc + ")");
    }
    if (n.output_size() < 1) failNode("has no output");
    if (!standard && isQonnxDomain(n.domain()) && n.input_size() && inits_.count(n.input(0))) {
      quantiseInitializer(*this);  // a quantised weight or bias: no layer
      continue;
    }
    data_.clear();
    for (const auto& input : n.input())
      if (!input.empty() && !inits_.count(input)) data_.push_back(sourceOf(input));
    if (data_.empty()) failNode("reads no data tensor");
    const std::string bias = pendingBias;
    pendingBias.clear();
    previousMatMul_ = bias;
    defined_ = false;
    h->second(*this);
    if (!defined_) failNode("was not imported");
    annotateQuantisedInputs();
    values_[n.output(0)] = out_;
  }
  if (g_.output_size() != 1) fail("the graph must have one output, not " + std::to_string(g_.output_size()));
  auto it = values_.find(g_.output(0).name());
  if (it == values_.end()) fail("the graph output '" + g_.output(0).name() + "' is not produced by any node");
  Value out = it->second;
  if (!out.perm.empty() || out.flattened || !out.padBegin.empty()) {
    node_ = &g_.node(g_.node_size() - 1);
    index_ = g_.node_size() - 1;
    out.layer = materialise(out);
  }
  const std::string last = net.size() ? net.layer(net.size() - 1).spec().name : "input";
  if (out.layer != last) fail("the graph must have one output, produced by its last layer");
  for (size_t i = 0; i + 1 < net.size(); ++i)
    if (net.consumers(i).empty())
      fail("the output of node '" + net.layer(i).spec().name + "' is never used; only one graph output is supported");
  net_ = nullptr;
  return net;
}

}  // namespace onnximport

Network importOnnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open ONNX file");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) throw Error(path + ": not a valid ONNX protobuf (corrupt or truncated)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw Error(path + ": not an ONNX model (no graph nodes; corrupt or truncated?)");
  try {
    return onnximport::Importer(path, model).run();
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.find(path) != std::string::npos) throw;
    throw Error("ONNX model " + path + ": " + msg);
  }
}

}  // namespace mmlc::nn
