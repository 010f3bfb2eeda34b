// SCALING (docs/tasks.md): shrink the hidden layers step by step, retraining each narrower
// candidate, while the accuracy loss against the input model stays within the tolerance.
#include "tasks/TaskContext.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "flow/Interrupt.h"
#include "nn/ArchitectureEdit.h"
#include "nn/Network.h"
#include "nn/Trainer.h"

namespace mmlc::tasks {

namespace {

/// What SCALING narrows: every Dense/Conv layer except the last one, whose width is the
/// network's output, in width groups (layers joined by a residual Add share one width; in a
/// chain each layer is its own group).
using Groups = std::vector<std::vector<std::string>>;

std::vector<int> widthsOf(const nn::Network &net, const Groups &groups) {
  std::vector<int> widths;
  for (const auto &group : groups)
    widths.push_back(net.layer(static_cast<size_t>(net.indexOf(group.front()))).spec().units);
  return widths;
}

/// The width of every member of every group.
std::map<std::string, int> unitsOf(const Groups &groups, const std::vector<int> &widths) {
  std::map<std::string, int> units;
  for (size_t i = 0; i < groups.size(); ++i)
    for (const std::string &name : groups[i])
      units[name] = widths[i];
  return units;
}

std::string joinWidths(const std::vector<int> &widths, const char *separator) {
  std::string text;
  for (size_t i = 0; i < widths.size(); ++i)
    text += (i ? separator : "") + std::to_string(widths[i]);
  return text;
}

/// The next width of a layer: `factor` times narrower, at least one unit less, never below
/// `minWidth` (a layer already at or below it keeps its width).
int shrink(int width, double factor, int minWidth) {
  if (width <= minWidth)
    return width;
  long next = std::min<long>(width - 1, std::lround(width * factor));
  return static_cast<int>(std::max<long>(minWidth, next));
}

struct Candidate {
  std::shared_ptr<nn::Network> net;
  std::vector<int> widths;
  long params = 0;
  double accuracy = 0;
};

class Scaler {
public:
  Scaler(TaskContext &ctx, nn::Network &input, const nn::DatasetSplit &split)
      : ctx_(ctx), a_(ctx.args), split_(split), layers_(nn::widthGroups(input)),
        y_(split.train.targetMatrix()) {
    if (layers_.empty())
      throw ctx.error("scale needs a network with hidden Dense or Conv layers; this one has only "
                      "its output layer");
    best_.net = std::make_shared<nn::Network>(input.clone());
    best_.widths = widthsOf(input, layers_);
    best_.params = best_.net->parameterCount();
    best_.accuracy = baseline_ = selectionAccuracy(input, split);
    factor_ = a_.f("factor");
    minWidth_ = static_cast<int>(a_.i("min_width"));
  }

  /// Runs the search and returns the smallest model within the tolerance.
  Candidate run() {
    logStep(best_, true);
    int maxSteps = static_cast<int>(a_.i("max_steps"));
    std::vector<bool> frozen(layers_.size(), false); // per layer: its last shrink was over
    for (step_ = 1; step_ <= maxSteps; ++step_) {
      std::vector<int> widths = best_.widths;
      int layer = -1; // the layer shrunk in per-layer mode
      if (a_.b("per_layer")) {
        layer = pickLayer(frozen);
        if (layer < 0)
          break;
        widths[layer] = shrink(widths[layer], factor_, minWidth_);
      } else {
        for (int &w : widths)
          w = shrink(w, factor_, minWidth_);
        if (widths == best_.widths)
          break; // every layer is at min_width
      }
      Candidate c = retrain(widths);
      bool feasible = baseline_ - c.accuracy <= a_.f("tolerance");
      logStep(c, feasible);
      ++tried_;
      if (feasible)
        best_ = std::move(c);
      else if (layer >= 0)
        frozen[static_cast<size_t>(layer)] = true; // other layers may still shrink
      else
        break;
    }
    return best_;
  }

