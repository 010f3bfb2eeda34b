// Add and Concatenate: shape checks naming the inputs, forward and backward over several inputs.
#include "nn/MergeLayers.h"

#include "nn/Error.h"
#include "nn/ParallelChunks.h"

namespace mmlc::nn {

void MergeLayer::forward(const Matrix&, Matrix&, bool) {
  throw Error(spec_.kind + " layer '" + spec_.name + "' needs two or more inputs");
}
void MergeLayer::backward(const Matrix&, const Matrix&, const Matrix&, Matrix&) {
  throw Error(spec_.kind + " layer '" + spec_.name + "' needs two or more inputs");
}

size_t MergeLayer::checkArity(const std::vector<Shape>& inputs) const {
  if (inputs.size() < 2 || spec_.inputs.size() != inputs.size())
    throw Error(spec_.kind + " layer '" + spec_.name + "' needs two or more inputs, got " +
                std::to_string(inputs.size()));
  return inputs.size();
}

Shape AddLayer::configureInputs(const std::vector<Shape>& inputs, Random&) {
  const size_t n = checkArity(inputs);
  for (size_t i = 1; i < n; ++i)
    if (inputs[i] != inputs[0])
      throw Error("Add layer '" + spec_.name + "': input '" + spec_.inputs[i] + "' has shape " + inputs[i].str() +
                  " but '" + spec_.inputs[0] + "' has " + inputs[0].str() + "; added tensors need one shape");
  return inputs[0];
}

// One pass over row chunks in parallel: y = ((x0 + x1) + x2) + ..., the same sums in the same
// order for any thread count.
void AddLayer::forwardInputs(const std::vector<const Matrix*>& xs, Matrix& y, bool) {
  const Matrix& x0 = *xs[0];
  y.resize(x0.rows(), x0.cols());
  forEachChunk(x0.rows(), memoryRowGrain(x0.cols(), static_cast<int>(xs.size()) + 1), [&](long b, long e) {
    auto out = y.middleRows(b, e - b);
    out = x0.middleRows(b, e - b) + xs[1]->middleRows(b, e - b);
    for (size_t i = 2; i < xs.size(); ++i) out += xs[i]->middleRows(b, e - b);
  });
}

// Network does not call this (gradientPassesThrough: it hands dy on without copies); direct callers do.
void AddLayer::backwardInputs(const std::vector<const Matrix*>&, const Matrix&, const Matrix& dy,
                              const std::vector<Matrix*>& dxs) {
  for (Matrix* dx : dxs) {
    if (!dx) continue;
    dx->resize(dy.rows(), dy.cols());
    forEachChunk(dy.rows(), memoryRowGrain(dy.cols(), 2),
                 [&](long b, long e) { dx->middleRows(b, e - b) = dy.middleRows(b, e - b); });
  }
}

Shape ConcatenateLayer::configureInputs(const std::vector<Shape>& inputs, Random&) {
  const size_t n = checkArity(inputs);
  Shape out = inputs[0];
  for (size_t i = 1; i < n; ++i) {
    bool fits = inputs[i].rank() == out.rank();
    for (int d = 1; fits && d < out.rank(); ++d) fits = inputs[i].dims[d] == out.dims[d];
    if (!fits)
      throw Error("Concatenate layer '" + spec_.name + "': input '" + spec_.inputs[i] + "' has shape " +
                  inputs[i].str() + " but '" + spec_.inputs[0] + "' has " + inputs[0].str() +
                  "; joined tensors may differ only in their first (channel) dimension");
    out.dims[0] += inputs[i].dims[0];
  }
  return out;
}

void ConcatenateLayer::forwardInputs(const std::vector<const Matrix*>& xs, Matrix& y, bool) {
  long cols = 0;
  for (const Matrix* x : xs) cols += x->cols();
  y.resize(xs[0]->rows(), cols);
  long at = 0;
  for (const Matrix* x : xs) {
    y.middleCols(at, x->cols()) = *x;
    at += x->cols();
  }
}

void ConcatenateLayer::backwardInputs(const std::vector<const Matrix*>& xs, const Matrix&, const Matrix& dy,
                                      const std::vector<Matrix*>& dxs) {
  long at = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (dxs[i]) *dxs[i] = dy.middleCols(at, xs[i]->cols());
    at += xs[i]->cols();
  }
}

}  // namespace mmlc::nn
