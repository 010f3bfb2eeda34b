// HLS project → hls::NetworkDesc: layer kinds from the calls, config fields through each kind's
// schema (LayerKindInfo::configFields, the names the emitter writes), weights from the array
// initialisers, precisions from the typedefs; and the read-back of a rewritten project into an
// existing description.
#include "meta/HlsNetworkImport.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

#include "hls/LayerKinds.h"

namespace mmlc::meta {
namespace {

using hls::LayerDesc;
using hls::LayerKind;

std::string kindsList() {
  std::string s;
  for (const std::string& k : importableLayerKinds()) s += (s.empty() ? "" : ", ") + k;
  return s;
}

// The layer kind of a call (the descriptors' hls4ml functions), or throws naming the call.
LayerKind kindOf(const HlsLayer& l) {
  const std::vector<const hls::LayerKindInfo*> kinds = hls::kindsByNnetCall(l.kind);
  if (kinds.size() == 1) return kinds.front()->kind;
  if (kinds.empty())
    throw HlsMetaError(l.call, "layer " + l.name + " calls " + l.function + ", which mmlc cannot model (importable layers: " +
                                   kindsList() + ")");
  // One pooling function computes max and average pooling: the config's pool_type picks.
  const HlsConfigField* op = l.field("pool_type");
  if (!op) op = l.field("pool_op");
  const bool isMax = op && (op->text.find("max") != std::string::npos || op->text.find("Max") != std::string::npos);
  const bool isAvg = op && (op->text.find("average") != std::string::npos || op->text.find("Average") != std::string::npos);
  for (const hls::LayerKindInfo* k : kinds) {
    const bool maxKind = k->kind == LayerKind::MaxPool || k->kind == LayerKind::GlobalMaxPool;
    if ((isMax && maxKind) || (!isMax && isAvg && !maxKind)) return k->kind;
  }
  throw HlsMetaError(l.call, "layer " + l.name + ": " + l.function + " without a pool_type (or pool_op) field naming max or average pooling");
}

long long requireField(const HlsLayer& l, const std::string& name) {
  const HlsConfigField* f = l.field(name);
  if (!f || !f->isInteger)
    throw HlsMetaError(f ? f->pos : l.config.empty() ? l.call : l.config.front().pos, "layer " + l.name + ": " + (l.configStruct.empty() ? "its config" : "config struct " + l.configStruct) +
                                   " has no integer '" + name + "' field");
  return f->value;
}

long long fieldOr(const HlsLayer& l, const std::string& name, long long fallback) {
  const HlsConfigField* f = l.field(name);
  return f && f->isInteger ? f->value : fallback;
}

// The type of a role, or nullptr when the layer has no such role; a role whose type is not an
// ap_fixed/ap_int is an error (the simulator could not follow it).
const hls::FixedType* typeOf(const HlsLayer& l, const std::string& role) {
  auto it = l.precisions.find(role);
  if (it == l.precisions.end()) return nullptr;
  if (!it->second.known)
    throw HlsMetaError(it->second.pos, "layer " + l.name + ": the " + role + " type '" + it->second.spelled +
                                           "' is not an ap_fixed/ap_ufixed/ap_int/ap_uint type");
  return &it->second.type;
}

hls::FixedType requireType(const HlsLayer& l, const std::string& role) {
  if (const hls::FixedType* t = typeOf(l, role)) return *t;
  throw HlsMetaError(l.call, "layer " + l.name + " has no " + role + " type" +
                                 (l.configStruct.empty() ? "" : " (no " + role + "_t in " + l.configStruct + ")"));
}

// ---- config fields through the kind's schema ----

// hls4ml's one-dimensional functions ("1d" in the name: conv_1d_cl, pooling1d_cl, zeropad1d_cl,
// separable_conv_1d_cl) have no row fields.
bool isOneDimensional(const HlsLayer& l) { return l.kind.find("1d") != std::string::npos; }

bool appliesTo(const hls::ConfigField& f, const HlsLayer& l) {
  return f.dims == hls::FieldDims::Any || (f.dims == hls::FieldDims::OneD) == isOneDimensional(l);
}

// Where a field the config lacks is reported: the config struct (its first field), else the call.
SourcePos configPos(const HlsLayer& l) { return l.config.empty() ? l.call : l.config.front().pos; }

[[noreturn]] void missingField(const HlsLayer& l, const std::string& name, const hls::ConfigField& f, const std::string& what) {
  throw HlsMetaError(configPos(l), "layer " + l.name + ": " + (l.configStruct.empty() ? "its config" : "config struct " + l.configStruct) +
                                       " has no " + what + "'" + name + "' field (" + f.meaning + ")");
}

// The value of an integer field, or nullptr when the config has none (or states none: hls4ml
// writes n_filt = -1 where channels do not apply).
const HlsConfigField* integerField(const HlsLayer& l, const std::string& name) {
  const HlsConfigField* f = l.field(name);
  if (f && !f->isInteger) throw HlsMetaError(f->pos, "layer " + l.name + ": " + name + " '" + f->text + "' is not an integer");
  return f && f->value >= 0 && f->value <= 0x7fffffff ? f : nullptr;
}

// Counts, numbers and types of `d` as its kind's schema says (fields named `prefix` + name: the
// nested depthwise_config:: / pointwise_config:: of a separable convolution).
void readSchemaFields(const HlsLayer& l, LayerDesc& d, const std::string& prefix = "") {
  for (const hls::ConfigField& f : hls::kindInfo(d.kind).configFields) {
    if (!appliesTo(f, l)) continue;
    const std::string name = prefix + f.name;
    switch (f.read) {
      case hls::FieldRead::Count:
        if (const HlsConfigField* v = integerField(l, name)) d.*f.count = static_cast<int>(v->value);
        else if (f.required) missingField(l, name, f, "integer ");
        else if (f.countFallback) d.*f.count = d.*f.countFallback;
        break;
      case hls::FieldRead::Number: {
        const HlsConfigField* v = l.field(name);
        if (!v) {
          if (f.required) missingField(l, name, f, "numeric ");
          break;
        }
        char* end = nullptr;
        const double x = std::strtod(v->text.c_str(), &end);
        if (end == v->text.c_str()) throw HlsMetaError(v->pos, "layer " + l.name + ": " + name + " '" + v->text + "' is not a number");
        d.*f.number = x;
        if (f.type) d.*f.type = v->isFixed ? v->type : requireType(l, name);
        break;
      }
      case hls::FieldRead::Type: {
        std::string role = name.substr(0, name.size() - 2);  // without "_t"
        if (const hls::FixedType* t = typeOf(l, role)) d.*f.type = *t;
        else if (f.required) d.*f.type = requireType(l, role);  // throws, naming the role
        break;
      }
      default: break;  // Written, Size (checked after resolve), Keyword (readLayerValues)
    }
  }
  const hls::CallParam& cp = hls::kindInfo(d.kind).callParam;
  if (!cp.value) return;
  if (!l.hasParam && cp.required)
    throw HlsMetaError(l.call, "layer " + l.name + ": " + l.kind + "'s " + cp.name + " argument is not a numeric constant");
  d.*cp.value = l.hasParam ? l.paramValue : cp.fallback;
  d.*cp.type = l.precisions.count("param")   ? requireType(l, "param")
               : cp.inputTypeWithoutParamT ? requireType(l, "input")
                                           : cp.fallbackType;
}

// The size a Size field states, as the resolved description has it.
long long resolvedSize(const LayerDesc& d, hls::FieldSize s) {
  switch (s) {
    case hls::FieldSize::Elements: return d.inputSize();
    case hls::FieldSize::Rows: return d.inHeight;
    case hls::FieldSize::Columns: return d.inWidth;
    case hls::FieldSize::Channels: return d.inChannels;
    case hls::FieldSize::OutputColumns: return d.outWidth;
  }
  return 0;
}

// The network's input shape from the first layer's Size fields: rows, columns and channels as
// stated, else the columns are the elements over the rows and channels (batch-norm's n_in).
void readInputShape(const HlsLayer& first, const LayerDesc& d, const std::string& prefix, hls::NetworkDesc& desc) {
  const auto& fields = hls::kindInfo(d.kind).configFields;
  if (fields.empty()) {  // a call without a config (HGQ's per-element quantizers): one element per type
    desc.inputWidth = static_cast<int>(first.elementTypes.size());
    return;
  }
  long long size[5] = {-1, -1, -1, -1, -1};
  for (const hls::ConfigField& f : fields) {
    if (f.read != hls::FieldRead::Size || !appliesTo(f, first) || f.size == hls::FieldSize::OutputColumns) continue;
    const std::string name = prefix + f.name;
    if (const HlsConfigField* v = integerField(first, name)) size[static_cast<int>(f.size)] = v->value;
    else if (f.required) missingField(first, name, f, "integer ");
  }
  const long long rows = size[int(hls::FieldSize::Rows)], cols = size[int(hls::FieldSize::Columns)];
  const long long chans = size[int(hls::FieldSize::Channels)], elems = size[int(hls::FieldSize::Elements)];
  if (rows > 0) desc.inputHeight = static_cast<int>(rows);
  if (chans > 0) desc.inputChannels = static_cast<int>(chans);
  if (cols > 0) desc.inputWidth = static_cast<int>(cols);
  else if (elems > 0) desc.inputWidth = static_cast<int>(elems / (std::max(1LL, rows) * std::max(1LL, chans)));
}

// The values of the layer's weight or bias array (project order), checked against `expected`.
std::vector<float> arrayValues(const HlsProject& p, const HlsLayer& l, const std::string& role, long long expected) {
  for (const std::string& name : l.weightArrays) {
    const HlsWeightArray* w = p.weightArray(name);
    if (!w || w->role != role) continue;
    if (w->values.empty())
      throw HlsMetaError(w->pos, "cannot read the values of " + w->name + " (no comma-separated list of " + std::to_string(w->size) +
                                     " numbers in its header; weights loaded at run time cannot be imported)");
    if (static_cast<long long>(w->values.size()) != expected)
      throw HlsMetaError(w->pos, "layer " + l.name + ": " + w->name + " has " + std::to_string(w->values.size()) + " values, expected " +
                                     std::to_string(expected));
    return std::vector<float>(w->values.begin(), w->values.end());
  }
  throw HlsMetaError(l.call, "layer " + l.name + " passes no " + role + " array");
}

// Precisions, reuse, strategy, geometry, tables, parameters, weights and biases of one layer as
// the project has them (the kind's schema says which config field holds what); `d.kind` must
// already be right.
void readLayerValues(const HlsProject& p, const HlsLayer& l, LayerDesc& d) {
  const hls::LayerKindInfo& kind = hls::kindInfo(d.kind);
  // A reshape keeps its input's type (an io_stream Flatten process only repacks its stream).
  if (!kind.reshapeOnly)
    if (const hls::FixedType* t = typeOf(l, "result")) d.resultType = *t;
  if (l.reuseFactor >= 1) d.reuseFactor = static_cast<int>(l.reuseFactor);
  if (!l.strategy.empty()) d.strategy = l.strategy == "resource" ? hls::Strategy::Resource : hls::Strategy::Latency;
  readSchemaFields(l, d);
  if (d.kind == LayerKind::Upsample) {
    // resize_nearest: whole factors (the stream form asserts them; mmlc models no others).
    const long long h = requireField(l, "height"), w = requireField(l, "width");
    const long long nh = requireField(l, "new_height"), nw = requireField(l, "new_width");
    if (h < 1 || w < 1 || nh % h != 0 || nw % w != 0 || nh < h || nw < w)
      throw HlsMetaError(l.call, "layer " + l.name + ": resize_nearest from " + std::to_string(h) + "x" + std::to_string(w) + " to " +
                                     std::to_string(nh) + "x" + std::to_string(nw) +
                                     " is not an upsampling by whole factors, the only one mmlc models");
    d.scaleH = static_cast<int>(nh / h);
    d.scaleW = static_cast<int>(nw / w);
  }
  if (kind.hasWeights && !kind.hasBias) {
    // prelu<data_T, param_T, res_T, CONFIG_T>(data, alpha, res): one slope per element in param_T
    // (0.8's prelu<data_T, res_T, CONFIG_T> has them in data_T).
    d.weightType = requireType(l, l.precisions.count("param") ? "param" : "input");
    d.weights = arrayValues(p, l, "weight", requireField(l, "n_in"));
  } else if (kind.hasWeights) {
    const bool batchNorm = d.kind == LayerKind::BatchNorm;
    if (batchNorm && !l.precisions.count("scale")) d.weightType = requireType(l, "weight");  // hls4ml 0.x
    // The array sizes, from the geometry the schema read (a Dense layer's inputs: n_in).
    long long nWeights = 0, nBiases = 0;
    if (d.kind == LayerKind::Dense) {
      nWeights = requireField(l, "n_in") * d.nOut;
      nBiases = d.nOut;
    } else if (batchNorm) {
      nWeights = nBiases = l.field("n_filt") && integerField(l, "n_filt") ? requireField(l, "n_filt") : requireField(l, "n_in");
    } else if (hls::isDepthwise(d.kind)) {
      // depthwise_conv_1d/2d_cl: weights[filt_height * filt_width * n_chan], biases[n_chan].
      const long long channels = requireField(l, "n_chan");
      nWeights = static_cast<long long>(d.kernelH) * d.kernelW * channels;
      nBiases = channels;
    } else {
      nWeights = static_cast<long long>(d.kernelH) * d.kernelW * requireField(l, "n_chan") * d.nFilters;
      nBiases = d.nFilters;
    }
    d.weights = arrayValues(p, l, "weight", nWeights);
    d.biases = arrayValues(p, l, "bias", nBiases);
    if (d.kind == LayerKind::Dense && d.strategy == hls::Strategy::Resource) {
      // The resource template reads w[j*n_in+i]; the description is input-major.
      const long long nIn = requireField(l, "n_in"), nOut = d.nOut;
      std::vector<float> t(d.weights.size());
      for (long long i = 0; i < nIn; ++i)
        for (long long j = 0; j < nOut; ++j) t[size_t(i * nOut + j)] = d.weights[size_t(j * nIn + i)];
      d.weights.swap(t);
    }
  }
  if (d.kind == LayerKind::Softmax && l.precisions.count("inp_norm") && l.precisions.count("inv_inp")) {
    // hls4ml 1.1's softmax (the project's generation says so too).
    d.inpNormType = requireType(l, "inp_norm");
    d.invInpType = requireType(l, "inv_inp");
    d.accumType = requireType(l, "accum");
    if (const HlsConfigField* f = l.field("exp_scale")) {
      char* end = nullptr;
      d.expScale = std::strtod(f->text.c_str(), &end);
      if (end == f->text.c_str()) throw HlsMetaError(f->pos, "layer " + l.name + ": exp_scale '" + f->text + "' is not a number");
    }
  }
  if (d.kind == LayerKind::Quantize) d.elementTypes = l.elementTypes;
  if (d.kind == LayerKind::Softmax) {
    if (const HlsConfigField* f = l.field("n_slice"); f && f->isInteger && f->value != fieldOr(l, "n_in", f->value))
      throw HlsMetaError(f->pos, "layer " + l.name + ": a softmax over slices of " + std::to_string(f->value) +
                                     " values (n_slice != n_in) is not modelled");
    if (const HlsConfigField* f = l.field("stable"); f && f->isInteger) {
      d.softmaxImpl = f->value != 0 ? hls::SoftmaxImpl::Stable : hls::SoftmaxImpl::Latency;
    } else if (const HlsConfigField* impl = l.field("implementation")) {
      if (impl->text.find("stable") != std::string::npos) d.softmaxImpl = hls::SoftmaxImpl::Stable;
      else if (impl->text.find("latency") != std::string::npos) d.softmaxImpl = hls::SoftmaxImpl::Latency;
      else if (impl->text.find("legacy") != std::string::npos) d.softmaxImpl = hls::SoftmaxImpl::Legacy;
      else if (impl->text.find("argmax") != std::string::npos) d.softmaxImpl = hls::SoftmaxImpl::Argmax;
      else
        throw HlsMetaError(impl->pos, "layer " + l.name + ": softmax implementation '" + impl->text +
                                          "' is not modelled (latency, stable, legacy or argmax)");
    }
  }
}

bool isSeparable(const HlsLayer& l) { return l.kind == "separable_conv_1d_cl" || l.kind == "separable_conv_2d_cl"; }

// separable_conv_1d/2d_cl computes depthwise_conv_Nd_cl<data_T, dw_res_T, depthwise_config> and
// then pointwise_conv_Nd_cl<dw_res_T, res_T, pointwise_config> (a convolution with kernel 1), so it
// imports as two layers: "<name>_depthwise" (result dw_res_T; data_T in hls4ml 0.8, whose template
// has no dw_res_T) and "<name>" (Conv1D/Conv2D, kernel 1). Types, sizes and weights come from the
// nested depthwise_config / pointwise_config and the four arrays of the call.
void readSeparable(const HlsProject& p, const HlsLayer& l, LayerDesc& dw, LayerDesc& pw) {
  const bool is2d = l.kind == "separable_conv_2d_cl";
  const std::string D = "depthwise_config::", P = "pointwise_config::";
  dw.name = l.name + "_depthwise";
  dw.kind = is2d ? LayerKind::DepthwiseConv2D : LayerKind::DepthwiseConv1D;
  pw.name = l.name;
  pw.kind = is2d ? LayerKind::Conv2D : LayerKind::Conv1D;
  const long long channels = requireField(l, D + "n_chan");
  if (requireField(l, D + "n_filt") != channels)
    throw HlsMetaError(l.call, "layer " + l.name + ": a depthwise convolution with n_filt != n_chan (depth multiplier other than 1) is not modelled");
  // Each half's geometry, reuse and types through its kind's schema, in its nested config.
  readSchemaFields(l, dw, D);
  readSchemaFields(l, pw, P);
  if (pw.kernelW != 1 || pw.kernelH != 1)
    throw HlsMetaError(l.call, "layer " + l.name + ": the pointwise half of a separable convolution must have a 1-wide kernel");
  dw.resultType = l.precisions.count("depthwise_result") ? requireType(l, "depthwise_result") : requireType(l, "input");
  pw.resultType = requireType(l, "result");
  for (auto [d, prefix] : {std::pair<LayerDesc*, std::string>{&dw, D}, {&pw, P}}) {
    if (const long long rf = fieldOr(l, prefix + "reuse_factor", 0); rf >= 1) d->reuseFactor = static_cast<int>(rf);
    if (const HlsConfigField* f = l.field(prefix + "strategy"))
      d->strategy = f->text.find("resource") != std::string::npos ? hls::Strategy::Resource : hls::Strategy::Latency;
  }
  const long long filters = pw.nFilters;
  dw.weights = arrayValues(p, l, "depthwise_weight", dw.kernelH * dw.kernelW * channels);
  dw.biases = arrayValues(p, l, "depthwise_bias", channels);
  pw.weights = arrayValues(p, l, "pointwise_weight", channels * filters);
  pw.biases = arrayValues(p, l, "pointwise_bias", filters);
}

// Which layer of the project a resolve() message is about ("layer 3 ('fc2', Dense): ...").
const HlsLayer* layerNamedIn(const HlsProject& p, const std::string& message) {
  for (const HlsLayer& l : p.layers)
    if (message.find("('" + l.name + "'") != std::string::npos) return &l;
  return nullptr;
}

}  // namespace

const std::vector<std::string>& importableLayerKinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> v;
    for (const hls::LayerKindInfo* k : hls::allLayerKinds())
      for (const std::string& f : k->nnetCalls)
        if (std::find(v.begin(), v.end(), f) == v.end()) v.push_back(f);
    v.push_back("HGQ per-element quantizers");
    return v;
  }();
  return kinds;
}

