// mmlc layer-template library: merge layers as hls4ml's nnet_merge.h / nnet_merge_stream.h (add,
// concatenate1d/2d/3d along the last axis, channels last), for arrays (io_parallel) and for
// streams of per-pixel packets (io_stream), and the clone of a stream read by several layers
// (hls4ml's clone_stream, nnet_stream.h).
#ifndef NNET_MERGE_H_
#define NNET_MERGE_H_

#include "nnet_common.h"
#include "nnet_stream.h"

namespace nnet {

struct merge_config {
  static const unsigned n_elem = 10;
  static const unsigned reuse_factor = 1;
};

struct concat_config {
  static const unsigned n_elem1_0 = 10, n_elem1_1 = 10, n_elem1_2 = 10;
  static const unsigned n_elem2_0 = 10, n_elem2_1 = 10, n_elem2_2 = 10;
  static const int axis = -1;
};

// res = data1 + data2: the exact sum (one more integer bit) cast to res_T.
template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void add(input1_T data1[CONFIG_T::n_elem], input2_T data2[CONFIG_T::n_elem], res_T res[CONFIG_T::n_elem]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned i = 0; i < CONFIG_T::n_elem; i++) res[i] = data1[i] + data2[i];
}

// Joins two maps along the last axis: per leading index (`outer` of them), `inner1` values of the
// first input then `inner2` of the second, each cast to res_T.
template <class input1_T, class input2_T, class res_T, unsigned outer, unsigned inner1, unsigned inner2>
void concatenate_last(input1_T* data1, input2_T* data2, res_T* res) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned o = 0; o < outer; o++) {
    for (unsigned i = 0; i < inner1; i++) res[o * (inner1 + inner2) + i] = data1[o * inner1 + i];
    for (unsigned i = 0; i < inner2; i++) res[o * (inner1 + inner2) + inner1 + i] = data2[o * inner2 + i];
  }
}

template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void concatenate1d(input1_T data1[CONFIG_T::n_elem1_0], input2_T data2[CONFIG_T::n_elem2_0],
                   res_T res[CONFIG_T::n_elem1_0 + CONFIG_T::n_elem2_0]) {
  concatenate_last<input1_T, input2_T, res_T, 1, CONFIG_T::n_elem1_0, CONFIG_T::n_elem2_0>(data1, data2, res);
}

template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void concatenate2d(input1_T data1[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1], input2_T data2[CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1],
                   res_T res[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1 + CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1]) {
  concatenate_last<input1_T, input2_T, res_T, CONFIG_T::n_elem1_0, CONFIG_T::n_elem1_1, CONFIG_T::n_elem2_1>(data1, data2, res);
}

template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void concatenate3d(input1_T data1[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1 * CONFIG_T::n_elem1_2],
                   input2_T data2[CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1 * CONFIG_T::n_elem2_2],
                   res_T res[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1 * CONFIG_T::n_elem1_2 +
                             CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1 * CONFIG_T::n_elem2_2]) {
  concatenate_last<input1_T, input2_T, res_T, CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1, CONFIG_T::n_elem1_2, CONFIG_T::n_elem2_2>(
      data1, data2, res);
}

// ---- io_stream: one packet per pixel on every stream ----

template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void add(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2, hls::stream<res_T>& res) {
  for (unsigned p = 0; p < CONFIG_T::n_elem / res_T::size; p++) {
    MMLC_HLS_PRAGMA(HLS PIPELINE)
    const input1_T a = data1.read();
    const input2_T b = data2.read();
    res_T out;
    for (unsigned c = 0; c < res_T::size; c++) out[c] = a[c] + b[c];
    res.write(out);
  }
}

template <class input1_T, class input2_T, class res_T>
void concatenate_packets(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2, hls::stream<res_T>& res, unsigned pixels) {
  for (unsigned p = 0; p < pixels; p++) {
    MMLC_HLS_PRAGMA(HLS PIPELINE)
    const input1_T a = data1.read();
    const input2_T b = data2.read();
    res_T out;
    for (unsigned c = 0; c < input1_T::size; c++) out[c] = a[c];
    for (unsigned c = 0; c < input2_T::size; c++) out[input1_T::size + c] = b[c];
    res.write(out);
  }
}

template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void concatenate1d(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2, hls::stream<res_T>& res) {
  concatenate_packets(data1, data2, res, 1);
}

template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void concatenate2d(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2, hls::stream<res_T>& res) {
  concatenate_packets(data1, data2, res, CONFIG_T::n_elem1_0);
}

template <class input1_T, class input2_T, class res_T, typename CONFIG_T>
void concatenate3d(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2, hls::stream<res_T>& res) {
  concatenate_packets(data1, data2, res, CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1);
}

// A stream read by two (or three) layers: every packet copied to each (hls4ml's clone_stream; N
// is the number of values).
template <class data_T, class res_T, int N>
void clone_stream(hls::stream<data_T>& data, hls::stream<res_T>& res1, hls::stream<res_T>& res2) {
  for (int i = 0; i < N / (int)data_T::size; i++) {
    MMLC_HLS_PRAGMA(HLS PIPELINE)
    const data_T in = data.read();
    res_T out1, out2;
    for (unsigned j = 0; j < data_T::size; j++) {
      out1[j] = in[j];
      out2[j] = in[j];
    }
    res1.write(out1);
    res2.write(out2);
  }
}

template <class data_T, class res_T, int N>
void clone_stream(hls::stream<data_T>& data, hls::stream<res_T>& res1, hls::stream<res_T>& res2, hls::stream<res_T>& res3) {
  for (int i = 0; i < N / (int)data_T::size; i++) {
    MMLC_HLS_PRAGMA(HLS PIPELINE)
    const data_T in = data.read();
    res_T out1, out2, out3;
    for (unsigned j = 0; j < data_T::size; j++) {
      out1[j] = in[j];
      out2[j] = in[j];
      out3[j] = in[j];
    }
    res1.write(out1);
    res2.write(out2);
    res3.write(out3);
  }
}

}  // namespace nnet

#endif
