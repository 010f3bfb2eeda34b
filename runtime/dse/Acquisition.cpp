// Stable evaluation of log EI and log Phi: asymptotic series where the direct formulas underflow.
#include "dse/Acquisition.h"

#include <algorithm>
#include <cmath>

namespace mmlc::dse {

namespace {
constexpr double kInvSqrtPi = 0.56418958354775628695;
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kHalfLog2Pi = 0.91893853320467274178;
constexpr double kHalfLogPiOver2 = 0.22579135264472743236;

double log1mexp(double x) {  // log(1 - e^x) for x < 0
  return x > -0.6931471805599453 ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x));
}
}  // namespace

double erfcx(double x) {
  if (x < 5.0) return std::exp(x * x) * std::erfc(x);
  // Continued fraction erfcx(x) = 1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
  // evaluated backwards; converges quickly for x >= 5.
  double t = x;
  for (int k = 60; k >= 1; --k) t = x + 0.5 * k / t;
  return kInvSqrtPi / t;
}

double logNormalCdf(double z) {
  if (z > 0) return std::log1p(-0.5 * std::erfc(z * kInvSqrt2));
  if (z > -5) return std::log(0.5 * std::erfc(-z * kInvSqrt2));
  return std::log(0.5 * erfcx(-z * kInvSqrt2)) - 0.5 * z * z;
}

double logExpectedImprovementStandard(double z) {
  if (z > -1) {
    double cdf = 0.5 * std::erfc(-z * kInvSqrt2);
    double pdf = std::exp(-0.5 * z * z - kHalfLog2Pi);
    return std::log(pdf + z * cdf);
  }
  if (z > -40) {
    // h(z) = phi(z) (1 - |z| erfcx(|z|/sqrt2) sqrt(pi/2)) with the exponential factored out.
    double a = std::log(erfcx(-z * kInvSqrt2) * -z) + kHalfLogPiOver2;
    return -0.5 * z * z - kHalfLog2Pi + log1mexp(a);
  }
  // h(z) ~ phi(z)/z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8).
  double w = 1.0 / (z * z);
  double series = 1 - 3 * w + 15 * w * w - 105 * w * w * w + 945 * w * w * w * w;
  return -0.5 * z * z - kHalfLog2Pi + std::log(w) + std::log(series);
}

Eigen::VectorXd LogExpectedImprovement::operator()(const Eigen::VectorXd& mean,
                                                  const Eigen::VectorXd& variance) const {
  Eigen::VectorXd out(mean.size());
  for (Eigen::Index i = 0; i < mean.size(); ++i) {
    double sd = std::sqrt(variance[i]);
    out[i] = std::log(sd) + logExpectedImprovementStandard((best - mean[i]) / sd);
  }
  return out;
}

Eigen::VectorXd LogProbabilityBelow::operator()(const Eigen::VectorXd& mean,
                                               const Eigen::VectorXd& variance) const {
  Eigen::VectorXd out(mean.size());
  for (Eigen::Index i = 0; i < mean.size(); ++i)
    out[i] = logNormalCdf((threshold - mean[i]) / std::sqrt(variance[i]));
  return out;
}

namespace {
// log E[(c - Y)^+] for Y ~ N(mean, sd^2).
double logPositivePart(double c, double mean, double sd) {
  return std::log(sd) + logExpectedImprovementStandard((c - mean) / sd);
}
double logAddExp(double a, double b) {
  if (a == -INFINITY) return b;
  if (b == -INFINITY) return a;
  double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}
}  // namespace

double LogExpectedHypervolumeImprovement2d::operator()(double mean1, double sd1, double mean2,
                                                      double sd2) const {
  // Strip i spans f1 in [a_i, a_{i+1}) and lies below b_i: a_0 = -inf, a_{k+1} = r1, b_0 = r2.
  const std::size_t k = front.size();
  double total = -INFINITY;
  double logLeft = -INFINITY;  // log E[(a_i - Y1)^+], zero for a_0 = -inf
  for (std::size_t i = 0; i <= k; ++i) {
    double right = i < k ? front[i][0] : reference[0];
    double b = i == 0 ? reference[1] : front[i - 1][1];
    double logRight = logPositivePart(right, mean1, sd1);
    if (logRight > logLeft) {
      double width = logLeft == -INFINITY ? logRight : logRight + log1mexp(logLeft - logRight);
      total = logAddExp(total, width + logPositivePart(b, mean2, sd2));
    }
    logLeft = logRight;
  }
  return total;
}

std::vector<std::array<double, 2>> LogExpectedHypervolumeImprovement2d::frontOf(
    std::vector<std::array<double, 2>> points, const std::array<double, 2>& reference) {
  std::sort(points.begin(), points.end());
  std::vector<std::array<double, 2>> out;
  for (const auto& p : points) {
    if (!(p[0] < reference[0] && p[1] < reference[1])) continue;
    if (!out.empty() && p[1] >= out.back()[1]) continue;  // dominated (or equal) by a point left of it
    out.push_back(p);
  }
  return out;
}

}  // namespace mmlc::dse
