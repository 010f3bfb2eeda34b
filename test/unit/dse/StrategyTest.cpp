// Tests of grid and random search behind the Strategy interface, budgets and the evaluator loop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

#include "dse/BayesOpt.h"
#include "dse/Evaluator.h"
#include "dse/Strategy.h"

using namespace mmlc::dse;

namespace {
SearchSpace smallDiscrete() {
  return SearchSpace({Parameter::integer("n", 1, 3), Parameter::categorical("c", {"a", "b"}),
                      Parameter::ordinal("bits", {4, 8})});
}
Observation objective(double v) {
  Observation o;
  o.objectives = {v};
  return o;
}
}  // namespace

TEST(GridSearch, VisitsEveryConfigurationOnceThenStops) {
  auto grid = makeGridSearch(smallDiscrete());
  std::set<std::vector<double>> seen;
  for (int round = 0; round < 5; ++round) {
    auto trials = grid->ask(3);
    for (const auto& t : trials) {
      EXPECT_TRUE(seen.insert(t.config.values).second);
      grid->tell(t, objective(t.config.values[0]));
    }
  }
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_TRUE(grid->ask(1).empty());
}

TEST(RandomSearch, NoDuplicatesUntilExhaustedAndSameSeedSameSequence) {
  auto a = makeRandomSearch(smallDiscrete(), 5);
  auto b = makeRandomSearch(smallDiscrete(), 5);
  std::set<std::vector<double>> seen;
  for (int i = 0; i < 12; ++i) {
    auto ta = a->ask(1), tb = b->ask(1);
    ASSERT_EQ(ta.size(), 1u);
    EXPECT_EQ(ta[0].config.values, tb[0].config.values);
    EXPECT_TRUE(seen.insert(ta[0].config.values).second);
    a->tell(ta[0], objective(1));
    b->tell(tb[0], objective(1));
  }
  EXPECT_TRUE(a->ask(1).empty());
}

TEST(RunSearch, EvaluationBudgetParallelJobsAndFailures) {
  SearchSpace space({Parameter::real("x", -1, 1)});
  auto strategy = makeRandomSearch(space, 1);
  std::atomic<int> running{0}, maxRunning{0};
  FunctionEvaluator evaluator(
      [&](const Config& c) {
        int now = ++running;
        int seen = maxRunning.load();
        while (now > seen && !maxRunning.compare_exchange_weak(seen, now)) {}
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --running;
        if (c.values[0] > 0.8) throw std::runtime_error("tool crashed");
        return objective(c.values[0] * c.values[0]);
      },
      3);
  SearchResult r = runSearch(*strategy, evaluator, Budget{20, 0});
  EXPECT_EQ(r.evaluations.size(), 20u);
  EXPECT_GE(maxRunning.load(), 2);
  EXPECT_LE(maxRunning.load(), 3);
  ASSERT_TRUE(r.best.has_value());
  for (const auto& ev : r.evaluations) {
    EXPECT_EQ(ev.observation.failed, ev.trial.config.values[0] > 0.8);
    if (!ev.observation.failed)
      EXPECT_LE(r.evaluations[*r.best].observation.objectives[0], ev.observation.objectives[0]);
  }
}

TEST(RunSearch, TimeBudgetStopsTheSearch) {
  SearchSpace space({Parameter::real("x", -1, 1)});
  auto strategy = makeRandomSearch(space, 1);
  FunctionEvaluator evaluator([&](const Config&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return objective(0);
  });
  auto start = std::chrono::steady_clock::now();
  SearchResult r = runSearch(*strategy, evaluator, Budget{0, 0.2});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 1.0);
  EXPECT_GE(r.evaluations.size(), 3u);
  EXPECT_LE(r.evaluations.size(), 12u);
}

TEST(RunSearch, WrongNumberOfObjectivesIsAClearError) {
  SearchSpace space({Parameter::real("x", -1, 1)});
  auto strategy = makeRandomSearch(space, 1, ProblemShape{2, 0});
  FunctionEvaluator evaluator([&](const Config&) { return objective(0); });
  EXPECT_THROW(runSearch(*strategy, evaluator, Budget{3, 0}), SearchError);
}

TEST(Strategies, ByName) {
  SearchSpace space({Parameter::real("x", -1, 1)});
  EXPECT_EQ(makeStrategy("bayes", space)->name(), "bayes");
  EXPECT_EQ(makeStrategy("grid", space)->name(), "grid");
  EXPECT_EQ(makeStrategy("random", space)->name(), "random");
  EXPECT_THROW(makeStrategy("annealing", space), SearchError);
}
