// Tests of Pareto-front extraction, exact hypervolume on known fronts, and results serialisation.
#include <gtest/gtest.h>

#include <cmath>

#include "dse/Pareto.h"
#include "dse/QuasiRandom.h"
#include "dse/Results.h"

using namespace mmlc::dse;

TEST(Pareto, FrontOfKnownSet) {
  std::vector<std::vector<double>> pts = {{1, 5}, {2, 3}, {3, 4}, {4, 1}, {2, 3}, {5, 5}, {0.5, 6}};
  auto front = paretoFront(pts);
  EXPECT_EQ(front, (std::vector<std::size_t>{0, 1, 3, 6}));
}

TEST(Pareto, HypervolumeTwoObjectives) {
  EXPECT_DOUBLE_EQ(hypervolume({{1, 1}}, {2, 2}), 1.0);
  EXPECT_DOUBLE_EQ(hypervolume({{0, 1}, {1, 0}}, {2, 2}), 3.0);
  EXPECT_DOUBLE_EQ(hypervolume({{0, 1}, {1, 0}, {1.5, 1.5}, {3, 0}}, {2, 2}), 3.0);
  // The ZDT1 front f2 = 1 - sqrt(f1) with reference (11, 11): 121 - 1/3 = 120.667.
  std::vector<std::vector<double>> zdt;
  for (int i = 0; i <= 2000; ++i) {
    double f1 = i / 2000.0;
    zdt.push_back({f1, 1 - std::sqrt(f1)});
  }
  EXPECT_NEAR(hypervolume(zdt, {11, 11}), 121.0 - 1.0 / 3.0, 1e-3);
  // DTLZ2's quarter circle with reference (1.1, 1.1): 1.21 - pi/4.
  std::vector<std::vector<double>> circle;
  for (int i = 0; i <= 4000; ++i) {
    double t = i / 4000.0 * M_PI / 2;
    circle.push_back({std::cos(t), std::sin(t)});
  }
  EXPECT_NEAR(hypervolume(circle, {1.1, 1.1}), 1.21 - M_PI / 4, 1e-3);
}

TEST(Pareto, HypervolumeThreeObjectivesMatchesInclusionExclusionAndMonteCarlo) {
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0}}, {1, 2, 3}), 6.0);
  // Two boxes: 1*1*1 + 1*1*1 - overlap (0.5*0.5*1).
  EXPECT_NEAR(hypervolume({{0, 0.5, 0}, {0.5, 0, 0}}, {1, 1, 1}), 0.5 + 0.5 - 0.25, 1e-12);
  Random rng(3);
  std::vector<std::vector<double>> pts;
  for (int i = 0; i < 12; ++i) {
    double a = rng.uniform(), b = rng.uniform() * (1 - a);
    pts.push_back({a, b, 1 - a - b});
  }
  double exact = hypervolume(pts, {1, 1, 1});
  int inside = 0, samples = 200000;
  for (int s = 0; s < samples; ++s) {
    double x = rng.uniform(), y = rng.uniform(), z = rng.uniform();
    for (const auto& p : pts)
      if (p[0] <= x && p[1] <= y && p[2] <= z) { ++inside; break; }
  }
  EXPECT_NEAR(exact, double(inside) / samples, 0.01);
}

TEST(Pareto, EvaluationsIgnoreInfeasibleAndFailed) {
  std::vector<Evaluation> evals(3);
  evals[0].observation.objectives = {1, 1};
  evals[1].observation.objectives = {0, 0};
  evals[1].observation.constraints = {1};  // violated
  evals[0].observation.constraints = {-1};
  evals[2].observation.failed = true;
  EXPECT_EQ(paretoFront(evals), (std::vector<std::size_t>{0}));
  EXPECT_DOUBLE_EQ(hypervolume(evals, {2, 2}), 1.0);
}

TEST(Results, JsonCarriesHistoryBestSoFarAndFront) {
  SearchSpace space({Parameter::real("x", 0, 1), Parameter::categorical("m", {"a", "b"})});
  SearchResult r;
  auto add = [&](double x, double m, std::vector<double> f, bool failed) {
    Evaluation ev;
    ev.trial.id = r.evaluations.size();
    ev.trial.config = space.fromValues({x, m});
    ev.observation.objectives = std::move(f);
    ev.observation.failed = failed;
    r.evaluations.push_back(ev);
  };
  add(0.1, 0, {3, 1}, false);
  add(0.2, 1, {}, true);
  add(0.3, 1, {1, 3}, false);
  add(0.4, 0, {2, 2}, false);
  r.best = bestFeasible(r.evaluations);
  r.pareto = paretoFront(r.evaluations);
  std::string json = resultsJson(space, r, {4, 4});
  EXPECT_NE(json.find("\"best_so_far\":3.0"), std::string::npos);
  EXPECT_NE(json.find("\"best_so_far\":1.0"), std::string::npos);
  EXPECT_NE(json.find("\"pareto\":[0,2,3]"), std::string::npos);
  EXPECT_NE(json.find("\"m\":\"b\""), std::string::npos);
  EXPECT_NE(json.find("\"hypervolume\":6.0"), std::string::npos);
  EXPECT_NE(json.find("\"best\":2"), std::string::npos);
}
