// Adam and SGD(+momentum, Nesterov) updates as fused Eigen array expressions.
#include "nn/Optimizer.h"

#include <cmath>

#include "nn/Error.h"

namespace mmlc::nn {

std::unique_ptr<Optimizer> Optimizer::create(const OptimizerConfig& c) {
  if (c.kind == "adam") return std::make_unique<AdamOptimizer>(c);
  if (c.kind == "sgd") return std::make_unique<SgdOptimizer>(c);
  throw Error("unknown optimizer '" + c.kind + "' (expected adam or sgd)");
}

void AdamOptimizer::step(const std::vector<Parameter*>& params, float lr) {
  if (m_.size() != params.size()) {
    m_.clear();
    v_.clear();
    for (Parameter* p : params) {
      m_.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
      v_.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
    }
  }
  ++t_;
  // Bias correction folded into the step size (as Keras/TF do).
  const double corr = std::sqrt(1.0 - std::pow(c_.beta2, t_)) / (1.0 - std::pow(c_.beta1, t_));
  const float alpha = static_cast<float>(lr * corr);
  const float b1 = c_.beta1, b2 = c_.beta2, eps = c_.epsilon;
  for (size_t i = 0; i < params.size(); ++i) {
    Parameter& p = *params[i];
    if (!p.trainable) continue;
    if (p.hasMask()) p.grad.array() *= p.mask.array();
    m_[i].array() = b1 * m_[i].array() + (1 - b1) * p.grad.array();
    v_[i].array() = b2 * v_[i].array() + (1 - b2) * p.grad.array().square();
    p.value.array() -= alpha * m_[i].array() / (v_[i].array().sqrt() + eps);
    p.applyMask();
  }
}

void SgdOptimizer::step(const std::vector<Parameter*>& params, float lr) {
  if (velocity_.size() != params.size()) {
    velocity_.clear();
    for (Parameter* p : params) velocity_.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    Parameter& p = *params[i];
    if (!p.trainable) continue;
    if (p.hasMask()) p.grad.array() *= p.mask.array();
    if (c_.momentum == 0.0f) {
      p.value.noalias() -= lr * p.grad;
    } else {
      velocity_[i] = c_.momentum * velocity_[i] - lr * p.grad;
      if (c_.nesterov) p.value += c_.momentum * velocity_[i] - lr * p.grad;
      else p.value += velocity_[i];
    }
    p.applyMask();
  }
}

}  // namespace mmlc::nn
