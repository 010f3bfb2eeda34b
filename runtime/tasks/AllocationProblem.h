// The allocation MIP of an HLS design (N-TORC): its dense and convolutional layers' candidate
// reuse factors and strategies, each costed by the design's estimator, and its limits (shared by
// the `allocate` task and bench/allocate).
#pragma once

#include <string>
#include <vector>

#include "hls/DesignEstimate.h"
#include "hls/NetworkDesc.h"
#include "tasks/Allocation.h"

namespace mmlc::tasks {

struct AllocationRequest {
  double latencyCycles = 0;       // 0: no latency limit
  double ii = 0;                  // 0: no II limit
  double budget = 1.0;            // each resource at most this fraction of the device
  std::string objective = "lut";  // lut, dsp, ff, bram, weighted, latency
  std::vector<long> reuse;        // candidate reuse factors (empty: every valid one up to maxReuse)
  long maxReuse = 64;
  std::string strategy = "both";  // both, latency, resource
  // Candidates whose estimate the calibration does not cover (LayerEstimate::reuseCalibrated:
  // e.g. the resource strategy at reuse factor 1, where no calibration row is) are left out,
  // unless requested explicitly: their reuse factor listed in `reuse` and `strategy` not "both".
  double timeLimitSeconds = 60;
};

struct DesignAllocation {
  AllocProblem problem;
  std::vector<size_t> layerIndex;  // problem.layers[i] is design.layers[layerIndex[i]]
  size_t candidates = 0;  // costed and kept
  size_t excluded = 0;    // left out as extrapolations (AllocationRequest::strategy)
  std::string excludedWhy;  // which: "N <kind> <strategy> at <reuse class> (layers ...)", "; "-separated
};

/// Builds the problem; throws std::invalid_argument (a message for the user) for a design with no
/// allocatable layer, a layer without a valid candidate (or with only candidates the calibration
/// does not cover), or a weighted objective on a part whose capacity is unknown.
DesignAllocation allocationProblem(const hls::NetworkDesc& design, const hls::EstimatorChoice& estimator,
                                   const AllocationRequest& request);

/// `design` with the candidates of `choice` applied (what the rewrite will make of it).
hls::NetworkDesc applyAllocation(const hls::NetworkDesc& design, const DesignAllocation& a,
                                 const std::vector<size_t>& choice);

}  // namespace mmlc::tasks
