// Validation and bookkeeping of told evaluations; feasibility and best-so-far queries.
#include "dse/History.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace mmlc::dse {

bool Observation::feasible() const {
  if (failed) return false;
  for (double c : constraints)
    if (!(c <= 0)) return false;
  return true;
}

void History::validate(const Trial& trial, const Observation& o) const {
  if (trial.config.encoded.size() != space_->size())
    throw SearchError("told configuration has " + std::to_string(trial.config.encoded.size()) +
                      " coordinates, the space has " + std::to_string(space_->size()));
  if (o.failed) return;
  if (o.objectives.size() != shape_.objectives)
    throw SearchError("evaluation reported " + std::to_string(o.objectives.size()) +
                      " objectives, expected " + std::to_string(shape_.objectives));
  if (o.constraints.size() != shape_.constraints)
    throw SearchError("evaluation reported " + std::to_string(o.constraints.size()) +
                      " constraints, expected " + std::to_string(shape_.constraints));
  for (double v : o.objectives)
    if (!std::isfinite(v))
      throw SearchError("non-finite objective; report the evaluation as failed instead");
  for (double v : o.constraints)
    if (!std::isfinite(v))
      throw SearchError("non-finite constraint; report the evaluation as failed instead");
}

void History::record(const Trial& trial, const Observation& o) {
  validate(trial, o);
  evaluations_.push_back({trial, o});
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const Trial& t) { return t.id == trial.id; });
  if (it != pending_.end()) pending_.erase(it);
  nextId_ = std::max(nextId_, trial.id + 1);
}

bool History::contains(const std::vector<double>& e, double tolerance) const {
  for (const auto& ev : evaluations_)
    if (space_->same(ev.trial.config.encoded, e, tolerance)) return true;
  for (const auto& t : pending_)
    if (space_->same(t.config.encoded, e, tolerance)) return true;
  return false;
}

std::optional<std::size_t> bestFeasible(const std::vector<Evaluation>& evaluations) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    const auto& o = evaluations[i].observation;
    if (!o.feasible() || o.objectives.empty()) continue;
    if (!best || o.objectives[0] < evaluations[*best].observation.objectives[0]) best = i;
  }
  return best;
}

}  // namespace mmlc::dse
