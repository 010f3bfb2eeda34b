// Benchmark of the Clang metaprogramming passes: emits a 4-dense-layer mmlc project (16-64-32-32-5,
// the jet network's shape, unrolled as mmlc emits it), then times reading it into the model
// (inspect_ms) and one precision rewrite of every dense layer written to a new directory
// (rewrite_ms: parse + passes + copy/write, without the verifying re-read). Medians of N runs.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <unistd.h>

#include "hls/HlsProjectEmitter.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"

namespace fs = std::filesystem;
using namespace mmlc;

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 7;
  const fs::path work = fs::temp_directory_path() / ("mmlc-meta-bench-" + std::to_string(::getpid()));
  fs::remove_all(work);
  hls::NetworkDesc net;
  net.name = "mlp4";
  net.inputWidth = 16;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  const int outs[4] = {64, 32, 32, 5};
  int nIn = 16;
  for (int k = 0; k < 4; ++k) {
    hls::LayerDesc l;
    l.name = "fc" + std::to_string(k + 1);
    l.kind = hls::LayerKind::Dense;
    l.nOut = outs[k];
    l.weights.resize(size_t(nIn) * outs[k]);
    for (auto& w : l.weights) w = d(rng);
    l.biases.resize(outs[k]);
    for (auto& b : l.biases) b = d(rng) * 0.5f;
    l.weightType = l.biasType = l.accumType = l.resultType = hls::FixedType::fixed(16, 6);
    net.layers.push_back(l);
    if (k < 3) {
      hls::LayerDesc r;
      r.name = "relu" + std::to_string(k + 1);
      r.kind = hls::LayerKind::ReLU;
      r.resultType = hls::FixedType::fixed(16, 6);
      net.layers.push_back(r);
    }
    nIn = outs[k];
  }
  const std::string prj = (work / "prj").string();
  hls::HlsProjectEmitter(net).emit(prj);

  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::vector<double> inspect, rewrite;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    const meta::HlsProject p = meta::readHlsProject(prj);
    inspect.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (p.layers.size() != 7) {
      std::cerr << "unexpected layer count " << p.layers.size() << "\n";
      return 1;
    }
  }
  for (int i = 0; i < runs; ++i) {
    const std::string out = (work / ("out" + std::to_string(i))).string();
    auto t0 = std::chrono::steady_clock::now();
    meta::HlsProjectRewriter rw(prj);
    for (int k = 1; k <= 4; ++k) rw.setPrecision("fc" + std::to_string(k), "weight", hls::FixedType::fixed(8 + k, 3));
    meta::RewriteOptions o;
    o.verify = false;
    rw.writeTo(out, o);
    rewrite.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    fs::remove_all(out);
  }
  fs::remove_all(work);
  std::cout << "RESULT inspect_ms=" << static_cast<long>(median(inspect) + 0.5) << "\n";
  std::cout << "RESULT rewrite_ms=" << static_cast<long>(median(rewrite) + 0.5) << "\n";
  return 0;
}
