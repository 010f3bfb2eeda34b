// Activation layers: vectorised Eigen array expressions; derivatives use the cached output where possible.
#include "nn/ActivationLayers.h"

#include <algorithm>
#include <cmath>

#include "nn/Error.h"
#include "nn/ParallelChunks.h"

namespace mmlc::nn {

ElementwiseActivation::ElementwiseActivation(LayerSpec spec) : Layer(std::move(spec)) {
  const std::string& k = spec_.kind;
  if (k == "ReLU") function_ = Function::ReLU;
  else if (k == "LeakyReLU") function_ = Function::LeakyReLU;
  else if (k == "Sigmoid") function_ = Function::Sigmoid;
  else if (k == "Tanh") function_ = Function::Tanh;
  else throw Error("not an element-wise activation: " + k);
}

// Element-wise work counts ~10 flops per value (exp/tanh); small tensors stay on one thread.
static long rowGrain(const Matrix& m) { return rowGrainFor(10.0 * m.cols(), 1); }

void ElementwiseActivation::forward(const Matrix& xAll, Matrix& yAll, bool) {
  yAll.resize(xAll.rows(), xAll.cols());
  forEachChunk(xAll.rows(), rowGrain(xAll), [&](long b, long e) {
    auto x = xAll.middleRows(b, e - b).array();
    auto y = yAll.middleRows(b, e - b).array();
    switch (function_) {
      case Function::ReLU: y = x.max(0.0f); break;
      case Function::LeakyReLU: y = (x > 0.0f).select(x, spec_.alpha * x); break;
      case Function::Sigmoid: y = 1.0f / (1.0f + (-x).exp()); break;
      case Function::Tanh: y = x.tanh(); break;
    }
  });
}

void ElementwiseActivation::backward(const Matrix& xAll, const Matrix& yAll, const Matrix& dyAll, Matrix& dxAll) {
  dxAll.resize(xAll.rows(), xAll.cols());
  forEachChunk(xAll.rows(), rowGrain(xAll), [&](long b, long e) {
    auto x = xAll.middleRows(b, e - b).array();
    auto y = yAll.middleRows(b, e - b).array();
    auto dy = dyAll.middleRows(b, e - b).array();
    auto dx = dxAll.middleRows(b, e - b).array();
    switch (function_) {
      case Function::ReLU: dx = (x > 0.0f).select(dy, 0.0f); break;
      case Function::LeakyReLU: dx = (x > 0.0f).select(dy, spec_.alpha * dy); break;
      case Function::Sigmoid: dx = dy * y * (1.0f - y); break;
      case Function::Tanh: dx = dy * (1.0f - y.square()); break;
    }
  });
}

void SoftmaxLayer::forward(const Matrix& x, Matrix& y, bool) {
  const long n = in_.dims.back();
  const long groups = x.cols() / n;
  y.resize(x.rows(), x.cols());
  for (long r = 0; r < x.rows(); ++r) {
    for (long g = 0; g < groups; ++g) {
      auto xs = x.row(r).segment(g * n, n).array();
      auto ys = y.row(r).segment(g * n, n).array();
      ys = (xs - xs.maxCoeff()).exp();  // shift by the max so exp never overflows
      ys /= ys.sum();
    }
  }
}

void SoftmaxLayer::backward(const Matrix&, const Matrix& y, const Matrix& dy, Matrix& dx) {
  // dx = y * (dy - <dy, y>) per softmax group (Jacobian-vector product, no n x n matrix).
  const long n = in_.dims.back();
  const long groups = y.cols() / n;
  dx.resize(y.rows(), y.cols());
  for (long r = 0; r < y.rows(); ++r) {
    for (long g = 0; g < groups; ++g) {
      auto ys = y.row(r).segment(g * n, n).array();
      auto ds = dy.row(r).segment(g * n, n).array();
      const float dot = (ys * ds).sum();
      dx.row(r).segment(g * n, n).array() = ys * (ds - dot);
    }
  }
}

}  // namespace mmlc::nn
