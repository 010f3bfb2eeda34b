// Grid search: enumerates the grid in lexicographic order, skipping configurations already told.
#include "dse/GridSearch.h"

#include <limits>

#include "dse/History.h"

namespace mmlc::dse {

std::vector<std::uint64_t> gridLevels(const SearchSpace& space) {
  std::vector<std::uint64_t> levels;
  for (const auto& p : space.parameters())
    levels.push_back(p.kind == ParameterKind::Real ? std::uint64_t(p.gridPoints)
                                                   : std::uint64_t(p.cardinality()));
  return levels;
}

std::uint64_t gridSize(const std::vector<std::uint64_t>& levels) {
  std::uint64_t n = 1;
  for (auto k : levels) {
    if (k != 0 && n > std::numeric_limits<std::uint64_t>::max() / k)
      return std::numeric_limits<std::uint64_t>::max();
    n *= k;
  }
  return n;
}

std::vector<double> gridPoint(const SearchSpace& space, const std::vector<std::uint64_t>& levels,
                              std::uint64_t index) {
  std::vector<double> e(levels.size());
  for (std::size_t i = levels.size(); i-- > 0;) {
    std::uint64_t k = levels[i];
    std::uint64_t level = index % k;
    index /= k;
    const Parameter& p = space[i];
    switch (p.kind) {
      case ParameterKind::Real: e[i] = k == 1 ? 0.5 : double(level) / double(k - 1); break;
      case ParameterKind::Integer: e[i] = space.encode(i, p.lower + double(level)); break;
      case ParameterKind::Ordinal: e[i] = k == 1 ? 0.0 : double(level) / double(k - 1); break;
      case ParameterKind::Categorical: e[i] = double(level); break;
    }
  }
  return e;
}

}  // namespace mmlc::dse

namespace mmlc::dse {

namespace {

class GridSearch final : public Strategy {
 public:
  GridSearch(SearchSpace space, ProblemShape shape)
      : space_(std::move(space)), history_(space_, shape), levels_(gridLevels(space_)),
        size_(gridSize(levels_)) {
    if (space_.size() == 0) throw SearchError("grid search over an empty space");
  }

  std::vector<Trial> ask(std::size_t count) override {
    std::vector<Trial> out;
    while (out.size() < count && next_ < size_) {
      std::vector<double> e = gridPoint(space_, levels_, next_++);
      space_.snap(e);
      if (history_.contains(e, 1e-12)) continue;  // told already, e.g. replayed from a journal
      Trial t{history_.takeId(), space_.decode(e)};
      history_.addPending(t);
      out.push_back(std::move(t));
    }
    return out;
  }

  void tell(const Trial& trial, const Observation& o) override { history_.record(trial, o); }
  std::string name() const override { return "grid"; }
  const SearchSpace& space() const override { return space_; }

 private:
  SearchSpace space_;
  History history_;
  std::vector<std::uint64_t> levels_;
  std::uint64_t size_;
  std::uint64_t next_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> makeGridSearch(SearchSpace space, ProblemShape shape) {
  return std::make_unique<GridSearch>(std::move(space), shape);
}

}  // namespace mmlc::dse
