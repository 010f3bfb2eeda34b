// In-memory data set (features + class labels or regression targets) and the transforms on it.
#pragma once
#include <string>
#include <vector>

#include "nn/Tensor.h"

namespace mmlc::nn {

struct Dataset {
  Matrix x;                             // samples x features (C order per sample)
  Shape shape;                          // per-sample shape of a row of x
  std::vector<int> labels;              // class index per sample (classification), else empty
  int numClasses = 0;
  std::vector<std::string> classNames;  // label text per class index, when the file had names
  std::vector<std::string> featureNames;
  Matrix targets;                       // regression targets (samples x outputs), else empty

  long size() const { return x.rows(); }
  // One-hot targets for classification, `targets` for regression.
  Matrix targetMatrix() const;
  Dataset subset(const std::vector<long>& rows) const;
  Dataset head(long n) const;
};

Matrix oneHot(const std::vector<int>& labels, int numClasses);

// Per-feature standardisation (x - mean) / std, fitted on training data and applied to any split.
struct Standardizer {
  Vector mean, scale;  // scale = 1/std (1 for constant features)
  void fit(const Matrix& x);
  void apply(Matrix& x) const;
};

struct DatasetSplit {
  Dataset train, validation, test;
};

// Stratified (per class, seeded) split; regression data sets are split by a plain seeded shuffle.
DatasetSplit stratifiedSplit(const Dataset& data, double validationFraction, double testFraction, uint64_t seed);

}  // namespace mmlc::nn

namespace mmlc::nn {
// Fills data.labels/numClasses/classNames from label text: classes sorted numerically when every
// label is a number, else lexically (or in `order` when given, e.g. an ARFF nominal declaration).
void encodeLabels(const std::vector<std::string>& text, Dataset& data, const std::vector<std::string>& order = {});
}  // namespace mmlc::nn
