// A naive ONNX interpreter for tests: runs a model file in double precision on whole tensors
// (batch first, the file's own layout and initialisers), independently of the importer.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mmlc::nn::onnxref {

struct RefTensor {
  std::vector<int64_t> dims;
  std::vector<double> v;
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
};

// Runs the model at `path` on `input` (the graph input's shape, batch included) and returns the
// graph output. Throws std::runtime_error for an operator it does not know.
RefTensor runOnnxReference(const std::string& path, const RefTensor& input);
// The graph input's dims with the batch set to `batch` (a fixed batch in the file is kept).
std::vector<int64_t> onnxInputDims(const std::string& path, int64_t batch);

}  // namespace mmlc::nn::onnxref
