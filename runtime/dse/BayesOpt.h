// Public entry to Gaussian-process Bayesian optimisation; plain types only (no Eigen), so the
// flow runtime can drive it through the Strategy interface.
#pragma once

#include <cstdint>
#include <memory>

#include "dse/Strategy.h"

namespace mmlc::dse {

enum class BatchPolicy {
  KrigingBeliever,  // pending points are assumed to return the model's mean
  ConstantLiar,     // pending points are assumed to return the best value seen
};

enum class MultiObjectivePolicy {
  Automatic,  // EHVI for two objectives, ParEGO for more
  ParEgo,     // random augmented-Chebyshev scalarisations, any number of objectives
  Ehvi,       // expected hypervolume improvement, exactly two objectives
};

struct BayesOptOptions {
  std::uint64_t seed = 0;
  ProblemShape shape;  // objectives > 1 switches to ParEGO scalarisation
  // Quasi-random initial design size; 0 picks clamp(d + 1, 5, 20).
  std::size_t initialPoints = 0;
  // Hyperparameters are refitted whenever the data grew by this fraction since the last fit (and
  // at every evaluation while there are few); in between only the Cholesky factor is extended.
  double refitGrowth = 0.1;
  int fitStarts = 2;
  int fitScreened = 8;
  int fitIterations = 50;
  std::size_t maxFitPoints = 300;  // a deterministic subset fits the hyperparameters beyond this
  // Acquisition search effort.
  std::size_t acquisitionSamples = 1024;
  std::size_t localStarts = 5;
  std::size_t localNeighbours = 16;
  int localRounds = 24;
  std::uint64_t exhaustiveLimit = 5000;  // discrete spaces this small are scored exhaustively
  // Log-warp objective values around their minimum before modelling (robust to outliers).
  bool warpOutputs = true;
  double warpOffset = 1.0;
  BatchPolicy batch = BatchPolicy::KrigingBeliever;  // with EHVI, pending points always get the mean
  MultiObjectivePolicy multiObjective = MultiObjectivePolicy::Automatic;
  // Minimum L-infinity distance (encoded continuous dims) between points suggested together.
  double batchSeparation = 1e-3;
};

std::unique_ptr<Strategy> makeBayesOpt(SearchSpace space, BayesOptOptions options = {});

// A strategy by the name a `search` block uses: "bayes", "grid" or "random" (seed and shape are
// taken from `options`). Unknown names are a SearchError listing the known ones.
std::unique_ptr<Strategy> makeStrategy(const std::string& name, SearchSpace space,
                                       const BayesOptOptions& options = {});

}  // namespace mmlc::dse
