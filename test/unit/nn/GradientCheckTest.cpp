// Finite-difference gradient checks for every layer kind and every loss.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nn/Loss.h"
#include "nn/Network.h"
#include "RandomMatrix.h"

using namespace mmlc::nn;
using mmlc::nn::testing::randomMatrix;

namespace {

// Scalar test loss L = sum(output .* R) computed in double; dL/doutput = R.
double projectedLoss(Network& net, const Matrix& x, const Matrix& r, bool training) {
  if (training) net.reseedDropout(7);  // same dropout mask on every evaluation
  const Matrix& y = net.forward(x, training);
  return (y.cast<double>().array() * r.cast<double>().array()).sum();
}

// Compares analytic parameter gradients with central differences.
void checkGradients(Network& net, Matrix x, bool training = true, float eps = 1e-2f, double tol = 2e-2) {
  const Matrix r = randomMatrix(x.rows(), net.outputShape().size(), 99);
  net.zeroGradients();
  projectedLoss(net, x, r, training);
  net.backward(r);
  auto check = [&](float& v, double analytic, const std::string& what) {
    const float saved = v;
    v = saved + eps;
    const double up = projectedLoss(net, x, r, training);
    v = saved - eps;
    const double down = projectedLoss(net, x, r, training);
    v = saved;
    const double numeric = (up - down) / (2.0 * eps);
    EXPECT_NEAR(analytic, numeric, tol * std::max(1.0, std::abs(numeric))) << what;
  };
  for (Parameter* p : net.parameters()) {
    if (!p->trainable) continue;
    const Matrix analytic = p->grad;
    for (long i = 0; i < p->value.size(); ++i) check(p->value.data()[i], analytic.data()[i], p->name + "[" + std::to_string(i) + "]");
  }
}

// Input-gradient check: dL/dx from Layer::backward against central differences over x.
void checkInputGradient(const LayerSpec& spec, const Shape& in, Matrix x, bool training = true, long every = 1,
                        float eps = 1e-2f, double tol = 2e-2) {
  Network net(in, 3);
  net.add(spec);
  Layer& layer = net.layer(0);
  layer.setInputGradientNeeded(true);  // a first layer skips dL/dx by default
  const Matrix r = randomMatrix(x.rows(), net.outputShape().size(), 99);
  net.reseedDropout(7);
  Matrix y;
  layer.forward(x, y, training);
  Matrix dx;
  layer.backward(x, y, r, dx);
  for (long i = 0; i < x.size(); i += every) {
    const float saved = x.data()[i];
    x.data()[i] = saved + eps;
    const double up = projectedLoss(net, x, r, training);
    x.data()[i] = saved - eps;
    const double down = projectedLoss(net, x, r, training);
    x.data()[i] = saved;
    const double numeric = (up - down) / (2.0 * eps);
    EXPECT_NEAR(dx.data()[i], numeric, tol * std::max(1.0, std::abs(numeric))) << spec.kind << " dx[" << i << "]";
  }
}

void checkLayer(const LayerSpec& spec, const Shape& in, const Matrix& x, bool training = true) {
  Network net(in, 11);
  net.add(spec);
  checkGradients(net, x, training);
  checkInputGradient(spec, in, x, training);
}

// Inputs bounded away from 0 so element-wise kinks (ReLU) are never crossed by +-eps.
Matrix awayFromZero(long rows, long cols, uint64_t seed) {
  Matrix m = randomMatrix(rows, cols, seed);
  for (long i = 0; i < m.size(); ++i) {
    float& v = m.data()[i];
    if (std::abs(v) < 0.1f) v = v < 0 ? -0.1f - std::abs(v) : 0.1f + v;
  }
  return m;
}

// Distinct values spaced far apart so max-pool argmaxes never change under +-eps.
Matrix distinctValues(long rows, long cols, uint64_t seed) {
  Random rng(seed);
  std::vector<float> v(rows * cols);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.1f * static_cast<float>(i) - 0.05f * v.size();
  for (long i = static_cast<long>(v.size()) - 1; i > 0; --i) std::swap(v[i], v[rng.below(i + 1)]);
  return Eigen::Map<Matrix>(v.data(), rows, cols);
}

}  // namespace

