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
    if (cs[c].ii <= p.iiLimit) within.push_back(c);
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
  std::vector<size_t> limitRows;
  for (size_t k = 0; k < kCostCount; ++k)
    if (std::isfinite(p.limit[k])) limitRows.push_back(k);
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
  OsiClpSolverInterface lp;
  lp.messageHandler()->setLogLevel(0);
  lp.loadProblem(n, rows, colStart.data(), index.data(), value.data(), lb.data(), ub.data(), obj.data(), rowLb.data(),
                 rowUb.data());
  for (int c = 0; c < n; ++c) lp.setInteger(c);
  lp.setObjSense(1);  // minimise
  CbcModel model(lp);
  model.setLogLevel(0);
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
