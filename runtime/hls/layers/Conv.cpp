// Layer kinds Conv1D and Conv2D (hls4ml Conv1D/Conv2D, nnet::conv_1d_cl / conv_2d_cl): per output
// pixel, the Dense kernel over the channels-last patch. Conv1D is the height-1 Conv2D.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {

void prepareMacLayer(const SimLayer& s, PreparedLayer& p);

namespace {

void simulate(const SimLayer& sl, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch& s) {
  const LayerDesc& l = sl.l;
  const int c = l.inChannels, patch = l.kernelH * l.kernelW * c;
  s.column.resize(patch);
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow) {
      // Patch in (kh, kw, c) order; padding contributes zeros, which are skipped like zero inputs.
      int q = 0;
      for (int kh = 0; kh < l.kernelH; ++kh)
        for (int kw = 0; kw < l.kernelW; ++kw) {
          const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
          const bool inside = ih >= 0 && ih < l.inHeight && iw >= 0 && iw < l.inWidth;
          for (int ch = 0; ch < c; ++ch)
            s.column[q++] = inside ? in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch] : 0;
        }
      macToResult(sl, p, s.column.data(), patch, p.weights.data(),
                  out + (static_cast<size_t>(oh) * l.outWidth + ow) * l.nFilters, s);
    }
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe& r) {
  const int c = l.inChannels, size = l.kernelH * l.kernelW * c;
  std::vector<double>& patch = r.patch;
  patch.resize(static_cast<size_t>(size));
  r.peak.assign(static_cast<size_t>(l.nFilters), 0.0);
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow) {
      int q = 0;
      for (int kh = 0; kh < l.kernelH; ++kh)
        for (int kw = 0; kw < l.kernelW; ++kw) {
          const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
          const bool inside = ih >= 0 && ih < l.inHeight && iw >= 0 && iw < l.inWidth;
          for (int ch = 0; ch < c; ++ch)
            patch[static_cast<size_t>(q++)] = inside ? in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch] : 0.0;
        }
      macRanges(patch.data(), size, l.nFilters, l.weights.data(), l.biases.data(),
                out + (static_cast<size_t>(oh) * l.outWidth + ow) * l.nFilters, r);
    }
}

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  const int nz = l.nonZeroWeights();
  std::string s = "struct config_" + l.name + " : nnet::conv2d_config {\n";
  s += configUnsigned("in_height", l.inHeight) + configUnsigned("in_width", l.inWidth) + configUnsigned("n_chan", l.inChannels);
  s += configUnsigned("filt_height", l.kernelH) + configUnsigned("filt_width", l.kernelW) + configUnsigned("n_filt", l.nFilters);
  s += configUnsigned("stride_height", l.strideH) + configUnsigned("stride_width", l.strideW);
  s += configUnsigned("pad_top", l.padTop) + configUnsigned("pad_bottom", l.padBottom) + configUnsigned("pad_left", l.padLeft) +
       configUnsigned("pad_right", l.padRight);
  s += configUnsigned("out_height", l.outHeight) + configUnsigned("out_width", l.outWidth);
  s += configUnsigned("reuse_factor", l.reuseFactor);
  s += std::string("  static const unsigned strategy = nnet::") + (l.strategy == Strategy::Latency ? "latency" : "resource") + ";\n";
  s += configUnsigned("n_zeros", static_cast<long long>(l.weights.size()) - nz);
  s += "  typedef " + l.name + "_accum_t accum_t;\n  typedef " + l.name + "_bias_t bias_t;\n  typedef " + l.name +
       "_weight_t weight_t;\n};\n";
  return s;
}

// Both kinds call the channels-last 2-D template (a Conv1D is its height-1 case).
std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  const LayerDesc& l = e.l;
  return "nnet::conv_2d_cl<" + e.inType + ", " + e.outType + ", config_" + l.name + ">(" + in + ", " + out + ", w_" + l.name +
         ", b_" + l.name + ");";
}

LayerKindInfo convKind(LayerKind kind, const char* name, std::string call, std::string alias) {
  LayerKindInfo k;
  k.kind = kind;
  k.name = name;
  k.nnKind = name;
  k.mmlName = "";
  k.nnetCalls = {std::move(call)};
  k.nnetAliases = {std::move(alias)};
  k.configStruct = "conv2d_config";
  k.configFields = convGeometryFields("filters");
  for (ConfigField f : {keywordField("reuse_factor", "multiplications per multiplier"), keywordField("strategy", "latency or resource"),
                        ConfigField{"n_zeros", "zero weights"}})
    k.configFields.push_back(f);
  for (ConfigField& f : macTypeFields()) k.configFields.push_back(f);
  k.hasWeights = true;
  k.isMac = true;
  k.streamCall = true;  // nnet_conv_stream.h: a line buffer
  k.estimate = EstimateFamily::Mac;
  k.conversions = LayerTypes::Template::Mac;
  k.prepare = prepareMacLayer;
  k.simulate = simulate;
  k.reference = reference;
  k.emitConfig = emitConfig;
  k.emitTypedefs = emitWeightedTypedefs;
  k.emitCall = emitCall;
  return k;
}

}  // namespace

void addConvKinds(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo conv1d = convKind(LayerKind::Conv1D, "Conv1D", "conv_1d_cl", "conv_1d");
  static const LayerKindInfo conv2d = convKind(LayerKind::Conv2D, "Conv2D", "conv_2d_cl", "conv_2d");
  kinds.push_back(&conv1d);
  kinds.push_back(&conv2d);
}

}  // namespace mmlc::hls
