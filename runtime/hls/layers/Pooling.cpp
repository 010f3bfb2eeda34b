// Layer kinds MaxPool, AvgPool, GlobalMaxPool and GlobalAvgPool (hls4ml Pooling1D/2D and
// GlobalPooling1D/2D, nnet::pooling1d/2d_cl, global_pooling1d/2d_cl), channels last. mmlc emits
// the windowed ones (pooling2d_cl); global pooling is simulated and rewritten in imported projects.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

bool isMaxKind(LayerKind k) { return k == LayerKind::MaxPool || k == LayerKind::GlobalMaxPool; }

void simulate(const SimLayer& sl, const PreparedLayer&, const Raw* in, Raw* out, SimScratch& s) {
  const LayerDesc& l = sl.l;
  const FixedType& inT = sl.in;
  const FixedType& accT = l.accumType;
  const int c = l.inChannels, n = l.kernelH * l.kernelW, fin = inT.frac(), fa = accT.frac(), fr = l.resultType.frac();
  const bool isMax = l.kind == LayerKind::MaxPool || l.kind == LayerKind::GlobalMaxPool;
  const bool global = l.kind == LayerKind::GlobalMaxPool || l.kind == LayerKind::GlobalAvgPool;
  const bool stream = sl.net.ioType == IOType::Stream;
  const bool g08 = sl.net.generation == TemplateGeneration::Hls4ml_0_8;
  // 0.8's avg() overload for ap_fixed<W,I> (default modes) sums exactly in W + log2(N) bits.
  const bool exactAvg08 = inT.isSigned && inT.quant == QuantMode::TRN && inT.overflow == OverflowMode::WRAP;
  // 0.8's pooling1d/2d_cl scale averages by data_T(pool size) / overlap (the overlap is the whole
  // window without padding): data_T(pw) / n in 1-D, data_T(ph) * data_T(pw) / n in 2-D.
  Raw rescale = 0;
  int rescaleFrac = fin;
  if (g08 && !stream && !isMax && !global) {
    if (l.inHeight == 1 && l.kernelH == 1) {
      rescale = quantizeRaw(truncDiv(fromDouble(l.kernelW, inT), n), fin, inT);
    } else {
      const WideRaw prod = static_cast<WideRaw>(fromDouble(l.kernelH, inT)) * fromDouble(l.kernelW, inT);
      rescale = quantizeRaw(truncDiv(prod, n), 2 * fin, inT);
    }
  }
  s.column.resize(n);
  Raw* v = s.column.data();
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow)
      for (int ch = 0; ch < c; ++ch) {
        // The window's cells inside the input, in (kh, kw) order; padded cells are ignored (the
        // maximum and the average are over the `q` cells inside, as in TensorFlow).
        int q = 0;
        for (int kh = 0; kh < l.kernelH; ++kh)
          for (int kw = 0; kw < l.kernelW; ++kw) {
            const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
            if (ih >= 0 && ih < l.inHeight && iw >= 0 && iw < l.inWidth)
              v[q++] = in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch];
          }
        const bool padded = q < n;
        Raw r;  // the result before the cast to res_T, in fraction rf
        int rf = fin;
        if (stream) {
          // io_stream (reduce_pool / compute_global_pool, the same in every generation): window
          // values are first cast to accum_t; windows reduce by nnet::reduce, global pooling
          // accumulates pixel by pixel.
          rf = fa;
          for (int i = 0; i < q; ++i) v[i] = quantizeRaw(v[i], fin, accT);
          if (isMax) {
            r = *std::max_element(v, v + q);
          } else if (global) {
            Raw y = 0;
            for (int i = 0; i < n; ++i) y = quantizeRaw(static_cast<WideRaw>(y) + v[i], fa, accT);
            r = quantizeRaw(truncDiv(y, n), fa, accT);
          } else if (padded) {
            // mmlc's line-buffer template reduces the whole window with zeros in the padded
            // cells (the tree's shape is the full window's) and divides by the cells inside.
            std::vector<Raw>& full = s.expRes;
            full.assign(static_cast<size_t>(n), 0);
            int at = 0, i = 0;
            for (int kh = 0; kh < l.kernelH; ++kh)
              for (int kw = 0; kw < l.kernelW; ++kw, ++at) {
                const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
                if (ih >= 0 && ih < l.inHeight && iw >= 0 && iw < l.inWidth) full[static_cast<size_t>(at)] = v[i++];
              }
            r = quantizeRaw(truncDiv(reduceAdd(full.data(), n, accT), q), fa, accT);
          } else {
            r = quantizeRaw(truncDiv(reduceAdd(v, n, accT), n), fa, accT);
          }
        } else if (g08) {
          if (isMax) {
            r = *std::max_element(v, v + q);
          } else if (exactAvg08) {
            WideRaw sum = 0;
            for (int i = 0; i < q; ++i) sum += v[i];
            r = quantizeRaw(truncDiv(sum, n), fin, inT);
          } else {  // generic avg(): y += x and y /= N in data_T
            Raw y = 0;
            for (int i = 0; i < q; ++i) y = quantizeRaw(static_cast<WideRaw>(y) + v[i], fin, inT);
            r = quantizeRaw(truncDiv(y, n), fin, inT);
          }
        } else {
          // pool_op<data_T, N, op, accum_t>: max in data_T, or y += x / y /= N in accum_t; the
          // accum_t result is cast to res_T.
          rf = fa;
          if (isMax) {
            r = quantizeRaw(*std::max_element(v, v + q), fin, accT);
          } else {
            Raw y = 0;
            for (int i = 0; i < q; ++i) y = addCast(y, fa, v[i], fin, accT);
            r = quantizeRaw(truncDiv(y, q), fa, accT);
          }
        }
        Raw res = quantizeRaw(r, rf, l.resultType);
        if (g08 && !stream && !isMax && !global)
          res = quantizeRaw(static_cast<WideRaw>(res) * rescale, fr + rescaleFrac, l.resultType);
        out[(static_cast<size_t>(oh) * l.outWidth + ow) * c + ch] = res;
      }
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe& r) {
  const int c = l.inChannels;
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow)
      for (int ch = 0; ch < c; ++ch) {
        double best = 0, sum = 0;
        bool first = true;
        int window = 0;
        for (int kh = 0; kh < l.kernelH; ++kh)
          for (int kw = 0; kw < l.kernelW; ++kw) {
            const int ih = oh * l.strideH + kh - l.padTop, iw = ow * l.strideW + kw - l.padLeft;
            if (ih < 0 || ih >= l.inHeight || iw < 0 || iw >= l.inWidth) continue;  // padding is ignored
            ++window;
            const double v = in[(static_cast<size_t>(ih) * l.inWidth + iw) * c + ch];
            best = first ? v : std::max(best, v);
            first = false;
            sum += v;
            // accum_t holds the maximum or every running sum of the average (hls4ml's pool_op)
            r.accumAbs = std::max(r.accumAbs, std::abs(isMaxKind(l.kind) ? v : sum));
          }
        out[(static_cast<size_t>(oh) * l.outWidth + ow) * c + ch] = isMaxKind(l.kind) ? best : sum / window;
      }
}

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  if (e.net.generation == TemplateGeneration::Hls4ml_0_8)
    throw std::invalid_argument("layer '" + l.name + "': mmlc's pooling template computes hls4ml 1.0's pooling, not 0.8's");
  std::string s = "struct config_" + l.name + " : nnet::pooling2d_config {\n";
  s += configUnsigned("in_height", l.inHeight) + configUnsigned("in_width", l.inWidth) + configUnsigned("n_filt", l.inChannels);
  s += configUnsigned("pool_height", l.kernelH) + configUnsigned("pool_width", l.kernelW);
  s += configUnsigned("stride_height", l.strideH) + configUnsigned("stride_width", l.strideW);
  s += configUnsigned("pad_top", l.padTop) + configUnsigned("pad_bottom", l.padBottom) + configUnsigned("pad_left", l.padLeft) +
       configUnsigned("pad_right", l.padRight);
  s += configUnsigned("out_height", l.outHeight) + configUnsigned("out_width", l.outWidth);
  s += std::string("  static const nnet::pool_op pool_type = nnet::") + (l.kind == LayerKind::MaxPool ? "pool_max" : "pool_average") + ";\n";
  // io_stream pooling casts window values to accum_t before reducing them (hls4ml's reduce_pool).
  s += std::string("  static const unsigned io_type = nnet::") + (e.net.ioType == IOType::Stream ? "io_stream" : "io_parallel") + ";\n";
  s += "  typedef " + l.name + "_accum_t accum_t;\n";
  s += configUnsigned("reuse_factor", l.reuseFactor) + "};\n";
  return s;
}

