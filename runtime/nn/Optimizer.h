// Gradient-descent optimisers (Adam, SGD with momentum); they respect sparsity masks exactly.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/Parameter.h"

namespace mmlc::nn {

struct OptimizerConfig {
  std::string kind = "adam";  // "adam" or "sgd"
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;  // Adam (Keras defaults)
  float momentum = 0.0f;                                // SGD
  bool nesterov = false;                                // SGD
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Applies one update with learning rate `lr` to every trainable parameter, then re-applies
  // masks so masked weights are exactly zero. Parameter order must be stable between calls.
  virtual void step(const std::vector<Parameter*>& params, float lr) = 0;
  static std::unique_ptr<Optimizer> create(const OptimizerConfig& config);
};

class AdamOptimizer : public Optimizer {
 public:
  explicit AdamOptimizer(const OptimizerConfig& c) : c_(c) {}
  void step(const std::vector<Parameter*>& params, float lr) override;

 private:
  OptimizerConfig c_;
  long t_ = 0;
  std::vector<Matrix> m_, v_;
};

class SgdOptimizer : public Optimizer {
 public:
  explicit SgdOptimizer(const OptimizerConfig& c) : c_(c) {}
  void step(const std::vector<Parameter*>& params, float lr) override;

 private:
  OptimizerConfig c_;
  std::vector<Matrix> velocity_;
};

}  // namespace mmlc::nn
