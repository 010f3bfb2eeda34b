// mmlc layer-template library: inference batch normalisation as a per-channel scale and shift.
#ifndef NNET_BATCHNORM_H_
#define NNET_BATCHNORM_H_

#include "nnet_common.h"
#include "nnet_stream.h"

namespace nnet {

struct batchnorm_config {
  typedef float scale_t;
  typedef float bias_t;
  static const unsigned n_in = 10;
  static const unsigned n_filt = 1;
  static const unsigned reuse_factor = 1;
};

// res = data * scale + bias, computed exactly and cast once to the result type.
template <class data_T, class res_T, typename CONFIG_T>
void normalize(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in], typename CONFIG_T::scale_t scale[CONFIG_T::n_filt],
               typename CONFIG_T::bias_t bias[CONFIG_T::n_filt]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE II = CONFIG_T::reuse_factor)
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    MMLC_HLS_PRAGMA(HLS UNROLL)
    const unsigned c = i % CONFIG_T::n_filt;
    res[i] = data[i] * scale[c] + bias[c];
  }
}

// io_stream: one packet (one pixel's channels) at a time, as hls4ml's nnet_batchnorm_stream.h.
template <class data_T, class res_T, typename CONFIG_T>
void normalize(hls::stream<data_T>& data, hls::stream<res_T>& res, typename CONFIG_T::scale_t scale[CONFIG_T::n_filt],
               typename CONFIG_T::bias_t bias[CONFIG_T::n_filt]) {
  NNET_PER_PACKET(normalize<D, R, P>(in.data, out.data, scale, bias))
}

}  // namespace nnet

#endif
