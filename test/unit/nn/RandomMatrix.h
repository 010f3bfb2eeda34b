// Test inputs for the DNN engine's unit tests: a matrix of standard normal values from a seed.
#pragma once
#include <cstdint>

#include "nn/Random.h"
#include "nn/Tensor.h"

namespace mmlc::nn::testing {

// rows x cols values N(0, 1) times `scale`, the same for the same seed.
inline Matrix randomMatrix(long rows, long cols, uint64_t seed, float scale = 1.0f) {
  Random rng(seed);
  Matrix m(rows, cols);
  for (long i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.normal()) * scale;
  return m;
}

}  // namespace mmlc::nn::testing
