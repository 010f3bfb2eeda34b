// mmlc layer-template library: io_stream packets (nnet::array, one per pixel = a channel vector)
// and the conversions between a stream of packets and a channels-last array.
#ifndef NNET_STREAM_H_
#define NNET_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"

namespace nnet {

template <typename T, unsigned N>
struct array {
  typedef T value_type;
  static const unsigned size = N;
  T data[N];
  T& operator[](unsigned i) { return data[i]; }
  const T& operator[](unsigned i) const { return data[i]; }
};

// Reads N / C packets of C values into data[N].
template <class T, unsigned C, unsigned N>
void read_stream(hls::stream<array<T, C> >& in, T data[N]) {
  for (unsigned p = 0; p < N / C; p++) {
    MMLC_HLS_PRAGMA(HLS PIPELINE)
    const array<T, C> packet = in.read();
    for (unsigned c = 0; c < C; c++) data[p * C + c] = packet[c];
  }
}

template <class T, unsigned C, unsigned N>
void write_stream(T data[N], hls::stream<array<T, C> >& out) {
  for (unsigned p = 0; p < N / C; p++) {
    MMLC_HLS_PRAGMA(HLS PIPELINE)
    array<T, C> packet;
    for (unsigned c = 0; c < C; c++) packet[c] = data[p * C + c];
    out.write(packet);
  }
}

// io_stream form of a channel-local kernel (activations, batch normalisation): hls4ml's
// nnet_activation_stream.h / nnet_batchnorm_stream.h read one packet (one pixel's channel vector),
// compute each element as the array form does and write the packet, so a feature map is never
// buffered whole. Here the array form runs on the packet with pixel_config: the layer's config
// with n_in = the packet's size (per-channel parameters keep their n_filt).
template <typename CONFIG_T, unsigned N>
struct pixel_config : CONFIG_T {
  static const unsigned n_in = N;
};

// The body of such a stream form: `D`, `R` and `P` name the element types and the pixel config
// for the array call given as the argument (it reads in.data and writes out.data).
#define NNET_PER_PACKET(...)                                                     \
  typedef typename data_T::value_type D;                                         \
  typedef typename res_T::value_type R;                                          \
  typedef nnet::pixel_config<CONFIG_T, data_T::size> P;                          \
  for (unsigned packet = 0; packet < CONFIG_T::n_in / data_T::size; packet++) { \
    MMLC_HLS_PRAGMA(HLS PIPELINE)                                                \
    data_T in = data.read();                                                     \
    res_T out;                                                                   \
    __VA_ARGS__;                                                                 \
    res.write(out);                                                              \
  }

}  // namespace nnet

#endif
