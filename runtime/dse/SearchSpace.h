// Search space of a design-space exploration: typed parameters and their normalised encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mmlc::dse {

// Raised for every user mistake (bad bounds, empty domains, corrupt journals, ...), never an assert.
class SearchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ParameterKind { Real, Integer, Ordinal, Categorical };
enum class Scale { Linear, Log };

// One searched dimension. Build them with the static factories, which validate the domain.
struct Parameter {
  std::string name;
  ParameterKind kind = ParameterKind::Real;
  Scale scale = Scale::Linear;
  double lower = 0, upper = 1;          // Real and Integer bounds (inclusive)
  std::vector<double> values;           // Ordinal: the allowed numbers, strictly increasing
  std::vector<std::string> categories;  // Categorical: the labels
  int gridPoints = 5;                   // how many levels grid search uses for a Real dimension

  static Parameter real(std::string name, double lower, double upper, Scale scale = Scale::Linear);
  static Parameter integer(std::string name, std::int64_t lower, std::int64_t upper,
                           Scale scale = Scale::Linear);
  static Parameter ordinal(std::string name, std::vector<double> values);
  static Parameter categorical(std::string name, std::vector<std::string> categories);

  bool isDiscrete() const { return kind != ParameterKind::Real; }
  // Number of distinct values of a discrete dimension (0 for Real).
  std::size_t cardinality() const;
};

// A point of the space in two forms. `values` are what the user's evaluator sees (a real, an
// integer stored exactly in a double, or a category index); `encoded` is what the surrogate model
// sees: [0,1] per numeric dimension, already rounded onto the discrete grid, and the category
// index for categoricals. Both are kept so a journal replays bit-exactly.
struct Config {
  std::vector<double> values;
  std::vector<double> encoded;
};

class SearchSpace {
 public:
  SearchSpace() = default;
  explicit SearchSpace(std::vector<Parameter> parameters);

  void add(Parameter parameter);
  std::size_t size() const { return parameters_.size(); }
  const Parameter& operator[](std::size_t i) const { return parameters_[i]; }
  const std::vector<Parameter>& parameters() const { return parameters_; }
  std::size_t indexOf(const std::string& name) const;
  bool hasCategorical() const;
  bool allDiscrete() const;

  // Rounds an encoded point onto the evaluable set (clamping, grid rounding) in place. The model
  // and the acquisition only ever see snapped points, which is how "rounding inside the kernel"
  // is realised: two encodings that evaluate the same configuration are the same model input.
  void snap(std::vector<double>& encoded) const;
  // Maps a unit-cube sample (e.g. quasi-random) to a snapped encoded point.
  std::vector<double> fromUnit(const std::vector<double>& unit) const;
  Config decode(std::vector<double> encoded) const;
  // Builds a config from user values (e.g. a point evaluated outside the strategy); validates it.
  Config fromValues(const std::vector<double>& values) const;
  // Encoded coordinate of one user value of dimension `dim`; throws when it is not in the domain.
  double encode(std::size_t dim, double value) const;
  // Whether two snapped encodings are the same configuration (continuous dims within `tolerance`).
  bool same(const std::vector<double>& a, const std::vector<double>& b, double tolerance) const;
  // Product of cardinalities, or 0 when a Real dimension makes the space infinite; saturates.
  std::uint64_t discreteCount() const;

  std::string label(const Config& config, std::size_t i) const;
  std::string describe(const Config& config) const;

 private:
  void validateNew(const Parameter& parameter) const;
  std::vector<Parameter> parameters_;
};

}  // namespace mmlc::dse