// The layers of a graph: each layer's inputs are the layers writing the data it reads (through
// clone_stream copies), or the top's input parameter. A chain (every layer reading the one
// before) keeps empty inputs. Reading data nothing writes, or data written only later, is an
// error at the call.
void connectLayers(const HlsProject& p, hls::NetworkDesc& desc, const std::vector<const HlsLayer*>& sources) {
  std::map<std::string, size_t> writer;  // data -> index into desc.layers
  for (size_t k = 0; k < sources.size(); ++k)
    if (!sources[k]->writesVar.empty() && (k + 1 == sources.size() || sources[k + 1] != sources[k])) writer[sources[k]->writesVar] = k;
  auto original = [&](std::string v) {
    for (int hops = 0; p.streamCopies.count(v) && hops < 64; ++hops) v = p.streamCopies.at(v);
    return v;
  };
  // The network input: what the first layer reads.
  const std::string input = sources.empty() || sources.front()->readsVars.empty() ? "" : original(sources.front()->readsVars.front());
  std::vector<std::vector<std::string>> inputs(desc.layers.size());
  bool chain = true;
  for (size_t k = 0; k < desc.layers.size(); ++k) {
    if (k > 0 && sources[k] == sources[k - 1]) {  // the second half of a separable convolution
      inputs[k] = {desc.layers[k - 1].name};
      continue;
    }
    const HlsLayer& l = *sources[k];
    for (const std::string& read : l.readsVars) {
      const std::string v = original(read);
      const auto w = writer.find(v);
      if (w != writer.end()) {
        if (w->second >= k)
          throw HlsMetaError(l.call, "layer " + l.name + " reads " + v + ", which " + desc.layers[w->second].name +
                                         " writes later (a cycle, or calls out of order)");
        inputs[k].push_back(desc.layers[w->second].name);
        chain = chain && w->second + 1 == k;
        continue;
      }
      if (v != input)
        throw HlsMetaError(l.call, "layer " + l.name + " reads " + v + ", which no layer writes and which is not the network input");
      inputs[k].push_back(hls::NetworkDesc::kInputName);
      chain = chain && k == 0;
    }
    if (inputs[k].size() != 1) chain = false;
  }
  if (chain) return;
  for (size_t k = 0; k < desc.layers.size(); ++k) desc.layers[k].inputs = inputs[k];
}

