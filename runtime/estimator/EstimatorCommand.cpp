// `mmlc estimator predict IN.csv -o OUT.csv` and `mmlc estimator calibrate DIR... -o FILE`.
#include "estimator/EstimatorCommand.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "estimator/CalibrationData.h"
#include "hls/LayerKinds.h"
#include "hls/LayerModel.h"
#include "hls/ResourceEstimator.h"

namespace mmlc::estimator {

namespace fs = std::filesystem;
using namespace mmlc::hls;

std::string estimatorCommandUsage() {
  return "usage: mmlc estimator predict IN.csv -o OUT.csv [--calibration FILE]\n"
         "       mmlc estimator calibrate DIR... -o FILE\n"
         "\n"
         "predict: one layer per row; columns kind (any layer kind but merges: dense, conv1d, depthwise_conv2d,\n"
         "  batchnorm, relu, softmax, maxpool, ...; docs/estimator.md), n_in, n_out,\n"
         "  seq_len, kernel, reuse, strategy (latency|resource), io (parallel|stream), precision\n"
         "  (e.g. fixed<16,8,RND,SAT>), part, clock_ns, tool (e.g. vivado_hls-2019.1, vitis_hls-2024.1).\n"
         "  Writes the rows with dsp, lut, ff, bram18, latency (cycles) and ii appended. Weights are\n"
         "  assumed untrained (Keras glorot-uniform); a network's real weights go through `estimate`.\n"
         "calibrate: refits the per-layer model from hls4ml projects with reports/ (per-function\n"
         "  csynth.xml), mmlc run directories (their synth steps that ran vitis_hls/vivado_hls keep\n"
         "  the reports with the design), folders of either, and N-TORC CSV folders, with\n"
         "  uncertainty bands from leave-one-design-out residuals, and writes a calibration file:\n"
         "  `part(..., calibration: \"FILE\")` or `--set 'part.calibration=\"FILE\"'` makes a flow's\n"
         "  estimates use it (MMLC_ESTIMATOR_CALIBRATION replaces the shipped default of predict).\n";
}

namespace {

std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> cells;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) {
      cells.push_back(cur);
      cur.clear();
    } else cur += c;
  }
  cells.push_back(cur);
  for (std::string& s : cells) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
  }
  return cells;
}

// The kind a row names, read from the layer-kind descriptors: a kind's name in any case, with or
// without underscores ("dense", "conv1d", "BatchNorm", "global_maxpool", "leaky_relu",
// "depthwise_conv2d"). Merges read two inputs, which a row cannot describe.
std::string kindKey(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

LayerKind kindFromName(const std::string& k) {
  std::vector<std::string> known;
  for (const LayerKindInfo* d : allLayerKinds()) {
    if (d->isMerge) continue;
    if (kindKey(d->name) == kindKey(k)) return d->kind;
    known.push_back(kindKey(d->name));
  }
  std::sort(known.begin(), known.end());
  std::string list;
  for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown kind '" + k + "' (known: " + list + ")");
}

}  // namespace

std::string predictCsv(const std::string& text, const std::string& source, const Calibration& cal) {
  std::istringstream in(text);
  std::string line;
  std::ostringstream out;
  int lineNo = 0;
  std::vector<std::string> header;
  std::map<std::string, int> col;
  const char* required[] = {"kind", "n_in", "n_out", "seq_len", "kernel", "reuse", "strategy", "io", "precision", "part", "clock_ns", "tool"};
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(lineNo) + ": ";
    const std::vector<std::string> cells = splitCsv(line);
    if (header.empty()) {
      header = cells;
      for (size_t i = 0; i < header.size(); ++i) col[header[i]] = static_cast<int>(i);
      for (const char* r : required)
        if (!col.count(r)) throw std::runtime_error(where + "missing column '" + r + "'");
      out << line << ",dsp,lut,ff,bram18,latency,ii\n";
      continue;
    }
    try {
      if (cells.size() != header.size())
        throw std::invalid_argument(std::to_string(cells.size()) + " cells, the header has " + std::to_string(header.size()));
      auto cell = [&](const char* name) { return cells[col.at(name)]; };
      auto integer = [&](const char* name, long min) {
        const std::string v = cell(name);
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end || n < min)
          throw std::invalid_argument("column " + std::string(name) + ": expected an integer >= " + std::to_string(min) + ", got '" + v + "'");
        return n;
      };
      LayerQuery q;
      q.kind = kindFromName(cell("kind"));
      q.nIn = integer("n_in", 1);
      q.nOut = integer("n_out", 1);
      q.seqLen = integer("seq_len", 1);
      q.kernel = integer("kernel", 1);
      q.reuse = static_cast<int>(integer("reuse", 1));
      const std::string strategy = cell("strategy"), io = cell("io");
      if (strategy != "latency" && strategy != "resource")
        throw std::invalid_argument("column strategy: expected latency or resource, got '" + strategy + "'");
      if (io != "parallel" && io != "stream") throw std::invalid_argument("column io: expected parallel or stream, got '" + io + "'");
      q.strategy = strategy == "resource" ? Strategy::Resource : Strategy::Latency;
      q.io = io == "stream" ? IOType::Stream : IOType::Parallel;
      FixedType t;
      try {
        t = FixedType::parse(cell("precision"));
      } catch (const std::exception& e) {
        throw std::invalid_argument("column precision: " + std::string(e.what()));
      }
      q.dataType = q.weightType = q.resultType = t;
      // hls4ml's default accumulator: the data type (the config's accum_t) unless given.
      q.accumType = t;
      q.part = cell("part");
      (void)lookupDevice(q.part);  // an unknown part is this row's error
      char* end = nullptr;
      q.clockNs = std::strtod(cell("clock_ns").c_str(), &end);
      if (cell("clock_ns").empty() || *end || !(q.clockNs > 0))
        throw std::invalid_argument("column clock_ns: expected a positive number, got '" + cell("clock_ns") + "'");
      q.tool = toolGenOf(cell("tool"));
      if (q.kind == LayerKind::Dense && q.seqLen != 1) throw std::invalid_argument("dense layers have seq_len 1");
      if (q.kind == LayerKind::Softmax || isActivation(q.kind) || q.kind == LayerKind::Quantize) q.nOut = q.nIn;
      if (isDepthwise(q.kind)) {  // one kernel-long dot product per channel (LayerModel's queryOf)
        if (q.nOut != q.nIn) throw std::invalid_argument("a depthwise convolution has n_out = n_in (its channels)");
        q.kind = q.kind == LayerKind::DepthwiseConv1D ? LayerKind::Conv1D : LayerKind::Conv2D;
        q.nIn = 1;
      }
      const auto p = predictLayer(cal, q);
      out << line;
      for (double v : p) out << "," << v;
      out << "," << intervalOf(q) << "\n";
    } catch (const std::exception& e) {
      throw std::runtime_error(where + "row " + std::to_string(lineNo - 1) + ": " + e.what());
    }
  }
  if (header.empty()) throw std::runtime_error(source + ": empty file (expected a header line)");
  return out.str();
}

