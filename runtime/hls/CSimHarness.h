// C simulation of an emitted HLS project: compile it with a host C++ compiler, run it on a data
// set and compare every output with the bit-exact NetworkSim, locating the first mismatch by
// layer and sample.
#pragma once

#include <string>
#include <vector>

#include "hls/NetworkDesc.h"

namespace mmlc::hls {

struct CSimOptions {
  std::string compiler = "g++";           // any g++/clang++ compatible driver
  std::vector<std::string> extraFlags;    // e.g. {"-O0"}
  std::string apTypesDir;                 // vendor ap_types include dir; empty: ours, or $MMLC_AP_TYPES_DIR
  bool werror = true;                     // compile with -Wall -Wextra -Werror
  bool emitProject = true;                // false: reuse the project already in workDir
};

struct CSimResult {
  size_t samples = 0;
  size_t bitExactSamples = 0;
  double bitExactFraction = 0.0;
  // First mismatch (if any): sample index, layer name, element, emitted and simulated values.
  long firstMismatchSample = -1;
  std::string firstMismatchLayer;
  long firstMismatchElement = -1;
  double csimValue = 0.0, simValue = 0.0;
  std::string mismatchReport;  // human-readable summary, empty when bit-exact
  // Accuracy of the C simulation's argmax against labels (if given), and of the simulator.
  double csimAccuracy = -1.0, simAccuracy = -1.0;
  double compileSeconds = 0.0, csimSeconds = 0.0, simSeconds = 0.0;
};

class CSimHarness {
 public:
  explicit CSimHarness(NetworkDesc net, CSimOptions options = {});

  // Emits the project into workDir, compiles and runs it on `inputs` (n x inputSize), compares
  // with the simulator. Throws std::runtime_error with the compiler output if compilation fails.
  CSimResult run(const std::string& workDir, const std::vector<float>& inputs, const std::vector<int>* labels = nullptr) const;

  // Compiles an already emitted project into <projectDir>/csim.out.
  void compile(const std::string& projectDir) const;
  // Runs <projectDir>/csim.out on an input file; returns one row of outputs per sample.
  std::vector<std::vector<double>> execute(const std::string& projectDir, const std::string& inputFile,
                                           const std::string& traceFile = "") const;

 private:
  NetworkDesc net_;
  CSimOptions options_;
};

// Runs a shell command, capturing its combined output; returns the exit status.
int runCommand(const std::string& command, std::string* output);

}  // namespace mmlc::hls
