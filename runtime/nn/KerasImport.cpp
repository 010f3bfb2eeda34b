// Keras import: reads the architecture JSON (Keras 2 `to_json`, or a whole-model HDF5 file's
// `model_config`) and the HDF5 weights with the HDF5 C library, layer by layer into the engine.
// Keras 3 `.keras` archives (a ZIP of config.json and model.weights.h5, whose variables live under
// layers/<snake_case class>[_k]/vars/<i>) import through the same builder.
// QKeras layers (QDense, QConv1D/2D, QActivation) bring their quantizers: quantized_bits weights
// and biases are quantised at import and typed exactly; quantized_relu/quantized_bits activations
// become Quant layers (nn/QuantLayer.h).
#include "nn/KerasImport.h"

#include <hdf5.h>

#include <cctype>
#include <functional>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <unistd.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/Error.h"
#include "nn/QuantLayer.h"
#include "nn/ZipArchive.h"

namespace mmlc::nn {

namespace {
using json = nlohmann::json;

/// An HDF5 identifier closed when it goes out of scope.
class H5Handle {
 public:
  H5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// A float array read from an HDF5 dataset, with its shape.
struct Array {
  std::vector<hsize_t> dims;
  std::vector<float> values;
  size_t size() const { return values.size(); }
};

/// The HDF5 side: Keras's weight layout (`layer_names`, per-layer `weight_names`).
class WeightsFile {
 public:
  WeightsFile(const std::string& path, const std::string& root) : path_(path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported as Error, not printed
    if (!std::ifstream(path)) throw Error(path + ": cannot open the Keras weights file");
    if (H5Fis_hdf5(path.c_str()) <= 0) throw Error(path + ": not an HDF5 file (Keras weights are HDF5)");
    file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file_ < 0) throw Error(path + ": cannot open the HDF5 file (corrupt or truncated?)");
    root_ = root;
  }
  ~WeightsFile() {
    if (file_ >= 0) H5Fclose(file_);
  }
  WeightsFile(const WeightsFile&) = delete;
  WeightsFile& operator=(const WeightsFile&) = delete;

  const std::string& path() const { return path_; }
  // Keras 3 layout: the variables of layer L are /layers/<keys[L]>/vars/0, 1, ...
  void useKeras3Layout(std::map<std::string, std::string> keys, std::string shownPath) {
    keras3Keys_ = std::move(keys);
    path_ = std::move(shownPath);
  }

