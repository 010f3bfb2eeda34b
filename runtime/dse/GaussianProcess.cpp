// Gaussian-process regression with incremental Cholesky updates and MAP hyperparameter fitting.
#include "dse/GaussianProcess.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dse/Lbfgs.h"

namespace mmlc::dse {

namespace {

constexpr double kSqrt5 = 2.23606797749978969640;
constexpr double kLog2Pi = 1.83787706640934548356;

// Bounds of the packed log-hyperparameters; they keep the kernel matrix factorable.
constexpr double kLogLengthMin = -4.6, kLogLengthMax = 4.6;  // 0.01 .. 100 on the unit cube
constexpr double kLogSignalMin = -3.0, kLogSignalMax = 3.0;
constexpr double kLogNoiseMin = -23.0, kLogNoiseMax = 0.0;  // 1e-10 .. 1 (standardised outputs)
constexpr double kJitter = 1e-9;  // added to the kernel diagonal everywhere, for conditioning

// Squared distances between the rows of A and B given their squared row norms.
Eigen::MatrixXd squaredDistances(const RowMatrix& a, const Eigen::VectorXd& aNorm,
                                 const RowMatrix& b, const Eigen::VectorXd& bNorm) {
  Eigen::MatrixXd d = -2.0 * (a * b.transpose());
  d.colwise() += aNorm;
  d.rowwise() += bNorm.transpose();
  return d.cwiseMax(0.0);
}

}  // namespace

double Matern52::value(double r) {
  return (1.0 + kSqrt5 * r + (5.0 / 3.0) * r * r) * std::exp(-kSqrt5 * r);
}

FeatureMap::FeatureMap(const SearchSpace& space) : dims_(space.size()) {
  for (std::size_t i = 0; i < space.size(); ++i) {
    firstFeature_.push_back(owner_.size());
    bool cat = space[i].kind == ParameterKind::Categorical;
    categorical_.push_back(cat);
    std::size_t width = cat ? space[i].categories.size() : 1;
    for (std::size_t k = 0; k < width; ++k) {
      owner_.push_back(i);
      weight_.push_back(1.0);
    }
  }
}

void FeatureMap::expand(const double* e, double* f) const {
  static const double kInvSqrt2 = 0.70710678118654752440;
  for (std::size_t i = 0; i < dims_; ++i) {
    std::size_t first = firstFeature_[i];
    if (!categorical_[i]) {
      f[first] = e[i];
      continue;
    }
    std::size_t width = (i + 1 < dims_ ? firstFeature_[i + 1] : owner_.size()) - first;
    for (std::size_t k = 0; k < width; ++k) f[first + k] = 0.0;
    std::size_t idx = std::min(std::size_t(std::max(0.0, std::round(e[i]))), width - 1);
    f[first + idx] = kInvSqrt2;
  }
}

RowMatrix FeatureMap::expand(const RowMatrix& encoded) const {
  RowMatrix f(encoded.rows(), features());
  for (Eigen::Index r = 0; r < encoded.rows(); ++r) expand(encoded.row(r).data(), f.row(r).data());
  return f;
}

GpHyperPrior GpHyperPrior::forDims(std::size_t dims) {
  // Longer lengthscales in more dimensions keep the prior complexity of the model roughly
  // constant as d grows (the argument of Hvarfner et al., 2024), with a wide spread.
  GpHyperPrior p;
  p.lengthscaleMean = std::log(0.5) + 0.5 * std::log(double(std::max<std::size_t>(dims, 1)));
  p.lengthscaleStd = 1.5;
  return p;
}

GaussianProcess::GaussianProcess(const FeatureMap& map) : map_(&map) {
  setHyperparameters(defaultHyperparameters(map));
}

void GaussianProcess::setHyperparameters(const Eigen::VectorXd& theta) {
  const std::size_t d = map_->dims();
  theta_ = theta;
  inverseScale_.resize(Eigen::Index(map_->features()));
  for (std::size_t c = 0; c < map_->features(); ++c)
    inverseScale_[Eigen::Index(c)] = std::exp(-theta[Eigen::Index(map_->owner()[c])]);
  signal_ = std::exp(theta[Eigen::Index(d)]);
  noise_ = std::exp(theta[Eigen::Index(d + 1)]);
  n_ = 0;
  y_.resize(0);
  alpha_.resize(0);
}

void GaussianProcess::reserve(std::size_t capacity) {
  if (Eigen::Index(capacity) <= chol_.rows()) return;
  std::size_t grown = std::max<std::size_t>(capacity, std::size_t(chol_.rows()) * 2 + 16);
  scaled_.conservativeResize(Eigen::Index(grown), Eigen::Index(map_->features()));
  squaredNorm_.conservativeResize(Eigen::Index(grown));
  chol_.conservativeResize(Eigen::Index(grown), Eigen::Index(grown));
}

void GaussianProcess::scaleFeatures(const double* encoded, double* scaled) const {
  map_->expand(encoded, scaled);
  for (std::size_t c = 0; c < map_->features(); ++c) scaled[c] *= inverseScale_[Eigen::Index(c)];
}

void GaussianProcess::addInput(const double* encoded) {
  reserve(n_ + 1);
  const Eigen::Index n = Eigen::Index(n_);
  scaleFeatures(encoded, scaled_.row(n).data());
  double norm = scaled_.row(n).squaredNorm();
  squaredNorm_[n] = norm;
  Eigen::VectorXd l(static_cast<Eigen::Index>(n_));
  for (Eigen::Index i = 0; i < n; ++i) {
    double d2 = std::max(0.0, squaredNorm_[i] + norm - 2.0 * scaled_.row(i).dot(scaled_.row(n)));
    l[i] = signal_ * Matern52::value(std::sqrt(d2));
  }
  if (n > 0) chol_.topLeftCorner(n, n).triangularView<Eigen::Lower>().solveInPlace(l);
  // A near-duplicate input leaves almost nothing of the diagonal; the floor is the jitter that
  // keeps the factor positive definite without refactoring.
  double pivot = signal_ + noise_ + kJitter - l.squaredNorm();
  pivot = std::max(pivot, 1e-9 * (signal_ + noise_));
  chol_.block(n, 0, 1, n) = l.transpose();
  chol_(n, n) = std::sqrt(pivot);
  ++n_;
}

void GaussianProcess::setTargets(const Eigen::VectorXd& y) {
  y_ = y;
  const Eigen::Index n = Eigen::Index(n_);
  alpha_ = y_;
  auto lower = chol_.topLeftCorner(n, n).triangularView<Eigen::Lower>();
  lower.solveInPlace(alpha_);
  lower.transpose().solveInPlace(alpha_);
}

void GaussianProcess::addObservation(const double* encoded, double y) {
  addInput(encoded);
  Eigen::VectorXd targets(static_cast<Eigen::Index>(n_));
  targets.head(Eigen::Index(n_) - 1) = y_;
  targets[Eigen::Index(n_) - 1] = y;
  setTargets(targets);
}

void GaussianProcess::predict(const RowMatrix& encoded, Eigen::VectorXd& mean,
                              Eigen::VectorXd& variance) const {
  const Eigen::Index m = encoded.rows(), n = Eigen::Index(n_), p = Eigen::Index(map_->features());
  mean.setZero(m);
  variance.setConstant(m, signal_);
  if (n == 0) return;
  // Buffers only grow: fresh m x n temporaries on every call cost more in page faults than the
  // arithmetic they hold.
  if (work_.x.rows() < m) work_.x.resize(m, p);
  if (work_.k.rows() < m || work_.k.cols() < n)
    work_.k.resize(std::max(m, Eigen::Index(work_.k.rows())), std::max(n, Eigen::Index(work_.k.cols())) * 2);
  if (work_.v.rows() < n || work_.v.cols() < m)
    work_.v.resize(std::max(n, Eigen::Index(work_.v.rows())) * 2, std::max(m, Eigen::Index(work_.v.cols())));
  auto x = work_.x.topRows(m);
  for (Eigen::Index r = 0; r < m; ++r) scaleFeatures(encoded.row(r).data(), x.row(r).data());
  Eigen::VectorXd xNorm = x.rowwise().squaredNorm();
  auto k = work_.k.topLeftCorner(m, n);
  k.noalias() = -2.0 * (x * scaled_.topRows(n).transpose());
  k.colwise() += xNorm;
  k.rowwise() += squaredNorm_.head(n).transpose();
  k.array() = k.array().max(0.0).sqrt();
  k.array() = signal_ * (1.0 + kSqrt5 * k.array() + (5.0 / 3.0) * k.array().square()) *
              (-kSqrt5 * k.array()).exp();
  mean.noalias() = k * alpha_;
  auto v = work_.v.topLeftCorner(n, m);
  v = k.transpose();
  chol_.topLeftCorner(n, n).triangularView<Eigen::Lower>().solveInPlace(v);
  variance = (signal_ - v.colwise().squaredNorm().array()).max(1e-12 * signal_).matrix().transpose();
}

Eigen::VectorXd defaultHyperparameters(const FeatureMap& map) {
  const std::size_t d = map.dims();
  Eigen::VectorXd theta(Eigen::Index(d + 2));
  GpHyperPrior prior = GpHyperPrior::forDims(d);
  theta.head(Eigen::Index(d)).setConstant(prior.lengthscaleMean);
  theta[Eigen::Index(d)] = 0.0;
  theta[Eigen::Index(d + 1)] = std::log(1e-4);
  return theta;
}

double negativeLogPosterior(const FeatureMap& map, const RowMatrix& features,
                            const Eigen::VectorXd& y, const Eigen::VectorXd& theta,
                            const GpHyperPrior& prior, Eigen::VectorXd* gradient) {
  const Eigen::Index n = features.rows(), p = features.cols();
  const std::size_t d = map.dims();
  Eigen::VectorXd invScale(p);
  for (Eigen::Index c = 0; c < p; ++c) invScale[c] = std::exp(-theta[Eigen::Index(map.owner()[std::size_t(c)])]);
  const double signal = std::exp(theta[Eigen::Index(d)]);
  const double noise = std::exp(theta[Eigen::Index(d + 1)]);

  RowMatrix scaled = features * invScale.asDiagonal();
  Eigen::VectorXd norms = scaled.rowwise().squaredNorm();
  Eigen::ArrayXXd r = squaredDistances(scaled, norms, scaled, norms).array().sqrt();
  Eigen::ArrayXXd e = (-kSqrt5 * r).exp();
  Eigen::MatrixXd kf = (signal * (1.0 + kSqrt5 * r + (5.0 / 3.0) * r.square()) * e).matrix();
  Eigen::MatrixXd k = kf;
  k.diagonal().array() += noise + kJitter;
  Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) return std::numeric_limits<double>::infinity();
  Eigen::VectorXd alpha = llt.solve(y);
  const auto& l = llt.matrixLLT();
  double logDet = 0;
  for (Eigen::Index i = 0; i < n; ++i) logDet += std::log(l(i, i));
  double value = 0.5 * y.dot(alpha) + logDet + 0.5 * double(n) * kLog2Pi;

