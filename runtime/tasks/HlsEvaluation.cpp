// Inputs of HLS-level models and C simulation of their projects (shared by csim and quantize).
#include "tasks/HlsEvaluation.h"

#include <algorithm>
#include <cmath>
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
                            const std::vector<int> &labels, const hls::OutputScoring &scoring) {
  if (!fs::exists(projectDir / "firmware"))
    throw std::runtime_error("no HLS project in '" + projectDir.string() +
                             "' (firmware/ is missing)");
  meta::ProjectCSimOptions options;
  options.top = desc.name;
  fs::create_directories(workDir.parent_path());
  const meta::ProjectCSim csim(projectDir.string(), workDir.string(), options);
  const meta::ProjectCSimResult r = csim.run(desc, inputs, &labels, scoring);
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

hls::OutputScoring scoringFor(int outputs, bool sigmoidOut, const nn::Dataset &data) {
  hls::OutputScoring s;
  if (data.labels.empty()) {
    if (data.targets.cols() != outputs)
      throw std::invalid_argument("the data set has " + std::to_string(data.targets.cols()) +
                                  " regression targets per sample but the model has " +
                                  std::to_string(outputs) + " outputs");
    // A tolerance of a tenth of the targets' spread (their standard deviation, pooled over the
    // outputs), so that the same rule reads sensibly whatever the targets' unit.
    const long n = data.targets.rows();
    double sum = 0, sq = 0;
    for (long i = 0; i < data.targets.size(); ++i) {
      sum += data.targets.data()[i];
      sq += static_cast<double>(data.targets.data()[i]) * data.targets.data()[i];
    }
    const double count = std::max<double>(1, static_cast<double>(n) * outputs);
    const double var = std::max(0.0, sq / count - (sum / count) * (sum / count));
    s.rule = hls::OutputScoring::Rule::Tolerance;
    s.tolerance = std::max(1e-6, 0.1 * std::sqrt(var));
    s.targets = data.targets.data();
    return s;
  }
  int largest = 0;
  for (int l : data.labels)
    largest = std::max(largest, l);
  if (outputs == 1) {
    if (largest > 1)
      throw std::invalid_argument("the model has one output, which scores 0/1 labels, but the data set "
                                  "has labels up to " + std::to_string(largest));
    s.rule = hls::OutputScoring::Rule::Threshold;
    s.threshold = sigmoidOut ? 0.5 : 0.0;
    return s;
  }
  if (largest >= outputs)
    throw std::invalid_argument("the data set has label " + std::to_string(largest) + " but the model has " +
                                std::to_string(outputs) + " outputs (classes 0 to " +
                                std::to_string(outputs - 1) + ")");
  return s;
}

} // namespace mmlc::tasks
