// Runs one strategy on one benchmark problem for a range of seeds and prints per-seed traces
// (best-so-far after each evaluation) or hypervolumes, for run.sh to aggregate.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dse/BayesOpt.h"
#include "dse/BenchmarkFunctions.h"
#include "dse/Evaluator.h"
#include "dse/GridSearch.h"
#include "dse/Pareto.h"
#include "dse/QuasiRandom.h"
#include "dse/Strategy.h"

using namespace mmlc::dse;
namespace bm = mmlc::dse::benchmarks;

namespace {

struct Problem {
  SearchSpace space;
  std::size_t objectives = 1;
  std::function<std::vector<double>(const std::vector<double>&)> f;
};

Problem problem(const std::string& name) {
  if (name == "branin") {
    SearchSpace s({Parameter::real("x1", -5, 10), Parameter::real("x2", 0, 15)});
    return {s, 1, [](const std::vector<double>& x) { return std::vector<double>{bm::branin(x[0], x[1])}; }};
  }
  if (name == "hartmann6")
    return {bm::boxSpace(6, 0, 1), 1, [](const std::vector<double>& x) { return std::vector<double>{bm::hartmann6(x)}; }};
  if (name == "ackley5")
    return {bm::boxSpace(5, -32.768, 32.768), 1, [](const std::vector<double>& x) { return std::vector<double>{bm::ackley(x)}; }};
  if (name == "levy5")
    return {bm::boxSpace(5, -10, 10), 1, [](const std::vector<double>& x) { return std::vector<double>{bm::levy(x)}; }};
  if (name == "zdt1")
    return {bm::boxSpace(6, 0, 1), 2, [](const std::vector<double>& x) { return bm::zdt1(x); }};
  if (name == "zdt1_30")  // the classic dimension, for reference; run.sh uses d = 6
    return {bm::boxSpace(30, 0, 1), 2, [](const std::vector<double>& x) { return bm::zdt1(x); }};
  if (name == "dtlz2")
    return {bm::boxSpace(6, 0, 1), 2, [](const std::vector<double>& x) { return bm::dtlz2(x); }};
  std::fprintf(stderr, "unknown problem %s\n", name.c_str());
  std::exit(2);
}

std::unique_ptr<Strategy> strategy(const std::string& name, const Problem& p, std::uint64_t seed) {
  ProblemShape shape{p.objectives, 0};
  if (name == "bayes") {
    BayesOptOptions o;
    o.seed = seed;
    o.shape = shape;
    return makeBayesOpt(p.space, o);
  }
  if (name == "bayes-parego") {  // two objectives default to EHVI; this is the alternative
    BayesOptOptions o;
    o.seed = seed;
    o.shape = shape;
    o.multiObjective = MultiObjectivePolicy::ParEgo;
    return makeBayesOpt(p.space, o);
  }
  if (name == "random") return makeRandomSearch(p.space, seed, shape);
  std::fprintf(stderr, "unknown strategy %s\n", name.c_str());
  std::exit(2);
}

void runProblem(const std::string& problemName, const std::string& strategyName, int seeds,
                std::size_t budget) {
  Problem p = problem(problemName);
  for (int seed = 0; seed < seeds; ++seed) {
    auto s = strategy(strategyName, p, std::uint64_t(seed) + 1);
    std::vector<Evaluation> evals;
    double best = INFINITY;
    std::printf("trace %s %s %d", problemName.c_str(), strategyName.c_str(), seed);
    for (std::size_t i = 0; i < budget; ++i) {
      auto trials = s->ask(1);
      if (trials.empty()) break;
      Observation o;
      o.objectives = p.f(trials[0].config.values);
      s->tell(trials[0], o);
      evals.push_back({trials[0], o});
      if (p.objectives == 1) {
        best = std::min(best, o.objectives[0]);
        std::printf(" %.10g", best);
      }
    }
    if (p.objectives == 2) {
      std::vector<double> ref = problemName.rfind("zdt1", 0) == 0 ? std::vector<double>{11, 11}
                                                      : std::vector<double>{1.1, 1.1};
      std::printf(" hv %.10g", hypervolume(evals, ref));
    }
    std::printf("\n");
    std::fflush(stdout);
  }
}

// d = 20 mixed space: 10 reals (2 log), 4 integers, 3 value sets, 3 categoricals.
SearchSpace mixedSpace() {
  SearchSpace s;
  for (int i = 0; i < 8; ++i) s.add(Parameter::real("r" + std::to_string(i), -1, 1));
  s.add(Parameter::real("lr", 1e-5, 1e-1, Scale::Log));
  s.add(Parameter::real("wd", 1e-6, 1e-2, Scale::Log));
  for (int i = 0; i < 4; ++i) s.add(Parameter::integer("i" + std::to_string(i), 1, 64));
  s.add(Parameter::ordinal("bits", {2, 4, 6, 8, 12, 16}));
  s.add(Parameter::ordinal("reuse", {1, 2, 4, 8, 16, 32, 64}));
  s.add(Parameter::ordinal("tol", {0.001, 0.01, 0.1}));
  s.add(Parameter::categorical("strategy", {"latency", "resource", "balanced"}));
  s.add(Parameter::categorical("order", {"prune-first", "quant-first", "scale-first", "joint"}));
  s.add(Parameter::categorical("io", {"parallel", "stream"}));
  return s;
}

double mixedObjective(const std::vector<double>& v) {
  double s = 0;
  for (int i = 0; i < 8; ++i) s += (v[i] - 0.1 * i) * (v[i] - 0.1 * i);
  s += std::pow(std::log10(v[8]) + 3, 2) + 0.5 * std::pow(std::log10(v[9]) + 4, 2);
  for (int i = 10; i < 14; ++i) s += std::abs(v[i] - 16) / 16;
  s += std::abs(v[14] - 8) / 8 + std::abs(std::log2(v[15]) - 3) / 3 + (v[16] == 0.01 ? 0 : 0.5);
  s += (v[17] == 2 ? 0 : 1) + (v[18] == 1 ? 0 : 0.7) + (v[19] == 0 ? 0 : 0.3);
  return s;
}

// CPU time of this thread: on a shared, loaded machine wall time also measures the neighbours.
double threadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

// Mean and max ask() time over one refit period starting at n observations, so the figure is
// the amortised cost including the periodic hyperparameter refit.
void suggestLatency(std::size_t n, std::size_t steps) {
  SearchSpace space = mixedSpace();
  BayesOptOptions o;
  o.seed = 7;
  auto s = makeBayesOpt(space, o);
  Random rng(42);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> u(space.size());
    for (auto& x : u) x = rng.uniform();
    Config c = space.decode(space.fromUnit(u));
    Observation ob;
    ob.objectives = {mixedObjective(c.values)};
    s->tell(Trial{1000000 + i, c}, ob);
  }
  // Warm-up: the first ask after bulk telling builds the model from scratch.
  {
    auto t = s->ask(1);
    Observation ob;
    ob.objectives = {mixedObjective(t[0].config.values)};
    s->tell(t[0], ob);
  }
  double total = 0, worst = 0, cpuTotal = 0;
  std::vector<double> times;
  for (std::size_t k = 0; k < steps; ++k) {
    auto start = std::chrono::steady_clock::now();
    double cpuStart = threadCpuMs();
    auto t = s->ask(1);
    cpuTotal += threadCpuMs() - cpuStart;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    total += ms;
    worst = std::max(worst, ms);
    times.push_back(ms);
    Observation ob;
    ob.objectives = {mixedObjective(t[0].config.values)};
    s->tell(t[0], ob);
  }
  std::sort(times.begin(), times.end());
  std::printf("suggest n=%zu mean_ms=%.3f median_ms=%.3f max_ms=%.3f cpu_mean_ms=%.3f steps=%zu\n", n,
              total / double(steps), times[times.size() / 2], worst, cpuTotal / double(steps), steps);
}

