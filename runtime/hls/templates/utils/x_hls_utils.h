// mmlc stand-in for utils/x_hls_utils.h as hls4ml's ap_types ship it: hls::numeric_limits of the
// ap types (hls4ml's max pooling starts from numeric_limits<accum_t>::min(), the most negative value).
#ifndef MMLC_X_HLS_UTILS_H
#define MMLC_X_HLS_UTILS_H
#include <limits>

#include "ap_fixed.h"

namespace hls {

template <class T>
struct numeric_limits {
  static T max() { return std::numeric_limits<T>::max(); }
  static T min() { return std::numeric_limits<T>::min(); }
  static T epsilon() { return std::numeric_limits<T>::epsilon(); }
};

// Every ap type: the largest and smallest representable values and one unit in the last place.
template <class T, int W, bool S>
struct ap_numeric_limits {
  static T max() { return from_raw(S ? (ap_mmlc::wide_t(1) << (W - 1)) - 1 : (ap_mmlc::wide_t(1) << W) - 1); }
  static T min() { return from_raw(S ? -(ap_mmlc::wide_t(1) << (W - 1)) : 0); }
  static T epsilon() { return from_raw(1); }

 private:
  static T from_raw(ap_mmlc::wide_t v) {
    T x;
    x.V = v;
    return x;
  }
};

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct numeric_limits<ap_fixed<W, I, Q, O, N> > : ap_numeric_limits<ap_fixed<W, I, Q, O, N>, W, true> {};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct numeric_limits<ap_ufixed<W, I, Q, O, N> > : ap_numeric_limits<ap_ufixed<W, I, Q, O, N>, W, false> {};
template <int W>
struct numeric_limits<ap_int<W> > : ap_numeric_limits<ap_int<W>, W, true> {};
template <int W>
struct numeric_limits<ap_uint<W> > : ap_numeric_limits<ap_uint<W>, W, false> {};

}  // namespace hls
#endif
