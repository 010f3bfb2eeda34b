// `csim`: C simulation of an HLS-level model's project on a data split, compared bit for bit
// with the simulator (docs/tasks.md).
#include "tasks/TaskContext.h"

#include <iomanip>

#include "tasks/HlsEvaluation.h"

namespace mmlc::tasks {

void runCSim(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  if (ctx.committed) { // compiling and running again would give the same numbers
    ctx.store.metrics[ctx.key] = ctx.committed->metrics;
    return;
  }
  ModelStore::Hls &model = ctx.store.hlsModels.at(a.h("h").id);
  const ModelStore::Data &data = ctx.store.data.at(a.h("d").id);
  const std::string &split = a.s("split");
  const nn::Dataset &set = split == "validation" ? data.split.validation : data.split.test;
  if (set.size() == 0)
    throw ctx.error("csim: the data set has no " + split + " samples");
  // The decision rule of the design's outputs: argmax, a threshold on one output, or a
  // tolerance on regression outputs.
  hls::OutputScoring scoring;
  try {
    scoring = scoringFor(model.desc.outputSize(), !model.desc.layers.empty() && model.desc.layers.back().kind == hls::LayerKind::Sigmoid,
                         set);
  } catch (const std::invalid_argument &e) {
    throw ctx.error(std::string("csim: ") + e.what());
  }
  if (set.x.cols() != model.desc.inputSize())
    throw ctx.error("csim: the data has " + std::to_string(set.x.cols()) +
                    " features per sample but the design takes " +
                    std::to_string(model.desc.inputSize()) + " inputs");
  const size_t limit = static_cast<size_t>(a.i("limit"));
  std::vector<float> inputs = hlsInputs(ctx.store, model, set, limit);
  const size_t n = inputs.size() / static_cast<size_t>(model.desc.inputSize());
  std::vector<int> labels;
  if (!set.labels.empty())
    labels.assign(set.labels.begin(), set.labels.begin() + static_cast<long>(n));
  ProjectCSim r = simulateProject(model.desc, projectDir(model), ctx.staging / "csim", inputs, labels, scoring);
  const std::string decision = scoring.describe(model.desc.outputSize());
  ctx.store.metrics[ctx.key] = {{"csim_accuracy", r.csimAccuracy},
                                {"sim_accuracy", r.simAccuracy},
                                {"mismatches", static_cast<double>(r.mismatches)},
                                {"samples", static_cast<double>(r.samples)}};
  ctx.log("csim", {{"split", flow::jsonString(split)},
                   {"samples", jsonNumber(static_cast<double>(r.samples))},
                   {"csim_accuracy", jsonNumber(r.csimAccuracy)},
                   {"sim_accuracy", jsonNumber(r.simAccuracy)},
                   {"mismatches", jsonNumber(static_cast<double>(r.mismatches))},
                   {"compile_seconds", jsonNumber(r.compileSeconds)},
                   {"run_seconds", jsonNumber(r.runSeconds)},
                   {"mismatch", flow::jsonString(r.mismatchReport)},
                   {"decision", flow::jsonString(decision)}});
  ctx.progress << " [" << r.samples << " samples, csim accuracy " << std::fixed
               << std::setprecision(4) << r.csimAccuracy << std::defaultfloat;
  if (scoring.rule != hls::OutputScoring::Rule::Argmax) // argmax is the default, said only in the LOG
    ctx.progress << " (" << decision << ")";
  ctx.progress << ", "
               << r.mismatches << (r.mismatches == 1 ? " mismatch" : " mismatches");
  if (r.mismatches)
    ctx.progress << ": " << r.mismatchReport;
  ctx.progress << "]" << std::flush;
}

} // namespace mmlc::tasks
