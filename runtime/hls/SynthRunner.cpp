// Vendor tool invocation for C synthesis with an estimator fallback.
#include "hls/SynthRunner.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <unistd.h>

#include "hls/CSimHarness.h"
#include "hls/CsynthReport.h"
#include "hls/HlsProjectEmitter.h"
#include "mml/Support/ShellQuote.h"

namespace mmlc::hls {

namespace fs = std::filesystem;

std::string findOnPath(const std::string& exe) {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    const size_t colon = p.find(':', start);
    const std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty()) {
      const fs::path cand = fs::path(dir) / exe;
      if (::access(cand.c_str(), X_OK) == 0 && fs::is_regular_file(cand)) return cand.string();
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

namespace {

// `set project_name NAME` in the project's project.tcl or build_prj.tcl (hls4ml 0.8+ keeps it in
// project.tcl, which build_prj.tcl sources), or "".
std::string tclProjectVariable(const std::string& projectDir) {
  static const std::regex setName(R"re(^\s*set\s+project_name\s+"?([A-Za-z0-9_]+)"?)re");
  for (const char* file : {"project.tcl", "build_prj.tcl"}) {
    std::ifstream in(fs::path(projectDir) / file);
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
      if (std::regex_search(line, m, setName)) return m[1].str();
  }
  return "";
}

// The project name build_prj.tcl opens (its csynth reports are under NAME/solution1/syn/report),
// with hls4ml's ${project_name} replaced (by `top` when no script sets it: hls4ml names the
// project after the top function).
std::string tclProjectName(const std::string& projectDir, const std::string& top, const std::string& fallback) {
  std::ifstream in(fs::path(projectDir) / "build_prj.tcl");
  std::string line;
  static const std::regex openProject(R"(^\s*open_project\s+(?:-reset\s+)?([^\s;]+))");
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, openProject)) {
      std::string name = m[1].str();
      for (const std::string var : {"${project_name}", "$project_name"})
        for (size_t at; (at = name.find(var)) != std::string::npos;) {
          const std::string value = tclProjectVariable(projectDir);
          name.replace(at, var.size(), value.empty() ? top : value);
        }
      return name;
    }
  return fallback;
}

}  // namespace

SynthResult runSynthesis(const NetworkDesc& net, const std::string& projectDir, const SynthOptions& options) {
  HlsProjectEmitter(net).emit(projectDir);
  return synthesizeProject(net, projectDir, options);
}

SynthResult synthesizeProject(const NetworkDesc& net, const std::string& projectDir, const SynthOptions& options) {
  SynthResult r;
  std::string tool;
  if (options.tool == "auto") {
    for (const char* t : {"vitis_hls", "vivado_hls"})
      if (tool.empty() && !findOnPath(t).empty()) tool = t;
  } else if (options.tool == "vitis_hls" || options.tool == "vivado_hls") {
    tool = options.tool;
    if (findOnPath(tool).empty()) {
      if (!options.allowEstimate) throw std::runtime_error(tool + " was requested but is not on PATH");
      tool.clear();
    }
  } else if (options.tool != "estimate") {
    throw std::invalid_argument("unknown synthesis tool '" + options.tool + "' (auto, vitis_hls, vivado_hls, estimate)");
  }

  if (tool.empty()) {
    if (!options.allowEstimate && options.tool != "estimate")
      throw std::runtime_error("no vitis_hls or vivado_hls on PATH and estimation is disabled");
    // The estimator the design's part selects (DesignEstimate.h): its calibration file, else the
    // shipped calibration with the coefficients of the tool generation asked for (Vitis HLS when
    // any will do).
    r.metrics = estimateDesign(net, options.estimator, options.tool == "vivado_hls" ? ToolGen::VivadoHls : ToolGen::VitisHls);
    return r;
  }

  r.toolPath = findOnPath(tool);
  const std::string cmd = "cd " + mml::shellQuote(projectDir) + " && " + mml::shellQuote(r.toolPath) + " -f build_prj.tcl \"csim=0 synth=1 cosim=0 export=0\"";
  const int rc = runCommand(cmd, &r.log);
  if (rc != 0)
    throw std::runtime_error(tool + " failed with status " + std::to_string(rc) + ":\n" +
                             r.log.substr(r.log.size() > 4000 ? r.log.size() - 4000 : 0));
  const fs::path reportDir = fs::path(projectDir) / tclProjectName(projectDir, net.name, net.name + "_prj") / "solution1" / "syn" / "report";
  for (const std::string& f : {std::string("csynth.xml"), net.name + "_csynth.xml"})
    if (fs::exists(reportDir / f)) {
      r.reportPath = (reportDir / f).string();
      break;
    }
  if (r.reportPath.empty())
    throw std::runtime_error(tool + " finished but wrote no csynth.xml under '" + reportDir.string() + "'");
  r.metrics = CsynthReport::parseFile(r.reportPath);
  // Keep every report with the design: reports/ as an hls4ml project has it.
  const fs::path kept = fs::path(projectDir) / "reports";
  fs::remove_all(kept);  // an imported project's reports are of another synthesis
  fs::create_directories(kept);
  for (const auto& e : fs::directory_iterator(reportDir)) {
    const std::string fn = e.path().filename().string();
    auto endsWith = [&](const std::string& suffix) {
      return fn.size() >= suffix.size() && fn.compare(fn.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (e.is_regular_file() && (endsWith(".xml") || endsWith(".rpt"))) fs::copy_file(e.path(), kept / fn);
  }
  // hls4ml's layout names the top-level report csynth.xml.
  if (!fs::exists(kept / "csynth.xml")) fs::copy_file(r.reportPath, kept / "csynth.xml");
  r.metrics.tool = tool;
  r.metrics.estimated = false;
  return r;
}

}  // namespace mmlc::hls
