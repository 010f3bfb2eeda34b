// Layer kind ZeroPad (hls4ml ZeroPadding1D/2D, nnet::zeropad1d_cl / zeropad2d_cl): the input
// cast to the result type inside a border of zeros. Simulated and rewritten in imported projects.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

void simulate(const SimLayer& sl, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) {
  const LayerDesc& l = sl.l;
  const int fin = sl.in.frac(), c = l.inChannels;
  std::fill(out, out + l.outputSize(), Raw{0});
  for (int h = 0; h < l.inHeight; ++h)
    for (int w = 0; w < l.inWidth; ++w)
      for (int ch = 0; ch < c; ++ch)
        out[(static_cast<size_t>(h + l.padTop) * l.outWidth + w + l.padLeft) * c + ch] =
            quantizeRaw64(in[(static_cast<size_t>(h) * l.inWidth + w) * c + ch], fin, l.resultType);
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  const int c = l.inChannels;
  std::fill(out, out + l.outputSize(), 0.0);
  for (int h = 0; h < l.inHeight; ++h)
    for (int w = 0; w < l.inWidth; ++w)
      for (int ch = 0; ch < c; ++ch)
        out[(static_cast<size_t>(h + l.padTop) * l.outWidth + w + l.padLeft) * c + ch] =
            in[(static_cast<size_t>(h) * l.inWidth + w) * c + ch];
}

}  // namespace

void addZeroPadKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo zeroPad = [] {
    LayerKindInfo k;
    k.kind = LayerKind::ZeroPad;
    k.name = "ZeroPad";
    k.nnKind = "";
    k.mmlName = "";
    k.nnetCalls = {"zeropad1d_cl", "zeropad2d_cl"};
    k.configStruct = "";
    const FieldDims two = FieldDims::TwoD;
    k.configFields = {sizeField("in_height", "input rows", FieldSize::Rows, two),
                      sizeField("in_width", "input columns", FieldSize::Columns),
                      sizeField("n_chan", "channels", FieldSize::Channels),
                      sizeField("out_width", "output columns", FieldSize::OutputColumns, FieldDims::Any, false),
                      countField("pad_top", "zero rows above", &LayerDesc::padTop, false, two),
                      countField("pad_bottom", "zero rows below", &LayerDesc::padBottom, false, two),
                      countField("pad_left", "zero columns left", &LayerDesc::padLeft, false),
                      countField("pad_right", "zero columns right", &LayerDesc::padRight, false)};
    k.conversions = LayerTypes::Template::Copy;
    k.simulate = simulate;
    k.reference = reference;
    k.notEmitted = "they are simulated and rewritten in imported hls4ml projects";
    return k;
  }();
  kinds.push_back(&zeroPad);
}

}  // namespace mmlc::hls
