// Data set transforms: one-hot, row subsets, standardisation and stratified splitting.
#include "nn/Dataset.h"

#include <cmath>
#include <numeric>

#include "nn/Error.h"
#include "nn/Random.h"

namespace mmlc::nn {

Matrix oneHot(const std::vector<int>& labels, int numClasses) {
  Matrix m = Matrix::Zero(static_cast<long>(labels.size()), numClasses);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= numClasses)
      throw Error("one-hot: label " + std::to_string(labels[i]) + " outside [0, " + std::to_string(numClasses) + ")");
    m(static_cast<long>(i), labels[i]) = 1.0f;
  }
  return m;
}

Matrix Dataset::targetMatrix() const {
  if (!labels.empty()) return oneHot(labels, numClasses);
  return targets;
}

Dataset Dataset::subset(const std::vector<long>& rows) const {
  Dataset d;
  d.shape = shape;
  d.numClasses = numClasses;
  d.classNames = classNames;
  d.featureNames = featureNames;
  d.x.resize(static_cast<long>(rows.size()), x.cols());
  if (targets.size()) d.targets.resize(static_cast<long>(rows.size()), targets.cols());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= x.rows()) throw Error("data set subset: row index out of range");
    d.x.row(static_cast<long>(i)) = x.row(rows[i]);
    if (!labels.empty()) d.labels.push_back(labels[rows[i]]);
    if (targets.size()) d.targets.row(static_cast<long>(i)) = targets.row(rows[i]);
  }
  return d;
}

Dataset Dataset::head(long n) const {
  std::vector<long> rows(std::min(n, size()));
  std::iota(rows.begin(), rows.end(), 0);
  return subset(rows);
}

void Standardizer::fit(const Matrix& x) {
  if (x.rows() == 0) throw Error("standardiser: cannot fit on an empty matrix");
  const Eigen::RowVectorXd m = x.cast<double>().colwise().mean();
  Eigen::RowVectorXd var = (x.cast<double>().rowwise() - m).array().square().colwise().mean();
  mean = m.cast<float>();
  scale.resize(x.cols());
  for (long j = 0; j < x.cols(); ++j) scale(j) = var(j) > 1e-24 ? static_cast<float>(1.0 / std::sqrt(var(j))) : 1.0f;
}

void Standardizer::apply(Matrix& x) const {
  if (x.cols() != mean.size()) throw Error("standardiser: fitted on " + std::to_string(mean.size()) +
                                           " features, applied to " + std::to_string(x.cols()));
  x.array().rowwise() -= mean.array();
  x.array().rowwise() *= scale.array();
}

static void seededShuffle(std::vector<long>& v, Random& rng) {
  for (long i = static_cast<long>(v.size()) - 1; i > 0; --i) std::swap(v[i], v[rng.below(i + 1)]);
}

DatasetSplit stratifiedSplit(const Dataset& data, double valFraction, double testFraction, uint64_t seed) {
  if (valFraction < 0 || testFraction < 0 || valFraction + testFraction >= 1.0)
    throw Error("split fractions must be >= 0 and sum to less than 1");
  Random rng(seed);
  std::vector<std::vector<long>> groups;
  if (data.labels.empty()) {
    groups.emplace_back(data.size());
    std::iota(groups[0].begin(), groups[0].end(), 0);
  } else {
    if (static_cast<long>(data.labels.size()) != data.size()) throw Error("split: label count differs from sample count");
    groups.resize(data.numClasses);
    for (long i = 0; i < data.size(); ++i) {
      if (data.labels[i] < 0 || data.labels[i] >= data.numClasses)
        throw Error("split: label " + std::to_string(data.labels[i]) + " outside [0, " + std::to_string(data.numClasses) + ")");
      groups[data.labels[i]].push_back(i);
    }
  }
  std::vector<long> train, val, test;
  for (auto& g : groups) {
    seededShuffle(g, rng);
    const long nTest = std::lround(testFraction * g.size());
    const long nVal = std::lround(valFraction * g.size());
    for (long i = 0; i < static_cast<long>(g.size()); ++i)
      (i < nTest ? test : i < nTest + nVal ? val : train).push_back(g[i]);
  }
  // Interleave classes again so a split is not sorted by class.
  seededShuffle(train, rng);
  seededShuffle(val, rng);
  seededShuffle(test, rng);
  return {data.subset(train), data.subset(val), data.subset(test)};
}

}  // namespace mmlc::nn

#include <algorithm>
#include <cstdlib>
#include <map>

namespace mmlc::nn {

static bool parseNumber(const std::string& s, double& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

void encodeLabels(const std::vector<std::string>& text, Dataset& data, const std::vector<std::string>& order) {
  std::vector<std::string> classes = order;
  if (classes.empty()) {
    classes = text;
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    bool numeric = true;
    double v;
    for (auto& c : classes) numeric = numeric && parseNumber(c, v);
    if (numeric)
      std::sort(classes.begin(), classes.end(), [](const std::string& a, const std::string& b) {
        return std::strtod(a.c_str(), nullptr) < std::strtod(b.c_str(), nullptr);
      });
  }
  std::map<std::string, int> index;
  for (size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<int>(i);
  data.labels.clear();
  for (auto& t : text) {
    auto it = index.find(t);
    if (it == index.end()) throw Error("label '" + t + "' is not one of the declared classes");
    data.labels.push_back(it->second);
  }
  data.classNames = classes;
  data.numClasses = static_cast<int>(classes.size());
}

}  // namespace mmlc::nn
