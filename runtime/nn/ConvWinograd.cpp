// Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution (ConvWinograd.h): the transform matrices of each
// tile size, the tile transforms (vectorised over the tiles of a tile row) and the transformed-domain
// GEMMs per group of samples.
#include "nn/ConvWinograd.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "nn/Lanes.h"
#include "nn/PanelGemm.h"

namespace mmlc::nn {

namespace {

// The transforms of F(M x M, 3x3) along one dimension, each applied to vectors over tiles (Vector:
// kChunk tiles of a tile row) or over channels (Lanes: the weight transforms): an input tile's (or
// transformed tile's) kAlpha = M + 2 values along a row or column, an output tile's M, a kernel's
// 3. The 2D transforms apply them along the rows, then along the columns. Every pass reads these
// six functions only, so a tile size is this struct.
template <int M>
struct Tiling;

// Lavin & Gray's F(2x2, 3x3).
template <>
struct Tiling<2> {
  static constexpr int kAlpha = 4;
  using Vector = Lanes;
  // Tiles per vector: a chunk's input columns (2n + 2) fit in two vectors, and the input gradient
  // has a lane to spare for the tile left of the chunk.
  static constexpr int kChunk = 14;
  // B^T d; rows of B^T: [1 0 -1 0], [0 1 1 0], [0 -1 1 0], [0 1 0 -1].
  template <class V>
  static void input(const V* d, V* o) {
    o[0] = d[0] - d[2];
    o[1] = d[1] + d[2];
    o[2] = d[2] - d[1];
    o[3] = d[1] - d[3];
  }
  // A^T m; rows of A^T: [1 1 1 0], [0 1 -1 -1].
  template <class V>
  static void output(const V* m, V* o) {
    o[0] = (m[0] + m[1]) + m[2];
    o[1] = (m[1] - m[2]) - m[3];
  }
  // G g; rows of G: [1 0 0], [1/2 1/2 1/2], [1/2 -1/2 1/2], [0 0 1].
  template <class V>
  static void weight(const V* g, V* o) {
    o[0] = g[0];
    o[1] = 0.5f * ((g[0] + g[1]) + g[2]);
    o[2] = 0.5f * ((g[0] - g[1]) + g[2]);
    o[3] = g[2];
  }
  // A dy (the transpose of output); rows of A: [1 0], [1 1], [1 -1], [0 -1].
  template <class V>
  static void outputGradient(const V* dy, V* o) {
    o[0] = dy[0];
    o[1] = dy[0] + dy[1];
    o[2] = dy[0] - dy[1];
    o[3] = -dy[1];
  }
  // B dv (the transpose of input); rows of B: [1 0 0 0], [0 1 -1 1], [-1 1 1 0], [0 0 0 -1].
  template <class V>
  static void inputGradient(const V* v, V* o) {
    o[0] = v[0];
    o[1] = (v[1] - v[2]) + v[3];
    o[2] = (v[1] - v[0]) + v[2];
    o[3] = -v[3];
  }
  // G^T du (the transpose of weight); rows of G^T: [1 1/2 1/2 0], [0 1/2 -1/2 0], [0 1/2 1/2 1].
  template <class V>
  static void weightGradient(const V* u, V* o) {
    o[0] = u[0] + 0.5f * (u[1] + u[2]);
    o[1] = 0.5f * (u[1] - u[2]);
    o[2] = 0.5f * (u[1] + u[2]) + u[3];
  }
};

// F(4x4, 3x3) with interpolation points 0, 1, -1, 2, -2 and infinity (Lavin & Gray's matrices),
// evaluated with shared partial sums.
template <>
struct Tiling<4> {
  static constexpr int kAlpha = 6;
  // Tiles per vector: a chunk's input columns (4n + 2) fit in two 16-float vectors, and the input
  // gradient's lane for the tile left of the chunk makes eight, so eight-float vectors do.
  using Vector = Lanes8;
  static constexpr int kChunk = 7;
  // B^T d; rows of B^T: [4 0 -5 0 1 0], [0 -4 -4 1 1 0], [0 4 -4 -1 1 0], [0 -2 -1 2 1 0],
  // [0 2 -1 -2 1 0], [0 4 0 -5 0 1].
  template <class V>
  static void input(const V* d, V* o) {
    const V a = d[4] - 4.0f * d[2], b = d[3] - 4.0f * d[1], c = d[4] - d[2], e = 2.0f * (d[3] - d[1]);
    o[0] = 4.0f * (d[0] - d[2]) + c;
    o[1] = a + b;
    o[2] = a - b;
    o[3] = c + e;
    o[4] = c - e;
    o[5] = 4.0f * (d[1] - d[3]) + (d[5] - d[3]);
  }
  // A^T m; rows of A^T: [1 1 1 1 1 0], [0 1 -1 2 -2 0], [0 1 1 4 4 0], [0 1 -1 8 -8 1].
  template <class V>
  static void output(const V* m, V* o) {
    const V s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4];
    o[0] = (m[0] + s12) + s34;
    o[1] = d12 + 2.0f * d34;
    o[2] = s12 + 4.0f * s34;
    o[3] = (d12 + 8.0f * d34) + m[5];
  }
  // G g; rows of G: [1/4 0 0], [-1/6 -1/6 -1/6], [-1/6 1/6 -1/6], [1/24 1/12 1/6],
  // [1/24 -1/12 1/6], [0 0 1].
  template <class V>
  static void weight(const V* g, V* o) {
    const V outer = (1.0f / 24) * g[0] + (1.0f / 6) * g[2], middle = (1.0f / 12) * g[1];
    o[0] = 0.25f * g[0];
    o[1] = (-1.0f / 6) * ((g[0] + g[1]) + g[2]);
    o[2] = (-1.0f / 6) * ((g[0] - g[1]) + g[2]);
    o[3] = outer + middle;
    o[4] = outer - middle;
    o[5] = g[2];
  }
  // A dy; rows of A: [1 0 0 0], [1 1 1 1], [1 -1 1 -1], [1 2 4 8], [1 -2 4 -8], [0 0 0 1].
  template <class V>
  static void outputGradient(const V* dy, V* o) {
    const V even = dy[0] + dy[2], odd = dy[1] + dy[3], even4 = dy[0] + 4.0f * dy[2],
                odd4 = 2.0f * dy[1] + 8.0f * dy[3];
    o[0] = dy[0];
    o[1] = even + odd;
    o[2] = even - odd;
    o[3] = even4 + odd4;
    o[4] = even4 - odd4;
    o[5] = dy[3];
  }
  // B dv; rows of B: [4 0 0 0 0 0], [0 -4 4 -2 2 4], [-5 -4 -4 -1 -1 0], [0 1 -1 2 -2 -5],
  // [1 1 1 1 1 0], [0 0 0 0 0 1].
  template <class V>
  static void inputGradient(const V* v, V* o) {
    const V s12 = v[1] + v[2], d21 = v[2] - v[1], s34 = v[3] + v[4], d43 = v[4] - v[3];
    o[0] = 4.0f * v[0];
    o[1] = 4.0f * (d21 + v[5]) + 2.0f * d43;
    o[2] = -((5.0f * v[0] + 4.0f * s12) + s34);
    o[3] = (-2.0f * d43 - d21) - 5.0f * v[5];
    o[4] = (v[0] + s12) + s34;
    o[5] = v[5];
  }
  // G^T du; rows of G^T: [1/4 -1/6 -1/6 1/24 1/24 0], [0 -1/6 1/6 1/12 -1/12 0],
  // [0 -1/6 -1/6 1/6 1/6 1].
  template <class V>
  static void weightGradient(const V* u, V* o) {
    const V s12 = u[1] + u[2], s34 = u[3] + u[4];
    o[0] = (0.25f * u[0] - (1.0f / 6) * s12) + (1.0f / 24) * s34;
    o[1] = (1.0f / 6) * (u[2] - u[1]) + (1.0f / 12) * (u[3] - u[4]);
    o[2] = ((1.0f / 6) * (s34 - s12)) + u[5];
  }
};

// Lanes [from, to) of d are src[-1 .. to - 2] (lane l holds src[l - 1]); the others zero. Only
// those floats are read.
template <class V>
inline void loadShifted(V& d, const float* src, int from, int to) {
  const uint32_t valid = laneRange(from, to);
#if defined(__AVX512F__) && defined(__AVX512VL__)
  if constexpr (lanesOf<V> == 8)
    d = _mm256_maskz_loadu_ps(static_cast<__mmask8>(valid), src - 1);
  else
    d = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid), src - 1);
