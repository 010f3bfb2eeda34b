// Tests of the evaluation journal: exact resume, validation of foreign or damaged journals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "dse/BayesOpt.h"
#include "dse/Evaluator.h"
#include "dse/Journal.h"

using namespace mmlc::dse;

namespace {

SearchSpace space() {
  return SearchSpace({Parameter::real("lr", 1e-4, 1e-1, Scale::Log), Parameter::integer("n", 1, 6),
                      Parameter::ordinal("bits", {4, 8, 16}),
                      Parameter::categorical("mode", {"latency", "resource", "balanced"})});
}

Observation evaluate(const Config& c) {
  Observation o;
  if (c.values[1] == 6 && c.values[3] == 2) {
    o.failed = true;
    return o;
  }
  double l = std::log10(c.values[0]) + 2.2;
  o.objectives = {l * l + 0.05 * std::abs(c.values[1] - 4) + (c.values[2] == 8 ? 0 : 0.1) +
                  (c.values[3] == 1 ? 0 : 0.2)};
  o.constraints = {c.values[1] - 5.5};
  return o;
}

std::string tempPath(const std::string& name) {
  std::string p = ::testing::TempDir() + "/mmlc_dse_" + name + ".jsonl";
  std::remove(p.c_str());
  return p;
}

BayesOptOptions options() {
  BayesOptOptions o;
  o.seed = 42;
  o.shape = ProblemShape{1, 1};
  return o;
}

}  // namespace

TEST(Journal, ResumeReproducesTheUninterruptedRun) {
  // Uninterrupted reference run.
  std::vector<Trial> reference;
  {
    auto bo = makeBayesOpt(space(), options());
    for (int i = 0; i < 26; ++i) {
      Trial t = bo->ask(1).at(0);
      reference.push_back(t);
      bo->tell(t, evaluate(t.config));
    }
  }
  // Interrupted after 13 evaluations, then resumed from the journal by a fresh process state.
  std::string path = tempPath("resume");
  {
    auto bo = makeBayesOpt(space(), options());
    Journal journal(path, space(), options().shape, "bayes", 42);
    FunctionEvaluator evaluator(evaluate);
    runSearch(*bo, evaluator, Budget{13, 0}, &journal);
  }
  auto bo = makeBayesOpt(space(), options());
  Journal journal(path, space(), options().shape, "bayes", 42);
  ASSERT_EQ(journal.loaded().size(), 13u);
  journal.replay(*bo);
  for (std::size_t i = 13; i < reference.size(); ++i) {
    Trial t = bo->ask(1).at(0);
    EXPECT_EQ(t.id, reference[i].id);
    ASSERT_EQ(t.config.encoded, reference[i].config.encoded) << "suggestion " << i << " differs";
    bo->tell(t, evaluate(t.config));
    journal.append(t, evaluate(t.config));
  }
  Journal reread(path, space(), options().shape, "bayes", 42);
  EXPECT_EQ(reread.loaded().size(), reference.size());
  std::remove(path.c_str());
}

TEST(Journal, RejectsForeignAndCorruptJournals) {
  std::string path = tempPath("foreign");
  {
    Journal j(path, space(), ProblemShape{1, 1}, "bayes", 1);
    Trial t{0, space().fromValues({1e-3, 2, 8, 0})};
    j.append(t, evaluate(t.config));
  }
  EXPECT_THROW(Journal(path, space(), ProblemShape{1, 1}, "bayes", 2), SearchError);   // seed
  EXPECT_THROW(Journal(path, space(), ProblemShape{1, 1}, "random", 1), SearchError);  // strategy
  SearchSpace other({Parameter::real("lr", 1e-4, 1e-1)});
  EXPECT_THROW(Journal(path, other, ProblemShape{1, 1}, "bayes", 1), SearchError);
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"kind\":\"evaluation\",\"id\":1,\"values\":[1]}\n";  // wrong shape
    out << "{\"kind\":\"evaluation\"}\n";
  }
  EXPECT_THROW(Journal(path, space(), ProblemShape{1, 1}, "bayes", 1), SearchError);
  std::remove(path.c_str());
}

