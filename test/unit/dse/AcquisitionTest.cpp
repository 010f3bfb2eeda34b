// Tests of the numerically stable log-EI, log-Phi and two-objective log-EHVI.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dse/Acquisition.h"

using namespace mmlc::dse;

namespace {
double naiveLogEi(double z) {
  double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
  return std::log(pdf + z * cdf);
}
}  // namespace

TEST(Acquisition, LogEiMatchesDirectFormulaWhereThatIsAccurate) {
  for (double z : {3.0, 1.0, 0.0, -0.5, -1.0, -2.0, -5.0, -10.0, -20.0})
    EXPECT_NEAR(logExpectedImprovementStandard(z), naiveLogEi(z), 1e-9 * std::max(1.0, std::abs(naiveLogEi(z))))
        << "z=" << z;
}

TEST(Acquisition, LogEiStaysFiniteAndMonotoneFarInTheTail) {
  double previous = logExpectedImprovementStandard(-1.0);
  for (double z = -1.5; z > -1e4; z *= 1.3) {
    double v = logExpectedImprovementStandard(z);
    ASSERT_TRUE(std::isfinite(v)) << "z=" << z;
    EXPECT_LT(v, previous) << "z=" << z;
    previous = v;
  }
  // Continuity across the branch points of the implementation.
  for (double z : {-1.0, -40.0})
    EXPECT_NEAR(logExpectedImprovementStandard(z - 1e-9), logExpectedImprovementStandard(z + 1e-9), 1e-6);
  // Asymptote: log h(z) ~ -z^2/2 - log(sqrt(2 pi)) - 2 log|z|.
  double z = -1e3;
  EXPECT_NEAR(logExpectedImprovementStandard(z), -0.5 * z * z - 0.5 * std::log(2 * M_PI) - 2 * std::log(-z), 1e-5);
}

TEST(Acquisition, LogNormalCdfAndErfcx) {
  for (double z : {2.0, 0.0, -3.0, -6.0, -20.0})
    EXPECT_NEAR(logNormalCdf(z), std::log(0.5 * std::erfc(-z / std::sqrt(2.0))), 1e-9 * std::max(1.0, z * z));
  EXPECT_TRUE(std::isfinite(logNormalCdf(-100)));
  EXPECT_NEAR(erfcx(5.0 - 1e-12), erfcx(5.0 + 1e-12), 1e-10);
  EXPECT_NEAR(erfcx(30.0) * 30.0 * std::sqrt(M_PI), 1.0, 1e-3);
}

TEST(Acquisition, PolicyObjectsCombineMeanAndVariance) {
  Eigen::VectorXd mean(2), var(2);
  mean << 0.0, 1.0;
  var << 1.0, 1.0;
  Eigen::VectorXd ei = LogExpectedImprovement{0.0}(mean, var);
  EXPECT_GT(ei[0], ei[1]);  // lower mean, same uncertainty: more improvement expected
  Eigen::VectorXd pf = LogProbabilityBelow{0.0}(mean, var);
  EXPECT_NEAR(pf[0], std::log(0.5), 1e-12);
}

TEST(Acquisition, TwoObjectiveEhviMatchesMonteCarlo) {
  using Ehvi = LogExpectedHypervolumeImprovement2d;
  std::array<double, 2> ref = {4, 4};
  Ehvi ehvi{Ehvi::frontOf({{1, 3}, {2, 2}, {3, 1}, {3.5, 3.5}, {5, 0}}, ref), ref};
  ASSERT_EQ(ehvi.front.size(), 3u);
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  auto improvement = [&](double y1, double y2) {
    double hv = 0;  // area of [y1, r1] x [y2, r2] not dominated by the front, by strips
    std::vector<double> a = {-1e9, 1, 2, 3, 4}, b = {4, 3, 2, 1};
    for (std::size_t i = 0; i + 1 < a.size(); ++i)
      hv += std::max(0.0, a[i + 1] - std::max(y1, a[i])) * std::max(0.0, b[i] - y2);
    return hv;
  };
  for (auto [m1, s1, m2, s2] : std::vector<std::array<double, 4>>{
           {1.5, 0.5, 1.5, 0.5}, {2.5, 1.0, 3.0, 0.3}, {0.0, 0.2, 3.9, 0.2}, {3.0, 0.5, 3.0, 0.5}}) {
    double sum = 0;
    const int samples = 400000;
    for (int s = 0; s < samples; ++s) sum += improvement(m1 + s1 * normal(rng), m2 + s2 * normal(rng));
    double mc = sum / samples;
    EXPECT_NEAR(std::exp(ehvi(m1, s1, m2, s2)), mc, 0.01 * mc + 1e-3) << m1 << " " << m2;
  }
  // Far behind the front the improvement is astronomically small but its log stays finite.
  double far = ehvi(30, 0.1, 30, 0.1);
  EXPECT_TRUE(std::isfinite(far));
  EXPECT_LT(far, -1000);
}
