// Activation/parameter storage: row-major float matrices (batch x features) and per-sample shapes.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

namespace mmlc::nn {

// Rows are samples, columns are the flattened per-sample tensor (channels-first, C order),
// so dense layers are a single GEMM and conv layers see each sample as one contiguous row.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::Matrix<float, 1, Eigen::Dynamic, Eigen::RowMajor>;

// Per-sample tensor dimensions (the batch dimension is implicit); rank 1..3.
// Conv/pool layers read rank 3 as (C, H, W) and rank 2 as (C, L).
struct Shape {
  std::vector<int> dims;
  Shape() = default;
  Shape(std::initializer_list<int> d) : dims(d) {}
  explicit Shape(std::vector<int> d) : dims(std::move(d)) {}
  int rank() const { return static_cast<int>(dims.size()); }
  long size() const {
    long n = 1;
    for (int d : dims) n *= d;
    return n;
  }
  bool operator==(const Shape& o) const { return dims == o.dims; }
  bool operator!=(const Shape& o) const { return dims != o.dims; }
  std::string str() const {
    std::string s = "(";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
    return s + ")";
  }
};

}  // namespace mmlc::nn