TEST(GradientCheck, Dense) { checkLayer(layers::dense(4), Shape{5}, randomMatrix(3, 5, 1)); }
TEST(GradientCheck, DenseWithoutBias) { checkLayer(layers::dense(3, false), Shape{4}, randomMatrix(2, 4, 2)); }
TEST(GradientCheck, ReLU) { checkLayer(layers::relu(), Shape{6}, awayFromZero(3, 6, 3)); }
TEST(GradientCheck, LeakyReLU) { checkLayer(layers::leakyRelu(0.2f), Shape{6}, awayFromZero(3, 6, 4)); }
TEST(GradientCheck, Sigmoid) { checkLayer(layers::sigmoid(), Shape{6}, randomMatrix(3, 6, 5)); }
TEST(GradientCheck, Tanh) { checkLayer(layers::tanh(), Shape{6}, randomMatrix(3, 6, 6)); }
TEST(GradientCheck, Softmax) { checkLayer(layers::softmax(), Shape{5}, randomMatrix(3, 5, 7)); }
TEST(GradientCheck, SoftmaxOverLastAxis) { checkLayer(layers::softmax(), Shape{2, 4}, randomMatrix(2, 8, 8)); }
TEST(GradientCheck, DropoutTraining) { checkLayer(layers::dropout(0.4f), Shape{8}, randomMatrix(3, 8, 9)); }
TEST(GradientCheck, DropoutInference) { checkLayer(layers::dropout(0.4f), Shape{8}, randomMatrix(3, 8, 9), false); }
TEST(GradientCheck, Flatten) { checkLayer(layers::flatten(), Shape{2, 3, 2}, randomMatrix(2, 12, 10)); }
TEST(GradientCheck, Reshape) { checkLayer(layers::reshape({3, -1}), Shape{12}, randomMatrix(2, 12, 10)); }
TEST(GradientCheck, Transpose) { checkLayer(layers::transpose({2, 0, 1}), Shape{2, 3, 4}, randomMatrix(2, 24, 11)); }
TEST(GradientCheck, Conv1D) { checkLayer(layers::conv1d(3, 3, 1, 1), Shape{2, 7}, randomMatrix(3, 14, 12)); }
TEST(GradientCheck, Conv1DStrided) { checkLayer(layers::conv1d(2, 2, 2, 0), Shape{2, 7}, randomMatrix(2, 14, 13)); }
TEST(GradientCheck, Conv2D) { checkLayer(layers::conv2d(3, 3, 1, 0), Shape{2, 5, 5}, randomMatrix(3, 50, 14)); }
TEST(GradientCheck, Conv2DPaddedStrided) { checkLayer(layers::conv2d(2, 3, 2, 1), Shape{2, 6, 5}, randomMatrix(2, 60, 15)); }
// "same" padding with stride 2 on an even input: the odd zero row/column lands below/right only.
TEST(GradientCheck, Conv2DSameStrided) {
  checkLayer(layers::same(layers::conv2d(2, 3, 2, 0)), Shape{2, 6, 6}, randomMatrix(2, 72, 16));
}
// 38x38 outputs (1,444 columns per sample, rows wider than one 16-float vector) split 5 samples
// into two im2col groups (3 and 2).
TEST(GradientCheck, Conv2DAcrossSampleGroups) {
  const Matrix x = randomMatrix(5, 1600, 24);
  Network net(Shape{1, 40, 40}, 11);
  net.add(layers::conv2d(2, 3));
  checkGradients(net, x);
  checkInputGradient(layers::conv2d(2, 3), Shape{1, 40, 40}, x, true, 37);  // a sample of inputs in every group
}
// The activations of framework exports and the layers ONNX import brings.
LayerSpec act(const char* kind, float alpha, float beta) {
  LayerSpec s;
  s.kind = kind;
  s.alpha = alpha;
  s.beta = beta;
  return s;
}
TEST(GradientCheck, ELU) { checkLayer(act("ELU", 0.7f, 0), Shape{6}, awayFromZero(3, 6, 50)); }
TEST(GradientCheck, SELU) { checkLayer(act("SELU", 1.6732632f, 1.050701f), Shape{6}, awayFromZero(3, 6, 51)); }
TEST(GradientCheck, HardSigmoid) { checkLayer(act("HardSigmoid", 0.2f, 0.5f), Shape{6}, randomMatrix(3, 6, 52)); }
TEST(GradientCheck, Clip) { checkLayer(act("Clip", -0.5f, 0.6f), Shape{6}, randomMatrix(3, 6, 53)); }
TEST(GradientCheck, Softplus) { checkLayer(act("Softplus", 0, 0), Shape{6}, randomMatrix(3, 6, 54)); }
TEST(GradientCheck, Softsign) { checkLayer(act("Softsign", 0, 0), Shape{6}, awayFromZero(3, 6, 55)); }
TEST(GradientCheck, PReLU) { checkLayer(act("PReLU", 0, 0), Shape{2, 3}, awayFromZero(3, 6, 56)); }
TEST(GradientCheck, Upsample2D) { checkLayer(layers::upsample(2, 3), Shape{2, 2, 3}, randomMatrix(2, 12, 57)); }
TEST(GradientCheck, Upsample1D) { checkLayer(layers::upsample(1, 2), Shape{2, 3}, randomMatrix(2, 6, 58)); }
TEST(GradientCheck, GroupedConv2D) {
  checkLayer(layers::grouped(layers::conv2d(4, 3, 1, 1), 2), Shape{2, 4, 4}, randomMatrix(2, 32, 59));
}
TEST(GradientCheck, DepthwiseConv2DAsymmetricPads) {
  LayerSpec s = layers::grouped(layers::conv2d(3, 3, 2, 0), 3);
  s.padBottom = 1;  // zeros below and right only (a Pad node of an export)
  s.padRight = 2;
  checkLayer(s, Shape{3, 5, 5}, randomMatrix(2, 75, 60));
}