#else
  for (int l = 0; l < lanesOf<V>; ++l) d[l] = ((valid >> l) & 1) ? src[l - 1] : 0.0f;
#endif
}

// A row of a map seen as a zero-padded plane row whose columns [first, first + count) hold
// row[0..count): out[j] gets the plane's columns start + j, start + M + j, start + 2M + j, ...
// (tile l's column j in lane l) for j < N. Lanes whose column is past start + 31 are undefined.
// Only the row's own floats are read (masked loads: nothing before or after it is touched).
template <int M, int N, class V>
inline void loadColumns(const float* row, int first, int count, int start, V* out) {
  const int at = first - start;  // lane of row[0]
  const uint32_t valid = laneRange(at, at + count);
#if defined(__AVX512F__) && defined(__AVX512VL__)
  const float* base = row - at;  // lane L reads base[L], masked to the row
  const __m512 lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid), base);
  const __m512 hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid >> 16), base + 16);
  const __m512i first32 = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                             _mm512_set1_epi32(M));
  for (int j = 0; j < N; ++j) {
    const __m512 columns = _mm512_permutex2var_ps(lo, _mm512_add_epi32(first32, _mm512_set1_epi32(j)), hi);
    if constexpr (lanesOf<V> == 8)
      out[j] = _mm512_castps512_ps256(columns);
    else
      out[j] = columns;
  }
