// The allocation MIP (Allocation.h): built for GLPK (one binary per layer and candidate, one
// "exactly one" row per layer, one row per finite limit; its LP relaxation, then branch and bound),
// and the exhaustive enumeration it is checked against.
#include "tasks/Allocation.h"

#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
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
/// greedy repair and a local search, for the branch and bound to start from (an incumbent prunes
/// its tree from the first node); empty when the repair finds none. Not a solver: GLPK proves the
/// optimum, this only gives it a bound to prune with.
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
  // The totals `t` of `pick` with layer l's candidate swapped for position i (one layer's
  // difference, not a sum over every layer: a step tries every swap).
  auto swapped = [&](const AllocCosts& t, size_t l, size_t i) {
    AllocCosts u = t;
    const AllocCosts& was = p.layers[l].candidates[cols[l][pick[l]]].cost;
    const AllocCosts& now = p.layers[l].candidates[cols[l][i]].cost;
    for (size_t k = 0; k < kCostCount; ++k) u[k] += now[k] - was[k];
    return u;
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
        const double gain = e - excess(swapped(t, l, i));
        if (gain <= 0) continue;
        const double added = objectiveOf(p.layers[l].candidates[cols[l][i]]) - objectiveOf(p.layers[l].candidates[cols[l][pick[l]]]);
        const double score = gain / std::max(added, 1e-9);
        if (score > best) best = score, bestLayer = l, bestPick = i;
      }
    if (best < 0) return {};
    pick[bestLayer] = bestPick;
  }
  if (!withinLimits(p, totals(pick))) return {};
  // Then single swaps that lower the objective within the limits (checked on the recomputed
  // totals before a swap is kept), while there are some.
  for (bool improved = true; improved;) {
    improved = false;
    AllocCosts t = totals(pick);
    for (size_t l = 0; l < layers; ++l)
      for (size_t i = 0; i < cols[l].size(); ++i) {
        const double was = objectiveOf(p.layers[l].candidates[cols[l][pick[l]]]);
        if (objectiveOf(p.layers[l].candidates[cols[l][i]]) >= was) continue;
        if (!withinLimits(p, swapped(t, l, i))) continue;
        std::vector<size_t> trial = pick;
        trial[l] = i;
        const AllocCosts exact = totals(trial);
        if (!withinLimits(p, exact)) continue;
        pick = trial;
        t = exact;
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

namespace {
/// What GLPK's branch and bound reports through its callback: the greedy incumbent to offer at
/// the root, and the tree's size and best bound (for a search stopped by the time limit).
struct SearchState {
  std::vector<double> incumbent;  // 1-based column values, empty when greedyIncumbent found none
  bool offered = false;
  long nodes = 0;
  double bound = -std::numeric_limits<double>::infinity();
};

void onSearchEvent(glp_tree* tree, void* info) {
  SearchState& st = *static_cast<SearchState*>(info);
  switch (glp_ios_reason(tree)) {
    case GLP_IHEUR:
      // The greedy allocation, once (at the root): GLPK checks it against every row and bound
      // and keeps it only if it is feasible and better than what it has.
      if (!st.offered && !st.incumbent.empty()) glp_ios_heur_sol(tree, st.incumbent.data());
      st.offered = true;
      break;
    case GLP_ISELECT: {
      // The least bound of the open nodes bounds every allocation not yet excluded. Bounds only
      // rise as the tree grows (a node's relaxation is a restriction of its parent's), so the
      // highest seen stays valid at a time limit; a node not yet solved reports -DBL_MAX.
      const int best = glp_ios_best_node(tree);
      if (best != 0) st.bound = std::max(st.bound, glp_ios_node_bound(tree, best));
      int active = 0, current = 0, total = 0;
      glp_ios_tree_size(tree, &active, &current, &total);
      st.nodes = total;
      break;
    }
    default:
      break;
  }
}

/// How far from 0 or 1 a column of the LP relaxation's optimum may be and still count as integral
/// (GLPK's branch and bound uses 1e-5, its tol_int).
constexpr double kIntegralTolerance = 1e-9;

/// GLPK's time limits are whole milliseconds in an int.
int glpkMilliseconds(double seconds) {
  return static_cast<int>(std::clamp(std::ceil(seconds * 1000), 1.0, 2.0e9));
}
}  // namespace

AllocSolution solveAllocation(const AllocProblem& p) {
  const auto start = std::chrono::steady_clock::now();
  AllocSolution s;
  if (p.layers.empty()) {  // nothing to choose: the fixed part alone
    s.total = p.fixed;
    s.objective = s.bound = weighted(p, s.total);
    if (withinLimits(p, s.total)) s.status = AllocSolution::Status::Optimal;
    s.seconds = secondsSince(start);
    return s;
  }
  // Columns: the candidates within the II limit that no other one dominates; col[l] lists
  // (column, candidate index), columns numbered from 1 as GLPK does.
  std::vector<std::vector<std::pair<int, size_t>>> cols(p.layers.size());
  int n = 0;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    for (size_t c : paretoCandidates(p, l)) cols[l].push_back({++n, c});
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
  const int layerRows = static_cast<int>(p.layers.size());
  const int rows = layerRows + static_cast<int>(limitRows.size());
  // The matrix as GLPK takes it: (row, column, value) triplets from index 1. GLPK stops the
  // process on a value that is not a finite number, so those are an error here first.
  std::vector<int> rowOf{0}, colOf{0};
  std::vector<double> value{0}, obj(static_cast<size_t>(n) + 1, 0.0);
  for (size_t l = 0; l < p.layers.size(); ++l)
    for (auto [col, c] : cols[l]) {
      const AllocCandidate& cand = p.layers[l].candidates[c];
      rowOf.push_back(static_cast<int>(l) + 1);
      colOf.push_back(col);
      value.push_back(1.0);
      for (size_t r = 0; r < limitRows.size(); ++r)
        if (cand.cost[limitRows[r]] != 0) {
          rowOf.push_back(layerRows + static_cast<int>(r) + 1);
          colOf.push_back(col);
          value.push_back(cand.cost[limitRows[r]]);
        }
      double o = 0;
      for (size_t k = 0; k < kCostCount; ++k) o += p.weight[k] * cand.cost[k];
      obj[static_cast<size_t>(col)] = o;
      bool finite = std::isfinite(o);
      for (double v : cand.cost) finite = finite && std::isfinite(v);
      if (!finite)
        throw std::runtime_error("allocation: a cost of layer " + p.layers[l].name + " with reuse factor " +
                                 std::to_string(cand.reuse) + " is not a finite number");
    }
  for (size_t r = 0; r < limitRows.size(); ++r)
    if (!std::isfinite(p.fixed[limitRows[r]]))
      throw std::runtime_error("allocation: the fixed part of the design has a cost that is not a finite number");
  s.variables = n;
  s.constraints = rows;
  // GLPK: its problem object, simplex and branch and bound have little fixed cost per problem,
  // which is most of the work on problems of a few dozen binaries (CbcModel took 2-4 times as
  // long on bench/allocate's, docs/tasks.md).
  std::unique_ptr<glp_prob, void (*)(glp_prob*)> lp(glp_create_prob(), glp_delete_prob);
  glp_set_obj_dir(lp.get(), GLP_MIN);
  glp_add_rows(lp.get(), rows);
  glp_add_cols(lp.get(), n);
  for (int r = 1; r <= layerRows; ++r) glp_set_row_bnds(lp.get(), r, GLP_FX, 1.0, 1.0);
  for (size_t r = 0; r < limitRows.size(); ++r)
    glp_set_row_bnds(lp.get(), layerRows + static_cast<int>(r) + 1, GLP_UP, 0.0,
                     p.limit[limitRows[r]] - p.fixed[limitRows[r]]);
  for (int c = 1; c <= n; ++c) {
    glp_set_col_kind(lp.get(), c, GLP_BV);  // binary: bounds 0 and 1
    glp_set_obj_coef(lp.get(), c, obj[static_cast<size_t>(c)]);
  }
  glp_load_matrix(lp.get(), static_cast<int>(value.size()) - 1, rowOf.data(), colOf.data(), value.data());
  // The LP relaxation first, by the dual simplex from the slack basis (dual feasible: every
  // column at 0 with a non-negative cost). Infeasible relaxation: no allocation at all.
  glp_smcp lpParams;
  glp_init_smcp(&lpParams);
  lpParams.msg_lev = GLP_MSG_OFF;
  lpParams.meth = GLP_DUALP;
  lpParams.tm_lim = glpkMilliseconds(p.timeLimitSeconds);
  // The greedy allocation (positions in cols[l]; empty: none found), computed when the search
  // needs an incumbent or stops without one of its own.
  auto greedyAllocation = [&] {
    std::vector<std::vector<size_t>> candidates(p.layers.size());
    for (size_t l = 0; l < p.layers.size(); ++l)
      for (auto [col, c] : cols[l]) candidates[l].push_back(c);
    return greedyIncumbent(p, candidates);
  };
  // Stopped by the time limit without a proof: the best allocation known (GLPK's, else the
  // greedy one, else none) and `bound` (in the columns' objective, without the fixed part).
  auto stopped = [&](std::vector<size_t> choice, double bound) {
    s.status = AllocSolution::Status::TimeLimit;
    s.bound = bound + weighted(p, p.fixed);
    s.choice = std::move(choice);
    if (!s.choice.empty()) {
      s.total = allocationTotals(p, s.choice);
      s.objective = weighted(p, s.total);
      if (!withinLimits(p, s.total))
        throw std::runtime_error("the MIP solver (GLPK) returned an allocation that exceeds a limit");
      s.bound = std::min(s.bound, s.objective);
    }
    s.seconds = secondsSince(start);
    return s;
  };
  auto candidatesOf = [&](const std::vector<size_t>& positions) {
    std::vector<size_t> choice;
    for (size_t l = 0; l < positions.size(); ++l) choice.push_back(cols[l][positions[l]].second);
    return choice;
  };
  const int lpCode = glp_simplex(lp.get(), &lpParams);
  if (lpCode == GLP_ETMLIM) {
    // No relaxation: the bound is every layer at its cheapest column, the limits ignored.
    double cheapest = 0;
    for (size_t l = 0; l < p.layers.size(); ++l) {
      double least = std::numeric_limits<double>::infinity();
      for (auto [col, c] : cols[l]) least = std::min(least, obj[static_cast<size_t>(col)]);
      cheapest += least;
    }
    return stopped(candidatesOf(greedyAllocation()), cheapest);
  }
  if (lpCode != 0) throw std::runtime_error("the MIP solver (GLPK) failed on the LP relaxation (glp_simplex code " + std::to_string(lpCode) + ")");
  const int lpStatus = glp_get_status(lp.get());
  if (lpStatus == GLP_NOFEAS) {
    s.seconds = secondsSince(start);
    return s;
  }
  if (lpStatus != GLP_OPT)
    throw std::runtime_error("the MIP solver (GLPK) found no optimum of the LP relaxation (status " + std::to_string(lpStatus) + ")");
  // A relaxation whose optimum is already 0/1 (and within every limit when read back as a
  // choice) is an optimal allocation, since no allocation costs less than the relaxation's
  // optimum: no branch and bound (GLPK's would stop at its root, after its set-up).
  std::vector<size_t> rootChoice(p.layers.size());
  bool integral = true;
  for (size_t l = 0; l < p.layers.size() && integral; ++l) {
    int ones = 0;
    for (auto [col, c] : cols[l]) {
      const double x = glp_get_col_prim(lp.get(), col);
      if (x > 1 - kIntegralTolerance) ++ones, rootChoice[l] = c;
      else if (x > kIntegralTolerance) integral = false;
    }
    integral = integral && ones == 1;
  }
  if (integral && withinLimits(p, allocationTotals(p, rootChoice))) {
    s.choice = rootChoice;
    s.total = allocationTotals(p, s.choice);
    s.objective = s.bound = weighted(p, s.total);
    s.status = AllocSolution::Status::Optimal;
    s.seconds = secondsSince(start);
    return s;
  }
  // Then branch and bound from that basis, starting from the greedy allocation (it prunes the
  // tree from the first node; GLPK proves the optimum, the incumbent is only a bound).
  SearchState state;
  state.bound = glp_get_obj_val(lp.get());  // the relaxation's optimum bounds every allocation
  const std::vector<size_t> greedy = greedyAllocation();
  if (!greedy.empty()) {
    state.incumbent.assign(static_cast<size_t>(n) + 1, 0.0);
    for (size_t l = 0; l < p.layers.size(); ++l) state.incumbent[static_cast<size_t>(cols[l][greedy[l]].first)] = 1.0;
  }
  glp_iocp mipParams;
  glp_init_iocp(&mipParams);
  mipParams.msg_lev = GLP_MSG_OFF;
  mipParams.presolve = GLP_OFF;  // the LP above is its root
  mipParams.mip_gap = 0;         // an exact optimum, not a near one
  mipParams.tm_lim = glpkMilliseconds(p.timeLimitSeconds - secondsSince(start));
  // No bound preprocessing at the nodes (GLPK's default does it at every one): with an "exactly
  // one" row per layer it tightens little, and bench/allocate's solves took 5-15% less without.
  mipParams.pp_tech = GLP_PP_NONE;
  mipParams.cb_func = onSearchEvent;
  mipParams.cb_info = &state;
  const int mipCode = glp_intopt(lp.get(), &mipParams);
  s.seconds = secondsSince(start);
  s.nodes = state.nodes;
  if (mipCode != 0 && mipCode != GLP_ETMLIM)
    throw std::runtime_error("the MIP solver (GLPK) failed (glp_intopt code " + std::to_string(mipCode) + ")");
  const int mipStatus = glp_mip_status(lp.get());
  if (mipStatus == GLP_NOFEAS) return s;  // proven: no feasible allocation
  if (mipStatus != GLP_OPT && mipStatus != GLP_FEAS)  // stopped before GLPK took the greedy allocation
    return stopped(candidatesOf(greedy), state.bound);
  s.choice.resize(p.layers.size());
  for (size_t l = 0; l < p.layers.size(); ++l) {
    double best = -1;
    for (auto [col, c] : cols[l]) {
      const double x = glp_mip_col_val(lp.get(), col);
      if (x > best) {
        best = x;
        s.choice[l] = c;
      }
    }
  }
  if (mipStatus != GLP_OPT || mipCode != 0) return stopped(s.choice, state.bound);
  s.total = allocationTotals(p, s.choice);
  s.objective = s.bound = weighted(p, s.total);
  if (!withinLimits(p, s.total))
    throw std::runtime_error("the MIP solver (GLPK) returned an allocation that exceeds a limit");
  s.status = AllocSolution::Status::Optimal;
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
