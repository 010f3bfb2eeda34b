// BatchNormalization forward (batch or running statistics) and the standard closed-form backward,
// optionally with a following ReLU applied in the same passes (Layer::fusesRelu).
#include "nn/BatchNormLayer.h"

#include <algorithm>
#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace mmlc::nn {

namespace {
// Below this many values per batch a parallel region costs more than it saves.
constexpr long kParallelElements = 1L << 15;

// The kernels below serve the plain and the ReLU-fused layer alike (template flag Relu), so the
// two compute exactly the same float operations. The backward passes are AVX-512 (Eigen 3.4's
// expressions spilled their scalar constants to the stack here and its select() is not
// vectorised), with a scalar equivalent for other targets.

// y = x * scale + shift over n values (then max(., 0) when Relu, as the ReLU layer computes it:
// std::max(v, 0) like Eigen's max). Multiply and add are separate statements, so each is rounded
// (no contraction into a fused multiply-add), as the backward's mask recomputes them.
template <bool Relu>
inline void affine(const float* x, float* y, long n, float scale, float shift) {
  for (long i = 0; i < n; ++i) {
    float v = x[i] * scale;
    v += shift;
    y[i] = Relu ? std::max(v, 0.0f) : v;
  }
}

// The affine map of one channel in the last forward; the fused backward recomputes the BN output
// v = x * scale + shift from it and masks dy where v <= 0 (the ReLU's backward: its input v is
// > 0 exactly where its output is), so it reads neither v (never stored) nor the ReLU's output.
struct ChannelMap {
  float scale, shift;
};

constexpr int kLanes = 16;

#if defined(__AVX512F__)
// dy at [i, i + 16) (lanes outside `in` are 0), masked where v <= 0 when Relu.
template <bool Relu>
inline __m512 gradLanes(const float* dy, __m512 x, __mmask16 in, long i, ChannelMap map) {
  const __m512 g = _mm512_maskz_loadu_ps(in, dy + i);
  if (!Relu) return g;
  const __m512 v = _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(map.scale)), _mm512_set1_ps(map.shift));
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ), g);
}
inline __mmask16 lanesIn(long left) {
  return left >= kLanes ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
}
#else
template <bool Relu>
inline float gradAt(const float* dy, const float* x, long i, ChannelMap map) {
  const float d = dy[i];
  if (!Relu) return d;
  float v = x[i] * map.scale;
  v += map.shift;
  return v > 0.0f ? d : 0.0f;
}
#endif

// Sums of g and g * (x - mean) * inv over n values (g: dy, masked when Relu) in an order that
// depends only on n: lane l of kLanes running sums takes the values i % kLanes == l, then the
// lanes are reduced.
template <bool Relu>
inline void gradSums(const float* dy, const float* x, long n, float mean, float inv, ChannelMap map, float& sumG,
                     float& sumGXhat) {
#if defined(__AVX512F__)
  const __m512 vmean = _mm512_set1_ps(mean), vinv = _mm512_set1_ps(inv);
  __m512 a = _mm512_setzero_ps(), b = _mm512_setzero_ps();
  for (long i = 0; i < n; i += kLanes) {
    const __mmask16 in = lanesIn(n - i);
    const __m512 xv = _mm512_maskz_loadu_ps(in, x + i);
    const __m512 g = gradLanes<Relu>(dy, xv, in, i, map);
    a = _mm512_add_ps(a, g);
    b = _mm512_fmadd_ps(g, _mm512_mul_ps(_mm512_sub_ps(xv, vmean), vinv), b);
  }
  sumG = _mm512_reduce_add_ps(a);
  sumGXhat = _mm512_reduce_add_ps(b);
#else
  float a[kLanes] = {}, b[kLanes] = {};
  for (long i = 0; i < n; ++i) {
    const float g = gradAt<Relu>(dy, x, i, map);
    a[i % kLanes] += g;
    b[i % kLanes] += g * ((x[i] - mean) * inv);
  }
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int l = 0; l < w; ++l) {
      a[l] += a[l + w];
      b[l] += b[l + w];
    }
  sumG = a[0];
  sumGXhat = b[0];
#endif
}

