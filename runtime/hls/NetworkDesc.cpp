// Shape resolution and validation of NetworkDesc, and the loader of hls4ml-style fixture folders.
#include "hls/NetworkDesc.h"

#include "hls/LayerKinds.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace mmlc::hls {

const char* softmaxImplName(SoftmaxImpl i) {
  switch (i) {
    case SoftmaxImpl::Latency: return "latency";
    case SoftmaxImpl::Stable: return "stable";
    case SoftmaxImpl::Legacy: return "legacy";
    case SoftmaxImpl::Argmax: return "argmax";
  }
  return "?";
}

bool isDepthwise(LayerKind k) { return k == LayerKind::DepthwiseConv1D || k == LayerKind::DepthwiseConv2D; }

int LayerDesc::nonZeroWeights() const {
  return static_cast<int>(std::count_if(weights.begin(), weights.end(), [](float w) { return w != 0.0f; }));
}

namespace {

void fail(const LayerDesc& l, size_t idx, const std::string& msg) {
  throw std::invalid_argument("layer " + std::to_string(idx) + " ('" + l.name + "', " + layerKindName(l.kind) +
                              "): " + msg);
}

bool isIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

void NetworkDesc::resolve() {
  if (!isIdentifier(name)) throw std::invalid_argument("network name '" + name + "' is not a C identifier");
  if (inputSize() <= 0) throw std::invalid_argument("network input size must be positive");
  std::map<std::string, int> seen;
  for (size_t idx = 0; idx < layers.size(); ++idx) {
    const LayerDesc& l = layers[idx];
    if (!isIdentifier(l.name)) fail(l, idx, "name is not a C identifier");
    if (l.name == kInputName) fail(l, idx, std::string("'") + kInputName + "' names the network input, not a layer");
    if (seen.count(l.name)) fail(l, idx, "duplicate layer name");
    seen[l.name] = static_cast<int>(idx);
  }
  std::vector<int> readers(layers.size(), 0);
  for (size_t idx = 0; idx < layers.size(); ++idx) {
    LayerDesc& l = layers[idx];
    if (l.reuseFactor < 1) fail(l, idx, "reuse factor must be >= 1");
    // The producers: the previous layer in a chain, else the named ones (earlier layers only).
    l.sources.clear();
    if (l.inputs.empty()) {
      l.sources.push_back(static_cast<int>(idx) - 1);
    } else {
      for (const std::string& from : l.inputs) {
        if (from == kInputName) {
          l.sources.push_back(-1);
          continue;
        }
        const auto it = seen.find(from);
        if (it == seen.end()) fail(l, idx, "reads '" + from + "', which is no layer of the network (a dangling input)");
        if (it->second >= static_cast<int>(idx))
          fail(l, idx, "reads '" + from + "', which is computed " + (it->second == static_cast<int>(idx) ? "by this layer" : "later") +
                           " (a cycle, or layers not in evaluation order)");
        l.sources.push_back(it->second);
      }
    }
    const bool merge = l.kind == LayerKind::Add || l.kind == LayerKind::Concatenate;
    if (merge != (l.sources.size() != 1))
      fail(l, idx, merge ? "a merge layer reads two inputs, got " + std::to_string(l.sources.size())
                         : "reads " + std::to_string(l.sources.size()) + " inputs; only merge layers (Add, Concatenate) read several");
    if (merge && l.sources.size() != 2)
      fail(l, idx, "hls4ml's merge templates take two inputs, got " + std::to_string(l.sources.size()));
    auto shapeOf = [&](int src, int& sh, int& sw, int& sc) {
      if (src < 0) {
        sh = inputHeight, sw = inputWidth, sc = inputChannels;
      } else {
        const LayerDesc& p = layers[static_cast<size_t>(src)];
        sh = p.outHeight, sw = p.outWidth, sc = p.outChannels;
      }
    };
    for (int src : l.sources)
      if (src >= 0) ++readers[static_cast<size_t>(src)];
    int h = 1, w = 1, c = 1;
    shapeOf(l.sources[0], h, w, c);
    const FixedType current = sourceType(l.sources[0]);
    l.sourceChannels.assign(1, c);
    for (size_t j = 1; j < l.sources.size(); ++j) {
      int h2 = 1, w2 = 1, c2 = 1;
      shapeOf(l.sources[j], h2, w2, c2);
      auto shape = [](int a, int b, int d) { return std::to_string(a) + "x" + std::to_string(b) + "x" + std::to_string(d); };
      const std::string from = l.inputs.empty() ? "" : l.inputs[0], other = l.inputs.size() > j ? l.inputs[j] : "";
      if (l.kind == LayerKind::Add && (h2 != h || w2 != w || c2 != c))
        fail(l, idx, "adds '" + from + "' (" + shape(h, w, c) + ") and '" + other + "' (" + shape(h2, w2, c2) +
                         "): the inputs of an Add must have the same shape");
      if (l.kind == LayerKind::Concatenate && (h2 != h || w2 != w))
        fail(l, idx, "joins '" + from + "' (" + shape(h, w, c) + ") and '" + other + "' (" + shape(h2, w2, c2) +
                         ") along channels: the inputs must have the same height and width");
      l.sourceChannels.push_back(c2);
    }
    if (l.kind == LayerKind::Concatenate) {
      c = 0;
      for (int sc : l.sourceChannels) c += sc;
    }
    l.inHeight = h;
    l.inWidth = w;
    l.inChannels = c;
    switch (l.kind) {
      case LayerKind::Dense: {
        if (l.nOut <= 0) fail(l, idx, "nOut must be positive");
        l.nIn = h * w * c;
        if (l.weights.size() != static_cast<size_t>(l.nIn) * l.nOut)
          fail(l, idx, "expected " + std::to_string(l.nIn * l.nOut) + " weights, got " + std::to_string(l.weights.size()));
        if (l.biases.empty()) l.biases.assign(l.nOut, 0.0f);
        if (l.biases.size() != static_cast<size_t>(l.nOut)) fail(l, idx, "expected " + std::to_string(l.nOut) + " biases");
        l.outHeight = 1;
        l.outWidth = 1;
        l.outChannels = l.nOut;
        break;
      }
      case LayerKind::Conv1D:
      case LayerKind::Conv2D:
      case LayerKind::DepthwiseConv1D:
      case LayerKind::DepthwiseConv2D: {
        const bool dw = isDepthwise(l.kind);
        // hls4ml's depthwise templates assert n_filt == n_chan (depth multiplier 1).
        if (dw) {
          if (l.nFilters != 0 && l.nFilters != c)
            fail(l, idx, "a depthwise convolution has one filter per input channel (" + std::to_string(c) + "), not " +
                             std::to_string(l.nFilters) + " (only a depth multiplier of 1 is supported)");
          l.nFilters = c;
        }
        if (l.kind == LayerKind::Conv1D || l.kind == LayerKind::DepthwiseConv1D) {
          if (h != 1) fail(l, idx, std::string(layerKindName(l.kind)) + " needs a (1 x width x channels) input");
          l.kernelH = 1;
          l.strideH = 1;
          l.padTop = l.padBottom = 0;
        }
        if (l.nFilters <= 0 || l.kernelH <= 0 || l.kernelW <= 0 || l.strideH <= 0 || l.strideW <= 0)
          fail(l, idx, "filters, kernel and stride must be positive");
        const int ph = h + l.padTop + l.padBottom, pw = w + l.padLeft + l.padRight;
        if (ph < l.kernelH || pw < l.kernelW) fail(l, idx, "kernel larger than the padded input");
        l.outHeight = (ph - l.kernelH) / l.strideH + 1;
        l.outWidth = (pw - l.kernelW) / l.strideW + 1;
        l.outChannels = l.nFilters;
        const size_t nw = static_cast<size_t>(l.kernelH) * l.kernelW * c * (dw ? 1 : l.nFilters);
        if (l.weights.size() != nw)
          fail(l, idx, "expected " + std::to_string(nw) + " weights, got " + std::to_string(l.weights.size()));
        if (l.biases.empty()) l.biases.assign(l.nFilters, 0.0f);
        if (l.biases.size() != static_cast<size_t>(l.nFilters))
          fail(l, idx, dw ? "expected one bias per channel" : "expected one bias per filter");
        l.nIn = static_cast<int>(l.kernelH * l.kernelW * c);
        l.nOut = l.nFilters;
        if (dw && l.strategy == Strategy::Resource)
          fail(l, idx, "hls4ml's depthwise convolutions have no Resource strategy (its templates assert latency)");
        break;
      }
      case LayerKind::MaxPool:
      case LayerKind::AvgPool: {
        if (l.kernelH <= 0 || l.kernelW <= 0) fail(l, idx, "pool size must be positive");
        if (l.strideH <= 0 || l.strideW <= 0) fail(l, idx, "stride must be positive");
        // Padded cells are ignored, as in TensorFlow and hls4ml: a window's maximum or average is
        // over the cells inside the input (a window must overlap it).
        if (l.padTop < 0 || l.padBottom < 0 || l.padLeft < 0 || l.padRight < 0) fail(l, idx, "padding must be >= 0");
        if (l.padTop >= l.kernelH || l.padBottom >= l.kernelH || l.padLeft >= l.kernelW || l.padRight >= l.kernelW)
          fail(l, idx, "padding must be smaller than the pool (every window must overlap the input)");
        const int ph = h + l.padTop + l.padBottom, pw = w + l.padLeft + l.padRight;
        if (ph < l.kernelH || pw < l.kernelW) fail(l, idx, "pool larger than the input");
        l.outHeight = (ph - l.kernelH) / l.strideH + 1;
        l.outWidth = (pw - l.kernelW) / l.strideW + 1;
        l.outChannels = c;
        break;
      }
      case LayerKind::GlobalMaxPool:
      case LayerKind::GlobalAvgPool:
        l.kernelH = h;
        l.kernelW = w;
        l.strideH = h;
        l.strideW = w;
        l.outHeight = 1;
        l.outWidth = 1;
        l.outChannels = c;
        break;
      case LayerKind::ZeroPad:
        if (l.padTop < 0 || l.padBottom < 0 || l.padLeft < 0 || l.padRight < 0) fail(l, idx, "padding must be >= 0");
        if (h == 1 && (l.padTop || l.padBottom)) fail(l, idx, "a 1-D input (height 1) can only be padded left and right");
        l.outHeight = h + l.padTop + l.padBottom;
        l.outWidth = w + l.padLeft + l.padRight;
        l.outChannels = c;
        break;
      case LayerKind::Upsample:
        if (l.scaleH < 1 || l.scaleW < 1) fail(l, idx, "upsampling factors must be >= 1");
        if (h == 1 && l.scaleH != 1) fail(l, idx, "a 1-D input (height 1) can only be upsampled along its width");
        l.outHeight = h * l.scaleH;
        l.outWidth = w * l.scaleW;
        l.outChannels = c;
        break;
      case LayerKind::Quantize:
        if (l.elementTypes.size() != static_cast<size_t>(h) * w * c)
          fail(l, idx, "needs one element type per input element (" + std::to_string(h * w * c) + "), got " +
                           std::to_string(l.elementTypes.size()));
        for (const FixedType& t : l.elementTypes)
          if (t.width < 0 || t.width > 64) fail(l, idx, "element widths must be in 0..64 (0: the constant 0)");
        l.outHeight = h;
        l.outWidth = w;
        l.outChannels = c;
        break;
      case LayerKind::BatchNorm:
        if (l.weights.size() != static_cast<size_t>(c) || l.biases.size() != static_cast<size_t>(c))
          fail(l, idx, "needs one scale and one shift per channel (" + std::to_string(c) + ")");
        l.outHeight = h;
        l.outWidth = w;
        l.outChannels = c;
        break;
      case LayerKind::Softmax:
        if (l.inverseTableSize() < 2 || (l.inverseTableSize() & (l.inverseTableSize() - 1)) != 0)
          fail(l, idx, "inverse table size must be a power of two >= 2");
        [[fallthrough]];
      default: {
        // Activations (every element-wise kind of runtime/hls/layers/Activations.cpp) keep the shape.
        const LayerKindInfo& kind = kindInfo(l.kind);
        if (!kind.isActivation) fail(l, idx, "the layer kind has no shape rule in NetworkDesc::resolve");
        if (kind.hasTable && (l.tableSize < 2 || (l.tableSize & (l.tableSize - 1)) != 0))
          fail(l, idx, "table size must be a power of two >= 2");
        if (l.kind == LayerKind::PReLU && l.weights.size() != static_cast<size_t>(h) * w * c)
          fail(l, idx, "needs one slope per input element (" + std::to_string(h * w * c) + "), got " + std::to_string(l.weights.size()));
        l.outHeight = h;
        l.outWidth = w;
        l.outChannels = c;
        break;
      }
      case LayerKind::Add:
      case LayerKind::Concatenate:  // shapes checked with the inputs above
        l.outHeight = h;
        l.outWidth = w;
        l.outChannels = c;
        break;
      case LayerKind::Flatten:
        l.outHeight = 1;
        l.outWidth = 1;
        l.outChannels = h * w * c;
        break;
    }
    const bool mac = kindInfo(l.kind).isMac;
    if (!mac) {
      l.nIn = l.inputSize();
      l.nOut = l.outputSize();
    }
    for (const FixedType* t : {&l.weightType, &l.biasType, &l.accumType, &l.resultType})
      if (t->width < 1 || t->width > 64) fail(l, idx, "fixed-point widths must be in 1..64");
    if (mac && current.width + l.weightType.width > 62)
      fail(l, idx, "input width + weight width must be <= 62 bits (products are exact in 64-bit integers)");
    // Flatten is a reshape in io_parallel, resize_nearest a copy with one data_T: no cast, the
    // values keep their type.
    if (kindInfo(l.kind).reshapeOnly || kindInfo(l.kind).keepsInputType) l.resultType = current;
  }
  for (size_t idx = 0; idx + 1 < layers.size(); ++idx)
    if (readers[idx] == 0)
      fail(layers[idx], idx, "its output is never read (only the last layer is the network's output)");
}

bool NetworkDesc::isChain() const {
  for (size_t k = 0; k < layers.size(); ++k)
    if (layers[k].sources.size() != 1 || layers[k].sources[0] != static_cast<int>(k) - 1) return false;
  return true;
}

const FixedType& NetworkDesc::inputTypeOf(size_t k, size_t j) const {
  const LayerDesc& l = layers.at(k);
  if (j < l.sources.size()) return sourceType(l.sources[j]);
  return j == 0 ? sourceType(static_cast<int>(k) - 1) : throw std::out_of_range("layer input index");
}

std::vector<int> NetworkDesc::consumers(size_t k) const {
  std::vector<int> out;
  for (size_t j = k + 1; j < layers.size(); ++j)
    for (int src : layers[j].sources)
      if (src == static_cast<int>(k)) {
        out.push_back(static_cast<int>(j));
        break;
      }
  return out;
}

std::vector<std::string> NetworkDesc::templateIssues() const {
  NetworkDesc n = *this;
  n.resolve();
  std::vector<std::string> issues;
  for (size_t idx = 0; idx < n.layers.size(); ++idx) {
    const LayerDesc& l = n.layers[idx];
    const FixedType& current = n.inputTypeOf(idx);
    const int h = l.inHeight, w = l.inWidth;
    auto fail = [&](const LayerDesc& layer, size_t i, const std::string& msg) {
      issues.push_back("layer " + std::to_string(i) + " ('" + layer.name + "', " + layerKindName(layer.kind) + "): " + msg);
    };
    const TemplateGeneration generation = n.generation;
    if (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool) {
      if (generation == TemplateGeneration::Hls4ml_0_8 && (l.padTop || l.padBottom || l.padLeft || l.padRight))
        fail(l, idx, "hls4ml 0.8's pooling has no padding");
      if (n.ioType == IOType::Parallel && generation != TemplateGeneration::Hls4ml_1_1) {
        // These templates fill a stride-sized window (0.8: pooling1d/2d_cl; 1.0: pooling2d_cl) and
        // 1.0's pooling1d_cl writes width / stride outputs; other geometries read or write outside
        // the arrays there, so there is nothing exact to simulate.
        const bool oneD = h == 1 && l.kernelH == 1;
        const bool strideWindows = (l.kernelH == l.strideH || oneD) && l.kernelW == l.strideW;
        const bool ok = generation == TemplateGeneration::Hls4ml_1_0 && oneD ? w / l.strideW == l.outWidth : strideWindows;
        if (!ok)
          fail(l, idx, std::string("hls4ml ") + (generation == TemplateGeneration::Hls4ml_0_8 ? "0.8" : "1.0") +
                           (oneD ? " pooling1d_cl" : " pooling2d_cl") +
                           (generation == TemplateGeneration::Hls4ml_1_0 && oneD
                                ? " needs input width / stride == output width"
                                : " needs the pool size equal to the stride"));
      }
    }
    if (l.kind == LayerKind::Upsample) {
      // resize_nearest's array form reads row (i * ((height << 16) / new_height + 1)) >> 16 in
      // int: that is i / factor only while the error term stays below one row (and the products
      // fit an int); the stream form repeats exactly.
      auto exact = [](long long in, long long factor) {
        const long long out = in * factor, ratio = ((in << 16) / out) + 1;
        if (out * ratio > 0x7fffffffLL) return false;
        for (long long i = 0; i < out; ++i)
          if (((i * ratio) >> 16) != i / factor) return false;
        return true;
      };
      if (n.ioType == IOType::Parallel && (!exact(h, l.scaleH) || !exact(w, l.scaleW)))
        fail(l, idx, "resize_nearest's fixed-point ratio does not repeat every value of a " + std::to_string(h) + "x" +
                         std::to_string(w) + " map " + std::to_string(l.scaleH) + "x" + std::to_string(l.scaleW) +
                         " times (use io_stream)");
    }
    if (l.kind == LayerKind::Softmax) {
      // softmax_idx_from_real_val slices the top log2(size) bits of the addressing type; a
      // narrower type makes the vendor library slice below bit 0 (it warns and reads garbage).
      auto needBits = [&](const FixedType& t, int size, const char* what) {
        int bits = 0;
        while ((1 << bits) < size) ++bits;
        if (t.width < bits)
          fail(l, idx, std::string("a softmax table of ") + std::to_string(size) + " entries is addressed by the top " +
                           std::to_string(bits) + " bits of " + what + " " + t.toString() + ", which has fewer bits");
      };
      const bool g11 = generation == TemplateGeneration::Hls4ml_1_1;
      if (l.softmaxImpl == SoftmaxImpl::Latency || (l.softmaxImpl == SoftmaxImpl::Stable && !g11))
        needBits(current, l.tableSize, "the input type");
      if (l.softmaxImpl == SoftmaxImpl::Stable && g11) needBits(l.inpNormType, l.tableSize, "inp_norm_t");
      if (l.softmaxImpl == SoftmaxImpl::Latency || l.softmaxImpl == SoftmaxImpl::Stable) {
        if (g11)
          needBits(l.invInpType, l.inverseTableSize(), "inv_inp_t");
        else
          needBits(l.expTableType, l.tableSize, "exp_table_t");
      }
    }
  }
  return issues;
}

TemplateGeneration detectTemplateGeneration(const std::string& nnetUtilsDir) {
  auto read = [&](const char* file) {
    const std::string path = nnetUtilsDir + "/" + file;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read '" + path + "' to tell the hls4ml template generation");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  const std::string pooling = read("nnet_pooling.h");
  // mmlc's own library (what HlsProjectEmitter writes) computes hls4ml 1.0's arithmetic.
  if (pooling.rfind("// mmlc layer-template library", 0) == 0) return TemplateGeneration::Hls4ml_1_0;
  if (read("nnet_activation.h").find("inp_norm_t") != std::string::npos) return TemplateGeneration::Hls4ml_1_1;
  if (pooling.find("typename accum_t") != std::string::npos) return TemplateGeneration::Hls4ml_1_0;
  return TemplateGeneration::Hls4ml_0_8;
}

const char* templateGenerationName(TemplateGeneration g) {
  switch (g) {
    case TemplateGeneration::Hls4ml_0_8: return "hls4ml 0.8";
    case TemplateGeneration::Hls4ml_1_0: return "hls4ml 1.0";
    case TemplateGeneration::Hls4ml_1_1: return "hls4ml 1.1";
  }
  return "?";
}

std::vector<float> readFloatList(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::vector<float> out;
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    std::string tok;
    for (char& ch : line)
      if (ch == ',') ch = ' ';
    std::istringstream ws(line);
    while (ws >> tok) {
      char* end = nullptr;
      const float v = std::strtof(tok.c_str(), &end);
      if (end == tok.c_str() || *end != '\0')
        throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": bad number '" + tok + "'");
      out.push_back(v);
    }
  }
  return out;
}

