// Non-dominated filtering and the WFG exact hypervolume algorithm (While et al., 2012).
#include "dse/Pareto.h"

#include <algorithm>

#include "dse/SearchSpace.h"

namespace mmlc::dse {

namespace {

using Points = std::vector<std::vector<double>>;

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool strictly = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

Points nondominated(const Points& points) {
  Points out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool keep = true;
    for (std::size_t j = 0; j < points.size() && keep; ++j) {
      if (j == i) continue;
      if (dominates(points[j], points[i]) || (j < i && points[j] == points[i])) keep = false;
    }
    if (keep) out.push_back(points[i]);
  }
  return out;
}

double hv2d(Points ps, const std::vector<double>& ref) {
  std::sort(ps.begin(), ps.end());
  double volume = 0, lastY = ref[1];
  for (const auto& p : ps) {
    if (p[1] < lastY) {
      volume += (ref[0] - p[0]) * (lastY - p[1]);
      lastY = p[1];
    }
  }
  return volume;
}

double wfg(Points ps, const std::vector<double>& ref);

double inclusive(const std::vector<double>& p, const std::vector<double>& ref) {
  double v = 1;
  for (std::size_t k = 0; k < p.size(); ++k) v *= ref[k] - p[k];
  return v;
}

double wfg(Points ps, const std::vector<double>& ref) {
  if (ps.empty()) return 0;
  if (ref.size() == 2) return hv2d(std::move(ps), ref);
  // Sorting by the last objective makes the limit sets small.
  std::sort(ps.begin(), ps.end(), [](const auto& a, const auto& b) { return a.back() > b.back(); });
  double volume = 0;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    Points limited;
    for (std::size_t j = i + 1; j < ps.size(); ++j) {
      std::vector<double> q(ref.size());
      for (std::size_t k = 0; k < ref.size(); ++k) q[k] = std::max(ps[i][k], ps[j][k]);
      limited.push_back(std::move(q));
    }
    volume += inclusive(ps[i], ref) - wfg(nondominated(limited), ref);
  }
  return volume;
}

}  // namespace

std::vector<std::size_t> paretoFront(const Points& points) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool keep = true;
    for (std::size_t j = 0; j < points.size() && keep; ++j) {
      if (j == i) continue;
      if (dominates(points[j], points[i]) || (j < i && points[j] == points[i])) keep = false;
    }
    if (keep) out.push_back(i);
  }
  return out;
}

double hypervolume(const Points& points, const std::vector<double>& reference) {
  if (reference.empty()) throw SearchError("hypervolume needs a reference point");
  Points inside;
  for (const auto& p : points) {
    if (p.size() != reference.size())
      throw SearchError("hypervolume: point and reference differ in dimension");
    bool better = true;
    for (std::size_t k = 0; k < p.size(); ++k) better = better && p[k] < reference[k];
    if (better) inside.push_back(p);
  }
  if (reference.size() == 1) {
    double best = reference[0];
    for (const auto& p : inside) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  return wfg(nondominated(inside), reference);
}

std::vector<std::size_t> paretoFront(const std::vector<Evaluation>& evaluations) {
  Points points;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    if (!evaluations[i].observation.feasible()) continue;
    points.push_back(evaluations[i].observation.objectives);
    index.push_back(i);
  }
  std::vector<std::size_t> out;
  for (std::size_t k : paretoFront(points)) out.push_back(index[k]);
  return out;
}

double hypervolume(const std::vector<Evaluation>& evaluations, const std::vector<double>& reference) {
  Points points;
  for (const auto& ev : evaluations)
    if (ev.observation.feasible()) points.push_back(ev.observation.objectives);
  return hypervolume(points, reference);
}

}  // namespace mmlc::dse
