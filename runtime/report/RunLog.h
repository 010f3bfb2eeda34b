// Reads a run's log.jsonl: the steps of the latest run in order and the events each step logged.
#pragma once

#include <cstddef>
#include <filesystem>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mmlc::report {

/// One line of log.jsonl: its kind (the "event" member) and all its members.
struct LogEvent {
  std::string kind;
  nlohmann::ordered_json fields;
  std::size_t line = 0; // 1-based line number in log.jsonl
  /// A member as a number (NaN when absent or not a number; booleans are not numbers).
  double number(const std::string &name) const;
  /// A member as text ("" when absent; strings unquoted, anything else as JSON).
  std::string text(const std::string &name) const;
};

/// A step of the latest run.
struct FlowStep {
  std::string path, task, key;
  /// Computed in the latest run; false: reused from an earlier run (`--resume`).
  bool computed = false;
  /// Duration of the latest computation of this key, from its `step` event (NaN if the log
  /// holds none, e.g. it was computed by a run whose log was lost).
  double seconds = 0;
  /// Metrics of the latest `step` event of this key (`metric.NAME` members).
  std::map<std::string, double> metrics;
};

/// What log.jsonl says about a run directory. A directory written by several invocations
/// (`mmlc run --resume`) holds several runs, each starting with a `run` event; "latest" is
/// the last of them. A log without `run` events counts as one run.
struct RunLog {
  /// The steps of the latest run, each (path, key) once, ordered by its last `step` or
  /// `reuse` event (a replay after forked branches puts them back in program order).
  std::vector<FlowStep> flow;
  /// Task events (`prune_step`, `epoch`, ...: any event with a `path` that is not a
  /// step/reuse/error/note) by step key, from the latest computation of that key: the events
  /// of a call path that precede its `step` event belong to that step; events of a step that
  /// never finished (killed, failed) are dropped.
  std::map<std::string, std::vector<LogEvent>> taskEvents;
  /// Every event of the latest run in order (search_eval, parallel_branch, note, ...).
  std::vector<LogEvent> latestRun;
  std::size_t runs = 0;
  std::size_t events = 0;
  /// Lines that are not a JSON object with an "event" member (e.g. cut short by a kill).
  std::size_t unreadableLines = 0;

  /// The task events of `kind` that step `key` logged, in order.
  std::vector<const LogEvent *> eventsOf(const std::string &key, const std::string &kind) const;
  /// The kinds of task events step `key` logged, in order of first appearance.
  std::vector<std::string> eventKindsOf(const std::string &key) const;
};

RunLog parseRunLog(std::istream &in);
/// Reads `file`; a missing file is an empty log. Throws std::runtime_error naming the file
/// when it exists but cannot be read.
RunLog readRunLog(const std::filesystem::path &file);

} // namespace mmlc::report
