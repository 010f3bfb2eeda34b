// Tests of the GP surrogate: marginal-likelihood gradient, incremental Cholesky, interpolation.
#include <gtest/gtest.h>

#include <cmath>

#include "dse/GaussianProcess.h"
#include "dse/QuasiRandom.h"

using namespace mmlc::dse;

namespace {

SearchSpace mixed() {
  return SearchSpace({Parameter::real("a", 0, 1), Parameter::integer("b", 0, 7),
                      Parameter::categorical("c", {"x", "y", "z"}), Parameter::real("d", 1, 100, Scale::Log)});
}

RowMatrix samples(const SearchSpace& space, std::size_t n, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix x(Eigen::Index(n), Eigen::Index(space.size()));
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> u(space.size());
    for (auto& v : u) v = rng.uniform();
    auto e = space.fromUnit(u);
    for (std::size_t j = 0; j < e.size(); ++j) x(Eigen::Index(i), Eigen::Index(j)) = e[j];
  }
  return x;
}

Eigen::VectorXd targets(const RowMatrix& x) {
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    y[i] = std::sin(6 * x(i, 0)) + 0.3 * x(i, 1) + (x(i, 2) == 1 ? 0.5 : 0.0) - x(i, 3);
  return (y.array() - y.mean()).matrix();
}

}  // namespace

TEST(GaussianProcess, LogPosteriorGradientMatchesFiniteDifferences) {
  SearchSpace space = mixed();
  FeatureMap map(space);
  RowMatrix x = samples(space, 25, 3);
  Eigen::VectorXd y = targets(x);
  RowMatrix f = map.expand(x);
  GpHyperPrior prior = GpHyperPrior::forDims(space.size());
  Eigen::VectorXd theta(6);
  theta << -1.0, 0.3, -0.5, 0.2, 0.1, -4.0;
  Eigen::VectorXd grad;
  double v = negativeLogPosterior(map, f, y, theta, prior, &grad);
  ASSERT_TRUE(std::isfinite(v));
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    Eigen::VectorXd tp = theta, tm = theta;
    tp[k] += 1e-5;
    tm[k] -= 1e-5;
    double fd = (negativeLogPosterior(map, f, y, tp, prior, nullptr) -
                 negativeLogPosterior(map, f, y, tm, prior, nullptr)) / 2e-5;
    EXPECT_NEAR(grad[k], fd, 1e-4 * std::max(1.0, std::abs(fd))) << "parameter " << k;
  }
}

TEST(GaussianProcess, IncrementalCholeskyMatchesBatchPrediction) {
  SearchSpace space = mixed();
  FeatureMap map(space);
  RowMatrix x = samples(space, 30, 5);
  Eigen::VectorXd y = targets(x);
  GaussianProcess gp(map);
  Eigen::VectorXd theta(6);
  theta << -1.0, 0.3, -0.5, 0.2, 0.1, -6.0;
  gp.setHyperparameters(theta);
  for (Eigen::Index i = 0; i < x.rows(); ++i) gp.addInput(x.row(i).data());
  gp.setTargets(y);
  // Reference: dense solve of the same system.
  RowMatrix f = map.expand(x);
  Eigen::VectorXd inv(f.cols());
  for (Eigen::Index c = 0; c < f.cols(); ++c) inv[c] = std::exp(-theta[Eigen::Index(map.owner()[std::size_t(c)])]);
  RowMatrix s = f * inv.asDiagonal();
  Eigen::MatrixXd k(x.rows(), x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index j = 0; j < x.rows(); ++j)
      k(i, j) = std::exp(theta[4]) * Matern52::value((s.row(i) - s.row(j)).norm());
  k.diagonal().array() += std::exp(theta[5]);
  RowMatrix q = samples(space, 7, 11);
  Eigen::VectorXd mean, var;
  gp.predict(q, mean, var);
  Eigen::LLT<Eigen::MatrixXd> llt(k);
  for (Eigen::Index r = 0; r < q.rows(); ++r) {
    Eigen::VectorXd kq(x.rows());
    Eigen::RowVectorXd fq = map.expand(RowMatrix(q.row(r))).row(0);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      kq[i] = std::exp(theta[4]) * Matern52::value(((fq.array() * inv.transpose().array()).matrix() - s.row(i)).norm());
    EXPECT_NEAR(mean[r], kq.dot(llt.solve(y)), 1e-8);
    EXPECT_NEAR(var[r], std::exp(theta[4]) - kq.dot(llt.solve(kq)), 1e-8);
  }
}

TEST(GaussianProcess, FittedModelInterpolatesSmoothFunction) {
  SearchSpace space({Parameter::real("a", 0, 1), Parameter::real("b", 0, 1)});
  FeatureMap map(space);
  RowMatrix x = samples(space, 40, 9);
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) y[i] = std::sin(5 * x(i, 0)) * std::cos(3 * x(i, 1));
  Random rng(1);
  Eigen::VectorXd theta = fitHyperparameters(map, x, y, rng, GpFitOptions{});
  GaussianProcess gp(map);
  gp.setHyperparameters(theta);
  for (Eigen::Index i = 0; i < x.rows(); ++i) gp.addInput(x.row(i).data());
  gp.setTargets(y);
  RowMatrix q = samples(space, 50, 77);
  Eigen::VectorXd mean, var;
  gp.predict(q, mean, var);
  double sum = 0;
  for (Eigen::Index r = 0; r < q.rows(); ++r)
    sum += std::abs(mean[r] - std::sin(5 * q(r, 0)) * std::cos(3 * q(r, 1)));
  EXPECT_LT(sum / double(q.rows()), 0.03);
}
