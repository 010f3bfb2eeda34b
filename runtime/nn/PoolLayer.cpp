// Pooling layers; max pooling remembers the argmax so backward routes the gradient to one input.
#include "nn/PoolLayer.h"

#include <algorithm>
#include <limits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "nn/Error.h"

namespace mmlc::nn {

namespace {

#if defined(__AVX512F__)
// A block of n <= 16 outputs whose windows read `cols` <= 32 input columns of a row: the masks of
// the row's two input vectors and of the outputs.
struct BlockMasks {
  __mmask16 lo, hi, outs;
  BlockMasks(int n, int cols)
      : lo(static_cast<__mmask16>((1u << std::min(cols, 16)) - 1)),
        hi(static_cast<__mmask16>((1u << std::max(0, cols - 16)) - 1)),
        outs(static_cast<__mmask16>((1u << n) - 1)) {}
};

// The running maximum of a 2x2 window's four candidates (row-major: top-left, top-right,
// bottom-left, bottom-right), starting from `best` at candidate `from`, a candidate taken only when
// strictly greater; stores it and its input offset (`base` is the top-left one's) for the outputs
// in `outs`.
inline void storeRunningMax(const __m512 cand[4], __m512 best, int from, __m512i base, long inW, __mmask16 outs,
                            float* out, int* argmax) {
  const int offsets[4] = {0, 1, static_cast<int>(inW), static_cast<int>(inW) + 1};
  __m512i at = base;
  for (int k = from; k < 4; ++k) {
    const __mmask16 greater = _mm512_cmp_ps_mask(cand[k], best, _CMP_GT_OQ);
    best = _mm512_mask_mov_ps(best, greater, cand[k]);
    at = _mm512_mask_mov_epi32(at, greater, _mm512_add_epi32(base, _mm512_set1_epi32(offsets[k])));
  }
  _mm512_mask_storeu_ps(out, outs, best);
  _mm512_mask_storeu_epi32(argmax, outs, at);
}

// 2x2 max pooling with stride 2 of one output row, 16 outputs at a time: each input row's 32
// floats split into even and odd columns by two permutes, then the same running maximum as the
// scalar loop (candidates in row-major order, taken only when strictly greater), so values and
// argmaxes are identical to it. `in` is the output row's first input row, `first` its offset in
// the sample (the argmax base).
void maxPool2x2Row(const float* in, long inW, int outW, long first, float* out, int* argmax) {
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odds = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  for (int ow = 0; ow < outW; ow += 16) {
    const int n = std::min(16, outW - ow), cols = 2 * n;
    const BlockMasks masks(n, cols);
    const __mmask16 lo = masks.lo, hi = masks.hi, outs = masks.outs;
    __m512 cand[4];
    for (int r = 0; r < 2; ++r) {
      const float* row = in + r * inW + 2L * ow;
      const __m512 a = _mm512_maskz_loadu_ps(lo, row), b = _mm512_maskz_loadu_ps(hi, row + 16);
      cand[2 * r] = _mm512_permutex2var_ps(a, evens, b);
      cand[2 * r + 1] = _mm512_permutex2var_ps(a, odds, b);
    }
    const __m512i base = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first + 2L * ow)), evens);  // 2l
    storeRunningMax(cand, cand[0], 1, base, inW, outs, out + ow, argmax + ow);
  }
}