#else
  for (int j = 0; j < N; ++j)
    for (int l = 0; l < lanesOf<V>; ++l) {
      const int lane = M * l + j;
      out[j][l] = lane < 32 && ((valid >> lane) & 1) ? row[lane - at] : 0.0f;
    }
#endif
}

// The inverse for M columns: writes v[s][l] as plane column start + M*l + s for the plane columns
// in [start + from, start + to) that hold the row (columns [first, first + count)), to < start + 32.
template <int M, class V>
inline void storeColumns(float* row, int first, int count, int start, const V* v, int from, int to) {
  const int at = first - start;
  const uint32_t valid = laneRange(at, at + count) & laneRange(from, to);
#if defined(__AVX512F__) && defined(__AVX512VL__)
  __m512 lo, hi;
  if constexpr (M == 2) {
    static_assert(lanesOf<V> == 16, "F(2x2) tile rows are 16-lane vectors");
    lo = _mm512_permutex2var_ps(v[0], _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), v[1]);
    hi = _mm512_permutex2var_ps(v[0], _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31),
                                v[1]);
  } else {
    static_assert(M == 4 && lanesOf<V> == 8, "F(4x4) tile rows are 8-lane vectors");
    // v[0] and v[1] side by side, and v[2] and v[3]: column s of tile l is then lane 8s + l of
    // the first (s < 2) or lane 8(s - 2) + l of the second.
    auto pair = [](const V& a, const V& b) {
      return _mm512_castpd_ps(
          _mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(a)), _mm256_castps_pd(b), 1));
    };
    const __m512 v01 = pair(v[0], v[1]), v23 = pair(v[2], v[3]);
    lo = _mm512_permutex2var_ps(v01, _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27), v23);
    hi = _mm512_permutex2var_ps(v01, _mm512_setr_epi32(4, 12, 20, 28, 5, 13, 21, 29, 6, 14, 22, 30, 7, 15, 23, 31), v23);
  }
  float* base = row - at;
  _mm512_mask_storeu_ps(base, static_cast<__mmask16>(valid), lo);
  _mm512_mask_storeu_ps(base + 16, static_cast<__mmask16>(valid >> 16), hi);
#else
  for (int k = 0; k < 32; ++k)
    if ((valid >> k) & 1) row[k - at] = v[k % M][k / M];
#endif
}

// v shifted down by one lane: result[l] = v[l + 1] (the last lane zero).
template <class V>
inline V nextLane(const V& v) {
#if defined(__AVX512F__) && defined(__AVX512VL__)
  if constexpr (lanesOf<V> == 8)
    return _mm256_castsi256_ps(_mm256_maskz_alignr_epi32(0x7f, _mm256_setzero_si256(), _mm256_castps_si256(v), 1));
  else
    return _mm512_castsi512_ps(
        _mm512_maskz_alignr_epi32(0x7fff, _mm512_setzero_si512(), _mm512_castps_si512(v), 1));
#else
  V r;
  for (int l = 0; l < lanesOf<V>; ++l) r[l] = l + 1 < lanesOf<V> ? v[l + 1] : 0.0f;
  return r;
#endif
}

