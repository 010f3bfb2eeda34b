// The ask/tell interface shared by every search strategy (Bayesian optimisation, grid, random).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dse/SearchSpace.h"

namespace mmlc::dse {

// One suggested evaluation. Ids count up from 0 in suggestion order.
struct Trial {
  std::uint64_t id = 0;
  Config config;
};

// What an evaluation produced. All objectives are minimised. A constraint is satisfied when its
// value is <= 0 (write `require latency <= 5` as constraint latency - 5). A failed evaluation
// (tool crash, timeout, ...) carries no metrics; strategies record it and avoid its region.
struct Observation {
  std::vector<double> objectives;
  std::vector<double> constraints;
  bool failed = false;
  double seconds = 0;  // wall time of the evaluation, for reports

  bool feasible() const;
};

// The shape of the problem every strategy is told up front, so tells can be validated.
struct ProblemShape {
  std::size_t objectives = 1;
  std::size_t constraints = 0;
};

// Not thread-safe: one driver thread asks and tells (evaluations themselves run in parallel in
// the Evaluator).
class Strategy {
 public:
  virtual ~Strategy() = default;
  // Up to `count` new configurations to evaluate; fewer (possibly none) once the space is
  // exhausted. Suggestions not yet told are "pending": later asks avoid them.
  virtual std::vector<Trial> ask(std::size_t count = 1) = 0;
  // Reports a result. `trial` is normally one from ask(), but any configuration may be told
  // (journal replay, a user's own evaluations); unknown ids are accepted.
  virtual void tell(const Trial& trial, const Observation& observation) = 0;
  virtual std::string name() const = 0;
  virtual const SearchSpace& space() const = 0;
};

std::unique_ptr<Strategy> makeGridSearch(SearchSpace space, ProblemShape shape = {});
std::unique_ptr<Strategy> makeRandomSearch(SearchSpace space, std::uint64_t seed,
                                           ProblemShape shape = {});

}  // namespace mmlc::dse