TEST(GradientCheck, MaxPool2D) { checkLayer(layers::maxPool(2), Shape{2, 4, 4}, distinctValues(2, 32, 16)); }
// 2x2 stride-2 max pooling over rows of 18 outputs (two vector chunks) and an odd input width
// (the last column is not pooled).
TEST(GradientCheck, MaxPool2DWideRows) { checkLayer(layers::maxPool(2), Shape{2, 4, 37}, distinctValues(2, 296, 59)); }
// "Same" padding (windows clipped at the bottom/right): PoolLayer::forwardPadded/backwardPadded.
TEST(GradientCheck, MaxPool2DSamePadding) {
  checkLayer(layers::same(layers::maxPool(2)), Shape{2, 7, 7}, distinctValues(2, 98, 60));
  checkLayer(layers::same(layers::maxPool(3, 2)), Shape{1, 7, 6}, distinctValues(2, 42, 61));
}

// Max pooling against a plain reference (running max from -inf, strictly greater wins,
// argmax the window's first value when none is): values and the input each gradient reaches, with
// many ties and -inf inputs. 2x2 windows with stride 2 take the AVX-512 path (wide rows: two
// blocks of 16 outputs), 3x3 ones the scalar loop.
namespace {
void checkMaxPool(int C, int H, int W, int k, int st, uint64_t seed, bool same = true) {
  // "same": ceil(size / stride); "valid": whole windows only.
  const int outH = same ? (H + st - 1) / st : (H - k) / st + 1, outW = same ? (W + st - 1) / st : (W - k) / st + 1;
  Network net(Shape{C, H, W}, 1);
  net.add(same ? layers::same(layers::maxPool(k, st)) : layers::maxPool(k, st));
  ASSERT_EQ(net.outputShape(), (Shape{C, outH, outW}));
  Random rng(seed);
  const long B = 3;
  Matrix x(B, C * H * W);
  for (long i = 0; i < x.size(); ++i) {
    const auto r = rng.below(8);
    x.data()[i] = r == 0 ? -std::numeric_limits<float>::infinity() : static_cast<float>(r % 3);  // ties
  }
  Layer& pool = net.layer(0);
  pool.setInputGradientNeeded(true);
  Matrix y, dx;
  pool.forward(x, y, true);
  const Matrix dy = randomMatrix(B, C * outH * outW, seed + 1);
  dx = Matrix::Constant(B, C * H * W, std::numeric_limits<float>::quiet_NaN());  // every value must be written
  pool.backward(x, y, dy, dx);
  // TensorFlow's "same": total padding (out - 1) * stride + k - in, the smaller half above/left.
  const int padH = same ? std::max(0, (outH - 1) * st + k - H) / 2 : 0;
  const int padW = same ? std::max(0, (outW - 1) * st + k - W) / 2 : 0;
  Matrix wantY(B, C * outH * outW), wantDx = Matrix::Zero(B, C * H * W);
  for (long s = 0; s < B; ++s)
    for (int c = 0; c < C; ++c)
      for (int oh = 0; oh < outH; ++oh)
        for (int ow = 0; ow < outW; ++ow) {
          const int h0 = std::max(0, oh * st - padH), h1 = std::min(H, oh * st - padH + k);
          const int w0 = std::max(0, ow * st - padW), w1 = std::min(W, ow * st - padW + k);
          float best = -std::numeric_limits<float>::infinity();
          long at = c * H * W + h0 * W + w0;
          for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w)
              if (x(s, c * H * W + h * W + w) > best) {
                best = x(s, c * H * W + h * W + w);
                at = c * H * W + h * W + w;
              }
          const long o = (c * outH + oh) * outW + ow;
          wantY(s, o) = best;
          wantDx(s, at) += dy(s, o);
        }
  EXPECT_EQ(y, wantY) << k << "x" << k << " on " << H << "x" << W;
  EXPECT_EQ(dx, wantDx) << k << "x" << k << " on " << H << "x" << W;
}
}  // namespace

