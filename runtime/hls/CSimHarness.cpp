// C simulation harness: compiler invocation, result parsing and comparison with NetworkSim.
#include "hls/CSimHarness.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

#include "hls/HlsProjectEmitter.h"
#include "hls/NetworkSim.h"
#include "mml/Support/ShellQuote.h"

namespace mmlc::hls {

namespace fs = std::filesystem;

int runCommand(const std::string& command, std::string* output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("cannot run '" + command + "'");
  std::array<char, 4096> buf{};
  std::string out;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

double seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
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
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

int argmax(const double* v, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

// The stem of the testbench (<stem>_test.cpp) and top file (firmware/<stem>.cpp): the top's name,
// or, when a project's top was renamed (its files keep their names), the only testbench there is.
std::string projectFileStem(const fs::path& root, const std::string& top) {
  if (fs::exists(root / (top + "_test.cpp"))) return top;
  std::string stem;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() > 9 && name.compare(name.size() - 9, 9, "_test.cpp") == 0 &&
        fs::exists(root / "firmware" / (name.substr(0, name.size() - 9) + ".cpp"))) {
      if (!stem.empty()) return top;  // several: the name decides (and the compiler names what is missing)
      stem = name.substr(0, name.size() - 9);
    }
  }
  return stem.empty() ? top : stem;
}

}  // namespace

CSimHarness::CSimHarness(NetworkDesc net, CSimOptions options) : net_(std::move(net)), options_(std::move(options)) {
  net_.resolve();
  if (options_.apTypesDir.empty())
    if (const char* env = std::getenv("MMLC_AP_TYPES_DIR"); env && *env) options_.apTypesDir = env;
}

void CSimHarness::compile(const std::string& projectDir) const {
  const fs::path root(projectDir);
  const std::string ap = options_.apTypesDir.empty() ? (root / "firmware" / "ap_types").string() : options_.apTypesDir;
  // The ap types (vendor's, the project's own or mmlc's) are system headers: the vendor's warn under
  // -Wall -Wextra (ap_private.h: "comparison of unsigned expression in '< 0' is always false",
  // -Wuninitialized), which must not fail a build, while the project's own code keeps -Werror.
  // -I directories are searched before -isystem ones, so none of them may hold its own ap_fixed.h.
  for (const fs::path& dir : {root / "firmware", root})
    for (const char* header : {"ap_fixed.h", "ap_int.h"})
      if (std::error_code ec; fs::exists(dir / header) && !fs::equivalent(dir, ap, ec))
        throw std::runtime_error("C simulation build: " + (dir / header).string() + " would hide the ap types in " + ap +
                                 " (move it into firmware/ap_types)");
  // -isystem alone is not enough for g++: its flow warnings (-Wuninitialized in ap_private.h)
  // on vendor code inlined into the project's functions are reported at the project's call
  // sites. A shim in front of the ap types includes them with those warnings off, by location,
  // so they stay on for the project's own code.
  const fs::path shim = root / ".mmlc_csim" / "ap_system";
  fs::create_directories(shim);
  for (const char* header : {"ap_fixed.h", "ap_int.h"}) {
    std::ofstream(shim / header) << "// mmlc C-simulation build: the ap types as system headers, warnings about their\n"
                                    "// inlined code off (g++ reports them at the caller otherwise).\n"
                                    "#pragma GCC system_header\n#pragma GCC diagnostic push\n"
                                    "#pragma GCC diagnostic ignored \"-Wuninitialized\"\n"
                                    "#pragma GCC diagnostic ignored \"-Wmaybe-uninitialized\"\n#include_next <"
                                 << header << ">\n#pragma GCC diagnostic pop\n";
  }
  std::string cmd = options_.compiler + " -std=c++14 -O1";
  if (options_.werror) cmd += " -Wall -Wextra -Werror";
  for (const auto& f : options_.extraFlags) cmd += " " + f;
  cmd += " -isystem " + mml::shellQuote(shim.string()) + " -isystem " + mml::shellQuote(ap) + " -I" + mml::shellQuote((root / "firmware").string()) + " -I" +
         mml::shellQuote(root.string());
  const std::string stem = projectFileStem(root, net_.name);
  cmd += " " + mml::shellQuote((root / (stem + "_test.cpp")).string()) + " " + mml::shellQuote((root / "firmware" / (stem + ".cpp")).string());
  cmd += " -o " + mml::shellQuote((root / "csim.out").string());
  std::string out;
  if (runCommand(cmd, &out) != 0)
    throw std::runtime_error("C simulation build failed:\n" + cmd + "\n" + out.substr(0, 8000));
}

