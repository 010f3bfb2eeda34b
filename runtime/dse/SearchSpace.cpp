// Search space validation, normalised encoding, rounding onto discrete grids and decoding.
#include "dse/SearchSpace.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace mmlc::dse {

namespace {

std::string quoted(const std::string& name) { return "'" + name + "'"; }

double logOf(double v) { return std::log(v); }

}  // namespace

Parameter Parameter::real(std::string name, double lower, double upper, Scale scale) {
  if (!std::isfinite(lower) || !std::isfinite(upper))
    throw SearchError("parameter " + quoted(name) + ": bounds must be finite");
  if (!(lower < upper))
    throw SearchError("parameter " + quoted(name) + ": lower bound must be below the upper bound");
  if (scale == Scale::Log && lower <= 0)
    throw SearchError("parameter " + quoted(name) + ": a log scale needs a positive lower bound");
  Parameter p;
  p.name = std::move(name);
  p.kind = ParameterKind::Real;
  p.scale = scale;
  p.lower = lower;
  p.upper = upper;
  return p;
}

Parameter Parameter::integer(std::string name, std::int64_t lower, std::int64_t upper, Scale scale) {
  if (lower > upper)
    throw SearchError("parameter " + quoted(name) + ": empty integer range");
  if (scale == Scale::Log && lower <= 0)
    throw SearchError("parameter " + quoted(name) + ": a log scale needs a positive lower bound");
  constexpr std::int64_t exact = std::int64_t(1) << 52;  // integers stay exact in a double
  if (lower < -exact || upper > exact)
    throw SearchError("parameter " + quoted(name) + ": integer bounds beyond 2^52");
  Parameter p;
  p.name = std::move(name);
  p.kind = ParameterKind::Integer;
  p.scale = scale;
  p.lower = double(lower);
  p.upper = double(upper);
  return p;
}

Parameter Parameter::ordinal(std::string name, std::vector<double> values) {
  if (values.empty()) throw SearchError("parameter " + quoted(name) + ": empty value set");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      throw SearchError("parameter " + quoted(name) + ": values must be finite");
    if (i > 0 && !(values[i - 1] < values[i]))
      throw SearchError("parameter " + quoted(name) + ": values must be strictly increasing");
  }
  Parameter p;
  p.name = std::move(name);
  p.kind = ParameterKind::Ordinal;
  p.values = std::move(values);
  p.lower = p.values.front();
  p.upper = p.values.back();
  return p;
}

