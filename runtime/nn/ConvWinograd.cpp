// Winograd F(2x2, 3x3) convolution (ConvWinograd.h): the tile transforms, vectorised over up to 14
// tiles of a tile row, and the 16 transformed-domain GEMMs per group of samples.
#include "nn/ConvWinograd.h"

#include <algorithm>
#include <cstdint>

#include "nn/Lanes.h"
#include "nn/PanelGemm.h"

namespace mmlc::nn {

namespace {

constexpr int kPositions = 16;  // transformed positions of a 4x4 tile (xi = 4 * row + column)
// Tiles transformed together (one per lane of a Lanes vector): at most 14 per tile row, so that a
// chunk's input columns (2n + 2) fit in two vectors and the input gradient has a lane to spare on
// each side (see below).
constexpr int kChunk = 14;

// Lanes [from, to) of d are src[-1 .. to - 2] (lane l holds src[l - 1]); the others zero. Only
// those floats are read.
inline void loadShifted(Lanes& d, const float* src, int from, int to) {
  const uint32_t valid = laneRange(from, to);
#if defined(__AVX512F__)
  d = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid), src - 1);
#else
  for (int l = 0; l < kLanes; ++l) d[l] = ((valid >> l) & 1) ? src[l - 1] : 0.0f;
#endif
}

// A row of a map seen as a zero-padded plane row whose columns [first, first + count) hold
// row[0..count): returns the plane's columns start, start + 2, ... (even), start + 1, start + 3,
// ... (odd), and, when wanted, the same shifted by two columns (lane 15 of those undefined).
// Only the row's own floats are read (masked loads: nothing before or after it is touched).
inline void loadColumns(const float* row, int first, int count, int start, Lanes& even, Lanes& odd, Lanes* even2 = nullptr,
                        Lanes* odd2 = nullptr) {
  const int at = first - start;  // lane of row[0]
  const uint32_t valid = laneRange(at, at + count);
#if defined(__AVX512F__)
  const float* base = row - at;  // lane L reads base[L], masked to the row
  const __m512 lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid), base);
  const __m512 hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid >> 16), base + 16);
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odds = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  even = _mm512_permutex2var_ps(lo, evens, hi);
  odd = _mm512_permutex2var_ps(lo, odds, hi);
  if (even2) {
    const __m512i two = _mm512_set1_epi32(2);
    *even2 = _mm512_permutex2var_ps(lo, _mm512_add_epi32(evens, two), hi);
    *odd2 = _mm512_permutex2var_ps(lo, _mm512_add_epi32(odds, two), hi);
  }
#else
  auto at32 = [&](int lane) { return lane < 32 && ((valid >> lane) & 1) ? row[lane - at] : 0.0f; };
  for (int l = 0; l < kLanes; ++l) {
    even[l] = at32(2 * l);
    odd[l] = at32(2 * l + 1);
    if (even2) {
      (*even2)[l] = at32(2 * l + 2);
      (*odd2)[l] = at32(2 * l + 3);
    }
  }
#endif
}

// The inverse: writes even[l], odd[l] as plane columns start + 2l, start + 2l + 1 for the plane
// columns in [start + from, start + to) that hold the row (columns [first, first + count)).
inline void storeColumns(float* row, int first, int count, int start, const Lanes& even, const Lanes& odd, int from,
                         int to) {
  const int at = first - start;
  const uint32_t valid = laneRange(at, at + count) & laneRange(from, to);
#if defined(__AVX512F__)
  const __m512i lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i hi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  float* base = row - at;
  _mm512_mask_storeu_ps(base, static_cast<__mmask16>(valid), _mm512_permutex2var_ps(even, lo, odd));
  _mm512_mask_storeu_ps(base + 16, static_cast<__mmask16>(valid >> 16), _mm512_permutex2var_ps(even, hi, odd));
#else
  for (int k = 0; k < 32; ++k)
    if ((valid >> k) & 1) row[k - at] = k % 2 ? odd[k / 2] : even[k / 2];
#endif
}

