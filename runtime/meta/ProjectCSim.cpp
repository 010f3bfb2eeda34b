// C simulation of a project with its own templates and headers: a traced copy of the project, a
// driver calling its top function, one compilation, and the sample-by-sample, layer-by-layer
// comparison with hls::NetworkSim.
#include "meta/ProjectCSim.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "hls/CSimHarness.h"
#include "hls/FixedPointSim.h"
#include "hls/NetworkSim.h"
#include "meta/ClangModule.h"
#include "mml/Support/ShellQuote.h"

namespace mmlc::meta {
namespace fs = std::filesystem;

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<std::vector<double>> readRows(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read C simulation output '" + path + "'");
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::vector<double> row;
    std::string tok;
    while (ss >> tok) row.push_back(std::strtod(tok.c_str(), nullptr));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

ProjectCSim::ProjectCSim(const std::string& projectDir, const std::string& workDir, ProjectCSimOptions options)
    : workDir_(workDir), options_(std::move(options)) {
  detail::CSimSetup setup = detail::clangModule().prepareCSim(projectDir, workDir, options_);
  workDir_ = std::move(setup.workDir);
  axi_ = std::move(setup.axi);
  compileSeconds_ = setup.compileSeconds;
}

std::vector<std::vector<double>> ProjectCSim::execute(const std::vector<float>& inputs, size_t inputSize,
                                                      const std::string& traceFile) const {
  const std::string inFile = workDir_ + "/mmlc_csim_inputs.dat", outFile = workDir_ + "/mmlc_csim_outputs.dat";
  {
    std::ofstream o(inFile);
    char buf[32];
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(inputs[i]));  // round-trips a float
      o << buf << ((i + 1) % inputSize == 0 ? "\n" : " ");
    }
    if (!o) throw std::runtime_error("cannot write the C simulation inputs into '" + inFile + "'");
  }
  std::string cmd = "cd " + mml::shellQuote(workDir_) + " && MMLC_CSIM_INPUTS=" + std::to_string(inputSize) + " " + mml::shellQuote(workDir_ + "/mmlc_csim.out") +
                    " " + mml::shellQuote(inFile) + " " + mml::shellQuote(outFile);
  if (!traceFile.empty()) cmd += " " + mml::shellQuote(traceFile);
  std::string output;
  const int status = hls::runCommand(cmd, &output);
  if (status != 0)
    throw std::runtime_error("C simulation of " + workDir_ + " failed (exit " + std::to_string(status) + "):\n" + output.substr(0, 4000));
  return readRows(outFile);
}