namespace {

// Minimal block-style YAML reader (mappings and scalars, as hls4ml writes its config); errors
// name the file and line.
struct YamlNode {
  std::string scalar;
  std::vector<std::pair<std::string, std::unique_ptr<YamlNode>>> children;
  const YamlNode* get(const std::string& key) const {
    for (const auto& kv : children)
      if (kv.first == key) return kv.second.get();
    return nullptr;
  }
};

std::unique_ptr<YamlNode> parseYaml(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  auto root = std::make_unique<YamlNode>();
  std::vector<std::pair<int, YamlNode*>> stack{{-1, root.get()}};
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    const auto hash = line.find(" #");
    if (hash != std::string::npos) line = line.substr(0, hash);
    if (!line.empty() && line[0] == '#') continue;
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    if (line[first] == '\t') throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": tabs are not allowed");
    if (line[first] == '-') continue;  // sequences are not used by the fields we read
    const auto colon = line.find(':', first);
    if (colon == std::string::npos)
      throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": expected 'key: value'");
    const int indent = static_cast<int>(first);
    std::string key = line.substr(first, colon - first);
    std::string value = colon + 1 < line.size() ? line.substr(colon + 1) : "";
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
    if (value.size() >= 2 && (value[0] == '\'' || value[0] == '"') && value.back() == value[0])
      value = value.substr(1, value.size() - 2);
    while (stack.back().first >= indent) stack.pop_back();
    auto node = std::make_unique<YamlNode>();
    node->scalar = value;
    YamlNode* raw = node.get();
    stack.back().second->children.emplace_back(key, std::move(node));
    stack.emplace_back(indent, raw);
  }
  return root;
}

