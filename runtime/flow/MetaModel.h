// The meta-model of a run on disk: CFG (cfg.json), LOG (log.jsonl) and the model space (models/).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "flow/Program.h"
#include "flow/Value.h"

namespace mmlc::flow {

/// A finished step as stored in the model space: what produced it and what it produced.
struct StepRecord {
  std::string key;       // content hash of (task, implementation version, arguments)
  std::string task, path;
  std::string level;     // dnn | hls | rtl | data | device | metrics
  std::vector<std::string> parents;           // keys of the handles among the arguments
  std::map<std::string, std::string> params;  // argument name → describe(value)
  std::map<std::string, double> metrics;
  double seconds = 0;
};

/// One run directory. Steps are committed atomically (written to a temporary directory, then
/// renamed), so a killed run leaves either a complete step or none, and `--resume` can reuse
/// every committed step instead of recomputing it.
class MetaModel {
public:
  /// Opens (creating) `runDir`; removes half-written steps left by a killed run, unless
  /// `removeStaging` is false (a worker of a cluster run: other workers are writing steps).
  explicit MetaModel(std::filesystem::path runDir, bool removeStaging = true);

  /// The content key of a call: the task's implementation and version, and every argument
  /// (handles by their keys), in the task's parameter order. Equal inputs give equal keys.
  static std::string stepKey(const TaskDecl &task, const std::string &version,
                             const NamedArgs &args);

  /// The committed step for `key`, if any.
  std::optional<StepRecord> find(const std::string &key) const;
  /// The directory a step writes its files into before commit (empty, created on demand).
  std::filesystem::path stagingDir(const std::string &key);
  /// Records the step and moves its staged files to models/<key>/ atomically, replacing a step
  /// committed there before (the same key computed again).
  void commit(const StepRecord &record);
  /// Where the files of a committed step are.
  std::filesystem::path modelDir(const std::string &key) const;

  /// Records one resolved parameter with its origin (CFG), in memory; flushCfg() writes it.
  void recordParameter(const std::string &path, const std::string &param, const Value &value,
                       const std::string &origin, const SourceLoc &loc);
  /// Rewrites cfg.json atomically if a parameter changed since the last flush (once per step,
  /// not per parameter: a search records thousands). The destructor flushes too.
  void flushCfg();
  ~MetaModel();
  MetaModel(const MetaModel &) = delete;
  MetaModel &operator=(const MetaModel &) = delete;
  /// Appends one event to log.jsonl and flushes it: `event` is a kind ("step", "reuse", "note",
  /// "error"), `fields` its JSON members as name → JSON text.
  void log(const std::string &event, const std::map<std::string, std::string> &fields);

  const std::filesystem::path &runDir() const { return runDir_; }
  /// While muted, log() writes nothing (a worker replaying the flow before its part).
  void setLogMuted(bool muted) { logMuted_ = muted; }

private:
  void writeCfg() const;

  std::filesystem::path runDir_;
  std::map<std::string, std::map<std::string, std::string>> cfg_; // path.param → fields (JSON)
  bool cfgDirty_ = false;
  bool logMuted_ = false;
};

/// JSON string literal of `text` (quotes and escapes).
std::string jsonString(const std::string &text);
/// JSON number text of `value` (10 significant digits; non-finite: null).
std::string jsonNumber(double value);
/// JSON array of items that are JSON texts already.
std::string jsonArray(const std::vector<std::string> &jsonItems);

} // namespace mmlc::flow
