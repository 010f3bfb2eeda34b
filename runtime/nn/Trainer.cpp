// Training loop. Determinism: all randomness comes from seeded nn::Random; reductions have a fixed
// order independent of the thread count (fixed chunking, see ParallelChunks.h).
#include "nn/Trainer.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <numeric>

#include "nn/Error.h"
#include "nn/Metrics.h"

namespace mmlc::nn {

int Trainer::autoThreadCount() {
  // Results are bit-identical for any thread count (ParallelChunks.h), so the choice may depend on
  // the machine's state: threads that would only compete with other busy processes cost more in
  // synchronisation than they add. Count this process as one runnable task of the load average.
  const int procs = omp_get_num_procs();
  double load[1];
  if (getloadavg(load, 1) != 1) return procs;
  const long idle = std::lround(procs - load[0] + 1.0);
  return static_cast<int>(std::clamp<long>(idle, 1, procs));
}

void Trainer::setThreads(int threads) {
  const int n = threads > 0 ? threads : autoThreadCount();
  omp_set_num_threads(n);
  // Layers parallelise over fixed chunks themselves (ParallelChunks.h); Eigen's own static GEMM
  // split would make results depend on the thread count and stall when a core is busy elsewhere.
  Eigen::setNbThreads(1);
}

static void gatherRows(const Matrix& src, const std::vector<long>& idx, long begin, long count, Matrix& dst) {
  dst.resize(count, src.cols());
  for (long i = 0; i < count; ++i) dst.row(i) = src.row(idx[begin + i]);
}

static void shuffle(std::vector<long>& v, Random& rng) {
  for (long i = static_cast<long>(v.size()) - 1; i > 0; --i) std::swap(v[i], v[rng.below(i + 1)]);
}

std::pair<float, double> Trainer::evaluate(Network& net, const Matrix& x, const Matrix& y, LossKind loss) {
  Matrix out = net.predict(x);
  return {computeLoss(loss, out, y, nullptr), accuracy(out, y)};
}

TrainHistory Trainer::fit(Network& net, const Matrix& xAll, const Matrix& yAll, const Matrix* xValIn,
                          const Matrix* yValIn) {
  const TrainConfig& c = config_;
  if (xAll.rows() != yAll.rows())
    throw Error("fit: " + std::to_string(xAll.rows()) + " samples but " + std::to_string(yAll.rows()) + " targets");
  if (xAll.rows() == 0) throw Error("fit: empty training set");
  if (c.batchSize <= 0 || c.epochs < 0) throw Error("fit: batch size must be > 0 and epochs >= 0");
  if ((xValIn == nullptr) != (yValIn == nullptr)) throw Error("fit: give both validation inputs and targets");
  if (yAll.cols() != net.outputShape().size())
    throw Error("fit: targets have " + std::to_string(yAll.cols()) + " columns but the network outputs " +
                std::to_string(net.outputShape().size()));
  setThreads(c.threads);
  const auto start = std::chrono::steady_clock::now();
  Random rng(c.seed);
  net.reseedDropout(c.seed + 1);

  // Seeded validation split: permute once, hold out the tail.
  Matrix xTrainSplit, yTrainSplit, xValSplit, yValSplit;
  const Matrix *x = &xAll, *y = &yAll, *xVal = xValIn, *yVal = yValIn;
  if (!xValIn && c.validationSplit > 0.0) {
    if (c.validationSplit >= 1.0) throw Error("fit: validationSplit must be < 1");
    std::vector<long> perm(xAll.rows());
    std::iota(perm.begin(), perm.end(), 0);
    shuffle(perm, rng);
    const long nVal = std::max(1L, static_cast<long>(std::lround(c.validationSplit * xAll.rows())));
    const long nTrain = xAll.rows() - nVal;
    if (nTrain <= 0) throw Error("fit: validation split leaves no training samples");
    gatherRows(xAll, perm, 0, nTrain, xTrainSplit);
    gatherRows(yAll, perm, 0, nTrain, yTrainSplit);
    gatherRows(xAll, perm, nTrain, nVal, xValSplit);
    gatherRows(yAll, perm, nTrain, nVal, yValSplit);
    x = &xTrainSplit;
    y = &yTrainSplit;
    xVal = &xValSplit;
    yVal = &yValSplit;
  }

  auto params = net.parameters();
  auto optimizer = Optimizer::create(c.optimizer);
  for (Parameter* p : params) p->applyMask();  // a freshly attached mask takes effect immediately

  const long n = x->rows();
  std::vector<long> order(n);
  std::iota(order.begin(), order.end(), 0);
  Matrix xb, yb, grad;
  TrainHistory h;
  float bestLoss = std::numeric_limits<float>::infinity();
  std::vector<Matrix> bestWeights;
  int sinceBest = 0;

  for (int epoch = 0; epoch < c.epochs; ++epoch) {
    if (c.shuffle) shuffle(order, rng);
    const float lr = c.learningRate.at(epoch);
    double lossSum = 0;
    long correct = 0;
    for (long b = 0; b < n; b += c.batchSize) {
      const long count = std::min(c.batchSize, n - b);
      gatherRows(*x, order, b, count, xb);
      gatherRows(*y, order, b, count, yb);
      net.zeroGradients();
      const Matrix& out = net.forward(xb, true);
      lossSum += static_cast<double>(computeLoss(c.loss, out, yb, &grad)) * count;
      const auto pc = predictedClasses(out), tc = targetClasses(yb);
      for (long i = 0; i < count; ++i) correct += pc[i] == tc[i];
      net.backward(grad);
      if (c.l1 != 0.0f || c.l2 != 0.0f) {
        for (Parameter* p : params) {
          if (!p->trainable || !p->regularised) continue;
          if (c.l2 != 0.0f) p->grad.noalias() += (2.0f * c.l2) * p->value;
          if (c.l1 != 0.0f) p->grad.array() += c.l1 * p->value.array().sign();
        }
      }
      optimizer->step(params, lr);
      h.samplesSeen += count;
    }
    h.trainLoss.push_back(static_cast<float>(lossSum / n));
    h.trainAccuracy.push_back(static_cast<double>(correct) / n);
    float valLoss = std::numeric_limits<float>::quiet_NaN();
    double valAcc = std::numeric_limits<double>::quiet_NaN();
    if (xVal) {
      auto [vl, va] = evaluate(net, *xVal, *yVal, c.loss);
      valLoss = vl;
      valAcc = va;
      h.valLoss.push_back(vl);
      h.valAccuracy.push_back(va);
      if (vl < bestLoss - c.earlyStoppingMinDelta) {
        bestLoss = vl;
        h.bestEpoch = epoch;
        sinceBest = 0;
        if (c.earlyStoppingPatience > 0 && c.restoreBestWeights) {
          bestWeights.clear();
          for (Parameter* p : params) bestWeights.push_back(p->value);
        }
      } else {
        ++sinceBest;
      }
    }
    if (c.onEpoch) c.onEpoch(epoch, h.trainLoss.back(), valLoss, valAcc);
    if (xVal && c.earlyStoppingPatience > 0 && sinceBest >= c.earlyStoppingPatience) {
      h.stoppedEarly = true;
      break;
    }
  }
  if (!bestWeights.empty()) {
    for (size_t i = 0; i < params.size(); ++i) params[i]->value = bestWeights[i];
  }
  h.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return h;
}

}  // namespace mmlc::nn
