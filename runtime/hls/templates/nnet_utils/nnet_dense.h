// mmlc layer-template library: fully connected layers, latency (fully unrolled) and resource
// (reuse-factor folded) strategies, with hls4ml's arithmetic: each product is cast to accum_t,
// accumulated on top of the bias, and the sum cast to the result type.
#ifndef NNET_DENSE_H_
#define NNET_DENSE_H_

#include "nnet_common.h"

namespace nnet {

struct dense_config {
  typedef float bias_t;
  typedef float weight_t;
  typedef float accum_t;
  static const unsigned n_in = 10;
  static const unsigned n_out = 10;
  static const unsigned io_type = io_parallel;
  static const unsigned strategy = latency;
  static const unsigned reuse_factor = 1;
  static const unsigned n_zeros = 0;
  static const unsigned n_nonzeros = 0;
};

// weights are input-major: weights[i * n_out + j]. Zero weights are compile-time constants in
// the synthesised design, so the `continue` removes their multiplier entirely.
template <class data_T, class res_T, typename CONFIG_T>
void dense_latency(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
                   typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                   typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  const unsigned multiplier_limit = DIV_ROUNDUP(CONFIG_T::n_in * CONFIG_T::n_out, CONFIG_T::reuse_factor);
  (void)multiplier_limit;
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
  MMLC_HLS_PRAGMA(HLS PIPELINE II = CONFIG_T::reuse_factor)
  MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = acc complete)
  MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = biases complete)
  MMLC_HLS_PRAGMA(HLS ARRAY_RESHAPE variable = weights block factor = multiplier_limit)
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    MMLC_HLS_PRAGMA(HLS UNROLL)
    acc[j] = (typename CONFIG_T::accum_t)biases[j];
  }
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    MMLC_HLS_PRAGMA(HLS UNROLL)
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
      MMLC_HLS_PRAGMA(HLS UNROLL)
      const unsigned index = i * CONFIG_T::n_out + j;
      if (weights[index] == 0) continue;
      typename CONFIG_T::accum_t mult = data[i] * weights[index];
      acc[j] += mult;
    }
  }
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    MMLC_HLS_PRAGMA(HLS UNROLL)
    res[j] = (res_T)acc[j];
  }
}

// weights are output-major (transposed): weights[j * n_in + i]. One pipelined iteration per
// reuse step performs block_factor multiplications; w_index = ir + reuse_factor * im.
template <class data_T, class res_T, typename CONFIG_T>
void dense_resource(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
                    typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                    typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  const unsigned rufactor = CONFIG_T::reuse_factor;
  const unsigned total = CONFIG_T::n_in * CONFIG_T::n_out;
  const unsigned block_factor = DIV_ROUNDUP(total, rufactor);
  MMLC_HLS_PRAGMA(HLS ARRAY_RESHAPE variable = weights block factor = block_factor)
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
  MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = acc complete)
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    MMLC_HLS_PRAGMA(HLS UNROLL)
    acc[j] = (typename CONFIG_T::accum_t)biases[j];
  }
  for (unsigned ir = 0; ir < rufactor; ir++) {
    MMLC_HLS_PRAGMA(HLS PIPELINE II = 1 rewind)
    for (unsigned im = 0; im < block_factor; im++) {
      MMLC_HLS_PRAGMA(HLS UNROLL)
      const unsigned w_index = ir + rufactor * im;
      if (w_index >= total) break;
      const unsigned out_index = w_index / CONFIG_T::n_in;
      const unsigned in_index = w_index % CONFIG_T::n_in;
      typename CONFIG_T::accum_t mult = data[in_index] * weights[w_index];
      acc[out_index] += mult;
    }
  }
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    MMLC_HLS_PRAGMA(HLS UNROLL)
    res[j] = (res_T)acc[j];
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void dense(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
           typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  if (CONFIG_T::strategy == latency) {
    dense_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
  } else {
    dense_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
  }
}

}  // namespace nnet

#endif
