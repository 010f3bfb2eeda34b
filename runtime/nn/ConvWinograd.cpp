// Winograd F(2x2, 3x3) convolution (ConvWinograd.h): the tile transforms, vectorised over 16 tiles
// at a time, and the 16 transformed-domain GEMMs per group of samples.
#include "nn/ConvWinograd.h"

#include <algorithm>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace mmlc::nn {

namespace {

constexpr int kPositions = 16;  // transformed positions of a 4x4 tile (xi = 4 * row + column)
constexpr int kLanes = 16;      // tiles of one tile row transformed together (one AVX-512 vector)

// One value of up to 16 neighbouring tiles of a tile row: a GCC/Clang vector, so each operation
// on it is one AVX-512 instruction (or a sequence of narrower ones without AVX-512); element-wise,
// so results do not depend on the instruction set.
using Lanes = float __attribute__((vector_size(64)));

#if defined(__AVX512F__)
// The first n (clamped to 0..16) lanes.
inline __mmask16 firstLanes(int n) { return static_cast<__mmask16>((1u << std::clamp(n, 0, 16)) - 1); }
#endif

// Loads n <= 16 floats (the other lanes zero) and stores the first n lanes.
inline void load(Lanes& d, const float* src, int n) {
#if defined(__AVX512F__)
  d = _mm512_maskz_loadu_ps(firstLanes(n), src);
#else
  for (int l = 0; l < kLanes; ++l) d[l] = l < n ? src[l] : 0.0f;
#endif
}
inline void store(float* dst, const Lanes& s, int n) {
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(dst, firstLanes(n), s);
#else
  for (int l = 0; l < n; ++l) dst[l] = s[l];
#endif
}
inline void addStore(float* dst, const Lanes& s, int n) {
#if defined(__AVX512F__)
  const __mmask16 m = firstLanes(n);
  _mm512_mask_storeu_ps(dst, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst), s));
#else
  for (int l = 0; l < n; ++l) dst[l] += s[l];
#endif
}

// Writes a[0] b[0] a[1] b[1] ... to dst, the first `count` (<= 32) of them.
inline void interleaveStore(float* dst, const Lanes& a, const Lanes& b, int count) {
#if defined(__AVX512F__)
  const __m512 va = a, vb = b;
  const __m512i lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i hi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  const int first = std::min(count, 16), second = count - first;
  _mm512_mask_storeu_ps(dst, firstLanes(first), _mm512_permutex2var_ps(va, lo, vb));
  if (second > 0) _mm512_mask_storeu_ps(dst + 16, firstLanes(second), _mm512_permutex2var_ps(va, hi, vb));
#else
  for (int k = 0; k < count; ++k) dst[k] = k % 2 ? b[k / 2] : a[k / 2];
#endif
}

// Splits `count` floats into the even and odd columns of a row whose first float is column `col`
// (column 2m goes to even[m], column 2m + 1 to odd[m]).
inline void deinterleave(const float* src, int count, int col, float* even, float* odd) {
  float* first = ((col & 1) ? odd : even) + (col >> 1);  // gets src[0], src[2], ...
  float* second = ((col & 1) ? even : odd) + ((col + 1) >> 1);
#if defined(__AVX512F__)
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odds = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  for (int k = 0; k < count; k += 32) {
    const int n = std::min(32, count - k);
    const __m512 lo = _mm512_maskz_loadu_ps(firstLanes(n), src + k), hi = _mm512_maskz_loadu_ps(firstLanes(n - 16), src + k + 16);
    _mm512_mask_storeu_ps(first + k / 2, firstLanes((n + 1) / 2), _mm512_permutex2var_ps(lo, evens, hi));
    _mm512_mask_storeu_ps(second + k / 2, firstLanes(n / 2), _mm512_permutex2var_ps(lo, odds, hi));
  }
#else
  for (int k = 0; k < count; ++k) (k % 2 ? second : first)[k / 2] = src[k];
#endif
}

