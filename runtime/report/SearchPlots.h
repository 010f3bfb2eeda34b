// The searches of a run from its `search_eval` events: history, best so far, Pareto front.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/HtmlDocument.h"
#include "report/RunLog.h"
#include "report/SvgPlot.h"

namespace mmlc::report {

struct SearchEvaluation {
  std::size_t index = 0;
  nlohmann::ordered_json params = nlohmann::ordered_json::object(); // name → value
  std::vector<double> objectives;                                    // as measured
  std::vector<bool> constraints;                                     // true: satisfied
  bool feasible = false;
  std::string result, resultType; // the evaluation's result (a step key) and its level
};

/// One call of a search (evaluations numbered from 0 again start the next call).
struct SearchRecord {
  std::string source, strategy;
  std::vector<std::string> paramNames, objectiveNames, directions, constraintNames;
  std::vector<SearchEvaluation> evaluations;
  /// Indices of the feasible evaluations no other feasible one dominates (objectives taken
  /// in their directions).
  std::vector<std::size_t> pareto;
  /// The search's result: the first feasible evaluation best by the first objective.
  std::optional<std::size_t> best;
  /// The best feasible first objective up to each evaluation (NaN before the first).
  std::vector<double> bestSoFar;
};

/// The searches among `events` (a run's events), in order, analysed.
std::vector<SearchRecord> searchesOf(const std::vector<LogEvent> &events);

/// "search-history" (first objective per evaluation, feasible/infeasible, best so far) and,
/// with two or more objectives, "search-pareto" (first two objectives, front highlighted).
std::vector<XyPlot> searchPlots(const SearchRecord &search);

/// One row per evaluation: parameters, objectives, constraints, feasible, Pareto, best.
Table searchTable(const SearchRecord &search);

} // namespace mmlc::report
