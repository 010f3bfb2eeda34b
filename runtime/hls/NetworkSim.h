// Bit-exact simulator of a quantised network as the emitted HLS C++ computes it (hls4ml layer
// arithmetic: products cast to the accumulator type, bias add, cast to the result type,
// table-based activations), on integer mantissas with vectorisable inner loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hls/FixedPointSim.h"
#include "hls/LayerKinds.h"
#include "hls/NetworkDesc.h"
#include "hls/OutputScoring.h"

namespace mmlc::hls {

class NetworkSim {
 public:
  // Copies and resolves the description; quantises weights and builds lookup tables.
  explicit NetworkSim(NetworkDesc net);

  const NetworkDesc& desc() const { return net_; }
  // Type of the values entering layer k (the network input type for k == 0).
  // (Graphs: of its first input; NetworkDesc::inputTypeOf names each.)
  const FixedType& layerInputType(size_t k) const { return net_.inputTypeOf(k); }

  // Runs n samples (n x inputSize floats, row-major) and writes n x outputSize doubles (exact
  // values of the output mantissas).
  void run(const float* inputs, size_t n, double* outputs) const;
  // Final output mantissas (type: last layer's result type) of n samples.
  void runRaw(const float* inputs, size_t n, Raw* outputs) const;
  // run() split over `threads` threads (0: all cores); outputs are identical.
  void runParallel(const float* inputs, size_t n, double* outputs, unsigned threads = 0) const;
  // Fraction of samples whose outputs are right by `scoring` (default: the argmax, first
  // maximum, equals the label).
  double accuracy(const float* inputs, const int* labels, size_t n, unsigned threads = 0,
                  const OutputScoring& scoring = {}) const;
  // Output mantissas of every layer for one sample: trace[k] is layer k's output.
  std::vector<std::vector<Raw>> trace(const float* input) const;

  // Quantised parameters as mantissas (weights in weightType, biases in biasType), for tests.
  const std::vector<Raw>& quantizedWeights(size_t k) const { return layers_[k].weights; }

 private:
  void forwardLayer(size_t k, const Raw* in, Raw* out, SimScratch& s) const;
  size_t maxBuffer() const;
  // Graphs: every layer's output of one sample into acts[k] (input: the quantised sample).
  void forwardGraph(const std::vector<Raw>& input, std::vector<std::vector<Raw>>& acts, std::vector<Raw>& gather,
                    SimScratch& s) const;

  NetworkDesc net_;
  std::vector<PreparedLayer> layers_;
  std::vector<const LayerKindInfo*> kinds_;
  bool chain_ = true;
};

// Index into a table of `tableSize` entries from the top log2(tableSize) bits of a mantissa of
// type t (hls4ml's softmax_idx_from_real_val), and the value that index stands for.
unsigned softmaxTableIndex(Raw raw, const FixedType& t, int tableSize);
// Type of x - max(x) in the stable softmax: the input's W and I, signed, AP_RND, AP_SAT.
FixedType softmaxDiffType(const FixedType& in);
double softmaxTableValue(unsigned index, const FixedType& t, int tableSize);

}  // namespace mmlc::hls
