// The run directory: content keys, atomic step commits, CFG and LOG files.
#include "flow/MetaModel.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <fcntl.h> // AT_FDCWD
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace mmlc::flow {
namespace fs = std::filesystem;
using nlohmann::json;

std::string jsonString(const std::string &text) { return json(text).dump(); }

std::string jsonNumber(double value) {
  if (!std::isfinite(value))
    return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

std::string jsonArray(const std::vector<std::string> &jsonItems) {
  std::string out = "[";
  for (size_t i = 0; i < jsonItems.size(); ++i)
    out += (i ? "," : "") + jsonItems[i];
  return out + "]";
}

namespace {
/// 128-bit FNV-1a (two 64-bit lanes with different offsets): stable across platforms and runs,
/// unlike std::hash; collisions are not a security concern here, only identical inputs matter.
std::string contentHash(const std::string &bytes) {
  std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  for (unsigned char c : bytes) {
    a = (a ^ c) * 0x100000001b3ULL;
    b = (b ^ c) * 0x100000001b3ULL;
    b ^= b >> 29;
  }
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return out;
}

/// Writes `text` to `path` through a temporary file and a rename, so readers never see half.
void writeAtomically(const fs::path &path, const std::string &text) {
  fs::path tmp = path;
  char host[256] = "";
  ::gethostname(host, sizeof host - 1); // cluster workers on several hosts share the directory
  tmp += ".tmp-" + std::string(host) + "-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error("cannot write '" + tmp.string() + "'");
    out << text;
    out.flush();
    if (!out)
      throw std::runtime_error("cannot write '" + tmp.string() + "'");
  }
  fs::rename(tmp, path);
}

json recordToJson(const StepRecord &r) {
  return json{{"key", r.key},         {"task", r.task},       {"path", r.path},
              {"level", r.level},     {"parents", r.parents}, {"params", r.params},
              {"metrics", r.metrics}, {"seconds", r.seconds}};
}
} // namespace

MetaModel::MetaModel(fs::path runDir, bool removeStaging) : runDir_(std::move(runDir)) {
  fs::create_directories(runDir_ / "models");
  // Staging directories and temporary files are what a killed run leaves behind.
  for (const fs::directory_entry &e : fs::directory_iterator(runDir_ / "models"))
    if (removeStaging && e.path().filename().string().find(".staging") != std::string::npos)
      fs::remove_all(e.path());
  if (fs::exists(runDir_ / "cfg.json")) {
    std::ifstream in(runDir_ / "cfg.json");
    try {
      json j = json::parse(in);
      for (auto &[key, fields] : j["parameters"].items())
        for (auto &[name, value] : fields.items())
          cfg_[key][name] = value.dump();
    } catch (const json::exception &e) {
      throw std::runtime_error((runDir_ / "cfg.json").string() + ": corrupt (" + e.what() +
                               "); remove it or use another output directory");
    }
  }
}

std::string MetaModel::stepKey(const TaskDecl &task, const std::string &version,
                               const NamedArgs &args) {
  std::ostringstream canonical;
  canonical << task.impl << '\n' << version << '\n';
  for (const auto &[name, value] : args)
    canonical << name << '=' << value.index() << ':' << describe(value) << '\n';
  return contentHash(canonical.str());
}

fs::path MetaModel::modelDir(const std::string &key) const { return runDir_ / "models" / key; }

std::optional<StepRecord> MetaModel::find(const std::string &key) const {
  fs::path file = modelDir(key) / "step.json";
  if (!fs::exists(file))
    return std::nullopt;
  std::ifstream in(file);
  try {
    json j = json::parse(in);
    StepRecord r;
    r.key = j.at("key");
    r.task = j.at("task");
    r.path = j.at("path");
    r.level = j.at("level");
    r.parents = j.at("parents").get<std::vector<std::string>>();
    r.params = j.at("params").get<std::map<std::string, std::string>>();
    r.metrics = j.at("metrics").get<std::map<std::string, double>>();
    r.seconds = j.at("seconds");
    return r;
  } catch (const json::exception &e) {
    throw std::runtime_error(file.string() + ": corrupt step record (" + e.what() + ")");
  }
}

fs::path MetaModel::stagingDir(const std::string &key) {
  fs::path dir = runDir_ / "models" / (key + ".staging");
  fs::create_directories(dir);
  return dir;
}

void MetaModel::commit(const StepRecord &record) {
  fs::path staging = stagingDir(record.key);
  writeAtomically(staging / "step.json", recordToJson(record).dump(2) + "\n");
  fs::path final = modelDir(record.key);
  // Atomic: the step appears complete or not at all.
  if (::rename(staging.c_str(), final.c_str()) == 0)
    return;
  if (errno != EEXIST && errno != ENOTEMPTY)
    throw std::runtime_error("cannot commit " + final.string() + ": " + std::strerror(errno));
  // The step was committed before (an earlier run into this directory, or another process of this
  // one) and has just been computed again: the new result replaces it, so that the files on disk
  // are those of the model this run goes on with. Identical within one mmlc version, they differ
  // across versions whose engines round differently under the same key. The two folders are
  // swapped in one step (a reader sees the old step or the new one, never neither), then the old
  // one, now at the staging path, is removed.
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, final.c_str(), RENAME_EXCHANGE) != 0) {
    if (errno != EINVAL && errno != ENOSYS) // a filesystem without exchange: move the old one aside
      throw std::runtime_error("cannot replace " + final.string() + ": " + std::strerror(errno));
    fs::path aside = final;
    aside += ".staging-replaced-" + std::to_string(::getpid()); // removed on the next open if left
    fs::remove_all(aside);
    fs::rename(final, aside);
    fs::rename(staging, final);
    fs::remove_all(aside);
    return;
  }
  fs::remove_all(staging);
}

void MetaModel::recordParameter(const std::string &path, const std::string &param,
                                const Value &value, const std::string &origin,
                                const SourceLoc &loc) {
  std::map<std::string, std::string> fields{{"value", json(describe(value)).dump()},
                                             {"origin", json(origin).dump()},
                                             {"source", json(loc.str()).dump()}};
  auto &recorded = cfg_[path + "." + param];
  if (recorded != fields) {
    recorded = std::move(fields);
    cfgDirty_ = true;
  }
}

void MetaModel::flushCfg() {
  if (!cfgDirty_)
    return;
  writeCfg();
  cfgDirty_ = false;
}

MetaModel::~MetaModel() {
  try {
    flushCfg();
  } catch (...) { // a destructor must not throw; the next flush or run writes it
  }
}

void MetaModel::writeCfg() const {
  json parameters = json::object();
  for (const auto &[key, fields] : cfg_)
    for (const auto &[name, text] : fields)
      parameters[key][name] = json::parse(text);
  writeAtomically(runDir_ / "cfg.json", json{{"parameters", parameters}}.dump(2) + "\n");
}

void MetaModel::log(const std::string &event, const std::map<std::string, std::string> &fields) {
  if (logMuted_)
    return;
  using clock = std::chrono::system_clock;
  double now = std::chrono::duration<double>(clock::now().time_since_epoch()).count();
  std::string line = "{\"event\":" + jsonString(event) + ",\"time\":" + std::to_string(now);
  for (const auto &[name, value] : fields)
    line += "," + jsonString(name) + ":" + value;
  line += "}\n";
  std::ofstream out(runDir_ / "log.jsonl", std::ios::app);
  out << line;
  out.flush(); // a killed run keeps every event before it
  if (!out)
    throw std::runtime_error("cannot append to " + (runDir_ / "log.jsonl").string());
}

} // namespace mmlc::flow
