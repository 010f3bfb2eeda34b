// mmlc layer-template library: channels-last max and average pooling (no padding), computing what
// hls4ml 1.0's templates compute: io_parallel pool_op (the maximum in data_T, or y += x and
// y /= N in accum_t) and, for io_stream, reduce_pool (window values cast to accum_t, then reduced
// by nnet::reduce; the average divides the tree sum by N in accum_t).
#ifndef NNET_POOLING_H_
#define NNET_POOLING_H_

#include "nnet_common.h"

namespace nnet {

enum pool_op { pool_max, pool_average };

struct pooling2d_config {
  typedef float accum_t;
  static const unsigned in_height = 10, in_width = 10, n_filt = 1;
  static const unsigned pool_height = 2, pool_width = 2;
  static const unsigned stride_height = 2, stride_width = 2;
  static const unsigned out_height = 5, out_width = 5;
  static const pool_op pool_type = pool_max;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void pooling2d_cl(data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_filt],
                  res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt]) {
  typedef typename CONFIG_T::accum_t accum_t;
  static const int N = CONFIG_T::pool_height * CONFIG_T::pool_width;
  MMLC_HLS_PRAGMA(HLS PIPELINE II = CONFIG_T::reuse_factor)
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
        data_T pool[N];
        for (unsigned kh = 0; kh < CONFIG_T::pool_height; kh++) {
          for (unsigned kw = 0; kw < CONFIG_T::pool_width; kw++) {
            pool[kh * CONFIG_T::pool_width + kw] =
                data[((oh * CONFIG_T::stride_height + kh) * CONFIG_T::in_width + ow * CONFIG_T::stride_width + kw) *
                         CONFIG_T::n_filt +
                     c];
          }
        }
        accum_t r;
        if (CONFIG_T::io_type == io_stream) {
          accum_t window[N];
          for (int i = 0; i < N; i++) window[i] = pool[i];
          if (CONFIG_T::pool_type == pool_max) {
            Op_max<accum_t> op_max;
            r = reduce<accum_t, N, Op_max<accum_t> >(window, op_max);
          } else {
            Op_add<accum_t> op_add;
            const accum_t sum = reduce<accum_t, N, Op_add<accum_t> >(window, op_add);
            r = sum / N;
          }
        } else if (CONFIG_T::pool_type == pool_max) {
          data_T y = pool[0];
          for (int i = 1; i < N; i++) y = pool[i] > y ? pool[i] : y;
          r = y;
        } else {
          accum_t y = 0;
          for (int i = 0; i < N; i++) y += pool[i];
          r = y / N;
        }
        res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt + c] = (res_T)r;
      }
    }
  }
}

}  // namespace nnet

#endif
