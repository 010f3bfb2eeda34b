// PRUNING (docs/tasks.md): MetaML auto-pruning — bisection on the rate within the tolerance,
// each candidate pruned gradually (cubic ramp) while fine-tuning.
#include "tasks/TaskContext.h"

#include <cmath>
#include <iomanip>

#include "flow/Interrupt.h"
#include "hls/ResourceEstimator.h"
#include "nn/Network.h"
#include "nn/Sparsity.h"
#include "nn/Trainer.h"
#include "tasks/HlsConversion.h"

namespace mmlc::tasks {

namespace {
/// Gradual magnitude pruning to `rate` while fine-tuning: the sparsity ramps from 0 to `rate`
/// along a cubic (polynomial-decay) schedule over the first `ramp` of the epochs, then the
/// masks stay fixed, so pruned weights are exactly zero in the result.
std::shared_ptr<nn::Network> pruneAndFineTune(nn::Network &base, const nn::DatasetSplit &split,
                                              double rate, int epochs, double ramp, long batch,
                                              double lr, std::uint64_t seed,
                                              const flow::SourceLoc &loc) {
  auto net = std::make_shared<nn::Network>(base.clone());
  int rampEpochs = std::max(1, static_cast<int>(std::lround(ramp * epochs)));
  nn::Matrix y = split.train.targetMatrix();
  for (int e = 0; e < epochs; ++e) {
    flow::checkInterrupt(loc); // Ctrl-C: abandon the step between epochs
    double progress = std::min(1.0, static_cast<double>(e + 1) / rampEpochs);
    double target = rate * (1.0 - std::pow(1.0 - progress, 3));
    nn::magnitudePruneGlobal(*net, target);
    nn::TrainConfig config;
    config.epochs = 1;
    config.batchSize = batch;
    config.seed = seed + static_cast<std::uint64_t>(e);
    config.learningRate.initial = static_cast<float>(lr);
    config.loss = lossFor(*net);
    nn::Trainer(config).fit(*net, split.train.x, y);
  }
  nn::magnitudePruneGlobal(*net, rate);
  return net;
}

/// DSP and LUT of `net` as an hls4ml design at the default precision and reuse 1 (what MetaML's
/// Fig. 4 plots per pruning step), or nothing when HLS cannot express the network.
std::optional<hls::SynthMetrics> estimateDesign(nn::Network &net) {
  try {
    return hls::ResourceEstimator().estimate(toHlsNetwork(net, HlsConversionOptions{})).total;
  } catch (const std::invalid_argument &) {
    return std::nullopt;
  }
}

/// Bisection on the pruning rate: returns the sparsest candidate within `tolerance` of the
/// unpruned accuracy, logging one `prune_step` event per candidate.
std::shared_ptr<nn::Network> autoPrune(TaskContext &ctx, nn::Network &base,
                                       const nn::DatasetSplit &split) {
  const TaskArgs &a = ctx.args;
  double alpha = a.f("tolerance"), beta = a.f("threshold");
  double upper = a.f("max_rate"), feasibleRate = 0, rate = a.f("start");
  double baseline = selectionAccuracy(base, split);
  auto logStep = [&](int step, double r, double accuracy, bool feasible, nn::Network &net) {
    char text[80];
    std::snprintf(text, sizeof text, "[rate %.3f acc %.3f %s]", r, accuracy, feasible ? "ok" : "over");
    ctx.status(text);
    std::map<std::string, std::string> fields{{"step", std::to_string(step)},
                                              {"rate", jsonNumber(r)},
                                              {"accuracy", jsonNumber(accuracy)},
                                              {"baseline", jsonNumber(baseline)},
                                              {"feasible", feasible ? "true" : "false"}};
    if (std::optional<hls::SynthMetrics> e = estimateDesign(net)) {
      fields["dsp"] = jsonNumber(e->dsp);
      fields["lut"] = jsonNumber(e->lut);
    }
    ctx.log("prune_step", fields);
  };
  logStep(0, 0.0, baseline, true, base);
  auto best = std::make_shared<nn::Network>(base.clone());
  for (int step = 1; step <= 32; ++step) {
    auto candidate =
        pruneAndFineTune(base, split, rate, static_cast<int>(a.i("epochs")), a.f("ramp"),
                         a.i("batch"), a.f("lr"), static_cast<std::uint64_t>(a.i("seed")), ctx.call.loc);
    double accuracy = selectionAccuracy(*candidate, split);
    bool feasible = baseline - accuracy <= alpha;
    logStep(step, rate, accuracy, feasible, *candidate);
    double next;
    if (feasible) {
      feasibleRate = rate;
      best = std::move(candidate);
      next = (rate + upper) / 2; // half-way to the upper bound
    } else {
      upper = rate;
      next = (feasibleRate + rate) / 2; // half-way back to the last feasible rate
    }
    if (std::abs(next - rate) < beta)
      break;
    rate = next;
  }
  return best;
}
} // namespace

void runPrune(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  if (ctx.committed) {
    ctx.store.dnns[ctx.key] = {loadCommittedDnn(ctx), a.h("d").id};
    return;
  }
  nn::Network &base = *ctx.store.dnns.at(a.h("m").id).net;
  const nn::DatasetSplit &split = ctx.store.data.at(a.h("d").id).split;
  std::shared_ptr<nn::Network> pruned = autoPrune(ctx, base, split);
  ctx.store.metrics[ctx.key] = {{"sparsity", nn::globalSparsity(*pruned)}};
  saveDnn(ctx, *pruned);
  ctx.store.dnns[ctx.key] = {std::move(pruned), a.h("d").id};
}

} // namespace mmlc::tasks
