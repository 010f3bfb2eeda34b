// Pooling layers; max pooling remembers the argmax so backward routes the gradient to one input.
#include "nn/PoolLayer.h"

#include <limits>

#include "nn/Error.h"

namespace mmlc::nn {

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
  const ConvGeometry& g = g_;
  const long B = x.rows(), outSize = g.channels * g.outSpatial();
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

}  // namespace mmlc::nn