// Per-thread buffers: the transformed input and the GEMM results of a group. Eigen
// allocations, so every thread's buffers have the same alignment (as ConvLayer's scratch).
struct WinogradScratch {
  Matrix v, m, dv;
};

WinogradScratch& threadScratch() {
  thread_local WinogradScratch s;
  return s;
}

float* grow(Matrix& buffer, long size) {
  if (buffer.size() < size) buffer.resize(1, size);
  return buffer.data();
}

// Below this many filter-channel pairs the weight transforms are not worth a parallel region.
constexpr long kParallelWeights = 2048;

long roundUp(long v, long m) { return (v + m - 1) / m * m; }

// A (rows x cols) block of a transformed-domain buffer whose rows are `ld` floats apart.
using StridedMap = Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstStridedMap = Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;

}  // namespace

bool WinogradConv::suits(const ConvGeometry& g, int filters, int channelGroups) {
  return g.kH == 3 && g.kW == 3 && g.sH == 1 && g.sW == 1 && channelGroups == 1 && g.channels >= kMinChannels &&
         filters >= kMinChannels && g.outH >= 2 && g.outW >= 2;
}

int WinogradConv::tileSizeFor(const ConvGeometry& g) {
  auto multiplies = [&](long m) { return (g.outH + m - 1) / m * ((g.outW + m - 1) / m) * (m + 2) * (m + 2); };
  return multiplies(4) < multiplies(2) ? 4 : 2;
}

WinogradConv::WinogradConv(const ConvGeometry& g, int filters, int tile) : g_(g), filters_(filters), tile_(tile) {
  if (tile != 2 && tile != 4) throw std::invalid_argument("Winograd output tiles are 2x2 or 4x4");
  tilesH_ = (g.outH + tile - 1) / tile;
  tilesW_ = (g.outW + tile - 1) / tile;
}

// U = G g G^T per filter and channel, stored [xi][filter][channel] (kAlpha^2 blocks of F x C).
template <int M>
void WinogradConv::transformWeights(const Matrix& weight, std::vector<float>& u) const {
  using T = Tiling<M>;
  constexpr int A = T::kAlpha;
  const long F = filters_, C = g_.channels;
  u.resize(static_cast<size_t>(A * A * F * C));
  // 16 channels of a filter at a time: their 3x3 kernels (144 contiguous floats) regrouped into
  // one vector per kernel position, transformed as vectors and stored as 16 contiguous floats per
  // position. Filters are independent (each computed whole by one thread): any thread count gives
  // the same.
#pragma omp parallel for schedule(static) if (F * C >= kParallelWeights)
  for (long f = 0; f < F; ++f)
    for (long c0 = 0; c0 < C; c0 += kLanes) {
      const int n = static_cast<int>(std::min<long>(kLanes, C - c0));
      const float* w = weight.row(f).data() + c0 * 9;
      Lanes k[9] = {}, rows[A][3], t[A];
      for (int l = 0; l < n; ++l)
        for (int p = 0; p < 9; ++p) k[p][l] = w[9 * l + p];
      for (int j = 0; j < 3; ++j) {
        const Lanes column[3] = {k[j], k[3 + j], k[6 + j]};
        T::weight(column, t);
        for (int i = 0; i < A; ++i) rows[i][j] = t[i];
      }
      for (int i = 0; i < A; ++i) {
        T::weight(rows[i], t);
        for (int j = 0; j < A; ++j) store(u.data() + ((A * i + j) * F + f) * C + c0, t[j], n);
      }
    }
}

// The transforms work on one tile row at a time, up to kChunk tiles per chunk (tc0), in vectors
// over the tiles. A tile row's input tiles start every M columns of the zero-padded input plane,
// so column j of its tiles is the plane's columns j, M + j, 2M + j, ... (loadColumns). A
// transformed tile row is one run of floats in each of the kAlpha^2 position rows of the
// transformed-domain buffer (columns s*T + th*tilesW + tw). A buffer's rows are ordered by
// channel (or filter) k, then position xi (Layout), so the rows a tile's transform reads or
// writes are neighbours in memory; the GEMM of position xi reads one row per channel, rowStride
// apart.