  double baseline() const { return baseline_; }
  int tried() const { return tried_; }

private:
  /// Per-layer mode: the layer whose next shrink removes the most parameters (ties: the first),
  /// among those not frozen and not at min_width; -1 when none is left.
  int pickLayer(const std::vector<bool> &frozen) const {
    int pick = -1;
    long fewest = 0;
    for (size_t i = 0; i < layers_.size(); ++i) {
      int next = shrink(best_.widths[i], factor_, minWidth_);
      if (frozen[i] || next == best_.widths[i])
        continue;
      std::vector<int> widths = best_.widths;
      widths[i] = next;
      long params = nn::withLayerWidths(*best_.net, unitsOf(layers_, widths), 0).parameterCount();
      if (pick < 0 || params < fewest) {
        pick = static_cast<int>(i);
        fewest = params;
      }
    }
    return pick;
  }

  /// A narrower copy of the best model so far that keeps each layer's strongest units (the
  /// largest gain through the network), fine-tuned for `epochs`: this keeps what the wider
  /// network learned, which for a fixed epoch budget is more accurate than training the narrow
  /// network from scratch (docs/tasks.md).
  Candidate retrain(const std::vector<int> &widths) {
    std::map<std::string, int> units = unitsOf(layers_, widths);
    std::uint64_t seed = static_cast<std::uint64_t>(a_.i("seed"));
    Candidate c;
    c.net = std::make_shared<nn::Network>(nn::withStrongestUnits(*best_.net, units, seed));
    nn::TrainConfig config;
    config.epochs = static_cast<int>(a_.i("epochs"));
    config.batchSize = a_.i("batch");
    config.seed = seed;
    config.learningRate.initial = static_cast<float>(a_.f("lr"));
    config.loss = lossFor(*c.net);
    config.onEpoch = [this](int, float, float, double) { flow::checkInterrupt(ctx_.call.loc); };
    nn::Trainer(config).fit(*c.net, split_.train.x, y_);
    c.widths = widths;
    c.params = c.net->parameterCount();
    c.accuracy = selectionAccuracy(*c.net, split_);
    return c;
  }

  void logStep(const Candidate &c, bool feasible) {
    std::ostringstream text;
    text << "[widths " << joinWidths(c.widths, "x") << " acc " << std::fixed << std::setprecision(3)
         << c.accuracy << (feasible ? " ok]" : " over]");
    ctx_.status(text.str());
    ctx_.log("scale_step", {{"step", std::to_string(step_)},
                            {"widths", "[" + joinWidths(c.widths, ",") + "]"},
                            {"params", std::to_string(c.params)},
                            {"accuracy", jsonNumber(c.accuracy)},
                            {"baseline", jsonNumber(baseline_)},
                            {"feasible", feasible ? "true" : "false"}});
  }

  TaskContext &ctx_;
  const TaskArgs &a_;
  const nn::DatasetSplit &split_;
  Groups layers_;
  nn::Matrix y_;
  Candidate best_;
  double baseline_ = 0, factor_ = 0.5;
  int minWidth_ = 1, step_ = 0, tried_ = 0;
};

} // namespace

void runScale(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  if (ctx.committed) {
    ctx.store.dnns[ctx.key] = {loadCommittedDnn(ctx), a.h("d").id};
    return;
  }
  nn::Network &input = *ctx.store.dnns.at(a.h("m").id).net;
  const nn::DatasetSplit &split = ctx.store.data.at(a.h("d").id).split;
  Scaler scaler(ctx, input, split);
  Candidate result = scaler.run();
  std::map<std::string, double> metrics{
      {"params", static_cast<double>(result.params)},
      {"input_params", static_cast<double>(input.parameterCount())},
      {"val_accuracy", result.accuracy},
      {"baseline_val_accuracy", scaler.baseline()},
      {"candidates", static_cast<double>(scaler.tried())}};
  for (size_t i = 0; i < result.widths.size(); ++i)
    metrics["width_" + std::to_string(i + 1)] = result.widths[i];
  ctx.store.metrics[ctx.key] = std::move(metrics);
  saveDnn(ctx, *result.net);
  ctx.store.dnns[ctx.key] = {std::move(result.net), a.h("d").id};
}

} // namespace mmlc::tasks
