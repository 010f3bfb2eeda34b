// Reading real designs (project + per-function reports) and N-TORC CSVs into cost-model rows.
#include "estimator/CalibrationData.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "hls/CsynthReport.h"
#include "meta/HlsNetworkImport.h"
#include "meta/HlsProject.h"

namespace mmlc::estimator {

namespace fs = std::filesystem;
using namespace mmlc::hls;

namespace {

std::string readText(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "Key: value" from hls4ml_config.yml's top level.
std::string yamlValue(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t'\""));
      v.erase(v.find_last_not_of(" \t\r'\"") + 1);
      return v;
    }
  return "";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The layer kind a per-function report's name starts with (hls4ml names functions after the
// template); nullopt-like -1 for sub-functions we do not map (buffers, pipelines).
int reportKind(const std::string& stem) {
  const std::string s = lower(stem);
  if (s.find("_pipeline_") != std::string::npos || s.rfind("compute_output_buffer", 0) == 0) return -1;
  if (s.rfind("dense_latency_wrapper", 0) == 0 || s.find("_mult_s") != std::string::npos || s.find("_mult") == s.size() - 5) return -1;
  const std::pair<const char*, LayerKind> prefixes[] = {
      {"dense", LayerKind::Dense},       {"conv_1d", LayerKind::Conv1D},      {"conv_2d", LayerKind::Conv2D},
      {"relu", LayerKind::ReLU},         {"leaky_relu", LayerKind::LeakyReLU}, {"hard_tanh", LayerKind::HardTanh},
      {"softmax", LayerKind::Softmax},   {"sigmoid", LayerKind::Sigmoid},     {"tanh", LayerKind::Tanh},
      {"zeropad", LayerKind::ZeroPad},   {"global_pooling", LayerKind::GlobalMaxPool},
      {"pooling", LayerKind::MaxPool},   {"normalize", LayerKind::BatchNorm}, {"linear", LayerKind::Linear}};
  for (const auto& [p, k] : prefixes)
    if (s.rfind(p, 0) == 0) return static_cast<int>(k);
  return -1;
}

bool sameFamily(LayerKind report, LayerKind layer) {
  if (report == layer) return true;
  if (report == LayerKind::GlobalMaxPool) return layer == LayerKind::GlobalAvgPool;
  if (report == LayerKind::MaxPool) return layer == LayerKind::AvgPool;
  return false;
}

int countMatches(const std::string& text, const std::regex& re) {
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

std::array<double, kMetrics> metricsOf(const SynthMetrics& m) {
  return {m.dsp, m.lut, m.ff, m.bram18, static_cast<double>(m.latencyMax)};
}

}  // namespace

bool isDesignWithReports(const std::string& dir) {
  return fs::is_directory(fs::path(dir) / "firmware") && fs::exists(fs::path(dir) / "reports" / "csynth.xml");
}

GlueQuery glueOf(const NetworkDesc& net, ToolGen tool, const std::vector<double>& layerLatency) {
  return glueQueryOf(net, tool, layerLatency);
}

DesignData readDesign(const std::string& dirIn) {
  const fs::path dir(dirIn);
  DesignData d;
  d.name = dir.filename().string();
  if (d.name.empty()) d.name = dir.parent_path().filename().string();
  const meta::HlsProject project = meta::readHlsProject(dir.string());
  d.net = meta::networkFromProject(project);
  const std::string yml = fs::exists(dir / "hls4ml_config.yml") ? readText(dir / "hls4ml_config.yml") : "";
  const fs::path topXml = dir / "reports" / "csynth.xml";
  const SynthMetrics top = CsynthReport::parseFile(topXml.string());
  d.net.part = !top.part.empty() ? top.part : yamlValue(yml, "Part");
  d.net.clockPeriodNs = top.targetClockNs > 0 ? top.targetClockNs : std::atof(yamlValue(yml, "ClockPeriod").c_str());
  d.net.resolve();
  {
    const auto doc = hls::parseXml(readText(topXml), topXml.string());
    const XmlElement* v = doc->child("profile") ? doc->child("profile")->find("ReportVersion/Version") : nullptr;
    d.toolVersion = v ? v->text : "";
  }
  d.tool = toolGenOf(d.toolVersion.empty() ? top.tool : d.toolVersion);
  d.top = metricsOf(top);

  // Per-function reports, mapped to layers.
  std::vector<int> best(d.net.layers.size(), -1);
  std::vector<SynthMetrics> reports;
  auto keep = [&](size_t k, const SynthMetrics& r) {
    // Several reports of one layer (a wrapper and its body): the outermost holds the most.
    if (best[k] < 0) {
      best[k] = static_cast<int>(reports.size());
      reports.push_back(r);
    } else if (r.lut + r.ff > reports[best[k]].lut + reports[best[k]].ff) {
      reports[best[k]] = r;
    }
  };
  // Vivado HLS's numbered dense copies without a config in the name, with their port counts.
  struct Unnamed {
    fs::path file;
    int dataPorts = 0, returns = 0;
    bool packedInput = false;
  };
  std::vector<Unnamed> unnamed;
  const std::regex configRe("config(\\d+)", std::regex::icase), dataPort("<name>data_\\d+_V(_read)?</name>"),
      packedPort("<name>data_V(_read)?</name>"), retPort("<name>ap_return_\\d+</name>");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "reports")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    const std::string fn = p.filename().string();
    const std::string suffix = "_csynth.xml";
    if (fn.size() <= suffix.size() || fn.compare(fn.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string stem = fn.substr(0, fn.size() - suffix.size());
    if (stem == project.topFunction) continue;
    const int kindIdx = reportKind(stem);
    if (kindIdx < 0) continue;
    const LayerKind kind = static_cast<LayerKind>(kindIdx);
    std::string last;
    for (auto it = std::sregex_iterator(stem.begin(), stem.end(), configRe); it != std::sregex_iterator(); ++it) last = (*it)[1];
    if (last.empty()) {
      if (kind == LayerKind::Dense) {
        const std::string text = readText(p);
        unnamed.push_back({p, countMatches(text, dataPort), countMatches(text, retPort), countMatches(text, packedPort) > 0});
      }
      continue;
    }
    std::vector<size_t> candidates;
    for (size_t k = 0; k < project.layers.size() && k < d.net.layers.size(); ++k) {
      const std::string cs = lower(project.layers[k].configStruct);
      const std::string want = "config" + last;
      if (cs.size() >= want.size() && cs.compare(cs.size() - want.size(), want.size(), want) == 0 &&
          sameFamily(kind, d.net.layers[k].kind))
        candidates.push_back(k);
    }
    if (candidates.size() == 1) keep(candidates[0], CsynthReport::parseFile(p.string()));
  }
  // Unnamed dense copies: synthesis removes the ports of unused inputs and of constant outputs, so
  // a report with i data ports and o returns can be a dense layer with n_in >= i and n_out >= o
  // (a packed input port says nothing about n_in). Assign the reports that fit exactly one layer
  // still without a report, preferring exact port counts, until nothing changes.
  {
    std::vector<bool> used(unnamed.size(), false);
    for (bool exactOnly : {true, false}) {
      for (bool changed = true; changed;) {
        changed = false;
        for (size_t u = 0; u < unnamed.size(); ++u) {
          if (used[u]) continue;
          std::vector<size_t> fit;
          for (size_t k = 0; k < d.net.layers.size(); ++k) {
            const LayerDesc& l = d.net.layers[k];
            if (l.kind != LayerKind::Dense || best[k] >= 0) continue;
            const bool inOk = unnamed[u].packedInput ? unnamed[u].dataPorts == 0 : (exactOnly ? unnamed[u].dataPorts == l.nIn : unnamed[u].dataPorts <= l.nIn);
            const bool outOk = exactOnly ? unnamed[u].returns == l.nOut : unnamed[u].returns <= l.nOut;
            if (inOk && outOk) fit.push_back(k);
          }
          if (fit.size() != 1) continue;
          keep(fit[0], CsynthReport::parseFile(unnamed[u].file.string()));
          used[u] = true;
          changed = true;
        }
      }
    }
  }
  d.rowOfLayer.assign(d.net.layers.size(), -1);
  std::array<double, kMetrics> sum{};
  const std::vector<std::vector<bool>> constant = constantOutputMasks(d.net);
  std::vector<double> lat(d.net.layers.size(), 0.0), interval(d.net.layers.size(), 0.0);
  for (size_t k = 0; k < d.net.layers.size(); ++k) {
    if (best[k] < 0) continue;
    CostRow row;
    row.q = queryOf(d.net, k, d.tool, constant);
    row.y = metricsOf(reports[best[k]]);
    row.group = d.name;
    row.source = "fixture";
    row.name = d.name + "/" + d.net.layers[k].name;
    for (int mi = 0; mi < kMetrics; ++mi) sum[mi] += row.y[mi];
    lat[k] = row.y[static_cast<int>(Metric::Latency)];
    interval[k] = static_cast<double>(reports[best[k]].intervalMax);
    d.rowOfLayer[k] = static_cast<int>(d.rows.size());
    d.rows.push_back(std::move(row));
  }
  d.glue.g = glueOf(d.net, d.tool, lat);
  d.glue.group = d.name;
  sum[static_cast<int>(Metric::Latency)] = combinedLatency(d.net.ioType, lat, interval);
  for (int mi = 0; mi < kMetrics; ++mi) d.glue.y[mi] = d.top[mi] - sum[mi];
  return d;
}

namespace {

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int col(const std::string& name, const std::string& file) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    throw std::runtime_error(file + ":1: no column '" + name + "'");
  }
};

Csv readCsv(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  Csv c;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (first) c.header = cells;
    else c.rows.push_back(cells);
    first = false;
  }
  return c;
}

double num(const std::vector<std::string>& row, int col, const fs::path& file, size_t line) {
  if (col >= static_cast<int>(row.size())) throw std::runtime_error(file.string() + ":" + std::to_string(line) + ": too few columns");
  char* end = nullptr;
  const double v = std::strtod(row[col].c_str(), &end);
  if (row[col].empty() || *end) throw std::runtime_error(file.string() + ":" + std::to_string(line) + ": not a number: '" + row[col] + "'");
  return v;
}

}  // namespace