// The inverse: `count` floats of a row starting at column `col` from its even and odd planes.
inline void interleave(const float* even, const float* odd, int count, int col, float* dst) {
  const float* first = ((col & 1) ? odd : even) + (col >> 1);
  const float* second = ((col & 1) ? even : odd) + ((col + 1) >> 1);
  Lanes a, b;
  for (int k = 0; k < count; k += 32) {
    const int n = std::min(32, count - k);
    load(a, first + k / 2, (n + 1) / 2);
    load(b, second + k / 2, n / 2);
    interleaveStore(dst + k, a, b, n);
  }
}

// Per-thread buffers: the transformed input, the GEMM results and the planes of a group. Eigen
// allocations, so every thread's buffers have the same alignment (as ConvLayer's scratch).
struct WinogradScratch {
  Matrix v, m, dv;
  std::vector<float> plane;
};

WinogradScratch& threadScratch() {
  thread_local WinogradScratch s;
  return s;
}

float* grow(Matrix& buffer, long size) {
  if (buffer.size() < size) buffer.resize(1, size);
  return buffer.data();
}

float* planeOf(long size) {
  std::vector<float>& p = threadScratch().plane;
  if (static_cast<long>(p.size()) < size) p.resize(static_cast<size_t>(size));
  return p.data();
}

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
  planeH_ = 2 * tilesH_ + 2;
}

// U = G g G^T per filter and channel, stored [xi][filter][channel] (16 blocks of F x C).
// Rows of G: [1 0 0], [1/2 1/2 1/2], [1/2 -1/2 1/2], [0 0 1].
void WinogradConv::transformWeights(const Matrix& weight, std::vector<float>& u) const {
  const long F = filters_, C = g_.channels;
  u.resize(static_cast<size_t>(kPositions * F * C));
  auto g4 = [](float a, float b, float c, float out[4]) {
    out[0] = a;
    out[1] = 0.5f * ((a + b) + c);
    out[2] = 0.5f * ((a - b) + c);
    out[3] = c;
  };
  for (long f = 0; f < F; ++f)
    for (long c = 0; c < C; ++c) {
      const float* w = weight.row(f).data() + c * 9;
      float rows[4][3], t[4];
      for (int j = 0; j < 3; ++j) {
        g4(w[j], w[3 + j], w[6 + j], t);
        for (int i = 0; i < 4; ++i) rows[i][j] = t[i];
      }
      for (int i = 0; i < 4; ++i) {
        g4(rows[i][0], rows[i][1], rows[i][2], t);
        for (int j = 0; j < 4; ++j) u[static_cast<size_t>(((4 * i + j) * F + f) * C + c)] = t[j];
      }
    }
}

// The planes below keep a map's even and odd columns apart (column 2m in the even plane at m,
// column 2m + 1 in the odd one): a tile row's 4x4 tiles start at even columns 2tw, so their
// columns j = 0..3 are even[tw], odd[tw], even[tw + 1], odd[tw + 1] -- vectors over the tiles.
// Tile columns are handled 16 at a time (tc0); a transformed tile row is one run of floats in
// each of the 16 position rows of the transformed-domain buffer (columns s*T + th*tilesW + tw).
// A buffer's rows are ordered by channel (or filter) k, then position xi: row 16k + xi, so the
// 16 rows a tile's transform reads or writes are neighbours in memory; the GEMM of position xi
// sees every 16th row.

