// Benchmark of the HLS backend: C-sim bit-exactness on Fashion-MNIST, fixed-point simulator
// throughput on the jet network, simulator vs compiled C-sim speed, and estimator error against
// the real Vivado HLS report of the hls4ml fixture. Prints `RESULT name=value` lines.
#include <sys/resource.h>
#include <zlib.h>

#include <ctime>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "hls/CSimHarness.h"
#include "hls/CsynthReport.h"
#include "hls/NetworkSim.h"
#include "hls/ResourceEstimator.h"

using namespace mmlc::hls;
namespace fs = std::filesystem;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// CPU seconds of this thread: throughput "on one core" should not depend on what else the machine runs.
double threadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// CPU seconds (user + system) of waited-for child processes.
double childrenCpu() {
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

std::vector<unsigned char> readGz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  gzclose(f);
  return out;
}

unsigned be32(const unsigned char* p) { return (unsigned(p[0]) << 24) | (unsigned(p[1]) << 16) | (unsigned(p[2]) << 8) | p[3]; }

// IDX images scaled to [0, 1] and labels.
bool loadFashionMnist(const std::string& dir, const std::string& prefix, std::vector<float>& x, std::vector<int>& y) {
  const std::string img = dir + "/" + prefix + "-images-idx3-ubyte.gz", lab = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
  if (!fs::exists(img) || !fs::exists(lab)) return false;
  const auto a = readGz(img), b = readGz(lab);
  if (a.size() < 16 || be32(a.data()) != 2051 || b.size() < 8 || be32(b.data()) != 2049)
    throw std::runtime_error("bad IDX files in " + dir);
  const unsigned n = be32(a.data() + 4), pixels = be32(a.data() + 8) * be32(a.data() + 12);
  x.resize(static_cast<size_t>(n) * pixels);
  for (size_t i = 0; i < x.size(); ++i) x[i] = a[16 + i] / 255.0f;
  y.assign(b.begin() + 8, b.begin() + 8 + n);
  return true;
}

// A small float MLP trained with plain SGD, so the quantised network computes something meaningful.
struct FloatMlp {
  std::vector<int> sizes;
  std::vector<std::vector<float>> w, b;  // w[k]: in x out, input-major (hls4ml order)

  explicit FloatMlp(std::vector<int> s, unsigned seed) : sizes(std::move(s)) {
    std::mt19937 rng(seed);
    for (size_t k = 0; k + 1 < sizes.size(); ++k) {
      std::normal_distribution<float> d(0.0f, std::sqrt(2.0f / sizes[k]));
      w.emplace_back(static_cast<size_t>(sizes[k]) * sizes[k + 1]);
      for (auto& v : w.back()) v = d(rng);
      b.emplace_back(sizes[k + 1], 0.0f);
    }
  }

  void train(const std::vector<float>& x, const std::vector<int>& y, int epochs, float lr) {
    const int n = static_cast<int>(y.size()), L = static_cast<int>(w.size());
    std::vector<std::vector<float>> act(L + 1), delta(L + 1);
    for (int k = 0; k <= L; ++k) {
      act[k].resize(sizes[k]);
      delta[k].resize(sizes[k]);
    }
    std::mt19937 rng(5);
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    for (int e = 0; e < epochs; ++e) {
      std::shuffle(order.begin(), order.end(), rng);
      for (int s : order) {
        std::copy(&x[static_cast<size_t>(s) * sizes[0]], &x[static_cast<size_t>(s + 1) * sizes[0]], act[0].begin());
        for (int k = 0; k < L; ++k) forwardLayer(k, act[k], act[k + 1], k + 1 < L);
        // softmax + cross-entropy gradient
        float mx = *std::max_element(act[L].begin(), act[L].end()), sum = 0;
        for (auto& v : act[L]) sum += (v = std::exp(v - mx));
        for (int j = 0; j < sizes[L]; ++j) delta[L][j] = act[L][j] / sum - (j == y[s] ? 1.0f : 0.0f);
        for (int k = L - 1; k >= 0; --k) {
          const int ni = sizes[k], no = sizes[k + 1];
          if (k > 0)
            for (int i = 0; i < ni; ++i) {
              float g = 0;
              for (int j = 0; j < no; ++j) g += w[k][static_cast<size_t>(i) * no + j] * delta[k + 1][j];
              delta[k][i] = act[k][i] > 0 ? g : 0.0f;
            }
          for (int i = 0; i < ni; ++i) {
            const float a = act[k][i] * lr;
            if (a == 0) continue;
            float* row = &w[k][static_cast<size_t>(i) * no];
            for (int j = 0; j < no; ++j) row[j] -= a * delta[k + 1][j];
          }
          for (int j = 0; j < no; ++j) b[k][j] -= lr * delta[k + 1][j];
        }
      }
    }
  }

