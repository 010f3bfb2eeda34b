// Winograd F(2x2, 3x3) convolution for 3x3 stride-1 Conv2D layers: forward pass, input gradient
// and weight gradient as 16 GEMMs per group of samples in the transformed domain.
#pragma once
#include <vector>

#include "nn/ConvGeometry.h"
#include "nn/Tensor.h"

namespace mmlc::nn {

// Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016): each 2x2 output tile is A^T [(G g G^T) . (B^T d B)] A of its 4x4 input
// tile d, so the 36 multiplies per tile, input channel and filter of a direct 3x3 convolution
// become 16, and the sum over input channels becomes one GEMM per transformed position (16 of
// them, filters x channels times channels x tiles). The backward pass is the exact gradient of
// that computation: dM = A dY A^T, the input gradient B (U^T dM) B^T and the weight gradient
// G^T (dM V^T) G, again 16 GEMMs each. Results differ from im2col + GEMM only by rounding.
class WinogradConv {
 public:
  // Whether this layer runs faster as Winograd than as im2col + GEMM: a 3x3 kernel with stride 1
  // and one channel group, with at least kMinChannels input channels and filters (with fewer, the
  // transformed GEMMs are too shallow to gain on the 2.25x fewer multiplies).
  static constexpr int kMinChannels = 16;
  static bool suits(const ConvGeometry& g, int filters, int channelGroups);

  WinogradConv() = default;
  WinogradConv(const ConvGeometry& g, int filters);

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
  // rowStride apart, which is 16 * ld plus one spare vector so that those rows do not all fall
  // into the same L1 cache sets (16 * ld floats is a multiple of 4 KiB whenever ld is of 64).
  struct Layout {
    long ld, rowStride;
    explicit Layout(long columns);
  };
  void transformWeights(const Matrix& weight, std::vector<float>& u) const;
  // Packs u_ (or its transpose: channels x filters per position) for panel::multiply.
  void packTransformedWeights(bool transposed);
  void transformInput(const float* x, float* v, const Layout& l, long col0) const;
  void inverseOutput(const float* m, const Layout& l, long col0, const float* bias, float* y) const;
  // Also adds each filter's sum of dY to biasGradient[f] when it is not null.
  void transformOutputGradient(const float* dy, float* dm, const Layout& l, long col0, float* biasGradient) const;
  void inverseInputGradient(const float* dv, const Layout& l, long col0, float* dx) const;
  // Groups of samples a quarter the size of im2col's (about 1,024 output columns): the 16
  // transformed buffers of a group are 4x its output, and smaller groups keep them in cache and
  // let an idle core take over more evenly (measured on the ResNet with two threads: 1,434 ->
  // 1,509 samples/s, means of 5 and 6 runs; 8x smaller groups: no further gain). Like
  // SampleGroups, it depends on the batch and the layer's shape only.
  static constexpr long kGroupShrink = 4;
  SampleGroups groups(long batch) const { return SampleGroups::of(batch, kGroupShrink * g_.outSpatial()); }

  ConvGeometry g_;
  int filters_ = 0;
  int tilesH_ = 0, tilesW_ = 0;  // 2x2 output tiles per column / row
  std::vector<float> u_;         // the last forward pass's transformed weights (16 blocks of F x C)
  std::vector<float> packedU_, packedUt_;  // u_ packed per position, as is and transposed
  std::vector<Matrix> groupWeightGradients_;  // backward's per-group transformed weight gradients
};

}  // namespace mmlc::nn
