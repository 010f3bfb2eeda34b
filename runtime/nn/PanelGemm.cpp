// PanelGemm.h's kernel: an 8-row x 48-column register block of C = A B, written on Lanes vectors
// so that the same code builds with or without AVX-512.
#include "nn/PanelGemm.h"

#include <algorithm>

#include "nn/Lanes.h"

namespace mmlc::nn::panel {

namespace {

// Columns of C one multiply() micro-kernel computes: three vectors, so 8 x 3 accumulators, three
// loads of B and eight broadcasts of A per 24 multiply-adds.
constexpr int kBlockVectors = 3;

long ceilDiv(long a, long b) { return (a + b - 1) / b; }

// One kPanelRows x (16 * NV) block of C = A B. When Tail, the last vector holds only `lastLanes`
// columns (masked loads and stores: nothing past the block's columns is touched). `rows` <= 8 of
// the block's rows are stored (the packed panel's missing rows are zero).
template <int NV, bool Tail>
void multiplyBlock(const float* pa, long depth, const float* b, long ldb, float* c, long ldc, int rows,
                   int lastLanes) {
  Lanes acc[kPanelRows][NV];
  auto loadB = [&](Lanes bv[NV]) {
    for (int v = 0; v < NV; ++v) {
      if (Tail && v == NV - 1)
        load(bv[v], b + kLanes * v, lastLanes);
      else
        bv[v] = loadAll(b + kLanes * v);
    }
  };
  // The first product initialises the accumulators (a * b rounds as 0 + a * b does), the others
  // are added in ascending k.
  Lanes bv[NV];
  loadB(bv);
  for (int r = 0; r < kPanelRows; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = pa[r] * bv[v];
  for (long k = 1; k < depth; ++k) {
    b += ldb;
    pa += kPanelRows;
    loadB(bv);
    for (int r = 0; r < kPanelRows; ++r) {
      const float a = pa[r];
      for (int v = 0; v < NV; ++v) acc[r][v] += a * bv[v];
    }
  }
  for (int r = 0; r < rows; ++r)
    for (int v = 0; v < NV; ++v) {
      if (Tail && v == NV - 1)
        store(c + r * ldc + kLanes * v, acc[r][v], lastLanes);
      else
        storeAll(c + r * ldc + kLanes * v, acc[r][v]);
    }
}

using BlockKernel = void (*)(const float*, long, const float*, long, float*, long, int, int);

// The kernel for a block of `vectors` vectors whose last one is `tail` (partial) or not.
BlockKernel blockKernel(int vectors, bool tail) {
  static const BlockKernel kernels[kBlockVectors][2] = {
      {multiplyBlock<1, false>, multiplyBlock<1, true>},
      {multiplyBlock<2, false>, multiplyBlock<2, true>},
      {multiplyBlock<3, false>, multiplyBlock<3, true>},
  };
  return kernels[vectors - 1][tail ? 1 : 0];
}

}  // namespace

long packedSize(long rows, long depth) { return ceilDiv(rows, kPanelRows) * kPanelRows * depth; }

void pack(const float* a, long rowStride, long depthStride, long rows, long depth, float* out) {
  for (long p = 0; p < ceilDiv(rows, kPanelRows); ++p) {
    const int valid = static_cast<int>(std::min<long>(kPanelRows, rows - p * kPanelRows));
    const float* first = a + p * kPanelRows * rowStride;
    float* panel = out + p * kPanelRows * depth;
    // Writes in order; reads 8 rows side by side (or 8 neighbours of a row when transposed).
    for (long k = 0; k < depth; ++k, panel += kPanelRows) {
      for (int i = 0; i < valid; ++i) panel[i] = first[i * rowStride + k * depthStride];
      for (int i = valid; i < kPanelRows; ++i) panel[i] = 0.0f;
    }
  }
}

void multiply(const float* packedA, long rows, long depth, const float* b, long ldb, long n, float* c, long ldc) {
  constexpr long kBlockColumns = kBlockVectors * kLanes;
  const long panels = ceilDiv(rows, kPanelRows);
  // Column blocks outside, panels inside: a block's depth x 48 floats of B stay in L1 while every
  // panel of A passes over them.
  for (long j = 0; j < n; j += kBlockColumns) {
    const long width = std::min(kBlockColumns, n - j);
    const int vectors = static_cast<int>(ceilDiv(width, kLanes));
    const int lastLanes = static_cast<int>(width - kLanes * (vectors - 1));
    const BlockKernel kernel = blockKernel(vectors, lastLanes != kLanes);
    for (long p = 0; p < panels; ++p) {
      const int r = static_cast<int>(std::min<long>(kPanelRows, rows - p * kPanelRows));
      kernel(packedA + p * kPanelRows * depth, depth, b + j, ldb, c + p * kPanelRows * ldc + j, ldc, r, lastLanes);
    }
  }
}

}  // namespace mmlc::nn::panel
