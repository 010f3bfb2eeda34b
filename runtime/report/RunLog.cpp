// Parses log.jsonl into the latest run's flow and the task events of each step key.
#include "report/RunLog.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace mmlc::report {

double LogEvent::number(const std::string &name) const {
  auto it = fields.find(name);
  if (it == fields.end() || !it->is_number())
    return std::numeric_limits<double>::quiet_NaN();
  return it->get<double>();
}

std::string LogEvent::text(const std::string &name) const {
  auto it = fields.find(name);
  if (it == fields.end())
    return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::vector<const LogEvent *> RunLog::eventsOf(const std::string &key,
                                               const std::string &kind) const {
  std::vector<const LogEvent *> out;
  auto it = taskEvents.find(key);
  if (it != taskEvents.end())
    for (const LogEvent &e : it->second)
      if (e.kind == kind)
        out.push_back(&e);
  return out;
}

std::vector<std::string> RunLog::eventKindsOf(const std::string &key) const {
  std::vector<std::string> kinds;
  auto it = taskEvents.find(key);
  if (it != taskEvents.end())
    for (const LogEvent &e : it->second)
      if (std::find(kinds.begin(), kinds.end(), e.kind) == kinds.end())
        kinds.push_back(e.kind);
  return kinds;
}

namespace {
/// Events the runtime itself writes about steps; every other event with a `path` is a task's.
bool isStepBookkeeping(const std::string &kind) {
  return kind == "step" || kind == "reuse" || kind == "error" || kind == "note" || kind == "run";
}

/// A line with `nan`/`inf` where a number belongs (what printing a non-finite double gives)
/// made valid JSON: those tokens outside strings become null.
std::string withNonFiniteAsNull(const std::string &line) {
  std::string out;
  bool inString = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < line.size())
        out += line[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
      out += c;
      continue;
    }
    size_t start = i + (c == '-' || c == '+' ? 1 : 0);
    size_t end = start;
    while (end < line.size() && std::isalpha(static_cast<unsigned char>(line[end])))
      ++end;
    std::string word = line.substr(start, end - start);
    for (char &w : word)
      w = static_cast<char>(std::tolower(static_cast<unsigned char>(w)));
    if (word == "nan" || word == "inf" || word == "infinity") {
      out += "null";
      i = end - 1;
      continue;
    }
    out += c;
  }
  return out;
}

struct LatestComputation {
  double seconds = std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, double> metrics;
};
} // namespace

RunLog parseRunLog(std::istream &in) {
  RunLog log;
  std::map<std::string, std::vector<LogEvent>> pending; // by call path, until its step ends
  std::map<std::string, LatestComputation> computations;
  // The latest run's steps: (path, key) → position of the last event and whether computed.
  struct Occurrence { std::size_t last = 0; bool computed = false; std::string task; };
  std::map<std::pair<std::string, std::string>, Occurrence> occurrences;

  std::string text;
  std::size_t lineNumber = 0;
  while (std::getline(in, text)) {
    ++lineNumber;
    if (text.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    LogEvent event;
    event.line = lineNumber;
    try {
      event.fields = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::exception &) {
      try {
        event.fields = nlohmann::ordered_json::parse(withNonFiniteAsNull(text));
      } catch (const nlohmann::json::exception &) {
        ++log.unreadableLines;
        continue;
      }
    }
    auto kind = event.fields.find("event");
    if (!event.fields.is_object() || kind == event.fields.end() || !kind->is_string()) {
      ++log.unreadableLines;
      continue;
    }
    event.kind = kind->get<std::string>();
    ++log.events;

    if (event.kind == "run") { // a new invocation: what the previous one left open is void
      ++log.runs;
      pending.clear();
      occurrences.clear();
      log.latestRun.clear();
    }
    log.latestRun.push_back(event);
    std::string path = event.text("path");
    if (event.kind == "step" || event.kind == "reuse") {
      std::string key = event.text("key");
      if (event.kind == "step") {
        LatestComputation &c = computations[key];
        c.seconds = event.number("seconds");
        c.metrics.clear();
        for (auto &[name, value] : event.fields.items())
          if (name.rfind("metric.", 0) == 0 && value.is_number())
            c.metrics[name.substr(7)] = value.get<double>();
        log.taskEvents[key] = std::move(pending[path]);
      }
      pending.erase(path);
      Occurrence &o = occurrences[{path, key}];
      o.last = log.latestRun.size();
      o.computed = o.computed || event.kind == "step";
      o.task = event.text("task");
    } else if (event.kind == "error") {
      pending.erase(path);
    } else if (!path.empty() && !isStepBookkeeping(event.kind)) {
      pending[path].push_back(std::move(event));
    }
  }
  if (log.runs == 0 && log.events > 0)
    log.runs = 1;

  std::vector<std::pair<std::size_t, FlowStep>> ordered;
  for (const auto &[pathKey, o] : occurrences) {
    FlowStep s;
    s.path = pathKey.first;
    s.key = pathKey.second;
    s.task = o.task;
    s.computed = o.computed;
    if (auto c = computations.find(s.key); c != computations.end()) {
      s.seconds = c->second.seconds;
      s.metrics = c->second.metrics;
    } else {
      s.seconds = std::numeric_limits<double>::quiet_NaN();
    }
    ordered.emplace_back(o.last, std::move(s));
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  for (auto &[position, step] : ordered)
    log.flow.push_back(std::move(step));
  return log;
}

RunLog readRunLog(const std::filesystem::path &file) {
  std::ifstream in(file);
  if (!in) {
    if (!std::filesystem::exists(file))
      return {};
    throw std::runtime_error("cannot read " + file.string());
  }
  return parseRunLog(in);
}

} // namespace mmlc::report