  auto priorTerm = [](double x, double mean, double sd, double* g) {
    double z = (x - mean) / sd;
    *g = z / sd;
    return 0.5 * z * z;
  };
  Eigen::VectorXd priorGrad(theta.size());
  for (std::size_t j = 0; j < d; ++j)
    value += priorTerm(theta[Eigen::Index(j)], prior.lengthscaleMean, prior.lengthscaleStd,
                       &priorGrad[Eigen::Index(j)]);
  value += priorTerm(theta[Eigen::Index(d)], prior.signalMean, prior.signalStd,
                     &priorGrad[Eigen::Index(d)]);
  value += priorTerm(theta[Eigen::Index(d + 1)], prior.noiseMean, prior.noiseStd,
                     &priorGrad[Eigen::Index(d + 1)]);
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  if (!gradient) return value;

  // d(log ML)/d(theta) = 0.5 tr((alpha alpha^T - K^-1) dK/dtheta).
  Eigen::MatrixXd w = llt.solve(Eigen::MatrixXd::Identity(n, n));
  w = alpha * alpha.transpose() - w;
  // dK/dlog(l_j) = signal * 5/3 (1 + sqrt5 r) e^{-sqrt5 r} * D_j with D_j the dimension's part
  // of r^2; summing over pairs reduces to products with the feature columns.
  Eigen::MatrixXd m = (w.array() * (signal * (5.0 / 3.0) * (1.0 + kSqrt5 * r) * e)).matrix();
  Eigen::VectorXd rowSum = m.rowwise().sum();
  RowMatrix mf = m * features;
  Eigen::VectorXd perFeature =
      2.0 * (features.array().square().matrix().transpose() * rowSum) -
      2.0 * (features.array() * mf.array()).colwise().sum().matrix().transpose();
  Eigen::VectorXd g = Eigen::VectorXd::Zero(theta.size());
  for (Eigen::Index c = 0; c < p; ++c) {
    std::size_t j = map.owner()[std::size_t(c)];
    g[Eigen::Index(j)] += 0.5 * perFeature[c] * invScale[c] * invScale[c];
  }
  g[Eigen::Index(d)] = 0.5 * (w.array() * kf.array()).sum();
  g[Eigen::Index(d + 1)] = 0.5 * noise * w.trace();
  *gradient = -g + priorGrad;
  return value;
}