// dx = k * (n * g - a - (x - mean) * inv * b) over S values: the closed-form batch-statistics
// backward; with n = 1 and a = b = 0 it is k * g, the inference backward.
template <bool Relu>
inline void gradInput(const float* dy, const float* x, float* dx, long S, float mean, float inv, ChannelMap map, float k,
                      float n, float a, float b) {
#if defined(__AVX512F__)
  const __m512 vmean = _mm512_set1_ps(mean), vinv = _mm512_set1_ps(inv);
  const __m512 vk = _mm512_set1_ps(k), vn = _mm512_set1_ps(n), va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
  for (long i = 0; i < S; i += kLanes) {
    const __mmask16 in = lanesIn(S - i);
    const __m512 xv = _mm512_maskz_loadu_ps(in, x + i);
    const __m512 g = gradLanes<Relu>(dy, xv, in, i, map);
    const __m512 xhat = _mm512_mul_ps(_mm512_sub_ps(xv, vmean), vinv);
    const __m512 t = _mm512_sub_ps(_mm512_sub_ps(_mm512_mul_ps(vn, g), va), _mm512_mul_ps(xhat, vb));
    _mm512_mask_storeu_ps(dx + i, in, _mm512_mul_ps(vk, t));
  }
#else
  for (long i = 0; i < S; ++i) {
    const float xhat = (x[i] - mean) * inv, t = n * gradAt<Relu>(dy, x, i, map) - a, u = xhat * b;
    dx[i] = k * (t - u);
  }
#endif
}
}  // namespace

Shape BatchNormLayer::configure(const Shape& input, Random&) {
  channels_ = input.dims[0];
  spatial_ = input.size() / channels_;
  auto init = [&](Parameter& p, const char* suffix, float v, bool trainable) {
    p.name = spec_.name + "." + suffix;
    p.value = Matrix::Constant(1, channels_, v);
    p.grad = Matrix::Zero(1, channels_);
    p.regularised = false;
    p.trainable = trainable;
  };
  init(gamma_, "scale", 1.0f, true);
  init(beta_, "bias", 0.0f, true);
  init(mean_, "mean", 0.0f, false);
  init(variance_, "var", 1.0f, false);
  return input;
}

void BatchNormLayer::forward(const Matrix& x, Matrix& y, bool training) { forwardImpl<false>(x, y, training); }
void BatchNormLayer::forwardFusedRelu(const Matrix& x, Matrix& z, bool training) { forwardImpl<true>(x, z, training); }
void BatchNormLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  backwardImpl<false>(x, dy, dx);
}
// The mask comes from the recomputed BN output (ChannelMap), equal to z > 0, so z is not read.
void BatchNormLayer::backwardFusedRelu(const Matrix& x, const Matrix&, const Matrix& dz, Matrix& dx) {
  backwardImpl<true>(x, dz, dx);
}

namespace {
// Runs f(first, end) over blocks of kRowBlock rows (samples), in parallel when the batch is large
// enough. Rows are independent and per-channel sums are added afterwards in row order, so results
// do not depend on the thread count. Row order walks the memory as it lies; a channel at a time
// touched one short segment per row (64 bytes per row on 4x4 maps) and waited on memory.
constexpr long kRowBlock = 4;
template <class F>
void forRowBlocks(long B, long cols, F&& f) {
  const long blocks = (B + kRowBlock - 1) / kRowBlock;
#pragma omp parallel for schedule(dynamic, 1) if (B * cols >= kParallelElements)
  for (long k = 0; k < blocks; ++k) f(k * kRowBlock, std::min(B, (k + 1) * kRowBlock));
}
}  // namespace

template <bool Relu>
void BatchNormLayer::forwardImpl(const Matrix& x, Matrix& y, bool training) {
  const long B = x.rows(), C = channels_, S = spatial_;
  y.resize(B, x.cols());
  lastWasTraining_ = training;
  scale_.resize(C);
  shift_.resize(C);
  if (training) {
    // Statistics in double: per-channel sums over up to millions of values lose precision in float.
    // Each row's segment (one sample's map, at most thousands of values) is summed in float by
    // Eigen's vectorised reductions and added in double: converting every value to double halved
    // the speed of this pass.
    const double n = static_cast<double>(B * S);
    invStd_.resize(C);
    batchMean_.resize(C);
    partial_.resize(static_cast<size_t>(2 * B * C));
    forRowBlocks(B, x.cols(), [&](long r0, long r1) {
      for (long r = r0; r < r1; ++r)
        for (long c = 0; c < C; ++c) {
          auto seg = x.row(r).segment(c * S, S);
          partial_[2 * (r * C + c)] = seg.sum();
          partial_[2 * (r * C + c) + 1] = seg.squaredNorm();
        }
    });
    for (long c = 0; c < C; ++c) {
      double sum = 0, sq = 0;
      for (long r = 0; r < B; ++r) {
        sum += static_cast<double>(partial_[2 * (r * C + c)]);
        sq += static_cast<double>(partial_[2 * (r * C + c) + 1]);
      }
      const double mean = sum / n;
      const double var = std::max(0.0, sq / n - mean * mean);
      invStd_(c) = static_cast<float>(1.0 / std::sqrt(var + spec_.epsilon));
      batchMean_(c) = static_cast<float>(mean);
      const float m = spec_.momentum;
      mean_.value(0, c) = m * mean_.value(0, c) + (1 - m) * static_cast<float>(mean);
      variance_.value(0, c) = m * variance_.value(0, c) + (1 - m) * static_cast<float>(var);
      // y = g * xhat + b with xhat = (x - mean) * invStd, as one multiply and one add per value.
      const float g = gamma_.value(0, c), b = beta_.value(0, c);
      const float scale = g * invStd_(c);
      scale_(c) = scale;
      shift_(c) = b - batchMean_(c) * scale;
    }
  } else {
    for (long c = 0; c < C; ++c) {
      const float inv = 1.0f / std::sqrt(variance_.value(0, c) + spec_.epsilon);
      const float scale = gamma_.value(0, c) * inv;
      scale_(c) = scale;
      shift_(c) = beta_.value(0, c) - mean_.value(0, c) * scale;
    }
  }
  forRowBlocks(B, x.cols(), [&](long r0, long r1) {
    for (long r = r0; r < r1; ++r)
      for (long c = 0; c < C; ++c) affine<Relu>(x.row(r).data() + c * S, y.row(r).data() + c * S, S, scale_(c), shift_(c));
  });
}

