// `report`: the design's metrics as report.md in a directory of the run.
#include "tasks/TaskContext.h"

#include <fstream>

namespace mmlc::tasks {
namespace fs = std::filesystem;

void runReport(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  fs::path out = ctx.meta.runDir() / a.s("dir");
  fs::create_directories(out);
  const flow::Handle &r = a.h("r");
  std::map<std::string, double> values;
  for (const char *name : {"accuracy", "dsp", "lut", "ff", "bram", "latency", "ii", "estimated",
                           "sparsity", "params", "nonzero"}) {
    try {
      values[name] = ctx.metric(r, name);
    } catch (const flow::RuntimeError &) {
      // An imported project without a data set has no accuracy: the row is left out.
      if (std::string(name) != "accuracy")
        throw;
    }
  }
  std::ofstream md(out / "report.md");
  md << "# " << (a.s("title").empty() ? ctx.call.path : a.s("title")) << "\n\n"
     << "| metric | value |\n| --- | --- |\n";
  for (auto &[name, value] : values)
    md << "| " << name << " | " << value << " |\n";
  md << "\nSteps, parameters and timings: `log.jsonl` and `cfg.json` in the run directory; "
        "every model is under `models/`.\n";
  ctx.store.metrics[ctx.key] = values;
  ctx.reports.push_back((out / "report.md").string());
}

} // namespace mmlc::tasks
