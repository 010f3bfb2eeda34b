// NumPy .npy reader (format 1.0-3.0): float32/float64/signed and unsigned ints, C order, little-endian.
#pragma once
#include <string>
#include <vector>

#include "nn/Dataset.h"

namespace mmlc::nn {

struct NpyArray {
  std::vector<long> shape;
  std::vector<float> values;  // converted to float, C order
};

// Throws Error naming the file for bad magic, unsupported dtype, Fortran order or truncation.
NpyArray readNpy(const std::string& path);
// Features from xPath (first axis = samples, the rest = per-sample shape, at most 3 dims) and integer
// class labels (1-D) or regression targets (float, 1-D/2-D) from yPath.
Dataset loadNpyDataset(const std::string& xPath, const std::string& yPath);
// Writes a float32 C-order .npy (tests and tools produce fixtures with it).
void writeNpy(const std::string& path, const std::vector<long>& shape, const std::vector<float>& values);

}  // namespace mmlc::nn