// v shifted down by one lane added to w: result[l] = v[l + 1] + w[l] (v[16] taken as zero).
inline void addNextLane(const Lanes& v, const Lanes& w, Lanes& result) {
#if defined(__AVX512F__)
  result = _mm512_castsi512_ps(_mm512_maskz_alignr_epi32(0x7fff, _mm512_setzero_si512(), _mm512_castps_si512(v), 1)) + w;
#else
  for (int l = 0; l < kLanes; ++l) result[l] = (l + 1 < kLanes ? v[l + 1] : 0.0f) + w[l];
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

WinogradConv::WinogradConv(const ConvGeometry& g, int filters) : g_(g), filters_(filters) {
  tilesH_ = (g.outH + 1) / 2;
  tilesW_ = (g.outW + 1) / 2;
}

// U = G g G^T per filter and channel, stored [xi][filter][channel] (16 blocks of F x C).
// Rows of G: [1 0 0], [1/2 1/2 1/2], [1/2 -1/2 1/2], [0 0 1].
void WinogradConv::transformWeights(const Matrix& weight, std::vector<float>& u) const {
  const long F = filters_, C = g_.channels;
  u.resize(static_cast<size_t>(kPositions * F * C));
  auto g4 = [](const Lanes& a, const Lanes& b, const Lanes& c, Lanes out[4]) {
    out[0] = a;
    out[1] = 0.5f * ((a + b) + c);
    out[2] = 0.5f * ((a - b) + c);
    out[3] = c;
  };
  // 16 channels of a filter at a time: their 3x3 kernels (144 contiguous floats) regrouped into
  // one vector per kernel position, transformed as vectors and stored as 16 contiguous floats per
  // position. Filters are independent (each computed whole by one thread): any thread count gives
  // the same.
#pragma omp parallel for schedule(static) if (F * C >= kParallelWeights)
  for (long f = 0; f < F; ++f)
    for (long c0 = 0; c0 < C; c0 += kLanes) {
      const int n = static_cast<int>(std::min<long>(kLanes, C - c0));
      const float* w = weight.row(f).data() + c0 * 9;
      Lanes k[9] = {}, rows[4][3], t[4];
      for (int l = 0; l < n; ++l)
        for (int p = 0; p < 9; ++p) k[p][l] = w[9 * l + p];
      for (int j = 0; j < 3; ++j) {
        g4(k[j], k[3 + j], k[6 + j], t);
        for (int i = 0; i < 4; ++i) rows[i][j] = t[i];
      }
      for (int i = 0; i < 4; ++i) {
        g4(rows[i][0], rows[i][1], rows[i][2], t);
        for (int j = 0; j < 4; ++j) store(u.data() + ((4 * i + j) * F + f) * C + c0, t[j], n);
      }
    }
}

// The transforms work on one tile row at a time, up to kChunk tiles per chunk (tc0), in vectors
// over the tiles. A tile row's 4x4 tiles start at even columns 2tw of the zero-padded input plane,
// so their columns j = 0..3 are the plane's even columns at tw, odd at tw, even at tw + 1 and
// odd at tw + 1 (loadColumns). A transformed tile row is one run of floats in each of the 16
// position rows of the transformed-domain buffer (columns s*T + th*tilesW + tw). A buffer's rows
// are ordered by channel (or filter) k, then position xi (Layout), so the 16 rows a tile's
// transform reads or writes are neighbours in memory; the GEMM of position xi reads one row per
// channel, rowStride apart.

// V = B^T d B per tile and channel; rows of B^T: [1 0 -1 0], [0 1 1 0], [0 -1 1 0], [0 1 0 -1].
// d B first, per plane row: neighbouring tile rows share two plane rows (tile row th reads plane
// rows 2th .. 2th + 3), so each plane row is loaded and transformed once, the lower two carried
// to the next tile row.
void WinogradConv::transformInput(const float* x, float* v, const Layout& l, long col0) const {
  const long C = g_.channels;
  const int TW = tilesW_;
  const Lanes zero = {};
  Lanes h[4][4];  // h[k][j]: column j of (d B) for plane row 2th + k of the current tile row
  // Plane row `row` (input row row - pH) times B, into h[k].
  auto rowTimesB = [&](const float* xc, int row, int tc0, Lanes out[4]) {
    const int r = row - g_.pH;
    if (r < 0 || r >= g_.inH) {
      out[0] = out[1] = out[2] = out[3] = zero;
      return;
    }
    Lanes e, o, e2, o2;
    loadColumns(xc + static_cast<long>(r) * g_.inW, g_.pW, g_.inW, 2 * tc0, e, o, &e2, &o2);
    out[0] = e - e2;
    out[1] = o + e2;
    out[2] = e2 - o;
    out[3] = o - o2;
  };
  for (long c = 0; c < C; ++c) {
    const float* xc = x + c * g_.inSpatial();
    for (int tc0 = 0; tc0 < TW; tc0 += kChunk) {
      const int n = std::min(kChunk, TW - tc0);
      rowTimesB(xc, 0, tc0, h[2]);
      rowTimesB(xc, 1, tc0, h[3]);
      for (int th = 0; th < tilesH_; ++th) {
        for (int j = 0; j < 4; ++j) {
          h[0][j] = h[2][j];
          h[1][j] = h[3][j];
        }
        rowTimesB(xc, 2 * th + 2, tc0, h[2]);
        rowTimesB(xc, 2 * th + 3, tc0, h[3]);
        float* dst = v + c * l.rowStride + col0 + static_cast<long>(th) * TW + tc0;
        for (int j = 0; j < 4; ++j) {
          const Lanes &d0 = h[0][j], &d1 = h[1][j], &d2 = h[2][j], &d3 = h[3][j];
          store(dst + (0 + j) * l.ld, d0 - d2, n);
          store(dst + (4 + j) * l.ld, d1 + d2, n);
          store(dst + (8 + j) * l.ld, d2 - d1, n);
          store(dst + (12 + j) * l.ld, d1 - d3, n);
        }
      }
    }
  }
}

// Y = A^T M A per tile and filter, plus the bias; rows of A^T: [1 1 1 0], [0 1 -1 -1]. A tile's
// two output columns are interleaved into the output row; rows and columns past the map (odd
// sizes) are not written.
void WinogradConv::inverseOutput(const float* m, const Layout& l, long col0, const float* bias, float* y) const {
  const long F = filters_;
  const int TW = tilesW_;
  Lanes in[kPositions], a[2][4], y0, y1;
  for (long f = 0; f < F; ++f) {
    float* yf = y + f * g_.outSpatial();
    const float b = bias ? bias[f] : 0.0f;
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += kChunk) {
        const int n = std::min(kChunk, TW - tc0);
        const float* src = m + f * l.rowStride + col0 + static_cast<long>(th) * TW + tc0;
        for (int xi = 0; xi < kPositions; ++xi) load(in[xi], src + xi * l.ld, n);
        for (int j = 0; j < 4; ++j) {
          a[0][j] = (in[0 + j] + in[4 + j]) + in[8 + j];
          a[1][j] = (in[4 + j] - in[8 + j]) - in[12 + j];
        }
        for (int i = 0; i < 2 && 2 * th + i < g_.outH; ++i) {
          y0 = ((a[i][0] + a[i][1]) + a[i][2]) + b;
          y1 = ((a[i][1] - a[i][2]) - a[i][3]) + b;
          storeColumns(yf + static_cast<long>(2 * th + i) * g_.outW, 0, g_.outW, 2 * tc0, y0, y1, 0, 2 * n);
        }
      }
  }
}

