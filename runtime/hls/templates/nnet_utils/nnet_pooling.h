// mmlc layer-template library: channels-last max and average pooling (padded cells ignored), computing what
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
  static const unsigned pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  static const unsigned out_height = 5, out_width = 5;
  static const pool_op pool_type = pool_max;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

// One window: pool[] holds the window in (kh, kw) order and inside[] says which cells lie in the
// input (padded cells are ignored: the maximum and the average are over the cells inside).
template <class data_T, class res_T, typename CONFIG_T>
res_T pool_window(const data_T pool[CONFIG_T::pool_height * CONFIG_T::pool_width],
                  const bool inside[CONFIG_T::pool_height * CONFIG_T::pool_width]) {
  typedef typename CONFIG_T::accum_t accum_t;
  static const int N = CONFIG_T::pool_height * CONFIG_T::pool_width;
  int count = 0;
  for (int i = 0; i < N; i++) count += inside[i] ? 1 : 0;
  accum_t r = 0;
  if (CONFIG_T::io_type == io_stream) {
    // hls4ml's reduce_pool: window values cast to accum_t, reduced by nnet::reduce (a padded cell
    // is a 0 of the sum's tree; the maximum is over the cells inside, whatever the order).
    accum_t window[N];
    for (int i = 0; i < N; i++) window[i] = inside[i] ? (accum_t)pool[i] : accum_t(0);
    if (CONFIG_T::pool_type == pool_max) {
      bool first = true;
      for (int i = 0; i < N; i++)
        if (inside[i] && (first || window[i] > r)) {
          r = window[i];
          first = false;
        }
    } else {
      Op_add<accum_t> op_add;
      const accum_t sum = reduce<accum_t, N, Op_add<accum_t> >(window, op_add);
      r = sum / count;
    }
  } else if (CONFIG_T::pool_type == pool_max) {
    data_T y = 0;
    bool first = true;
    for (int i = 0; i < N; i++)
      if (inside[i] && (first || pool[i] > y)) {
        y = pool[i];
        first = false;
      }
    r = y;
  } else {
    accum_t y = 0;
    for (int i = 0; i < N; i++)
      if (inside[i]) y += pool[i];
    r = y / count;
  }
  return (res_T)r;
}

template <class data_T, class res_T, typename CONFIG_T>
void pooling2d_cl(data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_filt],
                  res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt]) {
  static const int N = CONFIG_T::pool_height * CONFIG_T::pool_width;
  MMLC_HLS_PRAGMA(HLS PIPELINE II = CONFIG_T::reuse_factor)
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
        data_T pool[N];
        bool inside[N];
        for (unsigned kh = 0; kh < CONFIG_T::pool_height; kh++) {
          for (unsigned kw = 0; kw < CONFIG_T::pool_width; kw++) {
            const int ih = (int)(oh * CONFIG_T::stride_height + kh) - (int)CONFIG_T::pad_top;
            const int iw = (int)(ow * CONFIG_T::stride_width + kw) - (int)CONFIG_T::pad_left;
            const bool in = ih >= 0 && ih < (int)CONFIG_T::in_height && iw >= 0 && iw < (int)CONFIG_T::in_width;
            inside[kh * CONFIG_T::pool_width + kw] = in;
            pool[kh * CONFIG_T::pool_width + kw] =
                in ? data[((unsigned)ih * CONFIG_T::in_width + (unsigned)iw) * CONFIG_T::n_filt + c] : data_T(0);
          }
        }
        res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt + c] = pool_window<data_T, res_T, CONFIG_T>(pool, inside);
      }
    }
  }
}

}  // namespace nnet

#endif
