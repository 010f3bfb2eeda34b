// The test oracle for ONNX import: each operator written from the ONNX specification with plain
// loops over N-dimensional tensors (numpy broadcasting, NCHW convolutions with groups and pads).
#include "OnnxReference.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>

namespace mmlc::nn::onnxref {
namespace {

using T = RefTensor;

T fromProto(const onnx::TensorProto& t) {
  T r;
  r.dims.assign(t.dims().begin(), t.dims().end());
  const size_t n = static_cast<size_t>(r.size());
  const std::string& raw = t.raw_data();
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    std::vector<float> f(t.float_data().begin(), t.float_data().end());
    if (!raw.empty()) {
      f.resize(n);
      std::memcpy(f.data(), raw.data(), n * 4);
    }
    r.v.assign(f.begin(), f.end());
  } else if (t.data_type() == onnx::TensorProto::INT64) {
    std::vector<int64_t> i(t.int64_data().begin(), t.int64_data().end());
    if (!raw.empty()) {
      i.resize(n);
      std::memcpy(i.data(), raw.data(), n * 8);
    }
    r.v.assign(i.begin(), i.end());
  } else if (t.data_type() == onnx::TensorProto::DOUBLE) {
    std::vector<double> d(t.double_data().begin(), t.double_data().end());
    if (!raw.empty()) {
      d.resize(n);
      std::memcpy(d.data(), raw.data(), n * 8);
    }
    r.v = d;
  }
  return r;
}

std::vector<int64_t> strides(const std::vector<int64_t>& d) {
  std::vector<int64_t> s(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * d[i + 1];
  return s;
}

// Elementwise binary op with numpy broadcasting.
T broadcast(const T& a, const T& b, const std::function<double(double, double)>& f) {
  const size_t r = std::max(a.dims.size(), b.dims.size());
  auto pad = [&](std::vector<int64_t> d) {
    while (d.size() < r) d.insert(d.begin(), 1);
    return d;
  };
  const auto da = pad(a.dims), db = pad(b.dims);
  T out;
  for (size_t i = 0; i < r; ++i) out.dims.push_back(std::max(da[i], db[i]));
  const auto so = strides(out.dims), sa = strides(da), sb = strides(db);
  out.v.resize(static_cast<size_t>(out.size()));
  for (int64_t e = 0; e < out.size(); ++e) {
    int64_t ia = 0, ib = 0, rem = e;
    for (size_t i = 0; i < r; ++i) {
      const int64_t idx = rem / so[i];
      rem %= so[i];
      ia += (da[i] == 1 ? 0 : idx) * sa[i];
      ib += (db[i] == 1 ? 0 : idx) * sb[i];
    }
    out.v[e] = f(a.v[ia], b.v[ib]);
  }
  return out;
}

T unary(T x, const std::function<double(double)>& f) {
  for (double& v : x.v) v = f(v);
  return x;
}

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t attrInt(const onnx::NodeProto& n, const char* name, int64_t def) {
  const auto* a = attr(n, name);
  return a ? a->i() : def;
}
double attrFloat(const onnx::NodeProto& n, const char* name, double def) {
  const auto* a = attr(n, name);
  return a ? a->f() : def;
}
std::string attrStr(const onnx::NodeProto& n, const char* name, const std::string& def) {
  const auto* a = attr(n, name);
  return a ? a->s() : def;
}
std::vector<int64_t> attrInts(const onnx::NodeProto& n, const char* name) {
  const auto* a = attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}

T transpose(const T& x, const std::vector<int64_t>& perm) {
  T out;
  for (int64_t p : perm) out.dims.push_back(x.dims[p]);
  const auto si = strides(x.dims), so = strides(out.dims);
  out.v.resize(x.v.size());
  for (int64_t e = 0; e < out.size(); ++e) {
    int64_t src = 0, rem = e;
    for (size_t i = 0; i < perm.size(); ++i) {
      src += (rem / so[i]) * si[perm[i]];
      rem %= so[i];
    }
    out.v[e] = x.v[src];
  }
  return out;
}

// Zero-pads the spatial axes of an N,C,... tensor (pads: begins then ends of the spatial axes).
T padSpatial(const T& x, const std::vector<int64_t>& pads, double value) {
  const size_t sp = x.dims.size() - 2;
  T out = x;
  for (size_t i = 0; i < sp; ++i) out.dims[i + 2] += pads[i] + pads[i + sp];
  out.v.assign(static_cast<size_t>(out.size()), value);
  const auto si = strides(x.dims), so = strides(out.dims);
  for (int64_t e = 0; e < x.size(); ++e) {
    int64_t dst = 0, rem = e;
    for (size_t i = 0; i < x.dims.size(); ++i) {
      int64_t idx = rem / si[i];
      rem %= si[i];
      if (i >= 2) idx += pads[i - 2];
      dst += idx * so[i];
    }
    out.v[dst] = x.v[e];
  }
  return out;
}

// Spatial pads of Conv/pools from pads or auto_pad.
std::vector<int64_t> padsOf(const onnx::NodeProto& n, const T& x, const std::vector<int64_t>& k, const std::vector<int64_t>& s) {
  const size_t sp = k.size();
  const std::string ap = attrStr(n, "auto_pad", "NOTSET");
  std::vector<int64_t> pads = attrInts(n, "pads");
  if (pads.empty()) pads.assign(2 * sp, 0);
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    for (size_t i = 0; i < sp; ++i) {
      const int64_t in = x.dims[i + 2], out = (in + s[i] - 1) / s[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * s[i] + k[i] - in);
      pads[i] = ap == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[i + sp] = total - pads[i];
    }
  }
  return pads;
}

// Windows over the spatial axes (1-D or 2-D), calling f(n, c, outIndex, window values as
// (value, inside) pairs).
T windows(const T& xIn, const std::vector<int64_t>& k, const std::vector<int64_t>& s, const std::vector<int64_t>& pads,
          const std::function<double(const std::vector<std::pair<double, bool>>&)>& f) {
  const bool twoD = k.size() == 2;
  const int64_t N = xIn.dims[0], C = xIn.dims[1], H = twoD ? xIn.dims[2] : 1, W = xIn.dims.back();
  const int64_t kh = twoD ? k[0] : 1, kw = k.back(), sh = twoD ? s[0] : 1, sw = s.back();
  const int64_t pt = twoD ? pads[0] : 0, pl = twoD ? pads[1] : pads[0];
  const int64_t pb = twoD ? pads[2] : 0, pr = twoD ? pads[3] : pads[1];
  const int64_t OH = (H + pt + pb - kh) / sh + 1, OW = (W + pl + pr - kw) / sw + 1;
  T out;
  out.dims = twoD ? std::vector<int64_t>{N, C, OH, OW} : std::vector<int64_t>{N, C, OW};
  for (int64_t b = 0; b < N; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          std::vector<std::pair<double, bool>> win;
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              const int64_t h = oh * sh + i - pt, w = ow * sw + j - pl;
              const bool inside = h >= 0 && h < H && w >= 0 && w < W;
              win.emplace_back(inside ? xIn.v[((b * C + c) * H + h) * W + w] : 0.0, inside);
            }
          out.v.push_back(f(win));
        }
  return out;
}

