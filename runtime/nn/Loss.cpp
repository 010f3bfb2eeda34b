// Loss functions; probabilities are clamped away from 0 and 1 so log never sees 0.
#include "nn/Loss.h"

#include <cmath>

#include "nn/Error.h"

namespace mmlc::nn {

std::string lossName(LossKind k) {
  switch (k) {
    case LossKind::CrossEntropyFromLogits: return "categorical_crossentropy_from_logits";
    case LossKind::CrossEntropy: return "categorical_crossentropy";
    case LossKind::BinaryCrossEntropy: return "binary_crossentropy";
    case LossKind::BinaryCrossEntropyFromLogits: return "binary_crossentropy_from_logits";
    case LossKind::MeanSquaredError: return "mean_squared_error";
  }
  return "?";
}

float computeLoss(LossKind kind, const Matrix& out, const Matrix& target, Matrix* grad) {
  if (out.rows() != target.rows() || out.cols() != target.cols())
    throw Error("loss: output is " + std::to_string(out.rows()) + "x" + std::to_string(out.cols()) +
                " but target is " + std::to_string(target.rows()) + "x" + std::to_string(target.cols()));
  const long B = out.rows();
  const float invB = 1.0f / static_cast<float>(B);
  constexpr float kEps = 1e-7f;
  double total = 0;
  if (grad) grad->resize(out.rows(), out.cols());
  switch (kind) {
    case LossKind::CrossEntropyFromLogits:
      for (long r = 0; r < B; ++r) {
        auto z = out.row(r).array();
        const float m = z.maxCoeff();
        const float lse = m + std::log((z - m).exp().sum());
        total += (target.row(r).array() * (lse - z)).sum();
        if (grad) grad->row(r).array() = ((z - lse).exp() * target.row(r).sum() - target.row(r).array()) * invB;
      }
      break;
    case LossKind::CrossEntropy:
      for (long r = 0; r < B; ++r) {
        auto p = out.row(r).array().max(kEps).min(1.0f - kEps);
        total -= (target.row(r).array() * p.log()).sum();
        if (grad) grad->row(r).array() = -target.row(r).array() / p * invB;
      }
      break;
    case LossKind::BinaryCrossEntropy: {
      auto p = out.array().max(kEps).min(1.0f - kEps);
      auto t = target.array();
      total = -(t * p.log() + (1.0f - t) * (1.0f - p).log()).cast<double>().sum();
      if (grad) grad->array() = (p - t) / (p * (1.0f - p)) * invB;
      break;
    }
    case LossKind::BinaryCrossEntropyFromLogits: {
      auto z = out.array();
      auto t = target.array();
      // max(z,0) - z t + log(1 + exp(-|z|)) is the overflow-free form.
      total = (z.max(0.0f) - z * t + (1.0f + (-z.abs()).exp()).log()).cast<double>().sum();
      if (grad) grad->array() = (1.0f / (1.0f + (-z).exp()) - t) * invB;
      break;
    }
    case LossKind::MeanSquaredError: {
      const float invN = invB / static_cast<float>(out.cols());
      total = (out - target).cast<double>().squaredNorm() / out.cols();
      if (grad) grad->array() = 2.0f * (out - target).array() * invN;
      break;
    }
  }
  return static_cast<float>(total * invB);
}

}  // namespace mmlc::nn