  double accuracy(const std::vector<float>& x, const std::vector<int>& y) const {
    const int L = static_cast<int>(w.size());
    std::vector<std::vector<float>> act(L + 1);
    for (int k = 0; k <= L; ++k) act[k].resize(sizes[k]);
    size_t correct = 0;
    for (size_t s = 0; s < y.size(); ++s) {
      std::copy(&x[s * sizes[0]], &x[(s + 1) * sizes[0]], act[0].begin());
      for (int k = 0; k < L; ++k) forwardLayer(k, act[k], act[k + 1], k + 1 < L);
      correct += std::max_element(act[L].begin(), act[L].end()) - act[L].begin() == y[s];
    }
    return static_cast<double>(correct) / y.size();
  }

  void forwardLayer(int k, const std::vector<float>& in, std::vector<float>& out, bool relu) const {
    const int ni = sizes[k], no = sizes[k + 1];
    for (int j = 0; j < no; ++j) out[j] = b[k][j];
    for (int i = 0; i < ni; ++i) {
      const float a = in[i];
      if (a == 0) continue;
      const float* row = &w[k][static_cast<size_t>(i) * no];
      for (int j = 0; j < no; ++j) out[j] += a * row[j];
    }
    if (relu)
      for (auto& v : out) v = std::max(v, 0.0f);
  }
};

LayerDesc dense(const std::string& name, std::vector<float> w, std::vector<float> b, int nOut, FixedType wt, FixedType bt,
                FixedType acc, FixedType res) {
  LayerDesc l;
  l.name = name;
  l.kind = LayerKind::Dense;
  l.nOut = nOut;
  l.weights = std::move(w);
  l.biases = std::move(b);
  l.weightType = wt;
  l.biasType = bt;
  l.accumType = acc;
  l.resultType = res;
  return l;
}

LayerDesc activation(const std::string& name, LayerKind kind, FixedType res) {
  LayerDesc l;
  l.name = name;
  l.kind = kind;
  l.weightType = l.biasType = l.accumType = l.resultType = res;
  return l;
}