// V = B^T d B per tile and channel; rows of B^T: [1 0 -1 0], [0 1 1 0], [0 -1 1 0], [0 1 0 -1].
void WinogradConv::transformInput(const float* x, float* v, long ld, long col0) const {
  const long C = g_.channels;
  const int TW = tilesW_, EW = TW + 1;  // the input plane is planeH_ x 2 * EW
  const long half = static_cast<long>(planeH_) * EW;
  float* even = planeOf(2 * half);
  float* odd = even + half;
  std::fill(even, even + 2 * half, 0.0f);  // the border stays zero; each channel overwrites the inside
  const int rows = std::min(g_.inH, planeH_ - g_.pH), cols = std::min(g_.inW, 2 * EW - g_.pW);
  Lanes e[2][4], o[2][4], te[2][4], to[2][4], out;
  for (long c = 0; c < C; ++c) {
    const float* xc = x + c * g_.inSpatial();
    for (int h = 0; h < rows; ++h) {
      const long at = static_cast<long>(g_.pH + h) * EW;
      deinterleave(xc + static_cast<long>(h) * g_.inW, cols, g_.pW, even + at, odd + at);
    }
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += kLanes) {
        const int n = std::min(kLanes, TW - tc0);
        for (int k = 0; k < 4; ++k) {
          const long at = static_cast<long>(2 * th + k) * EW + tc0;
          for (int shift = 0; shift < 2; ++shift) {
            load(e[shift][k], even + at + shift, n);
            load(o[shift][k], odd + at + shift, n);
          }
        }
        for (int shift = 0; shift < 2; ++shift)
          for (auto [in, t] : {std::pair{e[shift], te[shift]}, std::pair{o[shift], to[shift]}}) {
            t[0] = in[0] - in[2];
            t[1] = in[1] + in[2];
            t[2] = in[2] - in[1];
            t[3] = in[1] - in[3];
          }
        float* dst = v + c * kPositions * ld + col0 + static_cast<long>(th) * TW + tc0;
        const long step = ld;  // from position xi to xi + 1
        for (int i = 0; i < 4; ++i) {
          const Lanes &d0 = te[0][i], &d1 = to[0][i], &d2 = te[1][i], &d3 = to[1][i];
          out = d0 - d2;
          store(dst + (4 * i + 0) * step, out, n);
          out = d1 + d2;
          store(dst + (4 * i + 1) * step, out, n);
          out = d2 - d1;
          store(dst + (4 * i + 2) * step, out, n);
          out = d1 - d3;
          store(dst + (4 * i + 3) * step, out, n);
        }
      }
  }
}

// Y = A^T M A per tile and filter, plus the bias; rows of A^T: [1 1 1 0], [0 1 -1 -1]. A tile's
// two output columns are interleaved into the output row; rows and columns past the map (odd
// sizes) are not written.
void WinogradConv::inverseOutput(const float* m, long ld, long col0, const float* bias, float* y) const {
  const long F = filters_;
  const int TW = tilesW_;
  Lanes in[kPositions], a[2][4], y0, y1;
  for (long f = 0; f < F; ++f) {
    float* yf = y + f * g_.outSpatial();
    const float b = bias ? bias[f] : 0.0f;
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += kLanes) {
        const int n = std::min(kLanes, TW - tc0);
        const float* src = m + f * kPositions * ld + col0 + static_cast<long>(th) * TW + tc0;
        for (int xi = 0; xi < kPositions; ++xi) load(in[xi], src + xi * ld, n);
        for (int j = 0; j < 4; ++j) {
          a[0][j] = (in[0 + j] + in[4 + j]) + in[8 + j];
          a[1][j] = (in[4 + j] - in[8 + j]) - in[12 + j];
        }
        for (int i = 0; i < 2 && 2 * th + i < g_.outH; ++i) {
          y0 = ((a[i][0] + a[i][1]) + a[i][2]) + b;
          y1 = ((a[i][1] - a[i][2]) - a[i][3]) + b;
          interleaveStore(yf + static_cast<long>(2 * th + i) * g_.outW + 2 * tc0, y0, y1,
                          std::min(2 * n, g_.outW - 2 * tc0));
        }
      }
  }
}