// Replay of a tabulated design space (CSV): one column per parameter, then `objective` and
// optionally `constraint` (feasible when <= 0). Numeric parameter columns become value sets,
// others categoricals. Configurations missing from the table evaluate as failed. Prints the
// number of evaluations grid search (lexicographic order) and BO (per seed) need to reach the
// best feasible row.
struct Table {
  SearchSpace space;
  std::map<std::vector<double>, std::pair<double, double>> rows;  // values -> (objective, constraint)
  bool hasConstraint = false;
};

std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  return out;
}

Table readTable(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SearchError("cannot read replay table " + path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = splitCsv(line);
  std::vector<std::vector<std::string>> cells;
  while (std::getline(in, line))
    if (!line.empty()) cells.push_back(splitCsv(line));
  auto column = [&](const std::string& name) -> long {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return long(i);
    return -1;
  };
  long objectiveColumn = column("objective"), constraintColumn = column("constraint");
  if (objectiveColumn < 0) throw SearchError("replay table needs an 'objective' column");
  Table t;
  t.hasConstraint = constraintColumn >= 0;
  std::vector<std::size_t> paramColumns;
  std::vector<std::vector<std::string>> labels;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (long(c) == objectiveColumn || long(c) == constraintColumn) continue;
    std::set<std::string> distinct;
    bool numeric = true;
    for (const auto& row : cells) {
      if (row.size() != header.size()) throw SearchError("replay table: ragged row");
      distinct.insert(row[c]);
      char* end = nullptr;
      std::strtod(row[c].c_str(), &end);
      numeric = numeric && end && *end == 0;
    }
    paramColumns.push_back(c);
    if (numeric) {
      std::set<double> values;
      for (const auto& v : distinct) values.insert(std::strtod(v.c_str(), nullptr));
      t.space.add(Parameter::ordinal(header[c], std::vector<double>(values.begin(), values.end())));
      labels.push_back({});
    } else {
      t.space.add(Parameter::categorical(header[c], std::vector<std::string>(distinct.begin(), distinct.end())));
      labels.push_back(std::vector<std::string>(distinct.begin(), distinct.end()));
    }
  }
  for (const auto& row : cells) {
    std::vector<double> values;
    for (std::size_t k = 0; k < paramColumns.size(); ++k) {
      const std::string& cell = row[paramColumns[k]];
      if (labels[k].empty()) {
        values.push_back(std::strtod(cell.c_str(), nullptr));
      } else {
        values.push_back(double(std::find(labels[k].begin(), labels[k].end(), cell) - labels[k].begin()));
      }
    }
    double constraint = t.hasConstraint ? std::strtod(row[std::size_t(constraintColumn)].c_str(), nullptr) : -1.0;
    t.rows[values] = {std::strtod(row[std::size_t(objectiveColumn)].c_str(), nullptr), constraint};
  }
  return t;
}

