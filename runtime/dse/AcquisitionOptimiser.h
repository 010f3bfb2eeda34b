// Inner optimiser of the acquisition (internal): quasi-random sampling, perturbations of the
// incumbents, then a batched local search whose moves respect discrete dimensions.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "dse/GaussianProcess.h"
#include "dse/QuasiRandom.h"
#include "dse/SearchSpace.h"

namespace mmlc::dse {

using BatchScore = std::function<Eigen::VectorXd(const RowMatrix& encoded)>;

struct AcquisitionSearchOptions {
  std::size_t samples = 1024;           // quasi-random candidates
  std::size_t perIncumbent = 32;        // perturbations around each good observed point
  std::size_t localStarts = 5;
  std::size_t neighbours = 16;          // per start and round
  int rounds = 24;
  std::uint64_t exhaustiveLimit = 5000;  // score every configuration of a discrete space this small
};

struct ScoredPoint {
  std::vector<double> encoded;
  double score;
};

class AcquisitionOptimiser {
 public:
  AcquisitionOptimiser(const SearchSpace& space, AcquisitionSearchOptions options);
  // Candidates best first; the caller takes the first one it may suggest.
  std::vector<ScoredPoint> run(const BatchScore& score,
                               const std::vector<std::vector<double>>& incumbents,
                               std::uint64_t seed, std::uint64_t step) const;

 private:
  std::vector<double> neighbour(const std::vector<double>& x, double sigma, Random& rng) const;
  std::vector<ScoredPoint> exhaustive(const BatchScore& score) const;

  const SearchSpace* space_;
  AcquisitionSearchOptions options_;
  std::vector<std::size_t> continuous_, discrete_;
};

}  // namespace mmlc::dse
