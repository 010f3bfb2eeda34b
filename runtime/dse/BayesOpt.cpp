// Gaussian-process Bayesian optimisation. Every suggestion is a pure function of (seed, told
// history): random draws are derived from (seed, step) and hyperparameters are refitted at
// schedule points that depend only on the number of evaluations. That is what makes a resumed
// journal reproduce exactly the suggestion an uninterrupted run would have made.
#include "dse/BayesOpt.h"

#include <algorithm>
#include <cmath>
#include <array>
#include <limits>
#include <numeric>
#include <optional>

#include "dse/Acquisition.h"
#include "dse/AcquisitionOptimiser.h"
#include "dse/GaussianProcess.h"
#include "dse/History.h"
#include "dse/QuasiRandom.h"

namespace mmlc::dse {

namespace {

enum Purpose : std::uint64_t { kFit = 1, kSubset = 2, kParEgo = 3, kInitial = 4 };

struct Standardiser {
  double mean = 0, scale = 1;
  static Standardiser of(const std::vector<double>& v) {
    Standardiser s;
    if (v.empty()) return s;
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    double sd = std::sqrt(ss / double(v.size()));
    s.scale = sd > 1e-12 * std::max(1.0, std::abs(s.mean)) ? sd : 1.0;
    return s;
  }
  double apply(double x) const { return (x - mean) / scale; }
  Eigen::VectorXd apply(const std::vector<double>& v) const {
    Eigen::VectorXd out(Eigen::Index(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) out[Eigen::Index(i)] = apply(v[i]);
    return out;
  }
};

// A GP together with the standardisation of its outputs.
struct Surrogate {
  GaussianProcess gp;
  Standardiser standard;
  explicit Surrogate(const FeatureMap& map) : gp(map) {}
};

class BayesOpt final : public Strategy {
 public:
  BayesOpt(SearchSpace space, BayesOptOptions options)
      : space_(std::move(space)), history_(space_, options.shape), options_(options),
        map_(space_), optimiser_(space_, acquisitionOptions(options)), objective_(map_),
        failure_(map_), workObjective_(map_), workFailure_(map_) {
    if (space_.size() == 0) throw SearchError("Bayesian optimisation over an empty space");
    if (options.shape.objectives == 0) throw SearchError("at least one objective is needed");
    if (!(options.refitGrowth > 0)) throw SearchError("refitGrowth must be positive");
    initial_ = options.initialPoints ? options.initialPoints
                                     : std::clamp<std::size_t>(space_.size() + 1, 5, 20);
    for (std::size_t c = 0; c < options.shape.constraints; ++c) constraints_.emplace_back(map_);
    ehvi_ = options.multiObjective == MultiObjectivePolicy::Ehvi ||
            (options.multiObjective == MultiObjectivePolicy::Automatic && options.shape.objectives == 2);
    if (ehvi_ && options.shape.objectives != 2)
      throw SearchError("EHVI is implemented for exactly two objectives; use ParEGO for " +
                        std::to_string(options.shape.objectives));
    if (ehvi_)
      for (int k = 0; k < 2; ++k) objectives_.emplace_back(map_);
  }

  std::vector<Trial> ask(std::size_t count) override;
  void tell(const Trial& trial, const Observation& o) override { history_.record(trial, o); }
  std::string name() const override { return "bayes"; }
  const SearchSpace& space() const override { return space_; }

 private:
  static AcquisitionSearchOptions acquisitionOptions(const BayesOptOptions& o) {
    AcquisitionSearchOptions a;
    a.samples = o.acquisitionSamples;
    a.localStarts = o.localStarts;
    a.neighbours = o.localNeighbours;
    a.rounds = o.localRounds;
    a.exhaustiveLimit = o.exhaustiveLimit;
    return a;
  }

  std::size_t schedulePoint(std::size_t n) const {
    std::size_t s = 1, last = 0;
    while (s <= n) {
      last = s;
      s += std::max<std::size_t>(1, std::size_t(std::floor(options_.refitGrowth * double(s))));
    }
    return last;
  }

  // Objective targets of evaluations [0, n), failures imputed; ParEGO scalarises several
  // objectives with the weights of `step`.
  std::vector<double> objectiveTargets(std::size_t n, std::uint64_t step) const;
  std::vector<double> warp(std::vector<double> y) const;
  std::vector<double> imputeFailures(const std::vector<double>& succeeded, std::size_t n) const;
  // Objective k of evaluations [0, n), unwarped, failures imputed (EHVI models).
  std::vector<double> singleObjectiveTargets(std::size_t n, std::size_t k) const;
  void synchronise();
  void refit(std::size_t s);
  std::optional<std::vector<double>> initialPoint(std::uint64_t id) const;

