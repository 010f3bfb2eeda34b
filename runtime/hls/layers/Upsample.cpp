// Layer kind Upsample (hls4ml UpSampling1D/2D and ONNX nearest Resize, nnet::resize_nearest of
// nnet_image.h / nnet_image_stream.h): each value repeated scaleH x scaleW times. A copy with one
// data_T, so its result type is its input's (keepsInputType) and the simulation is exact.
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {
namespace {

// Output pixel (oh, ow) reads input pixel (oh / scaleH, ow / scaleW) (templateIssues checks that
// the template's fixed-point ratio picks the same one).
template <class T>
void repeat(const LayerDesc& l, const T* in, T* out) {
  const int c = l.inChannels;
  for (int oh = 0; oh < l.outHeight; ++oh)
    for (int ow = 0; ow < l.outWidth; ++ow) {
      const T* from = in + hwcIndex(oh / l.scaleH, ow / l.scaleW, l.inWidth, c, 0);
      std::copy(from, from + c, out + hwcIndex(oh, ow, l.outWidth, c, 0));
    }
}

void simulate(const SimLayer& sl, const PreparedLayer&, const Raw* in, Raw* out, SimScratch&) { repeat(sl.l, in, out); }

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) { repeat(l, in, out); }

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  return "struct config_" + l.name + " : nnet::resize_config {\n" + configUnsigned("height", l.inHeight) +
         configUnsigned("width", l.inWidth) + configUnsigned("n_chan", l.inChannels) + configUnsigned("new_height", l.outHeight) +
         configUnsigned("new_width", l.outWidth) + "};\n";
}

// resize_nearest<data_T, CONFIG_T>: the input's type (or packet type) is the result's.
std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  return "nnet::resize_nearest<" + e.inType + ", config_" + e.l.name + ">(" + in + ", " + out + ");";
}

}  // namespace

void addUpsampleKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo upsample = [] {
    LayerKindInfo k;
    k.kind = LayerKind::Upsample;
    k.name = "Upsample";
    k.nnKind = "Upsample";
    k.mmlName = "";
    k.nnetCalls = {"resize_nearest"};
    k.configStruct = "resize_config";
    // The scale factors are new_height / height and new_width / width (the importer checks
    // they are whole).
    k.configFields = {sizeField("height", "input rows", FieldSize::Rows),
                      sizeField("width", "input columns", FieldSize::Columns),
                      sizeField("n_chan", "channels", FieldSize::Channels),
                      {"new_height", "output rows (a whole multiple; read with height as the row scale)"},
                      {"new_width", "output columns (a whole multiple; read with width as the column scale)"}};
    k.keepsInputType = true;
    k.streamCall = true;  // nnet_image_stream.h: row by row on the packet stream
    k.resultSign = ResultSign::AsInput;
    k.estimate = EstimateFamily::Other;  // wiring (and the output's registers)
    k.conversions = LayerTypes::Template::None;  // no conversion: data_T to data_T
    k.simulate = simulate;
    k.reference = reference;
    k.emitConfig = emitConfig;
    k.emitCall = emitCall;
    return k;
  }();
  kinds.push_back(&upsample);
}

}  // namespace mmlc::hls