void replay(const std::string& path, int seeds) {
  Table table = readTable(path);
  double bestValue = INFINITY;
  for (const auto& [values, row] : table.rows)
    if (row.second <= 0) bestValue = std::min(bestValue, row.first);
  if (!std::isfinite(bestValue)) throw SearchError("replay table has no feasible row");
  ProblemShape shape{1, std::size_t(table.hasConstraint ? 1 : 0)};
  auto evaluate = [&](const Config& c) {
    Observation o;
    auto it = table.rows.find(c.values);
    if (it == table.rows.end()) {
      o.failed = true;
      return o;
    }
    o.objectives = {it->second.first};
    if (table.hasConstraint) o.constraints = {it->second.second};
    return o;
  };
  auto evalsToBest = [&](Strategy& s) {
    for (std::size_t n = 1;; ++n) {
      auto trials = s.ask(1);
      if (trials.empty()) return n;  // exhausted without finding it: cannot happen on a full table
      Observation o = evaluate(trials[0].config);
      s.tell(trials[0], o);
      if (o.feasible() && o.objectives[0] <= bestValue) return n;
    }
  };
  auto grid = makeGridSearch(table.space, shape);
  std::size_t optimal = 0;  // rows that tie with the best (parameters the design ignores)
  for (const auto& [values, row] : table.rows)
    if (row.second <= 0 && row.first <= bestValue) ++optimal;
  std::printf("replay grid %zu rows %zu optimal %zu\n", evalsToBest(*grid), table.rows.size(), optimal);
  for (int seed = 0; seed < seeds; ++seed) {
    BayesOptOptions o;
    o.seed = std::uint64_t(seed) + 1;
    o.shape = shape;
    auto bo = makeBayesOpt(table.space, o);
    std::printf("replay bayes %zu seed %d\n", evalsToBest(*bo), seed);
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "replay") {
    replay(argv[2], argc > 3 ? std::atoi(argv[3]) : 20);
    return 0;
  }
  if (argc >= 2 && std::string(argv[1]) == "suggest") {
    std::size_t n = argc > 2 ? std::size_t(std::atol(argv[2])) : 100;
    std::size_t steps = argc > 3 ? std::size_t(std::atol(argv[3])) : 10;
    suggestLatency(n, steps);
    return 0;
  }
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: mmlc_bo_bench PROBLEM STRATEGY SEEDS BUDGET | suggest N STEPS | replay TABLE.csv SEEDS\n"
                 "  PROBLEM: branin hartmann6 ackley5 levy5 zdt1 dtlz2 zdt1_30; STRATEGY: bayes bayes-parego random\n");
    return 2;
  }
  runProblem(argv[1], argv[2], std::atoi(argv[3]), std::size_t(std::atol(argv[4])));
  return 0;
}