  /// A string (or list of strings) attribute of the object at `object` ("/" for the root).
  std::vector<std::string> stringsAttribute(const std::string& object, const char* name) const {
    H5Handle obj(H5Oopen(file_, object.c_str(), H5P_DEFAULT), H5Oclose);
    if (!obj.ok()) throw Error(path_ + ": no group '" + object + "'");
    if (H5Aexists(obj.get(), name) <= 0) return {};
    H5Handle attr(H5Aopen(obj.get(), name, H5P_DEFAULT), H5Aclose);
    H5Handle type(H5Aget_type(attr.get()), H5Tclose);
    H5Handle space(H5Aget_space(attr.get()), H5Sclose);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n <= 0) return {};
    if (H5Tget_class(type.get()) != H5T_STRING) return {};  // e.g. an empty float64 array
    std::vector<std::string> out;
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> raw(static_cast<size_t>(n));
      H5Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      if (H5Aread(attr.get(), mem.get(), raw.data()) < 0) throw Error(path_ + ": cannot read attribute '" + name + "'");
      for (char* s : raw) out.emplace_back(s ? s : "");
      H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, raw.data());
    } else {
      const size_t len = H5Tget_size(type.get());
      std::vector<char> raw(len * static_cast<size_t>(n));
      if (H5Aread(attr.get(), type.get(), raw.data()) < 0) throw Error(path_ + ": cannot read attribute '" + name + "'");
      for (hssize_t i = 0; i < n; ++i) {
        const char* s = raw.data() + static_cast<size_t>(i) * len;
        out.emplace_back(s, strnlen(s, len));
      }
    }
    return out;
  }

  /// The weights of layer `layer`, in the order of its `weight_names` attribute.
  std::vector<Array> layerWeights(const std::string& layer) const {
    if (!keras3Keys_.empty()) {
      auto key = keras3Keys_.find(layer);
      const std::string group = "/layers/" + (key == keras3Keys_.end() ? layer : key->second) + "/vars";
      if (H5Lexists(file_, "/layers", H5P_DEFAULT) <= 0 || H5Lexists(file_, group.c_str(), H5P_DEFAULT) <= 0)
        throw Error(path_ + ": no weights for layer '" + layer + "' (no group " + group + ")");
      std::vector<Array> out;
      for (int i = 0;; ++i) {
        const std::string d = group + "/" + std::to_string(i);
        if (H5Lexists(file_, d.c_str(), H5P_DEFAULT) <= 0) break;
        out.push_back(dataset(d));
      }
      return out;
    }
    const std::string group = root_ + "/" + layer;
    if (H5Lexists(file_, group.c_str(), H5P_DEFAULT) <= 0)
      throw Error(path_ + ": no weights for layer '" + layer + "' (no group " + group + ")");
    std::vector<Array> out;
    for (const std::string& w : stringsAttribute(group, "weight_names")) out.push_back(dataset(group + "/" + w));
    return out;
  }

 private:
  Array dataset(const std::string& name) const {
    H5Handle ds(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) throw Error(path_ + ": no dataset '" + name + "'");
    H5Handle space(H5Dget_space(ds.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) throw Error(path_ + ": cannot read the shape of '" + name + "'");
    Array a;
    a.dims.resize(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), a.dims.data(), nullptr);
    size_t count = 1;
    for (hsize_t d : a.dims) count *= d;
    a.values.resize(count);
    if (count && H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
      throw Error(path_ + ": cannot read '" + name + "' as numbers");
    return a;
  }

  std::string path_, root_;
  hid_t file_ = -1;
  std::map<std::string, std::string> keras3Keys_;  // layer name -> its group under /layers
};

