// Nearest-neighbour upsampling as a gather through a precomputed source index per output element.
#include "nn/UpsampleLayer.h"

#include "nn/Error.h"

namespace mmlc::nn {

Shape UpsampleLayer::configure(const Shape& input, Random&) {
  const int fh = input.rank() == 3 ? spec_.kernelH : 1, fw = spec_.kernelW;
  if (input.rank() != 2 && input.rank() != 3)
    throw Error("Upsample layer '" + spec_.name + "' expects (C,L) or (C,H,W) input, got " + input.str());
  if (fh < 1 || fw < 1)
    throw Error("Upsample layer '" + spec_.name + "' needs factors >= 1, not " + std::to_string(fh) + "x" + std::to_string(fw));
  const int c = input.dims[0], h = input.rank() == 3 ? input.dims[1] : 1, w = input.dims.back();
  source_.clear();
  for (int ch = 0; ch < c; ++ch)
    for (int oh = 0; oh < h * fh; ++oh)
      for (int ow = 0; ow < w * fw; ++ow) source_.push_back((static_cast<long>(ch) * h + oh / fh) * w + ow / fw);
  if (input.rank() == 2) return Shape{c, w * fw};
  return Shape{c, h * fh, w * fw};
}

void UpsampleLayer::forward(const Matrix& x, Matrix& y, bool) {
  y.resize(x.rows(), static_cast<long>(source_.size()));
  for (long r = 0; r < x.rows(); ++r)
    for (long o = 0; o < y.cols(); ++o) y(r, o) = x(r, source_[o]);
}

void UpsampleLayer::backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix& dx) {
  dx = Matrix::Zero(x.rows(), x.cols());
  for (long r = 0; r < x.rows(); ++r)
    for (long o = 0; o < dy.cols(); ++o) dx(r, source_[o]) += dy(r, o);
}

}  // namespace mmlc::nn