T conv(const onnx::NodeProto& n, const T& x, const T& w, const T* bias) {
  const size_t sp = w.dims.size() - 2;
  std::vector<int64_t> k(w.dims.begin() + 2, w.dims.end()), s = attrInts(n, "strides");
  if (s.empty()) s.assign(sp, 1);
  const auto pads = padsOf(n, x, k, s);
  const int64_t group = attrInt(n, "group", 1);
  const int64_t N = x.dims[0], C = x.dims[1], F = w.dims[0], Cg = w.dims[1], Fg = F / group;
  const bool twoD = sp == 2;
  const int64_t H = twoD ? x.dims[2] : 1, W = x.dims.back(), kh = twoD ? k[0] : 1, kw = k.back();
  const int64_t sh = twoD ? s[0] : 1, sw = s.back(), pt = twoD ? pads[0] : 0, pl = twoD ? pads[1] : pads[0];
  const int64_t pb = twoD ? pads[2] : 0, pr = twoD ? pads[3] : pads[1];
  const int64_t OH = (H + pt + pb - kh) / sh + 1, OW = (W + pl + pr - kw) / sw + 1;
  T out;
  out.dims = twoD ? std::vector<int64_t>{N, F, OH, OW} : std::vector<int64_t>{N, F, OW};
  for (int64_t b = 0; b < N; ++b)
    for (int64_t f = 0; f < F; ++f)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = bias ? bias->v[f] : 0.0;
          const int64_t g = f / Fg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t h = oh * sh + i - pt, ww = ow * sw + j - pl;
                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                acc += x.v[((b * C + g * Cg + c) * H + h) * W + ww] * w.v[((f * Cg + c) * kh + i) * kw + j];
              }
          out.v.push_back(acc);
        }
  (void)C;
  return out;
}

}  // namespace

