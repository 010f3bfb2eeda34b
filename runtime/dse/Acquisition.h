// Acquisition functions (internal): numerically stable log expected improvement and log
// probability of feasibility, as policies over batched GP predictions.
#pragma once

#include <array>
#include <vector>

#include <Eigen/Dense>

namespace mmlc::dse {

// Scaled complementary error function exp(x^2) erfc(x), accurate for large x.
double erfcx(double x);
// log Phi(z) without underflow for very negative z.
double logNormalCdf(double z);
// log(phi(z) + z Phi(z)), the log of the standardised expected improvement, stable for z << 0
// (Ament et al., "Unexpected Improvements to Expected Improvement", 2023).
double logExpectedImprovementStandard(double z);

// log EI for minimisation below `best`, per predicted point.
struct LogExpectedImprovement {
  double best;
  Eigen::VectorXd operator()(const Eigen::VectorXd& mean, const Eigen::VectorXd& variance) const;
};

// log P(f(x) <= threshold), per predicted point: the feasibility of a constraint.
struct LogProbabilityBelow {
  double threshold;
  Eigen::VectorXd operator()(const Eigen::VectorXd& mean, const Eigen::VectorXd& variance) const;
};

// log expected hypervolume improvement for two minimised objectives with independent Gaussian
// predictions. The improvement splits into vertical strips between consecutive front points;
// in each the expectation factorises into E[(c - Y1)^+] differences times E[(b - Y2)^+], and
// each factor is sigma * h(z), the same h as EI, so the whole sum stays in log space.
struct LogExpectedHypervolumeImprovement2d {
  std::vector<std::array<double, 2>> front;  // non-dominated, f1 ascending, inside the reference
  std::array<double, 2> reference;
  double operator()(double mean1, double sd1, double mean2, double sd2) const;
  // Builds the sorted non-dominated front from points, dropping those outside the reference.
  static std::vector<std::array<double, 2>> frontOf(std::vector<std::array<double, 2>> points,
                                                    const std::array<double, 2>& reference);
};

}  // namespace mmlc::dse
