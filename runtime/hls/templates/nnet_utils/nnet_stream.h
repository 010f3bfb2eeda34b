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

}  // namespace nnet

#endif
