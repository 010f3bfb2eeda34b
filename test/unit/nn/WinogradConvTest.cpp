// Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution: which layers use it with which tile size, and
// its forward pass, weight, bias and input gradients against a direct convolution computed in
// double, on odd and even maps, every padding and batches split into several sample groups.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/ConvLayer.h"
#include "nn/Network.h"
#include "RandomMatrix.h"

using namespace mmlc::nn;
using mmlc::nn::testing::randomMatrix;

namespace {

const ConvLayer& convOf(const Network& net) { return dynamic_cast<const ConvLayer&>(net.layer(0)); }

// Direct 3x3 correlation in double over the layer's geometry: y[f][oh][ow] = b[f] +
// sum_c,i,j w[f][c][i][j] x[c][oh*s + i - pH][ow*s + j - pW] (zero outside the input).
struct Reference {
  Eigen::MatrixXd y, dW, dx;
  Eigen::VectorXd db;
};

Reference direct(const ConvGeometry& g, int F, const Matrix& w, const Matrix& b, const Matrix& x, const Matrix& dy) {
  const long B = x.rows(), C = g.channels;
  Reference r;
  r.y = Eigen::MatrixXd::Zero(B, F * g.outSpatial());
  r.dW = Eigen::MatrixXd::Zero(F, C * 9);
  r.dx = Eigen::MatrixXd::Zero(B, x.cols());
  r.db = Eigen::VectorXd::Zero(F);
  for (long s = 0; s < B; ++s)
    for (int f = 0; f < F; ++f)
      for (int oh = 0; oh < g.outH; ++oh)
        for (int ow = 0; ow < g.outW; ++ow) {
          const long o = (static_cast<long>(f) * g.outH + oh) * g.outW + ow;
          double acc = b.size() ? b(0, f) : 0.0;
          const double d = dy(s, o);
          r.db(f) += d;
          for (long c = 0; c < C; ++c)
            for (int i = 0; i < 3; ++i)
              for (int j = 0; j < 3; ++j) {
                const int h = oh * g.sH + i - g.pH, v = ow * g.sW + j - g.pW;
                if (h < 0 || h >= g.inH || v < 0 || v >= g.inW) continue;
                const long xi = (c * g.inH + h) * g.inW + v, wi = c * 9 + i * 3 + j;
                acc += static_cast<double>(w(f, wi)) * x(s, xi);
                r.dW(f, wi) += d * x(s, xi);
                r.dx(s, xi) += d * w(f, wi);
              }
          r.y(s, o) = acc;
        }
  return r;
}

// max |a - ref| relative to the largest |ref| (at least 1).
double relativeError(const Matrix& a, const Eigen::MatrixXd& ref) {
  return (a.cast<double>() - ref).cwiseAbs().maxCoeff() / std::max(1.0, ref.cwiseAbs().maxCoeff());
}

// Both tile sizes on one layer: forward pass and gradients against the direct convolution, to
// kTolerance[tile] of the largest value (F(4x4)'s transforms have larger coefficients, so it
// rounds more).
void checkAgainstDirect(const LayerSpec& spec, const Shape& in, long batch, uint64_t seed) {
  const ConvGeometry g = ConvGeometry::from(in, spec, true, spec.name);
  ASSERT_TRUE(WinogradConv::suits(g, spec.units, spec.groups)) << spec.name;
  const Matrix w = randomMatrix(spec.units, g.channels * 9, seed), b = randomMatrix(1, spec.units, seed + 1);
  const Matrix x = randomMatrix(batch, in.size(), seed + 2);
  const Matrix dy = randomMatrix(batch, static_cast<long>(spec.units) * g.outSpatial(), seed + 3);
  const Reference r = direct(g, spec.units, w, b, x, dy);
  for (int tile : {2, 4}) {
    SCOPED_TRACE("F(" + std::to_string(tile) + "x" + std::to_string(tile) + ", 3x3)");
    const double tolerance = tile == 2 ? 2e-6 : 1e-5; 
    WinogradConv conv(g, spec.units, tile);
    Matrix y, dx, dW = Matrix::Zero(w.rows(), w.cols()), db = Matrix::Zero(1, b.cols());
    conv.forward(x, w, b, y);
    conv.backward(x, w, dy, dW, &db, &dx);
    EXPECT_LT(relativeError(y, r.y), tolerance) << "forward";
    EXPECT_LT(relativeError(dW, r.dW), tolerance) << "weight gradient";
    EXPECT_LT(relativeError(db, r.db.transpose()), tolerance) << "bias gradient";
    EXPECT_LT(relativeError(dx, r.dx), tolerance) << "input gradient";
    // A second backward pass adds to the gradients it is given.
    conv.backward(x, w, dy, dW, &db, nullptr);
    EXPECT_LT(relativeError(dW, 2.0 * r.dW), tolerance) << "accumulated weight gradient";
  }
}

}  // namespace

