// Flatten/Reshape shape inference and the Transpose gather/scatter.
#include "nn/ShapeLayers.h"

#include <algorithm>

#include "nn/Error.h"

namespace mmlc::nn {

Shape ReshapeLayer::configure(const Shape& input, Random&) {
  if (spec_.kind == "Flatten") return Shape{static_cast<int>(input.size())};
  std::vector<int> dims = spec_.dims;
  long known = 1;
  int inferred = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred >= 0) throw Error("Reshape '" + spec_.name + "' has more than one -1 dimension");
      inferred = static_cast<int>(i);
    } else if (dims[i] <= 0) {
      throw Error("Reshape '" + spec_.name + "' has a non-positive dimension");
    } else {
      known *= dims[i];
    }
  }
  if (inferred >= 0) {
    if (input.size() % known) throw Error("Reshape '" + spec_.name + "' cannot infer -1 for " + input.str());
    dims[inferred] = static_cast<int>(input.size() / known);
  }
  Shape out(dims);
  if (out.size() != input.size() || dims.empty() || dims.size() > 3)
    throw Error("Reshape '" + spec_.name + "' cannot turn " + input.str() + " into " + out.str());
  return out;
}

Shape TransposeLayer::configure(const Shape& input, Random&) {
  const auto& p = spec_.perm;
  const int r = input.rank();
  std::vector<int> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < static_cast<int>(sorted.size()); ++i)
    if (sorted[i] != i || static_cast<int>(p.size()) != r)
      throw Error("Transpose '" + spec_.name + "' has permutation that does not fit input " + input.str());
  std::vector<int> outDims(r);
  for (int i = 0; i < r; ++i) outDims[i] = input.dims[p[i]];
  // Input strides in C order, then walk the output in C order.
  std::vector<long> inStride(r, 1);
  for (int i = r - 2; i >= 0; --i) inStride[i] = inStride[i + 1] * input.dims[i + 1];
  sourceIndex_.assign(input.size(), 0);
  std::vector<int> idx(r, 0);
  for (long o = 0; o < input.size(); ++o) {
    long src = 0;
    for (int i = 0; i < r; ++i) src += idx[i] * inStride[p[i]];
    sourceIndex_[o] = src;
    for (int i = r - 1; i >= 0; --i) {
      if (++idx[i] < outDims[i]) break;
      idx[i] = 0;
    }
  }
  return Shape(outDims);
}

void TransposeLayer::forward(const Matrix& x, Matrix& y, bool) {
  y.resize(x.rows(), x.cols());
  for (long r = 0; r < x.rows(); ++r)
    for (long o = 0; o < x.cols(); ++o) y(r, o) = x(r, sourceIndex_[o]);
}

void TransposeLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  dx.resize(x.rows(), x.cols());
  for (long r = 0; r < x.rows(); ++r)
    for (long o = 0; o < x.cols(); ++o) dx(r, sourceIndex_[o]) = dy(r, o);
}

}  // namespace mmlc::nn