std::string predictCsv(const std::string& text, const std::string& source) { return predictCsv(text, source, defaultCalibration()); }

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An mmlc run directory (`mmlc run -o DIR`): its model space and log.
bool isRunDirectory(const std::string& dir) {
  return fs::is_directory(fs::path(dir) / "models") && fs::exists(fs::path(dir) / "log.jsonl");
}

// The project folders of the run's `synth` steps that ran a vendor tool (estimated = 0): each
// keeps the tool's reports in project/reports/ (hls::synthesizeProject). Other steps' projects
// are left out even when they hold a reports/ folder: an imported or rewritten project carries
// the reports of the synthesis of its source, not of itself.
std::vector<std::string> synthesisedDesignsOfRun(const std::string& runDir) {
  std::vector<std::string> out;
  std::vector<fs::path> steps;
  for (const auto& e : fs::directory_iterator(fs::path(runDir) / "models"))
    if (e.is_directory() && fs::exists(e.path() / "step.json")) steps.push_back(e.path());
  std::sort(steps.begin(), steps.end());
  for (const fs::path& step : steps) {
    nlohmann::json j;
    try {
      std::ifstream in(step / "step.json");
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error((step / "step.json").string() + ": corrupt step record (" + e.what() + ")");
    }
    if (j.value("task", "") != "synth" || !j.contains("metrics") || !j["metrics"].is_object() ||
        j["metrics"].value("estimated", 1.0) != 0.0)
      continue;
    const fs::path project = step / "project";
    if (!isDesignWithReports(project.string()))
      throw std::runtime_error(project.string() + ": a vendor synthesis step without its reports (project/reports/csynth.xml; "
                                                  "runs of mmlc before reports were kept with the design)");
    out.push_back(project.string());
  }
  return out;
}

// Gives a design (and its rows, grouped by design for leave-one-out) another name.
void renameDesign(DesignData& d, const std::string& name) {
  d.name = name;
  d.glue.group = name;
  for (CostRow& r : d.rows) {
    r.group = name;
    r.name = name + r.name.substr(r.name.find('/'));
  }
}

// 10th / 90th percentile of relative residuals (pred - real) / real.
std::pair<double, double> quantiles(std::vector<double> v) {
  if (v.empty()) return {0, 0};
  std::sort(v.begin(), v.end());
  auto at = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(std::floor(p * (v.size() - 1) + 0.5)))]; };
  return {at(0.1), at(0.9)};
}

