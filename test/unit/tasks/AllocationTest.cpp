// The allocation MIP (Allocation.cpp, GLPK) against exhaustive enumeration on random instances,
// infeasible limits, the II filter, hls4ml's valid-reuse-factor rule, and the costing of a real
// design's candidates (AllocationProblem.cpp).
#include <gtest/gtest.h>

#include <random>

#include "hls/DesignEstimate.h"
#include "hls/LayerModel.h"
#include "hls/NetworkDesc.h"
#include "nn/Network.h"
#include "tasks/Allocation.h"
#include "tasks/AllocationProblem.h"
#include "tasks/HlsConversion.h"

using namespace mmlc;
using namespace mmlc::tasks;

namespace {
/// A random instance: `layers` layers of `perLayer` candidates whose costs trade resources for
/// latency as reuse factors do (DSP and LUT fall, latency grows with the reuse factor).
AllocProblem randomProblem(std::mt19937 &rng, size_t layers, size_t perLayer) {
  std::uniform_real_distribution<double> u(0.5, 1.5);
  AllocProblem p;
  p.fixed = {2, 500, 800, 0, 3};
  for (size_t l = 0; l < layers; ++l) {
    AllocLayer layer;
    layer.name = "layer" + std::to_string(l);
    const double macs = 200 * u(rng);
    for (size_t c = 0; c < perLayer; ++c) {
      const double reuse = static_cast<double>(1 << c);
      AllocCandidate cand;
      cand.reuse = 1 << c;
      cand.resource = c % 2;
      cand.cost = {std::ceil(macs / reuse * u(rng)), 30 * macs / reuse * u(rng) + 100, 8 * macs / reuse * u(rng),
                   std::floor(c / 2.0), std::ceil(2 + reuse * u(rng))};
      cand.ii = reuse;
      layer.candidates.push_back(cand);
    }
    p.layers.push_back(layer);
  }
  return p;
}
} // namespace

TEST(Allocation, MipEqualsEnumerationOnRandomInstances) {
  std::mt19937 rng(11);
  int feasible = 0;
  for (int trial = 0; trial < 40; ++trial) {
    AllocProblem p = randomProblem(rng, 2 + trial % 4, 3 + trial % 3);
    const AllocCosts floor = allocationFloor(p);
    p.limit[kLatency] = floor[kLatency] + static_cast<double>(trial % 7) * 3;
    p.limit[kDsp] = floor[kDsp] * (1.0 + (trial % 5));
    const int objective = trial % 3;
    p.weight = {};
    if (objective == 0) p.weight[kLut] = 1;
    if (objective == 1) p.weight[kDsp] = 1, p.weight[kFf] = 0.01;
    if (objective == 2) p.weight[kLatency] = 1;
    const AllocSolution mip = solveAllocation(p), all = enumerateAllocation(p);
    ASSERT_EQ(mip.status == AllocSolution::Status::Infeasible, all.status == AllocSolution::Status::Infeasible)
        << "trial " << trial;
    if (all.status != AllocSolution::Status::Optimal) continue;
    ++feasible;
    ASSERT_EQ(mip.status, AllocSolution::Status::Optimal) << "trial " << trial;
    EXPECT_NEAR(mip.objective, all.objective, 1e-6 * std::max(1.0, std::abs(all.objective))) << "trial " << trial;
    EXPECT_LE(mip.total[kLatency], p.limit[kLatency] + 1e-9);
    EXPECT_LE(mip.total[kDsp], p.limit[kDsp] + 1e-9);
    long kept = 0;
    for (size_t l = 0; l < p.layers.size(); ++l) kept += static_cast<long>(paretoCandidates(p, l).size());
    EXPECT_EQ(mip.variables, kept);
  }
  EXPECT_GE(feasible, 15);  // the comparison is not vacuous (18 of the 40 are feasible)
}

