// C simulation of an HLS project with its own code (its nnet_utils, its ap_types, its weights
// files), compared sample by sample and layer by layer with mmlc's bit-exact simulator.
// Plain interface: no Clang headers.
#pragma once

#include <string>
#include <vector>

#include "hls/NetworkDesc.h"
#include "hls/OutputScoring.h"
#include "meta/HlsProject.h"

namespace mmlc::meta {

struct ProjectCSimOptions {
  std::string compiler = "g++";  // any g++/clang++ compatible driver
  // ap types: empty = $MMLC_AP_TYPES_DIR, else the project's firmware/ap_types, else mmlc's own.
  // Always included with -isystem: vendor headers warn, and their warnings are not the project's.
  std::string apTypesDir;
  std::vector<std::string> extraFlags;
  std::string top;  // top function; empty: detected as readHlsProject does
};

struct ProjectCSimResult {
  size_t samples = 0;
  size_t mismatches = 0;  // samples whose outputs differ from the simulator in any element
  // The first mismatch: sample, the first layer (in network order) whose output differs, the
  // element and both values. The layer is empty when every traced layer agrees but the outputs do not.
  long firstMismatchSample = -1;
  std::string firstMismatchLayer;
  long firstMismatchElement = -1;
  double csimValue = 0.0, simValue = 0.0;
  std::string mismatchReport;  // one line, empty when bit-exact
  double csimAccuracy = -1.0, simAccuracy = -1.0;  // by the scoring rule (argmax) against labels, when given
  double compileSeconds = 0.0, csimSeconds = 0.0, simSeconds = 0.0;
};

// Prepares `workDir` as a copy of the project whose top file traces every layer's output, plus a
// driver (mmlc_csim_main.cpp) that calls the top function (a VivadoAccelerator project's AXI
// wrapper, whose port conversions run() applies to the simulator's inputs and outputs too) on samples read from a file and writes
// the outputs exactly (hexadecimal floating point); compiles it once. The project's own weights
// loading (load_weights_from_txt, WEIGHTS_DIR) reads from the copy's firmware/weights.
// Throws HlsMetaError for a project it cannot drive (located), std::runtime_error with the
// compiler's output when the build fails.
class ProjectCSim {
 public:
  ProjectCSim(const std::string& projectDir, const std::string& workDir, ProjectCSimOptions options = {});

  // Runs the compiled simulation on n samples (n x inputSize floats, the network's input order)
  // and compares every output with hls::NetworkSim of `desc`; on a mismatch, re-runs the first
  // mismatching sample with tracing and names the first layer that differs.
  ProjectCSimResult run(const hls::NetworkDesc& desc, const std::vector<float>& inputs,
                        const std::vector<int>* labels = nullptr, const hls::OutputScoring& scoring = {}) const;

  // The raw C-simulation outputs of n samples (one row per sample).
  std::vector<std::vector<double>> execute(const std::vector<float>& inputs, size_t inputSize,
                                           const std::string& traceFile = "") const;

  double compileSeconds() const { return compileSeconds_; }
  const std::string& workDir() const { return workDir_; }

 private:
  std::string workDir_;
  ProjectCSimOptions options_;
  double compileSeconds_ = 0.0;
  HlsAxiWrapper axi_;  // the VivadoAccelerator wrapper the driver calls, when the project has one
};

}  // namespace mmlc::meta
