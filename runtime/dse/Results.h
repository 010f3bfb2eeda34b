// Search results in the form reports consume: history with best-so-far, Pareto front and the
// parameter table, serialised as JSON.
#pragma once

#include <string>
#include <vector>

#include "dse/Evaluator.h"
#include "dse/SearchSpace.h"

namespace mmlc::dse {

// {"parameters":[...], "evaluations":[{"id","config","objectives","constraints","feasible",
// "failed","seconds","best_so_far"}...], "best": index|null, "pareto":[indices],
// "hypervolume": number (only with a reference point)}.
// best_so_far is the best feasible first objective up to and including that evaluation.
std::string resultsJson(const SearchSpace& space, const SearchResult& result,
                        const std::vector<double>& hypervolumeReference = {});

}  // namespace mmlc::dse
