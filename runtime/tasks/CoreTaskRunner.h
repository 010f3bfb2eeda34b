// The task runner of `mmlc run`: the built-in pipe tasks over the DNN engine and the HLS backend.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "flow/Interpreter.h"
#include "flow/MetaModel.h"

namespace mmlc::nn {
class Network;
}

namespace mmlc::tasks {

/// Runs the tasks of stdlib/std/tasks.mml that are implemented so far — sources
/// (`fashion_mnist`, `part`), builders (`mlp`), `train`, `evaluate`, `hls4ml`, `estimate`,
/// `synth`, `report` — and records every step in the meta-model (CFG with origins, LOG, model
/// space). Other tasks fail with a located error naming them (tracker issue 6).
class CoreTaskRunner : public flow::TaskRunner {
public:
  /// With `reuse`, a step already committed to the model space (same task and inputs) is not
  /// recomputed: its outputs are reloaded (`mmlc run --resume`).
  CoreTaskRunner(flow::MetaModel &meta, std::ostream &progress, bool reuse = false);
  ~CoreTaskRunner() override;

  flow::Value runTask(const flow::TaskDecl &task, const flow::Op &call,
                      const flow::NamedArgs &args) override;
  double metric(const flow::Handle &handle, const std::string &name,
                const flow::SourceLoc &loc) override;
  void note(const flow::SourceLoc &loc, const std::string &message) override;

  /// Report files written so far (for the driver's closing message).
  const std::vector<std::string> &reports() const { return reports_; }

private:
  /// PRUNING (tasks.md): bisection on the pruning rate within `tolerance` of the unpruned
  /// accuracy, each candidate pruned gradually while fine-tuning; returns the sparsest feasible.
  std::unique_ptr<nn::Network> autoPrune(const flow::NamedArgs &args, const flow::Op &call);

  struct Store;
  std::unique_ptr<Store> store_;
  flow::MetaModel &meta_;
  std::ostream &progress_;
  bool reuse_ = false;
  std::vector<std::string> reports_;
};

} // namespace mmlc::tasks
