// Writes an hls4ml-layout HLS C++ project for a NetworkDesc: firmware/<top>.cpp/.h, defines.h,
// parameters.h (one config struct per layer), weights/*.h + .txt, our nnet_utils templates and
// ap_types, a testbench reading tb_data/, and build_prj.tcl for Vivado/Vitis HLS.
#pragma once

#include <string>
#include <vector>

#include "hls/LayerKinds.h"
#include "hls/NetworkDesc.h"

namespace mmlc::hls {

// Where the template library (ap_types + nnet_utils) lives: $MMLC_HLS_TEMPLATES if set, else
// the source folder compiled into the library.
std::string hlsTemplateDir();

struct EmitOptions {
  std::string templateDir;        // empty: hlsTemplateDir()
  bool copyApTypes = true;        // firmware/ap_types/ with our ap_fixed.h (unused when vendor headers are on the path)
  std::vector<float> tbInputs;    // optional rows for tb_data/tb_input_features.dat (n x inputSize)
  // Dense layers with the latency strategy, reuse factor 1 and at most this many weights are
  // emitted as straight-line code with one term per non-zero quantised weight (0: never).
  long unrollDenseLimit = 4096;
};

class HlsProjectEmitter {
 public:
  HlsProjectEmitter(NetworkDesc net, EmitOptions options = {});

  // Writes the whole project into outDir (created if needed). Throws std::runtime_error on I/O errors.
  void emit(const std::string& outDir) const;

  // Individual files, exposed for tests.
  std::string definesHeader() const;
  std::string parametersHeader() const;
  std::string topHeader() const;
  std::string topSource() const;
  std::string testbench() const;
  std::string buildTcl() const;
  std::string csimBuildScript() const;

  const NetworkDesc& desc() const { return net_; }
  // C++ name of layer k's output array and type.
  std::string outputVar(size_t k) const;
  std::string resultTypeName(size_t k) const;

 private:
  // The config struct, typedefs and call of each layer come from its kind's descriptor
  // (hls/LayerKinds.h, runtime/hls/layers); the straight-line Dense function is the emitter's.
  EmitLayer emitLayer(size_t k) const;
  std::string emitDenseUnrolled(size_t k) const;  // function definition for the top .cpp
  bool isUnrolledDense(size_t k) const;
  std::string layerConfig(size_t k) const;
  std::string layerCall(size_t k) const;                 // io_parallel: array declaration + call + trace
  std::string kernelCall(size_t k, const std::string& in, const std::string& out) const;
  std::string emitStreamLayer(size_t k) const;           // io_stream: one dataflow process per layer
  std::string streamType(size_t k) const;                // hls::stream type of layer k's output
  std::string topSignature() const;
  // Input j of layer k: its C type and variable (graphs: the producer's; -1 the network input).
  std::string inputTypeName(size_t k, size_t j = 0) const;
  std::string inputVar(size_t k, size_t j = 0) const;
  std::string sourceTypeName(int source) const;
  std::string sourceVar(int source) const;
  // Every input of layer k, comma-separated in order (a merge reads two).
  std::string inputVars(size_t k) const;
  std::string inputTypeNames(size_t k) const;
  // io_stream: the packet type of a source's stream, and the stream layer k reads as input j
  // (the producer's, or its clone when several layers read it).
  std::string packetType(int source) const;
  std::string streamFor(size_t k, size_t j) const;
  std::string emitClones(int source) const;  // the clone_stream calls of a source read by several layers
  // weights header with a C array initialised from the float values (exact %.17g literals).
  std::string weightsHeader(const std::string& type, const std::string& var, const std::vector<float>& values) const;
  std::vector<float> emittedWeights(size_t k) const;  // layout the template expects
  bool hasWeights(size_t k) const;

  NetworkDesc net_;
  EmitOptions options_;
};

}  // namespace mmlc::hls