// V = B^T d B per tile and channel. d B first, per plane row: neighbouring tile rows share two
// plane rows (tile row th reads plane rows M th .. M th + M + 1), so each plane row is loaded and
// transformed once, the lower two carried to the next tile row.
template <int M>
void WinogradConv::transformInput(const float* x, float* v, const Layout& l, long col0) const {
  using T = Tiling<M>;
  using V = typename T::Vector;
  constexpr int A = T::kAlpha;
  // Copies: the masked stores may alias anything, so members read through `l` would be loaded again.
  const long ld = l.ld, rowStride = l.rowStride;
  const long C = g_.channels;
  const int TW = tilesW_;
  const V zero = {};
  V h[A][A];  // h[k][j]: column j of (d B) for plane row M th + k of the current tile row
  // Plane row `row` (input row row - pH) times B, into out.
  auto rowTimesB = [&](const float* xc, int row, int tc0, V* out) {
    const int r = row - g_.pH;
    if (r < 0 || r >= g_.inH) {
      for (int j = 0; j < A; ++j) out[j] = zero;
      return;
    }
    V columns[A];
    loadColumns<M, A>(xc + static_cast<long>(r) * g_.inW, g_.pW, g_.inW, M * tc0, columns);
    T::input(columns, out);
  };
  for (long c = 0; c < C; ++c) {
    const float* xc = x + c * g_.inSpatial();
    for (int tc0 = 0; tc0 < TW; tc0 += T::kChunk) {
      const int n = std::min(T::kChunk, TW - tc0);
      rowTimesB(xc, 0, tc0, h[M]);
      rowTimesB(xc, 1, tc0, h[M + 1]);
      for (int th = 0; th < tilesH_; ++th) {
        for (int j = 0; j < A; ++j) {
          h[0][j] = h[M][j];
          h[1][j] = h[M + 1][j];
        }
        for (int k = 2; k < A; ++k) rowTimesB(xc, M * th + k, tc0, h[k]);
        float* dst = v + c * rowStride + col0 + static_cast<long>(th) * TW + tc0;
        for (int j = 0; j < A; ++j) {
          V column[A], out[A];
          for (int k = 0; k < A; ++k) column[k] = h[k][j];
          T::input(column, out);
          for (int i = 0; i < A; ++i) store(dst + (A * i + j) * ld, out[i], n);
        }
      }
    }
  }
}

// Y = A^T M A per tile and filter, plus the bias. A tile's M output columns are interleaved into
// the output row; rows and columns past the map are not written.
template <int M>
void WinogradConv::inverseOutput(const float* m, const Layout& l, long col0, const float* bias, float* y) const {
  using T = Tiling<M>;
  using V = typename T::Vector;
  constexpr int A = T::kAlpha;
  // Copies: the masked stores may alias anything, so members read through `l` would be loaded again.
  const long ld = l.ld, rowStride = l.rowStride;
  const long F = filters_;
  const int TW = tilesW_;
  V column[A], a[M][A], out[M];
  for (long f = 0; f < F; ++f) {
    float* yf = y + f * g_.outSpatial();
    const float b = bias ? bias[f] : 0.0f;
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += T::kChunk) {
        const int n = std::min(T::kChunk, TW - tc0);
        const float* src = m + f * rowStride + col0 + static_cast<long>(th) * TW + tc0;
        for (int j = 0; j < A; ++j) {  // A^T over the rows of each column j
          for (int k = 0; k < A; ++k) load(column[k], src + (A * k + j) * ld, n);
          T::output(column, out);
          for (int i = 0; i < M; ++i) a[i][j] = out[i];
        }
        for (int i = 0; i < M && M * th + i < g_.outH; ++i) {  // then over the columns of each row
          T::output(a[i], out);
          for (int s = 0; s < M; ++s) out[s] += b;
          storeColumns<M>(yf + static_cast<long>(M * th + i) * g_.outW, 0, g_.outW, M * tc0, out, 0, M * n);
        }
      }
  }
}

