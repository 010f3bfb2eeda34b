// Tests of Bayesian optimisation: known optima, determinism, no duplicates in mixed spaces,
// batch suggestions, constraints, failures and multi-objective search.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "dse/BayesOpt.h"
#include "dse/BenchmarkFunctions.h"
#include "dse/Evaluator.h"
#include "dse/History.h"
#include "dse/Pareto.h"

using namespace mmlc::dse;
namespace bm = mmlc::dse::benchmarks;

namespace {

SearchSpace braninSpace() { return SearchSpace({Parameter::real("x1", -5, 10), Parameter::real("x2", 0, 15)}); }

Observation objective(double v) {
  Observation o;
  o.objectives = {v};
  return o;
}

SearchSpace mixedSpace() {
  return SearchSpace({Parameter::real("x", 0, 1), Parameter::integer("n", 1, 4),
                      Parameter::ordinal("bits", {4, 8, 16}),
                      Parameter::categorical("mode", {"latency", "resource"})});
}

double mixedObjective(const std::vector<double>& v) {
  return (v[0] - 0.3) * (v[0] - 0.3) + 0.1 * std::abs(v[1] - 3) + (v[2] == 8 ? 0 : 0.2) +
         (v[3] == 1 ? 0 : 0.3);
}

}  // namespace

TEST(BayesOpt, FindsBraninOptimum) {
  BayesOptOptions o;
  o.seed = 3;
  auto bo = makeBayesOpt(braninSpace(), o);
  double best = INFINITY;
  for (int i = 0; i < 40; ++i) {
    Trial t = bo->ask(1).at(0);
    double v = bm::branin(t.config.values[0], t.config.values[1]);
    best = std::min(best, v);
    bo->tell(t, objective(v));
  }
  EXPECT_LT(best - bm::kBraninMinimum, 1e-2);
}