std::string emitTypedefs(const EmitLayer& e) { return "typedef " + e.l.accumType.toCpp() + " " + e.l.name + "_accum_t;\n"; }

std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  return "nnet::pooling2d_cl<" + e.inType + ", " + e.outType + ", config_" + e.l.name + ">(" + in + ", " + out + ");";
}

LayerKindInfo poolKind(LayerKind kind, const char* name, const char* nnKind, bool global, LayerTypes::Template conversions) {
  LayerKindInfo k;
  k.kind = kind;
  k.name = name;
  k.nnKind = nnKind;
  k.mmlName = "";
  // One set of functions computes max and average pooling; the config's pool_type (pool_op) picks.
  if (global)
    k.nnetCalls = {"global_pooling1d_cl", "global_pooling2d_cl"};
  else
    k.nnetCalls = {"pooling1d_cl", "pooling2d_cl"}, k.nnetAliases = {"pooling2d"};
  k.configStruct = global ? "" : "pooling2d_config";
  // pooling2d_config and global pooling: in_height, in_width; the 1-D functions: n_in.
  const FieldDims one = FieldDims::OneD, two = FieldDims::TwoD;
  k.configFields = {sizeField("in_height", "input rows", FieldSize::Rows, two), sizeField("in_width", "input columns", FieldSize::Columns, two),
                    sizeField("n_in", "input columns", FieldSize::Columns, one), sizeField("n_filt", "channels", FieldSize::Channels)};
  if (!global)
    for (ConfigField f : {countField("pool_height", "window rows", &LayerDesc::kernelH, true, two),
                          countField("pool_width", "window columns", &LayerDesc::kernelW, true),
                          countField("stride_height", "row stride", &LayerDesc::strideH, false, two, &LayerDesc::kernelH),
                          countField("stride_width", "column stride", &LayerDesc::strideW, false, FieldDims::Any, &LayerDesc::kernelW),
                          countField("pad_top", "ignored rows above", &LayerDesc::padTop, false, two),
                          countField("pad_bottom", "ignored rows below", &LayerDesc::padBottom, false, two),
                          countField("pad_left", "ignored columns left", &LayerDesc::padLeft, false),
                          countField("pad_right", "ignored columns right", &LayerDesc::padRight, false),
                          ConfigField{"out_height", "output rows"}, ConfigField{"out_width", "output columns"}})
      k.configFields.push_back(f);
  for (ConfigField f : {keywordField("pool_type", "pool_max or pool_average (hls4ml 1.x: pool_op)"), importOnly(keywordField("pool_op", "max or average")),
                        ConfigField{"io_type", "io_parallel or io_stream"},
                        typeField("accum_t", "accumulator type (hls4ml 1.0: also of maxima)", &LayerDesc::accumType, false),
                        keywordField("reuse_factor", "reuse factor")})
    k.configFields.push_back(f);
  k.hasPoolAccum = true;
  k.streamCall = !global;  // nnet_conv_stream.h: a line buffer
  // The search keeps the sign of windowed pooling's input; a global pool's result is taken as signed.
  k.resultSign = global ? ResultSign::Any : ResultSign::AsInput;
  k.estimate = EstimateFamily::Other;
  k.conversions = conversions;
  k.simulate = simulate;
  k.reference = reference;
  if (global) {
    k.notEmitted = "they are simulated and rewritten in imported hls4ml projects";
  } else {
    k.emitConfig = emitConfig;
    k.emitTypedefs = emitTypedefs;
    k.emitCall = emitCall;
  }
  return k;
}

}  // namespace

void addPoolingKinds(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo maxPool = poolKind(LayerKind::MaxPool, "MaxPool", "MaxPool", false, LayerTypes::Template::Copy);
  static const LayerKindInfo avgPool = poolKind(LayerKind::AvgPool, "AvgPool", "AveragePool", false, LayerTypes::Template::AvgPool);
  static const LayerKindInfo globalMax = poolKind(LayerKind::GlobalMaxPool, "GlobalMaxPool", "", true, LayerTypes::Template::Copy);
  static const LayerKindInfo globalAvg = poolKind(LayerKind::GlobalAvgPool, "GlobalAvgPool", "", true, LayerTypes::Template::None);
  for (const LayerKindInfo* k : {&maxPool, &avgPool, &globalMax, &globalAvg}) kinds.push_back(k);
}

}  // namespace mmlc::hls
