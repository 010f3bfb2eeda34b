// Measuring an HLS-level model on data: its samples in the design's input order, and the C
// simulation of its project on disk compared with the bit-exact simulator (csim, quantize).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "hls/OutputScoring.h"
#include "tasks/TaskContext.h"

namespace mmlc::tasks {

/// The first `count` samples of `data` (all when count is 0 or larger than the set), laid out
/// in the HLS input order of `model` (channels-last when it came from a DNN of this run).
std::vector<float> hlsInputs(const ModelStore &store, const ModelStore::Hls &model,
                             const nn::Dataset &data, size_t count);

/// Outcome of a C simulation compared sample by sample with hls::NetworkSim.
struct ProjectCSim {
  size_t samples = 0;
  size_t mismatches = 0;     // samples whose outputs differ from the simulator's in any bit
  double csimAccuracy = 0;   // argmax of the C simulation's outputs against the labels
  double simAccuracy = 0;    // the same for the bit-exact simulator
  double compileSeconds = 0, runSeconds = 0;
  std::string mismatchReport; // first differing sample and layer; empty when bit-exact
};

/// C simulation of the project in `projectDir` with its own code (meta::ProjectCSim: a traced copy
/// in `workDir`, a driver calling the top function, its own nnet_utils, ap_types and weight
/// files), compared sample by sample with hls::NetworkSim(desc); `workDir` is removed afterwards.
/// Throws meta::HlsMetaError for a project it cannot drive, std::runtime_error (with the
/// compiler's output) when the project does not build or run.
ProjectCSim simulateProject(const hls::NetworkDesc &desc, const std::filesystem::path &projectDir,
                            const std::filesystem::path &workDir, const std::vector<float> &inputs,
                            const std::vector<int> &labels, const hls::OutputScoring &scoring = {});

/// The decision rule for a model with `outputs` outputs (`sigmoidOut`: the last layer is a
/// sigmoid) on `data`: argmax for labels and several outputs (a label must be below the output
/// count), threshold 0.5 (sigmoid) or 0 (logit) for one output and 0/1 labels, and for
/// regression targets |output - target| <= 0.1 standard deviations of the targets. Throws
/// std::invalid_argument saying what does not fit.
hls::OutputScoring scoringFor(int outputs, bool sigmoidOut, const nn::Dataset &data);

} // namespace mmlc::tasks