Strategy parseStrategy(const std::string& s, const std::string& where) {
  std::string k = s;
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (k == "latency") return Strategy::Latency;
  if (k == "resource") return Strategy::Resource;
  throw std::invalid_argument(where + ": unknown strategy '" + s + "'");
}

int parsePositive(const std::string& s, const std::string& where) {
  try {
    const int v = std::stoi(s);
    if (v >= 1) return v;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(where + ": expected a positive integer, got '" + s + "'");
}

// Applies Precision (scalar or {weight,bias,accum,result}), ReuseFactor and Strategy of a config node.
void applyLayerConfig(const YamlNode* cfg, LayerDesc& l, const std::string& where) {
  if (!cfg) return;
  if (const YamlNode* p = cfg->get("Precision")) {
    if (!p->scalar.empty()) {
      const FixedType t = FixedType::parse(p->scalar);
      l.weightType = l.biasType = l.accumType = l.resultType = t;
    }
    if (const YamlNode* x = p->get("weight")) l.weightType = FixedType::parse(x->scalar);
    if (const YamlNode* x = p->get("bias")) l.biasType = FixedType::parse(x->scalar);
    if (const YamlNode* x = p->get("accum")) l.accumType = FixedType::parse(x->scalar);
    if (const YamlNode* x = p->get("result")) l.resultType = FixedType::parse(x->scalar);
  }
  if (const YamlNode* r = cfg->get("ReuseFactor")) l.reuseFactor = parsePositive(r->scalar, where);
  if (const YamlNode* s = cfg->get("Strategy")) l.strategy = parseStrategy(s->scalar, where);
}

}  // namespace

