// Training losses: value averaged over the batch and its gradient with respect to the network output.
#pragma once
#include <string>

#include "nn/Tensor.h"

namespace mmlc::nn {

enum class LossKind {
  CrossEntropyFromLogits,  // softmax fused in: network ends without Softmax (fast, stable)
  CrossEntropy,            // network ends with Softmax; output is probabilities
  BinaryCrossEntropy,      // output is sigmoid probabilities, targets in [0,1]
  BinaryCrossEntropyFromLogits,
  MeanSquaredError,
};

std::string lossName(LossKind kind);

// Returns the mean loss over the batch; when `grad` is non-null, writes dLoss/dOutput into it.
// Cross-entropies sum over outputs then average over samples (Keras convention); MSE averages both.
float computeLoss(LossKind kind, const Matrix& output, const Matrix& target, Matrix* grad);

}  // namespace mmlc::nn
