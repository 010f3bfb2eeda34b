// bench/allocate: the allocation MIP (N-TORC) against exhaustive enumeration, random search and
// mmlc's Bayesian optimisation on the same per-layer estimates, same run: whether the MIP's optimum
// is the true one, and how long the searches take to reach it (prints RESULT lines).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "dse/BayesOpt.h"
#include "hls/ConstWeightStatsCache.h"
#include "nn/KerasImport.h"
#include "nn/Network.h"
#include "tasks/AllocationProblem.h"
#include "tasks/HlsConversion.h"

using namespace mmlc;
using namespace mmlc::tasks;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Instance {
  std::string name;
  hls::NetworkDesc design;
  AllocationRequest request;
};

/// What one evaluation of a search costs and says: the design with the choice applied, estimated
/// as a flow's search would (the whole design, not the MIP's table), with the per-layer cache a
/// search over one design's reuse factors and strategies keeps (each layer's constant-weight
/// statistics, computed at its first evaluation, as the MIP computes them once per layer).
struct Evaluation {
  double objective;
  bool feasible;
};
Evaluation evaluate(const Instance& in, const DesignAllocation& a, const std::vector<size_t>& choice,
                    hls::ConstWeightStatsCache& cache) {
  const hls::ResourceEstimate e =
      hls::estimateDesignLayers(applyAllocation(in.design, a, choice), {}, hls::ToolGen::VitisHls, &cache);
  const AllocCosts total = {e.total.dsp, e.total.lut, e.total.ff, e.total.bram18,
                            static_cast<double>(e.total.latencyMax)};
  bool feasible = true;
  double objective = 0;
  for (size_t k = 0; k < kCostCount; ++k) {
    feasible = feasible && total[k] <= a.problem.limit[k] + 1e-9;
    objective += a.problem.weight[k] * total[k];
  }
  for (size_t l = 0; l < choice.size(); ++l)
    feasible = feasible && a.problem.layers[l].candidates[choice[l]].ii <= a.problem.iiLimit;
  return {objective, feasible};
}

bool reached(const Evaluation& e, double target) { return e.feasible && e.objective <= target * (1 + 1e-9) + 1e-9; }

/// Seconds random search takes to find a feasible choice as good as `target` (capped).
double randomSearchSeconds(const Instance& in, const DesignAllocation& a, double target, double cap, bool& hit,
                           long& evaluations) {
  std::mt19937_64 rng(17);
  const auto start = Clock::now();
  hls::ConstWeightStatsCache cache;
  std::vector<size_t> choice(a.problem.layers.size());
  hit = false;
  evaluations = 0;
  while (since(start) < cap) {
    ++evaluations;
    for (size_t l = 0; l < choice.size(); ++l)
      choice[l] = std::uniform_int_distribution<size_t>(0, a.problem.layers[l].candidates.size() - 1)(rng);
    if (reached(evaluate(in, a, choice, cache), target)) {
      hit = true;
      break;
    }
  }
  return since(start);
}

/// The same with mmlc's Bayesian optimisation (one ordinal dimension per layer: its candidate).
double bayesSeconds(const Instance& in, const DesignAllocation& a, double target, double cap, bool& hit, long& evaluations) {
  std::vector<dse::Parameter> params;
  for (const AllocLayer& l : a.problem.layers) {
    std::vector<double> values;
    for (size_t c = 0; c < l.candidates.size(); ++c) values.push_back(static_cast<double>(c));
    params.push_back(values.size() > 1 ? dse::Parameter::ordinal(l.name, values) : dse::Parameter::integer(l.name, 0, 0));
  }
  dse::BayesOptOptions options;
  options.seed = 5;
  options.shape.constraints = 1;
  auto bo = dse::makeBayesOpt(dse::SearchSpace(params), options);
  const auto start = Clock::now();
  hls::ConstWeightStatsCache cache;
  hit = false;
  evaluations = 0;
  while (since(start) < cap) {
    std::vector<dse::Trial> trials = bo->ask(1);
    if (trials.empty()) break;
    ++evaluations;
    std::vector<size_t> choice;
    for (double v : trials[0].config.values) choice.push_back(static_cast<size_t>(std::llround(v)));
    const Evaluation e = evaluate(in, a, choice, cache);
    dse::Observation o;
    o.objectives = {e.objective};
    o.constraints = {e.feasible ? -1.0 : 1.0};
    bo->tell(trials[0], o);
    if (reached(e, target)) {
      hit = true;
      break;
    }
  }
  return since(start);
}

