// The allocation MIP (Allocation.h): built column by column for CBC (CbcModel over Clp; one binary per
// layer and candidate, one "exactly one" row per layer, one row per finite limit), and the
// exhaustive enumeration it is checked against.
#include "tasks/Allocation.h"

#include <coin/CbcModel.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace mmlc::tasks {

namespace {
double weighted(const AllocProblem& p, const AllocCosts& total) {
  double v = 0;
  for (size_t k = 0; k < kCostCount; ++k) v += p.weight[k] * total[k];
  return v;
}

bool withinLimits(const AllocProblem& p, const AllocCosts& total) {
  for (size_t k = 0; k < kCostCount; ++k)
    if (total[k] > p.limit[k] * (1 + 1e-9) + 1e-9) return false;
  return true;
}

/// A feasible allocation over the columns `cols` (per layer: candidate indices) found by a
/// greedy repair and a local search, for CBC to start from (an incumbent prunes its tree from
/// the first node); empty when the repair finds none. Not a solver: CBC proves the optimum, this
/// only gives it a bound to prune with.
std::vector<size_t> greedyIncumbent(const AllocProblem& p, const std::vector<std::vector<size_t>>& cols) {
  const size_t layers = cols.size();
  auto objectiveOf = [&](const AllocCandidate& c) {
    double v = 0;
    for (size_t k = 0; k < kCostCount; ++k) v += p.weight[k] * c.cost[k];
    return v;
  };
  // Start from each layer's cheapest candidate, then repair the limits it exceeds.
  std::vector<size_t> pick(layers, 0);  // position in cols[l]
  for (size_t l = 0; l < layers; ++l)
    for (size_t i = 1; i < cols[l].size(); ++i)
      if (objectiveOf(p.layers[l].candidates[cols[l][i]]) < objectiveOf(p.layers[l].candidates[cols[l][pick[l]]])) pick[l] = i;
  auto totals = [&](const std::vector<size_t>& at) {
    AllocCosts t = p.fixed;
    for (size_t l = 0; l < layers; ++l)
      for (size_t k = 0; k < kCostCount; ++k) t[k] += p.layers[l].candidates[cols[l][at[l]]].cost[k];
    return t;
  };
  auto excess = [&](const AllocCosts& t) {  // the relative excess over the limits
    double e = 0;
    for (size_t k = 0; k < kCostCount; ++k)
      if (std::isfinite(p.limit[k]) && t[k] > p.limit[k]) e += (t[k] - p.limit[k]) / std::max(1.0, std::abs(p.limit[k]));
    return e;
  };
  for (size_t step = 0; step < 4 * layers * layers + 16; ++step) {
    const AllocCosts t = totals(pick);
    const double e = excess(t);
    if (e <= 0) break;
    // The swap that removes the most excess per objective added.
    double best = -1;
    size_t bestLayer = 0, bestPick = 0;
    for (size_t l = 0; l < layers; ++l)
      for (size_t i = 0; i < cols[l].size(); ++i) {
        if (i == pick[l]) continue;
        std::vector<size_t> trial = pick;
        trial[l] = i;
        const double gain = e - excess(totals(trial));
        if (gain <= 0) continue;
        const double added = objectiveOf(p.layers[l].candidates[cols[l][i]]) - objectiveOf(p.layers[l].candidates[cols[l][pick[l]]]);
        const double score = gain / std::max(added, 1e-9);
        if (score > best) best = score, bestLayer = l, bestPick = i;
      }
    if (best < 0) return {};
    pick[bestLayer] = bestPick;
  }
  if (!withinLimits(p, totals(pick))) return {};
  // Then single swaps that lower the objective within the limits, while there are some.
  for (bool improved = true; improved;) {
    improved = false;
    for (size_t l = 0; l < layers; ++l)
      for (size_t i = 0; i < cols[l].size(); ++i) {
        const double was = objectiveOf(p.layers[l].candidates[cols[l][pick[l]]]);
        if (objectiveOf(p.layers[l].candidates[cols[l][i]]) >= was) continue;
        std::vector<size_t> trial = pick;
        trial[l] = i;
        if (!withinLimits(p, totals(trial))) continue;
        pick = trial;
        improved = true;
      }
  }
  return pick;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

bool validReuseFactor(long nIn, long nOut, long reuse) {
  if (nIn <= 0 || nOut <= 0 || reuse <= 0) return false;
  const long multfactor = std::min(nIn, reuse);
  const long multiplierLimit = (nIn * nOut + multfactor - 1) / multfactor;
  bool ok = (multiplierLimit % nOut == 0) || reuse >= nIn;
  ok = ok && (reuse % nIn == 0 || reuse < nIn);
  ok = ok && (nIn * nOut) % reuse == 0;
  return ok;
}

AllocCosts allocationTotals(const AllocProblem& p, const std::vector<size_t>& choice) {
  AllocCosts total = p.fixed;
  for (size_t l = 0; l < p.layers.size(); ++l)
    for (size_t k = 0; k < kCostCount; ++k) total[k] += p.layers[l].candidates.at(choice.at(l)).cost[k];
  return total;
}

AllocCosts allocationFloor(const AllocProblem& p) {
  AllocCosts floor = p.fixed;
  for (const AllocLayer& l : p.layers)
    for (size_t k = 0; k < kCostCount; ++k) {
      double least = std::numeric_limits<double>::infinity();
      for (const AllocCandidate& c : l.candidates)
        if (c.ii <= p.iiLimit) least = std::min(least, c.cost[k]);
      floor[k] += least;
    }
  return floor;
}

std::vector<size_t> paretoCandidates(const AllocProblem& p, size_t layer) {
  const std::vector<AllocCandidate>& cs = p.layers.at(layer).candidates;
  // Room per limit for this layer: the limit less the fixed part and the other layers' least
  // cost (within the II limit). A candidate above it is in no feasible allocation (bound
  // tightening, exact), and dropping it first lets it dominate no other candidate.
  AllocCosts room = p.limit;
  for (size_t k = 0; k < kCostCount; ++k) {
    if (!std::isfinite(room[k])) continue;
    room[k] -= p.fixed[k];
    for (size_t o = 0; o < p.layers.size(); ++o) {
      if (o == layer) continue;
      double least = std::numeric_limits<double>::infinity();
      for (const AllocCandidate& c : p.layers[o].candidates)
        if (c.ii <= p.iiLimit) least = std::min(least, c.cost[k]);
      room[k] -= least;
    }
  }
  auto fits = [&](const AllocCandidate& c) {
    for (size_t k = 0; k < kCostCount; ++k)
      if (c.cost[k] > room[k] + 1e-9 * std::abs(p.limit[k]) + 1e-6) return false;  // looser than withinLimits
    return true;
  };
  // d dominates c when it costs no more in every figure (and is listed first among equals):
  // replacing c by d in any allocation keeps every limit and does not raise the objective,
  // whose weights are non-negative, so some optimum avoids c.
  auto dominates = [&](size_t d, size_t c) {
    bool less = false;
    for (size_t k = 0; k < kCostCount; ++k) {
      if (cs[d].cost[k] > cs[c].cost[k]) return false;
      less = less || cs[d].cost[k] < cs[c].cost[k];
    }
    return less || d < c;
  };
  std::vector<size_t> within, kept;
  for (size_t c = 0; c < cs.size(); ++c)
    if (cs[c].ii <= p.iiLimit && fits(cs[c])) within.push_back(c);
  for (size_t c : within) {
    bool dominated = false;
    for (size_t d : within) dominated = dominated || (d != c && dominates(d, c));
    if (!dominated) kept.push_back(c);
  }
  return kept;
}

AllocSolution solveAllocation(const AllocProblem& p) {
  const auto start = std::chrono::steady_clock::now();
  AllocSolution s;
  // Columns: the candidates within the II limit that no other one dominates; col[l] lists
  // (column, candidate index).
  std::vector<std::vector<std::pair<int, size_t>>> cols(p.layers.size());
  int n = 0;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    for (size_t c : paretoCandidates(p, l)) cols[l].push_back({n++, c});
    if (cols[l].empty()) {  // no candidate of this layer meets the II limit
      s.seconds = secondsSince(start);
      return s;
    }
  }
  // Rows: one "exactly one" per layer, then one per finite limit (right-hand side: the limit
  // less the fixed part).
  // A limit that even the dearest column of every layer meets is no row (it cannot bind).
  std::vector<size_t> limitRows;
  for (size_t k = 0; k < kCostCount; ++k) {
    if (!std::isfinite(p.limit[k])) continue;
    double most = p.fixed[k];
    for (size_t l = 0; l < p.layers.size(); ++l) {
      double dearest = -std::numeric_limits<double>::infinity();
      for (auto [col, c] : cols[l]) dearest = std::max(dearest, p.layers[l].candidates[c].cost[k]);
      most += dearest;
    }
    if (most > p.limit[k]) limitRows.push_back(k);
  }
  const int rows = static_cast<int>(p.layers.size() + limitRows.size());
  std::vector<CoinBigIndex> colStart{0};
  std::vector<int> index;
  std::vector<double> value, lb(static_cast<size_t>(n), 0.0), ub(static_cast<size_t>(n), 1.0), obj;
  for (size_t l = 0; l < p.layers.size(); ++l)
    for (auto [col, c] : cols[l]) {
      const AllocCandidate& cand = p.layers[l].candidates[c];
      index.push_back(static_cast<int>(l));
      value.push_back(1.0);
      for (size_t r = 0; r < limitRows.size(); ++r)
        if (cand.cost[limitRows[r]] != 0) {
          index.push_back(static_cast<int>(p.layers.size() + r));
          value.push_back(cand.cost[limitRows[r]]);
        }
      colStart.push_back(static_cast<CoinBigIndex>(index.size()));
      double o = 0;
      for (size_t k = 0; k < kCostCount; ++k) o += p.weight[k] * cand.cost[k];
      obj.push_back(o);
    }
  std::vector<double> rowLb(static_cast<size_t>(rows)), rowUb(static_cast<size_t>(rows));
  for (size_t l = 0; l < p.layers.size(); ++l) rowLb[l] = rowUb[l] = 1.0;
  for (size_t r = 0; r < limitRows.size(); ++r) {
    rowLb[p.layers.size() + r] = -std::numeric_limits<double>::max();  // CBC: no lower bound
    rowUb[p.layers.size() + r] = p.limit[limitRows[r]] - p.fixed[limitRows[r]];
  }
  s.variables = n;
  s.constraints = rows;
  // CBC's branch and bound (CbcModel) on Clp's LP relaxation, called directly: the stand-alone
  // driver behind CBC's C interface (CbcMain: parameter tables, preprocessing, the default cut
  // generators and heuristics) took 1.4-15 ms per problem of these sizes, mostly set-up; plain
  // branch and bound with a zero gap is as exact (the tests and bench/allocate compare it with
  // exhaustive enumeration).
  // The LP is handed to CbcModel (assignSolver: it owns it), not copied into it (its
  // constructor from a solver clones the whole Clp model).
  // A copy of an empty solver made once per thread: constructing one builds Clp's message tables
  // (hundreds of strings), a seventh of CBC's time on the bench's jet tagger; a copy is cheap.
  thread_local const OsiClpSolverInterface emptySolver = [] {
    OsiClpSolverInterface s;
    s.messageHandler()->setLogLevel(0);
    return s;
  }();
  OsiSolverInterface* lp = emptySolver.clone(true);
  lp->messageHandler()->setLogLevel(0);
  lp->loadProblem(n, rows, colStart.data(), index.data(), value.data(), lb.data(), ub.data(), obj.data(), rowLb.data(),
                  rowUb.data());
  std::vector<int> integers(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) integers[static_cast<size_t>(c)] = c;
  lp->setInteger(integers.data(), n);
  lp->setObjSense(1);  // minimise
  // No scaling: the rows are a few dozen binaries with costs of at most a few million, and
  // scaling (and the scaled copies CbcModel then keeps) cost more than these LPs; the optimum is
  // proven the same way (bench/allocate and AllocationTest compare it with enumeration).
  lp->setHintParam(OsiDoScale, false, OsiHintTry);
  CbcModel model;
  model.assignSolver(lp, true);
  model.setLogLevel(0);
  // Wall-clock time for the time limit: CBC's default (CPU time) asks the kernel (getrusage) at
  // every node, a visible share of a problem this small.
  model.setUseElapsedTime(true);
  // Bit 4: CBC does not re-solve the LP with the integers fixed to check each solution it finds.
  // Every variable is a binary of this model, so a solution is its 0/1 values; the choice read
  // back below is checked against every limit here instead (and the objective recomputed).
  model.setSpecialOptions(model.specialOptions() | 4);
  model.solver()->messageHandler()->setLogLevel(0);
  model.setMaximumSeconds(p.timeLimitSeconds);
  model.setAllowableGap(0);  // an exact optimum, not a near one
  model.setAllowableFractionGap(0);
  model.setAllowablePercentageGap(0);
  // Branching without strong branching (CBC's default tries 5 candidates per node by solving
  // their LPs, and trusts pseudo-costs only after 10 such tries): on these problems (tens of
  // binaries, one "exactly one" row per layer) the tries cost more than the nodes they save;
  // plain pseudo-cost branching took 2-5x less time (bench/allocate). Any branching order gives
  // the same proven optimum.
  model.setNumberStrong(0);
  model.setNumberBeforeTrust(0);
  {
    std::vector<std::vector<size_t>> candidates(p.layers.size());
    for (size_t l = 0; l < p.layers.size(); ++l)
      for (auto [col, c] : cols[l]) candidates[l].push_back(c);
    const std::vector<size_t> start = greedyIncumbent(p, candidates);
    if (!start.empty()) {
      std::vector<double> x(static_cast<size_t>(n), 0.0);
      double value = 0;
      for (size_t l = 0; l < p.layers.size(); ++l) {
        x[static_cast<size_t>(cols[l][start[l]].first)] = 1.0;
        value += obj[static_cast<size_t>(cols[l][start[l]].first)];
      }
      model.setBestSolution(x.data(), n, value, false);  // within every limit (greedyIncumbent checks)
    }
  }
  model.branchAndBound();
  s.seconds = secondsSince(start);
  s.nodes = model.getNodeCount();
  if (model.isProvenInfeasible()) return s;
  const double* x = model.bestSolution();
  if (!x) {
    if (model.isSecondsLimitReached()) {
      s.status = AllocSolution::Status::TimeLimit;
      return s;
    }
    if (model.isAbandoned()) throw std::runtime_error("the MIP solver (CBC) gave up on numerical difficulties");
    return s;  // no feasible allocation
  }
  s.choice.resize(p.layers.size());
  for (size_t l = 0; l < p.layers.size(); ++l) {
    double best = -1;
    for (auto [col, c] : cols[l])
      if (x[col] > best) {
        best = x[col];
        s.choice[l] = c;
      }
  }
  s.total = allocationTotals(p, s.choice);
  s.objective = weighted(p, s.total);
  if (!withinLimits(p, s.total))
    throw std::runtime_error("the MIP solver (CBC) returned an allocation that exceeds a limit");
  const double constant = weighted(p, p.fixed);
  s.bound = model.isProvenOptimal() ? s.objective : model.getBestPossibleObjValue() + constant;
  s.status = model.isProvenOptimal() ? AllocSolution::Status::Optimal : AllocSolution::Status::TimeLimit;
  return s;
}

AllocSolution enumerateAllocation(const AllocProblem& p) {
  const auto start = std::chrono::steady_clock::now();
  AllocSolution best;
  std::vector<size_t> choice(p.layers.size(), 0);
  for (const AllocLayer& l : p.layers)
    if (l.candidates.empty()) return best;
  while (true) {
    bool iiOk = true;
    for (size_t l = 0; l < p.layers.size(); ++l) iiOk = iiOk && p.layers[l].candidates[choice[l]].ii <= p.iiLimit;
    if (iiOk) {
      const AllocCosts total = allocationTotals(p, choice);
      const double v = weighted(p, total);
      if (withinLimits(p, total) && (best.status != AllocSolution::Status::Optimal || v < best.objective)) {
        best.status = AllocSolution::Status::Optimal;
        best.choice = choice;
        best.total = total;
        best.objective = best.bound = v;
      }
    }
    size_t l = 0;
    while (l < p.layers.size() && ++choice[l] == p.layers[l].candidates.size()) choice[l++] = 0;
    if (l == p.layers.size()) break;
  }
  best.seconds = secondsSince(start);
  return best;
}

}  // namespace mmlc::tasks
