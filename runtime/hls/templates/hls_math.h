// mmlc stand-in for hls_math.h as hls4ml's own ap_types ship it: elementary functions of ap
// types computed in double precision and converted back (C simulation only).
#ifndef MMLC_HLS_MATH_H
#define MMLC_HLS_MATH_H
#include <cmath>

#include "ap_fixed.h"

namespace hls {
template <class T> T exp(const T x) { return T(std::exp(x.to_double())); }
template <class T> T sin(T x) { return T(std::sin(x.to_double())); }
template <class T> T cos(T x) { return T(std::cos(x.to_double())); }
template <class T> T asin(T x) { return T(std::asin(x.to_double())); }
template <class T> T acos(T x) { return T(std::acos(x.to_double())); }
template <class T> T atan(T x) { return T(std::atan(x.to_double())); }
template <class T> T atan2(T x, T y) { return T(std::atan2(x.to_double(), y.to_double())); }
}  // namespace hls
#endif