hls::NetworkDesc designOf(nn::Network net, const std::string& top) {
  HlsConversionOptions o;
  o.top = top;
  return toHlsNetwork(net, o);
}

constexpr int kMipRuns = 5;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mmlc_allocate_bench KERAS_FIXTURE_DIR [search cap seconds]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const double cap = argc > 2 ? std::atof(argv[2]) : 10.0;
  std::vector<std::pair<std::string, hls::NetworkDesc>> designs;
  designs.push_back({"jet_tagger", designOf(nn::importKeras(dir + "/KERAS_3layer.json", dir + "/KERAS_3layer_weights.h5"), "jet")});
  {
    nn::Network mlp(nn::Shape{784}, 3);  // a Fashion-MNIST MLP (initial weights, as N-TORC's data)
    mlp.add(nn::layers::dense(32)).add(nn::layers::relu()).add(nn::layers::dense(16)).add(nn::layers::relu());
    mlp.add(nn::layers::dense(10)).add(nn::layers::softmax());
    designs.push_back({"fmnist_mlp", designOf(std::move(mlp), "fmnist")});
  }
  {
    // A deeper one: six dense layers, too many combinations to enumerate (searches only).
    nn::Network deep(nn::Shape{784}, 4);
    for (int width : {64, 32, 32, 32, 16}) deep.add(nn::layers::dense(width)).add(nn::layers::relu());
    deep.add(nn::layers::dense(10)).add(nn::layers::softmax());
    designs.push_back({"fmnist_deep_mlp", designOf(std::move(deep), "fmnist_deep")});
  }
  int optimal = 0, compared = 0;
  std::vector<double> vsRandom, vsBayes, cappedRandom, cappedBayes;  // capped: the ratios of searches that hit the cap
  bool randomCapped = false, bayesCapped = false;
  int searched = 0, randomMissed = 0, bayesMissed = 0;
  for (auto& [name, design] : designs) {
    AllocationRequest base;
    base.maxReuse = 64;
    base.objective = "latency";  // first the fastest design that fits the device at all
    const AllocSolution quickest = solveAllocation(allocationProblem(design, {}, base).problem);
    if (quickest.status != AllocSolution::Status::Optimal) {
      std::printf("INFO %s: no allocation fits the device\n", name.c_str());
      continue;
    }
    const double fastest = quickest.total[kLatency];
    for (double factor : {1.0, 1.5, 2.0, 4.0}) {
      for (const char* objective : {"lut", "dsp"}) {
        Instance in{name, design, base};
        in.request.objective = objective;
        in.request.latencyCycles = std::floor(fastest * factor);
        // The MIP's time (building the problem, then GLPK) is the median of a few runs: a run takes
        // milliseconds, so one preemption on a shared machine would count many times its length.
        std::vector<double> builds, totals;
        DesignAllocation a;
        AllocSolution mip;
        for (int run = 0; run < kMipRuns; ++run) {
          const auto t0 = Clock::now();
          a = allocationProblem(design, {}, in.request);
          builds.push_back(since(t0));
          mip = solveAllocation(a.problem);
          totals.push_back(since(t0));
        }
        const double buildSeconds = median(builds), mipSeconds = median(totals);
        double space = 1;
        for (const AllocLayer& l : a.problem.layers) space *= static_cast<double>(l.candidates.size());
        std::printf("INFO %s latency<=%.0f objective=%s: %zu layers, %.3g combinations, MIP %s objective %.1f in %.1f us (median of %d runs; building %.1f us, GLPK about %.1f us, %ld nodes, %ld of %zu candidates after the Pareto filter)\n",
                    name.c_str(), in.request.latencyCycles, objective, a.problem.layers.size(), space,
                    mip.status == AllocSolution::Status::Optimal     ? "optimal"
                    : mip.status == AllocSolution::Status::Infeasible ? "infeasible"
                                                                      : "time limit",
                    mip.objective, 1e6 * mipSeconds, kMipRuns, 1e6 * buildSeconds, 1e6 * (mipSeconds - buildSeconds), mip.nodes,
                    mip.variables, a.candidates);
        if (mip.status != AllocSolution::Status::Optimal) continue;
        if (space <= 5e6) {
          const AllocSolution all = enumerateAllocation(a.problem);
          ++compared;
          const bool same = all.status == AllocSolution::Status::Optimal &&
                            std::abs(all.objective - mip.objective) <= 1e-6 * std::max(1.0, std::abs(all.objective));
          optimal += same ? 1 : 0;
          std::printf("INFO   enumeration: objective %.1f in %.3f s (%s)\n", all.objective, all.seconds, same ? "same" : "DIFFERENT");
        }
        bool hitR = false, hitB = false;
        long evalsR = 0, evalsB = 0;
        const double r = randomSearchSeconds(in, a, mip.objective, cap, hitR, evalsR);
        const double b = bayesSeconds(in, a, mip.objective, cap, hitB, evalsB);
        randomCapped |= !hitR;
        bayesCapped |= !hitB;
        vsRandom.push_back(r / mipSeconds);
        vsBayes.push_back(b / mipSeconds);
        ++searched;
        randomMissed += hitR ? 0 : 1;
        bayesMissed += hitB ? 0 : 1;
        if (!hitR) cappedRandom.push_back(r / mipSeconds);
        if (!hitB) cappedBayes.push_back(b / mipSeconds);
        std::printf("INFO   random search %s %.3f s (%s%.0fx; %ld evaluations, %.0f us each), Bayesian %s %.3f s (%s%.0fx; %ld evaluations)\n",
                    hitR ? "reached it in" : "did not reach it in", r, hitR ? "" : ">=", r / mipSeconds, evalsR,
                    1e6 * r / std::max(1L, evalsR), hitB ? "reached it in" : "did not reach it in", b, hitB ? "" : ">=",
                    b / mipSeconds, evalsB);
      }
    }
  }
  if (randomCapped || bayesCapped)
    std::printf("INFO searches that did not reach the optimum within %.0f s count with the cap: random search missed it on %d of %d "
                "instances, Bayesian on %d of %d\n",
                cap, randomMissed, searched, bayesMissed, searched);
  // A capped ratio is at most the true one, so the median of the ratios is at most the true median.
  // A capped ratio above the median can only grow without moving the median, so the median is
  // measured unless some capped ratio is at or below it.
  auto kind = [](const std::vector<double>& all, const std::vector<double>& capped) {
    if (capped.empty()) return "measured (every search reached the optimum)";
    const double m = median(all);
    for (double c : capped)
      if (c <= m) return "a lower bound (a search that hit the cap is at or below it)";
    return "measured (the searches that hit the cap are all above it)";
  };
  std::printf("INFO speed-up medians: random %s, Bayesian %s\n", kind(vsRandom, cappedRandom), kind(vsBayes, cappedBayes));
  std::printf("RESULT allocate_optimal_fraction=%.3f\n", compared ? static_cast<double>(optimal) / compared : 0.0);
  std::printf("RESULT allocate_speedup_vs_random=%.0f\n", median(vsRandom));
  std::printf("RESULT allocate_speedup_vs_bayes=%.0f\n", median(vsBayes));
  return 0;
}