// A candidate that exceeds a limit even with every other layer at its least cost is in no
// feasible allocation: the filter drops it before the dominance test (so it dominates nothing),
// and the MIP's optimum is still enumeration's.
TEST(Allocation, FilterDropsCandidatesNoAllocationCanFit) {
  AllocProblem p;
  p.fixed = {0, 0, 0, 0, 2};
  AllocLayer a, b;
  auto add = [](AllocLayer& layer, AllocCosts cost) {
    AllocCandidate c;
    c.cost = cost;
    layer.candidates.push_back(c);
  };
  add(a, {8, 100, 10, 0, 3});   // 0: fast
  add(a, {4, 60, 10, 0, 6});    // 1: fits only with b's fastest (2 + 6 + 2 = 10)
  add(a, {1, 20, 10, 0, 9});    // 2: 2 + 9 + 2 > 10: never fits
  add(b, {6, 90, 10, 0, 2});    // 0: fast
  add(b, {3, 30, 10, 0, 5});    // 1
  p.layers = {a, b};
  p.limit[kLatency] = 10;
  p.weight[kDsp] = 1;
  EXPECT_EQ(paretoCandidates(p, 0), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(paretoCandidates(p, 1), (std::vector<size_t>{0, 1}));
  const AllocSolution mip = solveAllocation(p), all = enumerateAllocation(p);
  ASSERT_EQ(mip.status, AllocSolution::Status::Optimal);
  EXPECT_EQ(mip.objective, all.objective);
  EXPECT_EQ(mip.choice, (std::vector<size_t>{1, 0}));  // 4 + 6 DSP at 10 cycles (a's 0 with b's 1: 8 + 3)
  EXPECT_EQ(mip.variables, 4);
  p.limit[kLatency] = 6;  // below the fastest allocation (2 + 3 + 2 = 7): nothing fits
  EXPECT_TRUE(paretoCandidates(p, 0).empty());
  EXPECT_EQ(solveAllocation(p).status, AllocSolution::Status::Infeasible);
}

// The MIP is built from the candidates no other one dominates: a candidate that costs at least
// as much in every figure, or the same as an earlier one, goes; the II limit applies first.
TEST(Allocation, ParetoFilterDropsDominatedAndDuplicateCandidates) {
  AllocProblem p;
  AllocLayer layer;
  auto add = [&](AllocCosts cost, double ii) {
    AllocCandidate c;
    c.cost = cost;
    c.ii = ii;
    layer.candidates.push_back(c);
  };
  add({4, 100, 50, 0, 3}, 1);  // 0: fast, big
  add({1, 400, 60, 1, 9}, 4);  // 1: small DSP, slow
  add({4, 120, 50, 0, 3}, 1);  // 2: dominated by 0 (more LUT, the rest equal)
  add({1, 400, 60, 1, 9}, 4);  // 3: the same as 1: dropped
  add({2, 90, 70, 0, 12}, 8);  // 4: fewest LUT: kept (until the II limit)
  p.layers.push_back(layer);
  EXPECT_EQ(paretoCandidates(p, 0), (std::vector<size_t>{0, 1, 4}));
  p.iiLimit = 4;
  EXPECT_EQ(paretoCandidates(p, 0), (std::vector<size_t>{0, 1}));
  p.weight[kLut] = 1;
  const AllocSolution s = solveAllocation(p);
  ASSERT_EQ(s.status, AllocSolution::Status::Optimal);
  EXPECT_EQ(s.choice, (std::vector<size_t>{0}));
  EXPECT_EQ(s.variables, 2);
}

TEST(Allocation, InfeasibleAndIiLimits) {
  std::mt19937 rng(3);
  AllocProblem p = randomProblem(rng, 3, 4);
  const AllocCosts floor = allocationFloor(p);
  p.limit[kLatency] = floor[kLatency] - 1;  // below the tightest latency any choice reaches
  p.weight[kLut] = 1;
  EXPECT_EQ(solveAllocation(p).status, AllocSolution::Status::Infeasible);
  EXPECT_EQ(enumerateAllocation(p).status, AllocSolution::Status::Infeasible);
  p.limit[kLatency] = std::numeric_limits<double>::infinity();
  p.iiLimit = 2;  // only reuse factors 1 and 2
  const AllocSolution s = solveAllocation(p);
  ASSERT_EQ(s.status, AllocSolution::Status::Optimal);
  for (size_t l = 0; l < p.layers.size(); ++l) EXPECT_LE(p.layers[l].candidates[s.choice[l]].ii, 2);
  EXPECT_NEAR(s.objective, enumerateAllocation(p).objective, 1e-6);
  p.iiLimit = 0.5;  // no candidate at all
  EXPECT_EQ(solveAllocation(p).status, AllocSolution::Status::Infeasible);
}

// The two ways solveAllocation proves an optimum: a relaxation whose optimum is already 0/1
// (no branch and bound: 0 nodes) and GLPK's branch and bound; and the two ways it proves there is
// none: an infeasible relaxation, and a feasible relaxation no 0/1 point of which meets the limits.
// On random small instances with random costs (not the reuse-factor shape above) and random
// latency and DSP limits, each must agree with enumeration, and each path must be taken.
TEST(Allocation, RootRelaxationAndBranchAndBoundBothMatchEnumeration) {
  std::mt19937 rng(29);
  std::uniform_real_distribution<double> u(0, 1);
  int rootOptimal = 0, branched = 0, infeasible = 0;
  for (int trial = 0; trial < 300; ++trial) {
    AllocProblem p;
    const size_t layers = 1 + trial % 4;
    for (size_t l = 0; l < layers; ++l) {
      AllocLayer layer;
      layer.name = "layer" + std::to_string(l);
      for (size_t c = 0; c < 2 + (trial / 4) % 4; ++c) {
        AllocCandidate cand;
        cand.reuse = static_cast<int>(c + 1);
        cand.cost = {std::floor(20 * u(rng)), 1000 * u(rng), 500 * u(rng), 0, std::floor(1 + 10 * u(rng))};
        layer.candidates.push_back(cand);
      }
      p.layers.push_back(layer);
    }
    const AllocCosts floor = allocationFloor(p);
    // From below the floor (infeasible) to well above it.
    p.limit[kLatency] = floor[kLatency] + std::floor(12 * u(rng)) - 1;
    p.limit[kDsp] = floor[kDsp] + std::floor(30 * u(rng)) - 1;
    p.weight = {};
    p.weight[trial % 2 ? kLut : kFf] = 1;
    const AllocSolution mip = solveAllocation(p), all = enumerateAllocation(p);
    ASSERT_EQ(mip.status == AllocSolution::Status::Infeasible, all.status == AllocSolution::Status::Infeasible)
        << "trial " << trial;
    if (all.status != AllocSolution::Status::Optimal) {
      ++infeasible;
      continue;
    }
    ASSERT_EQ(mip.status, AllocSolution::Status::Optimal) << "trial " << trial;
    EXPECT_NEAR(mip.objective, all.objective, 1e-9 * std::max(1.0, std::abs(all.objective))) << "trial " << trial;
    EXPECT_EQ(mip.bound, mip.objective) << "trial " << trial;
    EXPECT_LE(mip.total[kLatency], p.limit[kLatency]);
    EXPECT_LE(mip.total[kDsp], p.limit[kDsp]);
    (mip.nodes == 0 ? rootOptimal : branched) += 1;
  }
  // Not vacuous: every path is taken many times (180, 48 and 72 of the 300).
  EXPECT_GE(rootOptimal, 30);
  EXPECT_GE(branched, 30);
  EXPECT_GE(infeasible, 30);
}

// Three layers choosing between (latency 1, DSP 0) and (latency 0, DSP 1) under limits of 1.5
// each: the relaxation meets both with 1.5 of each kind, no 0/1 choice does (one kind has 2 or
// more), and no candidate breaks a limit on its own (so the bound tightening keeps all). The
// branch and bound must prove that no allocation exists.
TEST(Allocation, FeasibleRelaxationWithoutAnyAllocation) {
  AllocProblem p;
  for (int l = 0; l < 3; ++l) {
    AllocLayer layer;
    layer.name = "layer" + std::to_string(l);
    AllocCandidate slow, wide;
    slow.cost = {0, 10, 0, 0, 1};
    wide.cost = {1, 10, 0, 0, 0};
    layer.candidates = {slow, wide};
    p.layers.push_back(layer);
  }
  p.limit[kLatency] = p.limit[kDsp] = 1.5;
  p.weight[kLut] = 1;
  for (size_t l = 0; l < 3; ++l) EXPECT_EQ(paretoCandidates(p, l).size(), 2u);
  const AllocSolution s = solveAllocation(p);
  EXPECT_EQ(s.status, AllocSolution::Status::Infeasible);
  EXPECT_GT(s.nodes, 0);  // proven by branching, not by the relaxation
  EXPECT_EQ(enumerateAllocation(p).status, AllocSolution::Status::Infeasible);
  p.limit[kDsp] = 2;  // now one slow and two wide layers fit
  const AllocSolution fits = solveAllocation(p);
  ASSERT_EQ(fits.status, AllocSolution::Status::Optimal);
  EXPECT_EQ(fits.total[kLatency], 1);
  EXPECT_EQ(fits.total[kDsp], 2);
}

// A time limit far below what the search needs stops it with a valid result: the status says so,
// the bound is at most the true optimum and at least the trivial one (every layer at its fewest
// LUTs), and the allocation (the best found, or the greedy one) meets every limit and costs at
// least the optimum and the bound. 240 layers of 8 candidates stopped after 2 ms (in the LP
// relaxation here), 120 layers stopped at a third of the full search's time (in the branch and
// bound here).
TEST(Allocation, TimeLimitGivesAValidBoundAndAllocation) {
  for (const size_t layers : {240, 120}) {
    std::mt19937 rng(static_cast<unsigned>(layers));
    AllocProblem p = randomProblem(rng, layers, 8);
    const AllocCosts floor = allocationFloor(p);
    p.limit[kLatency] = floor[kLatency] * 8;
    p.limit[kDsp] = floor[kDsp] * 8;
    p.weight[kLut] = 1;
    const AllocSolution full = solveAllocation(p);
    ASSERT_EQ(full.status, AllocSolution::Status::Optimal);
    p.timeLimitSeconds = layers == 240 ? 0.002 : full.seconds / 3;
    const AllocSolution s = solveAllocation(p);
    ASSERT_EQ(s.status, AllocSolution::Status::TimeLimit)
        << layers << " layers solved in " << s.seconds << " s (the full search took " << full.seconds << " s)";
    const double tolerance = 1e-6 * full.objective;
    EXPECT_LE(s.bound, full.objective + tolerance) << layers;
    EXPECT_GE(s.bound, floor[kLut] - tolerance) << layers;
    ASSERT_EQ(s.choice.size(), p.layers.size()) << layers;  // the greedy allocation at least
    EXPECT_LE(s.total[kLatency], p.limit[kLatency]) << layers;
    EXPECT_LE(s.total[kDsp], p.limit[kDsp]) << layers;
    EXPECT_GE(s.objective, full.objective - tolerance) << layers;
    EXPECT_LE(s.bound, s.objective) << layers;
  }
}

// A cost that is not a finite number is a named error (GLPK would stop the process on it).
TEST(Allocation, NonFiniteCostIsAnError) {
  std::mt19937 rng(5);
  AllocProblem p = randomProblem(rng, 2, 3);
  p.weight[kLut] = 1;
  p.layers[1].candidates[0].cost[kLut] = std::numeric_limits<double>::infinity();
  p.layers[1].candidates[0].cost[kLatency] = 0;  // the fastest: no other candidate dominates it
  try {
    solveAllocation(p);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("layer1"), std::string::npos) << e.what();
  }
}