// dM = A dY A^T per tile and filter (the transpose of inverseOutput); rows of A: [1 0], [1 1],
// [1 -1], [0 -1]. dY is zero past the map.
void WinogradConv::transformOutputGradient(const float* dy, float* dm, long ld, long col0) const {
  const long F = filters_;
  const int TW = tilesW_;
  const long half = 2L * tilesH_ * TW;
  float* even = planeOf(2 * half);
  float* odd = even + half;
  std::fill(even, even + 2 * half, 0.0f);
  Lanes e[2], o[2], ae[4], ao[4], out;
  for (long f = 0; f < F; ++f) {
    const float* dyf = dy + f * g_.outSpatial();
    for (int h = 0; h < g_.outH; ++h)
      deinterleave(dyf + static_cast<long>(h) * g_.outW, g_.outW, 0, even + static_cast<long>(h) * TW,
                   odd + static_cast<long>(h) * TW);
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += kLanes) {
        const int n = std::min(kLanes, TW - tc0);
        for (int k = 0; k < 2; ++k) {
          load(e[k], even + static_cast<long>(2 * th + k) * TW + tc0, n);
          load(o[k], odd + static_cast<long>(2 * th + k) * TW + tc0, n);
        }
        for (auto [in, t] : {std::pair{e, ae}, std::pair{o, ao}}) {
          t[0] = in[0];
          t[1] = in[0] + in[1];
          t[2] = in[0] - in[1];
          t[3] = -in[1];
        }
        float* dst = dm + f * kPositions * ld + col0 + static_cast<long>(th) * TW + tc0;
        const long step = ld;
        for (int i = 0; i < 4; ++i) {
          store(dst + (4 * i + 0) * step, ae[i], n);
          out = ae[i] + ao[i];
          store(dst + (4 * i + 1) * step, out, n);
          out = ae[i] - ao[i];
          store(dst + (4 * i + 2) * step, out, n);
          out = -ao[i];
          store(dst + (4 * i + 3) * step, out, n);
        }
      }
  }
}

// dD = B dV B^T per tile and channel, added onto the input plane tile row by tile row (neighbouring
// tiles overlap by two rows or columns); rows of B: [1 0 0 0], [0 1 -1 1], [-1 1 1 0], [0 0 0 -1].
// The inside of the plane is the input gradient.
void WinogradConv::inverseInputGradient(const float* dv, long ld, long col0, float* dx) const {
  const long C = g_.channels;
  const int TW = tilesW_, EW = TW + 1;
  const long half = static_cast<long>(planeH_) * EW;
  float* even = planeOf(2 * half);
  float* odd = even + half;
  const int rows = std::min(g_.inH, planeH_ - g_.pH), cols = std::min(g_.inW, 2 * EW - g_.pW);
  Lanes in[kPositions], r[4][4], d;
  for (long c = 0; c < C; ++c) {
    std::fill(even, even + 2 * half, 0.0f);
    for (int th = 0; th < tilesH_; ++th)
      for (int tc0 = 0; tc0 < TW; tc0 += kLanes) {
        const int n = std::min(kLanes, TW - tc0);
        const float* src = dv + c * kPositions * ld + col0 + static_cast<long>(th) * TW + tc0;
        for (int xi = 0; xi < kPositions; ++xi) load(in[xi], src + xi * ld, n);
        for (int j = 0; j < 4; ++j) {  // B over the rows of each column j
          r[0][j] = in[0 + j];
          r[1][j] = (in[4 + j] - in[8 + j]) + in[12 + j];
          r[2][j] = (in[4 + j] - in[0 + j]) + in[8 + j];
          r[3][j] = -in[12 + j];
        }
        for (int i = 0; i < 4; ++i) {  // then over the columns, added at columns 2tw + 0..3
          const long at = static_cast<long>(2 * th + i) * EW + tc0;
          addStore(even + at, r[i][0], n);
          d = (r[i][1] - r[i][2]) + r[i][3];
          addStore(odd + at, d, n);
          d = (r[i][1] - r[i][0]) + r[i][2];
          addStore(even + at + 1, d, n);
          d = -r[i][3];
          addStore(odd + at + 1, d, n);
        }
      }
    float* dxc = dx + c * g_.inSpatial();
    std::fill(dxc, dxc + g_.inSpatial(), 0.0f);
    for (int h = 0; h < rows; ++h) {
      const long at = static_cast<long>(g_.pH + h) * EW;
      float* row = dxc + static_cast<long>(h) * g_.inW;
      interleave(even + at, odd + at, cols, g_.pW, row);
    }
  }
}

