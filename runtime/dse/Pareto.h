// Pareto-front extraction and exact hypervolume (2-D sweep, WFG recursion for more objectives).
#pragma once

#include <cstddef>
#include <vector>

#include "dse/History.h"

namespace mmlc::dse {

// Indices of the non-dominated points (all objectives minimised); of equal points, the first.
std::vector<std::size_t> paretoFront(const std::vector<std::vector<double>>& points);

// Volume dominated by `points` and bounded by `reference`; points not strictly better than the
// reference in every objective contribute nothing. Exact; exponential worst case in the number
// of objectives, fine for the fronts a search produces.
double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference);

// Indices into `evaluations` of the feasible Pareto-optimal ones.
std::vector<std::size_t> paretoFront(const std::vector<Evaluation>& evaluations);
double hypervolume(const std::vector<Evaluation>& evaluations, const std::vector<double>& reference);

}  // namespace mmlc::dse
