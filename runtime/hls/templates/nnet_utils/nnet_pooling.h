// mmlc layer-template library: channels-last max and average pooling (no padding).
#ifndef NNET_POOLING_H_
#define NNET_POOLING_H_

#include "nnet_common.h"

namespace nnet {

enum pool_op { pool_max, pool_average };

struct pooling2d_config {
  static const unsigned in_height = 10, in_width = 10, n_filt = 1;
  static const unsigned pool_height = 2, pool_width = 2;
  static const unsigned stride_height = 2, stride_width = 2;
  static const unsigned out_height = 5, out_width = 5;
  static const pool_op pool_type = pool_max;
  static const unsigned reuse_factor = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void pooling2d_cl(data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_filt],
                  res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE II = CONFIG_T::reuse_factor)
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
        data_T best = data[((oh * CONFIG_T::stride_height) * CONFIG_T::in_width + ow * CONFIG_T::stride_width) * CONFIG_T::n_filt + c];
        // The sum is exact: 16 extra integer bits cover any realistic window.
        ap_fixed<data_T::width + 16, data_T::iwidth + 16> sum = 0;
        for (unsigned kh = 0; kh < CONFIG_T::pool_height; kh++) {
          for (unsigned kw = 0; kw < CONFIG_T::pool_width; kw++) {
            const unsigned idx = ((oh * CONFIG_T::stride_height + kh) * CONFIG_T::in_width + ow * CONFIG_T::stride_width + kw) *
                                     CONFIG_T::n_filt + c;
            if (data[idx] > best) best = data[idx];
            sum = sum + data[idx];
          }
        }
        const unsigned out_index = (oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt + c;
        if (CONFIG_T::pool_type == pool_max) {
          res[out_index] = (res_T)best;
        } else {
          res[out_index] = (res_T)(sum / (int)(CONFIG_T::pool_height * CONFIG_T::pool_width));
        }
      }
    }
  }
}

}  // namespace nnet

#endif