ProjectCSimResult ProjectCSim::run(const hls::NetworkDesc& descIn, const std::vector<float>& inputs,
                                   const std::vector<int>* labels, const hls::OutputScoring& scoring) const {
  hls::NetworkDesc desc = descIn;
  desc.resolve();
  const size_t nIn = static_cast<size_t>(desc.inputSize()), nOut = static_cast<size_t>(desc.outputSize());
  if (inputs.size() % nIn != 0) throw std::invalid_argument("C simulation inputs are not a multiple of the input size");
  ProjectCSimResult r;
  r.samples = inputs.size() / nIn;
  r.compileSeconds = compileSeconds_;
  auto t0 = std::chrono::steady_clock::now();
  const auto rows = execute(inputs, nIn);
  r.csimSeconds = secondsSince(t0);
  if (rows.size() != r.samples)
    throw std::runtime_error("C simulation produced " + std::to_string(rows.size()) + " rows for " + std::to_string(r.samples) + " samples");

  // An AXI wrapper's ports: float carries the values as they are (inputs are floats), an ap type
  // quantises them on the way in and out (the simulator's inputs are floats: exact for ap port
  // types of up to 24 significant bits, which hls4ml's byte-rounded input types are in practice).
  auto throughPort = [](const HlsPrecision& port, double v) {
    if (port.known) return hls::toDouble(hls::fromDouble(v, port.type), port.type);
    return port.spelled == "float" ? static_cast<double>(static_cast<float>(v)) : v;
  };
  std::vector<float> simInputs = inputs;
  if (axi_.present())
    for (float& v : simInputs) v = static_cast<float>(throughPort(axi_.inputValue, v));
  const hls::NetworkSim sim(desc);
  std::vector<double> ref(r.samples * nOut);
  t0 = std::chrono::steady_clock::now();
  sim.run(simInputs.data(), r.samples, ref.data());
  r.simSeconds = secondsSince(t0);
  if (axi_.present())
    for (double& v : ref) v = throughPort(axi_.outputValue, v);

  size_t csimCorrect = 0, simCorrect = 0;
  for (size_t s = 0; s < r.samples; ++s) {
    const std::vector<double>& row = rows[s];
    bool same = row.size() == nOut;
    for (size_t j = 0; same && j < nOut; ++j) same = row[j] == ref[s * nOut + j];
    if (!same) {
      ++r.mismatches;
      if (r.firstMismatchSample < 0) r.firstMismatchSample = static_cast<long>(s);
    }
    if (labels && (s < labels->size() || scoring.rule == hls::OutputScoring::Rule::Tolerance) && row.size() == nOut) {
      csimCorrect += scoring.correct(row.data(), static_cast<int>(nOut), s, labels->data());
      simCorrect += scoring.correct(&ref[s * nOut], static_cast<int>(nOut), s, labels->data());
    }
  }
  if (labels && r.samples) {
    r.csimAccuracy = static_cast<double>(csimCorrect) / r.samples;
    r.simAccuracy = static_cast<double>(simCorrect) / r.samples;
  }
  if (r.firstMismatchSample < 0) return r;

  // The first layer that differs, from a traced re-run of the first mismatching sample.
  const size_t s = static_cast<size_t>(r.firstMismatchSample);
  const std::string traceFile = workDir_ + "/mmlc_csim_trace.log";
  execute(std::vector<float>(inputs.begin() + long(s * nIn), inputs.begin() + long((s + 1) * nIn)), nIn, traceFile);
  const auto simTrace = sim.trace(&simInputs[s * nIn]);
  std::map<std::string, std::vector<double>> traced;
  {
    std::ifstream tr(traceFile);
    std::string line;
    while (std::getline(tr, line)) {
      std::istringstream ss(line);
      std::string name, tok;
      ss >> name;
      std::vector<double> vals;
      while (ss >> tok) vals.push_back(std::strtod(tok.c_str(), nullptr));
      traced.emplace(name, std::move(vals));  // the first time a layer runs
    }
  }
  std::ostringstream rep;
  rep << r.mismatches << " of " << r.samples << " samples differ; first at sample " << s;
  for (size_t k = 0; k < desc.layers.size() && r.firstMismatchLayer.empty(); ++k) {
    auto it = traced.find(desc.layers[k].name);
    if (it == traced.end()) continue;
    const std::vector<double>& vals = it->second;
    for (size_t j = 0; j < simTrace[k].size(); ++j) {
      const double sv = hls::toDouble(simTrace[k][j], desc.layers[k].resultType);
      const double cv = j < vals.size() ? vals[j] : std::nan("");
      if (cv != sv) {
        r.firstMismatchLayer = desc.layers[k].name;
        r.firstMismatchElement = static_cast<long>(j);
        r.csimValue = cv;
        r.simValue = sv;
        rep << ", first in layer '" << desc.layers[k].name << "' (" << hls::layerKindName(desc.layers[k].kind) << ") element " << j
            << ": C simulation " << cv << ", simulator " << sv;
        break;
      }
    }
  }
  if (r.firstMismatchLayer.empty()) rep << " (every traced layer agrees; the outputs differ)";
  r.mismatchReport = rep.str();
  return r;
}

}  // namespace mmlc::meta