  SearchSpace space_;
  History history_;
  BayesOptOptions options_;
  FeatureMap map_;
  AcquisitionOptimiser optimiser_;
  std::size_t initial_ = 5;

  // Model state, a cache of a pure function of the history.
  std::size_t fittedAt_ = std::numeric_limits<std::size_t>::max();
  std::size_t built_ = 0;
  bool failureModelled_ = false;
  bool ehvi_ = false;
  Surrogate objective_;              // single objective or ParEGO scalarisation
  std::vector<Surrogate> objectives_;  // one per objective with EHVI
  std::vector<Surrogate> workObjectives_;
  std::vector<Surrogate> constraints_;
  Surrogate failure_;
  Surrogate workObjective_, workFailure_;
  std::vector<Surrogate> workConstraints_;
};

std::vector<double> BayesOpt::objectiveTargets(std::size_t n, std::uint64_t step) const {
  const auto& evals = history_.evaluations();
  const std::size_t m = options_.shape.objectives;
  std::vector<double> y;
  if (m == 1) {
    for (std::size_t i = 0; i < n; ++i)
      if (!evals[i].observation.failed) y.push_back(evals[i].observation.objectives[0]);
    return imputeFailures(warp(y), n);
  }
  // ParEGO (Knowles 2006): random weights on the simplex, objectives normalised to [0, 1],
  // augmented Chebyshev scalarisation.
  Random rng = Random::derive(options_.seed, kParEgo, step);
  std::vector<double> weight(m);
  double total = 0;
  for (auto& w : weight) total += (w = rng.exponential());
  for (auto& w : weight) w /= total;
  std::vector<double> lo(m, std::numeric_limits<double>::infinity()), hi(m, -lo[0]);
  for (std::size_t i = 0; i < n; ++i) {
    if (evals[i].observation.failed) continue;
    for (std::size_t k = 0; k < m; ++k) {
      lo[k] = std::min(lo[k], evals[i].observation.objectives[k]);
      hi[k] = std::max(hi[k], evals[i].observation.objectives[k]);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (evals[i].observation.failed) continue;
    double worst = -std::numeric_limits<double>::infinity(), sum = 0;
    for (std::size_t k = 0; k < m; ++k) {
      double range = hi[k] - lo[k];
      double f = range > 0 ? (evals[i].observation.objectives[k] - lo[k]) / range : 0.0;
      worst = std::max(worst, weight[k] * f);
      sum += weight[k] * f;
    }
    y.push_back(worst + 0.05 * sum);
  }
  return imputeFailures(warp(y), n);
}

std::vector<double> BayesOpt::imputeFailures(const std::vector<double>& succeeded,
                                             std::size_t n) const {
  // A failed evaluation enters the objective model with the worst value seen (as SMAC and
  // Optuna do), so the model itself stops predicting improvements where evaluations fail;
  // the failure classifier below additionally discounts the acquisition there.
  const auto& evals = history_.evaluations();
  double worst = succeeded.empty() ? 0.0 : *std::max_element(succeeded.begin(), succeeded.end());
  std::vector<double> y;
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i)
    y.push_back(evals[i].observation.failed ? worst : succeeded[k++]);
  return y;
}

std::vector<double> BayesOpt::warp(std::vector<double> y) const {
  if (!options_.warpOutputs || y.size() < 3) return y;
  // Monotone log warping around the minimum: stretches the region near the best values, where
  // the optimum is located, and compresses outliers that would otherwise dominate the
  // standardisation (e.g. Branin spans 0.4 .. 300).
  std::vector<double> sorted = y;
  std::sort(sorted.begin(), sorted.end());
  double lo = sorted.front(), median = sorted[sorted.size() / 2];
  double spread = median - lo;
  if (!(spread > 0)) spread = sorted.back() - lo;
  if (!(spread > 0)) return y;
  for (double& v : y) v = std::log((v - lo) / spread + options_.warpOffset);
  return y;
}

std::vector<double> BayesOpt::singleObjectiveTargets(std::size_t n, std::size_t k) const {
  const auto& evals = history_.evaluations();
  std::vector<double> y;
  for (std::size_t i = 0; i < n; ++i)
    if (!evals[i].observation.failed) y.push_back(evals[i].observation.objectives[k]);
  return imputeFailures(y, n);
}

void BayesOpt::refit(std::size_t s) {
  const auto& evals = history_.evaluations();
  std::vector<std::size_t> all(s), ok;
  std::iota(all.begin(), all.end(), std::size_t(0));
  for (std::size_t i = 0; i < s; ++i)
    if (!evals[i].observation.failed) ok.push_back(i);
  GpFitOptions fit{options_.fitStarts, options_.fitIterations, options_.fitScreened};

  // MAP hyperparameters on evaluations `rows` (values[k] belongs to rows[k]). Beyond
  // maxFitPoints they come from a seeded subset: the fit is O(n^3) per iteration while the
  // rest of a suggestion is O(n^2).
  auto fitOn = [&](const std::vector<std::size_t>& rows, const std::vector<double>& values,
                   std::uint64_t which) {
    if (ok.size() < 2 || rows.size() < 2) return defaultHyperparameters(map_);
    std::vector<std::size_t> pick(rows.size());
    std::iota(pick.begin(), pick.end(), std::size_t(0));
    if (pick.size() > options_.maxFitPoints) {
      Random rng = Random::derive(options_.seed, kSubset, s);
      for (std::size_t i = 0; i < options_.maxFitPoints; ++i)
        std::swap(pick[i], pick[i + rng.below(pick.size() - i)]);
      pick.resize(options_.maxFitPoints);
      std::sort(pick.begin(), pick.end());
    }
    RowMatrix x(Eigen::Index(pick.size()), Eigen::Index(space_.size()));
    std::vector<double> y;
    for (std::size_t r = 0; r < pick.size(); ++r) {
      for (std::size_t j = 0; j < space_.size(); ++j)
        x(Eigen::Index(r), Eigen::Index(j)) = evals[rows[pick[r]]].trial.config.encoded[j];
      y.push_back(values[pick[r]]);
    }
    Standardiser st = Standardiser::of(y);
    Random rng = Random::derive(options_.seed, kFit * 1000 + which, s);
    return fitHyperparameters(map_, x, st.apply(y), rng, fit);
  };

  if (ehvi_) {
    for (std::size_t k = 0; k < objectives_.size(); ++k)
      objectives_[k].gp.setHyperparameters(fitOn(all, singleObjectiveTargets(s, k), 100 + k));
  } else {
    objective_.gp.setHyperparameters(fitOn(all, objectiveTargets(s, s), 0));
  }
  for (std::size_t c = 0; c < constraints_.size(); ++c) {
    std::vector<double> v;
    for (std::size_t i : ok) v.push_back(evals[i].observation.constraints[c]);
    constraints_[c].gp.setHyperparameters(fitOn(ok, v, 1 + c));
  }
  // The failure model sees every evaluation: +1 failed, -1 succeeded.
  if (ok.size() < s) {
    std::vector<double> v;
    for (std::size_t i = 0; i < s; ++i) v.push_back(evals[i].observation.failed ? 1.0 : -1.0);
    failure_.gp.setHyperparameters(fitOn(all, v, 999));
  } else {
    failure_.gp.setHyperparameters(defaultHyperparameters(map_));
  }
}

void BayesOpt::synchronise() {
  const std::size_t n = history_.size();
  std::size_t s = schedulePoint(n);
  if (s != fittedAt_) {
    refit(s);
    fittedAt_ = s;
    built_ = 0;
  }
  const auto& evals = history_.evaluations();
  for (; built_ < n; ++built_) {
    const Evaluation& ev = evals[built_];
    const double* e = ev.trial.config.encoded.data();
    // Failures too, with an imputed target (see objectiveTargets).
    if (ehvi_)
      for (auto& o : objectives_) o.gp.addInput(e);
    else
      objective_.gp.addInput(e);
    if (!ev.observation.failed)
      for (auto& c : constraints_) c.gp.addInput(e);
    failure_.gp.addInput(e);
  }
  failureModelled_ = std::any_of(evals.begin(), evals.end(),
                                 [](const Evaluation& ev) { return ev.observation.failed; });
}

std::optional<std::vector<double>> BayesOpt::initialPoint(std::uint64_t id) const {
  ScrambledHalton halton(space_.size(), options_.seed);
  for (std::uint64_t k = 0; k < 256; ++k) {
    std::vector<double> e = space_.fromUnit(halton.point(id + k * 7919));
    if (!history_.contains(e, 1e-9)) return e;
  }
  return std::nullopt;
}

std::vector<Trial> BayesOpt::ask(std::size_t count) {
  std::vector<Trial> out;
  if (count == 0) return out;
  synchronise();
  const auto& evals = history_.evaluations();
  const std::size_t n = evals.size();
  const std::uint64_t step = history_.peekId();

  // Targets of this ask, standardised; copies of the models receive the fantasies.
  std::vector<std::size_t> ok;
  for (std::size_t i = 0; i < n; ++i)
    if (!evals[i].observation.failed) ok.push_back(i);
  // Persistent working copies: assignment reuses their storage (and prediction scratch).
  Surrogate& objective = workObjective_;
  objective = objective_;
  std::vector<Surrogate>& constraints = workConstraints_;
  constraints = constraints_;
  Surrogate& failure = workFailure_;
  failure = failure_;
  std::vector<double> yRaw = ehvi_ ? std::vector<double>(n, 0.0) : objectiveTargets(n, step);
  if (!ehvi_) {
    objective.standard = Standardiser::of(yRaw);
    objective.gp.setTargets(objective.standard.apply(yRaw));
  }
  std::vector<Surrogate>& objectives = workObjectives_;
  objectives = objectives_;
  LogExpectedHypervolumeImprovement2d ehvi;
  if (ehvi_) {
    // Front and reference in standardised units: the hypervolume only changes by a constant
    // factor, so the argmax is the same. Reference: the feasible nadir plus 10% of the range.
    std::vector<std::vector<double>> scaled(n, std::vector<double>(2));
    for (std::size_t k = 0; k < 2; ++k) {
      std::vector<double> v = singleObjectiveTargets(n, k);
      objectives[k].standard = Standardiser::of(v);
      objectives[k].gp.setTargets(objectives[k].standard.apply(v));
      for (std::size_t i = 0; i < n; ++i) scaled[i][k] = objectives[k].standard.apply(v[i]);
    }
    std::vector<std::array<double, 2>> points;
    for (std::size_t i : ok)
      if (evals[i].observation.feasible()) points.push_back({scaled[i][0], scaled[i][1]});
    // Reference: the nadir of the current front plus a margin of its extent (at least 0.1
    // standard deviations). The margin alternates between tight (10%: fill gaps in the front)
    // and loose (100%: extend its ends and push it forward); on ZDT1 with d = 30 the tight one
    // alone stalls far from the front, on DTLZ2 the loose one alone spreads too thin.
    ehvi.reference = {INFINITY, INFINITY};
    auto front = LogExpectedHypervolumeImprovement2d::frontOf(points, ehvi.reference);
    if (!front.empty()) {
      const double margin = step % 2 ? 1.0 : 0.1;
      double extent0 = front.back()[0] - front.front()[0], extent1 = front.front()[1] - front.back()[1];
      ehvi.reference = {front.back()[0] + std::max(margin * extent0, 0.1),
                        front.front()[1] + std::max(margin * extent1, 0.1)};
    }
    ehvi.front = LogExpectedHypervolumeImprovement2d::frontOf(points, ehvi.reference);
    // Incumbent ranking below: front members first (0), ordered along the front so that the
    // three taken are its two ends and a point between; the rest by their worse objective.
    std::vector<std::pair<double, std::size_t>> members;
    for (std::size_t i : ok) {
      bool onFront = std::any_of(ehvi.front.begin(), ehvi.front.end(), [&](const auto& p) {
        return p[0] == scaled[i][0] && p[1] == scaled[i][1];
      });
      if (onFront) members.push_back({scaled[i][0], i});
      yRaw[i] = 1e6 + std::max(scaled[i][0], scaled[i][1]);
    }
    std::sort(members.begin(), members.end());
    if (!members.empty()) {
      yRaw[members.front().second] = 0;
      yRaw[members.back().second] = 1;
      yRaw[members[members.size() / 2].second] = 2;
    }
  }
  std::vector<double> thresholds;
  for (std::size_t c = 0; c < constraints.size(); ++c) {
    std::vector<double> v;
    for (std::size_t i : ok) v.push_back(evals[i].observation.constraints[c]);
    constraints[c].standard = Standardiser::of(v);
    constraints[c].gp.setTargets(constraints[c].standard.apply(v));
    thresholds.push_back(constraints[c].standard.apply(0.0));
  }
  double failureThreshold = 0;
  if (failureModelled_) {
    std::vector<double> v;
    for (const auto& ev : evals) v.push_back(ev.observation.failed ? 1.0 : -1.0);
    failure.standard = Standardiser::of(v);
    failure.gp.setTargets(failure.standard.apply(v));
    failureThreshold = failure.standard.apply(0.0);
  }

  // Incumbent: best feasible target; incumbents to perturb: the best few feasible points.
  std::vector<std::pair<double, std::size_t>> ranked;
  for (std::size_t i : ok) {
    if (!evals[i].observation.feasible()) continue;
    ranked.push_back({ehvi_ ? yRaw[i] : objective.standard.apply(yRaw[i]), i});
  }
  std::sort(ranked.begin(), ranked.end());
  const bool anyFeasible = !ranked.empty();
  double best = anyFeasible ? ranked.front().first : 0.0;
  std::vector<std::vector<double>> incumbents;
  for (std::size_t r = 0; r < ranked.size() && r < 3; ++r)
    incumbents.push_back(evals[ranked[r].second].trial.config.encoded);

  auto fantasise = [&](const std::vector<double>& e) {
    RowMatrix x(1, Eigen::Index(space_.size()));
    for (std::size_t j = 0; j < e.size(); ++j) x(0, Eigen::Index(j)) = e[j];
    Eigen::VectorXd mu, var;
    if (ehvi_) {
      for (auto& o : objectives) {
        o.gp.predict(x, mu, var);
        o.gp.addObservation(e.data(), mu[0]);
      }
    } else {
      objective.gp.predict(x, mu, var);
      double lie = options_.batch == BatchPolicy::ConstantLiar ? best : mu[0];
      objective.gp.addObservation(e.data(), lie);
    }
    for (auto& c : constraints) {
      c.gp.predict(x, mu, var);
      c.gp.addObservation(e.data(), mu[0]);
    }
    if (failureModelled_) {
      failure.gp.predict(x, mu, var);
      failure.gp.addObservation(e.data(), mu[0]);
    }
  };
  const bool modelReady = ok.size() >= 2;
  if (modelReady)
    for (const Trial& p : history_.pending()) fantasise(p.config.encoded);

  BatchScore score = [&](const RowMatrix& x) {
    Eigen::VectorXd total = Eigen::VectorXd::Zero(x.rows()), mu, var;
    if (anyFeasible && ehvi_) {
      Eigen::VectorXd mu2, var2;
      objectives[0].gp.predict(x, mu, var);
      objectives[1].gp.predict(x, mu2, var2);
      for (Eigen::Index r = 0; r < x.rows(); ++r)
        total[r] += ehvi(mu[r], std::sqrt(var[r]), mu2[r], std::sqrt(var2[r]));
    } else if (anyFeasible) {
      objective.gp.predict(x, mu, var);
      total += LogExpectedImprovement{best}(mu, var);
    }
    for (std::size_t c = 0; c < constraints.size(); ++c) {
      constraints[c].gp.predict(x, mu, var);
      total += LogProbabilityBelow{thresholds[c]}(mu, var);
    }
    if (failureModelled_) {
      failure.gp.predict(x, mu, var);
      total += LogProbabilityBelow{failureThreshold}(mu, var);
    }
    return total;
  };

  for (std::size_t k = 0; k < count; ++k) {
    std::uint64_t id = history_.peekId();
    Trial trial;
    std::optional<std::vector<double>> initial;
    if (id < initial_ || !modelReady) initial = initialPoint(id);
    if (initial) {
      trial = Trial{history_.takeId(), space_.decode(*initial)};
    } else if (!modelReady) {
      break;  // no model yet and the quasi-random design keeps hitting evaluated points
    } else {
      std::vector<ScoredPoint> candidates = optimiser_.run(score, incumbents, options_.seed, id);
      const ScoredPoint* chosen = nullptr;
      for (const auto& c : candidates) {
        if (history_.contains(c.encoded, 1e-9)) continue;
        // Pending trials (this batch and earlier unanswered ones) run at the same time as this
        // one: keep them apart, not just distinct.
        const auto& pending = history_.pending();
        bool near = std::any_of(pending.begin(), pending.end(), [&](const Trial& t) {
          return space_.same(t.config.encoded, c.encoded, options_.batchSeparation);
        });
        if (near) continue;
        chosen = &c;
        break;
      }
      if (!chosen) break;  // every candidate was evaluated already: the space is exhausted
      trial = Trial{history_.takeId(), space_.decode(chosen->encoded)};
    }
    history_.addPending(trial);
    if (modelReady) fantasise(trial.config.encoded);
    out.push_back(std::move(trial));
  }
  return out;
}

}  // namespace

std::unique_ptr<Strategy> makeBayesOpt(SearchSpace space, BayesOptOptions options) {
  return std::make_unique<BayesOpt>(std::move(space), options);
}

std::unique_ptr<Strategy> makeStrategy(const std::string& name, SearchSpace space,
                                       const BayesOptOptions& options) {
  if (name == "bayes") return makeBayesOpt(std::move(space), options);
  if (name == "grid") return makeGridSearch(std::move(space), options.shape);
  if (name == "random") return makeRandomSearch(std::move(space), options.seed, options.shape);
  throw SearchError("unknown search strategy '" + name + "' (known: bayes, grid, random)");
}

}  // namespace mmlc::dse