NetworkDesc loadHls4mlFixture(const std::string& dir, LayerKind hiddenActivation, LayerKind outputActivation) {
  namespace fs = std::filesystem;
  const std::string cfgPath = (fs::path(dir) / "hls4ml_config.yml").string();
  const auto root = parseYaml(cfgPath);
  NetworkDesc net;
  if (const YamlNode* n = root->get("ProjectName")) net.name = n->scalar;
  if (const YamlNode* n = root->get("Part")) net.part = n->scalar;
  if (const YamlNode* n = root->get("ClockPeriod")) net.clockPeriodNs = std::stod(n->scalar);
  if (const YamlNode* n = root->get("IOType"))
    net.ioType = n->scalar == "io_stream" ? IOType::Stream : IOType::Parallel;
  const YamlNode* hls = root->get("HLSConfig");
  const YamlNode* model = hls ? hls->get("Model") : nullptr;
  const YamlNode* layerCfg = hls ? hls->get("LayerName") : nullptr;
  LayerDesc defaults;
  defaults.weightType = defaults.biasType = defaults.accumType = defaults.resultType = FixedType::fixed(16, 6);
  applyLayerConfig(model, defaults, cfgPath + " (HLSConfig/Model)");
  net.inputType = defaults.resultType;

  // Dense layers are numbered by the hls4ml layer index in the weight file names (w2, w5, ...).
  std::vector<int> indices;
  const std::regex wname("w([0-9]+)\\.txt");
  for (const auto& e : fs::directory_iterator(fs::path(dir) / "weights")) {
    std::smatch m;
    const std::string fname = e.path().filename().string();
    if (std::regex_match(fname, m, wname)) indices.push_back(std::stoi(m[1]));
  }
  if (indices.empty()) throw std::runtime_error("no weights/wN.txt files in '" + dir + "'");
  std::sort(indices.begin(), indices.end());
  int nIn = -1;
  for (size_t k = 0; k < indices.size(); ++k) {
    const int idx = indices[k];
    const std::string wPath = (fs::path(dir) / "weights" / ("w" + std::to_string(idx) + ".txt")).string();
    const std::string bPath = (fs::path(dir) / "weights" / ("b" + std::to_string(idx) + ".txt")).string();
    LayerDesc d = defaults;
    d.kind = LayerKind::Dense;
    d.name = "layer" + std::to_string(idx);
    d.weights = readFloatList(wPath);
    d.biases = readFloatList(bPath);
    d.nOut = static_cast<int>(d.biases.size());
    if (d.nOut == 0 || d.weights.size() % d.nOut != 0)
      throw std::runtime_error(wPath + ": weight count " + std::to_string(d.weights.size()) +
                               " is not a multiple of the bias count " + std::to_string(d.nOut));
    const int thisIn = static_cast<int>(d.weights.size() / d.nOut);
    if (nIn >= 0 && thisIn != nIn)
      throw std::runtime_error(wPath + ": layer expects " + std::to_string(thisIn) + " inputs but the previous layer has " +
                               std::to_string(nIn) + " outputs");
    if (k == 0) net.inputWidth = thisIn;
    if (layerCfg) applyLayerConfig(layerCfg->get(d.name), d, cfgPath + " (LayerName/" + d.name + ")");
    nIn = d.nOut;
    LayerDesc act = defaults;
    act.kind = k + 1 == indices.size() ? outputActivation : hiddenActivation;
    act.name = "layer" + std::to_string(idx + 2);
    if (layerCfg) applyLayerConfig(layerCfg->get(act.name), act, cfgPath + " (LayerName/" + act.name + ")");
    net.layers.push_back(std::move(d));
    net.layers.push_back(std::move(act));
  }
  net.resolve();
  return net;
}

}  // namespace mmlc::hls
