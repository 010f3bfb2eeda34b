// The table binding each built-in task's `impl` name (stdlib/std/tasks.mml) to its implementation.
#include "tasks/TaskContext.h"

namespace mmlc::tasks {

// SourceTasks.cpp
void runPart(TaskContext &);
void runFashionMnist(TaskContext &);
void runIdx(TaskContext &);
void runCsv(TaskContext &);
void runNpy(TaskContext &);
void runOpenml(TaskContext &);
void runOnnx(TaskContext &);
void runKeras(TaskContext &);
void runAllocate(TaskContext &);
// ModelTasks.cpp
void runMlp(TaskContext &);
void runCnn(TaskContext &);
void runResnet(TaskContext &);
void runVgg(TaskContext &);
// TrainingTasks.cpp
void runTrain(TaskContext &);
void runEvaluate(TaskContext &);
// PruneTask.cpp
void runPrune(TaskContext &);
// ScaleTask.cpp
void runScale(TaskContext &);
// QuantizeTask.cpp
void runQuantize(TaskContext &);
// CSimTask.cpp
void runCSim(TaskContext &);
// HlsTasks.cpp
void runHls4ml(TaskContext &);
void runEstimate(TaskContext &);
void runSynth(TaskContext &);
// ReportTask.cpp
void runReport(TaskContext &);
// MetaTasks.cpp
void runHlsImport(TaskContext &);
void runSetPrecision(TaskContext &);
void runSetReuse(TaskContext &);
void runPragma(TaskContext &);
void runRenameTop(TaskContext &);

const std::map<std::string, TaskFn> &builtinTasks() {
  static const std::map<std::string, TaskFn> tasks{
      {"part", runPart},         {"fashion_mnist", runFashionMnist},
      {"mlp", runMlp},           {"train", runTrain},
      {"evaluate", runEvaluate}, {"prune", runPrune},
      {"hls4ml", runHls4ml},     {"estimate", runEstimate},
      {"synth", runSynth},       {"report", runReport},
      {"idx", runIdx},           {"csv", runCsv},
      {"npy", runNpy},           {"openml", runOpenml},
      {"onnx", runOnnx},         {"keras", runKeras},       {"cnn", runCnn},
      {"scale", runScale},       {"resnet", runResnet},
      {"vgg", runVgg},
      {"quantize", runQuantize}, {"csim", runCSim},
      {"hls_import", runHlsImport}, {"set_precision", runSetPrecision},
      {"set_reuse", runSetReuse},   {"pragma", runPragma},
      {"rename_top", runRenameTop}, {"allocate", runAllocate},
  };
  return tasks;
}

} // namespace mmlc::tasks
