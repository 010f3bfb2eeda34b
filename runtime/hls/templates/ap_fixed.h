// mmlc's own ap_fixed.h: the subset of the vendor's arbitrary-precision fixed-point types that
// emitted HLS projects use, so they compile and simulate with plain g++/clang++. Mantissas are
// stored in __int128 (W <= 64 for declared types; intermediate results up to 128 bits), and all
// conversions go through ap_mmlc::quantize, which is bit-identical to mmlc::hls::FixedPointSim.
#ifndef MMLC_AP_FIXED_H
#define MMLC_AP_FIXED_H

#include "ap_common.h"

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
struct ap_fixed_base;

// Read/write view of bits hi..lo of a mantissa (x.range(hi, lo) / x(hi, lo)).
struct ap_range_ref {
  ap_mmlc::wide_t* v;
  int w;
  bool s;
  int hi, lo;
  ap_range_ref(ap_mmlc::wide_t* v_, int w_, bool s_, int hi_, int lo_) : v(v_), w(w_), s(s_), hi(hi_), lo(lo_) {}
  unsigned long long to_uint64() const {
    const ap_mmlc::uwide_t u = static_cast<ap_mmlc::uwide_t>(*v) >> lo;
    const int n = hi - lo + 1;
    return static_cast<unsigned long long>(n >= 64 ? u : (u & ((static_cast<ap_mmlc::uwide_t>(1) << n) - 1)));
  }
  unsigned to_uint() const { return static_cast<unsigned>(to_uint64()); }
  int to_int() const { return static_cast<int>(to_uint64()); }
  long long to_int64() const { return static_cast<long long>(to_uint64()); }
  operator unsigned long long() const { return to_uint64(); }
  ap_range_ref& operator=(unsigned long long x) {
    const int n = hi - lo + 1;
    const ap_mmlc::uwide_t mask = ((n >= 128 ? ~static_cast<ap_mmlc::uwide_t>(0) : ((static_cast<ap_mmlc::uwide_t>(1) << n) - 1))) << lo;
    ap_mmlc::uwide_t u = static_cast<ap_mmlc::uwide_t>(*v);
    u = (u & ~mask) | ((static_cast<ap_mmlc::uwide_t>(x) << lo) & mask);
    *v = ap_mmlc::wrap_bits(u, w, s);
    return *this;
  }
};

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
struct ap_fixed_base {
  static const int width = W;
  static const int iwidth = I;
  static const ap_q_mode qmode = Q;
  static const ap_o_mode omode = O;
  static const bool sign_flag = S;
  static const int F = W - I;

  ap_mmlc::wide_t V;  // mantissa, always within the W-bit range

  ap_fixed_base() : V(0) {}
  ap_fixed_base(double d) : V(ap_mmlc::from_double(d, W, F, S, Q, O)) {}
  ap_fixed_base(float d) : V(ap_mmlc::from_double(static_cast<double>(d), W, F, S, Q, O)) {}
  // C integers convert as the vendor's ap_fixed_base<bits, bits, signed> (bool: 1 bit).
  template <class T, typename std::enable_if<std::is_integral<T>::value, int>::type = 0>
  ap_fixed_base(T i) : V(0) {
    const int w2 = std::is_same<T, bool>::value ? 1 : static_cast<int>(sizeof(T) * 8);
    ap_mmlc::check_defined(w2, 0, std::is_signed<T>::value, F, Q);
    V = ap_mmlc::quantize(static_cast<ap_mmlc::wide_t>(i), 0, W, F, S, Q, O);
  }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2>
  ap_fixed_base(const ap_fixed_base<W2, I2, S2, Q2, O2>& o) : V(0) {
    ap_mmlc::check_defined(W2, W2 - I2, S2, F, Q);
    V = ap_mmlc::quantize(o.V, W2 - I2, W, F, S, Q, O);
  }

  // A bit range reads as the unsigned integer it holds (ap_uint<hi-lo+1> in the vendor's headers).
  ap_fixed_base(const ap_range_ref& r) : ap_fixed_base(static_cast<unsigned long long>(r)) {}

  static ap_fixed_base from_raw(ap_mmlc::wide_t raw) {
    ap_fixed_base r;
    r.V = raw;
    return r;
  }

