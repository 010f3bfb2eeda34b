// Measures mmlc training throughput (samples/s) on the three networks and the Fashion-MNIST
// MLP's test accuracy; prints `key=value` lines that run.sh turns into RESULT lines.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nn/ConvLayer.h"
#include "nn/Error.h"
#include "nn/IdxReader.h"
#include "nn/Metrics.h"
#include "nn/Trainer.h"

using namespace mmlc::nn;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Best of `kRepetitions` timed runs of `epochs` epochs, after a short warm-up (allocations, page
// faults, thread start-up). Best-of-N filters out time slices lost to other processes on a shared
// machine; pytorch_train_throughput.py uses the same protocol.
constexpr int kRepetitions = 3;

double samplesPerSecond(Network& net, const Matrix& x, const Matrix& y, long batch, int epochs, int threads) {
  TrainConfig c;
  c.batchSize = batch;
  c.epochs = 1;
  c.threads = threads;
  c.learningRate.initial = 1e-3f;
  Trainer(c).fit(net, x.topRows(std::min<long>(x.rows(), 4 * batch)), y.topRows(std::min<long>(y.rows(), 4 * batch)));
  c.epochs = epochs;
  double best = 0;
  for (int r = 0; r < kRepetitions; ++r) {
    const double t0 = now();
    TrainHistory h = Trainer(c).fit(net, x, y);
    best = std::max(best, static_cast<double>(h.samplesSeen) / (now() - t0));
  }
  return best;
}

// Stand-in for the jet-tagging features: 16 Gaussian features, 5 classes (throughput does not depend on values).
void jetData(long n, Matrix& x, Matrix& y) {
  Random rng(1);
  x.resize(n, 16);
  y = Matrix::Zero(n, 5);
  for (long i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.below(5));
    for (int j = 0; j < 16; ++j) x(i, j) = static_cast<float>(rng.normal() + 0.3 * c * ((j % 5) == c));
    y(i, c) = 1;
  }
}

// Training FLOPs per sample of an MLP: forward 2*MACs, backward 4*MACs (input and weight gradients).
double mlpTrainFlopsPerSample(const std::vector<int>& widths) {
  double macs = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i) macs += static_cast<double>(widths[i]) * widths[i + 1];
  return 6.0 * macs;
}

// Training FLOPs per sample of a network of convolutions and dense layers: 6 x multiply-adds
// (forward, input gradient, weight gradient), as for the MLPs. The first layer's input gradient
// is not computed by either tool, so this overstates both rates by the same ~0.2 %.
double trainFlopsPerSample(Network& net) {
  double macs = 0;
  for (size_t i = 0; i < net.size(); ++i) {
    Layer& l = net.layer(i);
    if (auto* conv = dynamic_cast<ConvLayer*>(&l))
      macs += static_cast<double>(conv->parameters()[0]->value.size()) * conv->geometry().outSpatial();
    else if (l.spec().kind == "Dense")
      macs += static_cast<double>(l.parameters()[0]->value.size());
  }
  return 6.0 * macs;
}

