// A trainable tensor with its gradient and an optional fixed sparsity mask (used by pruning).
#pragma once
#include <string>

#include "nn/Tensor.h"

namespace mmlc::nn {

struct Parameter {
  std::string name;   // e.g. "dense_0.weight"; stable across save/load and ONNX export
  Matrix value;
  Matrix grad;
  Matrix mask;        // empty = dense; otherwise same shape, entries 0 or 1
  bool regularised = true;  // L1/L2 apply to weights, not to biases or BN statistics
  bool trainable = true;    // BN running statistics are parameters but not trained

  bool hasMask() const { return mask.size() != 0; }
  // Re-applies the mask so masked entries are exactly zero (not merely small).
  void applyMask() {
    if (hasMask()) value.array() *= mask.array();
  }
};

}  // namespace mmlc::nn