// QONNX Quant (qonnx.custom_op.general.quant): y = (clip(round(x / s + z)) - z) * s, per element
// with numpy broadcasting of a scalar or per-channel (last axes) scale and zero point.
T quant(const onnx::NodeProto& n, const T& x, const T& s, const T& z, const T& bits) {
  const int64_t b = static_cast<int64_t>(bits.v.at(0));
  const bool isSigned = attrInt(n, "signed", 1) != 0, narrow = attrInt(n, "narrow", 0) != 0;
  const double lo = isSigned ? -std::ldexp(1.0, static_cast<int>(b - 1)) + (narrow ? 1 : 0) : 0.0;
  const double hi = isSigned ? std::ldexp(1.0, static_cast<int>(b - 1)) - 1 : std::ldexp(1.0, static_cast<int>(b)) - 1 - (narrow ? 1 : 0);
  std::string mode = "ROUND";
  for (const auto& a : n.attribute())
    if (a.name() == "rounding_mode") mode = a.s();
  auto at = [&](const T& p, size_t i) { return p.v.size() == 1 ? p.v[0] : p.v[i % p.v.size()]; };
  T y = x;
  for (size_t i = 0; i < x.v.size(); ++i) {
    const double v = x.v[i] / at(s, i) + at(z, i);
    double q;
    if (mode == "ROUND") q = std::nearbyint(v);  // half to even, as numpy
    else if (mode == "FLOOR") q = std::floor(v);
    else throw std::runtime_error("reference: Quant rounding_mode " + mode);
    y.v[i] = (std::clamp(q, lo, hi) - at(z, i)) * at(s, i);
  }
  return y;
}

std::vector<int64_t> onnxInputDims(const std::string& path, int64_t batch) {
  std::ifstream in(path, std::ios::binary);
  onnx::ModelProto m;
  if (!m.ParseFromIstream(&in)) throw std::runtime_error(path + ": not a model");
  std::map<std::string, bool> inits;
  for (const auto& t : m.graph().initializer()) inits[t.name()] = true;
  for (const auto& i : m.graph().input()) {
    if (inits.count(i.name())) continue;
    std::vector<int64_t> d;
    const auto& shape = i.type().tensor_type().shape();
    for (int k = 0; k < shape.dim_size(); ++k) d.push_back(shape.dim(k).has_dim_value() ? shape.dim(k).dim_value() : batch);
    if (!d.empty() && d[0] > 1000) d[0] = batch;  // PyTorch fixtures record their export batch
    return d;
  }
  throw std::runtime_error(path + ": no input");
}