TEST(GradientCheck, MaxPool2DSamePaddingMatchesReference) {
  checkMaxPool(3, 7, 5, 3, 2, 62);
  checkMaxPool(4, 7, 7, 2, 2, 64);
  checkMaxPool(2, 5, 37, 2, 2, 66);
  checkMaxPool(2, 3, 3, 2, 2, 68);
}

// Unpadded pooling against the same reference; odd sizes leave a last row and column that no
// window covers (their gradient is 0).
TEST(GradientCheck, MaxPool2DMatchesReference) {
  checkMaxPool(3, 7, 5, 2, 2, 70, false);
  checkMaxPool(2, 6, 37, 2, 2, 72, false);
  checkMaxPool(2, 7, 8, 3, 2, 74, false);
}

TEST(GradientCheck, MaxPool2DOverlapping) { checkLayer(layers::maxPool(3, 1), Shape{1, 4, 5}, distinctValues(2, 20, 17)); }
TEST(GradientCheck, MaxPool1D) { checkLayer(layers::maxPool1d(2), Shape{3, 6}, distinctValues(2, 18, 18)); }
TEST(GradientCheck, AveragePool2D) { checkLayer(layers::averagePool(2), Shape{2, 4, 6}, randomMatrix(2, 48, 19)); }
TEST(GradientCheck, AveragePool1D) { checkLayer(layers::averagePool1d(3, 1), Shape{2, 6}, randomMatrix(2, 12, 20)); }
TEST(GradientCheck, BatchNormDense) { checkLayer(layers::batchNorm(), Shape{4}, randomMatrix(6, 4, 21)); }
TEST(GradientCheck, BatchNormConv) { checkLayer(layers::batchNorm(), Shape{3, 2, 2}, randomMatrix(4, 12, 22)); }
TEST(GradientCheck, BatchNormInference) { checkLayer(layers::batchNorm(), Shape{4}, randomMatrix(5, 4, 23), false); }

