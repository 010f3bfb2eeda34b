// Acquisition maximisation: sample, perturb incumbents, then batched (1+lambda) local search.
#include "dse/AcquisitionOptimiser.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dse/GridSearch.h"

namespace mmlc::dse {

namespace {

RowMatrix toMatrix(const std::vector<std::vector<double>>& points, std::size_t dims) {
  RowMatrix m(Eigen::Index(points.size()), Eigen::Index(dims));
  for (std::size_t i = 0; i < points.size(); ++i)
    for (std::size_t j = 0; j < dims; ++j) m(Eigen::Index(i), Eigen::Index(j)) = points[i][j];
  return m;
}

// Scores points in chunks so the kernel matrices stay cache-sized.
std::vector<double> scoreAll(const BatchScore& score, const std::vector<std::vector<double>>& points,
                             std::size_t dims) {
  std::vector<double> out(points.size());
  const std::size_t chunk = 512;
  for (std::size_t begin = 0; begin < points.size(); begin += chunk) {
    std::size_t end = std::min(points.size(), begin + chunk);
    std::vector<std::vector<double>> part(points.begin() + long(begin), points.begin() + long(end));
    Eigen::VectorXd s = score(toMatrix(part, dims));
    for (std::size_t i = begin; i < end; ++i) out[i] = s[Eigen::Index(i - begin)];
  }
  return out;
}

}  // namespace

AcquisitionOptimiser::AcquisitionOptimiser(const SearchSpace& space,
                                           AcquisitionSearchOptions options)
    : space_(&space), options_(options) {
  for (std::size_t i = 0; i < space.size(); ++i)
    (space[i].isDiscrete() ? discrete_ : continuous_).push_back(i);
}

std::vector<double> AcquisitionOptimiser::neighbour(const std::vector<double>& x, double sigma,
                                                    Random& rng) const {
  std::vector<double> y = x;
  bool discreteMove = !discrete_.empty() && (continuous_.empty() || rng.uniform() < 0.3);
  bool continuousMove = !continuous_.empty() && (!discreteMove || rng.uniform() < 0.3);
  if (discreteMove) {
    std::size_t j = discrete_[rng.below(discrete_.size())];
    const Parameter& p = (*space_)[j];
    if (p.kind == ParameterKind::Categorical) {
      std::size_t k = p.categories.size();
      if (k > 1) {
        std::size_t other = rng.below(k - 1);
        if (double(other) >= y[j]) ++other;
        y[j] = double(other);
      }
    } else {
      // Move by whole levels: at least one, more when the step size is still large.
      double span = double(p.cardinality() - 1);
      if (span > 0) {
        double levels = std::max(1.0, std::round(sigma * span * std::abs(rng.normal())));
        double sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
        if (p.kind == ParameterKind::Integer) {
          Config c = space_->decode(y);
          double v = std::clamp(c.values[j] + sign * levels, p.lower, p.upper);
          y[j] = space_->encode(j, v);
        } else {
          double idx = std::round(y[j] * span);
          y[j] = std::clamp(idx + sign * levels, 0.0, span) / span;
        }
      }
    }
  }
  if (continuousMove) {
    std::size_t c = continuous_.size();
    double probability = c <= 4 ? 1.0 : 4.0 / double(c);
    bool moved = false;
    for (std::size_t j : continuous_) {
      if (rng.uniform() < probability) {
        y[j] += sigma * rng.normal();
        moved = true;
      }
    }
    if (!moved) y[continuous_[rng.below(c)]] += sigma * rng.normal();
  }
  space_->snap(y);
  return y;
}

std::vector<ScoredPoint> AcquisitionOptimiser::exhaustive(const BatchScore& score) const {
  auto levels = gridLevels(*space_);
  std::uint64_t total = gridSize(levels);
  std::vector<std::vector<double>> points;
  points.reserve(std::size_t(total));
  for (std::uint64_t i = 0; i < total; ++i) {
    auto e = gridPoint(*space_, levels, i);
    space_->snap(e);
    points.push_back(std::move(e));
  }
  std::vector<double> s = scoreAll(score, points, space_->size());
  std::vector<ScoredPoint> out;
  for (std::size_t i = 0; i < points.size(); ++i) out.push_back({std::move(points[i]), s[i]});
  std::stable_sort(out.begin(), out.end(),
                   [](const ScoredPoint& a, const ScoredPoint& b) { return a.score > b.score; });
  return out;
}

std::vector<ScoredPoint> AcquisitionOptimiser::run(const BatchScore& score,
                                                   const std::vector<std::vector<double>>& incumbents,
                                                   std::uint64_t seed, std::uint64_t step) const {
  const std::size_t d = space_->size();
  if (space_->allDiscrete() && gridSize(gridLevels(*space_)) <= options_.exhaustiveLimit)
    return exhaustive(score);

  Random rng = Random::derive(seed, 0xac9, step);
  ScrambledHalton halton(d, seed ^ (step * 0x9e3779b97f4a7c15ULL));
  std::vector<std::vector<double>> points;
  points.reserve(options_.samples + incumbents.size() * options_.perIncumbent);
  for (std::size_t i = 0; i < options_.samples; ++i) points.push_back(space_->fromUnit(halton.point(i)));
  // Exploitation candidates: EI is often largest just next to the best points seen.
  const double scales[] = {0.01, 0.05, 0.2};
  for (const auto& inc : incumbents)
    for (std::size_t i = 0; i < options_.perIncumbent; ++i)
      points.push_back(neighbour(inc, scales[i % 3], rng));
  std::vector<double> scores = scoreAll(score, points, d);

  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });

  // Local search from the best distinct candidates, all starts advanced in one batch per round.
  std::vector<std::vector<double>> current;
  std::vector<double> currentScore, sigma;
  for (std::size_t idx : order) {
    if (current.size() >= options_.localStarts) break;
    bool distinct = std::none_of(current.begin(), current.end(), [&](const auto& c) {
      return space_->same(c, points[idx], 1e-9);
    });
    if (!distinct) continue;
    current.push_back(points[idx]);
    currentScore.push_back(scores[idx]);
    sigma.push_back(0.1);
  }
  const std::size_t starts = current.size();
  for (int round = 0; round < options_.rounds && starts > 0; ++round) {
    std::vector<std::vector<double>> batch;
    batch.reserve(starts * options_.neighbours);
    for (std::size_t s = 0; s < starts; ++s)
      for (std::size_t k = 0; k < options_.neighbours; ++k)
        batch.push_back(neighbour(current[s], sigma[s], rng));
    std::vector<double> batchScore = scoreAll(score, batch, d);
    for (std::size_t s = 0; s < starts; ++s) {
      std::size_t bestK = s * options_.neighbours;
      for (std::size_t k = 1; k < options_.neighbours; ++k)
        if (batchScore[s * options_.neighbours + k] > batchScore[bestK]) bestK = s * options_.neighbours + k;
      if (batchScore[bestK] > currentScore[s]) {
        current[s] = batch[bestK];
        currentScore[s] = batchScore[bestK];
      } else {
        sigma[s] = std::max(sigma[s] * 0.5, 1e-7);
      }
    }
  }

  std::vector<ScoredPoint> out;
  out.reserve(points.size() + starts);
  for (std::size_t s = 0; s < starts; ++s) out.push_back({current[s], currentScore[s]});
  for (std::size_t idx : order) out.push_back({std::move(points[idx]), scores[idx]});
  std::stable_sort(out.begin(), out.end(),
                   [](const ScoredPoint& a, const ScoredPoint& b) { return a.score > b.score; });
  return out;
}

}  // namespace mmlc::dse
