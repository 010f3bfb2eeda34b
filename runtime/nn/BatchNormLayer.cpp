// BatchNormalization forward (batch or running statistics) and the standard closed-form backward.
#include "nn/BatchNormLayer.h"

#include <cmath>

namespace mmlc::nn {

namespace {
// Below this many values per batch a parallel region costs more than it saves.
constexpr long kParallelElements = 1L << 15;
}  // namespace

Shape BatchNormLayer::configure(const Shape& input, Random&) {
  channels_ = input.dims[0];
  spatial_ = input.size() / channels_;
  auto init = [&](Parameter& p, const char* suffix, float v, bool trainable) {
    p.name = spec_.name + "." + suffix;
    p.value = Matrix::Constant(1, channels_, v);
    p.grad = Matrix::Zero(1, channels_);
    p.regularised = false;
    p.trainable = trainable;
  };
  init(gamma_, "scale", 1.0f, true);
  init(beta_, "bias", 0.0f, true);
  init(mean_, "mean", 0.0f, false);
  init(variance_, "var", 1.0f, false);
  return input;
}

void BatchNormLayer::forward(const Matrix& x, Matrix& y, bool training) {
  const long B = x.rows(), C = channels_, S = spatial_;
  y.resize(B, x.cols());
  lastWasTraining_ = training;
  if (training) {
    // Statistics in double: per-channel sums over up to millions of values lose precision in float.
    // Each row's segment (one sample's map, at most thousands of values) is summed in float by
    // Eigen's vectorised reductions and added in double: converting every value to double halved
    // the speed of this pass.
    const double n = static_cast<double>(B * S);
    invStd_.resize(C);
    batchMean_.resize(C);
    // Channels are independent: each is computed whole by one thread, so results do not depend
    // on the thread count.
#pragma omp parallel for schedule(static) if (B * x.cols() >= kParallelElements)
    for (long c = 0; c < C; ++c) {
      double sum = 0, sq = 0;
      for (long r = 0; r < B; ++r) {
        auto seg = x.row(r).segment(c * S, S);
        sum += static_cast<double>(seg.sum());
        sq += static_cast<double>(seg.squaredNorm());
      }
      const double mean = sum / n;
      const double var = std::max(0.0, sq / n - mean * mean);
      invStd_(c) = static_cast<float>(1.0 / std::sqrt(var + spec_.epsilon));
      batchMean_(c) = static_cast<float>(mean);
      const float m = spec_.momentum;
      mean_.value(0, c) = m * mean_.value(0, c) + (1 - m) * static_cast<float>(mean);
      variance_.value(0, c) = m * variance_.value(0, c) + (1 - m) * static_cast<float>(var);
      // y = g * xhat + b with xhat = (x - mean) * invStd, as one multiply-add per value.
      const float g = gamma_.value(0, c), b = beta_.value(0, c);
      const float scale = g * invStd_(c), shift = b - batchMean_(c) * scale;
      for (long r = 0; r < B; ++r)
        y.row(r).segment(c * S, S).array() = x.row(r).segment(c * S, S).array() * scale + shift;
    }
    return;
  }
#pragma omp parallel for schedule(static) if (B * x.cols() >= kParallelElements)
  for (long c = 0; c < C; ++c) {
    const float inv = 1.0f / std::sqrt(variance_.value(0, c) + spec_.epsilon);
    const float scale = gamma_.value(0, c) * inv, shift = beta_.value(0, c) - mean_.value(0, c) * scale;
    for (long r = 0; r < B; ++r)
      y.row(r).segment(c * S, S).array() = x.row(r).segment(c * S, S).array() * scale + shift;
  }
}

void BatchNormLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  const long B = x.rows(), C = channels_, S = spatial_;
  dx.resize(B, x.cols());
  if (!lastWasTraining_) {  // inference statistics are constants: a per-channel affine map
#pragma omp parallel for schedule(static) if (B * x.cols() >= kParallelElements)
    for (long c = 0; c < C; ++c) {
      const float inv = 1.0f / std::sqrt(variance_.value(0, c) + spec_.epsilon);
      const float k = gamma_.value(0, c) * inv, m = mean_.value(0, c);
      double sumDy = 0, sumDyXhat = 0;
      for (long r = 0; r < B; ++r) {
        auto d = dy.row(r).segment(c * S, S).array();
        sumDy += d.sum();
        sumDyXhat += (d * (x.row(r).segment(c * S, S).array() - m) * inv).sum();
        dx.row(r).segment(c * S, S) = dy.row(r).segment(c * S, S) * k;
      }
      gamma_.grad(0, c) += static_cast<float>(sumDyXhat);
      beta_.grad(0, c) += static_cast<float>(sumDy);
    }
    return;
  }
  const float n = static_cast<float>(B * S);
#pragma omp parallel for schedule(static) if (B * x.cols() >= kParallelElements)
  for (long c = 0; c < C; ++c) {
    const float mean = batchMean_(c), inv = invStd_(c);
    double sumDy = 0, sumDyXhat = 0;
    for (long r = 0; r < B; ++r) {
      auto d = dy.row(r).segment(c * S, S).array();
      sumDy += d.sum();
      sumDyXhat += (d * ((x.row(r).segment(c * S, S).array() - mean) * inv)).sum();
    }
    gamma_.grad(0, c) += static_cast<float>(sumDyXhat);
    beta_.grad(0, c) += static_cast<float>(sumDy);
    const float g = gamma_.value(0, c), k = g * inv / n;
    const float a = static_cast<float>(sumDy), b = static_cast<float>(sumDyXhat);
    for (long r = 0; r < B; ++r)
      dx.row(r).segment(c * S, S).array() =
          k * (n * dy.row(r).segment(c * S, S).array() - a - ((x.row(r).segment(c * S, S).array() - mean) * inv) * b);
  }
}

}  // namespace mmlc::nn