hls::NetworkDesc networkFromProject(const HlsProject& p) {
  if (p.layers.empty())
    throw HlsMetaError(p.topPos, "top function " + p.topFunction + " calls no layers (nnet:: templates with a config struct, or layer functions)");
  hls::NetworkDesc desc;
  desc.name = p.topFunction;
  // The arithmetic of the templates the project ships (hls4ml 0.8, 1.0 or 1.1).
  const std::string nnetUtils = p.dir + "/firmware/nnet_utils";
  if (std::ifstream(nnetUtils + "/nnet_pooling.h") && std::ifstream(nnetUtils + "/nnet_activation.h")) {
    try {
      desc.generation = hls::detectTemplateGeneration(nnetUtils);
    } catch (const std::exception& e) {
      throw HlsMetaError(SourcePos{"firmware/nnet_utils", 0, 0}, e.what());
    }
  }
  for (const HlsPragma& pr : p.pragmas)
    if (pr.function == p.topFunction && pr.directive == "DATAFLOW") desc.ioType = hls::IOType::Stream;

  std::vector<const HlsLayer*> sources;  // parallel to desc.layers
  for (const HlsLayer& l : p.layers) {
    if (isSeparable(l)) {
      LayerDesc dw, pw;
      readSeparable(p, l, dw, pw);
      desc.layers.push_back(std::move(dw));
      desc.layers.push_back(std::move(pw));
      sources.push_back(&l);
      sources.push_back(&l);
      continue;
    }
    LayerDesc d;
    d.name = l.name;
    d.kind = kindOf(l);
    readLayerValues(p, l, d);
    desc.layers.push_back(std::move(d));
    sources.push_back(&l);
  }

  connectLayers(p, desc, sources);

  // The network's input: the first layer's input type and geometry.
  const HlsLayer& first = *sources.front();
  desc.inputType = requireType(first, "input");
  // The first call's sizes (a separable convolution has them in its depthwise_config).
  readInputShape(first, desc.layers.front(), isSeparable(first) ? "depthwise_config::" : "", desc);

  try {
    desc.resolve();
  } catch (const std::invalid_argument& e) {
    const HlsLayer* l = layerNamedIn(p, e.what());
    throw HlsMetaError(l ? l->call : p.topPos, std::string("the layers do not form a network mmlc can model: ") + e.what());
  }
  // Descriptions the project's own templates cannot compute (the vendor library has no result to
  // reproduce) are refused at the layer.
  for (const std::string& issue : desc.templateIssues()) {
    const HlsLayer* l = layerNamedIn(p, issue);
    throw HlsMetaError(l ? l->call : p.topPos, std::string("the project's ") + hls::templateGenerationName(desc.generation) +
                                                   " templates cannot compute this: " + issue);
  }
  // The config structs must agree with the chained shapes (the templates trust them).
  for (size_t k = 0; k < desc.layers.size(); ++k) {
    const LayerDesc& d = desc.layers[k];
    const HlsLayer& l = *sources[k];
    // The halves of a separable convolution check their own nested config.
    const std::string prefix = !isSeparable(l) ? "" : hls::isDepthwise(d.kind) ? "depthwise_config::" : "pointwise_config::";
    for (const hls::ConfigField& f : hls::kindInfo(d.kind).configFields) {
      if (f.read != hls::FieldRead::Size || !appliesTo(f, l)) continue;
      const long long want = resolvedSize(d, f.size);
      if (const HlsConfigField* v = integerField(l, prefix + f.name); v && v->value != want)
        throw HlsMetaError(v->pos, "layer " + l.name + ": " + prefix + f.name + " is " + std::to_string(v->value) +
                                       " but the previous layer gives " + std::to_string(want));
    }
  }
  return desc;
}