Parameter Parameter::categorical(std::string name, std::vector<std::string> categories) {
  if (categories.empty()) throw SearchError("parameter " + quoted(name) + ": no categories");
  for (std::size_t i = 0; i < categories.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (categories[i] == categories[j])
        throw SearchError("parameter " + quoted(name) + ": category '" + categories[i] +
                          "' listed twice");
  Parameter p;
  p.name = std::move(name);
  p.kind = ParameterKind::Categorical;
  p.categories = std::move(categories);
  return p;
}

std::size_t Parameter::cardinality() const {
  switch (kind) {
    case ParameterKind::Real: return 0;
    case ParameterKind::Integer: return std::size_t(upper - lower) + 1;
    case ParameterKind::Ordinal: return values.size();
    case ParameterKind::Categorical: return categories.size();
  }
  return 0;
}

SearchSpace::SearchSpace(std::vector<Parameter> parameters) {
  for (auto& p : parameters) add(std::move(p));
}

void SearchSpace::validateNew(const Parameter& p) const {
  if (p.name.empty()) throw SearchError("a parameter needs a name");
  for (const auto& q : parameters_)
    if (q.name == p.name) throw SearchError("parameter " + quoted(p.name) + " declared twice");
  if (p.kind == ParameterKind::Real && p.gridPoints < 1)
    throw SearchError("parameter " + quoted(p.name) + ": grid needs at least one point");
}

void SearchSpace::add(Parameter parameter) {
  validateNew(parameter);
  parameters_.push_back(std::move(parameter));
}

std::size_t SearchSpace::indexOf(const std::string& name) const {
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    if (parameters_[i].name == name) return i;
  throw SearchError("unknown parameter " + quoted(name));
}

bool SearchSpace::hasCategorical() const {
  return std::any_of(parameters_.begin(), parameters_.end(),
                     [](const Parameter& p) { return p.kind == ParameterKind::Categorical; });
}

bool SearchSpace::allDiscrete() const {
  return std::all_of(parameters_.begin(), parameters_.end(),
                     [](const Parameter& p) { return p.isDiscrete(); });
}

namespace {

// Encoded coordinate of an integer value, on the parameter's (linear or log) axis.
double encodeInteger(const Parameter& p, double v) {
  if (p.upper == p.lower) return 0.0;
  if (p.scale == Scale::Log) return (logOf(v) - logOf(p.lower)) / (logOf(p.upper) - logOf(p.lower));
  return (v - p.lower) / (p.upper - p.lower);
}

double integerFromEncoded(const Parameter& p, double e) {
  e = std::clamp(e, 0.0, 1.0);
  double v;
  if (p.scale == Scale::Log)
    v = std::exp(logOf(p.lower) + e * (logOf(p.upper) - logOf(p.lower)));
  else
    v = p.lower + e * (p.upper - p.lower);
  return std::clamp(std::round(v), p.lower, p.upper);
}

double indexFromEncoded(double e, std::size_t count) {
  if (count <= 1) return 0.0;
  return std::clamp(std::round(e * double(count - 1)), 0.0, double(count - 1));
}

}  // namespace

void SearchSpace::snap(std::vector<double>& e) const {
  if (e.size() != parameters_.size())
    throw SearchError("point has " + std::to_string(e.size()) + " coordinates, space has " +
                      std::to_string(parameters_.size()));
  for (std::size_t i = 0; i < e.size(); ++i) {
    const Parameter& p = parameters_[i];
    double x = std::isfinite(e[i]) ? e[i] : 0.0;
    switch (p.kind) {
      case ParameterKind::Real: e[i] = std::clamp(x, 0.0, 1.0); break;
      case ParameterKind::Integer: e[i] = encodeInteger(p, integerFromEncoded(p, x)); break;
      case ParameterKind::Ordinal: {
        std::size_t k = p.values.size();
        e[i] = k <= 1 ? 0.0 : indexFromEncoded(x, k) / double(k - 1);
        break;
      }
      case ParameterKind::Categorical:
        e[i] = std::clamp(std::round(x), 0.0, double(p.categories.size() - 1));
        break;
    }
  }
}

std::vector<double> SearchSpace::fromUnit(const std::vector<double>& u) const {
  std::vector<double> e(u.size());
  for (std::size_t i = 0; i < u.size(); ++i) {
    const Parameter& p = parameters_[i];
    double x = std::clamp(u[i], 0.0, 1.0);
    switch (p.kind) {
      case ParameterKind::Real: e[i] = x; break;
      case ParameterKind::Integer:
        if (p.scale == Scale::Linear) {
          // Uniform over the integers: each gets an equal share of the unit interval.
          double n = p.upper - p.lower + 1;
          double v = std::min(p.lower + std::floor(x * n), p.upper);
          e[i] = encodeInteger(p, v);
        } else {
          e[i] = x;  // log-uniform, rounded by snap below
        }
        break;
      case ParameterKind::Ordinal: {
        std::size_t k = p.values.size();
        double idx = std::min(std::floor(x * double(k)), double(k - 1));
        e[i] = k <= 1 ? 0.0 : idx / double(k - 1);
        break;
      }
      case ParameterKind::Categorical: {
        std::size_t k = p.categories.size();
        e[i] = std::min(std::floor(x * double(k)), double(k - 1));
        break;
      }
    }
  }
  snap(e);
  return e;
}

Config SearchSpace::decode(std::vector<double> e) const {
  snap(e);
  Config c;
  c.values.resize(e.size());
  for (std::size_t i = 0; i < e.size(); ++i) {
    const Parameter& p = parameters_[i];
    switch (p.kind) {
      case ParameterKind::Real:
        if (p.scale == Scale::Log)
          c.values[i] = std::exp(logOf(p.lower) + e[i] * (logOf(p.upper) - logOf(p.lower)));
        else
          c.values[i] = p.lower + e[i] * (p.upper - p.lower);
        c.values[i] = std::clamp(c.values[i], p.lower, p.upper);
        break;
      case ParameterKind::Integer: c.values[i] = integerFromEncoded(p, e[i]); break;
      case ParameterKind::Ordinal:
        c.values[i] = p.values[std::size_t(indexFromEncoded(e[i], p.values.size()))];
        break;
      case ParameterKind::Categorical: c.values[i] = e[i]; break;
    }
  }
  c.encoded = std::move(e);
  return c;
}

double SearchSpace::encode(std::size_t i, double v) const {
  const Parameter& p = parameters_[i];
  if (!std::isfinite(v)) throw SearchError("parameter " + quoted(p.name) + ": non-finite value");
  switch (p.kind) {
    case ParameterKind::Real:
      if (v < p.lower || v > p.upper)
        throw SearchError("parameter " + quoted(p.name) + ": value out of bounds");
      return p.scale == Scale::Log
                 ? (logOf(v) - logOf(p.lower)) / (logOf(p.upper) - logOf(p.lower))
                 : (v - p.lower) / (p.upper - p.lower);
    case ParameterKind::Integer:
      if (v != std::round(v) || v < p.lower || v > p.upper)
        throw SearchError("parameter " + quoted(p.name) + ": value is not an integer in range");
      return encodeInteger(p, v);
    case ParameterKind::Ordinal: {
      auto it = std::find(p.values.begin(), p.values.end(), v);
      if (it == p.values.end())
        throw SearchError("parameter " + quoted(p.name) + ": value not in the value set");
      std::size_t k = p.values.size();
      return k <= 1 ? 0.0 : double(it - p.values.begin()) / double(k - 1);
    }
    case ParameterKind::Categorical:
      if (v != std::round(v) || v < 0 || v >= double(p.categories.size()))
        throw SearchError("parameter " + quoted(p.name) + ": category index out of range");
      return v;
  }
  return 0.0;
}

Config SearchSpace::fromValues(const std::vector<double>& values) const {
  if (values.size() != parameters_.size())
    throw SearchError("configuration has " + std::to_string(values.size()) +
                      " values, space has " + std::to_string(parameters_.size()));
  std::vector<double> e(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) e[i] = encode(i, values[i]);
  // Decoding the encoding gives back the canonical value (e.g. exact log-scale bounds).
  Config c;
  c.values = values;
  c.encoded = std::move(e);
  return c;
}

bool SearchSpace::same(const std::vector<double>& a, const std::vector<double>& b,
                       double tolerance) const {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (parameters_[i].isDiscrete()) {
      if (a[i] != b[i]) return false;
    } else if (std::abs(a[i] - b[i]) > tolerance) {
      return false;
    }
  }
  return true;
}

std::uint64_t SearchSpace::discreteCount() const {
  std::uint64_t n = 1;
  for (const auto& p : parameters_) {
    std::size_t k = p.cardinality();
    if (k == 0) return 0;
    if (n > std::numeric_limits<std::uint64_t>::max() / k) return std::numeric_limits<std::uint64_t>::max();
    n *= k;
  }
  return n;
}

std::string SearchSpace::label(const Config& c, std::size_t i) const {
  const Parameter& p = parameters_[i];
  if (p.kind == ParameterKind::Categorical) return p.categories[std::size_t(c.values[i])];
  std::ostringstream os;
  if (p.kind == ParameterKind::Integer)
    os << std::int64_t(c.values[i]);
  else
    os << c.values[i];
  return os.str();
}

std::string SearchSpace::describe(const Config& c) const {
  std::string s;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (i) s += ", ";
    s += parameters_[i].name + "=" + label(c, i);
  }
  return s;
}

}  // namespace mmlc::dse