TEST(Allocation, Hls4mlValidReuseFactors) {
  // hls4ml's jet tagger's first layer (16 inputs, 64 outputs): 1, 2, 4, 8, 16, 32, 64, ...
  for (long r : {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}) EXPECT_TRUE(validReuseFactor(16, 64, r)) << r;
  for (long r : {3, 5, 6, 7, 12, 24, 48, 96}) EXPECT_FALSE(validReuseFactor(16, 64, r)) << r;
  // 10 inputs, 3 outputs: below 10, divisors of 30 leaving a multiple of 3 multipliers; above,
  // multiples of 10 that divide 30.
  for (long r : {1, 2, 5, 10, 30}) EXPECT_TRUE(validReuseFactor(10, 3, r)) << r;
  for (long r : {3, 4, 6, 7, 9, 15, 20}) EXPECT_FALSE(validReuseFactor(10, 3, r)) << r;
}


// The problem of a real design costs each candidate with one estimate of the design per (reuse,
// strategy) setting; each candidate's cost must equal an estimate of the design with only that
// layer changed (the layers' estimates are independent of each other's settings).
TEST(Allocation, CandidateCostsEqualOneDesignPerCandidate) {
  nn::Network net(nn::Shape{16}, 1);
  net.add(nn::layers::dense(32)).add(nn::layers::relu()).add(nn::layers::dense(12)).add(nn::layers::relu());
  net.add(nn::layers::dense(5)).add(nn::layers::softmax());
  const hls::NetworkDesc design = toHlsNetwork(net, HlsConversionOptions{});
  AllocationRequest request;
  request.maxReuse = 16;
  const DesignAllocation a = allocationProblem(design, {}, request);
  ASSERT_EQ(a.problem.layers.size(), 3u);
  for (size_t l = 0; l < a.problem.layers.size(); ++l)
    for (const AllocCandidate &c : a.problem.layers[l].candidates) {
      hls::NetworkDesc one = design;
      one.layers[a.layerIndex[l]].reuseFactor = c.reuse;
      one.layers[a.layerIndex[l]].strategy = c.resource ? hls::Strategy::Resource : hls::Strategy::Latency;
      const hls::LayerEstimate e = hls::estimateDesignLayers(one, {}).layers.at(a.layerIndex[l]);
      EXPECT_EQ(c.cost[kDsp], e.dsp) << a.problem.layers[l].name << " RF " << c.reuse;
      EXPECT_EQ(c.cost[kLut], e.lut) << a.problem.layers[l].name << " RF " << c.reuse;
      EXPECT_EQ(c.cost[kFf], e.ff);
      EXPECT_EQ(c.cost[kBram], e.bram18);
      EXPECT_EQ(c.cost[kLatency], static_cast<double>(e.latency));
      EXPECT_EQ(c.ii, static_cast<double>(e.interval));
    }
}

