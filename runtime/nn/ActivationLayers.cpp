// Activation layers: vectorised Eigen array expressions; derivatives use the cached output where possible.
#include "nn/ActivationLayers.h"

#include <algorithm>
#include <cmath>

#include "nn/Error.h"
#include "nn/ParallelChunks.h"

namespace mmlc::nn {

using ConstRows = Matrix::ConstRowsBlockXpr;
using Rows = Matrix::RowsBlockXpr;

// One element-wise activation of the engine: its LayerSpec kind, its spelling in .mml, f and f'
// (f' may read the cached output y). The HLS side describes the same kind in
// runtime/hls/layers/Activations.cpp (the registry test checks both tables agree).
struct ElementwiseFunction {
  const char* kind;     // LayerSpec kind, model files ("ReLU")
  const char* mmlName;  // .mml activation parameters ("relu")
  void (*forward)(ConstRows x, Rows y, const LayerSpec& s);
  void (*backward)(ConstRows x, ConstRows y, ConstRows dy, Rows dx, const LayerSpec& s);
};

namespace {

// The table: a new element-wise activation is one more row.
const ElementwiseFunction kFunctions[] = {
    {"ReLU", "relu", [](ConstRows x, Rows y, const LayerSpec&) { y.array() = x.array().max(0.0f); },
     [](ConstRows x, ConstRows, ConstRows dy, Rows dx, const LayerSpec&) {
       dx.array() = (x.array() > 0.0f).select(dy.array(), 0.0f);
     }},
    {"LeakyReLU", "leaky_relu",
     [](ConstRows x, Rows y, const LayerSpec& s) { y.array() = (x.array() > 0.0f).select(x.array(), s.alpha * x.array()); },
     [](ConstRows x, ConstRows, ConstRows dy, Rows dx, const LayerSpec& s) {
       dx.array() = (x.array() > 0.0f).select(dy.array(), s.alpha * dy.array());
     }},
    {"Sigmoid", "sigmoid", [](ConstRows x, Rows y, const LayerSpec&) { y.array() = 1.0f / (1.0f + (-x.array()).exp()); },
     [](ConstRows, ConstRows y, ConstRows dy, Rows dx, const LayerSpec&) {
       dx.array() = dy.array() * y.array() * (1.0f - y.array());
     }},
    {"Tanh", "tanh", [](ConstRows x, Rows y, const LayerSpec&) { y.array() = x.array().tanh(); },
     [](ConstRows, ConstRows y, ConstRows dy, Rows dx, const LayerSpec&) {
       dx.array() = dy.array() * (1.0f - y.array().square());
     }},
    // alpha * (e^x - 1) below zero; f' = y + alpha there.
    {"ELU", "elu",
     [](ConstRows x, Rows y, const LayerSpec& s) {
       y.array() = (x.array() > 0.0f).select(x.array(), s.alpha * (x.array().exp() - 1.0f));
     },
     [](ConstRows x, ConstRows y, ConstRows dy, Rows dx, const LayerSpec& s) {
       dx.array() = (x.array() > 0.0f).select(dy.array(), dy.array() * (y.array() + s.alpha));
     }},
    // gamma (beta) times ELU(alpha).
    {"SELU", "selu",
     [](ConstRows x, Rows y, const LayerSpec& s) {
       y.array() = s.beta * (x.array() > 0.0f).select(x.array(), s.alpha * (x.array().exp() - 1.0f));
     },
     [](ConstRows x, ConstRows y, ConstRows dy, Rows dx, const LayerSpec& s) {
       dx.array() = (x.array() > 0.0f).select(s.beta * dy.array(), dy.array() * (y.array() + s.beta * s.alpha));
     }},
    // clamp(alpha * x + beta, 0, 1) (ONNX HardSigmoid; Keras' hard_sigmoid is alpha 0.2, beta 0.5).
    {"HardSigmoid", "hard_sigmoid",
     [](ConstRows x, Rows y, const LayerSpec& s) { y.array() = (s.alpha * x.array() + s.beta).max(0.0f).min(1.0f); },
     [](ConstRows x, ConstRows, ConstRows dy, Rows dx, const LayerSpec& s) {
       const auto z = s.alpha * x.array() + s.beta;
       dx.array() = (z > 0.0f && z < 1.0f).select(s.alpha * dy.array(), 0.0f);
     }},
    // clamp(x, alpha, beta) (ONNX Clip; ReLU6 is Clip(0, 6)).
    {"Clip", "clip", [](ConstRows x, Rows y, const LayerSpec& s) { y.array() = x.array().max(s.alpha).min(s.beta); },
     [](ConstRows x, ConstRows, ConstRows dy, Rows dx, const LayerSpec& s) {
       dx.array() = (x.array() > s.alpha && x.array() < s.beta).select(dy.array(), 0.0f);
     }},
    // log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it never overflows; f' = sigmoid(x).
    {"Softplus", "softplus",
     [](ConstRows x, Rows y, const LayerSpec&) { y.array() = x.array().max(0.0f) + (-x.array().abs()).exp().log1p(); },
     [](ConstRows x, ConstRows, ConstRows dy, Rows dx, const LayerSpec&) {
       dx.array() = dy.array() / (1.0f + (-x.array()).exp());
     }},
    // x / (1 + |x|); f' = 1 / (1 + |x|)^2.
    {"Softsign", "softsign", [](ConstRows x, Rows y, const LayerSpec&) { y.array() = x.array() / (1.0f + x.array().abs()); },
     [](ConstRows x, ConstRows, ConstRows dy, Rows dx, const LayerSpec&) {
       dx.array() = dy.array() / (1.0f + x.array().abs()).square();
     }},
};

const ElementwiseFunction* functionOf(const std::string& kind) {
  for (const ElementwiseFunction& f : kFunctions)
    if (kind == f.kind) return &f;
  return nullptr;
}

}  // namespace

bool isElementwiseActivation(const std::string& kind) { return functionOf(kind) != nullptr; }

std::vector<std::pair<std::string, std::string>> elementwiseActivations() {
  std::vector<std::pair<std::string, std::string>> v;
  for (const ElementwiseFunction& f : kFunctions) v.emplace_back(f.kind, f.mmlName);
  return v;
}

LayerSpec activationFromMmlName(const std::string& mmlName) {
  for (const ElementwiseFunction& f : kFunctions)
    if (mmlName == f.mmlName) {
      LayerSpec s;
      s.kind = f.kind;
      return s;
    }
  throw Error("unknown activation '" + mmlName + "'");
}

ElementwiseActivation::ElementwiseActivation(LayerSpec spec) : Layer(std::move(spec)) {
  function_ = functionOf(spec_.kind);
  if (!function_) throw Error("not an element-wise activation: " + spec_.kind);
}

// Element-wise work counts ~10 flops per value (exp/tanh); small tensors stay on one thread.
static long rowGrain(const Matrix& m) { return rowGrainFor(10.0 * m.cols(), 1); }

void ElementwiseActivation::forward(const Matrix& xAll, Matrix& yAll, bool) {
  yAll.resize(xAll.rows(), xAll.cols());
  forEachChunk(xAll.rows(), rowGrain(xAll), [&](long b, long e) {
    function_->forward(xAll.middleRows(b, e - b), yAll.middleRows(b, e - b), spec_);
  });
}

void ElementwiseActivation::backward(const Matrix& xAll, const Matrix& yAll, const Matrix& dyAll, Matrix& dxAll) {
  dxAll.resize(xAll.rows(), xAll.cols());
  forEachChunk(xAll.rows(), rowGrain(xAll), [&](long b, long e) {
    function_->backward(xAll.middleRows(b, e - b), yAll.middleRows(b, e - b), dyAll.middleRows(b, e - b),
                        dxAll.middleRows(b, e - b), spec_);
  });
}

Shape PReLULayer::configure(const Shape& input, Random&) {
  alpha_.name = spec_.name + ".alpha";
  alpha_.value = Matrix::Constant(1, input.size(), 0.25f);  // PyTorch's initial slope
  alpha_.grad = Matrix::Zero(1, input.size());
  alpha_.mask.resize(0, 0);
  alpha_.regularised = false;
  return input;
}

void PReLULayer::forward(const Matrix& x, Matrix& y, bool) {
  y.resize(x.rows(), x.cols());
  const auto a = alpha_.value.row(0).array();
  for (long r = 0; r < x.rows(); ++r) y.row(r).array() = (x.row(r).array() > 0.0f).select(x.row(r).array(), a * x.row(r).array());
}

void PReLULayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  dx.resize(x.rows(), x.cols());
  const auto a = alpha_.value.row(0).array();
  for (long r = 0; r < x.rows(); ++r) {
    const auto xr = x.row(r).array();
    const auto dr = dy.row(r).array();
    dx.row(r).array() = (xr > 0.0f).select(dr, a * dr);
    alpha_.grad.row(0).array() += (xr > 0.0f).select(0.0f, xr * dr);
  }
}