// MetaML's ResNet9 shape at the `resnet` builder's default widths (runtime/tasks/ModelTasks.cpp;
// pytorch_train_throughput.py builds the same): conv-BN-ReLU blocks with "same" padding, max-pools,
// two residual Adds, a global max-pool and a dense classifier.
Network resnet() {
  Network net(Shape{1, 28, 28}, 5);
  auto block = [&](int filters) {
    net.add(layers::same(layers::conv2d(filters, 3))).add(layers::batchNorm(1e-3f, 0.9f)).add(layers::relu());
    return net.layer(net.size() - 1).spec().name;
  };
  const int f[] = {16, 32, 64, 128};
  block(f[0]);
  for (int stage = 1; stage <= 3; ++stage) {
    block(f[stage]);
    net.add(layers::same(layers::maxPool(2)));
    if (stage == 2) continue;
    const std::string in = net.layer(net.size() - 1).spec().name;
    block(f[stage]);
    const std::string out = block(f[stage]);
    net.add(layers::add({in, out}));
  }
  LayerSpec global = layers::maxPool(4);  // 28 -> 14 -> 7 -> 4
  net.add(global).add(layers::flatten()).add(layers::dense(10));
  return net;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string fmnist = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int accuracyEpochs = argc > 3 ? std::atoi(argv[3]) : 10;
  try {
    Trainer::setThreads(threads);
    std::printf("threads=%d\n", threads);

    Matrix jx, jy;
    jetData(200000, jx, jy);
    Network jet(Shape{16}, 1);
    jet.add(layers::dense(64)).add(layers::relu()).add(layers::dense(32)).add(layers::relu()).add(layers::dense(32))
        .add(layers::relu()).add(layers::dense(5));
    const double jetRate = samplesPerSecond(jet, jx, jy, 1024, 5, threads);
    std::printf("mmlc_jet_mlp_samples_per_s=%.1f\n", jetRate);
    std::printf("mmlc_gflops_jet_mlp=%.2f\n", jetRate * mlpTrainFlopsPerSample({16, 64, 32, 32, 5}) / 1e9);

    Dataset train = loadIdxDataset(fmnist + "/train-images-idx3-ubyte.gz", fmnist + "/train-labels-idx1-ubyte.gz");
    Dataset test = loadIdxDataset(fmnist + "/t10k-images-idx3-ubyte.gz", fmnist + "/t10k-labels-idx1-ubyte.gz");
    const Matrix ty = train.targetMatrix(), ey = test.targetMatrix();

    Network mlp(Shape{784}, 2);
    mlp.add(layers::dense(256)).add(layers::relu()).add(layers::dense(128)).add(layers::relu()).add(layers::dense(10));
    const double mlpRate = samplesPerSecond(mlp, train.x, ty, 256, 1, threads);
    std::printf("mmlc_fmnist_mlp_samples_per_s=%.1f\n", mlpRate);

    Network cnn(Shape{1, 28, 28}, 3);
    cnn.add(layers::conv2d(8, 3)).add(layers::relu()).add(layers::maxPool(2)).add(layers::conv2d(16, 3))
        .add(layers::relu()).add(layers::maxPool(2)).add(layers::flatten()).add(layers::dense(10));
    const long cnnSamples = 20000;
    const double cnnRate = samplesPerSecond(cnn, train.x.topRows(cnnSamples), ty.topRows(cnnSamples), 128, 1, threads);
    std::printf("mmlc_fmnist_cnn_samples_per_s=%.1f\n", cnnRate);

    Network res = resnet();
    const long resSamples = 2048;
    const double resRate = samplesPerSecond(res, train.x.topRows(resSamples), ty.topRows(resSamples), 64, 1, threads);
    std::printf("mmlc_fmnist_resnet_samples_per_s=%.1f\n", resRate);
    std::printf("fmnist_resnet_train_mflop_per_sample=%.2f\n", trainFlopsPerSample(res) / 1e6);

    // Accuracy run: fresh MLP, Adam 1e-3, batch 256, seeded; test accuracy after the epochs.
    Network acc(Shape{784}, 4);
    acc.add(layers::dense(256)).add(layers::relu()).add(layers::dense(128)).add(layers::relu()).add(layers::dense(10));
    TrainConfig c;
    c.epochs = accuracyEpochs;
    c.batchSize = 256;
    c.threads = threads;
    c.seed = 4;
    c.learningRate.initial = 1e-3f;
    const double t0 = now();
    Trainer(c).fit(acc, train.x, ty);
    std::printf("mmlc_fmnist_mlp_train_seconds=%.2f\n", now() - t0);
    std::printf("mmlc_fmnist_mlp_test_accuracy=%.4f\n", accuracy(acc.predict(test.x), ey));
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_train_throughput: %s\n", e.what());
    return 1;
  }
  return 0;
}