// Backward of maxPool2x2Row: writes the output row's two input rows (inW apart; their first 2 *
// outW columns), each value the output gradient where the argmax points and 0 elsewhere, instead
// of a zero-fill and a scatter. The windows do not overlap, so the scatter's 0 + g is the only sum
// (computed here too, so a -0 gradient becomes +0 as there).
void maxPool2x2RowBackward(const float* dy, const int* argmax, long first, long inW, int outW, float* dx) {
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  // Interleave even and odd columns back: lane j of a row block takes e[j / 2] or o[j / 2].
  const __m512i lowHalf = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i highHalf = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  for (int ow = 0; ow < outW; ow += 16) {
    const int n = std::min(16, outW - ow), cols = 2 * n;
    const BlockMasks masks(n, cols);
    const __mmask16 lo = masks.lo, hi = masks.hi, outs = masks.outs;
    const __m512 g = _mm512_add_ps(_mm512_setzero_ps(), _mm512_maskz_loadu_ps(outs, dy + ow));
    const __m512i at = _mm512_maskz_loadu_epi32(outs, argmax + ow);
    const __m512i base = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first + 2L * ow)), evens);
    for (int r = 0; r < 2; ++r) {
      const __m512i left = _mm512_add_epi32(base, _mm512_set1_epi32(static_cast<int>(r * inW)));
      const __m512 e = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, left), g);
      const __m512 o = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, _mm512_add_epi32(left, _mm512_set1_epi32(1))), g);
      float* row = dx + r * inW + 2L * ow;
      _mm512_mask_storeu_ps(row, lo, _mm512_permutex2var_ps(e, lowHalf, o));
      _mm512_mask_storeu_ps(row + 16, hi, _mm512_permutex2var_ps(e, highHalf, o));
    }
  }
}

// The same for "same" padding with the window's padding at the bottom/right only (kernel and
// stride 2, pH = pW = 0): of an output row's 2x2 windows only `rows` (1 or 2) input rows and the
// input's inW columns exist. The running maximum starts from -inf over the candidates in
// row-major order, missing ones being -inf (never strictly greater), as the scalar loop over the
// clipped window does, so values and argmaxes are identical to it.
void maxPool2x2RowClipped(const float* in, long inW, int rows, int outW, long first, float* out, int* argmax) {
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odds = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  const __m512 minusInf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (int ow = 0; ow < outW; ow += 16) {
    const int n = std::min(16, outW - ow), cols = static_cast<int>(std::min<long>(2L * n, inW - 2L * ow));
    const BlockMasks masks(n, cols);
    const __mmask16 lo = masks.lo, hi = masks.hi, outs = masks.outs;
    __m512 cand[4];
    for (int r = 0; r < 2; ++r) {
      if (r >= rows) {
        cand[2 * r] = cand[2 * r + 1] = minusInf;
        continue;
      }
      const float* row = in + r * inW + 2L * ow;
      const __m512 a = _mm512_mask_loadu_ps(minusInf, lo, row), b = _mm512_mask_loadu_ps(minusInf, hi, row + 16);
      cand[2 * r] = _mm512_permutex2var_ps(a, evens, b);
      cand[2 * r + 1] = _mm512_permutex2var_ps(a, odds, b);
    }
    const __m512i base = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first + 2L * ow)), evens);  // 2l
    storeRunningMax(cand, minusInf, 0, base, inW, outs, out + ow, argmax + ow);
  }
}
#endif

}  // namespace

PoolLayer::PoolLayer(LayerSpec spec) : Layer(std::move(spec)), max_(spec_.kind == "MaxPool") {
  if (spec_.padH || spec_.padW) throw Error(spec_.kind + " layer '" + spec_.name + "': padding is not supported");
}

Shape PoolLayer::configure(const Shape& input, Random&) {
  const bool twoD = input.rank() == 3;
  LayerSpec s = spec_;
  if (!twoD) s.kernelH = s.strideH = 1;
  g_ = ConvGeometry::from(input, s, twoD, spec_.name);
  if (twoD) return Shape{g_.channels, g_.outH, g_.outW};
  return Shape{g_.channels, g_.outW};
}

