// One descriptor per layer kind: its names, hls4ml function and config struct, flags, and the
// hooks every part of the HLS backend calls (simulation, float reference, emission, estimation
// routing, import). Descriptors live in runtime/hls/layers/<Kind>.cpp; docs/layer-kinds.md says
// how to add one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hls/FixedPointSim.h"
#include "hls/NetworkDesc.h"
#include "hls/TemplateConversions.h"

namespace mmlc::hls {

// ---- Simulation (bit-exact, on mantissas) ----------------------------------------------------

// What NetworkSim prepares once per layer (quantised parameters and lookup tables).
struct PreparedLayer {
  std::vector<Raw> weights;             // quantised weights (layout of LayerDesc::weights)
  std::vector<std::int32_t> weights32;  // the same, when products fit 32 bits (faster kernel)
  std::vector<Raw> biasAccum;           // biases cast to the accumulator type
  std::vector<Raw> biases;              // biases in biasType (batch-norm shift)
  std::vector<Raw> table;               // sigmoid/tanh table, or softmax exp table
  std::vector<Raw> table2;              // softmax inverse table
  std::vector<std::pair<int, int>> resourceOrder;  // (input, output) visit order of dense_resource
  bool fastWrap = false;                // accumulator wraps: sums can be reordered and wrapped once
};

// Per-thread buffers of one forward pass.
struct SimScratch {
  std::vector<std::uint64_t> acc;
  std::vector<std::uint32_t> acc32;
  std::vector<std::int32_t> x32;
  std::vector<Raw> accSat;
  std::vector<Raw> column;  // im2col patch of a convolution, a pooling window
  std::vector<Raw> expRes;
  std::vector<Raw> bufA, bufB;
};

// One layer as the simulator sees it.
struct SimLayer {
  const LayerDesc& l;
  const FixedType& in;  // type of the values entering the layer
  const NetworkDesc& net;
};

// ---- Float reference (range analysis of QUANTIZATION) ----------------------------------------

// What a float forward pass of one layer records: the largest accumulator magnitude (every
// partial sum in the template's order when `partialSums`, else the final sums) in `accumAbs`;
// `peak` and `patch` are per-call buffers.
struct RangeProbe {
  bool partialSums = false;
  double accumAbs = 0;
  std::vector<double> patch, peak;
};

// ---- Emission -------------------------------------------------------------------------------

// One layer as the emitter sees it: the C names around it (parameters.h, defines.h, the top).
struct EmitLayer {
  const LayerDesc& l;
  const NetworkDesc& net;
  size_t index;
  std::string inType, outType;  // data_T and res_T of the call ("input_t", "fc1_t")
  const FixedType& in;          // the input's fixed-point type
  bool unrolledDense = false;   // a Dense layer emitted as straight-line code (EmitOptions)
};

// ---- The descriptor ------------------------------------------------------------------------

// Which analytic estimator routine costs a kind (ResourceEstimator's analytic model); the
// calibrated model classes kinds in LayerModel.cpp (layerClassOf).
enum class EstimateFamily { Mac, Activation, Other };

// What the search may assume about the sign of a kind's results (QUANTIZATION's result types).
enum class ResultSign { Any, NonNegative, AsInput };

// How hls_import reads a config field back (the emitter writes the same names: one schema).
enum class FieldRead : unsigned char {
  Written,  // written for the template, derived from the description (n_zeros, out_width, in_frac): not read
  Size,     // a size the chained shapes fix (`size`): checked against them after resolve; the first
            // layer's give the network's input shape
  Count,    // an integer into `count` (geometry, table entries)
  Number,   // a real constant into `number` (clip bounds, slope, shift); with `type`, the constant's
            // ap type (as declared, or the typedef <name>_t)
  Type,     // a typedef <role>_t: the role's ap type into `type`
  Keyword,  // interpreted by the importer: reuse_factor and strategy of every kind, pool_type
            // (max or average pooling), softmax's stable/implementation
};
// Which size of the layer's input (or output) a Size field states.
enum class FieldSize : unsigned char { Elements, Rows, Columns, Channels, OutputColumns };
// Which calls have the field: hls4ml's one-dimensional functions ("1d" in the name:
// conv_1d_cl, pooling1d_cl, ...) have no row fields and some have their own.
enum class FieldDims : unsigned char { Any, TwoD, OneD };

// One field of an nnet config struct: the name hls4ml gives it, what it holds, and how the
// importer reads it back into a LayerDesc.
struct ConfigField {
  const char* name;     // "n_in", "reuse_factor", "table_t"
  const char* meaning;  // docs and diagnostics
  FieldRead read = FieldRead::Written;
  FieldDims dims = FieldDims::Any;
  bool required = false;                      // a config without it is an import error naming the field
  FieldSize size = FieldSize::Elements;       // Size
  int LayerDesc::*count = nullptr;            // Count
  int LayerDesc::*countFallback = nullptr;    // Count without the field: that member's value (pool strides: the window)
  double LayerDesc::*number = nullptr;        // Number
  FixedType LayerDesc::*type = nullptr;       // Type; Number: the constant's type
  bool importOnly = false;                    // hls4ml writes it, mmlc's emitter does not (1.1's exp_table_size)
};
// The same field, marked as one only hls4ml's projects have.
inline ConfigField importOnly(ConfigField f) {
  f.importOnly = true;
  return f;
}

// Schema entries (a plain {name, meaning} is a Written field).
ConfigField sizeField(const char* name, const char* meaning, FieldSize size, FieldDims dims = FieldDims::Any, bool required = true);
ConfigField countField(const char* name, const char* meaning, int LayerDesc::*count, bool required, FieldDims dims = FieldDims::Any,
                       int LayerDesc::*fallback = nullptr);
ConfigField numberField(const char* name, const char* meaning, double LayerDesc::*number, FixedType LayerDesc::*type = nullptr);
ConfigField typeField(const char* name, const char* meaning, FixedType LayerDesc::*type, bool required);
ConfigField keywordField(const char* name, const char* meaning);
// The fields every config of a weighted MAC layer has: accum_t, bias_t, weight_t (required).
std::vector<ConfigField> macTypeFields();
// A convolution's geometry: input sizes, kernel, filters, strides, padding, output sizes.
std::vector<ConfigField> convGeometryFields(const char* filtersMeaning);
// hls4ml's hard_activ_config (hard_tanh, hard_sigmoid): slope and shift with their types.
std::vector<ConfigField> hardActivationFields();

// A scalar the call passes between its data arguments (leaky_relu's and elu's alpha): what
// hls_import reads from the call (value nullptr: the call passes none).
struct CallParam {
  const char* name = "";
  double LayerDesc::*value = nullptr;
  FixedType LayerDesc::*type = nullptr;  // param_t of the call
  bool required = true;                  // false: the call may omit it (elu(data, res))...
  double fallback = 0;                   // ... and then computes with this value
  FixedType fallbackType;                // ... in this type (without param_t)
  bool inputTypeWithoutParamT = false;   // hls4ml 0.x passes it as data_T (leaky_relu)
};

struct LayerKindInfo {
  LayerKind kind;
  const char* name;     // mmlc's name (layerKindName): diagnostics, reports, calibration rows
  const char* nnKind;   // the DNN engine's LayerSpec kind, model files, ONNX/Keras class ("" none)
  const char* mmlName;  // the spelling of an activation in .mml parameters ("relu"; "" none)
  std::vector<std::string> nnetCalls;    // hls4ml functions that compute this kind (the importer lists them)
  std::vector<std::string> nnetAliases;  // other spellings it also imports (older or internal functions)
  const char* configStruct;            // nnet config base ("dense_config"; "" none)
  std::vector<ConfigField> configFields;  // the config struct's fields (emitter and importer)
  CallParam callParam;                    // a scalar argument of the call (importer)
  // The engine's LayerSpec parameters alpha and beta as LayerDesc members (nn -> hls: ELU's alpha,
  // HardSigmoid's slope and shift, Clip's bounds; nullptr: not carried), and constants hls4ml's
  // template has built in (SELU's alpha and gamma; 0: none): an engine layer with others is refused.
  double LayerDesc::*engineAlpha = nullptr;
  double LayerDesc::*engineBeta = nullptr;
  double builtInAlpha = 0, builtInBeta = 0;
  bool hasWeights = false;    // a weight array (batch-norm: scale; PReLU: slopes) in weightType
  bool hasBias = true;        // with hasWeights: also a bias array in biasType (PReLU has none)
  const char* weightPrefix = "w_";  // the weight array's name prefix (batch-norm: "s_", PReLU "a_"; biases "b_")
  bool isMac = false;         // multiply-accumulate: weight, bias and accum types, partial sums
  bool isActivation = false;  // hls4ml Activation / Softmax layer: keeps the shape
  bool hasTable = false;      // lookup tables of tableSize entries (a power of two)
  bool hasPoolAccum = false;  // pooling: accum_t holds the window maximum or running sum
  bool reshapeOnly = false;   // no arithmetic and no type of its own (Flatten in io_parallel)
  bool keepsInputType = false;  // a copy whose template has one data_T for input and result
                                // (resize_nearest): the result type is the input's, no search slot
  bool streamCall = false;    // io_stream: the call itself reads and writes streams of per-pixel
                              // packets (line buffers, or one packet at a time for channel-local kinds;
                              // its template arguments are the packet types);
                              // otherwise the process buffers the whole input and calls the array form
  bool isMerge = false;       // reads two inputs (LayerDesc::inputs): the hooks get both, one after
                              // the other; emitCall's `in` and EmitLayer::inType list both ("a, b")
  ResultSign resultSign = ResultSign::Any;
  EstimateFamily estimate = EstimateFamily::Other;
  // The rounding conversions its template performs (TemplateConversions.h): emission and
  // QUANTIZATION refuse or widen what the vendor's ap_fixed cannot convert. None: the types
  // come from an imported project as they are (global average pooling, hard tanh, quantizers).
  LayerTypes::Template conversions = LayerTypes::Template::None;

