// Per-epoch learning-rate schedules: constant, step decay, exponential decay, cosine annealing.
#pragma once
#include <string>

namespace mmlc::nn {

struct LearningRateSchedule {
  std::string kind = "constant";  // constant | step | exponential | cosine
  float initial = 1e-3f;
  float gamma = 0.5f;             // step: factor every stepEpochs; exponential: factor per epoch
  int stepEpochs = 10;
  int totalEpochs = 100;          // cosine: period length
  float minimum = 0.0f;           // cosine: final value
  // Learning rate for 0-based `epoch`; throws Error for an unknown kind.
  float at(int epoch) const;
};

}  // namespace mmlc::nn