TEST(WinogradConv, ChosenOnlyFor3x3Stride1LayersWithEnoughChannels) {
  auto uses = [](LayerSpec spec, Shape in) {
    Network net(in, 1);
    net.add(spec);
    return convOf(net).usesWinograd();
  };
  EXPECT_TRUE(uses(layers::same(layers::conv2d(16, 3)), Shape{16, 7, 7}));
  EXPECT_TRUE(uses(layers::conv2d(32, 3), Shape{16, 6, 6}));
  EXPECT_FALSE(uses(layers::same(layers::conv2d(16, 3)), Shape{8, 7, 7}));      // too few channels
  EXPECT_FALSE(uses(layers::same(layers::conv2d(8, 3)), Shape{16, 7, 7}));      // too few filters
  EXPECT_FALSE(uses(layers::same(layers::conv2d(16, 3, 2)), Shape{16, 8, 8}));   // stride 2
  EXPECT_FALSE(uses(layers::same(layers::conv2d(16, 5)), Shape{16, 8, 8}));      // 5x5 kernel
  EXPECT_FALSE(uses(layers::grouped(layers::same(layers::conv2d(16, 3)), 2), Shape{16, 8, 8}));
  EXPECT_FALSE(uses(layers::conv1d(16, 3), Shape{16, 8}));
}

// F(4x4) wherever it needs fewer transformed-domain multiplies than F(2x2): the ResNet's 28, 14, 7
// and 4 wide maps; F(2x2) on a tie (6x6: 9 tiles of 16 against 4 of 36) and on 2x2 maps.
TEST(WinogradConv, TileSizeIsTheOneWithFewerMultiplies) {
  auto tile = [](int h, int w) {
    ConvGeometry g;
    g.outH = h;
    g.outW = w;
    return WinogradConv::tileSizeFor(g);
  };
  EXPECT_EQ(tile(28, 28), 4);
  EXPECT_EQ(tile(14, 14), 4);
  EXPECT_EQ(tile(7, 7), 4);
  EXPECT_EQ(tile(4, 4), 4);
  EXPECT_EQ(tile(6, 6), 2);
  EXPECT_EQ(tile(2, 2), 2);
  EXPECT_EQ(tile(2, 40), 2);  // one F(4x4) tile row would be half empty
  EXPECT_THROW(WinogradConv(ConvGeometry{}, 16, 3), std::invalid_argument);
}

// "same" padding on odd maps (the last tile row and column hang over the output), on even ones,
// and on a 4x4 map (one tile row per two output rows, no overhang).
TEST(WinogradConv, SamePaddingMatchesDirectConvolution) {
  checkAgainstDirect(layers::same(layers::conv2d(16, 3)), Shape{16, 7, 7}, 3, 11);
  checkAgainstDirect(layers::same(layers::conv2d(24, 3)), Shape{20, 4, 4}, 2, 12);
  checkAgainstDirect(layers::same(layers::conv2d(16, 3)), Shape{16, 5, 8}, 2, 13);
}

// Maps wider than one chunk of tiles (14 tile columns of F(2x2), 7 of F(4x4): 28 output columns):
// 29, 33, 38 and 60 outputs wide, the chunks' overlapping input columns gathered from both sides.
TEST(WinogradConv, WideMapsMatchDirectConvolution) {
  checkAgainstDirect(layers::same(layers::conv2d(16, 3)), Shape{16, 3, 33}, 2, 14);
  checkAgainstDirect(layers::conv2d(16, 3), Shape{16, 5, 40}, 2, 15);
  checkAgainstDirect(layers::same(layers::conv2d(16, 3)), Shape{16, 4, 60}, 1, 16);
  checkAgainstDirect(layers::same(layers::conv2d(16, 3)), Shape{16, 6, 29}, 2, 17);
}

TEST(WinogradConv, ValidAndAsymmetricPaddingMatchDirectConvolution) {
  checkAgainstDirect(layers::conv2d(16, 3), Shape{17, 9, 6}, 2, 21);  // valid: 7x4 outputs
  LayerSpec asym = layers::conv2d(16, 3, 1, 1);
  asym.padBottom = 0;
  asym.padRight = 2;  // 6x8 input: 6x9 outputs
  checkAgainstDirect(asym, Shape{16, 6, 8}, 2, 22);
}

// 14x14 maps at batch 40: 7,840 output columns, cut into several sample groups whose weight and
// bias gradients are summed.
TEST(WinogradConv, GradientsSumOverSampleGroups) {
  checkAgainstDirect(layers::same(layers::conv2d(16, 3)), Shape{16, 14, 14}, 40, 31);
}

// The analytic gradients against central differences (the transforms' backward pass is
// derived, not taken from the direct convolution).
TEST(WinogradConv, GradientsMatchFiniteDifferences) {
  const Shape in{16, 3, 3};
  Network net(in, 41);
  net.add(layers::same(layers::conv2d(16, 3)));
  ConvLayer& conv = dynamic_cast<ConvLayer&>(net.layer(0));
  ASSERT_TRUE(conv.usesWinograd());
  conv.setInputGradientNeeded(true);
  const Matrix x = randomMatrix(2, in.size(), 42), r = randomMatrix(2, net.outputShape().size(), 43);
  auto loss = [&] { return (net.forward(x, true).cast<double>().array() * r.cast<double>().array()).sum(); };
  net.zeroGradients();
  loss();
  net.backward(r);
  Parameter& w = *conv.parameters().at(0);
  const float eps = 1e-2f;
  for (long i = 0; i < w.value.size(); i += 7) {
    const float saved = w.value.data()[i];
    w.value.data()[i] = saved + eps;
    const double up = loss();
    w.value.data()[i] = saved - eps;
    const double down = loss();
    w.value.data()[i] = saved;
    const double numeric = (up - down) / (2.0 * eps);
    EXPECT_NEAR(w.grad.data()[i], numeric, 2e-2 * std::max(1.0, std::abs(numeric))) << "weight " << i;
  }
}