std::string shapeText(const std::vector<hsize_t>& dims) {
  std::string s = "(";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

/// Builds the engine network from the Keras layer list, reading each layer's weights.
class KerasBuilder {
 public:
  KerasBuilder(std::string source, const WeightsFile& weights) : source_(std::move(source)), weights_(weights) {}

  Network build(const json& model) {
    const std::string cls = model.value("class_name", "");
    if (cls != "Sequential" && cls != "Model" && cls != "Functional")
      fail("", "a model of class '" + cls + "' (expected Sequential, Model or Functional)");
    const json& config = model.at("config");
    const json& layerList = config.is_array() ? config : config.at("layers");  // old Sequential: a bare list
    if (!layerList.is_array() || layerList.empty()) fail("", "a model without layers");
    const bool functional = cls != "Sequential";
    std::vector<const json*> chain;
    std::string previous;
    for (const json& l : layerList) {
      const std::string name = layerName(l);
      if (functional) checkChain(l, name, previous);
      previous = name;
      chain.push_back(&l);
    }
    Network net{inputShape(chain)};
    for (const json* l : chain) add(net, *l);
    return net;
  }

 private:
  [[noreturn]] void fail(const std::string& layer, const std::string& what) const {
    throw Error("Keras model " + source_ + (layer.empty() ? "" : ", layer '" + layer + "'") + ": " + what);
  }

  static std::string layerName(const json& l) {
    if (l.contains("name") && l["name"].is_string()) return l["name"];
    return l.at("config").value("name", "");
  }

  /// The layers a functional layer reads: Keras 2 `[[["name", 0, 0, {}], ...]]` or Keras 3
  /// `[{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["name", 0, 0]}}]}]`
  /// (a merge's args[0] is a list of such tensors).
  static std::vector<std::string> inboundSources(const json& l) {
    std::vector<std::string> out;
    const json& inbound = l.value("inbound_nodes", json::array());
    for (const json& node : inbound) {
      if (node.is_array()) {
        for (const json& t : node)
          if (t.is_array() && !t.empty() && t[0].is_string()) out.push_back(t[0].get<std::string>());
        continue;
      }
      if (!node.is_object()) continue;
      std::function<void(const json&)> tensors = [&](const json& v) {
        if (v.is_array()) {
          for (const json& e : v) tensors(e);
        } else if (v.is_object() && v.value("class_name", "") == "__keras_tensor__") {
          const json& h = v.at("config").at("keras_history");
          if (h.is_array() && !h.empty() && h[0].is_string()) out.push_back(h[0].get<std::string>());
        }
      };
      tensors(node.value("args", json::array()));
    }
    return out;
  }

  /// A functional model is imported when each layer takes exactly the previous one's output.
  void checkChain(const json& l, const std::string& name, const std::string& previous) const {
    if (previous.empty()) return;  // the input layer
    const std::vector<std::string> from = inboundSources(l);
    if (from.size() != 1)
      fail(name, "takes " + std::to_string(from.size()) +
                     " inputs; branches and merges (Add, Concatenate) are not imported from Keras yet");
    if (from[0] != previous)
      fail(name, "takes its input from '" + from[0] + "', not from the layer before it ('" + previous +
                     "'); only chains of layers are imported from Keras");
  }

  Shape inputShape(const std::vector<const json*>& chain) const {
    for (const char* key : {"batch_input_shape", "batch_shape"}) {
      const json& c = chain.front()->at("config");
      if (!c.contains(key)) continue;
      const json& shape = c[key];
      std::vector<int> dims;
      for (size_t i = 1; i < shape.size(); ++i) {
        if (!shape[i].is_number_integer() || shape[i].get<int>() <= 0)
          fail(layerName(*chain.front()), "the input shape " + shape.dump() + " has an unknown dimension");
        dims.push_back(shape[i].get<int>());
      }
      if (dims.empty()) fail(layerName(*chain.front()), "the input shape " + shape.dump() + " has no feature dimension");
      // Keras is channels-last; the engine is channels-first: (L, C) -> (C, L), (H, W, C) -> (C, H, W).
      if (dims.size() == 2) return Shape{dims[1], dims[0]};
      if (dims.size() == 3) return Shape{dims[2], dims[0], dims[1]};
      if (dims.size() == 1) return Shape{dims[0]};
      fail(layerName(*chain.front()), "an input of rank " + std::to_string(dims.size()) + " is not supported");
    }
    fail(layerName(*chain.front()), "the first layer gives no input shape (batch_input_shape)");
  }

  // A QKeras quantizer: {"class_name": "quantized_bits", "config": {...}} or the string form
  // "quantized_bits(6, 0, alpha=1)". quantized_bits(bits, integer, symmetric, keep_negative) is
  // ap_fixed<bits, integer + 1> (ap_ufixed<bits, integer> without keep_negative), rounding half to
  // even (tf.round) and saturating (symmetric: narrow range); quantized_relu(bits, integer) is the
  // unsigned one after a ReLU. `isRelu` tells which it was.
  IntQuantiser quantizerOf(const std::string& layer, const json& spec, bool* isRelu) const {
    std::string cls;
    std::map<std::string, std::string> args;  // named arguments, positional ones as "0", "1", ...
    if (spec.is_object()) {
      cls = spec.value("class_name", "");
      const json config = spec.value("config", json::object());
      for (const auto& [k, v] : config.items())
        args[k] = v.is_string() ? v.get<std::string>() : v.dump();
    } else if (spec.is_string()) {
      const std::string text = spec.get<std::string>();
      const size_t open = text.find('(');
      cls = text.substr(0, open);
      if (open != std::string::npos) {
        const size_t close = text.rfind(')');
        if (close == std::string::npos || close < open) fail(layer, "quantizer '" + text + "' is not closed");
        std::stringstream in(text.substr(open + 1, close - open - 1));
        std::string item;
        for (int pos = 0; std::getline(in, item, ','); ++pos) {
          auto trim = [](std::string v) {
            const size_t b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t");
            return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
          };
          const size_t eq = item.find('=');
          if (eq == std::string::npos) args[std::to_string(pos)] = trim(item);
          else args[trim(item.substr(0, eq))] = trim(item.substr(eq + 1));
        }
      }
    } else {
      fail(layer, "quantizer " + spec.dump() + " is neither a name nor a {class_name, config} object");
    }
    auto number = [&](const char* key, int pos, double def) {
      auto it = args.find(key);
      if (it == args.end()) it = args.find(std::to_string(pos));
      if (it == args.end() || it->second == "None" || it->second == "null") return def;
      const std::string& v = it->second;
      if (v == "True" || v == "true") return 1.0;
      if (v == "False" || v == "false") return 0.0;
      try {
        return std::stod(v);
      } catch (const std::exception&) {
        fail(layer, "quantizer " + cls + ": " + key + " = '" + v + "' is not a number");
      }
    };
    *isRelu = cls == "quantized_relu";
    if (cls != "quantized_bits" && cls != "quantized_relu")
      fail(layer, "QKeras quantizer '" + cls + "' is not supported (quantized_bits, quantized_relu)");
    const double bits = number("bits", 0, 8), integer = number("integer", 1, 0);
    if (bits != std::floor(bits) || bits < 1 || bits > kMaxQuantBits)
      fail(layer, "quantizer " + cls + " bits = " + std::to_string(bits) + " is outside the supported range 1.." +
                      std::to_string(kMaxQuantBits));
    IntQuantiser q;
    q.bits = static_cast<int>(bits);
    q.rounding = "ROUND";
    if (*isRelu) {
      if (number("negative_slope", 2, 0) != 0) fail(layer, "quantized_relu with a negative slope is not supported");
      q.isSigned = false;
      q.scale = static_cast<float>(std::ldexp(1.0, static_cast<int>(integer) - q.bits));
      return q;
    }
    auto alpha = args.find("alpha");
    if (alpha != args.end() && alpha->second != "None" && alpha->second != "null" && alpha->second != "1" &&
        alpha->second != "1.0")
      fail(layer, "quantized_bits alpha = " + alpha->second +
                      ": only alpha=1 (or None) has power-of-two steps that a fixed-point type holds exactly");
    q.isSigned = number("keep_negative", 3, 1) != 0;
    q.narrow = number("symmetric", 2, 0) != 0 && q.isSigned;
    q.scale = static_cast<float>(std::ldexp(1.0, static_cast<int>(integer) - q.bits + (q.isSigned ? 1 : 0)));
    return q;
  }

  // Applies a QKeras layer's kernel_quantizer / bias_quantizer to the weights just imported and
  // records their exact types on the layer.
  void quantiseParameters(Network& net, const std::string& layer, const json& c) {
    Layer& l = net.layer(net.size() - 1);
    auto params = l.parameters();
    std::string types[2];
    const char* keys[2] = {"kernel_quantizer", "bias_quantizer"};
    for (size_t i = 0; i < 2 && i < params.size(); ++i) {
      if (!c.contains(keys[i]) || c[keys[i]].is_null()) continue;
      bool relu = false;
      const IntQuantiser q = quantizerOf(layer, c[keys[i]], &relu);
      if (relu) fail(layer, std::string(keys[i]) + " is quantized_relu; weights take quantized_bits");
      Matrix& m = params[i]->value;
      std::vector<float> v(m.data(), m.data() + m.size());
      types[i] = quantiseToFixed(v, q, {q.scale}, {0.0f});
      std::copy(v.begin(), v.end(), m.data());
    }
    l.setQuantisedTypes(types[0], types[1]);
  }

  void addActivation(Network& net, const std::string& layer, const json& activation, bool own) {
    LayerSpec s;
    const std::string text = activation.is_string() ? activation.get<std::string>() : "";
    if (text == "linear") return;
    if (activation.is_object() || text.rfind("quantized_", 0) == 0) {
      bool relu = false;
      const IntQuantiser q = quantizerOf(layer, activation, &relu);
      if (relu) {
        LayerSpec r = layers::relu();
        r.name = layer + "_relu";
        net.add(r);
      }
      s.kind = "Quant";
      s.bits = q.bits;
      s.scale = q.scale;
      s.isSigned = q.isSigned;
      s.narrow = q.narrow;
      s.rounding = q.rounding;
      s.name = own ? layer : layer + "_quantizer";
      net.add(s);
      return;
    }
    if (text == "relu") s = layers::relu();
    else if (text == "sigmoid") s = layers::sigmoid();
    else if (text == "tanh") s = layers::tanh();
    else if (text == "softmax") s = layers::softmax();
    else fail(layer, "activation " + (text.empty() ? activation.dump() : "'" + text + "'") + " is not supported (relu, sigmoid, tanh, softmax, linear, quantized_relu, quantized_bits)");
    s.name = own ? layer : layer + "_" + text;
    net.add(s);
  }

  std::vector<Array> weightsOf(const std::string& layer, size_t expected) const {
    std::vector<Array> w = weights_.layerWeights(layer);
    if (w.size() != expected)
      fail(layer, "the weights file holds " + std::to_string(w.size()) + " arrays for it, expected " +
                      std::to_string(expected));
    return w;
  }

  void add(Network& net, const json& l) {
    const std::string cls = l.value("class_name", "");
    const std::string name = layerName(l);
    const json& c = l.at("config");
    auto intPair = [&](const char* key, int def) -> std::pair<int, int> {
      if (!c.contains(key) || c[key].is_null()) return {def, def};
      const json& v = c[key];
      if (v.is_number_integer()) return {v.get<int>(), v.get<int>()};
      if (v.size() == 1) return {1, v[0].get<int>()};
      return {v[0].get<int>(), v[1].get<int>()};
    };
    if (cls == "QBatchNormalization" || (cls.size() > 1 && cls[0] == 'Q' && std::isupper(static_cast<unsigned char>(cls[1])) &&
                                         cls != "QDense" && cls != "QActivation" && cls != "QConv1D" && cls != "QConv2D"))
      fail(name, "QKeras layer " + cls + " is not supported (QDense, QConv1D, QConv2D, QActivation)");
    if (c.value("data_format", "channels_last") != "channels_last")
      fail(name, "data_format '" + c.value("data_format", "") + "' (only channels_last Keras models are imported)");
    if (cls == "InputLayer") return;
    if (cls == "Dense" || cls == "QDense") {
      const bool bias = c.value("use_bias", true);
      const Shape in = net.outputShape();
      if (in.rank() != 1) fail(name, "Dense on an input of shape " + in.str() + " (flatten it first)");
      std::vector<Array> w = weightsOf(name, bias ? 2 : 1);
      const long units = c.at("units").get<long>();
      if (w[0].dims.size() != 2 || static_cast<long>(w[0].dims[0]) != in.size() || static_cast<long>(w[0].dims[1]) != units)
        fail(name, "kernel of shape " + shapeText(w[0].dims) + ", expected (" + std::to_string(in.size()) + ", " +
                       std::to_string(units) + ")");
      LayerSpec s = layers::dense(static_cast<int>(units), bias);
      s.name = name;
      net.add(s);
      auto params = net.layer(net.size() - 1).parameters();
      Matrix kernel = Eigen::Map<const Matrix>(w[0].values.data(), in.size(), units);
      if (!flattenOrder_.empty()) {  // rows in Keras's (H, W, C) order -> the engine's (C, H, W) order
        Matrix permuted(kernel.rows(), kernel.cols());
        for (long r = 0; r < kernel.rows(); ++r) permuted.row(flattenOrder_[static_cast<size_t>(r)]) = kernel.row(r);
        kernel = permuted;
        flattenOrder_.clear();
      }
      params[0]->value = kernel;
      if (bias) {
        if (static_cast<long>(w[1].size()) != units) fail(name, "bias of shape " + shapeText(w[1].dims));
        params[1]->value = Eigen::Map<const Matrix>(w[1].values.data(), 1, units);
      }
      quantiseParameters(net, name, c);
      addActivation(net, name, c.value("activation", json("linear")), false);
    } else if (cls == "Activation" || cls == "QActivation") {
      addActivation(net, name, c.at("activation"), true);
    } else if (cls == "ReLU") {
      if (c.contains("max_value") && !c["max_value"].is_null()) fail(name, "ReLU with max_value is not supported");
      const float slope = c.value("negative_slope", 0.0f);
      LayerSpec s = slope == 0.0f ? layers::relu() : layers::leakyRelu(slope);
      s.name = name;
      net.add(s);
    } else if (cls == "LeakyReLU") {
      LayerSpec s = layers::leakyRelu(c.value("alpha", c.value("negative_slope", 0.3f)));
      s.name = name;
      net.add(s);
    } else if (cls == "Softmax") {
      LayerSpec s = layers::softmax();
      s.name = name;
      net.add(s);
    } else if (cls == "Dropout") {
      LayerSpec s = layers::dropout(c.value("rate", 0.5f));
      s.name = name;
      net.add(s);
    } else if (cls == "Flatten") {
      const Shape in = net.outputShape();
      if (in.rank() > 1 && in.dims[0] > 1) {
        // Keras flattens (H, W, C); the engine flattens (C, H, W): the next Dense takes its rows
        // in the engine's order. flattenOrder_[keras index] = engine index.
        const long C = in.dims[0];
        long spatial = 1;
        for (size_t i = 1; i < in.dims.size(); ++i) spatial *= in.dims[i];
        flattenOrder_.resize(static_cast<size_t>(C * spatial));
        for (long p = 0; p < spatial; ++p)
          for (long ch = 0; ch < C; ++ch) flattenOrder_[static_cast<size_t>(p * C + ch)] = ch * spatial + p;
      }
      LayerSpec s = layers::flatten();
      s.name = name;
      net.add(s);
    } else if (cls == "BatchNormalization") {
      const bool center = c.value("center", true), scale = c.value("scale", true);
      const Shape in = net.outputShape();
      const long ch = in.dims.empty() ? 0 : in.dims[0];
      std::vector<Array> w = weightsOf(name, 2 + (center ? 1 : 0) + (scale ? 1 : 0));
      LayerSpec s = layers::batchNorm(c.value("epsilon", 1e-3f), c.value("momentum", 0.99f));
      s.name = name;
      net.add(s);
      auto params = net.layer(net.size() - 1).parameters();  // gamma, beta, mean, variance
      size_t next = 0;
      auto take = [&](int param, bool present, float absent) {
        if (!present) {
          params[static_cast<size_t>(param)]->value = Matrix::Constant(1, ch, absent);
          return;
        }
        const Array& a = w[next++];
        if (static_cast<long>(a.size()) != ch)
          fail(name, "a weight of shape " + shapeText(a.dims) + " for " + std::to_string(ch) + " channels");
        params[static_cast<size_t>(param)]->value = Eigen::Map<const Matrix>(a.values.data(), 1, ch);
      };
      take(0, scale, 1.0f);
      take(1, center, 0.0f);
      take(2, true, 0.0f);
      take(3, true, 1.0f);
    } else if (cls == "Conv1D" || cls == "Conv2D" || cls == "QConv1D" || cls == "QConv2D") {
      addConv(net, l, name, cls == "Conv2D" || cls == "QConv2D");
    } else if (cls == "MaxPooling1D" || cls == "MaxPooling2D" || cls == "AveragePooling1D" ||
               cls == "AveragePooling2D") {
      const bool twoD = cls.back() == 'D' && cls[cls.size() - 2] == '2';
      if (c.value("padding", "valid") != "valid") fail(name, "pooling with padding '" + c.value("padding", "") + "'");
      auto [kh, kw] = intPair("pool_size", 2);
      auto [sh, sw] = intPair("strides", 0);
      const bool max = cls.rfind("Max", 0) == 0;
      LayerSpec s = twoD ? (max ? layers::maxPool(kw) : layers::averagePool(kw))
                         : (max ? layers::maxPool1d(kw) : layers::averagePool1d(kw));
      if (twoD) {
        s.kernelH = kh;
        s.strideH = sh ? sh : kh;
      }
      s.kernelW = kw;
      s.strideW = sw ? sw : kw;
      s.name = name;
      net.add(s);
    } else {
      fail(name, "layer class '" + cls + "' is not supported");
    }
  }

  void addConv(Network& net, const json& l, const std::string& name, bool twoD) {
    const json& c = l.at("config");
    if (c.value("groups", 1) != 1) fail(name, "grouped convolution (groups " + std::to_string(c.value("groups", 1)) + ")");
    for (const json& d : c.value("dilation_rate", json::array({1})))
      if (d.get<int>() != 1) fail(name, "dilation_rate " + c["dilation_rate"].dump() + " (only 1 is supported)");
    const Shape in = net.outputShape();
    if (in.rank() != (twoD ? 3 : 2)) fail(name, "an input of shape " + in.str());
    const long C = in.dims[0], F = c.at("filters").get<long>();
    const json& ks = c.at("kernel_size");
    const int kH = twoD ? ks[0].get<int>() : 1, kW = twoD ? ks[1].get<int>() : ks[0].get<int>();
    const json& st = c.value("strides", json::array({1, 1}));
    const int sH = twoD ? st[0].get<int>() : 1, sW = twoD ? st[1].get<int>() : st[0].get<int>();
    const std::string padding = c.value("padding", "valid");
    int pH = 0, pW = 0;
    if (padding == "same") {
      if (sH != 1 || sW != 1 || kH % 2 == 0 || kW % 2 == 0)
        fail(name, "padding 'same' with stride " + st.dump() + " and kernel " + ks.dump() +
                       " (only stride 1 and odd kernels, whose padding is symmetric)");
      pH = kH / 2;
      pW = kW / 2;
    } else if (padding != "valid") {
      fail(name, "padding '" + padding + "'");
    }
    const bool bias = c.value("use_bias", true);
    std::vector<Array> w = weightsOf(name, bias ? 2 : 1);
    const std::vector<hsize_t> want = twoD ? std::vector<hsize_t>{hsize_t(kH), hsize_t(kW), hsize_t(C), hsize_t(F)}
                                           : std::vector<hsize_t>{hsize_t(kW), hsize_t(C), hsize_t(F)};
    if (w[0].dims != want) fail(name, "kernel of shape " + shapeText(w[0].dims) + ", expected " + shapeText(want));
    LayerSpec s = twoD ? layers::conv2d(static_cast<int>(F), kW) : layers::conv1d(static_cast<int>(F), kW);
    s.kernelH = kH;
    s.kernelW = kW;
    s.strideH = sH;
    s.strideW = sW;
    s.padH = pH;
    s.padW = pW;
    s.useBias = bias;
    s.name = name;
    net.add(s);
    auto params = net.layer(net.size() - 1).parameters();
    // Keras kernel [kh][kw][c][f] -> engine weight (f, c * kH * kW + kh * kW + kw).
    Matrix& W = params[0]->value;
    for (long f = 0; f < F; ++f)
      for (long ch = 0; ch < C; ++ch)
        for (int y = 0; y < kH; ++y)
          for (int x = 0; x < kW; ++x)
            W(f, (ch * kH + y) * kW + x) = w[0].values[static_cast<size_t>(((y * kW + x) * C + ch) * F + f)];
    if (bias) {
      if (static_cast<long>(w[1].size()) != F) fail(name, "bias of shape " + shapeText(w[1].dims));
      params[1]->value = Eigen::Map<const Matrix>(w[1].values.data(), 1, F);
    }
    quantiseParameters(net, name, c);
    addActivation(net, name, c.value("activation", json("linear")), false);
  }

  std::string source_;
  const WeightsFile& weights_;
  std::vector<long> flattenOrder_;  // set by a Flatten of a multi-channel input, used by the next Dense
};

json parseJson(const std::string& text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(source + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}

Network buildOrFail(const json& model, const std::string& source, const WeightsFile& weights) {
  try {
    return KerasBuilder(source, weights).build(model);
  } catch (const json::exception& e) {
    throw Error("Keras model " + source + ": unexpected architecture JSON (" + std::string(e.what()) + ")");
  }
}
/// Keras's naming.to_snake_case: "Conv2D" -> "conv2d", "BatchNormalization" -> "batch_normalization".
std::string snakeCase(const std::string& name) {
  static const std::regex words("(.)([A-Z][a-z0-9]+)"), humps("([a-z])([A-Z])");
  std::string s = std::regex_replace(std::regex_replace(name, words, "$1_$2"), humps, "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// A temporary file removed when it goes out of scope (HDF5 opens files by name).
class TempFile {
 public:
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/mmlc-keras-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) throw Error("cannot create a temporary file for the Keras weights");
    path_ = name;
    const bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::close(fd);
    if (!ok) throw Error("cannot write the temporary file " + path_);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};
}  // namespace

Network importKerasArchive(const std::string& path) {
  const ZipArchive zip(path);
  for (const char* member : {"config.json", "model.weights.h5"})
    if (!zip.contains(member))
      throw Error(path + ": not a Keras 3 model archive (no " + member + (std::string(member) == "model.weights.h5" &&
                                                                                zip.contains("model.weights.npz")
                                                                            ? "; weights saved as .npz are not supported)"
                                                                            : ")"));
  const json model = parseJson(zip.read("config.json"), path + " (config.json)");
  // Keras 3 stores each layer of the model's layer list under the snake-case name of its class,
  // numbered from the second of a class on (dense, dense_1, ...), not under the layer's name.
  std::map<std::string, std::string> keys;
  std::map<std::string, int> used;
  try {
    const json& config = model.at("config");
    const json& layerList = config.is_array() ? config : config.at("layers");
    for (const json& l : layerList) {
      const std::string cls = l.value("class_name", "");
      std::string key = snakeCase(cls);
      auto it = used.find(key);
      if (it == used.end()) used[key] = 0;
      else key += "_" + std::to_string(++it->second);
      const std::string name = l.contains("name") && l["name"].is_string() ? l["name"].get<std::string>()
                                                                         : l.at("config").value("name", "");
      keys[name] = key;
    }
  } catch (const json::exception& e) {
    throw Error("Keras model " + path + ": unexpected config.json (" + std::string(e.what()) + ")");
  }
  const TempFile weights(zip.read("model.weights.h5"));
  WeightsFile file(weights.path(), "");
  file.useKeras3Layout(keys, path + " (model.weights.h5)");
  return buildOrFail(model, path, file);
}

Network importKeras(const std::string& jsonPath, const std::string& weightsPath) {
  std::ifstream in(jsonPath);
  if (!in) throw Error(jsonPath + ": cannot open the Keras architecture JSON");
  std::stringstream text;
  text << in.rdbuf();
  const json model = parseJson(text.str(), jsonPath);
  WeightsFile weights(weightsPath, "");
  // A whole-model file passed as weights keeps them under model_weights.
  const std::string root = weights.stringsAttribute("/", "layer_names").empty() ? "/model_weights" : "";
  if (!root.empty()) return buildOrFail(model, jsonPath, WeightsFile(weightsPath, root));
  return buildOrFail(model, jsonPath, weights);
}

Network importKerasModel(const std::string& h5Path) {
  {
    std::ifstream in(h5Path, std::ios::binary);
    char magic[4] = {};
    if (in.read(magic, 4) && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4)
      return importKerasArchive(h5Path);  // a ZIP: Keras 3's .keras
  }
  WeightsFile file(h5Path, "/model_weights");
  const std::vector<std::string> config = file.stringsAttribute("/", "model_config");
  if (config.empty())
    throw Error(h5Path + ": no 'model_config' attribute: a weights-only file (save_weights) needs its "
                         "architecture JSON too: keras(json: \"model.json\", weights: \"" + h5Path + "\")");
  return buildOrFail(parseJson(config[0], h5Path + " (model_config)"), h5Path, file);
}

}  // namespace mmlc::nn
