// mmlc layer-template library: channels-last Conv2D (Conv1D is the height-1 case) for io_parallel,
// with explicit zero padding; products cast to accum_t and accumulated in (kh, kw, c) order, or in
// hls4ml's resource-strategy order.
#ifndef NNET_CONV_H_
#define NNET_CONV_H_

#include "nnet_common.h"

namespace nnet {

struct conv2d_config {
  typedef float bias_t;
  typedef float weight_t;
  typedef float accum_t;
  static const unsigned in_height = 10, in_width = 10, n_chan = 1;
  static const unsigned filt_height = 3, filt_width = 3, n_filt = 1;
  static const unsigned stride_height = 1, stride_width = 1;
  static const unsigned pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  static const unsigned out_height = 8, out_width = 8;
  static const unsigned reuse_factor = 1;
  static const unsigned strategy = latency;
  static const unsigned n_zeros = 0;
};

// weights[((kh * filt_width + kw) * n_chan + c) * n_filt + f] (Keras order).
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_cl(data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                typename CONFIG_T::weight_t weights[CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan * CONFIG_T::n_filt],
                typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  static const unsigned n_in = CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan;
  MMLC_HLS_PRAGMA(HLS PIPELINE II = CONFIG_T::reuse_factor)
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      typename CONFIG_T::accum_t acc[CONFIG_T::n_filt];
      MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = acc complete)
      for (unsigned f = 0; f < CONFIG_T::n_filt; f++) acc[f] = (typename CONFIG_T::accum_t)biases[f];
      if (CONFIG_T::strategy == resource) {
        // hls4ml's conv_1d/2d_resource_cl order: reuse step ir, then w_index = ir + RF * im over
        // the (transposed) weights; here the weights stay input-major.
        data_T patch[n_in];
        for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
          for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
            const int ih = (int)(oh * CONFIG_T::stride_height + kh) - (int)CONFIG_T::pad_top;
            const int iw = (int)(ow * CONFIG_T::stride_width + kw) - (int)CONFIG_T::pad_left;
            const bool inside = ih >= 0 && ih < (int)CONFIG_T::in_height && iw >= 0 && iw < (int)CONFIG_T::in_width;
            for (unsigned c = 0; c < CONFIG_T::n_chan; c++)
              patch[(kh * CONFIG_T::filt_width + kw) * CONFIG_T::n_chan + c] =
                  inside ? data[((unsigned)ih * CONFIG_T::in_width + (unsigned)iw) * CONFIG_T::n_chan + c] : data_T(0);
          }
        }
        const unsigned total = n_in * CONFIG_T::n_filt;
        const unsigned block_factor = DIV_ROUNDUP(total, CONFIG_T::reuse_factor);
        for (unsigned ir = 0; ir < CONFIG_T::reuse_factor; ir++) {
          for (unsigned im = 0; im < block_factor; im++) {
            const unsigned w_index = ir + CONFIG_T::reuse_factor * im;
            if (w_index >= total) break;
            const unsigned in = w_index % n_in, f = w_index / n_in;
            typename CONFIG_T::accum_t mult = patch[in] * weights[in * CONFIG_T::n_filt + f];
            acc[f] += mult;
          }
        }
        for (unsigned f = 0; f < CONFIG_T::n_filt; f++)
          res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt + f] = (res_T)acc[f];
        continue;
      }
      for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
        const int ih = (int)(oh * CONFIG_T::stride_height + kh) - (int)CONFIG_T::pad_top;
        if (ih < 0 || ih >= (int)CONFIG_T::in_height) continue;
        for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
          const int iw = (int)(ow * CONFIG_T::stride_width + kw) - (int)CONFIG_T::pad_left;
          if (iw < 0 || iw >= (int)CONFIG_T::in_width) continue;
          for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
            const unsigned in_index = ((unsigned)ih * CONFIG_T::in_width + (unsigned)iw) * CONFIG_T::n_chan + c;
            for (unsigned f = 0; f < CONFIG_T::n_filt; f++) {
              const unsigned w_index = ((kh * CONFIG_T::filt_width + kw) * CONFIG_T::n_chan + c) * CONFIG_T::n_filt + f;
              if (weights[w_index] == 0) continue;
              typename CONFIG_T::accum_t mult = data[in_index] * weights[w_index];
              acc[f] += mult;
            }
          }
        }
      }
      for (unsigned f = 0; f < CONFIG_T::n_filt; f++)
        res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt + f] = (res_T)acc[f];
    }
  }
}

// Depthwise convolution (one kernel per channel, depth multiplier 1): weights[(kh * filt_width +
// kw) * n_chan + c] (Keras order). Per output pixel and channel acc = accum_t(bias), then for each
// kernel position inside the input acc += accum_t(x * w), as hls4ml 1.x's
// depthwise_conv_2d_latency_cl; res = res_T(acc).
template <class data_T, class res_T, typename CONFIG_T>
void depthwise_conv_2d_cl(data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                          res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan],
                          typename CONFIG_T::weight_t weights[CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan],
                          typename CONFIG_T::bias_t biases[CONFIG_T::n_chan]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE II = CONFIG_T::reuse_factor)
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
        typename CONFIG_T::accum_t acc = (typename CONFIG_T::accum_t)biases[c];
        for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
          for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
            const int ih = (int)(oh * CONFIG_T::stride_height + kh) - (int)CONFIG_T::pad_top;
            const int iw = (int)(ow * CONFIG_T::stride_width + kw) - (int)CONFIG_T::pad_left;
            if (ih < 0 || ih >= (int)CONFIG_T::in_height || iw < 0 || iw >= (int)CONFIG_T::in_width) continue;
            typename CONFIG_T::accum_t mult =
                data[((unsigned)ih * CONFIG_T::in_width + (unsigned)iw) * CONFIG_T::n_chan + c] *
                weights[(kh * CONFIG_T::filt_width + kw) * CONFIG_T::n_chan + c];
            acc += mult;
          }
        }
        res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_chan + c] = (res_T)acc;
      }
    }
  }
}

}  // namespace nnet

#endif