void PoolLayer::forward(const Matrix& x, Matrix& y, bool) {
  if (padded()) return forwardPadded(x, y);
  const ConvGeometry& g = g_;
  const long B = x.rows(), outSize = g.channels * g.outSpatial();
  y.resize(B, outSize);
  if (max_) argmax_.resize(B * outSize);
  const float inv = 1.0f / (g.kH * g.kW);
#pragma omp parallel for schedule(dynamic, 8)
  for (long s = 0; s < B; ++s) {
    const float* xs = x.row(s).data();
    float* ys = y.row(s).data();
    int* am = max_ ? argmax_.data() + s * outSize : nullptr;
    for (int c = 0; c < g.channels; ++c) {
      const long cBase = c * g.inSpatial();
      for (int oh = 0; oh < g.outH; ++oh) {
#if defined(__AVX512F__)
        if (max_ && g.kH == 2 && g.kW == 2 && g.sH == 2 && g.sW == 2) {
          const long o = c * g.outSpatial() + static_cast<long>(oh) * g.outW, first = cBase + 2L * oh * g.inW;
          maxPool2x2Row(xs + first, g.inW, g.outW, first, ys + o, am + o);
          continue;
        }
#endif
        for (int ow = 0; ow < g.outW; ++ow) {
          const long o = c * g.outSpatial() + static_cast<long>(oh) * g.outW + ow;
          const long corner = cBase + static_cast<long>(oh * g.sH) * g.inW + static_cast<long>(ow) * g.sW;
          if (max_) {
            // Branch-free running max: random activations make a compare-and-branch mispredict often.
            float best = xs[corner];
            long bestAt = corner;
            for (int i = 0; i < g.kH; ++i) {
              const long row = corner + static_cast<long>(i) * g.inW;
              for (int j = 0; j < g.kW; ++j) {
                const float v = xs[row + j];
                const bool greater = v > best;
                best = greater ? v : best;
                bestAt = greater ? row + j : bestAt;
              }
            }
            ys[o] = best;
            am[o] = static_cast<int>(bestAt);
          } else {
            float sum = 0.0f;
            for (int i = 0; i < g.kH; ++i) {
              const float* r = xs + corner + static_cast<long>(i) * g.inW;
              for (int j = 0; j < g.kW; ++j) sum += r[j];
            }
            ys[o] = sum * inv;
          }
        }
      }
    }
  }
}

void PoolLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  if (padded()) return backwardPadded(x, dy, dx);
  const ConvGeometry& g = g_;
  const long B = x.rows(), outSize = g.channels * g.outSpatial();
#if defined(__AVX512F__)
  if (max_ && g.kH == 2 && g.kW == 2 && g.sH == 2 && g.sW == 2) {
    // Every input value written once: the windows' rows by maxPool2x2RowBackward, zeros in a
    // last row or column that no window covers.
    dx.resize(B, x.cols());
#pragma omp parallel for schedule(dynamic, 8)
    for (long s = 0; s < B; ++s) {
      const float* d = dy.row(s).data();
      const int* am = argmax_.data() + s * outSize;
      float* dxs = dx.row(s).data();
      for (int c = 0; c < g.channels; ++c) {
        float* plane = dxs + c * g.inSpatial();
        for (int oh = 0; oh < g.outH; ++oh) {
          const long o = c * g.outSpatial() + static_cast<long>(oh) * g.outW, first = c * g.inSpatial() + 2L * oh * g.inW;
          maxPool2x2RowBackward(d + o, am + o, first, g.inW, g.outW, dxs + first);
          for (int r = 0; r < 2; ++r)
            std::fill(plane + (2L * oh + r) * g.inW + 2L * g.outW, plane + (2L * oh + r + 1) * g.inW, 0.0f);
        }
        std::fill(plane + 2L * g.outH * g.inW, plane + g.inSpatial(), 0.0f);
      }
    }
    return;
  }
#endif
  dx.setZero(B, x.cols());
  const float inv = 1.0f / (g.kH * g.kW);
#pragma omp parallel for schedule(dynamic, 8)
  for (long s = 0; s < B; ++s) {
    const float* d = dy.row(s).data();
    float* dxs = dx.row(s).data();
    if (max_) {
      for (long o = 0; o < outSize; ++o) dxs[argmax_[s * outSize + o]] += d[o];
      continue;
    }
    for (int c = 0; c < g.channels; ++c)
      for (int oh = 0; oh < g.outH; ++oh)
        for (int ow = 0; ow < g.outW; ++ow) {
          const float v = d[c * g.outSpatial() + static_cast<long>(oh) * g.outW + ow] * inv;
          for (int i = 0; i < g.kH; ++i)
            for (int j = 0; j < g.kW; ++j)
              dxs[c * g.inSpatial() + static_cast<long>(oh * g.sH + i) * g.inW + ow * g.sW + j] += v;
        }
  }
}

