// The decision rule that scores a network's outputs against a data set: the class of the largest
// output (multi-class), one output against 0/1 labels (binary), or regression targets within a
// tolerance. Shared by the DNN evaluation, the bit-exact simulator, QUANTIZATION and csim.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>

namespace mmlc::hls {

struct OutputScoring {
  enum class Rule { Argmax, Threshold, Tolerance };
  Rule rule = Rule::Argmax;
  double threshold = 0.5;          // Threshold: class 1 when the output is above it (0.5 after a sigmoid, 0 on a logit)
  double tolerance = 0.1;          // Tolerance: right when |output - target| <= tolerance on every output
  const float* targets = nullptr;  // Tolerance: samples x outputs targets, row-major

  // Whether the `nOut` outputs `row` of sample `s` are right (`labels` for Argmax/Threshold).
  bool correct(const double* row, int nOut, size_t s, const int* labels) const {
    switch (rule) {
      case Rule::Threshold:
        return (row[0] > threshold ? 1 : 0) == labels[s];
      case Rule::Tolerance:
        for (int j = 0; j < nOut; ++j)
          if (!(std::abs(row[j] - static_cast<double>(targets[s * nOut + j])) <= tolerance)) return false;
        return true;
      case Rule::Argmax:
      default:
        return std::max_element(row, row + nOut) - row == labels[s];  // first maximum, like argmax
    }
  }

  // "argmax over 5 outputs", "threshold 0.5 on 1 output", "|output - target| <= 0.05 on 2 outputs".
  std::string describe(int nOut) const {
    char b[96];
    const std::string outputs = std::to_string(nOut) + (nOut == 1 ? " output" : " outputs");
    switch (rule) {
      case Rule::Threshold:
        std::snprintf(b, sizeof b, "threshold %g on ", threshold);
        return b + outputs;
      case Rule::Tolerance:
        std::snprintf(b, sizeof b, "|output - target| <= %.4g on ", tolerance);
        return b + outputs;
      case Rule::Argmax:
      default:
        return "argmax over " + outputs;
    }
  }
};

}  // namespace mmlc::hls
