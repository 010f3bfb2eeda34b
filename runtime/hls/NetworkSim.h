// Bit-exact simulator of a quantised network as the emitted HLS C++ computes it (hls4ml layer
// arithmetic: products cast to the accumulator type, bias add, cast to the result type,
// table-based activations), on integer mantissas with vectorisable inner loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hls/FixedPointSim.h"
#include "hls/NetworkDesc.h"

namespace mmlc::hls {

class NetworkSim {
 public:
  // Copies and resolves the description; quantises weights and builds lookup tables.
  explicit NetworkSim(NetworkDesc net);

  const NetworkDesc& desc() const { return net_; }
  // Type of the values entering layer k (the network input type for k == 0).
  const FixedType& layerInputType(size_t k) const { return k == 0 ? net_.inputType : net_.layers[k - 1].resultType; }

  // Runs n samples (n x inputSize floats, row-major) and writes n x outputSize doubles (exact
  // values of the output mantissas).
  void run(const float* inputs, size_t n, double* outputs) const;
  // Final output mantissas (type: last layer's result type) of n samples.
  void runRaw(const float* inputs, size_t n, Raw* outputs) const;
  // run() split over `threads` threads (0: all cores); outputs are identical.
  void runParallel(const float* inputs, size_t n, double* outputs, unsigned threads = 0) const;
  // Fraction of samples whose output argmax (first maximum) equals the label.
  double accuracy(const float* inputs, const int* labels, size_t n, unsigned threads = 0) const;
  // Output mantissas of every layer for one sample: trace[k] is layer k's output.
  std::vector<std::vector<Raw>> trace(const float* input) const;

  // Quantised parameters as mantissas (weights in weightType, biases in biasType), for tests.
  const std::vector<Raw>& quantizedWeights(size_t k) const { return layers_[k].weights; }

 private:
  struct PreparedLayer {
    std::vector<Raw> weights;     // quantised weights (layout of LayerDesc::weights)
    std::vector<std::int32_t> weights32;  // the same, when products fit 32 bits (faster kernel)
    std::vector<Raw> biasAccum;   // biases cast to the accumulator type
    std::vector<Raw> biases;      // biases in biasType (batch-norm shift)
    std::vector<Raw> table;       // sigmoid/tanh table, or softmax exp table
    std::vector<Raw> table2;      // softmax inverse table
    std::vector<std::pair<int, int>> resourceOrder;  // (input, output) visit order of dense_resource
    bool fastWrap = false;        // accumulator wraps: sums can be reordered and wrapped once
  };
  struct Scratch;

  void forwardLayer(size_t k, const Raw* in, Raw* out, Scratch& s) const;
  void dense(size_t k, const Raw* in, Raw* out, Scratch& s) const;
  void conv(size_t k, const Raw* in, Raw* out, Scratch& s) const;
  void depthwiseConv(size_t k, const Raw* in, Raw* out) const;
  void pool(size_t k, const Raw* in, Raw* out, Scratch& s) const;
  void batchNorm(size_t k, const Raw* in, Raw* out) const;
  void zeroPad(size_t k, const Raw* in, Raw* out) const;
  void quantize(size_t k, const Raw* in, Raw* out) const;
  void activation(size_t k, const Raw* in, Raw* out) const;
  void softmax(size_t k, const Raw* in, Raw* out, Scratch& s) const;
  // Accumulates one matrix-vector product into accumulator mantissas and casts to the result.
  void macToResult(size_t k, const Raw* x, int nIn, const Raw* w, Raw* out, Scratch& s) const;
  size_t maxBuffer() const;

  NetworkDesc net_;
  std::vector<PreparedLayer> layers_;
};

// Index into a table of `tableSize` entries from the top log2(tableSize) bits of a mantissa of
// type t (hls4ml's softmax_idx_from_real_val), and the value that index stands for.
unsigned softmaxTableIndex(Raw raw, const FixedType& t, int tableSize);
// Type of x - max(x) in the stable softmax: the input's W and I, signed, AP_RND, AP_SAT.
FixedType softmaxDiffType(const FixedType& in);
double softmaxTableValue(unsigned index, const FixedType& t, int tableSize);

}  // namespace mmlc::hls