void WinogradConv::forward(const Matrix& x, const Matrix& weight, const Matrix& bias, Matrix& y) {
  const long B = x.rows(), F = filters_, C = g_.channels, T = static_cast<long>(tilesH_) * tilesW_;
  const SampleGroups groups = this->groups(B);
  const long ld = roundUp(groups.largest() * T, kLanes);
  transformWeights(weight, u_);
  const std::vector<float>& u = u_;
  y.resize(B, F * g_.outSpatial());
  const float* b = bias.size() == F ? bias.data() : nullptr;
#pragma omp parallel if (groups.count > 1)
  {
    WinogradScratch& s = threadScratch();
    float* v = grow(s.v, kPositions * C * ld);
    float* m = grow(s.m, kPositions * F * ld);
#pragma omp for schedule(dynamic, 1)
    for (long gi = 0; gi < groups.count; ++gi) {
      const long first = groups.first(gi), n = groups.size(gi), width = n * T;
      for (long s = 0; s < n; ++s) transformInput(x.row(first + s).data(), v, ld, s * T);
      for (int xi = 0; xi < kPositions; ++xi) {
        const Eigen::Map<const Matrix> uxi(u.data() + xi * F * C, F, C);
        StridedMap(m + xi * ld, F, width, Eigen::OuterStride<>(kPositions * ld)).noalias() =
            uxi * ConstStridedMap(v + xi * ld, C, width, Eigen::OuterStride<>(kPositions * ld));
      }
      for (long s = 0; s < n; ++s) inverseOutput(m, ld, s * T, b, y.row(first + s).data());
    }
  }
}

void WinogradConv::backward(const Matrix& x, const Matrix& weight, const Matrix& dy, Matrix& wGrad, Matrix* bGrad,
                            Matrix* dx) {
  const long B = x.rows(), F = filters_, C = g_.channels, T = static_cast<long>(tilesH_) * tilesW_;
  const long P = g_.outSpatial();
  const SampleGroups groups = this->groups(B);
  const long ld = roundUp(groups.largest() * T, kLanes);
  // The input gradient is that of the last forward pass, so it uses that pass's transformed
  // weights (computed again only if there was none of this shape).
  if (dx) {
    if (u_.size() != static_cast<size_t>(kPositions * F * C)) transformWeights(weight, u_);
    dx->resize(B, x.cols());
  }
  const std::vector<float>& u = u_;
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
    float* v = grow(s.v, kPositions * C * ld);
    float* dm = grow(s.m, kPositions * F * ld);
    float* dv = dx ? grow(s.dv, kPositions * C * ld) : nullptr;
#pragma omp for schedule(dynamic, 1)
    for (long gi = 0; gi < groups.count; ++gi) {
      const long first = groups.first(gi), n = groups.size(gi), width = n * T;
      Matrix& dug = du[static_cast<size_t>(gi)];
      dug.resize(F, kPositions * C);  // row f: the 16 positions' C gradients side by side
      if (bGrad) db[static_cast<size_t>(gi)] = Vector::Zero(F);
      for (long s = 0; s < n; ++s) {
        transformInput(x.row(first + s).data(), v, ld, s * T);
        transformOutputGradient(dy.row(first + s).data(), dm, ld, s * T);
        if (bGrad) db[static_cast<size_t>(gi)] += Eigen::Map<const Matrix>(dy.row(first + s).data(), F, P).rowwise().sum().transpose();
      }
      for (int xi = 0; xi < kPositions; ++xi) {
        const ConstStridedMap dmxi(dm + xi * ld, F, width, Eigen::OuterStride<>(kPositions * ld));
        StridedMap(dug.data() + xi * C, F, C, Eigen::OuterStride<>(kPositions * C)).noalias() =
            dmxi * ConstStridedMap(v + xi * ld, C, width, Eigen::OuterStride<>(kPositions * ld)).transpose();
        if (dx) {
          const Eigen::Map<const Matrix> uxi(u.data() + xi * F * C, F, C);
          StridedMap(dv + xi * ld, C, width, Eigen::OuterStride<>(kPositions * ld)).noalias() = uxi.transpose() * dmxi;
        }
      }
      if (dx)
        for (long s = 0; s < n; ++s) inverseInputGradient(dv, ld, s * T, dx->row(first + s).data());
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
  Lanes in[kPositions], rows[3][4], t[3];
  for (long f = 0; f < F; ++f)
    for (long c0 = 0; c0 < C; c0 += kLanes) {
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