// dM = A dY A^T per tile and filter (the transpose of inverseOutput); rows of A: [1 0], [1 1],
// [1 -1], [0 -1]. dY is zero past the map.
void WinogradConv::transformOutputGradient(const float* dy, float* dm, const Layout& l, long col0,
                                           float* biasGradient) const {
  const long F = filters_;
  const int TW = tilesW_;
  Lanes e[2], o[2], ae[4], ao[4], out;
  const Lanes zero = {};
  for (long f = 0; f < F; ++f) {
    const float* dyf = dy + f * g_.outSpatial();
    Lanes sum = zero;  // of dY over the map, for the bias gradient
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += kChunk) {
        const int n = std::min(kChunk, TW - tc0);
        for (int k = 0; k < 2; ++k) {
          if (2 * th + k >= g_.outH) {
            e[k] = o[k] = zero;
            continue;
          }
          loadColumns(dyf + static_cast<long>(2 * th + k) * g_.outW, 0, g_.outW, 2 * tc0, e[k], o[k]);
        }
        for (auto [in, t] : {std::pair{e, ae}, std::pair{o, ao}}) {
          t[0] = in[0];
          t[1] = in[0] + in[1];
          t[2] = in[0] - in[1];
          t[3] = -in[1];
        }
        sum += firstLanes(ae[1] + ao[1], n);  // the chunk's tiles' four values each
        float* dst = dm + f * l.rowStride + col0 + static_cast<long>(th) * TW + tc0;
        for (int i = 0; i < 4; ++i) {
          store(dst + (4 * i + 0) * l.ld, ae[i], n);
          out = ae[i] + ao[i];
          store(dst + (4 * i + 1) * l.ld, out, n);
          out = ae[i] - ao[i];
          store(dst + (4 * i + 2) * l.ld, out, n);
          out = -ao[i];
          store(dst + (4 * i + 3) * l.ld, out, n);
        }
      }
    if (biasGradient) biasGradient[f] += sumOfLanes(sum);
  }
}