RefTensor runOnnxReference(const std::string& path, const RefTensor& input) {
  std::ifstream in(path, std::ios::binary);
  onnx::ModelProto m;
  if (!m.ParseFromIstream(&in)) throw std::runtime_error(path + ": not a model");
  const auto& g = m.graph();
  std::map<std::string, T> t;
  for (const auto& init : g.initializer()) t[init.name()] = fromProto(init);
  for (const auto& i : g.input())
    if (!t.count(i.name())) t[i.name()] = input;
  // One standard operator.
  auto eval = [&](const onnx::NodeProto& n) -> T {
    const std::string& op = n.op_type();
    auto I = [&](int k) -> const T& { return t.at(n.input(k)); };
    auto has = [&](int k) { return n.input_size() > k && !n.input(k).empty(); };
    T y;
    if (op == "Constant") {
      y = fromProto(attr(n, "value")->t());
    } else if (op == "Gemm") {
      T a = I(0), b = I(1);
      if (attrInt(n, "transA", 0)) a = transpose(a, {1, 0});
      if (attrInt(n, "transB", 0)) b = transpose(b, {1, 0});
      const double alpha = attrFloat(n, "alpha", 1), beta = attrFloat(n, "beta", 1);
      y.dims = {a.dims[0], b.dims[1]};
      y.v.assign(static_cast<size_t>(y.size()), 0.0);
      for (int64_t r = 0; r < a.dims[0]; ++r)
        for (int64_t c = 0; c < b.dims[1]; ++c) {
          double s = 0;
          for (int64_t k = 0; k < a.dims[1]; ++k) s += a.v[r * a.dims[1] + k] * b.v[k * b.dims[1] + c];
          y.v[r * b.dims[1] + c] = alpha * s;
        }
      if (has(2)) y = broadcast(y, I(2), [&](double p, double q) { return p + beta * q; });
    } else if (op == "MatMul") {
      const T &a = I(0), &b = I(1);
      y.dims = {a.dims[0], b.dims[1]};
      for (int64_t r = 0; r < a.dims[0]; ++r)
        for (int64_t c = 0; c < b.dims[1]; ++c) {
          double s = 0;
          for (int64_t k = 0; k < a.dims[1]; ++k) s += a.v[r * a.dims[1] + k] * b.v[k * b.dims[1] + c];
          y.v.push_back(s);
        }
    } else if (op == "Add") {
      y = broadcast(I(0), I(1), [](double p, double q) { return p + q; });
    } else if (op == "Relu") {
      y = unary(I(0), [](double v) { return v > 0 ? v : 0; });
    } else if (op == "Sigmoid") {
      y = unary(I(0), [](double v) { return 1 / (1 + std::exp(-v)); });
    } else if (op == "Tanh") {
      y = unary(I(0), [](double v) { return std::tanh(v); });
    } else if (op == "LeakyRelu") {
      const double a = attrFloat(n, "alpha", 0.01);
      y = unary(I(0), [a](double v) { return v >= 0 ? v : a * v; });
    } else if (op == "Elu") {
      const double a = attrFloat(n, "alpha", 1.0);
      y = unary(I(0), [a](double v) { return v >= 0 ? v : a * (std::exp(v) - 1); });
    } else if (op == "Selu") {
      const double a = attrFloat(n, "alpha", 1.67326319217681884765625), gm = attrFloat(n, "gamma", 1.05070102214813232421875);
      y = unary(I(0), [a, gm](double v) { return v > 0 ? gm * v : gm * a * (std::exp(v) - 1); });
    } else if (op == "HardSigmoid") {
      const double a = attrFloat(n, "alpha", 0.2), b = attrFloat(n, "beta", 0.5);
      y = unary(I(0), [a, b](double v) { return std::clamp(a * v + b, 0.0, 1.0); });
    } else if (op == "Softplus") {
      y = unary(I(0), [](double v) { return std::log(1 + std::exp(v)); });
    } else if (op == "Softsign") {
      y = unary(I(0), [](double v) { return v / (1 + std::abs(v)); });
    } else if (op == "Clip") {
      double lo = attrFloat(n, "min", -INFINITY), hi = attrFloat(n, "max", INFINITY);
      if (has(1)) lo = I(1).v[0];
      if (has(2)) hi = I(2).v[0];
      y = unary(I(0), [lo, hi](double v) { return std::min(std::max(v, lo), hi); });
    } else if (op == "PRelu") {
      y = broadcast(I(0), I(1), [](double v, double a) { return v >= 0 ? v : a * v; });
    } else if (op == "Softmax") {
      y = I(0);
      int64_t axis = attrInt(n, "axis", -1);
      if (axis < 0) axis += static_cast<int64_t>(y.dims.size());
      if (axis != static_cast<int64_t>(y.dims.size()) - 1) throw std::runtime_error("reference Softmax: last axis only");
      const int64_t len = y.dims.back();
      for (int64_t r = 0; r < y.size() / len; ++r) {
        double mx = -INFINITY, s = 0;
        for (int64_t j = 0; j < len; ++j) mx = std::max(mx, y.v[r * len + j]);
        for (int64_t j = 0; j < len; ++j) s += (y.v[r * len + j] = std::exp(y.v[r * len + j] - mx));
        for (int64_t j = 0; j < len; ++j) y.v[r * len + j] /= s;
      }
    } else if (op == "Conv") {
      y = conv(n, I(0), I(1), has(2) ? &I(2) : nullptr);
    } else if (op == "MaxPool" || op == "AveragePool") {
      std::vector<int64_t> k = attrInts(n, "kernel_shape"), s = attrInts(n, "strides");
      if (s.empty()) s.assign(k.size(), 1);
      const bool maxPool = op == "MaxPool", countPad = attrInt(n, "count_include_pad", 0) != 0;
      y = windows(I(0), k, s, padsOf(n, I(0), k, s), [&](const std::vector<std::pair<double, bool>>& win) {
        double m = -INFINITY, sum = 0;
        int count = 0;
        for (auto [v, inside] : win) {
          if (!inside && !countPad) continue;
          m = std::max(m, v);
          sum += v;
          ++count;
        }
        return maxPool ? m : sum / count;
      });
    } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      const T& x = I(0);
      std::vector<int64_t> k(x.dims.begin() + 2, x.dims.end());
      const bool maxPool = op == "GlobalMaxPool";
      y = windows(x, k, k, std::vector<int64_t>(2 * k.size(), 0), [&](const std::vector<std::pair<double, bool>>& win) {
        double m = -INFINITY, sum = 0;
        for (auto [v, inside] : win) {
          m = std::max(m, v);
          sum += v;
        }
        return maxPool ? m : sum / static_cast<double>(win.size());
      });
    } else if (op == "BatchNormalization") {
      y = I(0);
      const T &sc = I(1), &b = I(2), &mean = I(3), &var = I(4);
      const double eps = attrFloat(n, "epsilon", 1e-5);
      const int64_t C = y.dims[1], inner = y.size() / (y.dims[0] * C);
      for (int64_t e = 0; e < y.size(); ++e) {
        const int64_t c = (e / inner) % C;
        y.v[e] = (y.v[e] - mean.v[c]) / std::sqrt(var.v[c] + eps) * sc.v[c] + b.v[c];
      }
    } else if (op == "Flatten") {
      y = I(0);
      int64_t axis = attrInt(n, "axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(y.dims.size());
      int64_t outer = 1;
      for (int64_t i = 0; i < axis; ++i) outer *= y.dims[i];
      y.dims = {outer, y.size() / outer};
    } else if (op == "Reshape") {
      y = I(0);
      std::vector<int64_t> d;
      int64_t known = 1, unknown = -1;
      for (size_t i = 0; i < I(1).v.size(); ++i) {
        int64_t v = static_cast<int64_t>(I(1).v[i]);
        if (v == 0) v = y.dims[i];
        if (v == -1) unknown = static_cast<int64_t>(i);
        else known *= v;
        d.push_back(v);
      }
      if (unknown >= 0) d[unknown] = y.size() / known;
      y.dims = d;
    } else if (op == "Transpose") {
      std::vector<int64_t> perm = attrInts(n, "perm");
      if (perm.empty())
        for (int64_t i = static_cast<int64_t>(I(0).dims.size()) - 1; i >= 0; --i) perm.push_back(i);
      y = transpose(I(0), perm);
    } else if (op == "Unsqueeze" || op == "Squeeze") {
      y = I(0);
      std::vector<int64_t> axes = attrInts(n, "axes");
      if (has(1))
        for (double v : I(1).v) axes.push_back(static_cast<int64_t>(v));
      if (op == "Unsqueeze") {
        const int64_t r = static_cast<int64_t>(y.dims.size() + axes.size());
        for (auto& a : axes) a = a < 0 ? a + r : a;
        std::sort(axes.begin(), axes.end());
        for (int64_t a : axes) y.dims.insert(y.dims.begin() + a, 1);
      } else {
        const int64_t r = static_cast<int64_t>(y.dims.size());
        for (auto& a : axes) a = a < 0 ? a + r : a;
        std::sort(axes.rbegin(), axes.rend());
        for (int64_t a : axes) y.dims.erase(y.dims.begin() + a);
      }
    } else if (op == "Pad") {
      std::vector<int64_t> pads = attrInts(n, "pads");
      if (has(1)) {
        pads.clear();
        for (double v : I(1).v) pads.push_back(static_cast<int64_t>(v));
      }
      const size_t r = I(0).dims.size();
      std::vector<int64_t> sp;
      for (size_t i = 2; i < r; ++i) sp.push_back(pads[i]);
      for (size_t i = 2; i < r; ++i) sp.push_back(pads[i + r]);
      y = padSpatial(I(0), sp, has(2) ? I(2).v[0] : 0.0);
    } else if (op == "Resize" || op == "Upsample") {
      const T& x = I(0);
      const T& sc = op == "Upsample" ? I(1) : (n.input_size() == 2 ? I(1) : I(2));
      // Nearest, integer factors: each value repeated (the forms the importer accepts).
      y.dims = x.dims;
      for (size_t i = 0; i < x.dims.size(); ++i) y.dims[i] = static_cast<int64_t>(x.dims[i] * sc.v[i]);
      const auto si = strides(x.dims), so = strides(y.dims);
      y.v.resize(static_cast<size_t>(y.size()));
      for (int64_t e = 0; e < y.size(); ++e) {
        int64_t src = 0, rem = e;
        for (size_t i = 0; i < y.dims.size(); ++i) {
          src += (rem / so[i]) / static_cast<int64_t>(sc.v[i]) * si[i];
          rem %= so[i];
        }
        y.v[e] = x.v[src];
      }
    } else if (op == "Concat") {
      int64_t axis = attrInt(n, "axis", 1);
      const int64_t r = static_cast<int64_t>(I(0).dims.size());
      if (axis < 0) axis += r;
      y.dims = I(0).dims;
      y.dims[axis] = 0;
      for (int k = 0; k < n.input_size(); ++k) y.dims[axis] += I(k).dims[axis];
      int64_t outer = 1;
      for (int64_t i = 0; i < axis; ++i) outer *= y.dims[i];
      for (int64_t o = 0; o < outer; ++o)
        for (int k = 0; k < n.input_size(); ++k) {
          const T& p = I(k);
          const int64_t chunk = p.size() / outer;
          y.v.insert(y.v.end(), p.v.begin() + o * chunk, p.v.begin() + (o + 1) * chunk);
        }
    } else if (op == "Identity" || op == "Dropout") {
      y = I(0);
    } else {
      throw std::runtime_error("reference: no operator " + op);
    }
    return y;
  };
  for (const auto& n : g.node()) {
    const std::string& d = n.domain();
    T y;
    if ((d == "qonnx.custom_op.general" || d == "finn.custom_op.general") && n.op_type() == "Quant") {
      y = quant(n, t.at(n.input(0)), t.at(n.input(1)), t.at(n.input(2)), t.at(n.input(3)));
    } else if (d == "qonnx.custom_op.channels_last") {
      // The standard operator on channels-first copies of the data (and of a Conv's weight), its
      // output transposed back (QONNX's ChannelsLastWrappedOp).
      onnx::NodeProto standard = n;
      standard.clear_domain();
      const size_t r = t.at(n.input(0)).dims.size();
      std::vector<int64_t> toFirst{0, static_cast<int64_t>(r) - 1}, toLast{0};
      for (size_t i = 1; i + 1 < r; ++i) toFirst.push_back(static_cast<int64_t>(i));
      for (size_t i = 2; i < r; ++i) toLast.push_back(static_cast<int64_t>(i));
      toLast.push_back(1);
      for (int k = 0; k < (n.op_type() == "Conv" ? 2 : 1); ++k) {
        const std::string name = n.input(k) + "#channels_first";
        t[name] = transpose(t.at(n.input(k)), toFirst);
        standard.set_input(k, name);
      }
      y = transpose(eval(standard), toLast);
    } else if (!d.empty() && d != "ai.onnx") {
      throw std::runtime_error("reference: no operator " + d + "." + n.op_type());
    } else {
      y = eval(n);
    }
    t[n.output(0)] = y;
  }
  return t.at(g.output(0).name());
}

}  // namespace mmlc::nn::onnxref