// 784-64-32-10 MLP at mixed per-layer precisions.
NetworkDesc fashionNet(const FloatMlp& m) {
  NetworkDesc n;
  n.name = "fashion_mlp";
  n.inputType = FixedType::ufixed(8, 0, QuantMode::RND, OverflowMode::SAT);
  n.inputWidth = 784;
  n.layers.push_back(dense("fc1", m.w[0], m.b[0], 64, FixedType::fixed(9, 0, QuantMode::RND, OverflowMode::SAT), FixedType::fixed(10, 4),
                           FixedType::fixed(18, 8), FixedType::fixed(12, 5)));
  n.layers.push_back(activation("relu1", LayerKind::ReLU, FixedType::ufixed(10, 4, QuantMode::TRN, OverflowMode::SAT)));
  n.layers.push_back(dense("fc2", m.w[1], m.b[1], 32, FixedType::fixed(8, 1, QuantMode::RND_CONV, OverflowMode::SAT), FixedType::fixed(10, 4),
                           FixedType::fixed(16, 6, QuantMode::TRN, OverflowMode::SAT), FixedType::fixed(10, 4)));
  n.layers.push_back(activation("relu2", LayerKind::ReLU, FixedType::ufixed(9, 4)));
  n.layers.push_back(dense("fc3", m.w[2], m.b[2], 10, FixedType::fixed(8, 2, QuantMode::RND, OverflowMode::SAT), FixedType::fixed(10, 4), FixedType::fixed(16, 6),
                           FixedType::fixed(16, 6)));
  n.layers.push_back(activation("softmax", LayerKind::Softmax, FixedType::ufixed(16, 0, QuantMode::RND, OverflowMode::SAT)));
  n.layers[0].strategy = Strategy::Resource;  // large layer: folded in hardware; same arithmetic
  n.layers[0].reuseFactor = 16;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string fixture = argc > 1 ? argv[1] : std::string(MMLC_HLS_FIXTURE_DIR);
  const char* envData = std::getenv("MMLC_FASHION_MNIST_DIR");
  const std::string dataDir = envData ? envData : "/usr/share/datasets/fashion-mnist";
  const std::string work = (fs::temp_directory_path() / ("mmlc_hls_bench_" + std::to_string(::getpid()))).string();
  try {
    // 1. Fashion-MNIST MLP: emitted C++ vs simulator over the test set.
    std::vector<float> trainX, testX;
    std::vector<int> trainY, testY;
    const bool haveData = loadFashionMnist(dataDir, "train", trainX, trainY) && loadFashionMnist(dataDir, "t10k", testX, testY);
    FloatMlp mlp({784, 64, 32, 10}, 11);
    if (haveData) {
      double t0 = now();
      mlp.train(trainX, trainY, 2, 0.005f);
      std::printf("INFO fashion_mlp: weights trained in this benchmark by 2 epochs of float SGD (%.1f s); the DNN engine is not used\n",
                  now() - t0);
      std::printf("INFO fashion_mlp: float accuracy %.4f\n", mlp.accuracy(testX, testY));
    } else {
      std::printf("INFO fashion_mlp: Fashion-MNIST not found in %s: random weights and random inputs\n", dataDir.c_str());
      std::mt19937 rng(3);
      std::uniform_real_distribution<float> u(0.0f, 1.0f);
      testX.resize(2000 * 784);
      for (auto& v : testX) v = u(rng);
      testY.assign(2000, 0);
    }
    const NetworkDesc fashion = fashionNet(mlp);
    CSimOptions copt;
    copt.extraFlags = {"-O2"};
    const auto cs = CSimHarness(fashion, copt).run(work + "/fashion", testX, &testY);
    std::printf("INFO fashion_mlp: %zu samples, compile %.1f s, C-sim %.1f s, simulator %.3f s\n", cs.samples, cs.compileSeconds,
                cs.csimSeconds, cs.simSeconds);
    if (haveData)
      std::printf("INFO fashion_mlp: C-sim accuracy %.4f, simulator accuracy %.4f\n", cs.csimAccuracy, cs.simAccuracy);
    if (!cs.mismatchReport.empty()) std::printf("INFO fashion_mlp: %s\n", cs.mismatchReport.c_str());
    std::printf("RESULT csim_bit_exact_fraction=%.6f\n", cs.bitExactFraction);
    if (haveData) std::printf("RESULT csim_fashion_accuracy=%.4f\n", cs.csimAccuracy);

    // 2. Simulator throughput on the jet network (one core).
    const NetworkDesc jet = loadHls4mlFixture(fixture);
    const NetworkSim sim(jet);
    const size_t nJet = 200000;
    std::vector<float> jx(nJet * 16);
    std::mt19937 rng(9);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (auto& v : jx) v = nd(rng);
    std::vector<Raw> jy(nJet * 5);
    sim.runRaw(jx.data(), 2000, jy.data());  // warm-up
    double t0 = now();
    const double c0 = threadCpu();
    sim.runRaw(jx.data(), nJet, jy.data());
    const double simRate = nJet / (threadCpu() - c0);
    std::printf("INFO jet: simulator %.0f samples per CPU-second, %.0f samples per wall-clock second\n", simRate,
                nJet / (now() - t0));
    std::printf("RESULT fixed_sim_jet_samples_per_s=%.0f\n", simRate);

    // 3. Compiled C simulation of the same network, same machine, same samples.
    const size_t nCsim = 20000;
    std::vector<float> cx(jx.begin(), jx.begin() + nCsim * 16);
    const CSimHarness jetCsim(jet, copt);
    const auto jr = jetCsim.run(work + "/jet", cx);
    // Time a second run of the compiled C simulation by its CPU time (text I/O included).
    const double cc0 = childrenCpu();
    jetCsim.execute(work + "/jet", work + "/jet/tb_data/tb_input_features.dat");
    const double csimRate = nCsim / (childrenCpu() - cc0);
    std::printf("INFO jet: C-sim compile %.1f s, %.0f samples per CPU-second (g++ -O2, incl. text I/O), bit-exact fraction %.6f\n",
                jr.compileSeconds, csimRate, jr.bitExactFraction);
    std::printf("RESULT fixed_sim_ratio_vs_csim=%.2f\n", simRate / csimRate);

    // 4. Estimator (calibrated, for the tool generation that wrote the report) against the real
    // report. The fixture is one of the calibration designs, so this is in-sample; the held-out
    // figures are mmlc_estimator_bench's.
    const SynthMetrics real = CsynthReport::parseFile(fixture + "/reports/csynth.xml");
    const auto est = ResourceEstimator(toolGenOf(real.tool)).estimate(jet);
    for (const auto& l : est.layers)
      std::printf("INFO estimate %-8s %-8s DSP %6.0f LUT %7.0f FF %6.0f BRAM %3.0f lat %ld II %ld\n", l.name.c_str(),
                  layerKindName(l.kind), l.dsp, l.lut, l.ff, l.bram18, l.latency, l.interval);
    std::printf("INFO estimate total DSP %.0f LUT %.0f FF %.0f BRAM %.0f latency %ld; report DSP %.0f LUT %.0f FF %.0f BRAM %.0f latency %ld\n",
                est.total.dsp, est.total.lut, est.total.ff, est.total.bram18, est.total.latencyMax, real.dsp, real.lut, real.ff,
                real.bram18, real.latencyMax);
    auto pct = [](double e, double r) { return 100.0 * (e - r) / r; };
    std::printf("RESULT fixture_dsp_error_pct=%.2f\n", pct(est.total.dsp, real.dsp));
    std::printf("RESULT fixture_lut_error_pct=%.2f\n", pct(est.total.lut, real.lut));
    std::printf("RESULT fixture_ff_error_pct=%.2f\n", pct(est.total.ff, real.ff));
    std::printf("RESULT fixture_latency_error_cycles=%ld\n", est.total.latencyMax - real.latencyMax);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hls bench failed: %s\n", e.what());
    fs::remove_all(work);
    return 1;
  }
  fs::remove_all(work);
  return 0;
}
