// Arithmetic shared by the simulation hooks of several layer kinds (runtime/hls/layers): the
// multiply-accumulate kernel, hls4ml's adder tree (nnet::reduce) and C-style divisions.
#pragma once

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "hls/LayerKinds.h"

namespace mmlc::hls {

// C-style truncating division of x by 2^f (f may be negative: exact multiplication).
WideRaw truncShift(WideRaw x, int f);
// nnet::reduce with Op_add<T>: a balanced tree whose left part is the largest power of two below
// n, every partial sum cast to t (the order matters once t saturates or rounds).
Raw reduceAdd(const Raw* x, int n, const FixedType& t);
// C-style (truncating) division, as ap_fixed / int keeps the dividend's fractional bits.
WideRaw truncDiv(WideRaw x, long long d);
// Exact sum of a (fraction fa) and b (fraction fb) cast to t.
Raw addCast(Raw a, int fa, Raw b, int fb, const FixedType& t);
// Softmax inverse table size: Hls4ml_1_1's inv_table_size; earlier templates have one table_size.
int invTableSize(const LayerDesc& l, TemplateGeneration g);
// Accumulates one matrix-vector product (x: nIn mantissas of sl.in, w: nIn x l.nOut, input-major)
// into accumulator mantissas from the biases and casts them to the result type.
void macToResult(const SimLayer& sl, const PreparedLayer& p, const Raw* x, int nIn, const Raw* w, Raw* out, SimScratch& s);
// Quantised weights and biases (in weightType, biasType and accumType) of a weighted layer.
void prepareWeights(const SimLayer& sl, PreparedLayer& p);

}  // namespace mmlc::hls

namespace mmlc::hls {

// Float reference of one matrix-vector product: out[j] = b[j] + sum_i x[i] w[i][j], recording
// max |acc| in r.accumAbs and, with r.partialSums, every partial sum's in r.peak (per output).
void macRanges(const double* x, int nIn, int nOut, const float* w, const float* b, double* out, RangeProbe& r);
// The weight, bias and accumulator typedefs of a layer with weights (Dense, Conv, DepthwiseConv).
std::string emitWeightedTypedefs(const EmitLayer& e);
// Output/input element (h, w, c) of a channels-last map of width `width` and `c` channels.
inline size_t hwcIndex(int h, int w, int width, int channels, int c) {
  return (static_cast<size_t>(h) * width + w) * channels + c;
}

}  // namespace mmlc::hls