// dM = A dY A^T per tile and filter (the transpose of inverseOutput). dY is zero past the map.
template <int M>
void WinogradConv::transformOutputGradient(const float* dy, float* dm, const Layout& l, long col0,
                                           float* biasGradient) const {
  using T = Tiling<M>;
  using V = typename T::Vector;
  constexpr int A = T::kAlpha;
  // Copies: the masked stores may alias anything, so members read through `l` would be loaded again.
  const long ld = l.ld, rowStride = l.rowStride;
  const long F = filters_;
  const int TW = tilesW_;
  V e[M][M], column[M], t[A][M], out[A];
  const V zero = {};
  for (long f = 0; f < F; ++f) {
    const float* dyf = dy + f * g_.outSpatial();
    V sum = zero;  // of dY over the map, for the bias gradient
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += T::kChunk) {
        const int n = std::min(T::kChunk, TW - tc0);
        for (int k = 0; k < M; ++k) {  // e[k][s]: column s of the tiles' output row k
          if (M * th + k >= g_.outH) {
            for (int s = 0; s < M; ++s) e[k][s] = zero;
            continue;
          }
          loadColumns<M, M>(dyf + static_cast<long>(M * th + k) * g_.outW, 0, g_.outW, M * tc0, e[k]);
        }
        for (int s = 0; s < M; ++s) {  // A over the rows of each column s
          for (int k = 0; k < M; ++k) column[k] = e[k][s];
          T::outputGradient(column, out);
          for (int i = 0; i < A; ++i) t[i][s] = out[i];
        }
        float* dst = dm + f * rowStride + col0 + static_cast<long>(th) * TW + tc0;
        for (int i = 0; i < A; ++i) {  // then over the columns of each row i
          T::outputGradient(t[i], out);
          // Row 1 of A is all ones: position (1, 1) is the sum of the tile's dY.
          if (i == 1) sum += firstLanes(out[1], n);
          for (int j = 0; j < A; ++j) store(dst + (A * i + j) * ld, out[j], n);
        }
      }
    if (biasGradient) biasGradient[f] += sumOfLanes(sum);
  }
}

// dD = B dV B^T per tile and channel. Neighbouring tiles overlap by two rows and columns, so each
// input position gathers from up to four tiles: plane column M q + s takes tile q's column s and,
// for s < 2, tile q - 1's column s + M; plane row M p + r likewise from tile rows p and p - 1. A
// chunk's lane 0 is the tile left of it (tc0 - 1), so its columns are complete without the
// neighbouring chunks; tile rows run in order with the previous row's lower two rows carried.
// Every input position is written once.
template <int M>
void WinogradConv::inverseInputGradient(const float* dv, const Layout& l, long col0, float* dx) const {
  using T = Tiling<M>;
  using V = typename T::Vector;
  constexpr int A = T::kAlpha;
  // Copies: the masked stores may alias anything, so members read through `l` would be loaded again.
  const long ld = l.ld, rowStride = l.rowStride;
  const long C = g_.channels;
  const int TW = tilesW_;
  V column[A], out[A], r[A][A], cur[A][M], carry[2][M], row[M];
  const V zero = {};
  for (long c = 0; c < C; ++c) {
    float* dxc = dx + c * g_.inSpatial();
    for (int tc0 = 0; tc0 < TW; tc0 += T::kChunk) {
      const int n = std::min(T::kChunk, TW - tc0);
      const bool last = tc0 + n == TW;
      for (auto& k : carry)
        for (V& s : k) s = zero;
      for (int th = 0; th <= tilesH_; ++th) {  // tile row tilesH_ does not exist: its rows are zero
        if (th < tilesH_) {
          // Lanes 0..n: tiles tc0 - 1 .. tc0 + n - 1 (lane 0 zero in the first chunk).
          const float* src = dv + c * rowStride + col0 + static_cast<long>(th) * TW + tc0;
          for (int j = 0; j < A; ++j) {  // B over the rows of each column j
            for (int k = 0; k < A; ++k) loadShifted(column[k], src + (A * k + j) * ld, tc0 == 0 ? 1 : 0, n + 1);
            T::inputGradient(column, out);
            for (int i = 0; i < A; ++i) r[i][j] = out[i];
          }
          for (int i = 0; i < A; ++i) {  // then over the columns, gathered per plane column
            T::inputGradient(r[i], out);
            // Lane l: plane column M (tc0 + l) + s, from tile tc0 + l (lane l + 1) and, for s < 2,
            // tile tc0 + l - 1 (lane l).
            for (int s = 0; s < M; ++s) cur[i][s] = s + M < A ? nextLane(out[s]) + out[s + M] : nextLane(out[s]);
          }
        } else {
          for (auto& k : cur)
            for (V& s : k) s = zero;
        }
        for (int k = 0; k < M; ++k) {  // plane rows M th + k are complete
          const int h = M * th + k - g_.pH;
          for (int s = 0; s < M; ++s) row[s] = cur[k][s];
          if (k < 2)
            for (int s = 0; s < M; ++s) {
              row[s] += carry[k][s];
              carry[k][s] = cur[k + M][s];
            }
          if (h < 0 || h >= g_.inH) continue;
          storeColumns<M>(dxc + static_cast<long>(h) * g_.inW, g_.pW, g_.inW, M * tc0, row, 0, M * n + (last ? 2 : 0));
        }
      }
    }
  }
}

