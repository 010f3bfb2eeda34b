// The synth step: run vitis_hls / vivado_hls on an emitted project when one is on PATH and read
// its csynth report; otherwise fall back to the ResourceEstimator and mark the metrics estimated.
#pragma once

#include <string>

#include "hls/NetworkDesc.h"
#include "hls/DesignEstimate.h"
#include "hls/SynthMetrics.h"

namespace mmlc::hls {

struct SynthOptions {
  std::string tool = "auto";   // "auto" (vitis_hls, then vivado_hls), "vitis_hls", "vivado_hls", "estimate"
  bool allowEstimate = true;   // fall back to the estimator when no tool is found
  EstimatorChoice estimator;   // the fallback's calibration: shipped, or a file (DesignEstimate.h)
};

struct SynthResult {
  SynthMetrics metrics;
  std::string toolPath;     // empty when estimated
  std::string reportPath;   // csynth.xml that was read (the tool's own folder)
  std::string log;          // tool output
};

// Full path of an executable found on PATH, or empty.
std::string findOnPath(const std::string& exe);

// Emits the project into projectDir (hls4ml layout), then synthesises or estimates.
SynthResult runSynthesis(const NetworkDesc& net, const std::string& projectDir, const SynthOptions& options = {});

// Synthesises the project already in projectDir as it is (an imported or metaprogrammed one):
// the tool runs its build_prj.tcl and the report is looked for under the project name the script
// opens (`open_project [-reset] NAME`; NAME = <net.name>_prj when there is none). `net` must
// describe that project: the estimator fallback and the report's top name use it. After a vendor
// run, the tool's csynth reports (top and per function, .xml and .rpt) are copied into
// projectDir/reports/ (replacing any there), the layout of an hls4ml project with reports, so the
// project is a calibration source for `mmlc estimator calibrate` (isDesignWithReports).
SynthResult synthesizeProject(const NetworkDesc& net, const std::string& projectDir, const SynthOptions& options = {});

}  // namespace mmlc::hls
