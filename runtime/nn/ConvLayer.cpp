// Convolution layer implementation and the shared ConvGeometry shape inference.
#include "nn/ConvLayer.h"


#include <algorithm>
#include <cmath>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "nn/Error.h"

namespace mmlc::nn {

ConvGeometry ConvGeometry::from(const Shape& input, const LayerSpec& s, bool twoD, const std::string& name) {
  ConvGeometry g;
  if (twoD && input.rank() != 3)
    throw Error(s.kind + " layer '" + name + "' expects (C,H,W) input, got " + input.str());
  if (!twoD && input.rank() != 2)
    throw Error(s.kind + " layer '" + name + "' expects (C,L) input, got " + input.str());
  g.channels = input.dims[0];
  if (twoD) {
    g.inH = input.dims[1];
    g.inW = input.dims[2];
    g.kH = s.kernelH;
    g.sH = s.strideH;
    g.pH = s.padH;
  } else {
    g.inW = input.dims[1];
  }
  g.kW = s.kernelW;
  g.sW = s.strideW;
  g.pW = s.padW;
  if (g.kH <= 0 || g.kW <= 0 || g.sH <= 0 || g.sW <= 0 || g.pH < 0 || g.pW < 0)
    throw Error(s.kind + " layer '" + name + "' has a non-positive kernel/stride or negative padding");
  if (s.padding == "same") {
    // Keras/TensorFlow "same": ceil(in / stride) outputs, the zeros split with the odd one last.
    g.same = true;
    g.outH = (g.inH + g.sH - 1) / g.sH;
    g.outW = (g.inW + g.sW - 1) / g.sW;
    g.pH = std::max(0, (g.outH - 1) * g.sH + g.kH - g.inH) / 2;
    g.pW = std::max(0, (g.outW - 1) * g.sW + g.kW - g.inW) / 2;
    return g;
  }
  if (!s.padding.empty() && s.padding != "valid")
    throw Error(s.kind + " layer '" + name + "' has unknown padding '" + s.padding + "' (use \"same\" or \"valid\")");
  g.pB = twoD && s.padBottom >= 0 ? s.padBottom : g.pH;
  g.pR = s.padRight >= 0 ? s.padRight : g.pW;
  if (g.pB < 0 || g.pR < 0) throw Error(s.kind + " layer '" + name + "' has negative padding");
  const int spanH = g.inH + g.pH + g.pB - g.kH, spanW = g.inW + g.pW + g.pR - g.kW;
  if (spanH < 0 || spanW < 0)
    throw Error(s.kind + " layer '" + name + "' kernel is larger than its input " + input.str());
  g.outH = spanH / g.sH + 1;
  g.outW = spanW / g.sW + 1;
  return g;
}

ConvLayer::ConvLayer(LayerSpec spec) : Layer(std::move(spec)) {
  if (spec_.units <= 0) throw Error(spec_.kind + " layer '" + spec_.name + "' needs filters > 0");
  if (spec_.kind == "Conv1D") {
    spec_.kernelH = 1;
    spec_.strideH = 1;
    spec_.padH = 0;
    spec_.padBottom = -1;
  }
}

Shape ConvLayer::configure(const Shape& input, Random& rng) {
  const bool twoD = spec_.kind == "Conv2D";
  g_ = ConvGeometry::from(input, spec_, twoD, spec_.name);
  const int F = spec_.units, G = spec_.groups;
  if (G < 1 || g_.channels % G != 0 || F % G != 0)
    throw Error(spec_.kind + " layer '" + spec_.name + "' has groups=" + std::to_string(G) + ", which must divide its " +
                std::to_string(g_.channels) + " input channels and " + std::to_string(F) + " filters");
  const long K = static_cast<long>(g_.channels / G) * g_.kH * g_.kW;  // one group's inputs per filter
  const double fanIn = static_cast<double>(K), fanOut = static_cast<double>(F) * g_.kH * g_.kW;
  const double limit = std::sqrt(6.0 / (fanIn + fanOut));  // Glorot-uniform like Keras
  weight_.name = spec_.name + ".weight";
  weight_.value.resize(F, K);
  for (long i = 0; i < weight_.value.size(); ++i)
    weight_.value.data()[i] = static_cast<float>(rng.uniform(-limit, limit));
  weight_.grad = Matrix::Zero(F, K);
  weight_.mask.resize(0, 0);
  bias_.name = spec_.name + ".bias";
  bias_.value = Matrix::Zero(1, spec_.useBias ? F : 0);
  bias_.grad = Matrix::Zero(1, spec_.useBias ? F : 0);
  bias_.regularised = false;
  winograd_.reset();
  if (twoD && WinogradConv::suits(g_, F, G)) winograd_.emplace(g_, F, WinogradConv::tileSizeFor(g_));
  if (twoD) return Shape{F, g_.outH, g_.outW};
  return Shape{F, g_.outW};
}

namespace {

// Row copies and adds of a few to a few dozen floats (a feature-map row: 4, 7, 14, 28 wide).
// Library memcpy calls and scalar remainder loops dominated im2col on small maps; with AVX-512
// a row is one or two masked vector operations. Element-wise, so results do not depend on it.
inline void copyRow(float* dst, const float* src, int n) {
#if defined(__AVX512F__)
  for (; n >= 16; n -= 16, dst += 16, src += 16) _mm512_storeu_ps(dst, _mm512_loadu_ps(src));
  if (n > 0) {
    const __mmask16 m = static_cast<__mmask16>((1u << n) - 1);
    _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
  }
#else
  std::copy(src, src + n, dst);
#endif
}

inline void addRow(float* dst, const float* src, int n) {
#if defined(__AVX512F__)
  for (; n >= 16; n -= 16, dst += 16, src += 16)
    _mm512_storeu_ps(dst, _mm512_add_ps(_mm512_loadu_ps(dst), _mm512_loadu_ps(src)));
  if (n > 0) {
    const __mmask16 m = static_cast<__mmask16>((1u << n) - 1);
    _mm512_mask_storeu_ps(dst, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst), _mm512_maskz_loadu_ps(m, src)));
  }
#else
  for (int i = 0; i < n; ++i) dst[i] += src[i];
#endif
}

