// The task runner of `mmlc run`: the built-in pipe tasks over the DNN engine and the HLS backend.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "flow/Interpreter.h"
#include "flow/MetaModel.h"
#include "tasks/ProgressDisplay.h"

namespace mmlc::tasks {

struct ModelStore;

/// Runs the built-in tasks of stdlib/std/tasks.mml (TaskRegistry.cpp binds them) and records
/// every step in the meta-model: CFG with origins, LOG, model space. A task without an
/// implementation fails with a located error naming it.
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
  bool setReuseCommitted(bool reuse) override { return std::exchange(reuse_, reuse); }
  void record(const std::string &event, const std::map<std::string, std::string> &fields) override;

  /// Report files written so far (for the driver's closing message).
  const std::vector<std::string> &reports() const { return reports_; }

private:
  /// Commits a computed step to the model space and logs it.
  void commitStep(const flow::TaskDecl &task, const flow::Op &call, const flow::NamedArgs &args,
                  const std::string &key, double seconds);
  double computeMetric(const flow::Handle &handle, const std::string &name,
                       const flow::SourceLoc &loc);

  std::unique_ptr<ModelStore> store_;
  std::map<std::string, std::map<std::string, double>> metricCache_;
  flow::MetaModel &meta_;
  std::ostream &progress_;
  ProgressDisplay display_;
  bool reuse_ = false;
  std::vector<std::string> reports_;
};

} // namespace mmlc::tasks