std::vector<CostRow> readNtorc(const std::string& dirIn) {
  const fs::path dir(dirIn);
  std::vector<CostRow> out;
  struct Spec {
    const char* file;
    LayerKind kind;
    bool resources;
    const char *rf, *nIn, *nOut, *seq;
  };
  const Spec specs[] = {
      {"dense_resources_collapsed.csv", LayerKind::Dense, true, "correct_reuse_factor_dense_resource", "n_inputs_resources",
       "dense_size_resource", "sequence_length_resource"},
      {"dense_latency_collapsed.csv", LayerKind::Dense, false, "correct_reuse_factor_dense_latency", "n_inputs_latency",
       "dense_size_latency", "sequence_length_latency"},
      {"collapsed_conv_resources.csv", LayerKind::Conv1D, true, "correct_reuse_factor_resource", "n_inputs_resources",
       "cnn_filters_resources", "sequence_length_resource"},
      {"conv_latency_collapsed.csv", LayerKind::Conv1D, false, "correct_reuse_factor_latency", "n_inputs_latency",
       "cnn_filters_latency", "sequence_length_latency"},
  };
  const FixedType t = FixedType::fixed(16, 8, QuantMode::RND, OverflowMode::SAT);
  for (const Spec& s : specs) {
    const fs::path file = dir / s.file;
    const Csv c = readCsv(file);
    const int cRf = c.col(s.rf, file.string()), cIn = c.col(s.nIn, file.string()), cOut = c.col(s.nOut, file.string()),
              cSeq = c.col(s.seq, file.string()), cLayer = c.col("layer_index", file.string());
    int cDsp = -1, cLut = -1, cFf = -1, cBram = -1, cLat = -1;
    if (s.resources) {
      cDsp = c.col("dsp48e", file.string());
      cLut = c.col("lut", file.string());
      cFf = c.col("ff", file.string());
      cBram = c.col("bram_18k", file.string());
    } else {
      cLat = c.col("latency_max", file.string());
    }
    for (size_t i = 0; i < c.rows.size(); ++i) {
      const auto& r = c.rows[i];
      const size_t line = i + 2;
      CostRow row;
      LayerQuery& q = row.q;
      q.kind = s.kind;
      q.reuse = static_cast<int>(num(r, cRf, file, line));
      q.nIn = static_cast<long>(num(r, cIn, file, line));
      q.nOut = static_cast<long>(num(r, cOut, file, line));
      const long seq = static_cast<long>(num(r, cSeq, file, line));
      if (s.kind == LayerKind::Conv1D) {
        q.kernel = 3;
        // Output pixels (padding 'same': as many as input pixels). N-TORC's networks are blocks of
        // convolution, activation and pooling by 2 (the first convolution is layer 2, the next
        // ones 5, 8, 11), and the sequence_length recorded for a later convolution is the length
        // before the pooling that feeds it: it processes half as many pixels. The rows show it:
        // latency_min is 6 cycles per processed pixel + 12 on every row only with this count, and
        // latency_max (pixels x (RF + the loop's depth)) likewise; the recorded length of a layer
        // does not depend on its depth (layers 5, 8 and 11 of one length have one latency).
        const long layerIndex = static_cast<long>(num(r, cLayer, file, line));
        q.seqLen = layerIndex > 2 ? std::max(1L, seq / 2) : seq;
      }
      q.strategy = q.reuse == 1 ? Strategy::Latency : Strategy::Resource;
      q.io = IOType::Stream;
      q.dataType = q.weightType = q.accumType = q.resultType = t;
      q.tool = ToolGen::VivadoHls;
      q.clockNs = 4.0;
      q.part = "xczu7ev-ffvc1156-2-e";
      const double nan = std::numeric_limits<double>::quiet_NaN();
      row.y = {nan, nan, nan, nan, nan};
      if (s.resources) {
        row.y[0] = num(r, cDsp, file, line);
        row.y[1] = num(r, cLut, file, line);
        row.y[2] = num(r, cFf, file, line);
        row.y[3] = num(r, cBram, file, line);
      } else {
        row.y[4] = num(r, cLat, file, line);
      }
      row.group = std::string(layerKindName(s.kind)) + "/" + std::to_string(q.nIn) + "/" + std::to_string(q.nOut) + "/" +
                  std::to_string(seq) + "/" + std::to_string(q.reuse);
      row.source = "ntorc";
      row.name = file.filename().string() + ":" + std::to_string(line);
      out.push_back(std::move(row));
    }
  }
  return out;
}

int holdOutFold(const std::string& group, int folds) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : group) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % static_cast<std::uint64_t>(std::max(1, folds)));
}

std::string structureOf(const CostRow& r) {
  return std::string(layerKindName(r.q.kind)) + "/" + std::to_string(r.q.nIn) + "/" + std::to_string(r.q.nOut) + "/" + std::to_string(r.q.reuse);
}

}  // namespace mmlc::estimator