// A per-thread zero-padded channel plane: im2col and col2im index it without bounds checks (the
// zeros of the padding are real zeros there), which replaced per-row clamping and short
// memcpy/memset calls.
std::vector<float>& threadPlane(size_t size) {
  thread_local std::vector<float> plane;
  if (plane.size() < size) plane.resize(size);
  return plane;
}

}  // namespace

void ConvLayer::im2col(const float* x, float* col, long ld) const {
  const ConvGeometry& g = g_;
  const long Hp = g.inH + g.pH + g.padBottom(), Wp = g.inW + g.pW + g.padRight();
  std::vector<float>& storage = threadPlane(static_cast<size_t>(Hp * Wp));
  float* plane = storage.data();
  std::fill(plane, plane + Hp * Wp, 0.0f);  // the border stays zero; each channel overwrites the inside
  long k = 0;
  for (int c = 0; c < g.channels; ++c) {
    const float* xc = x + c * g.inSpatial();
    for (int h = 0; h < g.inH; ++h) copyRow(plane + (g.pH + h) * Wp + g.pW, xc + static_cast<long>(h) * g.inW, g.inW);
    for (int i = 0; i < g.kH; ++i)
      for (int j = 0; j < g.kW; ++j, ++k) {
        float* out = col + k * ld;
        for (int oh = 0; oh < g.outH; ++oh, out += g.outW) {
          const float* src = plane + (static_cast<long>(oh) * g.sH + i) * Wp + j;
          if (g.sW == 1) {
            copyRow(out, src, g.outW);
          } else {
            for (int ow = 0; ow < g.outW; ++ow) out[ow] = src[static_cast<long>(ow) * g.sW];
          }
        }
      }
  }
}

