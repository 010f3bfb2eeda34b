// Inputs of HLS-level models and C simulation of their projects (shared by csim and quantize).
#include "tasks/HlsEvaluation.h"

#include <stdexcept>

#include "meta/ProjectCSim.h"
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
  meta::ProjectCSimOptions options;
  options.top = desc.name;
  fs::create_directories(workDir.parent_path());
  const meta::ProjectCSim csim(projectDir.string(), workDir.string(), options);
  const meta::ProjectCSimResult r = csim.run(desc, inputs, &labels);
  ProjectCSim out;
  out.samples = r.samples;
  out.mismatches = r.mismatches;
  out.csimAccuracy = r.csimAccuracy;
  out.simAccuracy = r.simAccuracy;
  out.compileSeconds = r.compileSeconds;
  out.runSeconds = r.csimSeconds;
  out.mismatchReport = r.mismatchReport;
  std::error_code ec;
  fs::remove_all(workDir, ec);
  return out;
}

} // namespace mmlc::tasks
