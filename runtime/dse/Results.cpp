// Serialisation of search results for reports (history plot, best-so-far, Pareto front, table).
#include "dse/Results.h"

#include <nlohmann/json.hpp>

#include "dse/Pareto.h"

namespace mmlc::dse {

std::string resultsJson(const SearchSpace& space, const SearchResult& result,
                        const std::vector<double>& reference) {
  using nlohmann::json;
  json parameters = json::array();
  for (const auto& p : space.parameters()) {
    json j{{"name", p.name}};
    switch (p.kind) {
      case ParameterKind::Real: j["kind"] = "real"; break;
      case ParameterKind::Integer: j["kind"] = "integer"; break;
      case ParameterKind::Ordinal: j["kind"] = "ordinal"; j["values"] = p.values; break;
      case ParameterKind::Categorical: j["kind"] = "categorical"; j["categories"] = p.categories; break;
    }
    if (p.kind == ParameterKind::Real || p.kind == ParameterKind::Integer) {
      j["lower"] = p.lower;
      j["upper"] = p.upper;
      j["log"] = p.scale == Scale::Log;
    }
    parameters.push_back(j);
  }
  json evaluations = json::array();
  bool haveBest = false;
  double best = 0;
  for (const auto& ev : result.evaluations) {
    const Observation& o = ev.observation;
    json config = json::object();
    for (std::size_t i = 0; i < space.size(); ++i) config[space[i].name] = space.label(ev.trial.config, i);
    if (o.feasible() && !o.objectives.empty() && (!haveBest || o.objectives[0] < best)) {
      best = o.objectives[0];
      haveBest = true;
    }
    evaluations.push_back(json{{"id", ev.trial.id},
                               {"config", config},
                               {"objectives", o.objectives},
                               {"constraints", o.constraints},
                               {"feasible", o.feasible()},
                               {"failed", o.failed},
                               {"seconds", o.seconds},
                               {"best_so_far", haveBest ? json(best) : json(nullptr)}});
  }
  json out{{"parameters", parameters},
           {"evaluations", evaluations},
           {"best", result.best ? json(*result.best) : json(nullptr)},
           {"pareto", result.pareto}};
  if (!reference.empty()) out["hypervolume"] = hypervolume(result.evaluations, reference);
  return out.dump();
}

}  // namespace mmlc::dse