void ConvLayer::col2im(const float* col, long ld, float* dx) const {
  // Each input position sums its taps' gradients in tap order starting from zero (the padding's
  // share lands on the plane's border and is dropped), as a bounds-checked scatter would.
  const ConvGeometry& g = g_;
  const long Hp = g.inH + g.pH + g.padBottom(), Wp = g.inW + g.pW + g.padRight();
  std::vector<float>& storage = threadPlane(static_cast<size_t>(Hp * Wp));
  float* plane = storage.data();
  long k = 0;
  for (int c = 0; c < g.channels; ++c) {
    std::fill(plane, plane + Hp * Wp, 0.0f);
    for (int i = 0; i < g.kH; ++i)
      for (int j = 0; j < g.kW; ++j, ++k) {
        const float* in = col + k * ld;
        for (int oh = 0; oh < g.outH; ++oh, in += g.outW) {
          float* dst = plane + (static_cast<long>(oh) * g.sH + i) * Wp + j;
          if (g.sW == 1) {
            addRow(dst, in, g.outW);
          } else {
            for (int ow = 0; ow < g.outW; ++ow) dst[static_cast<long>(ow) * g.sW] += in[ow];
          }
        }
      }
    float* dc = dx + c * g.inSpatial();
    for (int h = 0; h < g.inH; ++h) copyRow(dc + static_cast<long>(h) * g.inW, plane + (g.pH + h) * Wp + g.pW, g.inW);
  }
}

namespace {

// Per-thread scratch shared by every convolution: a group's im2col and GEMM buffers are
// megabytes, and allocating them on every call cost fresh pages (page faults) on every call of
// every layer. The buffers grow to the largest layer a thread has run and are reused. They are
// Eigen allocations (aligned to EIGEN_MAX_ALIGN_BYTES) seen through aligned maps, as the
// per-call matrices were: Eigen's GEMM may round differently on differently aligned operands,
// which would make results depend on which thread ran a group.
using ScratchMap = Eigen::Map<Matrix, Eigen::AlignedMax>;

struct ConvScratch {
  Matrix a, b, c;
};

ConvScratch& threadScratch() {
  thread_local ConvScratch s;
  return s;
}

ScratchMap scratchMatrix(Matrix& buffer, long rows, long cols) {
  if (buffer.size() < rows * cols) buffer.resize(1, rows * cols);
  return ScratchMap(buffer.data(), rows, cols);
}

}  // namespace

// Samples are processed in groups whose im2col matrices sit side by side (K x group*P), so one
// GEMM covers the whole group: per-sample GEMMs are too small (e.g. 8 x 9 x 676) for Eigen's
// kernels. SampleGroups (ConvGeometry.h) says how many and how large.
SampleGroups SampleGroups::of(long batch, long columnsPerSample) {
  constexpr long kGroupColumns = 4096, kMinGroupColumns = 256;
  const long columns = batch * std::max(1L, columnsPerSample);
  long groups = std::max(1L, (columns + kGroupColumns - 1) / kGroupColumns);
  if (columns >= 2 * kMinGroupColumns && batch >= 2) groups = std::max(2L, groups + groups % 2);
  groups = std::max(1L, std::min(groups, batch));
  return SampleGroups{groups, batch / groups, batch % groups};
}