TEST(BayesOpt, SameSeedSameSequenceDifferentSeedDifferent) {
  auto run = [](std::uint64_t seed) {
    BayesOptOptions o;
    o.seed = seed;
    auto bo = makeBayesOpt(mixedSpace(), o);
    std::vector<std::vector<double>> seq;
    for (int i = 0; i < 15; ++i) {
      Trial t = bo->ask(1).at(0);
      seq.push_back(t.config.values);
      bo->tell(t, objective(mixedObjective(t.config.values)));
    }
    return seq;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

TEST(BayesOpt, NeverRepeatsAConfigurationAndExhaustsSmallDiscreteSpace) {
  SearchSpace space({Parameter::integer("n", 1, 4), Parameter::ordinal("bits", {4, 8, 16}),
                     Parameter::categorical("mode", {"latency", "resource"})});
  BayesOptOptions o;
  o.seed = 1;
  auto bo = makeBayesOpt(space, o);
  std::set<std::vector<double>> seen;
  std::size_t asked = 0;
  while (true) {
    auto trials = bo->ask(asked % 2 ? 3 : 1);  // sequential and batch asks mixed
    if (trials.empty()) break;
    for (const auto& t : trials) {
      EXPECT_TRUE(seen.insert(t.config.values).second) << "duplicate suggestion";
      bo->tell(t, objective(t.config.values[0] + t.config.values[1] * 0.1 + t.config.values[2]));
      ++asked;
    }
    ASSERT_LE(asked, 24u);
  }
  EXPECT_EQ(seen.size(), 24u);
}

TEST(BayesOpt, MixedSpaceNoDuplicatesAndGoodOptimum) {
  BayesOptOptions o;
  o.seed = 2;
  auto bo = makeBayesOpt(mixedSpace(), o);
  std::vector<std::vector<double>> seen;
  double best = INFINITY;
  for (int i = 0; i < 40; ++i) {
    Trial t = bo->ask(1).at(0);
    for (const auto& s : seen) EXPECT_NE(s, t.config.values);
    seen.push_back(t.config.values);
    double v = mixedObjective(t.config.values);
    best = std::min(best, v);
    bo->tell(t, objective(v));
  }
  EXPECT_LT(best, 0.01);
}

TEST(BayesOpt, BatchSuggestionsAreDistinctAndSeparated) {
  BayesOptOptions o;
  o.seed = 4;
  auto bo = makeBayesOpt(braninSpace(), o);
  for (int i = 0; i < 8; ++i) {
    Trial t = bo->ask(1).at(0);
    bo->tell(t, objective(bm::branin(t.config.values[0], t.config.values[1])));
  }
  for (int round = 0; round < 3; ++round) {
    auto batch = bo->ask(4);
    ASSERT_EQ(batch.size(), 4u);
    for (std::size_t i = 0; i < batch.size(); ++i)
      for (std::size_t j = 0; j < i; ++j) {
        double d = std::max(std::abs(batch[i].config.encoded[0] - batch[j].config.encoded[0]),
                            std::abs(batch[i].config.encoded[1] - batch[j].config.encoded[1]));
        EXPECT_GT(d, o.batchSeparation);
      }
    for (const auto& t : batch) bo->tell(t, objective(bm::branin(t.config.values[0], t.config.values[1])));
  }
}

TEST(BayesOpt, ConstrainedOptimumByProbabilityOfFeasibility) {
  // minimise (x-0.8)^2 + (y-0.8)^2 subject to x + y <= 1: optimum (0.5, 0.5), value 0.18.
  SearchSpace space({Parameter::real("x", 0, 1), Parameter::real("y", 0, 1)});
  BayesOptOptions o;
  o.seed = 5;
  o.shape = ProblemShape{1, 1};
  auto bo = makeBayesOpt(space, o);
  FunctionEvaluator evaluator([](const Config& c) {
    Observation ob;
    double x = c.values[0], y = c.values[1];
    ob.objectives = {(x - 0.8) * (x - 0.8) + (y - 0.8) * (y - 0.8)};
    ob.constraints = {x + y - 1};
    return ob;
  });
  SearchResult r = runSearch(*bo, evaluator, Budget{35, 0});
  ASSERT_TRUE(r.best.has_value());
  const auto& best = r.evaluations[*r.best];
  EXPECT_TRUE(best.observation.feasible());
  EXPECT_LT(best.observation.objectives[0], 0.185);
  std::size_t feasibleLate = 0;
  for (std::size_t i = 20; i < r.evaluations.size(); ++i) feasibleLate += r.evaluations[i].observation.feasible();
  EXPECT_GE(feasibleLate, 5u);  // the search learned where the feasible region is
}

TEST(BayesOpt, FailedRegionIsAvoided) {
  // Evaluations with x > 0.5 crash; the optimum of the objective is inside that region, at the
  // edge the best feasible point is x = 0.5.
  SearchSpace space({Parameter::real("x", 0, 1), Parameter::real("y", 0, 1)});
  BayesOptOptions o;
  o.seed = 6;
  auto bo = makeBayesOpt(space, o);
  FunctionEvaluator evaluator([](const Config& c) {
    if (c.values[0] > 0.5) throw std::runtime_error("synthesis failed");
    Observation ob;
    ob.objectives = {(c.values[0] - 0.9) * (c.values[0] - 0.9) + (c.values[1] - 0.5) * (c.values[1] - 0.5)};
    return ob;
  });
  SearchResult r = runSearch(*bo, evaluator, Budget{40, 0});
  std::size_t failedLate = 0;
  for (std::size_t i = 20; i < r.evaluations.size(); ++i) failedLate += r.evaluations[i].observation.failed;
  EXPECT_LE(failedLate, 8u);
  ASSERT_TRUE(r.best.has_value());
  EXPECT_LT(r.evaluations[*r.best].observation.objectives[0], 0.16 + 0.01);
}

TEST(BayesOpt, ParEgoApproachesTheZdt1Front) {
  SearchSpace space = bm::boxSpace(3, 0, 1);
  BayesOptOptions o;
  o.seed = 7;
  o.shape = ProblemShape{2, 0};
  o.multiObjective = MultiObjectivePolicy::ParEgo;
  auto bo = makeBayesOpt(space, o);
  auto rnd = makeRandomSearch(space, 7, ProblemShape{2, 0});
  FunctionEvaluator evaluator([](const Config& c) {
    Observation ob;
    ob.objectives = bm::zdt1(c.values);
    return ob;
  });
  SearchResult r = runSearch(*bo, evaluator, Budget{40, 0});
  SearchResult base = runSearch(*rnd, evaluator, Budget{40, 0});
  double hv = hypervolume(r.evaluations, {11, 11}), hvRandom = hypervolume(base.evaluations, {11, 11});
  EXPECT_GT(hv, hvRandom);
  EXPECT_GT(hv, 119.5);  // the true front gives 120.667
  EXPECT_GE(r.pareto.size(), 5u);
}

TEST(BayesOpt, EmptySpaceAndBadShapeAreErrors) {
  EXPECT_THROW(makeBayesOpt(SearchSpace{}), SearchError);
  BayesOptOptions o;
  o.shape.objectives = 0;
  EXPECT_THROW(makeBayesOpt(braninSpace(), o), SearchError);
}

TEST(BayesOpt, FindsHartmann6Optimum) {
  BayesOptOptions o;
  o.seed = 1;
  auto bo = makeBayesOpt(bm::boxSpace(6, 0, 1), o);
  double best = INFINITY;
  for (int i = 0; i < 60; ++i) {
    Trial t = bo->ask(1).at(0);
    double v = bm::hartmann6(t.config.values);
    best = std::min(best, v);
    bo->tell(t, objective(v));
  }
  EXPECT_LT(best, -3.0);  // optimum -3.32237; random search at 60 evaluations is near -2
}

TEST(BayesOpt, ConstantLiarBatchesAreDistinctAndPendingPointsAreAvoided) {
  BayesOptOptions o;
  o.seed = 8;
  o.batch = BatchPolicy::ConstantLiar;
  auto bo = makeBayesOpt(mixedSpace(), o);
  std::vector<Trial> pending;
  std::set<std::vector<double>> seen;
  for (int round = 0; round < 6; ++round) {
    // Ask before the previous batch is told: pending points must not be suggested again.
    auto batch = bo->ask(3);
    ASSERT_EQ(batch.size(), 3u);
    for (const auto& t : batch) EXPECT_TRUE(seen.insert(t.config.values).second);
    for (const auto& t : pending) bo->tell(t, objective(mixedObjective(t.config.values)));
    pending = batch;
  }
}

TEST(BayesOpt, EhviApproachesTheDtlz2Front) {
  SearchSpace space = bm::boxSpace(3, 0, 1);
  BayesOptOptions o;
  o.seed = 9;
  o.shape = ProblemShape{2, 0};  // two objectives: EHVI by default
  auto bo = makeBayesOpt(space, o);
  auto rnd = makeRandomSearch(space, 9, ProblemShape{2, 0});
  FunctionEvaluator evaluator([](const Config& c) {
    Observation ob;
    ob.objectives = bm::dtlz2(c.values);
    return ob;
  });
  SearchResult r = runSearch(*bo, evaluator, Budget{40, 0});
  SearchResult base = runSearch(*rnd, evaluator, Budget{40, 0});
  double hv = hypervolume(r.evaluations, {1.1, 1.1}), hvRandom = hypervolume(base.evaluations, {1.1, 1.1});
  EXPECT_GT(hv, hvRandom);
  EXPECT_GT(hv, 0.38);  // the true front gives 1.21 - pi/4 = 0.4246
  o.shape = ProblemShape{3, 0};
  o.multiObjective = MultiObjectivePolicy::Ehvi;
  EXPECT_THROW(makeBayesOpt(space, o), SearchError);
}