// dD = B dV B^T per tile and channel; rows of B: [1 0 0 0], [0 1 -1 1], [-1 1 1 0], [0 0 0 -1].
// Neighbouring tiles overlap by two rows and columns, so each input position gathers from up to
// four tiles: plane column 2q + s takes tile q's column s and tile q - 1's column s + 2, plane
// row 2p + r tile row p's row r and tile row p - 1's row r + 2. A chunk's lane 0 is the tile left
// of it (tc0 - 1), so its columns are complete without the neighbouring chunks; tile rows run in
// order with the previous row's lower half carried. Every input position is written once.
void WinogradConv::inverseInputGradient(const float* dv, const Layout& l, long col0, float* dx) const {
  const long C = g_.channels;
  const int TW = tilesW_;
  Lanes in[kPositions], r[4][4], cur[4][2], carry[2][2];
  const Lanes zero = {};
  for (long c = 0; c < C; ++c) {
    float* dxc = dx + c * g_.inSpatial();
    for (int tc0 = 0; tc0 < TW; tc0 += kChunk) {
      const int n = std::min(kChunk, TW - tc0);
      const bool last = tc0 + n == TW;
      carry[0][0] = carry[0][1] = carry[1][0] = carry[1][1] = zero;
      for (int th = 0; th <= tilesH_; ++th) {  // tile row tilesH_ does not exist: its rows are zero
        if (th < tilesH_) {
          // Lanes 0..n: tiles tc0 - 1 .. tc0 + n - 1 (lane 0 zero in the first chunk).
          const float* src = dv + c * l.rowStride + col0 + static_cast<long>(th) * TW + tc0;
          for (int xi = 0; xi < kPositions; ++xi) loadShifted(in[xi], src + xi * l.ld, tc0 == 0 ? 1 : 0, n + 1);
          for (int j = 0; j < 4; ++j) {  // B over the rows of each column j
            r[0][j] = in[0 + j];
            r[1][j] = (in[4 + j] - in[8 + j]) + in[12 + j];
            r[2][j] = (in[4 + j] - in[0 + j]) + in[8 + j];
            r[3][j] = -in[12 + j];
          }
          for (int i = 0; i < 4; ++i) {  // then over the columns, gathered per plane column
            const Lanes d0 = r[i][0], d1 = (r[i][1] - r[i][2]) + r[i][3], d2 = (r[i][1] - r[i][0]) + r[i][2],
                        d3 = -r[i][3];
            addNextLane(d0, d2, cur[i][0]);  // even plane columns 2(tc0 + l): tile tc0 + l col 0, tile tc0 + l - 1 col 2
            addNextLane(d1, d3, cur[i][1]);
          }
        } else {
          for (auto& row : cur) row[0] = row[1] = zero;
        }
        for (int k = 0; k < 2; ++k) {  // plane rows 2th + k are complete
          const int h = 2 * th + k - g_.pH;
          const Lanes even = cur[k][0] + carry[k][0], odd = cur[k][1] + carry[k][1];
          carry[k][0] = cur[k + 2][0];
          carry[k][1] = cur[k + 2][1];
          if (h < 0 || h >= g_.inH) continue;
          storeColumns(dxc + static_cast<long>(h) * g_.inW, g_.pW, g_.inW, 2 * tc0, even, odd, 0, 2 * n + (last ? 2 : 0));
        }
      }
    }
  }
}

WinogradConv::Layout::Layout(long columns) : ld(roundUp(columns, kLanes)), rowStride(kPositions * ld + kLanes) {}

void WinogradConv::packTransformedWeights(bool transposed) {
  const long F = filters_, C = g_.channels;
  const long rows = transposed ? C : F, depth = transposed ? F : C, block = panel::packedSize(rows, depth);
  std::vector<float>& out = transposed ? packedUt_ : packedU_;
  out.resize(static_cast<size_t>(kPositions * block));
#pragma omp parallel for schedule(static) if (F * C >= kParallelWeights)
  for (int xi = 0; xi < kPositions; ++xi)
    panel::pack(u_.data() + xi * F * C, transposed ? 1 : C, transposed ? C : 1, rows, depth, out.data() + xi * block);
}

void WinogradConv::forward(const Matrix& x, const Matrix& weight, const Matrix& bias, Matrix& y) {
  const long B = x.rows(), F = filters_, C = g_.channels, T = static_cast<long>(tilesH_) * tilesW_;
  const SampleGroups groups = this->groups(B);
  const Layout l(groups.largest() * T);
  transformWeights(weight, u_);
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
      for (long s = 0; s < n; ++s) transformInput(x.row(first + s).data(), v, l, s * T);
      for (int xi = 0; xi < kPositions; ++xi)
        panel::multiply(packedU_.data() + xi * block, F, C, v + xi * l.ld, l.rowStride, width, m + xi * l.ld,
                        l.rowStride);
      for (long s = 0; s < n; ++s) inverseOutput(m, l, s * T, b, y.row(first + s).data());
    }
  }
}

