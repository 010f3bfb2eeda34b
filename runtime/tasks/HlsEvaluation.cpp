// Inputs of HLS-level models and C simulation of their projects (shared by csim and quantize).
#include "tasks/HlsEvaluation.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "hls/CSimHarness.h"
#include "tasks/HlsConversion.h"

namespace mmlc::tasks {
namespace fs = std::filesystem;

std::vector<float> hlsInputs(const ModelStore &store, const ModelStore::Hls &model,
                             const nn::Dataset &data, size_t count) {
  size_t n = static_cast<size_t>(data.size());
  if (count > 0 && count < n)
    n = count;
  const float *x = data.x.data();
  if (!model.dnn.empty())
    return toHlsInputOrder(*store.dnns.at(model.dnn).net, x, n);
  return std::vector<float>(x, x + n * static_cast<size_t>(data.x.cols()));
}

ProjectCSim simulateProject(const hls::NetworkDesc &desc, const fs::path &projectDir,
                            const fs::path &workDir, const std::vector<float> &inputs,
                            const std::vector<int> &labels) {
  if (!fs::exists(projectDir / "firmware"))
    throw std::runtime_error("no HLS project in '" + projectDir.string() +
                             "' (firmware/ is missing)");
  std::error_code ec;
  fs::remove_all(workDir, ec);
  fs::create_directories(workDir.parent_path());
  fs::copy(projectDir, workDir, fs::copy_options::recursive);
  fs::create_directories(workDir / "tb_data");
  {
    const size_t n = static_cast<size_t>(desc.inputSize());
    std::ofstream tb(workDir / "tb_data" / "tb_input_features.dat");
    char buf[32];
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(inputs[i]));
      tb << buf << ((i + 1) % n == 0 ? "\n" : " ");
    }
    if (!tb)
      throw std::runtime_error("cannot write the C simulation inputs into '" + workDir.string() +
                               "'");
  }
  hls::CSimOptions options;
  options.emitProject = false; // simulate the project as it is on disk
  hls::CSimResult r = hls::CSimHarness(desc, options).run(workDir.string(), inputs, &labels);
  ProjectCSim out;
  out.samples = r.samples;
  out.mismatches = r.samples - r.bitExactSamples;
  out.csimAccuracy = r.csimAccuracy;
  out.simAccuracy = r.simAccuracy;
  out.compileSeconds = r.compileSeconds;
  out.runSeconds = r.csimSeconds;
  out.mismatchReport = r.mismatchReport;
  fs::remove_all(workDir, ec);
  return out;
}

} // namespace mmlc::tasks
