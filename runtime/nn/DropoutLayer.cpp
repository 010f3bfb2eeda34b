// Dropout layer; the mask comes from the layer's own seeded generator so training is reproducible.
#include "nn/DropoutLayer.h"

#include "nn/Error.h"

namespace mmlc::nn {

DropoutLayer::DropoutLayer(LayerSpec spec) : Layer(std::move(spec)) {
  if (!(spec_.rate >= 0.0f && spec_.rate < 1.0f))
    throw Error("Dropout layer '" + spec_.name + "' needs 0 <= rate < 1");
}

void DropoutLayer::forward(const Matrix& x, Matrix& y, bool training) {
  lastWasTraining_ = training && spec_.rate > 0.0f;
  if (!lastWasTraining_) {
    y = x;
    return;
  }
  const float scale = 1.0f / (1.0f - spec_.rate);
  keep_.resize(x.rows(), x.cols());
  float* k = keep_.data();
  for (long i = 0; i < keep_.size(); ++i) k[i] = rng_.uniform() >= spec_.rate ? scale : 0.0f;
  y.resize(x.rows(), x.cols());
  y.array() = x.array() * keep_.array();
}

void DropoutLayer::backward(const Matrix&, const Matrix&, const Matrix& dy, Matrix& dx) {
  if (!lastWasTraining_) {
    dx = dy;
    return;
  }
  dx.resize(dy.rows(), dy.cols());
  dx.array() = dy.array() * keep_.array();
}

}  // namespace mmlc::nn
