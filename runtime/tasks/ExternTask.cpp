// `extern task`s: a user command runs with its placeholders filled in; its JSON metrics and the
// files it leaves in {out} become the step's result (docs/language.md §7).
#include "tasks/ExternTask.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "flow/Interrupt.h"
#include "mml/Support/ShellQuote.h"
#include "nn/ModelFile.h"
#include "nn/Network.h"
#include "nn/OnnxModel.h"

namespace mmlc::tasks {
namespace fs = std::filesystem;
using json = nlohmann::json;

using mml::shellQuote;

namespace {

/// Where the command writes its result: the folder the result level keeps its files in.
fs::path outputDir(const TaskContext &ctx, const fs::path &stepDir) {
  const std::string &level = ctx.task.resultType;
  return stepDir / (level == "hls" || level == "rtl" ? "project" : level == "dnn" ? "model" : "out");
}

/// Writes `files` (name → content) into `dir` once: through a temporary folder and a rename, so
/// a killed run never leaves a half export behind.
void exportOnce(const fs::path &dir, const std::function<void(const fs::path &)> &write) {
  if (fs::exists(dir))
    return;
  fs::path tmp = dir;
  tmp += ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  write(tmp);
  std::error_code ec;
  fs::rename(tmp, dir, ec);
  if (ec) // another process exported it first
    fs::remove_all(tmp);
}

void writeCsv(const nn::Dataset &d, const fs::path &path) {
  std::ofstream out(path);
  for (long c = 0; c < d.x.cols(); ++c)
    out << "x" << c << ",";
  out << "label\n" << std::setprecision(9);
  for (long r = 0; r < d.size(); ++r) {
    for (long c = 0; c < d.x.cols(); ++c)
      out << d.x(r, c) << ",";
    out << (d.labels.empty() ? 0 : d.labels[static_cast<size_t>(r)]) << "\n";
  }
  if (!out)
    throw std::runtime_error("cannot write " + path.string());
}

/// The text a placeholder stands for: scalars by their spelling, models by their folder.
std::string placeholderValue(TaskContext &ctx, const std::string &name, const flow::Value &value) {
  fs::path exports = ctx.meta.runDir() / "exports";
  if (auto h = std::get_if<flow::Handle>(&value)) {
    ModelStore &s = ctx.store;
    if (auto it = s.hlsModels.find(h->id); it != s.hlsModels.end())
      return fs::absolute(projectDir(it->second)).string();
    if (s.rtls.count(h->id))
      return fs::absolute(ctx.meta.modelDir(h->id) / "project").string();
    if (auto it = s.dnns.find(h->id); it != s.dnns.end()) {
      fs::path dir = exports / h->id;
      nn::Network &net = *it->second.net;
      exportOnce(dir, [&](const fs::path &tmp) {
        nn::exportOnnx(net, (tmp / "model.onnx").string());
        nn::saveModel(net, (tmp / "model.mmlc").string());
      });
      return fs::absolute(dir).string();
    }
    if (auto it = s.data.find(h->id); it != s.data.end()) {
      fs::path dir = exports / h->id;
      const nn::DatasetSplit &split = it->second.split;
      exportOnce(dir, [&](const fs::path &tmp) {
        writeCsv(split.train, tmp / "train.csv");
        writeCsv(split.validation, tmp / "validation.csv");
        writeCsv(split.test, tmp / "test.csv");
      });
      return fs::absolute(dir).string();
    }
    if (auto it = s.metrics.find(h->id); it != s.metrics.end()) {
      fs::path dir = exports / h->id;
      exportOnce(dir, [&](const fs::path &tmp) {
        std::ofstream(tmp / "metrics.json") << json(it->second).dump(2) << "\n";
      });
      return fs::absolute(dir).string();
    }
    throw ctx.error("extern task '" + ctx.task.name + "': argument '" + name + "' (" + h->type +
                    ") cannot be passed to a command");
  }
  if (auto d = std::get_if<double>(&value)) {
    std::ostringstream os;
    os << std::setprecision(17) << *d;
    return os.str();
  }
  if (std::holds_alternative<std::monostate>(value))
    return "";
  if (auto text = std::get_if<std::string>(&value))
    return *text;
  return flow::describe(value);
}

/// The command with every `{name}` replaced by its shell-quoted value.
std::string expandCommand(TaskContext &ctx, const fs::path &out) {
  const std::string &command = ctx.task.command;
  std::string result;
  for (size_t i = 0; i < command.size(); ++i) {
    if (command[i] != '{') {
      result += command[i];
      continue;
    }
    size_t close = command.find('}', i);
    if (close == std::string::npos)
      throw ctx.error("extern task '" + ctx.task.name + "': unclosed '{' in its command");
    std::string name = command.substr(i + 1, close - i - 1);
    if (name == "out")
      result += shellQuote(fs::absolute(out).string());
    else
      result += shellQuote(placeholderValue(ctx, name, ctx.args.get(name)));
    i = close;
  }
  return result;
}

std::string tail(const fs::path &file, size_t lines) {
  std::ifstream in(file);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "\n  | " + all[i];
  return out;
}

/// The JSON object the command's standard output ends with.
json lastJsonObject(const std::string &text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos || text[end] != '}')
    throw std::runtime_error("its standard output does not end with a JSON object of metrics");
  // Try each '{' from the end backwards until the suffix parses as one object.
  for (size_t open = text.rfind('{', end); open != std::string::npos;
       open = open ? text.rfind('{', open - 1) : std::string::npos) {
    json j = json::parse(text.begin() + static_cast<long>(open),
                         text.begin() + static_cast<long>(end) + 1, nullptr, false);
    if (!j.is_discarded() && j.is_object())
      return j;
    if (open == 0)
      break;
  }
  throw std::runtime_error("its standard output does not end with a JSON object of metrics");
}

/// Runs `command` through /bin/sh in `workDir`, standard output and error into files.
int runShell(const std::string &command, const fs::path &workDir, const fs::path &stdoutFile,
             const fs::path &stderrFile, const fs::path &runDir) {
  // Commands run in their .mml file's folder; these say where relative paths of the flow
  // (which are relative to where mmlc was started) and the run directory are.
  std::string startDir = fs::current_path().string(), run = fs::absolute(runDir).string();
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(std::string("cannot start /bin/sh: ") + std::strerror(errno));
  if (pid == 0) {
    int out = ::open(stdoutFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(stderrFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0)
      ::_exit(126);
    int devNull = ::open("/dev/null", O_RDONLY);
    if (devNull >= 0)
      ::dup2(devNull, 0);
    ::setenv("MMLC_CWD", startDir.c_str(), 1);
    ::setenv("MMLC_RUN_DIR", run.c_str(), 1);
    if (!workDir.empty() && ::chdir(workDir.c_str()) != 0)
      ::_exit(126);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char *>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw std::runtime_error(std::string("waiting for the command: ") + std::strerror(errno));
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

/// Makes the step's result from what the command left in `out` and its metrics.
void storeResult(TaskContext &ctx, const fs::path &out, const std::map<std::string, double> &metrics) {
  const std::string &level = ctx.task.resultType;
  ModelStore &s = ctx.store;
  if (level == "dnn") {
    fs::path onnx = out / "model.onnx", native = out / "model.mmlc";
    if (!fs::exists(onnx) && !fs::exists(native))
      throw ctx.error("extern task '" + ctx.task.name + "' returns a dnn but left neither " +
                      "model.onnx nor model.mmlc in {out} (" + out.string() + ")");
    auto net = std::make_shared<nn::Network>(fs::exists(native) ? nn::loadModel(native.string())
                                                                : nn::importOnnx(onnx.string()));
    std::string data;
    for (auto &[name, value] : ctx.args.args) // a model trained on a data argument keeps it
      if (auto h = std::get_if<flow::Handle>(&value); h && h->type == "data")
        data = h->id;
    s.dnns[ctx.key] = {std::move(net), data};
  } else if (level == "hls") {
    if (!fs::is_directory(out / "firmware"))
      throw ctx.error("extern task '" + ctx.task.name + "' returns an hls model but left no " +
                      "project (firmware/, parameters.h, ...) in {out} (" + out.string() + ")");
    ModelStore::Hls hls = importHlsProject(ctx, out);
    for (auto &[name, value] : ctx.args.args) // the project it rewrote keeps its data and device
      if (auto h = std::get_if<flow::Handle>(&value); h && s.hlsModels.count(h->id)) {
        const ModelStore::Hls &input = s.hlsModels.at(h->id);
        hls.dnn = input.dnn;
        hls.data = input.data;
        hls.desc.part = input.desc.part;
        hls.desc.clockPeriodNs = input.desc.clockPeriodNs;
        hls.estimator = input.estimator;
      }
    hls.dir = (ctx.modelDir() / "project").string();
    s.hlsModels[ctx.key] = std::move(hls);
  } else if (level == "rtl") {
    hls::SynthMetrics m = synthMetricsFromRecord(metrics);
    std::string from;
    for (auto &[name, v] : ctx.args.args)
      if (auto h = std::get_if<flow::Handle>(&v); h && (h->type == "hls" || h->type == "rtl"))
        from = h->type == "hls" ? h->id : s.rtls.count(h->id) ? s.rtls.at(h->id).hls : "";
    s.rtls[ctx.key] = {m, from};
  } else if (level != "metrics") {
    throw ctx.error("an extern task cannot return '" + level + "' (use metrics, dnn, hls or rtl)");
  }
}
} // namespace

void runExternTask(TaskContext &ctx) {
  if (ctx.committed) {
    std::map<std::string, double> metrics = ctx.committed->metrics;
    ctx.store.metrics[ctx.key] = metrics;
    storeResult(ctx, outputDir(ctx, ctx.modelDir()), metrics);
    return;
  }
  fs::path out = outputDir(ctx, ctx.staging);
  fs::create_directories(out);
  std::string command = expandCommand(ctx, out);
  fs::path stdoutFile = ctx.staging / "stdout.txt", stderrFile = ctx.staging / "stderr.txt";
  fs::path workDir = fs::path(ctx.task.loc.file).parent_path();
  ctx.log("extern_command", {{"task", flow::jsonString(ctx.task.name)},
                             {"command", flow::jsonString(command)}});
  int status = runShell(command, workDir, stdoutFile, stderrFile, ctx.meta.runDir());
  flow::checkInterrupt(ctx.call.loc); // the command got the same Ctrl-C
  if (status != 0)
    throw ctx.error("extern task '" + ctx.task.name + "' failed (exit status " +
                    std::to_string(status) + "): " + command + "\n  last lines of its standard error:" +
                    tail(stderrFile, 8));
  std::ifstream in(stdoutFile);
  std::stringstream text;
  text << in.rdbuf();
  json reported;
  try {
    reported = lastJsonObject(text.str());
  } catch (const std::exception &e) {
    throw ctx.error("extern task '" + ctx.task.name + "': " + e.what() +
                    "\n  last lines of its standard output:" + tail(stdoutFile, 4));
  }
  std::map<std::string, double> metrics;
  std::map<std::string, std::string> other;
  for (auto &[name, value] : reported.items()) {
    if (value.is_number())
      metrics[name] = value.get<double>();
    else if (value.is_boolean())
      metrics[name] = value.get<bool>() ? 1.0 : 0.0;
    else
      other[name] = value.dump();
  }
  if (!other.empty())
    ctx.log("extern_output", other);
  ctx.store.metrics[ctx.key] = metrics;
  storeResult(ctx, out, metrics);
}

} // namespace mmlc::tasks
