// Grid enumeration of a search space, shared by grid search and by exhaustive acquisition scans.
#pragma once

#include <cstdint>
#include <vector>

#include "dse/SearchSpace.h"

namespace mmlc::dse {

// Number of grid levels per dimension (cardinality, or gridPoints for Real dimensions).
std::vector<std::uint64_t> gridLevels(const SearchSpace& space);
// Product of the levels, saturating at UINT64_MAX.
std::uint64_t gridSize(const std::vector<std::uint64_t>& levels);
// Encoded grid point number `index`, last dimension varying fastest.
std::vector<double> gridPoint(const SearchSpace& space, const std::vector<std::uint64_t>& levels,
                              std::uint64_t index);

}  // namespace mmlc::dse
