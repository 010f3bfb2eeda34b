// TRAINING tasks: `train` (mini-batch training with early stopping) and `evaluate`.
#include "tasks/TaskContext.h"

#include <iomanip>

#include "flow/Interrupt.h"
#include "nn/Loss.h"
#include "nn/Metrics.h"
#include "nn/Network.h"
#include "nn/Sparsity.h"
#include "nn/Trainer.h"

namespace mmlc::tasks {

void runTrain(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  if (ctx.committed) { // training is the expensive step: reload the committed weights
    ctx.store.dnns[ctx.key] = {loadCommittedDnn(ctx), a.h("d").id};
    return;
  }
  ModelStore::Dnn &in = ctx.store.dnns.at(a.h("m").id);
  ModelStore::Data &data = ctx.store.data.at(a.h("d").id);
  auto net = std::make_shared<nn::Network>(in.net->clone());
  nn::TrainConfig config;
  config.epochs = static_cast<int>(a.i("epochs"));
  config.batchSize = a.i("batch");
  config.seed = static_cast<uint64_t>(a.i("seed"));
  config.optimizer.kind = a.s("optimizer");
  config.optimizer.momentum = static_cast<float>(a.f("momentum"));
  config.learningRate.kind = a.s("schedule");
  config.learningRate.initial = static_cast<float>(a.f("lr"));
  config.learningRate.totalEpochs = config.epochs;
  config.l1 = static_cast<float>(a.f("l1"));
  config.l2 = static_cast<float>(a.f("l2"));
  config.earlyStoppingPatience = static_cast<int>(a.i("patience"));
  config.loss = a.s("loss") == "mse"   ? nn::LossKind::MeanSquaredError
                : a.s("loss") == "bce" ? nn::LossKind::BinaryCrossEntropy
                                       : lossFor(*net);
  config.onEpoch = [&](int epoch, float trainLoss, float valLoss, double valAccuracy) {
    flow::checkInterrupt(ctx.call.loc); // Ctrl-C: abandon the step between epochs
    char text[64];
    std::snprintf(text, sizeof text, "epoch %d val_acc %.3f", epoch + 1, valAccuracy);
    ctx.status(text, static_cast<double>(epoch + 1) / config.epochs);
    ctx.log("epoch", {{"epoch", std::to_string(epoch + 1)},
                      {"train_loss", jsonNumber(trainLoss)},
                      {"val_loss", jsonNumber(valLoss)},
                      {"val_accuracy", jsonNumber(valAccuracy)}});
  };
  const int outputs = static_cast<int>(net->outputShape().size());
  nn::Matrix y, yVal;
  try {
    y = trainingTargets(data.split.train, outputs);
    yVal = trainingTargets(data.split.validation, outputs);
  } catch (const std::invalid_argument &e) {
    throw ctx.error(std::string("train: ") + e.what());
  }
  bool hasVal = data.split.validation.size() > 0;
  nn::Trainer(config).fit(*net, data.split.train.x, y, hasVal ? &data.split.validation.x : nullptr,
                          hasVal ? &yVal : nullptr);
  saveDnn(ctx, *net);
  ctx.store.dnns[ctx.key] = {std::move(net), a.h("d").id};
}

void runEvaluate(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  nn::Network &net = *ctx.store.dnns.at(a.h("m").id).net;
  const nn::DatasetSplit &split = ctx.store.data.at(a.h("d").id).split;
  const std::string &which = a.s("split");
  const nn::Dataset &d = which == "train"        ? split.train
                         : which == "validation" ? split.validation
                                                 : split.test;
  if (d.size() == 0)
    throw ctx.error("the " + which + " split of this data set is empty");
  NetworkScore score;
  try {
    score = scoreNetwork(net, d);
  } catch (const std::invalid_argument &e) {
    throw ctx.error(std::string("evaluate: ") + e.what());
  }
  long params = net.parameterCount(), nonzero = nn::countNonZeros(net);
  std::map<std::string, double> &m = ctx.store.metrics[ctx.key];
  m = {{"accuracy", score.accuracy},
       {"loss", score.loss},
       {"params", static_cast<double>(params)},
       {"nonzero", static_cast<double>(nonzero)},
       {"sparsity", 1.0 - static_cast<double>(nonzero) / std::max(1L, params)},
       {"macs", static_cast<double>(nn::nonZeroMacs(net))}};
  if (score.balanced >= 0) // classifiers: the mean recall over the classes present
    m["balanced_accuracy"] = score.balanced;
  const int outputs = static_cast<int>(net.outputShape().size());
  const std::string decision = score.scoring.describe(outputs);
  ctx.log("decision", {{"task", flow::jsonString("evaluate")}, {"rule", flow::jsonString(decision)}});
  if (score.scoring.rule != hls::OutputScoring::Rule::Argmax)
    ctx.progress << " [" << decision << "]" << std::flush;
}

} // namespace mmlc::tasks