  double to_double() const { return ap_mmlc::to_double(V, F); }
  float to_float() const { return static_cast<float>(to_double()); }
  int to_int() const { return static_cast<int>(ap_mmlc::trunc_int(V, F)); }
  unsigned to_uint() const { return static_cast<unsigned>(ap_mmlc::trunc_int(V, F)); }
  long long to_int64() const { return static_cast<long long>(ap_mmlc::trunc_int(V, F)); }
  unsigned long long to_uint64() const { return static_cast<unsigned long long>(ap_mmlc::trunc_int(V, F)); }
  int length() const { return W; }
  // Implicit conversions to every C arithmetic type, as in the vendor's headers (hls4ml's softmax
  // indexes tables with them; AXI wrappers assign results to float ports).
  operator long double() const { return static_cast<long double>(to_double()); }
  operator double() const { return to_double(); }
  operator float() const { return to_float(); }
  operator bool() const { return V != 0; }
  operator char() const { return static_cast<char>(to_int()); }
  operator signed char() const { return static_cast<signed char>(to_int()); }
  operator unsigned char() const { return static_cast<unsigned char>(to_uint()); }
  operator short() const { return static_cast<short>(to_int()); }
  operator unsigned short() const { return static_cast<unsigned short>(to_uint()); }
  operator int() const { return to_int(); }
  operator unsigned int() const { return to_uint(); }
  operator long() const { return static_cast<long>(to_int64()); }
  operator unsigned long() const { return static_cast<unsigned long>(to_uint64()); }
  operator long long() const { return to_int64(); }
  operator unsigned long long() const { return to_uint64(); }

  ap_range_ref range(int hi, int lo) { return ap_range_ref(&V, W, S, hi, lo); }
  ap_range_ref range(int hi, int lo) const { return ap_range_ref(const_cast<ap_mmlc::wide_t*>(&V), W, S, hi, lo); }
  ap_range_ref range() const { return range(W - 1, 0); }
  ap_range_ref operator()(int hi, int lo) { return range(hi, lo); }
  ap_range_ref operator()(int hi, int lo) const { return range(hi, lo); }
  bool operator[](int bit) const { return ((static_cast<ap_mmlc::uwide_t>(V) >> bit) & 1) != 0; }
  bool get_bit(int bit) const { return (*this)[bit]; }

  ap_fixed_base<W + 1, I + 1, true, AP_TRN, AP_WRAP> operator-() const {
    return ap_fixed_base<W + 1, I + 1, true, AP_TRN, AP_WRAP>::from_raw(-V);
  }
  const ap_fixed_base& operator+() const { return *this; }

  template <class R>
  ap_fixed_base& operator+=(const R& r) {
    *this = ap_fixed_base(*this + r);
    return *this;
  }
  template <class R>
  ap_fixed_base& operator-=(const R& r) {
    *this = ap_fixed_base(*this - r);
    return *this;
  }
  template <class R>
  ap_fixed_base& operator*=(const R& r) {
    *this = ap_fixed_base(*this * r);
    return *this;
  }
  ap_fixed_base& operator++() { return *this += 1; }
  ap_fixed_base& operator--() { return *this -= 1; }
};

// Integral operands behave as ap_int<32>/ap_uint<32> (or 64 bits for long types), as in the vendor headers.
template <class T>
struct ap_integral_as_fixed {
  static const int w = sizeof(T) * 8;
  static const bool s = std::is_signed<T>::value;
  typedef ap_fixed_base<w, w, s, AP_TRN, AP_WRAP> type;
};

#define MMLC_AP_ENABLE_INTEGRAL(T) typename std::enable_if<std::is_integral<T>::value, int>::type = 0

