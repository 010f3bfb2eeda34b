// Metric computations from a confusion matrix.
#include "nn/Metrics.h"

#include "nn/Error.h"

namespace mmlc::nn {

std::vector<int> predictedClasses(const Matrix& out) {
  std::vector<int> cls(out.rows());
  for (long r = 0; r < out.rows(); ++r) {
    if (out.cols() == 1) {
      cls[r] = out(r, 0) > 0.5f ? 1 : 0;
    } else {
      Eigen::Index at;
      out.row(r).maxCoeff(&at);
      cls[r] = static_cast<int>(at);
    }
  }
  return cls;
}

std::vector<int> targetClasses(const Matrix& t) { return predictedClasses(t); }

ClassificationReport classificationReport(const std::vector<int>& truth, const std::vector<int>& pred, int n) {
  if (truth.size() != pred.size()) throw Error("classification report: label and prediction counts differ");
  ClassificationReport r;
  r.numClasses = n;
  r.confusion.assign(n, std::vector<long>(n, 0));
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= n || pred[i] < 0 || pred[i] >= n)
      throw Error("classification report: class index out of range");
    ++r.confusion[truth[i]][pred[i]];
  }
  r.precision.assign(n, 0);
  r.recall.assign(n, 0);
  r.f1.assign(n, 0);
  r.support.assign(n, 0);
  long correct = 0;
  int present = 0;
  double recallSum = 0;
  for (int c = 0; c < n; ++c) {
    long predictedAs = 0;
    for (int t = 0; t < n; ++t) {
      r.support[c] += r.confusion[c][t];
      predictedAs += r.confusion[t][c];
    }
    const long tp = r.confusion[c][c];
    correct += tp;
    r.precision[c] = predictedAs ? static_cast<double>(tp) / predictedAs : 0.0;
    r.recall[c] = r.support[c] ? static_cast<double>(tp) / r.support[c] : 0.0;
    const double pr = r.precision[c] + r.recall[c];
    r.f1[c] = pr > 0 ? 2 * r.precision[c] * r.recall[c] / pr : 0.0;
    if (r.support[c]) {
      ++present;
      recallSum += r.recall[c];
    }
  }
  r.accuracy = truth.empty() ? 0.0 : static_cast<double>(correct) / truth.size();
  r.balancedAccuracy = present ? recallSum / present : 0.0;
  return r;
}

static int classCount(const Matrix& m) { return m.cols() == 1 ? 2 : static_cast<int>(m.cols()); }

double accuracy(const Matrix& out, const Matrix& target) {
  return classificationReport(targetClasses(target), predictedClasses(out), classCount(target)).accuracy;
}

double balancedAccuracy(const Matrix& out, const Matrix& target) {
  return classificationReport(targetClasses(target), predictedClasses(out), classCount(target)).balancedAccuracy;
}

}  // namespace mmlc::nn
