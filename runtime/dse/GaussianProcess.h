// Gaussian-process surrogate (internal, Eigen): Matérn-5/2 ARD kernel with a Hamming term for
// categoricals, incremental Cholesky, batched prediction and marginal-likelihood fitting.
#pragma once

#include <cstddef>
#include <vector>

#include <Eigen/Dense>

#include "dse/QuasiRandom.h"
#include "dse/SearchSpace.h"

namespace mmlc::dse {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Turns an encoded point into kernel features. Numeric dimensions pass through; a categorical
// becomes a one-hot block scaled by 1/sqrt(2), so that its squared Euclidean distance is the
// Hamming distance (0 or 1). The whole kernel then reduces to dense matrix products.
class FeatureMap {
 public:
  explicit FeatureMap(const SearchSpace& space);
  std::size_t dims() const { return dims_; }
  std::size_t features() const { return owner_.size(); }
  // Dimension each feature belongs to, and the weight of its squared difference (1 or 1/2).
  const std::vector<std::size_t>& owner() const { return owner_; }
  const std::vector<double>& weight() const { return weight_; }
  void expand(const double* encoded, double* features) const;
  RowMatrix expand(const RowMatrix& encoded) const;

 private:
  std::size_t dims_ = 0;
  std::vector<std::size_t> owner_;
  std::vector<double> weight_;
  std::vector<std::size_t> firstFeature_;
  std::vector<bool> categorical_;
};

// Packed hyperparameters: [log lengthscale per dimension..., log signal variance, log noise].
struct GpHyperPrior {
  double lengthscaleMean = 0, lengthscaleStd = 1.7320508;  // of log lengthscale
  double signalMean = 0, signalStd = 1.0;                  // of log signal variance
  // Nearly noise-free by default: design metrics are deterministic, and the tiny floor lets the
  // model resolve the small differences near an optimum that decide the last digits.
  double noiseMean = -20.0, noiseStd = 3.0;                // of log noise variance
  static GpHyperPrior forDims(std::size_t dims);
};

// Matérn-5/2 profile as a function of the scaled distance r.
struct Matern52 {
  static double value(double r);
};

class GaussianProcess {
 public:
  explicit GaussianProcess(const FeatureMap& map);

  void setHyperparameters(const Eigen::VectorXd& theta);  // clears the data
  const Eigen::VectorXd& hyperparameters() const { return theta_; }
  std::size_t size() const { return n_; }

  // Appends an input, extending the Cholesky factor by one row (O(n^2)).
  void addInput(const double* encoded);
  // Sets the (already standardised) targets of all inputs and solves for the weights.
  void setTargets(const Eigen::VectorXd& y);
  // Appends an input with its target (fantasies for batch suggestions).
  void addObservation(const double* encoded, double y);

  void predict(const RowMatrix& encoded, Eigen::VectorXd& mean, Eigen::VectorXd& variance) const;
  double signalVariance() const { return signal_; }

 private:
  void scaleFeatures(const double* encoded, double* scaled) const;
  void reserve(std::size_t capacity);

  const FeatureMap* map_;
  Eigen::VectorXd theta_;
  Eigen::VectorXd inverseScale_;  // per feature
  double signal_ = 1, noise_ = 1e-6;
  std::size_t n_ = 0;
  RowMatrix scaled_;              // capacity x features
  Eigen::VectorXd squaredNorm_;   // per stored input
  Eigen::MatrixXd chol_;          // capacity x capacity, lower triangle used
  Eigen::VectorXd y_, alpha_;
  struct Workspace {
    RowMatrix x;
    Eigen::MatrixXd k, v;
    // Scratch is never copied: a copy keeps (or lazily grows) its own buffers.
    Workspace() = default;
    Workspace(const Workspace&) {}
    Workspace& operator=(const Workspace&) { return *this; }
  };
  mutable Workspace work_;  // prediction scratch; not shared between threads
};

// Negative log posterior of the hyperparameters (negative log marginal likelihood minus log
// prior) and its gradient; +inf when the kernel matrix cannot be factored.
double negativeLogPosterior(const FeatureMap& map, const RowMatrix& features,
                            const Eigen::VectorXd& y, const Eigen::VectorXd& theta,
                            const GpHyperPrior& prior, Eigen::VectorXd* gradient);

struct GpFitOptions {
  int starts = 2;     // L-BFGS runs, from the best screened starting points
  int iterations = 50;
  int screened = 8;   // starting points whose log posterior is evaluated
};

// Maximum a-posteriori hyperparameters by multi-start L-BFGS on the log parameters.
Eigen::VectorXd fitHyperparameters(const FeatureMap& map, const RowMatrix& encoded,
                                   const Eigen::VectorXd& y, Random& rng,
                                   const GpFitOptions& options);
Eigen::VectorXd defaultHyperparameters(const FeatureMap& map);

}  // namespace mmlc::dse