void SoftmaxLayer::forward(const Matrix& x, Matrix& y, bool) {
  const long n = in_.dims.back();
  const long groups = x.cols() / n;
  y.resize(x.rows(), x.cols());
  for (long r = 0; r < x.rows(); ++r) {
    for (long g = 0; g < groups; ++g) {
      auto xs = x.row(r).segment(g * n, n).array();
      auto ys = y.row(r).segment(g * n, n).array();
      ys = (xs - xs.maxCoeff()).exp();  // shift by the max so exp never overflows
      ys /= ys.sum();
    }
  }
}

void SoftmaxLayer::backward(const Matrix&, const Matrix& y, const Matrix& dy, Matrix& dx) {
  // dx = y * (dy - <dy, y>) per softmax group (Jacobian-vector product, no n x n matrix).
  const long n = in_.dims.back();
  const long groups = y.cols() / n;
  dx.resize(y.rows(), y.cols());
  for (long r = 0; r < y.rows(); ++r) {
    for (long g = 0; g < groups; ++g) {
      auto ys = y.row(r).segment(g * n, n).array();
      auto ds = dy.row(r).segment(g * n, n).array();
      const float dot = (ys * ds).sum();
      dx.row(r).segment(g * n, n).array() = ys * (ds - dot);
    }
  }
}

}  // namespace mmlc::nn