void WinogradConv::backward(const Matrix& x, const Matrix& weight, const Matrix& dy, Matrix& wGrad, Matrix* bGrad,
                            Matrix* dx) {
  const long B = x.rows(), F = filters_, C = g_.channels, T = static_cast<long>(tilesH_) * tilesW_;
  const SampleGroups groups = this->groups(B);
  const Layout l(groups.largest() * T);
  // The input gradient is that of the last forward pass, so it uses that pass's transformed
  // weights (computed again only if there was none of this shape), transposed.
  const long blockT = panel::packedSize(C, F);
  if (dx) {
    if (u_.size() != static_cast<size_t>(kPositions * F * C)) {
      transformWeights(weight, u_);
      packedUt_.clear();
    }
    if (packedUt_.size() != static_cast<size_t>(kPositions * blockT)) packTransformedWeights(true);
    dx->resize(B, x.cols());
  }
  // Each group's transformed weight gradient (F x 16*C: a filter's 16 positions are neighbours for
  // the transform back) and bias gradient, summed in
  // group order afterwards: bit-identical for any thread count. The buffers are kept between
  // calls (megabytes for wide layers: fresh pages on every call otherwise).
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
      dug.resize(F, kPositions * C);  // row f: the 16 positions' C gradients side by side
      if (bGrad) db[static_cast<size_t>(gi)] = Vector::Zero(F);
      for (long s = 0; s < n; ++s) {
        transformInput(x.row(first + s).data(), v, l, s * T);
        transformOutputGradient(dy.row(first + s).data(), dm, l, s * T, bGrad ? db[static_cast<size_t>(gi)].data() : nullptr);
      }
      for (int xi = 0; xi < kPositions; ++xi) {
        const ConstStridedMap dmxi(dm + xi * l.ld, F, width, Eigen::OuterStride<>(l.rowStride));
        StridedMap(dug.data() + xi * C, F, C, Eigen::OuterStride<>(kPositions * C)).noalias() =
            dmxi * ConstStridedMap(v + xi * l.ld, C, width, Eigen::OuterStride<>(l.rowStride)).transpose();
        if (dx)
          panel::multiply(packedUt_.data() + xi * blockT, C, F, dm + xi * l.ld, l.rowStride, width, dv + xi * l.ld,
                          l.rowStride);
      }
      if (dx)
        for (long s = 0; s < n; ++s) inverseInputGradient(dv, l, s * T, dx->row(first + s).data());
    }
  }
  if (bGrad)
    for (const Vector& d : db) *bGrad += d;
  // dW = G^T dU G per filter and channel, 16 channels at a time (dU's rows run over channels),
  // dU being the sum of the groups' gradients in group order (summed here, not in a pass of its own);
  // rows of G^T: [1 1/2 1/2 0], [0 1/2 -1/2 0], [0 1/2 1/2 1].
  auto gt4 = [](const Lanes& a, const Lanes& b, const Lanes& c, const Lanes& d, Lanes out[3]) {
    out[0] = a + 0.5f * (b + c);
    out[1] = 0.5f * (b - c);
    out[2] = 0.5f * (b + c) + d;
  };
  // Filters are independent (each computed whole by one thread): any thread count gives the same.
#pragma omp parallel for schedule(static) if (F * C >= kParallelWeights)
  for (long f = 0; f < F; ++f)
    for (long c0 = 0; c0 < C; c0 += kLanes) {
      Lanes in[kPositions], rows[3][4], t[3];
      const int n = static_cast<int>(std::min<long>(kLanes, C - c0));
      for (int xi = 0; xi < kPositions; ++xi) {
        load(in[xi], &du[0](f, xi * C + c0), n);
        for (long gi = 1; gi < groups.count; ++gi) {
          Lanes more;
          load(more, &du[static_cast<size_t>(gi)](f, xi * C + c0), n);
          in[xi] += more;
        }
      }
      for (int j = 0; j < 4; ++j) {
        gt4(in[0 + j], in[4 + j], in[8 + j], in[12 + j], t);
        for (int i = 0; i < 3; ++i) rows[i][j] = t[i];
      }
      float* w = wGrad.row(f).data() + c0 * 9;
      for (int i = 0; i < 3; ++i) {
        gt4(rows[i][0], rows[i][1], rows[i][2], rows[i][3], t);
        for (int l = 0; l < n; ++l)
          for (int j = 0; j < 3; ++j) w[9 * l + 3 * i + j] += t[j][l];
      }
    }
}

}  // namespace mmlc::nn
