// ONNX export: one node per layer, weights as float initializers in the engine's own layouts
// (Dense weight [in,out] for Gemm with transB=0, Conv weight [F,C,kH,kW]).
#include <onnx/onnx_pb.h>

#include <fstream>

#include "nn/ConvLayer.h"
#include "nn/Error.h"
#include "nn/OnnxModel.h"
#include "nn/PoolLayer.h"

namespace mmlc::nn {

namespace {
void addFloatInitializer(onnx::GraphProto& g, const std::string& name, const std::vector<int64_t>& dims,
                         const float* data, long count) {
  onnx::TensorProto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(data), count * sizeof(float)));
}
void addInt64Initializer(onnx::GraphProto& g, const std::string& name, const std::vector<int64_t>& values) {
  onnx::TensorProto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) t->add_int64_data(v);
}
void setInts(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void setInt(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void setFloat(onnx::NodeProto* n, const char* name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void setValueInfo(onnx::ValueInfoProto* vi, const std::string& name, const Shape& shape) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* s = tt->mutable_shape();
  s->add_dim()->set_dim_param("batch");
  for (int d : shape.dims) s->add_dim()->set_dim_value(d);
}
}  // namespace

void exportOnnx(Network& net, const std::string& path) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("mmlc");
  model.set_producer_version("0.1");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("mmlc_network");
  bool qonnxDomain = false;
  setValueInfo(g->add_input(), "input", net.inputShape());
  // Tensor names: "input", "<layer>_out", and "output" for the last layer.
  auto tensorOf = [&](int activation) -> std::string {
    if (activation == 0) return "input";
    return static_cast<size_t>(activation) == net.size() ? "output" : net.layer(activation - 1).spec().name + "_out";
  };
  for (size_t i = 0; i < net.size(); ++i) {
    Layer& layer = net.layer(i);
    const LayerSpec& s = layer.spec();
    const std::string out = tensorOf(static_cast<int>(i) + 1);
    onnx::NodeProto* n = g->add_node();
    n->set_name(s.name);
    for (int a : net.sources(i)) n->add_input(tensorOf(a));
    auto params = layer.parameters();
    auto weightInit = [&](Parameter* p, const std::vector<int64_t>& dims) {
      addFloatInitializer(*g, p->name, dims, p->value.data(), p->value.size());
      n->add_input(p->name);
    };
    const std::string& k = s.kind;
    if (k == "Dense") {
      n->set_op_type("Gemm");
      weightInit(params[0], {params[0]->value.rows(), params[0]->value.cols()});
      if (s.useBias) weightInit(params[1], {params[1]->value.cols()});
    } else if (k == "Conv1D" || k == "Conv2D") {
      n->set_op_type("Conv");
      const ConvGeometry& cg = static_cast<ConvLayer&>(layer).geometry();
      const bool twoD = k == "Conv2D";
      std::vector<int64_t> dims = {s.units, cg.channels / s.groups};
      if (s.groups != 1) setInt(n, "group", s.groups);
      if (twoD) dims.push_back(cg.kH);
      dims.push_back(cg.kW);
      weightInit(params[0], dims);
      if (s.useBias) weightInit(params[1], {params[1]->value.cols()});
      if (twoD) {
        setInts(n, "kernel_shape", {cg.kH, cg.kW});
        setInts(n, "strides", {cg.sH, cg.sW});
        setInts(n, "pads", {cg.pH, cg.pW, cg.padBottom(), cg.padRight()});
      } else {
        setInts(n, "kernel_shape", {cg.kW});
        setInts(n, "strides", {cg.sW});
        setInts(n, "pads", {cg.pW, cg.padRight()});
      }
    } else if (k == "MaxPool" || k == "AveragePool") {
      n->set_op_type(k);
      const ConvGeometry& cg = static_cast<PoolLayer&>(layer).geometry();
      const bool padded = cg.same && (cg.pH || cg.pW || cg.padBottom() || cg.padRight());
      if (layer.inputShape().rank() == 3) {
        setInts(n, "kernel_shape", {s.kernelH, s.kernelW});
        setInts(n, "strides", {s.strideH, s.strideW});
        if (padded) setInts(n, "pads", {cg.pH, cg.pW, cg.padBottom(), cg.padRight()});
      } else {
        setInts(n, "kernel_shape", {s.kernelW});
        setInts(n, "strides", {s.strideW});
        if (padded) setInts(n, "pads", {cg.pW, cg.padRight()});
      }
    } else if (k == "Add") {
      n->set_op_type("Add");
    } else if (k == "Concatenate") {
      n->set_op_type("Concat");
      setInt(n, "axis", 1);  // dim 0 of the per-sample shape: channels (features of a flat input)
    } else if (k == "BatchNormalization") {
      n->set_op_type(k);
      for (Parameter* p : params) weightInit(p, {p->value.cols()});
      setFloat(n, "epsilon", s.epsilon);
      setFloat(n, "momentum", s.momentum);
    } else if (k == "ReLU") {
      n->set_op_type("Relu");
    } else if (k == "LeakyReLU") {
      n->set_op_type("LeakyRelu");
      setFloat(n, "alpha", s.alpha);
    } else if (k == "ELU" || k == "SELU") {
      n->set_op_type(k == "ELU" ? "Elu" : "Selu");
      setFloat(n, "alpha", s.alpha);
      if (k == "SELU") setFloat(n, "gamma", s.beta);
    } else if (k == "HardSigmoid") {
      n->set_op_type(k);
      setFloat(n, "alpha", s.alpha);
      setFloat(n, "beta", s.beta);
    } else if (k == "Clip") {
      n->set_op_type("Clip");  // opset 13: the bounds are inputs
      addFloatInitializer(*g, s.name + ".min", {}, &s.alpha, 1);
      addFloatInitializer(*g, s.name + ".max", {}, &s.beta, 1);
      n->add_input(s.name + ".min");
      n->add_input(s.name + ".max");
    } else if (k == "Softplus" || k == "Softsign") {
      n->set_op_type(k);
    } else if (k == "PReLU") {
      n->set_op_type("PRelu");
      std::vector<int64_t> dims(layer.inputShape().dims.begin(), layer.inputShape().dims.end());
      weightInit(params[0], dims);
    } else if (k == "Upsample") {
      n->set_op_type("Resize");  // nearest, each value repeated: asymmetric coordinates, floor
      const bool twoD = layer.inputShape().rank() == 3;
      std::vector<float> scales = {1.0f, 1.0f};
      if (twoD) scales.push_back(static_cast<float>(s.kernelH));
      scales.push_back(static_cast<float>(s.kernelW));
      n->add_input("");
      addFloatInitializer(*g, s.name + ".scales", {static_cast<int64_t>(scales.size())}, scales.data(), scales.size());
      n->add_input(s.name + ".scales");
      auto str = [&](const char* name, const char* v) {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(v);
      };
      str("mode", "nearest");
      str("coordinate_transformation_mode", "asymmetric");
      str("nearest_mode", "floor");
    } else if (k == "Sigmoid" || k == "Tanh" || k == "Softmax") {
      n->set_op_type(k);
      if (k == "Softmax") setInt(n, "axis", -1);
    } else if (k == "Dropout") {
      n->set_op_type("Dropout");
      const std::string ratio = s.name + ".ratio";
      const float r = s.rate;
      addFloatInitializer(*g, ratio, {}, &r, 1);
      n->add_input(ratio);
    } else if (k == "Flatten") {
      n->set_op_type("Flatten");
      setInt(n, "axis", 1);
    } else if (k == "Reshape") {
      n->set_op_type("Reshape");
      std::vector<int64_t> shape = {-1};
      for (int d : layer.outputShape().dims) shape.push_back(d);
      addInt64Initializer(*g, s.name + ".shape", shape);
      n->add_input(s.name + ".shape");
    } else if (k == "Transpose") {
      n->set_op_type("Transpose");
      std::vector<int64_t> perm = {0};
      for (int p : s.perm) perm.push_back(p + 1);
      setInts(n, "perm", perm);
    } else if (k == "Quant" || k == "BipolarQuant") {
      // QONNX's quantisers (hls4ml and FINN read them); the weights of a quantised model are
      // written as their quantised values.
      if (!qonnxDomain) {
        auto* q = model.add_opset_import();
        q->set_domain("qonnx.custom_op.general");
        q->set_version(1);
        qonnxDomain = true;
      }
      n->set_op_type(k);
      n->set_domain("qonnx.custom_op.general");
      auto scalarInput = [&](const char* what, float v) {
        addFloatInitializer(*g, s.name + "." + what, {}, &v, 1);
        n->add_input(s.name + "." + what);
      };
      scalarInput("scale", s.scale);
      if (k == "Quant") {
        scalarInput("zeropt", s.zeroPoint);
        scalarInput("bitwidth", static_cast<float>(s.bits));
        setInt(n, "signed", s.isSigned ? 1 : 0);
        setInt(n, "narrow", s.narrow ? 1 : 0);
        auto* a = n->add_attribute();
        a->set_name("rounding_mode");
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(s.rounding.empty() ? "ROUND" : s.rounding);
      }
    } else {
      throw Error("ONNX export: layer kind '" + k + "' has no ONNX mapping");
    }
    n->add_output(out);
  }
  if (net.size() == 0) {
    onnx::NodeProto* n = g->add_node();
    n->set_op_type("Identity");
    n->add_input("input");
    n->add_output("output");
  }
  setValueInfo(g->add_output(), "output", net.outputShape());
  std::ofstream file(path, std::ios::binary);
  if (!file || !model.SerializeToOstream(&file)) throw Error(path + ": cannot write ONNX file");
}

}  // namespace mmlc::nn