void syncNetworkWithProject(hls::NetworkDesc& desc, const HlsProject& p) {
  desc.name = p.topFunction;
  if (!p.layers.empty())
    if (const hls::FixedType* t = typeOf(p.layers.front(), "input")) desc.inputType = *t;
  for (size_t k = 0; k < desc.layers.size(); ++k) {
    LayerDesc& d = desc.layers[k];
    const HlsLayer* l = p.layer(d.name);
    if (l && isSeparable(*l)) {  // "<name>_depthwise" precedes it
      if (k == 0 || desc.layers[k - 1].name != l->name + "_depthwise")
        throw HlsMetaError(l->call, "layer " + l->name + ": the model has no depthwise half of this separable convolution");
      LayerDesc dw = desc.layers[k - 1], pw = d;
      readSeparable(p, *l, dw, pw);
      desc.layers[k - 1] = std::move(dw);
      d = std::move(pw);
      continue;
    }
    if (!l && d.name.size() > 10 && d.name.compare(d.name.size() - 10, 10, "_depthwise") == 0)
      if (const HlsLayer* s = p.layer(d.name.substr(0, d.name.size() - 10)); s && isSeparable(*s)) continue;  // read with its call
    if (!l) {
      if (d.kind == LayerKind::Flatten) continue;  // io_parallel: a Flatten is no call
      p.requireLayer(d.name);                      // throws, listing the project's layers
    }
    readLayerValues(p, *l, d);
  }
  try {
    desc.resolve();
  } catch (const std::invalid_argument& e) {
    throw HlsMetaError(p.topPos, std::string("the rewritten project no longer matches its model: ") + e.what());
  }
}

}  // namespace mmlc::meta