std::vector<std::vector<double>> CSimHarness::execute(const std::string& projectDir, const std::string& inputFile,
                                                      const std::string& traceFile) const {
  const fs::path root(projectDir);
  const std::string outFile = (root / "tb_data" / "csim_results.log").string();
  std::string cmd = mml::shellQuote((root / "csim.out").string()) + " " + mml::shellQuote(inputFile) + " " + mml::shellQuote(outFile);
  if (!traceFile.empty()) cmd += " " + mml::shellQuote(traceFile);
  std::string out;
  if (runCommand(cmd, &out) != 0) throw std::runtime_error("C simulation failed:\n" + out.substr(0, 4000));
  return readRows(outFile);
}

CSimResult CSimHarness::run(const std::string& workDir, const std::vector<float>& inputs, const std::vector<int>* labels) const {
  const size_t nIn = static_cast<size_t>(net_.inputSize()), nOut = static_cast<size_t>(net_.outputSize());
  if (inputs.size() % nIn != 0) throw std::invalid_argument("C simulation inputs are not a multiple of the input size");
  CSimResult r;
  r.samples = inputs.size() / nIn;
  if (options_.emitProject) {
    EmitOptions eo;
    eo.tbInputs = inputs;
    HlsProjectEmitter(net_, eo).emit(workDir);
  }

  auto t0 = std::chrono::steady_clock::now();
  compile(workDir);
  r.compileSeconds = seconds(t0);

  const std::string tbFile = (fs::path(workDir) / "tb_data" / "tb_input_features.dat").string();
  t0 = std::chrono::steady_clock::now();
  const auto rows = execute(workDir, tbFile);
  r.csimSeconds = seconds(t0);
  if (rows.size() != r.samples)
    throw std::runtime_error("C simulation produced " + std::to_string(rows.size()) + " rows for " + std::to_string(r.samples) + " samples");

  const NetworkSim sim(net_);
  std::vector<double> ref(r.samples * nOut);
  t0 = std::chrono::steady_clock::now();
  sim.run(inputs.data(), r.samples, ref.data());
  r.simSeconds = seconds(t0);

  size_t csimCorrect = 0, simCorrect = 0;
  for (size_t s = 0; s < r.samples; ++s) {
    const std::vector<double>& row = rows[s];
    bool same = row.size() == nOut;
    for (size_t j = 0; same && j < nOut; ++j) same = row[j] == ref[s * nOut + j];
    if (same) {
      ++r.bitExactSamples;
    } else if (r.firstMismatchSample < 0) {
      r.firstMismatchSample = static_cast<long>(s);
    }
    if (labels && s < labels->size() && row.size() == nOut) {
      csimCorrect += argmax(row.data(), static_cast<int>(nOut)) == (*labels)[s];
      simCorrect += argmax(&ref[s * nOut], static_cast<int>(nOut)) == (*labels)[s];
    }
  }
  r.bitExactFraction = r.samples ? static_cast<double>(r.bitExactSamples) / r.samples : 1.0;
  if (labels && r.samples) {
    r.csimAccuracy = static_cast<double>(csimCorrect) / r.samples;
    r.simAccuracy = static_cast<double>(simCorrect) / r.samples;
  }

  if (r.firstMismatchSample >= 0) {
    // Re-run the first mismatching sample with the per-layer trace and find the first layer that differs.
    const size_t s = static_cast<size_t>(r.firstMismatchSample);
    const std::string one = (fs::path(workDir) / "tb_data" / "mismatch_input.dat").string();
    const std::string traceFile = (fs::path(workDir) / "tb_data" / "mismatch_trace.log").string();
    {
      std::ofstream o(one);
      char buf[32];
      for (size_t i = 0; i < nIn; ++i) {
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(inputs[s * nIn + i]));
        o << buf << (i + 1 < nIn ? " " : "\n");
      }
    }
    execute(workDir, one, traceFile);
    const auto simTrace = sim.trace(&inputs[s * nIn]);
    std::ifstream tr(traceFile);
    std::string line;
    std::ostringstream rep;
    rep << "first mismatch at sample " << s;
    while (std::getline(tr, line) && r.firstMismatchLayer.empty()) {
      std::istringstream ss(line);
      std::string name;
      ss >> name;
      size_t k = 0;
      while (k < net_.layers.size() && net_.layers[k].name != name) ++k;
      if (k == net_.layers.size()) continue;
      std::vector<double> vals;
      std::string tok;
      while (ss >> tok) vals.push_back(std::strtod(tok.c_str(), nullptr));
      for (size_t j = 0; j < vals.size() && j < simTrace[k].size(); ++j) {
        const double sv = toDouble(simTrace[k][j], net_.layers[k].resultType);
        if (vals[j] != sv) {
          r.firstMismatchLayer = name;
          r.firstMismatchElement = static_cast<long>(j);
          r.csimValue = vals[j];
          r.simValue = sv;
          rep << ", layer '" << name << "' element " << j << ": C sim " << vals[j] << " vs simulator " << sv;
          break;
        }
      }
    }
    r.mismatchReport = rep.str();
  }
  return r;
}

}  // namespace mmlc::hls