// Exact result types: + and - grow one integer bit (and one more for an unsigned operand mixed
// with a signed one); * adds widths; division by an integer keeps the fractional bits.
template <int W1, int I1, bool S1, int W2, int I2, bool S2>
struct ap_fixed_result {
  static const bool s = S1 || S2;
  static const int f1 = W1 - I1, f2 = W2 - I2;
  static const int f = f1 > f2 ? f1 : f2;
  static const int i1 = I1 + ((s && !S1) ? 1 : 0), i2 = I2 + ((s && !S2) ? 1 : 0);
  static const int i = (i1 > i2 ? i1 : i2) + 1;
  typedef ap_fixed_base<i + f, i, s, AP_TRN, AP_WRAP> plus;
  typedef ap_fixed_base<W1 + W2, I1 + I2, s, AP_TRN, AP_WRAP> mult;
};

template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2>
typename ap_fixed_result<W1, I1, S1, W2, I2, S2>::plus operator+(const ap_fixed_base<W1, I1, S1, Q1, O1>& a,
                                                                   const ap_fixed_base<W2, I2, S2, Q2, O2>& b) {
  typedef ap_fixed_result<W1, I1, S1, W2, I2, S2> R;
  return R::plus::from_raw(a.V * (static_cast<ap_mmlc::wide_t>(1) << (R::f - R::f1)) +
                           b.V * (static_cast<ap_mmlc::wide_t>(1) << (R::f - R::f2)));
}
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2>
typename ap_fixed_result<W1, I1, S1, W2, I2, S2>::plus operator-(const ap_fixed_base<W1, I1, S1, Q1, O1>& a,
                                                                   const ap_fixed_base<W2, I2, S2, Q2, O2>& b) {
  typedef ap_fixed_result<W1, I1, S1, W2, I2, S2> R;
  typedef ap_fixed_base<R::plus::width, R::plus::iwidth, true, AP_TRN, AP_WRAP> signed_plus;
  return signed_plus::from_raw(a.V * (static_cast<ap_mmlc::wide_t>(1) << (R::f - R::f1)) -
                               b.V * (static_cast<ap_mmlc::wide_t>(1) << (R::f - R::f2)));
}
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2>
typename ap_fixed_result<W1, I1, S1, W2, I2, S2>::mult operator*(const ap_fixed_base<W1, I1, S1, Q1, O1>& a,
                                                                   const ap_fixed_base<W2, I2, S2, Q2, O2>& b) {
  typedef ap_fixed_result<W1, I1, S1, W2, I2, S2> R;
  return R::mult::from_raw(a.V * b.V);
}

#define MMLC_AP_INTEGRAL_BINOP(OP)                                                                       \
  template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, class T, MMLC_AP_ENABLE_INTEGRAL(T)>        \
  auto operator OP(const ap_fixed_base<W, I, S, Q, O>& a, T b)                                           \
      ->decltype(a OP typename ap_integral_as_fixed<T>::type(b)) {                                       \
    return a OP typename ap_integral_as_fixed<T>::type(b);                                               \
  }                                                                                                      \
  template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, class T, MMLC_AP_ENABLE_INTEGRAL(T)>        \
  auto operator OP(T b, const ap_fixed_base<W, I, S, Q, O>& a)                                           \
      ->decltype(typename ap_integral_as_fixed<T>::type(b) OP a) {                                       \
    return typename ap_integral_as_fixed<T>::type(b) OP a;                                               \
  }
MMLC_AP_INTEGRAL_BINOP(+)
MMLC_AP_INTEGRAL_BINOP(-)
MMLC_AP_INTEGRAL_BINOP(*)
#undef MMLC_AP_INTEGRAL_BINOP

// Division by an integer: the quotient keeps the dividend's fractional bits, truncated toward zero.
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, class T, MMLC_AP_ENABLE_INTEGRAL(T)>
ap_fixed_base<W + (std::is_signed<T>::value ? 1 : 0), I + (std::is_signed<T>::value ? 1 : 0),
              S || std::is_signed<T>::value, AP_TRN, AP_WRAP>
operator/(const ap_fixed_base<W, I, S, Q, O>& a, T b) {
  typedef ap_fixed_base<W + (std::is_signed<T>::value ? 1 : 0), I + (std::is_signed<T>::value ? 1 : 0),
                        S || std::is_signed<T>::value, AP_TRN, AP_WRAP>
      R;
  return R::from_raw(b == 0 ? 0 : a.V / static_cast<ap_mmlc::wide_t>(b));
}