WinogradConv::Layout::Layout(long columns, int positions)
    : ld(roundUp(columns, kLanes)), rowStride(positions * ld + kLanes) {}

void WinogradConv::packTransformedWeights(bool transposed) {
  const long F = filters_, C = g_.channels;
  const long rows = transposed ? C : F, depth = transposed ? F : C, block = panel::packedSize(rows, depth);
  const int P = positions();
  std::vector<float>& out = transposed ? packedUt_ : packedU_;
  out.resize(static_cast<size_t>(P * block));
#pragma omp parallel for schedule(static) if (F * C >= kParallelWeights)
  for (int xi = 0; xi < P; ++xi)
    panel::pack(u_.data() + xi * F * C, transposed ? 1 : C, transposed ? C : 1, rows, depth, out.data() + xi * block);
}

void WinogradConv::forward(const Matrix& x, const Matrix& weight, const Matrix& bias, Matrix& y) {
  if (tile_ == 4)
    forwardTiled<4>(x, weight, bias, y);
  else
    forwardTiled<2>(x, weight, bias, y);
}

void WinogradConv::backward(const Matrix& x, const Matrix& weight, const Matrix& dy, Matrix& wGrad, Matrix* bGrad,
                            Matrix* dx) {
  if (tile_ == 4)
    backwardTiled<4>(x, weight, dy, wGrad, bGrad, dx);
  else
    backwardTiled<2>(x, weight, dy, wGrad, bGrad, dx);
}

template <int M>
void WinogradConv::forwardTiled(const Matrix& x, const Matrix& weight, const Matrix& bias, Matrix& y) {
  constexpr int P = Tiling<M>::kAlpha * Tiling<M>::kAlpha;
  const long B = x.rows(), F = filters_, C = g_.channels, T = static_cast<long>(tilesH_) * tilesW_;
  const SampleGroups groups = this->groups(B);
  const Layout l(groups.largest() * T, P);
  transformWeights<M>(weight, u_);
  packTransformedWeights(false);
  packedUt_.clear();  // packed again from these weights if a backward pass needs it
  const long block = panel::packedSize(F, C);
  y.resize(B, F * g_.outSpatial());
  const float* b = bias.size() == F ? bias.data() : nullptr;
#pragma omp parallel if (groups.count > 1)
  {
    WinogradScratch& s = threadScratch();
    float* v = grow(s.v, C * l.rowStride);
    float* m = grow(s.m, F * l.rowStride);
#pragma omp for schedule(dynamic, 1)
    for (long gi = 0; gi < groups.count; ++gi) {
      const long first = groups.first(gi), n = groups.size(gi), width = n * T;
      for (long s = 0; s < n; ++s) transformInput<M>(x.row(first + s).data(), v, l, s * T);
      for (int xi = 0; xi < P; ++xi)
        panel::multiply(packedU_.data() + xi * block, F, C, v + xi * l.ld, l.rowStride, width, m + xi * l.ld,
                        l.rowStride);
      for (long s = 0; s < n; ++s) inverseOutput<M>(m, l, s * T, b, y.row(first + s).data());
    }
  }
}

