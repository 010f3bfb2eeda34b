// Box-constrained L-BFGS (projected, backtracking Armijo) used to fit GP hyperparameters.
#pragma once

#include <functional>

#include <Eigen/Dense>

namespace mmlc::dse {

struct LbfgsResult {
  Eigen::VectorXd x;
  double value = 0;
  int iterations = 0;
};

// Minimises f; f(x, gradient) returns the value and fills the gradient. A non-finite value makes
// the line search back off, so f may fail (e.g. a Cholesky that breaks) by returning +inf.
LbfgsResult minimiseLbfgs(const std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>& f,
                          Eigen::VectorXd x, const Eigen::VectorXd& lower,
                          const Eigen::VectorXd& upper, int maxIterations, int memory = 7);

}  // namespace mmlc::dse
