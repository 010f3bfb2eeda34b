// Mini-batch training loop: shuffling, validation, early stopping, LR schedule, L1/L2, metrics.
#pragma once
#include <functional>
#include <vector>

#include "nn/LearningRateSchedule.h"
#include "nn/Loss.h"
#include "nn/Network.h"
#include "nn/Optimizer.h"

namespace mmlc::nn {

struct TrainConfig {
  int epochs = 10;
  long batchSize = 32;
  uint64_t seed = 0;              // shuffling, validation split and dropout
  bool shuffle = true;
  LossKind loss = LossKind::CrossEntropyFromLogits;
  OptimizerConfig optimizer;
  LearningRateSchedule learningRate;
  float l1 = 0.0f, l2 = 0.0f;     // penalties l1*sum|w| + l2*sum w^2 on weights (not biases)
  double validationSplit = 0.0;   // fraction held out (seeded) when no explicit validation set
  int earlyStoppingPatience = 0;  // 0 = off; epochs without val-loss improvement before stopping
  float earlyStoppingMinDelta = 0.0f;
  bool restoreBestWeights = true; // with early stopping: end with the best-val-loss weights
  int threads = 0;                // 0 = automatic (autoThreadCount); results never depend on it
  std::function<void(int epoch, float trainLoss, float valLoss, double valAccuracy)> onEpoch;
};

struct TrainHistory {
  std::vector<float> trainLoss, valLoss;
  std::vector<double> trainAccuracy, valAccuracy;
  int bestEpoch = -1;             // 0-based epoch with the lowest validation loss
  bool stoppedEarly = false;
  double seconds = 0;
  long samplesSeen = 0;
};

class Trainer {
 public:
  explicit Trainer(TrainConfig config) : config_(std::move(config)) {}
  // Trains in place. y is the target matrix (one-hot for classification). Validation data is
  // (xVal, yVal) when given, else a seeded `validationSplit` fraction of (x, y).
  TrainHistory fit(Network& net, const Matrix& x, const Matrix& y, const Matrix* xVal = nullptr,
                   const Matrix* yVal = nullptr);
  // Mean loss and accuracy of `net` on a data set (inference mode).
  static std::pair<float, double> evaluate(Network& net, const Matrix& x, const Matrix& y, LossKind loss);
  // Sets the OpenMP thread count (0 = autoThreadCount()); Eigen stays single-threaded.
  static void setThreads(int threads);
  // All processors, minus those the 1-minute load average shows busy with other work (at least 1).
  static int autoThreadCount();

 private:
  TrainConfig config_;
};

}  // namespace mmlc::nn
