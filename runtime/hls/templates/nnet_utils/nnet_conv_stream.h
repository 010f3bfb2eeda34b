// mmlc layer-template library: io_stream convolution and pooling with line buffers (as hls4ml's
// conv_2d_buffer_cl / pooling2d_buffer_cl): pixels arrive one packet (channel vector) at a time,
// the last filt_height rows are kept, and each output pixel is computed as soon as its window is
// complete, with the arithmetic of the io_parallel templates (so both compute the same bits).
// Padding is generated inside the process: zeros for a convolution, ignored cells for pooling.
#ifndef NNET_CONV_STREAM_H_
#define NNET_CONV_STREAM_H_

#include "nnet_common.h"
#include "nnet_conv.h"
#include "nnet_pooling.h"
#include "nnet_stream.h"

namespace nnet {

// Runs a window of WH x WW over a padded (in_height x in_width) map streamed in raster order,
// calling compute(top, left, oh, ow) for every output window once its last pixel has arrived.
// The line buffer `line` keeps the last WH padded rows (row r at r % WH).
template <class T, unsigned C, unsigned IH, unsigned IW, unsigned PT, unsigned PB, unsigned PL, unsigned PR, unsigned WH,
          unsigned WW, unsigned SH, unsigned SW, unsigned OH, unsigned OW, class Compute>
void line_buffer_windows(hls::stream<array<T, C> >& data, T line[WH][IW + PL + PR][C], Compute& compute) {
  static const unsigned padded_h = IH + PT + PB, padded_w = IW + PL + PR;
  for (unsigned ph = 0; ph < padded_h; ph++) {
    for (unsigned pw = 0; pw < padded_w; pw++) {
      MMLC_HLS_PRAGMA(HLS PIPELINE)
      const bool inside = ph >= PT && ph < PT + IH && pw >= PL && pw < PL + IW;
      array<T, C> px;
      if (inside) {
        px = data.read();
      } else {
        for (unsigned c = 0; c < C; c++) px[c] = 0;
      }
      for (unsigned c = 0; c < C; c++) line[ph % WH][pw][c] = px[c];
      if (ph + 1 < WH || pw + 1 < WW) continue;
      const unsigned top = ph + 1 - WH, left = pw + 1 - WW;
      if (top % SH != 0 || left % SW != 0 || top / SH >= OH || left / SW >= OW) continue;
      compute(top, left, top / SH, left / SW);
    }
  }
}

// One output pixel of CONFIG_T: the io_parallel template over a kernel-sized patch.
template <typename CONFIG_T>
struct conv_pixel_config : CONFIG_T {
  static const unsigned in_height = CONFIG_T::filt_height, in_width = CONFIG_T::filt_width;
  static const unsigned stride_height = 1, stride_width = 1;
  static const unsigned pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  static const unsigned out_height = 1, out_width = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
struct conv_window {
  static const unsigned padded_w = CONFIG_T::in_width + CONFIG_T::pad_left + CONFIG_T::pad_right;
  static const unsigned n_in = CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan;
  data_T (*line)[padded_w][CONFIG_T::n_chan];
  typename CONFIG_T::weight_t* weights;
  typename CONFIG_T::bias_t* biases;
  hls::stream<array<res_T, CONFIG_T::n_filt> >* res;
  void operator()(unsigned top, unsigned left, unsigned, unsigned) {
    // The (kh, kw, c) patch; padded cells hold zeros, whose products add nothing.
    data_T patch[n_in];
    MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = patch complete)
    for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++)
      for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++)
        for (unsigned c = 0; c < CONFIG_T::n_chan; c++)
          patch[(kh * CONFIG_T::filt_width + kw) * CONFIG_T::n_chan + c] = line[(top + kh) % CONFIG_T::filt_height][left + kw][c];
    res_T out[CONFIG_T::n_filt];
    conv_2d_cl<data_T, res_T, conv_pixel_config<CONFIG_T> >(patch, out, weights, biases);
    array<res_T, CONFIG_T::n_filt> packet;
    for (unsigned f = 0; f < CONFIG_T::n_filt; f++) packet[f] = out[f];
    res->write(packet);
  }
};

// data_T and res_T are the packet types (nnet::array of the channels), as in hls4ml's io_stream.
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res,
                typename CONFIG_T::weight_t weights[CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan * CONFIG_T::n_filt],
                typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  typedef typename data_T::value_type in_t;
  typedef conv_window<in_t, typename res_T::value_type, CONFIG_T> window_t;
  in_t line[CONFIG_T::filt_height][window_t::padded_w][CONFIG_T::n_chan];
  MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = line complete dim = 1)
  window_t compute{line, weights, biases, &res};
  line_buffer_windows<in_t, CONFIG_T::n_chan, CONFIG_T::in_height, CONFIG_T::in_width, CONFIG_T::pad_top, CONFIG_T::pad_bottom,
                      CONFIG_T::pad_left, CONFIG_T::pad_right, CONFIG_T::filt_height, CONFIG_T::filt_width, CONFIG_T::stride_height,
                      CONFIG_T::stride_width, CONFIG_T::out_height, CONFIG_T::out_width>(data, line, compute);
}

template <class data_T, class res_T, typename CONFIG_T>
struct pool_stream_window {
  static const unsigned padded_w = CONFIG_T::in_width + CONFIG_T::pad_left + CONFIG_T::pad_right;
  static const unsigned N = CONFIG_T::pool_height * CONFIG_T::pool_width;
  data_T (*line)[padded_w][CONFIG_T::n_filt];
  hls::stream<array<res_T, CONFIG_T::n_filt> >* res;
  void operator()(unsigned top, unsigned left, unsigned, unsigned) {
    array<res_T, CONFIG_T::n_filt> packet;
    for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
      data_T pool[N];
      bool inside[N];
      for (unsigned kh = 0; kh < CONFIG_T::pool_height; kh++)
        for (unsigned kw = 0; kw < CONFIG_T::pool_width; kw++) {
          const unsigned ph = top + kh, pw = left + kw;
          inside[kh * CONFIG_T::pool_width + kw] = ph >= CONFIG_T::pad_top && ph < CONFIG_T::pad_top + CONFIG_T::in_height &&
                                                   pw >= CONFIG_T::pad_left && pw < CONFIG_T::pad_left + CONFIG_T::in_width;
          pool[kh * CONFIG_T::pool_width + kw] = line[ph % CONFIG_T::pool_height][pw][c];
        }
      packet[c] = pool_window<data_T, res_T, CONFIG_T>(pool, inside);
    }
    res->write(packet);
  }
};

template <class data_T, class res_T, typename CONFIG_T>
void pooling2d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  typedef typename data_T::value_type in_t;
  typedef pool_stream_window<in_t, typename res_T::value_type, CONFIG_T> window_t;
  in_t line[CONFIG_T::pool_height][window_t::padded_w][CONFIG_T::n_filt];
  MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = line complete dim = 1)
  window_t compute{line, &res};
  line_buffer_windows<in_t, CONFIG_T::n_filt, CONFIG_T::in_height, CONFIG_T::in_width, CONFIG_T::pad_top, CONFIG_T::pad_bottom,
                      CONFIG_T::pad_left, CONFIG_T::pad_right, CONFIG_T::pool_height, CONFIG_T::pool_width, CONFIG_T::stride_height,
                      CONFIG_T::stride_width, CONFIG_T::out_height, CONFIG_T::out_width>(data, line, compute);
}

}  // namespace nnet

#endif