TEST(GradientCheck, SmallCnnEndToEnd) {
  Network net(Shape{1, 6, 6}, 5);
  net.add(layers::conv2d(2, 3, 1, 1)).add(layers::tanh()).add(layers::averagePool(2)).add(layers::flatten())
      .add(layers::dense(3)).add(layers::sigmoid());
  checkGradients(net, randomMatrix(2, 36, 30));
}

// Loss gradients with respect to the network output.
namespace {
void checkLoss(LossKind kind, const Matrix& out, const Matrix& target) {
  Matrix grad;
  computeLoss(kind, out, target, &grad);
  const float eps = 1e-3f;
  for (long i = 0; i < out.size(); ++i) {
    Matrix up = out, down = out;
    up.data()[i] += eps;
    down.data()[i] -= eps;
    const double numeric = (static_cast<double>(computeLoss(kind, up, target, nullptr)) -
                            computeLoss(kind, down, target, nullptr)) / (2.0 * eps);
    EXPECT_NEAR(grad.data()[i], numeric, 2e-2 * std::max(1.0, std::abs(numeric))) << lossName(kind) << "[" << i << "]";
  }
}
Matrix oneHotRows(long rows, long cols) {
  Matrix t = Matrix::Zero(rows, cols);
  for (long r = 0; r < rows; ++r) t(r, (r * 7 + 1) % cols) = 1.0f;
  return t;
}
Matrix probabilities(long rows, long cols, uint64_t seed) {
  Matrix p = randomMatrix(rows, cols, seed).array().exp();
  for (long r = 0; r < rows; ++r) p.row(r) /= p.row(r).sum();
  return p;
}
}  // namespace

TEST(LossGradient, CrossEntropyFromLogits) { checkLoss(LossKind::CrossEntropyFromLogits, randomMatrix(4, 5, 40), oneHotRows(4, 5)); }
TEST(LossGradient, CrossEntropyFromSoftmax) { checkLoss(LossKind::CrossEntropy, probabilities(4, 5, 41), oneHotRows(4, 5)); }
TEST(LossGradient, BinaryCrossEntropy) {
  Matrix p = (randomMatrix(4, 3, 42).array().tanh() * 0.4f + 0.5f).matrix();
  Matrix t = (randomMatrix(4, 3, 43).array() > 0.0f).cast<float>().matrix();
  checkLoss(LossKind::BinaryCrossEntropy, p, t);
}
TEST(LossGradient, BinaryCrossEntropyFromLogits) {
  checkLoss(LossKind::BinaryCrossEntropyFromLogits, randomMatrix(4, 3, 44),
            (randomMatrix(4, 3, 45).array() > 0.0f).cast<float>().matrix());
}
TEST(LossGradient, MeanSquaredError) { checkLoss(LossKind::MeanSquaredError, randomMatrix(4, 3, 46), randomMatrix(4, 3, 47)); }

TEST(LossValue, SoftmaxThenCrossEntropyEqualsFusedForm) {
  Matrix z = randomMatrix(3, 4, 50), t = oneHotRows(3, 4);
  Network sm(Shape{4});
  sm.add(layers::softmax());
  const Matrix p = sm.forward(z);
  EXPECT_NEAR(computeLoss(LossKind::CrossEntropy, p, t, nullptr), computeLoss(LossKind::CrossEntropyFromLogits, z, t, nullptr), 1e-5);
}