// Requests the problem cannot be built for: a candidate list with no factor hls4ml accepts for a
// layer names the layer and the factors it does accept; limits and the weighted objective need the
// capacity of the part, so a part outside the device table is refused by name.
TEST(Allocation, BadRequestsAreNamedErrors) {
  nn::Network net(nn::Shape{16}, 1);
  net.add(nn::layers::dense(12)).add(nn::layers::relu()).add(nn::layers::dense(5));
  const hls::NetworkDesc design = toHlsNetwork(net, HlsConversionOptions{});
  auto error = [](const hls::NetworkDesc &d, const AllocationRequest &r) {
    try {
      allocationProblem(d, {}, r);
    } catch (const std::invalid_argument &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  AllocationRequest noValid;
  noValid.reuse = {11, 13};
  const std::string reuse = error(design, noValid);
  EXPECT_NE(reuse.find("none of the candidate reuse factors is valid for layer"), std::string::npos) << reuse;
  EXPECT_NE(reuse.find("n_in 16, n_out 12; hls4ml accepts 1, 2, 4, 8, 16, 32, 48"), std::string::npos) << reuse;

  hls::NetworkDesc unknownPart = design;
  unknownPart.part = "xc9zzz-unknown";
  AllocationRequest weighted;
  weighted.objective = "weighted";
  const std::string part = error(unknownPart, weighted);
  EXPECT_NE(part.find("unknown FPGA part 'xc9zzz-unknown' (known: xc7z020"), std::string::npos) << part;
  // With the part known, the same request builds.
  EXPECT_EQ(error(design, weighted), "");
}

// Candidates the calibration has no rows for (here: a calibration whose resource-strategy sets
// were fitted on reuse factors 2..512 and constant-multiplier sets on 1..2, as the shipped one:
// the resource strategy at reuse factor 1 is an extrapolation) are left out and counted, unless
// the request names them (reuse factor listed, one strategy); a layer left with none is an error.
TEST(Allocation, CandidatesOutsideTheCalibrationAreLeftOutUnlessRequested) {
  nn::Network net(nn::Shape{16}, 1);
  net.add(nn::layers::dense(32)).add(nn::layers::relu()).add(nn::layers::dense(12)).add(nn::layers::relu());
  net.add(nn::layers::dense(5));
  const hls::NetworkDesc design = toHlsNetwork(net, HlsConversionOptions{});
  auto ranged = std::make_shared<hls::Calibration>(hls::defaultCalibration());
  for (auto &[key, set] : ranged->sets) {
    if (key.rfind("mac_shared", 0) == 0) set.minReuse = 2, set.maxReuse = 512;
    if (key.rfind("mac_const", 0) == 0) set.minReuse = 1, set.maxReuse = 2;
  }
  const hls::EstimatorChoice withRanges{ranged, "ranged.cal"};
  auto resourceAtOne = [](const DesignAllocation &a) {
    size_t n = 0;
    for (const AllocLayer &l : a.problem.layers)
      for (const AllocCandidate &c : l.candidates) n += c.resource && c.reuse == 1;
    return n;
  };
  AllocationRequest all;
  all.maxReuse = 16;
  const DesignAllocation a = allocationProblem(design, withRanges, all);
  ASSERT_EQ(a.problem.layers.size(), 3u);
  EXPECT_EQ(resourceAtOne(a), 0u);
  EXPECT_EQ(a.excluded, 3u);
  EXPECT_EQ(a.excludedWhy, "3 Dense resource strategy at reuse factor 1 (Dense_0, Dense_2, Dense_4)") << a.excludedWhy;
  // The same calibration without ranges: nothing is left out.
  auto unranged = std::make_shared<hls::Calibration>(*ranged);
  for (auto &[key, set] : unranged->sets) set.minReuse = set.maxReuse = 0;
  const DesignAllocation b = allocationProblem(design, {unranged, "unranged.cal"}, all);
  EXPECT_EQ(b.excluded, 0u);
  EXPECT_EQ(resourceAtOne(b), 3u);
  EXPECT_EQ(b.candidates, a.candidates + 3);
  // Named explicitly (reuse factor 1 listed, resource strategy): kept.
  AllocationRequest named;
  named.reuse = {1, 2, 4};
  named.strategy = "resource";
  const DesignAllocation c = allocationProblem(design, withRanges, named);
  EXPECT_EQ(c.excluded, 0u);
  EXPECT_EQ(resourceAtOne(c), 3u);
  // Listed, but with both strategies: still left out.
  AllocationRequest listedBoth;
  listedBoth.reuse = {1, 2};
  EXPECT_EQ(allocationProblem(design, withRanges, listedBoth).excluded, 3u);
  // Only extrapolations to choose from: an error naming the layer and the way out.
  AllocationRequest onlyExtrapolated;
  onlyExtrapolated.maxReuse = 1;
  onlyExtrapolated.strategy = "resource";
  try {
    allocationProblem(design, withRanges, onlyExtrapolated);
    ADD_FAILURE() << "expected an error";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("every candidate of layer Dense_0 is outside what the estimator's calibration"),
              std::string::npos)
        << e.what();
  }
}
