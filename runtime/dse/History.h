// The record of told evaluations and pending suggestions that every strategy keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dse/Strategy.h"

namespace mmlc::dse {

struct Evaluation {
  Trial trial;
  Observation observation;
};

class History {
 public:
  History(const SearchSpace& space, ProblemShape shape) : space_(&space), shape_(shape) {}

  // Throws SearchError when the observation does not match the problem shape.
  void validate(const Trial& trial, const Observation& observation) const;
  void record(const Trial& trial, const Observation& observation);
  void addPending(const Trial& trial) { pending_.push_back(trial); }

  const std::vector<Evaluation>& evaluations() const { return evaluations_; }
  const std::vector<Trial>& pending() const { return pending_; }
  std::size_t size() const { return evaluations_.size(); }
  ProblemShape shape() const { return shape_; }

  // Whether a snapped encoding was already evaluated or is pending (continuous dims within
  // `tolerance`); this is what keeps strategies from suggesting a configuration twice.
  bool contains(const std::vector<double>& encoded, double tolerance) const;
  std::uint64_t takeId() { return nextId_++; }
  std::uint64_t peekId() const { return nextId_; }

 private:
  const SearchSpace* space_;
  ProblemShape shape_;
  std::vector<Evaluation> evaluations_;
  std::vector<Trial> pending_;
  std::uint64_t nextId_ = 0;
};

// Index of the best feasible single-objective evaluation (first objective), if any.
std::optional<std::size_t> bestFeasible(const std::vector<Evaluation>& evaluations);

}  // namespace mmlc::dse
