// Private state of the ONNX importer shared by the driver (OnnxImport.cpp) and the operator
// handlers (OnnxOps.cpp): tensors as views of engine layers, error locations, layer adding.
#pragma once
#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "nn/Network.h"

namespace mmlc::nn::onnximport {

// An initializer (or Constant) as plain vectors.
struct InitTensor {
  std::vector<int64_t> dims;
  std::vector<float> f;    // float data (also double, converted)
  std::vector<int64_t> i;  // integer data (int64, int32)
};

// A data tensor of the graph as a view of an engine layer's output. Exporters wrap layers in
// Transposes, Squeeze/Unsqueeze and Pads that the engine does not need; they are folded here and
// only materialised (as engine layers) when an operator needs the ONNX layout itself.
struct Value {
  std::string layer;       // the producing layer, or "input"
  std::vector<int> perm;   // empty: the layer's element order; else ONNX per-sample axis i is the
                           // layer's axis perm[i] (folded Transposes)
  bool flattened = false;  // the ONNX tensor is the flattening of the (permuted) layer output
  std::vector<int> shape;  // the ONNX per-sample shape (may differ from the layer's by unit axes)
  std::vector<int> padBegin, padEnd;  // zeros a folded Pad adds per spatial axis (empty: none)
  bool plain() const { return perm.empty() && !flattened && padBegin.empty(); }
};

class Importer {
 public:
  Importer(const std::string& path, const onnx::ModelProto& model);
  Network run();

  // ---- for the operator handlers ----
  const onnx::NodeProto& node() const { return *node_; }
  // "node 'conv1' (Conv)" or, for an unnamed node, "node 3 (Conv, output '12')".
  std::string where() const;
  [[noreturn]] void fail(const std::string& what) const;            // file only
  [[noreturn]] void failNode(const std::string& what) const;        // file and the current node
  const InitTensor& init(int input) const;                          // an initializer input
  const InitTensor* optionalInit(int input) const;                  // nullptr when absent/empty
  bool isInit(const std::string& tensor) const { return inits_.count(tensor) > 0; }
  // Makes `tensor` an initializer (a quantised weight or bias); `fixedType`, when not empty, is
  // the exact fixed-point type of its values, given to the layer that reads it.
  void defineInit(const std::string& tensor, InitTensor t, const std::string& fixedType);
  const onnx::AttributeProto* attr(const char* name) const;
  int64_t attrInt(const char* name, int64_t def) const;
  float attrFloat(const char* name, float def) const;
  std::string attrString(const char* name, const std::string& def) const;
  std::vector<int64_t> attrInts(const char* name) const;
  // Fails naming the attribute and its value unless `ok`.
  void requireAttr(bool ok, const char* name, const std::string& value, const std::string& supported) const;

  // The data inputs of the current node (non-initializer inputs, in order).
  const std::vector<Value>& inputs() const { return data_; }
  // The engine layer whose output is exactly `v` in the ONNX layout (adds Transpose, Flatten or
  // Reshape layers as needed); fails for a folded Pad unless the reader takes it (Conv).
  std::string materialise(const Value& v);
  Shape shapeOf(const std::string& layer) const;
  // Adds `s` (named after the node) reading `inputs`; returns the layer's name.
  std::string addLayer(LayerSpec s, const std::vector<std::string>& inputs);
  // A plain value for a layer's whole output.
  Value valueOf(const std::string& layer) const;
  // Sets the node's (first) output.
  void define(const Value& v) { out_ = v; defined_ = true; }
  // Imports `n` (a standard-domain stand-in for the current node) with `inputs` as its data
  // inputs, through its operator's handler; returns the output it defines.
  Value importAs(const onnx::NodeProto& n, std::vector<Value> inputs);
  // The exact fixed-point type of a quantised initializer ("" when it has none).
  std::string quantTypeOf(const std::string& tensor) const {
    auto it = quantTypes_.find(tensor);
    return it == quantTypes_.end() ? std::string() : it->second;
  }
  Network& net() { return *net_; }
  // The batch size the graph input declares (0 when symbolic).
  int64_t batch() const { return batch_; }
  // A bias-less MatMul layer that a following Add may give its bias: set by MatMul, read by the
  // node right after it (previousMatMul()).
  std::string pendingBias;
  const std::string& previousMatMul() const { return previousMatMul_; }

 private:
  InitTensor convert(const onnx::TensorProto& t) const;
  Value sourceOf(const std::string& tensor) const;
  std::string uniqueName();
  std::vector<int> foldedInputPerm() const;
  // Gives the layer the current node produced the exact types of the quantised initializers it reads.
  void annotateQuantisedInputs();

  std::string path_;
  const onnx::GraphProto& g_;
  std::map<std::string, InitTensor> inits_;
  std::map<std::string, std::string> quantTypes_;  // quantised initializer -> its exact fixed type
  std::set<std::string> used_{"input"};
  std::map<std::string, Value> values_;  // data tensor -> view
  std::set<std::string> produced_;
  Network* net_ = nullptr;
  const onnx::NodeProto* node_ = nullptr;
  int index_ = 0;
  int64_t batch_ = 0;
  std::vector<Value> data_;
  Value out_;
  bool defined_ = false;
  std::string previousMatMul_;
};

// One handler per operator (OnnxOps.cpp): reads the node through the Importer and defines its output.
using OpHandler = void (*)(Importer&);
const std::map<std::string, OpHandler>& opHandlers();

// `v` transposed by the per-sample permutation `q` (ONNX Transpose perm without the batch axis):
// a view when possible.
Value transposedView(Importer& imp, Value v, const std::vector<int>& q);

// An element-wise operator: `s` applied to the node's data input, keeping its view.
void elementwise(Importer& imp, LayerSpec s);

// QONNX quantisers (OnnxQuantOps.cpp): the operator domains, the handlers of quantisers on data
// (rows of opHandlers()), and the quantisation of an initializer by the current node.
bool isQonnxDomain(const std::string& domain);
bool isChannelsLastDomain(const std::string& domain);  // QONNX's channels-last wrapped operators
void addQonnxHandlers(std::map<std::string, OpHandler>& table);
void quantiseInitializer(Importer& imp);

// Permutation helpers shared by the driver and handlers.
std::vector<int> composePerm(const std::vector<int>& outer, const std::vector<int>& q);
bool isIdentityPerm(const std::vector<int>& p);

}  // namespace mmlc::nn::onnximport
