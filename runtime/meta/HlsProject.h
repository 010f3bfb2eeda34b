// Queryable model of an hls4ml-layout HLS C++ project (top function, layer calls, config structs,
// precisions, weight arrays, HLS pragmas), read with Clang. Plain structs only: no Clang header
// leaks out of runtime/meta, so code that merely queries projects does not depend on Clang.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "hls/FixedType.h"

namespace mmlc::meta {

// A place in a project file; `file` is relative to the project directory when inside it.
struct SourcePos {
  std::string file;
  unsigned line = 0, column = 0;
  std::string str() const;  // "firmware/parameters.h:12:3" (just the file when line is 0, no column when it is 0)
};

// Every user-facing failure (not a project, C++ that does not parse, unknown layer, a rewrite
// that cannot be applied) is reported as this exception; what() starts with "file:line: ".
class HlsMetaError : public std::runtime_error {
 public:
  HlsMetaError(SourcePos pos, const std::string& message);
  const SourcePos& pos() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  SourcePos pos_;
  std::string message_;
};

// The precision one layer uses in one role. typedefChain is the typedef names from the one the
// layer refers to down to the one spelling the ap type, e.g. {"config2::weight_t", "weight2_t"}.
struct HlsPrecision {
  std::string spelled;                   // the ap type as written, e.g. "ap_fixed<16,6>"
  hls::FixedType type;                   // parsed from the AST's template arguments
  bool known = false;                    // false when the type is not an ap_fixed/ap_int specialisation
  std::vector<std::string> typedefChain;
  SourcePos pos;                         // where the ap type is spelled
};

// One static member of a config struct (`static const unsigned reuse_factor = 1;`).
struct HlsConfigField {
  std::string name;
  std::string text;        // initialiser as written
  long long value = 0;     // its value, when it is an integer constant
  bool isInteger = false;
  hls::FixedType type;     // its declared type, when that is an ap type (hard_tanh's slope_t slope)
  bool isFixed = false;
  SourcePos pos;
};

struct HlsLayer {
  std::string name;         // output variable without "_out", e.g. "layer2", "fc2"
  int index = 0;            // position in the top function
  std::string function;     // callee, e.g. "nnet::dense" or "dense_fc2" (an unrolled project function)
  std::string kind;         // "dense", "relu", "softmax", "conv_2d_cl", ...
  std::string configStruct; // e.g. "config2"; empty for layers without one
  std::vector<HlsConfigField> config;
  // Convenience copies of the usual config fields (-1 when the struct has no such field).
  long long nIn = -1, nOut = -1, reuseFactor = -1, nZeros = -1;
  std::string strategy;     // "latency" / "resource" / "" (no strategy field)
  // Roles: "input", "result", and each config typedef without its "_t" ("weight", "bias",
  // "accum", "table", "exp_table", ...).
  std::map<std::string, HlsPrecision> precisions;
  std::vector<std::string> weightArrays;  // weights first, then biases (names of the C arrays)
  bool unrolledFunction = false;          // the call is a project function, not an nnet template
  std::string inputVar, outputVar;        // the arrays/streams the call reads and writes
  // What connects the layers of a graph: the data the layer reads (a merge: two) and writes in the
  // top function (an io_stream process: its arguments there, the last one written).
  std::vector<std::string> readsVars;
  std::string writesVar;
  bool streamIO = false;                  // they are hls::stream objects (io_stream)
  // A scalar parameter passed to the call (leaky_relu's alpha): its text; hasParam when present.
  std::string paramText;
  double paramValue = 0.0;
  bool hasParam = false;
  // A per-element quantizer without a config struct (HGQ's generated `out[i] = T_i(inp[i]);`
  // functions, kind "quantize"): one type per element; width 0 stands for `out[i] = 0;`.
  std::vector<hls::FixedType> elementTypes;
  SourcePos call;