// dy is dL/d(BN output), or with Relu dL/d(ReLU output), masked here where the BN output was <= 0.
template <bool Relu>
void BatchNormLayer::backwardImpl(const Matrix& x, const Matrix& dy, Matrix& dx) {
  const long B = x.rows(), C = channels_, S = spatial_;
  dx.resize(B, x.cols());
  partial_.resize(static_cast<size_t>(2 * B * C));
  // Per channel: the statistics the forward normalised with, and dx = k * (n * g - a - xhat * b)
  // (inference statistics are constants, a per-channel affine map: n = 1, a = b = 0).
  Eigen::VectorXf mean(C), inv(C), k(C), a = Eigen::VectorXf::Zero(C), b = Eigen::VectorXf::Zero(C);
  for (long c = 0; c < C; ++c) {
    if (lastWasTraining_) {
      mean(c) = batchMean_(c);
      inv(c) = invStd_(c);
    } else {
      mean(c) = mean_.value(0, c);
      inv(c) = 1.0f / std::sqrt(variance_.value(0, c) + spec_.epsilon);
      k(c) = gamma_.value(0, c) * inv(c);
    }
  }
  const float n = lastWasTraining_ ? static_cast<float>(B * S) : 1.0f;
  auto at = [&](const Matrix& m, long r, long c) { return m.row(r).data() + c * S; };
  auto sums = [&](long r, long c) {
    float sg, sgx;
    gradSums<Relu>(at(dy, r, c), at(x, r, c), S, mean(c), inv(c), ChannelMap{scale_(c), shift_(c)}, sg, sgx);
    partial_[2 * (r * C + c)] = sg;
    partial_[2 * (r * C + c) + 1] = sgx;
  };
  auto input = [&](long r, long c) {
    gradInput<Relu>(at(dy, r, c), at(x, r, c), dx.row(r).data() + c * S, S, mean(c), inv(c),
                    ChannelMap{scale_(c), shift_(c)}, k(c), n, a(c), b(c));
  };
  auto parameterGradients = [&] {
    for (long c = 0; c < C; ++c) {
      double sumDy = 0, sumDyXhat = 0;
      for (long r = 0; r < B; ++r) {
        sumDy += partial_[2 * (r * C + c)];
        sumDyXhat += partial_[2 * (r * C + c) + 1];
      }
      gamma_.grad(0, c) += static_cast<float>(sumDyXhat);
      beta_.grad(0, c) += static_cast<float>(sumDy);
      if (lastWasTraining_) {
        k(c) = gamma_.value(0, c) * inv(c) / n;
        a(c) = static_cast<float>(sumDy);
        b(c) = static_cast<float>(sumDyXhat);
      }
    }
  };
  if (!lastWasTraining_) {  // dx does not depend on the sums: one pass
    forRowBlocks(B, x.cols(), [&](long r0, long r1) {
      for (long r = r0; r < r1; ++r)
        for (long c = 0; c < C; ++c) {
          sums(r, c);
          input(r, c);
        }
    });
    parameterGradients();
    return;
  }
  forRowBlocks(B, x.cols(), [&](long r0, long r1) {
    for (long r = r0; r < r1; ++r)
      for (long c = 0; c < C; ++c) sums(r, c);
  });
  parameterGradients();
  forRowBlocks(B, x.cols(), [&](long r0, long r1) {
    for (long r = r0; r < r1; ++r)
      for (long c = 0; c < C; ++c) input(r, c);
  });
}

}  // namespace mmlc::nn
