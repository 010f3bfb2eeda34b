// Projected L-BFGS: two-loop recursion for the direction, projection onto the box, Armijo steps.
#include "dse/Lbfgs.h"

#include <cmath>
#include <deque>

namespace mmlc::dse {

LbfgsResult minimiseLbfgs(const std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>& f,
                          Eigen::VectorXd x, const Eigen::VectorXd& lower,
                          const Eigen::VectorXd& upper, int maxIterations, int memory) {
  const Eigen::Index n = x.size();
  x = x.cwiseMax(lower).cwiseMin(upper);
  Eigen::VectorXd g(n), gNew(n);
  double fx = f(x, g);
  LbfgsResult result{x, fx, 0};
  if (!std::isfinite(fx)) return result;
  std::deque<Eigen::VectorXd> s, y;
  std::deque<double> rho;
  for (int it = 0; it < maxIterations; ++it) {
    // Gradient of the box-projected problem: components pushing out of the box are inactive.
    Eigen::VectorXd pg = g;
    for (Eigen::Index i = 0; i < n; ++i)
      if ((x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0)) pg[i] = 0;
    if (pg.lpNorm<Eigen::Infinity>() < 1e-6) break;

    Eigen::VectorXd q = pg;
    std::vector<double> alpha(s.size());
    for (int i = int(s.size()) - 1; i >= 0; --i) {
      alpha[i] = rho[i] * s[i].dot(q);
      q -= alpha[i] * y[i];
    }
    double gamma = s.empty() ? 1.0 / std::max(1.0, pg.norm()) : s.back().dot(y.back()) / y.back().squaredNorm();
    Eigen::VectorXd d = gamma * q;
    for (std::size_t i = 0; i < s.size(); ++i) {
      double beta = rho[i] * y[i].dot(d);
      d += s[i] * (alpha[i] - beta);
    }
    d = -d;
    for (Eigen::Index i = 0; i < n; ++i)
      if (pg[i] == 0) d[i] = 0;
    if (d.dot(pg) >= 0) {  // not a descent direction: restart from steepest descent
      s.clear(); y.clear(); rho.clear();
      d = -pg / std::max(1.0, pg.norm());
    }

    double step = 1.0, fNew = 0;
    Eigen::VectorXd xNew(n);
    bool accepted = false;
    for (int ls = 0; ls < 30; ++ls) {
      xNew = (x + step * d).cwiseMax(lower).cwiseMin(upper);
      fNew = f(xNew, gNew);
      if (std::isfinite(fNew) && fNew <= fx + 1e-4 * g.dot(xNew - x)) { accepted = true; break; }
      step *= 0.5;
    }
    result.iterations = it + 1;
    if (!accepted) break;
    Eigen::VectorXd sk = xNew - x, yk = gNew - g;
    double sy = sk.dot(yk);
    double improvement = fx - fNew;
    x = xNew; g = gNew; fx = fNew;
    if (sy > 1e-12) {
      s.push_back(sk); y.push_back(yk); rho.push_back(1.0 / sy);
      if (int(s.size()) > memory) { s.pop_front(); y.pop_front(); rho.pop_front(); }
    }
    if (improvement < 1e-9 * std::max(1.0, std::abs(fx))) break;
  }
  result.x = x;
  result.value = fx;
  return result;
}

}  // namespace mmlc::dse
