// Dense layer: forward/backward as Eigen GEMMs over fixed row/column chunks (ParallelChunks.h).
#include "nn/DenseLayer.h"

#include <cmath>

#include "nn/Error.h"
#include "nn/ParallelChunks.h"

namespace mmlc::nn {

DenseLayer::DenseLayer(LayerSpec spec) : Layer(std::move(spec)) {
  if (spec_.units <= 0) throw Error("Dense layer '" + spec_.name + "' needs units > 0");
}

Shape DenseLayer::configure(const Shape& input, Random& rng) {
  if (input.rank() != 1)
    throw Error("Dense layer '" + spec_.name + "' expects a flat input, got " + input.str() +
                " (add a Flatten layer)");
  const int in = input.dims[0], out = spec_.units;
  // Glorot-uniform, the Keras default, so trained accuracies are comparable to Keras flows.
  const double limit = std::sqrt(6.0 / (in + out));
  weight_.name = spec_.name + ".weight";
  weight_.value.resize(in, out);
  for (int i = 0; i < in; ++i)
    for (int j = 0; j < out; ++j) weight_.value(i, j) = static_cast<float>(rng.uniform(-limit, limit));
  weight_.grad = Matrix::Zero(in, out);
  weight_.mask.resize(0, 0);
  bias_.name = spec_.name + ".bias";
  bias_.value = Matrix::Zero(1, spec_.useBias ? out : 0);
  bias_.grad = Matrix::Zero(1, spec_.useBias ? out : 0);
  bias_.regularised = false;
  return Shape{out};
}

// At least 32 rows per chunk keep each GEMM large enough for Eigen's kernels to run at full speed.
static long rowGrain(const Matrix& w) { return rowGrainFor(2.0 * w.rows() * w.cols(), 32); }

void DenseLayer::forward(const Matrix& x, Matrix& y, bool) {
  y.resize(x.rows(), spec_.units);
  forEachChunk(x.rows(), rowGrain(weight_.value), [&](long b, long e) {
    y.middleRows(b, e - b).noalias() = x.middleRows(b, e - b) * weight_.value;
    if (spec_.useBias) y.middleRows(b, e - b).rowwise() += bias_.value.row(0);
  });
}

void DenseLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  // dW = x^T dy is split along W's longer side so no chunk needs a private reduction buffer.
  const long in = weight_.value.rows(), out = weight_.value.cols();
  if (in >= out) {
    forEachChunk(in, rowGrainFor(2.0 * x.rows() * out, 8), [&](long b, long e) {
      weight_.grad.middleRows(b, e - b).noalias() += x.middleCols(b, e - b).transpose() * dy;
    });
  } else {
    forEachChunk(out, rowGrainFor(2.0 * x.rows() * in, 8), [&](long b, long e) {
      weight_.grad.middleCols(b, e - b).noalias() += x.transpose() * dy.middleCols(b, e - b);
    });
  }
  if (spec_.useBias) bias_.grad.row(0) += dy.colwise().sum();
  if (!inputGradientNeeded_) return;
  dx.resize(x.rows(), x.cols());
  forEachChunk(x.rows(), rowGrain(weight_.value), [&](long b, long e) {
    dx.middleRows(b, e - b).noalias() = dy.middleRows(b, e - b) * weight_.value.transpose();
  });
}

std::vector<Parameter*> DenseLayer::parameters() {
  if (spec_.useBias) return {&weight_, &bias_};
  return {&weight_};
}

}  // namespace mmlc::nn