  const HlsConfigField* field(const std::string& name) const;
};

struct HlsWeightArray {
  std::string name;        // C array, e.g. "w2"
  std::string elementType; // as declared, e.g. "weight2_t"
  long long size = 0;
  std::string role;        // "weight" / "bias" (from the layer call using it)
  std::string layer;
  std::vector<double> values;  // the values C simulation uses (empty when none were found)
  // The text file the project loads the array from at C-simulation time
  // (`nnet::load_weights_from_txt<T, N>(w2, "w2.txt")`, relative to the project: firmware/weights/w2.txt);
  // empty when the values are compiled in. When set, `values` come from it.
  std::string textFile;
  SourcePos pos;           // the declaration
};

// An HLS pragma, written either `#pragma HLS ...` or `MMLC_HLS_PRAGMA(HLS ...)` (mmlc's form, which
// only expands under __SYNTHESIS__ so that host builds stay warning-free).
struct HlsPragma {
  std::string directive;  // upper-case first word: "PIPELINE", "UNROLL", "ARRAY_PARTITION", ...
  std::string text;       // normalised: "PIPELINE II=1", "ARRAY_PARTITION variable=acc complete"
  std::map<std::string, std::string> options;  // "II" -> "1", "variable" -> "acc", "complete" -> ""
  std::string function;   // enclosing function ("" at file scope)
  std::string loop;       // enclosing loop: its label, or "#k" (k-th loop of the function in
                          // source order, from 0); "" when directly in the function body
  bool macroForm = false;
  SourcePos pos;
};

// A loop of a project function, for targeting pragma rewrites.
struct HlsLoop {
  std::string function;
  std::string id;  // label, or "#k"
  SourcePos pos;
};

// hls4ml's VivadoAccelerator backend wraps the network function in <top>_axi
// (firmware/<top>_axi.cpp) whose AXI ports carry float, double or ap_fixed values; the port
// conversions (to the network's input type, from its output type) are part of what the design computes.
struct HlsAxiWrapper {
  std::string function;   // e.g. "myproject_axi"; empty when the project has no wrapper
  std::string file;       // e.g. "firmware/myproject_axi.cpp"
  SourcePos pos;
  std::string interface;  // "axi_stream", "axi_lite", "axi_master" (INTERFACE pragmas); "" when none
  std::string inputElement, outputElement;  // the ports' element types as written, e.g. "input_axi_t"
  bool packets = false;   // axi_stream packets: the value is the element's `data` member
  long long inputSize = 0, outputSize = 0;  // elements of the port arrays
  // The value a port carries: known (an ap type) or spelled "float"/"double".
  HlsPrecision inputValue, outputValue;
  bool present() const { return !function.empty(); }
};

struct HlsProject {
  std::string dir;          // as given
  std::string topFunction;
  std::string topFile;      // e.g. "firmware/myproject.cpp"
  SourcePos topPos;
  std::vector<HlsLayer> layers;
  std::vector<HlsWeightArray> weights;
  std::vector<HlsPragma> pragmas;
  std::vector<HlsLoop> loops;
  std::vector<std::string> functions;  // functions defined in project files (not in ap_types)
  // io_stream: the copies nnet::clone_stream makes of a stream read by several layers (copy ->
  // the stream copied).
  std::map<std::string, std::string> streamCopies;
  HlsAxiWrapper axiWrapper;  // VivadoAccelerator projects
  double parseMs = 0.0;

  const HlsLayer* layer(const std::string& name) const;  // nullptr if absent
  // Throws HlsMetaError naming the top function's position and the known layers.
  const HlsLayer& requireLayer(const std::string& name) const;
  const HlsWeightArray* weightArray(const std::string& name) const;
  std::vector<const HlsPragma*> pragmasIn(const std::string& function, const std::string& loop) const;

  std::string toJson() const;   // the whole model, stable key order
  std::string toTable() const;  // human-readable summary: layers, precisions, reuse, pragmas
};

struct ReadOptions {
  // The top function's name; empty: detected (the function named like its firmware/<stem>.cpp,
  // else the only non-static function there). When set, firmware/<top>.cpp is preferred as the
  // top file and a missing function of that name is an error.
  std::string top;
  // Extra include directories searched before the project's own ap_types (e.g. vendor headers).
  std::vector<std::string> includeDirs;
  std::vector<std::string> extraArgs;  // extra compiler arguments (e.g. -DFOO)
  bool readWeightValues = true;
};

// Reads DIR (the folder holding firmware/). Throws HlsMetaError for a folder that is not an HLS
// project, C++ that does not parse (first error's file:line and Clang's message), or a top
// function whose layer calls cannot be understood.
HlsProject readHlsProject(const std::string& dir, const ReadOptions& options = {});

// The same as an object, for callers that read many projects with one set of options.
class HlsProjectReader {
 public:
  explicit HlsProjectReader(ReadOptions options = {}) : options_(std::move(options)) {}
  HlsProject read(const std::string& dir) const { return readHlsProject(dir, options_); }

 private:
  ReadOptions options_;
};

}  // namespace mmlc::meta