template <int M>
void WinogradConv::backwardTiled(const Matrix& x, const Matrix& weight, const Matrix& dy, Matrix& wGrad, Matrix* bGrad,
                                 Matrix* dx) {
  constexpr int P = Tiling<M>::kAlpha * Tiling<M>::kAlpha;
  const long B = x.rows(), F = filters_, C = g_.channels, T = static_cast<long>(tilesH_) * tilesW_;
  const SampleGroups groups = this->groups(B);
  const Layout l(groups.largest() * T, P);
  // The input gradient is that of the last forward pass, so it uses that pass's transformed
  // weights (computed again only if there was none of this shape), transposed.
  const long blockT = panel::packedSize(C, F);
  if (dx) {
    if (u_.size() != static_cast<size_t>(P * F * C)) {
      transformWeights<M>(weight, u_);
      packedUt_.clear();
    }
    if (packedUt_.size() != static_cast<size_t>(P * blockT)) packTransformedWeights(true);
    dx->resize(B, x.cols());
  }
  // Each group's transformed weight gradient (F x P*C: a filter's P positions are neighbours for
  // the transform back) and bias gradient, summed in group order afterwards: bit-identical for any
  // thread count. The buffers are kept between calls (megabytes for wide layers: fresh pages on
  // every call otherwise).
  std::vector<Matrix>& du = groupWeightGradients_;
  if (static_cast<long>(du.size()) < groups.count) du.resize(static_cast<size_t>(groups.count));
  std::vector<Vector> db(static_cast<size_t>(groups.count));
#pragma omp parallel if (groups.count > 1)
  {
    WinogradScratch& s = threadScratch();
    float* v = grow(s.v, C * l.rowStride);
    float* dm = grow(s.m, F * l.rowStride);
    float* dv = dx ? grow(s.dv, C * l.rowStride) : nullptr;
#pragma omp for schedule(dynamic, 1)
    for (long gi = 0; gi < groups.count; ++gi) {
      const long first = groups.first(gi), n = groups.size(gi), width = n * T;
      Matrix& dug = du[static_cast<size_t>(gi)];
      dug.resize(F, P * C);  // row f: the P positions' C gradients side by side
      if (bGrad) db[static_cast<size_t>(gi)] = Vector::Zero(F);
      for (long s = 0; s < n; ++s) {
        transformInput<M>(x.row(first + s).data(), v, l, s * T);
        transformOutputGradient<M>(dy.row(first + s).data(), dm, l, s * T,
                                   bGrad ? db[static_cast<size_t>(gi)].data() : nullptr);
      }
      for (int xi = 0; xi < P; ++xi) {
        const ConstStridedMap dmxi(dm + xi * l.ld, F, width, Eigen::OuterStride<>(l.rowStride));
        StridedMap(dug.data() + xi * C, F, C, Eigen::OuterStride<>(P * C)).noalias() =
            dmxi * ConstStridedMap(v + xi * l.ld, C, width, Eigen::OuterStride<>(l.rowStride)).transpose();
        if (dx)
          panel::multiply(packedUt_.data() + xi * blockT, C, F, dm + xi * l.ld, l.rowStride, width, dv + xi * l.ld,
                          l.rowStride);
      }
      if (dx)
        for (long s = 0; s < n; ++s) inverseInputGradient<M>(dv, l, s * T, dx->row(first + s).data());
    }
  }
  if (bGrad)
    for (const Vector& d : db) *bGrad += d;
  addWeightGradient<M>(du, groups.count, wGrad);
}

// dW += G^T dU G per filter and channel, 16 channels at a time (dU's rows run over channels), dU
// being the sum of the groups' gradients in group order (summed here, not in a pass of its own).
template <int M>
void WinogradConv::addWeightGradient(const std::vector<Matrix>& du, long groups, Matrix& wGrad) const {
  using T = Tiling<M>;
  constexpr int A = T::kAlpha, P = A * A;
  const long F = filters_, C = g_.channels;
  // Filters are independent (each computed whole by one thread): any thread count gives the same.
#pragma omp parallel for schedule(static) if (F * C >= kParallelWeights)
  for (long f = 0; f < F; ++f)
    for (long c0 = 0; c0 < C; c0 += kLanes) {
      Lanes in[P], column[A], rows[3][A], t[3];
      const int n = static_cast<int>(std::min<long>(kLanes, C - c0));
      for (int xi = 0; xi < P; ++xi) {
        load(in[xi], &du[0](f, xi * C + c0), n);
        for (long gi = 1; gi < groups; ++gi) {
          Lanes more;
          load(more, &du[static_cast<size_t>(gi)](f, xi * C + c0), n);
          in[xi] += more;
        }
      }
      for (int j = 0; j < A; ++j) {
        for (int k = 0; k < A; ++k) column[k] = in[A * k + j];
        T::weightGradient(column, t);
        for (int i = 0; i < 3; ++i) rows[i][j] = t[i];
      }
      float* w = wGrad.row(f).data() + c0 * 9;
      for (int i = 0; i < 3; ++i) {
        T::weightGradient(rows[i], t);
        for (int l = 0; l < n; ++l)
          for (int j = 0; j < 3; ++j) w[9 * l + 3 * i + j] += t[j][l];
      }
    }
}

}  // namespace mmlc::nn