TEST(Journal, TornLastLineIsDroppedAndFailuresAreKept) {
  std::string path = tempPath("torn");
  {
    Journal j(path, space(), ProblemShape{1, 1}, "bayes", 1);
    Trial a{0, space().fromValues({1e-3, 2, 8, 0})};
    Trial b{1, space().fromValues({1e-3, 6, 8, 2})};
    j.append(a, evaluate(a.config));
    j.append(b, evaluate(b.config));  // a failed evaluation
  }
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"kind\":\"evaluation\",\"id\":2,\"val";  // crash in the middle of a write
  }
  {
    Journal j(path, space(), ProblemShape{1, 1}, "bayes", 1);
    ASSERT_EQ(j.loaded().size(), 2u);
    EXPECT_TRUE(j.loaded()[1].observation.failed);
    Trial c{2, space().fromValues({1e-2, 3, 4, 1})};
    j.append(c, evaluate(c.config));
  }
  Journal j(path, space(), ProblemShape{1, 1}, "bayes", 1);
  EXPECT_EQ(j.loaded().size(), 3u);
  std::remove(path.c_str());
}

TEST(Journal, GridAndRandomSearchResumeWhereTheyStopped) {
  SearchSpace small({Parameter::integer("n", 1, 4), Parameter::categorical("m", {"a", "b", "c"})});
  auto f = [](const Config& c) {
    Observation o;
    o.objectives = {c.values[0] + c.values[1]};
    return o;
  };
  for (std::string kind : {"grid", "random"}) {
    std::string path = tempPath("resume_" + kind);
    auto make = [&] { return kind == "grid" ? makeGridSearch(small) : makeRandomSearch(small, 9); };
    std::vector<std::vector<double>> reference;
    {
      auto s = make();
      for (int i = 0; i < 12; ++i) {
        Trial t = s->ask(1).at(0);
        reference.push_back(t.config.values);
        s->tell(t, f(t.config));
      }
    }
    {
      auto s = make();
      Journal j(path, small, ProblemShape{}, kind, 9);
      FunctionEvaluator e(f);
      runSearch(*s, e, Budget{5, 0}, &j);
    }
    auto s = make();
    Journal j(path, small, ProblemShape{}, kind, 9);
    FunctionEvaluator e(f);
    SearchResult r = runSearch(*s, e, Budget{12, 0}, &j);
    ASSERT_EQ(r.evaluations.size(), 12u);
    for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(r.evaluations[i].trial.config.values, reference[i]) << kind << " " << i;
    EXPECT_TRUE(s->ask(1).empty());
    std::remove(path.c_str());
  }
}

TEST(Journal, ResumeIsExactWithTwoObjectives) {
  SearchSpace s({Parameter::real("x", 0, 1), Parameter::real("y", 0, 1), Parameter::integer("k", 0, 3)});
  auto f = [](const Config& c) {
    Observation o;
    double g = 1 + (c.values[1] - 0.5) * (c.values[1] - 0.5) + 0.1 * c.values[2];
    o.objectives = {g * c.values[0], g * (1 - std::sqrt(c.values[0]))};
    return o;
  };
  BayesOptOptions o;
  o.seed = 5;
  o.shape = ProblemShape{2, 0};
  std::vector<std::vector<double>> reference;
  {
    auto bo = makeBayesOpt(s, o);
    for (int i = 0; i < 20; ++i) {
      Trial t = bo->ask(1).at(0);
      reference.push_back(t.config.encoded);
      bo->tell(t, f(t.config));
    }
  }
  std::string path = tempPath("resume_mo");
  {
    auto bo = makeBayesOpt(s, o);
    Journal j(path, s, o.shape, "bayes", 5);
    FunctionEvaluator e(f);
    runSearch(*bo, e, Budget{11, 0}, &j);
  }
  auto bo = makeBayesOpt(s, o);
  Journal j(path, s, o.shape, "bayes", 5);
  FunctionEvaluator e(f);
  SearchResult r = runSearch(*bo, e, Budget{20, 0}, &j);
  ASSERT_EQ(r.evaluations.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) ASSERT_EQ(r.evaluations[i].trial.config.encoded, reference[i]) << i;
  std::remove(path.c_str());
}
