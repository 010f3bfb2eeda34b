// Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution for 3x3 stride-1 Conv2D layers: forward pass,
// input gradient and weight gradient as one GEMM per transformed position and group of samples.
#pragma once
#include <vector>

#include "nn/ConvGeometry.h"
#include "nn/Tensor.h"

namespace mmlc::nn {

// Winograd's minimal filtering F(m x m, 3x3) with m = 2 or 4 (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): each m x m output tile is A^T [(G g G^T) . (B^T d B)] A
// of its (m+2) x (m+2) input tile d, so the 9m^2 multiplies per tile, input channel and filter of
// a direct 3x3 convolution become (m+2)^2 (F(2x2): 36 -> 16, F(4x4): 144 -> 36), and the sum over
// input channels becomes one GEMM per transformed position ((m+2)^2 of them, filters x channels
// times channels x tiles). The backward pass is the exact gradient of that computation:
// dM = A dY A^T, the input gradient B (U^T dM) B^T and the weight gradient G^T (dM V^T) G, again
// (m+2)^2 GEMMs each. Results differ from im2col + GEMM only by rounding.
class WinogradConv {
 public:
  // Whether this layer runs faster as Winograd than as im2col + GEMM: a 3x3 kernel with stride 1
  // and one channel group, with at least kMinChannels input channels and filters (with fewer, the
  // transformed GEMMs are too shallow to gain on the fewer multiplies).
  static constexpr int kMinChannels = 16;
  static bool suits(const ConvGeometry& g, int filters, int channelGroups);
  // The output tile size m for a layer that suits: the one with fewer transformed-domain
  // multiplies per filter and channel, tiles(m) * (m+2)^2 (tiles rounded up over the map), and
  // 2 on a tie. F(4x4) does 0.56x F(2x2)'s multiplies on maps of 4k x 4k, 0.73x on 14 x 14, none
  // fewer on 6 x 6.
  static int tileSizeFor(const ConvGeometry& g);

  WinogradConv() = default;
  // tile: the output tile size m, 2 or 4.
  WinogradConv(const ConvGeometry& g, int filters, int tile);
  int tileSize() const { return tile_; }

  // x: batch x C*H*W; weight: F x C*9 (ONNX order); bias: 1 x F or empty. y: batch x F*outH*outW.
  void forward(const Matrix& x, const Matrix& weight, const Matrix& bias, Matrix& y);
  // Adds the weight gradient to wGrad (F x C*9) and, when bGrad is not null, the bias gradient;
  // writes the input gradient to *dx when dx is not null. The gradients are those of the last
  // forward pass (its transformed weights are reused).
  void backward(const Matrix& x, const Matrix& weight, const Matrix& dy, Matrix& wGrad, Matrix* bGrad,
                Matrix* dx);

 private:
  // Where a group's transformed values live: channel (or filter) k's position xi, column j at
  // base[k * rowStride + xi * ld + j]. One GEMM reads position xi of every channel: rows
  // rowStride apart, which is positions * ld plus one spare vector so that those rows do not all
  // fall into the same L1 cache sets (16 * ld floats is a multiple of 4 KiB whenever ld is of 64).
  struct Layout {
    long ld, rowStride;
    Layout(long columns, int positions);
  };
  // The passes for output tiles of M x M (ConvWinograd.cpp instantiates M = 2 and 4).
  template <int M>
  void forwardTiled(const Matrix& x, const Matrix& weight, const Matrix& bias, Matrix& y);
  template <int M>
  void backwardTiled(const Matrix& x, const Matrix& weight, const Matrix& dy, Matrix& wGrad, Matrix* bGrad, Matrix* dx);
  template <int M>
  void transformWeights(const Matrix& weight, std::vector<float>& u) const;
  // Packs u_ (or its transpose: channels x filters per position) for panel::multiply.
  void packTransformedWeights(bool transposed);
  template <int M>
  void transformInput(const float* x, float* v, const Layout& l, long col0) const;
  template <int M>
  void inverseOutput(const float* m, const Layout& l, long col0, const float* bias, float* y) const;
  // Also adds each filter's sum of dY to biasGradient[f] when it is not null.
  template <int M>
  void transformOutputGradient(const float* dy, float* dm, const Layout& l, long col0, float* biasGradient) const;
  template <int M>
  void inverseInputGradient(const float* dv, const Layout& l, long col0, float* dx) const;
  template <int M>
  void addWeightGradient(const std::vector<Matrix>& groupGradients, long groups, Matrix& wGrad) const;
  // Groups of samples a quarter the size of im2col's (about 1,024 output columns): a group's
  // transformed buffers are 2.25x (F(4x4)) to 4x (F(2x2)) its output, and smaller groups keep
  // them in cache and let an idle core take over more evenly (measured with F(2x2) on the ResNet
  // with two threads: 1,434 -> 1,509 samples/s, means of 5 and 6 runs; 8x smaller groups: no
  // further gain). Like SampleGroups, it depends on the batch and the layer's shape only.
  static constexpr long kGroupShrink = 4;
  SampleGroups groups(long batch) const { return SampleGroups::of(batch, kGroupShrink * g_.outSpatial()); }
  int positions() const { return (tile_ + 2) * (tile_ + 2); }

  ConvGeometry g_;
  int filters_ = 0;
  int tile_ = 2;                 // output tile size m
  int tilesH_ = 0, tilesW_ = 0;  // m x m output tiles per column / row
  std::vector<float> u_;         // the last forward pass's transformed weights ((m+2)^2 blocks of F x C)
  std::vector<float> packedU_, packedUt_;  // u_ packed per position, as is and transposed
  std::vector<Matrix> groupWeightGradients_;  // backward's per-group transformed weight gradients
};

}  // namespace mmlc::nn
