// The bit-exact network simulator: runs the simulation hook of each layer's kind
// (runtime/hls/layers) over mantissa buffers, per sample, optionally on several threads.
#include "hls/NetworkSim.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "hls/layers/SimKernels.h"

namespace mmlc::hls {

NetworkSim::NetworkSim(NetworkDesc net) : net_(std::move(net)) {
  net_.resolve();
  layers_.resize(net_.layers.size());
  kinds_.resize(net_.layers.size());
  for (size_t k = 0; k < net_.layers.size(); ++k) {
    const LayerKindInfo& kind = kindInfo(net_.layers[k].kind);
    const SimLayer sl{net_.layers[k], layerInputType(k), net_};
    prepareWeights(sl, layers_[k]);
    if (kind.prepare) kind.prepare(sl, layers_[k]);
    kinds_[k] = &kind;
  }
  chain_ = net_.isChain();
}

void NetworkSim::forwardGraph(const std::vector<Raw>& input, std::vector<std::vector<Raw>>& acts, std::vector<Raw>& gather,
                              SimScratch& s) const {
  acts.resize(net_.layers.size());
  for (size_t k = 0; k < net_.layers.size(); ++k) {
    const LayerDesc& l = net_.layers[k];
    acts[k].resize(static_cast<size_t>(l.outputSize()));
    auto valuesOf = [&](int src) -> const std::vector<Raw>& { return src < 0 ? input : acts[static_cast<size_t>(src)]; };
    const Raw* in = valuesOf(l.sources[0]).data();
    if (l.sources.size() > 1) {  // a merge reads its inputs one after the other
      gather.clear();
      for (int src : l.sources) gather.insert(gather.end(), valuesOf(src).begin(), valuesOf(src).end());
      in = gather.data();
    }
    forwardLayer(k, in, acts[k].data(), s);
  }
}

size_t NetworkSim::maxBuffer() const {
  size_t m = static_cast<size_t>(net_.inputSize());
  for (const LayerDesc& l : net_.layers) m = std::max(m, static_cast<size_t>(l.outputSize()));
  return m;
}

void NetworkSim::forwardLayer(size_t k, const Raw* in, Raw* out, SimScratch& s) const {
  kinds_[k]->simulate(SimLayer{net_.layers[k], layerInputType(k), net_}, layers_[k], in, out, s);
}

void NetworkSim::runRaw(const float* inputs, size_t n, Raw* outputs) const {
  SimScratch s;
  const size_t m = maxBuffer();
  s.bufA.resize(m);
  s.bufB.resize(m);
  const int nIn = net_.inputSize(), nOut = net_.outputSize();
  if (!chain_) {
    std::vector<Raw> input(static_cast<size_t>(nIn)), gather;
    std::vector<std::vector<Raw>> acts;
    for (size_t smp = 0; smp < n; ++smp) {
      const float* x = inputs + smp * nIn;
      for (int i = 0; i < nIn; ++i) input[static_cast<size_t>(i)] = fromDouble(x[i], net_.inputType);
      forwardGraph(input, acts, gather, s);
      std::copy(acts.back().begin(), acts.back().end(), outputs + smp * nOut);
    }
    return;
  }
  for (size_t smp = 0; smp < n; ++smp) {
    const float* x = inputs + smp * nIn;
    for (int i = 0; i < nIn; ++i) s.bufA[i] = fromDouble(x[i], net_.inputType);
    Raw* cur = s.bufA.data();
    Raw* nxt = s.bufB.data();
    for (size_t k = 0; k < net_.layers.size(); ++k) {
      forwardLayer(k, cur, nxt, s);
      std::swap(cur, nxt);
    }
    std::copy(cur, cur + nOut, outputs + smp * nOut);
  }
}

void NetworkSim::run(const float* inputs, size_t n, double* outputs) const {
  const int nOut = net_.outputSize();
  const FixedType outT = net_.layers.empty() ? net_.inputType : net_.layers.back().resultType;
  std::vector<Raw> raw(static_cast<size_t>(nOut) * n);
  runRaw(inputs, n, raw.data());
  for (size_t i = 0; i < raw.size(); ++i) outputs[i] = toDouble(raw[i], outT);
}

void NetworkSim::runParallel(const float* inputs, size_t n, double* outputs, unsigned threads) const {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t chunk = (n + threads - 1) / threads;
  const size_t nIn = static_cast<size_t>(net_.inputSize()), nOut = static_cast<size_t>(net_.outputSize());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads && t * chunk < n; ++t) {
    const size_t begin = t * chunk, count = std::min(chunk, n - begin);
    pool.emplace_back([=] { run(inputs + begin * nIn, count, outputs + begin * nOut); });
  }
  for (auto& th : pool) th.join();
}

double NetworkSim::accuracy(const float* inputs, const int* labels, size_t n, unsigned threads,
                            const OutputScoring& scoring) const {
  if (n == 0) return 0.0;
  const int nOut = net_.outputSize();
  std::vector<double> out(n * static_cast<size_t>(nOut));
  runParallel(inputs, n, out.data(), threads);
  size_t correct = 0;
  for (size_t s = 0; s < n; ++s) {
    const double* row = &out[s * nOut];
    correct += scoring.correct(row, nOut, s, labels);
  }
  return static_cast<double>(correct) / n;
}

std::vector<std::vector<Raw>> NetworkSim::trace(const float* input) const {
  SimScratch s;
  std::vector<std::vector<Raw>> out;
  std::vector<Raw> cur(net_.inputSize());
  for (int i = 0; i < net_.inputSize(); ++i) cur[i] = fromDouble(input[i], net_.inputType);
  if (!chain_) {
    std::vector<Raw> gather;
    forwardGraph(cur, out, gather, s);
    return out;
  }
  for (size_t k = 0; k < net_.layers.size(); ++k) {
    std::vector<Raw> nxt(net_.layers[k].outputSize());
    forwardLayer(k, cur.data(), nxt.data(), s);
    out.push_back(nxt);
    cur = std::move(nxt);
  }
  return out;
}

}  // namespace mmlc::hls