  // Quantised parameters and tables of the layer (may leave `p` empty).
  void (*prepare)(const SimLayer& s, PreparedLayer& p) = nullptr;
  // Bit-exact forward pass of one sample: `in` holds inputSize() mantissas of s.in, `out`
  // receives outputSize() mantissas of the result type.
  void (*simulate)(const SimLayer& s, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch& scratch) = nullptr;
  // Double-precision forward pass of one sample (same layouts), recording accumulator ranges.
  void (*reference)(const LayerDesc& l, const double* in, double* out, RangeProbe& r) = nullptr;
  // Emission: the config struct for parameters.h, the extra typedefs for defines.h and the call
  // (nullptr when mmlc does not emit the kind: `notEmitted` then says why).
  std::string (*emitConfig)(const EmitLayer& e) = nullptr;
  std::string (*emitTypedefs)(const EmitLayer& e) = nullptr;
  std::string (*emitCall)(const EmitLayer& e, const std::string& in, const std::string& out) = nullptr;
  const char* notEmitted = "";
};

// The descriptor of a kind (every LayerKind has one; the registry test checks).
const LayerKindInfo& kindInfo(LayerKind k);
// Every descriptor, in LayerKind order.
const std::vector<const LayerKindInfo*>& allLayerKinds();
// The kind whose nnKind is `nnKind` ("BatchNormalization"), or nullptr.
const LayerKindInfo* kindByNnName(const std::string& nnKind);
// The kind whose mmlName is `mmlName` ("relu"), or nullptr.
const LayerKindInfo* kindByMmlName(const std::string& mmlName);
// The kinds an hls4ml call may compute (pooling functions compute four kinds), in LayerKind order.
std::vector<const LayerKindInfo*> kindsByNnetCall(const std::string& function);
// Number of LayerKind values (the enum is dense from 0).
constexpr int kLayerKindCount = static_cast<int>(LayerKind::Flatten) + 1;

// "  static const unsigned name = v;\n", the config field spelling the emitter writes.
std::string configUnsigned(const std::string& name, long long v);

}  // namespace mmlc::hls
