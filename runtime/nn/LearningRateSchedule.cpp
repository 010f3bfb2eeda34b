// Learning-rate schedule formulas.
#include "nn/LearningRateSchedule.h"

#include <algorithm>
#include <cmath>

#include "nn/Error.h"

namespace mmlc::nn {

float LearningRateSchedule::at(int epoch) const {
  if (kind == "constant") return initial;
  if (kind == "step") return initial * std::pow(gamma, static_cast<float>(epoch / std::max(1, stepEpochs)));
  if (kind == "exponential") return initial * std::pow(gamma, static_cast<float>(epoch));
  if (kind == "cosine") {
    const double t = std::min(1.0, static_cast<double>(epoch) / std::max(1, totalEpochs));
    return static_cast<float>(minimum + 0.5 * (initial - minimum) * (1.0 + std::cos(3.141592653589793 * t)));
  }
  throw Error("unknown learning-rate schedule '" + kind + "' (constant, step, exponential, cosine)");
}

}  // namespace mmlc::nn