void PoolLayer::forwardPadded(const Matrix& x, Matrix& y) {
  const ConvGeometry& g = g_;
  const long B = x.rows(), outSize = g.channels * g.outSpatial();
  y.resize(B, outSize);
  if (max_) argmax_.resize(B * outSize);
#pragma omp parallel for schedule(dynamic, 8)
  for (long s = 0; s < B; ++s) {
    const float* xs = x.row(s).data();
    float* ys = y.row(s).data();
    int* am = max_ ? argmax_.data() + s * outSize : nullptr;
    for (int c = 0; c < g.channels; ++c)
      for (int oh = 0; oh < g.outH; ++oh) {
        const int h0 = std::max(0, oh * g.sH - g.pH), h1 = std::min(g.inH, oh * g.sH - g.pH + g.kH);
#if defined(__AVX512F__)
        if (max_ && g.kH == 2 && g.kW == 2 && g.sH == 2 && g.sW == 2 && g.pH == 0 && g.pW == 0) {
          const long o = c * g.outSpatial() + static_cast<long>(oh) * g.outW;
          const long first = c * g.inSpatial() + static_cast<long>(h0) * g.inW;
          maxPool2x2RowClipped(xs + first, g.inW, h1 - h0, g.outW, first, ys + o, am + o);
          continue;
        }
#endif
        for (int ow = 0; ow < g.outW; ++ow) {
          const int w0 = std::max(0, ow * g.sW - g.pW), w1 = std::min(g.inW, ow * g.sW - g.pW + g.kW);
          const long o = c * g.outSpatial() + static_cast<long>(oh) * g.outW + ow;
          const long base = c * g.inSpatial();
          if (max_) {
            // Running max from -inf in row-major order, taking a value only when strictly greater
            // (the argmax stays at the window's first value if none is), without branches: random
            // activations made a compare-and-branch mispredict often.
            float best = -std::numeric_limits<float>::infinity();
            int bestAt = static_cast<int>(base + static_cast<long>(h0) * g.inW + w0);
            for (int h = h0; h < h1; ++h) {
              const int row = static_cast<int>(base + static_cast<long>(h) * g.inW);
              for (int w = w0; w < w1; ++w) {
                const float v = xs[row + w];
                const bool greater = v > best;
                best = greater ? v : best;
                bestAt = greater ? row + w : bestAt;
              }
            }
            ys[o] = best;
            am[o] = bestAt;
            continue;
          }
          float sum = 0.0f;
          for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) sum += xs[base + static_cast<long>(h) * g.inW + w];
          ys[o] = sum / static_cast<float>((h1 - h0) * (w1 - w0));
        }
      }
  }
}

void PoolLayer::backwardPadded(const Matrix& x, const Matrix& dy, Matrix& dx) {
  const ConvGeometry& g = g_;
  const long B = x.rows(), outSize = g.channels * g.outSpatial();
  dx.setZero(B, x.cols());
#pragma omp parallel for schedule(dynamic, 8)
  for (long s = 0; s < B; ++s) {
    const float* d = dy.row(s).data();
    float* dxs = dx.row(s).data();
    if (max_) {
      for (long o = 0; o < outSize; ++o) dxs[argmax_[s * outSize + o]] += d[o];
      continue;
    }
    for (int c = 0; c < g.channels; ++c)
      for (int oh = 0; oh < g.outH; ++oh) {
        const int h0 = std::max(0, oh * g.sH - g.pH), h1 = std::min(g.inH, oh * g.sH - g.pH + g.kH);
        for (int ow = 0; ow < g.outW; ++ow) {
          const int w0 = std::max(0, ow * g.sW - g.pW), w1 = std::min(g.inW, ow * g.sW - g.pW + g.kW);
          const float v = d[c * g.outSpatial() + static_cast<long>(oh) * g.outW + ow] /
                          static_cast<float>((h1 - h0) * (w1 - w0));
          for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) dxs[c * g.inSpatial() + static_cast<long>(h) * g.inW + w] += v;
        }
      }
  }
}

}  // namespace mmlc::nn