void ConvLayer::forward(const Matrix& x, Matrix& y, bool) {
  if (winograd_) {
    winograd_->forward(x, weight_.value, bias_.value, y);
    return;
  }
  const long B = x.rows(), F = spec_.units, P = g_.outSpatial(), K = weight_.value.cols();
  const long CG = spec_.groups, FG = F / CG, KAll = K * CG;  // channel groups: filters and patch rows per group
  const SampleGroups groups = SampleGroups::of(B, P);
  const long G = groups.largest();
  y.resize(B, F * P);
#pragma omp parallel if (groups.count > 1)
  {
    ConvScratch& scratch = threadScratch();
    ScratchMap col = scratchMatrix(scratch.a, KAll, G * P), out = scratchMatrix(scratch.b, F, G * P);
#pragma omp for schedule(dynamic, 1)
    for (long gi = 0; gi < groups.count; ++gi) {
      const long first = groups.first(gi), n = groups.size(gi), width = n * P;
      for (long s = 0; s < n; ++s) im2col(x.row(first + s).data(), col.data() + s * P, G * P);
      if (CG == 1)
        out.leftCols(width).noalias() = weight_.value * col.leftCols(width);
      else
        for (long c = 0; c < CG; ++c)
          out.middleRows(c * FG, FG).leftCols(width).noalias() =
              weight_.value.middleRows(c * FG, FG) * col.middleRows(c * K, K).leftCols(width);
      for (long s = 0; s < n; ++s) {
        Eigen::Map<Matrix> ys(y.row(first + s).data(), F, P);
        ys = out.middleCols(s * P, P);
        if (spec_.useBias) ys.colwise() += bias_.value.row(0).transpose();
      }
    }
  }
}

void ConvLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  if (winograd_) {
    winograd_->backward(x, weight_.value, dy, weight_.grad, spec_.useBias ? &bias_.grad : nullptr,
                        inputGradientNeeded_ ? &dx : nullptr);
    if (!inputGradientNeeded_) dx.resize(x.rows(), x.cols());
    return;
  }
  const long B = x.rows(), F = spec_.units, P = g_.outSpatial(), K = weight_.value.cols();
  const long CG = spec_.groups, FG = F / CG, KAll = K * CG;
  const SampleGroups groups = SampleGroups::of(B, P);
  const long G = groups.largest();
  dx.resize(B, x.cols());
  // Each group accumulates into its own gradient buffer and the buffers are summed in group
  // order, so results are bit-identical for any thread count; dynamic scheduling lets an idle
  // core take over groups when the other core is busy with another process.
  std::vector<Matrix> dW(groups.count), db(groups.count);
#pragma omp parallel if (groups.count > 1)
  {
    ConvScratch& scratch = threadScratch();
    ScratchMap col = scratchMatrix(scratch.a, KAll, G * P), dys = scratchMatrix(scratch.b, F, G * P),
               dcol = scratchMatrix(scratch.c, KAll, G * P);
#pragma omp for schedule(dynamic, 1)
    for (long gi = 0; gi < groups.count; ++gi) {
      const long first = groups.first(gi), n = groups.size(gi), width = n * P;
      for (long s = 0; s < n; ++s) {
        im2col(x.row(first + s).data(), col.data() + s * P, G * P);
        dys.middleCols(s * P, P) = Eigen::Map<const Matrix>(dy.row(first + s).data(), F, P);
      }
      if (CG == 1) {
        dW[gi].noalias() = dys.leftCols(width) * col.leftCols(width).transpose();
      } else {
        dW[gi].resize(F, K);
        for (long c = 0; c < CG; ++c)
          dW[gi].middleRows(c * FG, FG).noalias() =
              dys.middleRows(c * FG, FG).leftCols(width) * col.middleRows(c * K, K).leftCols(width).transpose();
      }
      if (spec_.useBias) db[gi] = dys.leftCols(width).rowwise().sum().transpose();
      if (!inputGradientNeeded_) continue;
      if (CG == 1)
        dcol.leftCols(width).noalias() = weight_.value.transpose() * dys.leftCols(width);
      else
        for (long c = 0; c < CG; ++c)
          dcol.middleRows(c * K, K).leftCols(width).noalias() =
              weight_.value.middleRows(c * FG, FG).transpose() * dys.middleRows(c * FG, FG).leftCols(width);
      for (long s = 0; s < n; ++s) col2im(dcol.data() + s * P, G * P, dx.row(first + s).data());
    }
  }
  for (long gi = 0; gi < groups.count; ++gi) {
    weight_.grad += dW[gi];
    if (spec_.useBias) bias_.grad += db[gi];
  }
}

std::vector<Parameter*> ConvLayer::parameters() {
  if (spec_.useBias) return {&weight_, &bias_};
  return {&weight_};
}

}  // namespace mmlc::nn