int calibrate(const std::vector<std::string>& dirs, const std::string& outPath, std::ostream& out) {
  std::vector<DesignData> designs;
  std::vector<CostRow> extra;
  for (const std::string& d : dirs) {
    if (isRunDirectory(d)) {
      const std::vector<std::string> found = synthesisedDesignsOfRun(d);
      if (found.empty())
        throw std::runtime_error(d + ": a run directory without a vendor synthesis (no synth step that ran vitis_hls or "
                                     "vivado_hls; estimated ones have no report to learn from)");
      for (const std::string& project : found) {
        DesignData design = readDesign(project);
        // Named after the run and the step: every step's project folder is called "project".
        renameDesign(design, fs::path(d).lexically_normal().filename().string() + "/" +
                                 fs::path(project).parent_path().filename().string());
        designs.push_back(std::move(design));
      }
    } else if (isDesignWithReports(d)) designs.push_back(readDesign(d));
    else if (fs::exists(fs::path(d) / "dense_resources_collapsed.csv")) {
      auto rows = readNtorc(d);
      extra.insert(extra.end(), rows.begin(), rows.end());
    } else if (fs::is_directory(d)) {
      // A folder of projects (or of run directories): every sub-folder with reports.
      bool any = false;
      std::vector<fs::path> subdirs;
      for (const auto& e : fs::directory_iterator(d)) subdirs.push_back(e.path());
      std::sort(subdirs.begin(), subdirs.end());
      for (const fs::path& e : subdirs)
        if (isDesignWithReports(e.string())) {
          designs.push_back(readDesign(e.string()));
          any = true;
        } else if (isRunDirectory(e.string())) {
          for (const std::string& project : synthesisedDesignsOfRun(e.string())) {
            DesignData design = readDesign(project);
            renameDesign(design, e.filename().string() + "/" + fs::path(project).parent_path().filename().string());
            designs.push_back(std::move(design));
            any = true;
          }
        }
      if (!any)
        throw std::runtime_error(d + ": no hls4ml project with reports/csynth.xml, no run directory with a vendor synthesis "
                                     "and no N-TORC CSVs here");
    } else {
      throw std::runtime_error(d + ": not a directory");
    }
  }
  std::sort(designs.begin(), designs.end(), [](const DesignData& a, const DesignData& b) { return a.name < b.name; });
  for (size_t i = 1; i < designs.size(); ++i)
    if (designs[i].name == designs[i - 1].name)
      throw std::runtime_error("design '" + designs[i].name + "' is given twice (its rows would count double)");
  auto fitWithout = [&](long skip) {
    std::vector<CostRow> rows = extra;
    std::vector<GlueRow> glue;
    for (size_t j = 0; j < designs.size(); ++j)
      if (static_cast<long>(j) != skip) {
        rows.insert(rows.end(), designs[j].rows.begin(), designs[j].rows.end());
        glue.push_back(designs[j].glue);
      }
    return fitCalibration(rows, glue);
  };
  Calibration cal = fitWithout(-1);
  // Bands from leave-one-design-out residuals of the top-level totals.
  std::vector<double> res[kMetrics];
  if (designs.size() >= 2)
    for (size_t i = 0; i < designs.size(); ++i) {
      const Calibration c = fitWithout(static_cast<long>(i));
      const SynthMetrics t = ResourceEstimator(designs[i].tool, &c).estimate(designs[i].net).total;
      const double est[kMetrics] = {t.dsp, t.lut, t.ff, t.bram18, static_cast<double>(t.latencyMax)};
      for (int m = 0; m < kMetrics; ++m)
        if (designs[i].top[m] > 0) res[m].push_back((est[m] - designs[i].top[m]) / designs[i].top[m]);
    }
  for (int m = 0; m < kMetrics; ++m) std::tie(cal.bandLo[m], cal.bandHi[m]) = quantiles(res[m]);
  std::string names;
  for (const DesignData& d : designs) names += (names.empty() ? "" : " ") + d.name;
  cal.description = std::to_string(designs.size()) + " designs (" + names + ") + " + std::to_string(extra.size()) + " N-TORC rows";
  std::ofstream f(outPath);
  if (!f) throw std::runtime_error("cannot write " + outPath);
  cal.write(f);
  out << "calibration of " << cal.sets.size() << " coefficient sets from " << cal.description << " written to " << outPath << "\n";
  return 0;
}

}  // namespace

int runEstimatorCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty()) {
      err << estimatorCommandUsage();
      return 2;
    }
    std::vector<std::string> positional;
    std::string output, calibration;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "-o" || args[i] == "--calibration") {
        if (i + 1 >= args.size()) {
          err << "mmlc estimator: " << args[i] << " needs a value\n";
          return 2;
        }
        std::string& target = args[i] == "-o" ? output : calibration;
        target = args[i + 1];
        ++i;
      } else {
        positional.push_back(args[i]);
      }
    }
    if (args[0] == "predict") {
      if (positional.size() != 1 || output.empty()) {
        err << "mmlc estimator predict: expected IN.csv -o OUT.csv\n";
        return 2;
      }
      const Calibration cal = calibration.empty() ? defaultCalibration() : Calibration::readFile(calibration);
      const std::string result = predictCsv(readText(positional[0]), positional[0], cal);
      std::ofstream f(output);
      if (!f) throw std::runtime_error("cannot write " + output);
      f << result;
      return 0;
    }
    if (args[0] == "calibrate") {
      if (positional.empty() || output.empty()) {
        err << "mmlc estimator calibrate: expected DIR... -o FILE\n";
        return 2;
      }
      return calibrate(positional, output, out);
    }
    err << "mmlc estimator: unknown subcommand '" << args[0] << "'\n" << estimatorCommandUsage();
    return 2;
  } catch (const std::exception& e) {
    err << "mmlc estimator: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mmlc::estimator
