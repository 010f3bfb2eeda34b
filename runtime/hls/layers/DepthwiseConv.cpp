// Layer kinds DepthwiseConv1D and DepthwiseConv2D (hls4ml DepthwiseConv1D/2D and the depthwise
// half of SeparableConv, nnet::depthwise_conv_1d/2d_cl, depth multiplier 1): one kernel per
// channel. Simulated and rewritten in imported projects; mmlc emits them (io_parallel) with its own
// nnet::depthwise_conv_2d_cl (runtime/hls/templates/nnet_utils/nnet_conv.h), whose arithmetic is
// hls4ml 1.x's depthwise_conv_2d_latency_cl: a separable convolution is this plus a 1x1 Conv2D.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

void simulate(const SimLayer& sl, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch&) {
  // depthwise_conv_1d/2d_latency_cl and the io_stream depthwise_product(_latency): per output
  // pixel and channel, acc = accum_t(bias), then for each kernel position (row-major) acc +=
  // accum_t(x * w), the product cast to accum_t before the addition; res = res_T(acc). Padding
  // contributes zero products, which leave acc unchanged.
  const LayerDesc& l = sl.l;
  const FixedType& inT = sl.in;
  const int c = l.inChannels, prodFrac = inT.frac() + l.weightType.frac(), fa = l.accumType.frac();
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow)
      for (int ch = 0; ch < c; ++ch) {
        Raw acc = p.biasAccum[ch];
        for (int kh = 0; kh < l.kernelH; ++kh)
          for (int kw = 0; kw < l.kernelW; ++kw) {
            const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
            if (ih < 0 || ih >= l.inHeight || iw < 0 || iw >= l.inWidth) continue;
            const Raw x = in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch];
            const Raw w = p.weights[(static_cast<size_t>(kh) * l.kernelW + kw) * c + ch];
            if (x == 0 || w == 0) continue;
            const Raw m = quantizeRaw(static_cast<WideRaw>(x) * w, prodFrac, l.accumType);
            acc = quantizeRaw(static_cast<WideRaw>(acc) + m, fa, l.accumType);
          }
        out[(static_cast<size_t>(oh) * l.outWidth + ow) * c + ch] = quantizeRaw(acc, fa, l.resultType);
      }
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe& r) {
  // One filter per channel: out[p][ch] = b[ch] + sum over the kernel of x * w[kh][kw][ch].
  const int c = l.inChannels;
  const bool partialSums = r.partialSums;
  std::vector<double>& peak = r.peak;
  peak.assign(static_cast<size_t>(c), 0.0);
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow)
      for (int ch = 0; ch < c; ++ch) {
        double acc = l.biases[static_cast<size_t>(ch)];
        if (partialSums) peak[ch] = std::max(peak[ch], std::abs(acc));
        for (int kh = 0; kh < l.kernelH; ++kh)
          for (int kw = 0; kw < l.kernelW; ++kw) {
            const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
            if (ih < 0 || ih >= l.inHeight || iw < 0 || iw >= l.inWidth) continue;
            acc += in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch] *
                   l.weights[(static_cast<size_t>(kh) * l.kernelW + kw) * c + ch];
            if (partialSums) peak[ch] = std::max(peak[ch], std::abs(acc));
          }
        out[(static_cast<size_t>(oh) * l.outWidth + ow) * c + ch] = acc;
        r.accumAbs = std::max(r.accumAbs, std::abs(acc));
      }
}

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  std::string s = "struct config_" + l.name + " : nnet::conv2d_config {\n";
  s += configUnsigned("in_height", l.inHeight) + configUnsigned("in_width", l.inWidth) + configUnsigned("n_chan", l.inChannels);
  s += configUnsigned("filt_height", l.kernelH) + configUnsigned("filt_width", l.kernelW) + configUnsigned("n_filt", l.nFilters);
  s += configUnsigned("stride_height", l.strideH) + configUnsigned("stride_width", l.strideW);
  s += configUnsigned("pad_top", l.padTop) + configUnsigned("pad_bottom", l.padBottom) + configUnsigned("pad_left", l.padLeft) +
       configUnsigned("pad_right", l.padRight);
  s += configUnsigned("out_height", l.outHeight) + configUnsigned("out_width", l.outWidth);
  s += configUnsigned("reuse_factor", l.reuseFactor);
  s += "  typedef " + l.name + "_accum_t accum_t;\n  typedef " + l.name + "_bias_t bias_t;\n  typedef " + l.name +
       "_weight_t weight_t;\n};\n";
  return s;
}

// Both kinds call the channels-last 2-D template (1-D is its height-1 case).
std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  const LayerDesc& l = e.l;
  return "nnet::depthwise_conv_2d_cl<" + e.inType + ", " + e.outType + ", config_" + l.name + ">(" + in + ", " + out + ", w_" +
         l.name + ", b_" + l.name + ");";
}

LayerKindInfo depthwiseKind(LayerKind kind, const char* name, std::vector<std::string> calls) {
  LayerKindInfo k;
  k.kind = kind;
  k.name = name;
  k.nnKind = "";
  k.mmlName = "";
  k.nnetCalls = std::move(calls);
  k.configStruct = "conv2d_config";
  k.configFields = convGeometryFields("filters (= channels: depth multiplier 1)");
  k.configFields.push_back(keywordField("reuse_factor", "multiplications per multiplier"));
  k.configFields.push_back(keywordField("strategy", "latency or resource"));
  for (ConfigField& f : macTypeFields()) k.configFields.push_back(f);
  k.hasWeights = true;
  k.isMac = true;
  k.estimate = EstimateFamily::Mac;
  k.conversions = LayerTypes::Template::Mac;  // the same three casts per product (depthwise_product)
  k.simulate = simulate;
  k.reference = reference;
  k.emitConfig = emitConfig;
  k.emitTypedefs = emitWeightedTypedefs;
  k.emitCall = emitCall;
  return k;
}

}  // namespace

void addDepthwiseConvKinds(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo dw1 = depthwiseKind(LayerKind::DepthwiseConv1D, "DepthwiseConv1D",
                                                 {"depthwise_conv_1d_cl", "separable_conv_1d_cl"});
  static const LayerKindInfo dw2 = depthwiseKind(LayerKind::DepthwiseConv2D, "DepthwiseConv2D",
                                                 {"depthwise_conv_2d_cl", "separable_conv_2d_cl"});
  kinds.push_back(&dw1);
  kinds.push_back(&dw2);
}

}  // namespace mmlc::hls
