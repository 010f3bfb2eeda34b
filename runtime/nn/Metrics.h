// Classification metrics: accuracy, class-balanced accuracy, confusion matrix and per-class P/R/F1.
#pragma once
#include <vector>

#include "nn/Tensor.h"

namespace mmlc::nn {

// Predicted class per row: argmax, or threshold 0.5 for a single output column.
std::vector<int> predictedClasses(const Matrix& output);
// Label per row of a one-hot (or single 0/1 column) target matrix.
std::vector<int> targetClasses(const Matrix& target);

struct ClassificationReport {
  int numClasses = 0;
  std::vector<std::vector<long>> confusion;  // [true][predicted]
  std::vector<double> precision, recall, f1;
  std::vector<long> support;
  double accuracy = 0;
  double balancedAccuracy = 0;  // mean recall over classes that occur in the labels
};

ClassificationReport classificationReport(const std::vector<int>& truth, const std::vector<int>& predicted,
                                          int numClasses);
double accuracy(const Matrix& output, const Matrix& target);
double balancedAccuracy(const Matrix& output, const Matrix& target);

}  // namespace mmlc::nn
