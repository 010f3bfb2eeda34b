// Random search: uniform sampling of the encoded space, each draw derived from (seed, trial id).
#include <algorithm>

#include "dse/GridSearch.h"
#include "dse/History.h"
#include "dse/QuasiRandom.h"

namespace mmlc::dse {

namespace {

class RandomSearch final : public Strategy {
 public:
  RandomSearch(SearchSpace space, std::uint64_t seed, ProblemShape shape)
      : space_(std::move(space)), history_(space_, shape), seed_(seed) {
    if (space_.size() == 0) throw SearchError("random search over an empty space");
  }

  std::vector<Trial> ask(std::size_t count) override {
    std::vector<Trial> out;
    while (out.size() < count) {
      std::uint64_t id = history_.peekId();
      Random rng = Random::derive(seed_, 0x7a4d, id);
      std::optional<std::vector<double>> chosen;
      for (int attempt = 0; attempt < 64 && !chosen; ++attempt) {
        std::vector<double> u(space_.size());
        for (auto& x : u) x = rng.uniform();
        std::vector<double> e = space_.fromUnit(u);
        if (!history_.contains(e, 1e-12)) chosen = std::move(e);
      }
      if (!chosen) chosen = unvisitedDiscrete(rng);
      if (!chosen) break;  // every configuration was evaluated
      Trial t{history_.takeId(), space_.decode(*chosen)};
      history_.addPending(t);
      out.push_back(std::move(t));
    }
    return out;
  }

  void tell(const Trial& trial, const Observation& o) override { history_.record(trial, o); }
  std::string name() const override { return "random"; }
  const SearchSpace& space() const override { return space_; }

 private:
  // When rejection sampling keeps hitting evaluated points the discrete space is nearly
  // exhausted: pick uniformly among the configurations left, if they can be listed.
  std::optional<std::vector<double>> unvisitedDiscrete(Random& rng) {
    if (!space_.allDiscrete()) return std::nullopt;
    auto levels = gridLevels(space_);
    std::uint64_t total = gridSize(levels);
    if (total > 200'000) return std::nullopt;
    std::vector<std::vector<double>> left;
    for (std::uint64_t i = 0; i < total; ++i) {
      auto e = gridPoint(space_, levels, i);
      space_.snap(e);
      if (!history_.contains(e, 0)) left.push_back(std::move(e));
    }
    if (left.empty()) return std::nullopt;
    return left[rng.below(left.size())];
  }

  SearchSpace space_;
  History history_;
  std::uint64_t seed_;
};

}  // namespace

std::unique_ptr<Strategy> makeRandomSearch(SearchSpace space, std::uint64_t seed,
                                           ProblemShape shape) {
  return std::make_unique<RandomSearch>(std::move(space), seed, shape);
}

}  // namespace mmlc::dse
