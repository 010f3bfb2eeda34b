// Journal reading (with validation and torn-write recovery) and durable appends.
#include "dse/Journal.h"

#include <fstream>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace mmlc::dse {

namespace {

using nlohmann::json;

const char* kindName(ParameterKind k) {
  switch (k) {
    case ParameterKind::Real: return "real";
    case ParameterKind::Integer: return "integer";
    case ParameterKind::Ordinal: return "ordinal";
    case ParameterKind::Categorical: return "categorical";
  }
  return "?";
}

json describeSpace(const SearchSpace& space) {
  json out = json::array();
  for (const auto& p : space.parameters()) {
    json j{{"name", p.name}, {"kind", kindName(p.kind)}};
    if (p.kind == ParameterKind::Real || p.kind == ParameterKind::Integer) {
      j["lower"] = p.lower;
      j["upper"] = p.upper;
      j["log"] = p.scale == Scale::Log;
    }
    if (p.kind == ParameterKind::Ordinal) j["values"] = p.values;
    if (p.kind == ParameterKind::Categorical) j["categories"] = p.categories;
    out.push_back(j);
  }
  return out;
}

json header(const SearchSpace& space, ProblemShape shape, const std::string& strategy,
            std::uint64_t seed) {
  return json{{"kind", "header"},        {"format", "mmlc-dse-journal"}, {"version", 1},
              {"strategy", strategy},    {"seed", seed},                 {"space", describeSpace(space)},
              {"objectives", shape.objectives}, {"constraints", shape.constraints}};
}

std::vector<double> numbers(const json& j, const char* key, std::size_t line) {
  if (!j.contains(key) || !j[key].is_array())
    throw SearchError("journal line " + std::to_string(line) + ": missing array '" + key + "'");
  std::vector<double> out;
  for (const auto& v : j[key]) {
    if (!v.is_number())
      throw SearchError("journal line " + std::to_string(line) + ": '" + key + "' holds a non-number");
    out.push_back(v.get<double>());
  }
  return out;
}

}  // namespace

Journal::Journal(std::string path, const SearchSpace& space, ProblemShape shape,
                 const std::string& strategy, std::uint64_t seed)
    : path_(std::move(path)), space_(space), shape_(shape) {
  json expected = header(space, shape, strategy, seed);
  std::ifstream in(path_, std::ios::binary);
  std::string content;
  if (in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    content = ss.str();
  }
  std::size_t keep = 0;  // bytes of intact lines
  if (!content.empty()) {
    History validator(space, shape);
    std::size_t pos = 0, line = 0;
    while (pos < content.size()) {
      std::size_t end = content.find('\n', pos);
      bool torn = end == std::string::npos;
      std::string text = content.substr(pos, torn ? std::string::npos : end - pos);
      ++line;
      json j = json::parse(text, nullptr, false);
      if (j.is_discarded()) {
        if (torn) break;  // interrupted write of the last line: drop it
        throw SearchError("journal " + path_ + " line " + std::to_string(line) + ": not valid JSON");
      }
      if (line == 1) {
        if (j != expected)
          throw SearchError("journal " + path_ +
                            " belongs to a different search (space, strategy, seed or objectives "
                            "differ); remove it or use another journal path");
      } else {
        if (!j.is_object() || j.value("kind", "") != "evaluation")
          throw SearchError("journal " + path_ + " line " + std::to_string(line) +
                            ": expected an evaluation record");
        Evaluation ev;
        if (!j.contains("id") || !j["id"].is_number_unsigned())
          throw SearchError("journal line " + std::to_string(line) + ": missing trial id");
        ev.trial.id = j["id"].get<std::uint64_t>();
        ev.trial.config.values = numbers(j, "values", line);
        ev.trial.config.encoded = numbers(j, "encoded", line);
        if (ev.trial.config.values.size() != space.size() ||
            ev.trial.config.encoded.size() != space.size())
          throw SearchError("journal line " + std::to_string(line) + ": wrong number of coordinates");
        ev.observation.failed = j.value("failed", false);
        ev.observation.objectives = numbers(j, "objectives", line);
        ev.observation.constraints = numbers(j, "constraints", line);
        ev.observation.seconds = j.value("seconds", 0.0);
        try {
          validator.validate(ev.trial, ev.observation);
        } catch (const SearchError& e) {
          throw SearchError("journal " + path_ + " line " + std::to_string(line) + ": " + e.what());
        }
        loaded_.push_back(std::move(ev));
      }
      pos = torn ? content.size() : end + 1;
      keep = pos;
    }
  }
  if (keep == 0) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw SearchError("cannot create journal " + path_);
    std::string h = expected.dump() + "\n";
    std::fwrite(h.data(), 1, h.size(), file_);
  } else {
    if (keep < content.size() && ::truncate(path_.c_str(), off_t(keep)) != 0)
      throw SearchError("cannot drop the torn last line of journal " + path_);
    file_ = std::fopen(path_.c_str(), "ab");
    if (!file_) throw SearchError("cannot open journal " + path_ + " for appending");
    if (content[keep - 1] != '\n') std::fputc('\n', file_);  // complete but unterminated line
  }
  if (std::fflush(file_) != 0) throw SearchError("cannot write journal " + path_);
}

Journal::~Journal() {
  if (file_) std::fclose(file_);
}

void Journal::replay(Strategy& strategy) const {
  for (const auto& ev : loaded_) strategy.tell(ev.trial, ev.observation);
}

void Journal::append(const Trial& trial, const Observation& o) {
  json config = json::object();
  for (std::size_t i = 0; i < space_.size(); ++i) config[space_[i].name] = space_.label(trial.config, i);
  json j{{"kind", "evaluation"},
         {"id", trial.id},
         {"config", config},
         {"values", trial.config.values},
         {"encoded", trial.config.encoded},
         {"objectives", o.failed ? std::vector<double>{} : o.objectives},
         {"constraints", o.failed ? std::vector<double>{} : o.constraints},
         {"failed", o.failed},
         {"seconds", o.seconds}};
  std::string line = j.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    throw SearchError("cannot write journal " + path_);
  ::fsync(::fileno(file_));
}

}  // namespace mmlc::dse