Eigen::VectorXd fitHyperparameters(const FeatureMap& map, const RowMatrix& encoded,
                                   const Eigen::VectorXd& y, Random& rng,
                                   const GpFitOptions& options) {
  const std::size_t d = map.dims();
  const Eigen::Index np = Eigen::Index(d + 2);
  GpHyperPrior prior = GpHyperPrior::forDims(d);
  RowMatrix features = map.expand(encoded);
  Eigen::VectorXd lower(np), upper(np);
  lower.head(Eigen::Index(d)).setConstant(kLogLengthMin);
  upper.head(Eigen::Index(d)).setConstant(kLogLengthMax);
  lower[Eigen::Index(d)] = kLogSignalMin;
  upper[Eigen::Index(d)] = kLogSignalMax;
  lower[Eigen::Index(d + 1)] = kLogNoiseMin;
  upper[Eigen::Index(d + 1)] = kLogNoiseMax;

  auto objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    return negativeLogPosterior(map, features, y, theta, prior, &grad);
  };
  // Screening: the log posterior (no gradient, one Cholesky) at several starts is cheap; only
  // the most promising ones get a full L-BFGS run.
  std::vector<std::pair<double, Eigen::VectorXd>> candidates;
  const int screened = std::max(options.screened, options.starts);
  for (int s = 0; s < screened; ++s) {
    Eigen::VectorXd start = defaultHyperparameters(map);
    if (s == 1) start.head(Eigen::Index(d)).setConstant(std::log(0.2));
    if (s >= 2) {
      for (std::size_t j = 0; j < d; ++j) start[Eigen::Index(j)] += rng.normal();
      start[Eigen::Index(d)] += 0.5 * rng.normal();
      start[Eigen::Index(d + 1)] += 2.0 * rng.normal();
    }
    start = start.cwiseMax(lower).cwiseMin(upper);
    candidates.push_back({negativeLogPosterior(map, features, y, start, prior, nullptr), start});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Eigen::VectorXd best = candidates.front().second;
  double bestValue = candidates.front().first;
  for (int s = 0; s < std::max(1, options.starts); ++s) {
    LbfgsResult r = minimiseLbfgs(objective, candidates[std::size_t(s)].second, lower, upper,
                                  options.iterations);
    if (r.value < bestValue) {
      bestValue = r.value;
      best = r.x;
    }
  }
  return best;
}

}  // namespace mmlc::dse