// Comparisons of exact values.
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2>
int ap_compare(const ap_fixed_base<W1, I1, S1, Q1, O1>& a, const ap_fixed_base<W2, I2, S2, Q2, O2>& b) {
  const int f1 = W1 - I1, f2 = W2 - I2, f = f1 > f2 ? f1 : f2;
  const ap_mmlc::wide_t x = a.V * (static_cast<ap_mmlc::wide_t>(1) << (f - f1));
  const ap_mmlc::wide_t y = b.V * (static_cast<ap_mmlc::wide_t>(1) << (f - f2));
  return x < y ? -1 : (x > y ? 1 : 0);
}

#define MMLC_AP_CMP(OP)                                                                                        \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int W2, int I2, bool S2, ap_q_mode Q2,        \
            ap_o_mode O2>                                                                                      \
  bool operator OP(const ap_fixed_base<W1, I1, S1, Q1, O1>& a, const ap_fixed_base<W2, I2, S2, Q2, O2>& b) {   \
    return ap_compare(a, b) OP 0;                                                                              \
  }                                                                                                            \
  template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, class T, MMLC_AP_ENABLE_INTEGRAL(T)>              \
  bool operator OP(const ap_fixed_base<W, I, S, Q, O>& a, T b) {                                               \
    return ap_compare(a, typename ap_integral_as_fixed<T>::type(b)) OP 0;                                      \
  }                                                                                                            \
  template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, class T, MMLC_AP_ENABLE_INTEGRAL(T)>              \
  bool operator OP(T b, const ap_fixed_base<W, I, S, Q, O>& a) {                                               \
    return ap_compare(typename ap_integral_as_fixed<T>::type(b), a) OP 0;                                      \
  }                                                                                                            \
  template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>                                                    \
  bool operator OP(const ap_fixed_base<W, I, S, Q, O>& a, double b) {                                          \
    return a.to_double() OP b;                                                                                 \
  }
MMLC_AP_CMP(==)
MMLC_AP_CMP(!=)
MMLC_AP_CMP(<)
MMLC_AP_CMP(<=)
MMLC_AP_CMP(>)
MMLC_AP_CMP(>=)
#undef MMLC_AP_CMP

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
std::ostream& operator<<(std::ostream& os, const ap_fixed_base<W, I, S, Q, O>& x) {
  return os << x.to_double();
}

// As the vendor's: read a double, then convert (hls4ml's load_weights_from_txt reads weights so).
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
std::istream& operator>>(std::istream& in, ap_fixed_base<W, I, S, Q, O>& x) {
  double d = 0;
  in >> d;
  x = ap_fixed_base<W, I, S, Q, O>(d);
  return in;
}

template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed : ap_fixed_base<W, I, true, Q, O> {
  typedef ap_fixed_base<W, I, true, Q, O> Base;
  ap_fixed() : Base() {}
  template <class T>
  ap_fixed(const T& v) : Base(v) {}
  ap_fixed(double v) : Base(v) {}
  ap_fixed(float v) : Base(v) {}
};

template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_ufixed : ap_fixed_base<W, I, false, Q, O> {
  typedef ap_fixed_base<W, I, false, Q, O> Base;
  ap_ufixed() : Base() {}
  template <class T>
  ap_ufixed(const T& v) : Base(v) {}
  ap_ufixed(double v) : Base(v) {}
  ap_ufixed(float v) : Base(v) {}
};

template <int W>
struct ap_int : ap_fixed_base<W, W, true, AP_TRN, AP_WRAP> {
  typedef ap_fixed_base<W, W, true, AP_TRN, AP_WRAP> Base;
  ap_int() : Base() {}
  template <class T>
  ap_int(const T& v) : Base(v) {}
  ap_int(double v) : Base(v) {}
  ap_int(float v) : Base(v) {}
};

template <int W>
struct ap_uint : ap_fixed_base<W, W, false, AP_TRN, AP_WRAP> {
  typedef ap_fixed_base<W, W, false, AP_TRN, AP_WRAP> Base;
  ap_uint() : Base() {}
  template <class T>
  ap_uint(const T& v) : Base(v) {}
  ap_uint(double v) : Base(v) {}
  ap_uint(float v) : Base(v) {}
};

#endif
