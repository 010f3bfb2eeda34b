// Per-layer allocation as a mixed-integer program (N-TORC): one binary per layer and candidate
// (reuse factor, strategy), latency and resources as linear sums of per-layer estimates, solved
// exactly with GLPK; plus the exhaustive enumeration the tests and bench/allocate compare it with.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace mmlc::tasks {

/// Costs are ordered DSP, LUT, FF, BRAM (18 Kb), latency (cycles).
enum AllocCost : size_t { kDsp = 0, kLut, kFf, kBram, kLatency, kCostCount };
using AllocCosts = std::array<double, kCostCount>;

struct AllocCandidate {
  int reuse = 1;
  bool resource = false;  // strategy: false latency, true resource
  AllocCosts cost{};      // this layer's cost with this candidate
  double ii = 1;          // the layer's initiation interval (cycles)
};

struct AllocLayer {
  std::string name;
  std::vector<AllocCandidate> candidates;
};

struct AllocProblem {
  std::vector<AllocLayer> layers;
  AllocCosts fixed{};  // what the rest of the design costs (layers without a choice, glue)
  /// Limits on the design's totals (fixed + chosen): latency in cycles, resources absolute.
  AllocCosts limit{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::infinity()};
  double iiLimit = std::numeric_limits<double>::infinity();  // every layer's II at most this
  AllocCosts weight{};  // objective: minimise the weighted sum of the totals
  double timeLimitSeconds = 60;
};

struct AllocSolution {
  enum class Status { Optimal, Infeasible, TimeLimit } status = Status::Infeasible;
  std::vector<size_t> choice;  // candidate index per layer
  AllocCosts total{};          // fixed + chosen
  double objective = 0;        // weighted sum of the totals
  double bound = 0;            // the solver's best bound (= objective when proven optimal)
  double seconds = 0;
  long variables = 0, constraints = 0;
  long nodes = 0;  // branch-and-bound subproblems (0: the LP relaxation's optimum was already 0/1)
};

/// The candidates of layer `layer` that meet the II limit and that no other such candidate
/// dominates (costs at most as much in every figure; of equal ones the first is kept): an optimum
/// of `p` only needs these, so the MIP is built from them alone.
std::vector<size_t> paretoCandidates(const AllocProblem& p, size_t layer);

/// Solves `p` exactly with GLPK (candidates above the II limit or dominated are left out first).
/// Throws std::runtime_error when the solver fails for another reason than infeasibility, or when a
/// cost is not a finite number.
AllocSolution solveAllocation(const AllocProblem& p);

/// The same optimum by trying every combination (tests and bench/allocate; exponential).
AllocSolution enumerateAllocation(const AllocProblem& p);

/// The totals of a choice.
AllocCosts allocationTotals(const AllocProblem& p, const std::vector<size_t>& choice);

/// The least each total can be, one at a time, over every candidate (for infeasibility messages:
/// the tightest latency and the smallest resources any allocation reaches).
AllocCosts allocationFloor(const AllocProblem& p);

/// hls4ml's rule for the reuse factors a layer with `nIn` inputs and `nOut` outputs per
/// multiplication block accepts (the `_validate_reuse_factor` of its Vivado backend).
bool validReuseFactor(long nIn, long nOut, long reuse);

}  // namespace mmlc::tasks
