// mmlc layer-template library: ReLU and the lookup-table activations (sigmoid, tanh, softmax) with
// hls4ml's table indexing and hls4ml's float table expressions (float in_val, std::exp(float),
// 1 / float), which mmlc's simulator evaluates identically, so C simulation is bit-exact; each has
// an io_stream form computing one packet (pixel) at a time.
#ifndef NNET_ACTIVATION_H_
#define NNET_ACTIVATION_H_

#include <cmath>

#include "nnet_common.h"
#include "nnet_stream.h"

namespace nnet {

struct activ_config {
  typedef ap_fixed<18, 8> table_t;
  static const unsigned n_in = 10;
  static const unsigned table_size = 1024;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

// hls4ml's linear: a cast to res_T (a quantiser of its own, e.g. after a copy that keeps its type).
template <class data_T, class res_T, typename CONFIG_T>
void linear(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) res[ii] = data[ii];
}

template <class data_T, class res_T, typename CONFIG_T>
void relu(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    if (data[ii] > 0)
      res[ii] = data[ii];
    else
      res[ii] = 0;
  }
}

template <typename CONFIG_T, int N_TABLE>
void init_sigmoid_table(typename CONFIG_T::table_t table_out[N_TABLE]) {
  // Inputs cover [-8, 8).
  for (int ii = 0; ii < N_TABLE; ii++) {
    const float in_val = 2 * 8.0 * (ii - float(N_TABLE) / 2.0) / float(N_TABLE);
    const float real_val = 1.0 / (1 + std::exp(-in_val));  // hls4ml's sigmoid_fcn_float
    table_out[ii] = real_val;
  }
}

template <typename CONFIG_T, int N_TABLE>
void init_tanh_table(typename CONFIG_T::table_t table_out[N_TABLE]) {
  // Inputs cover [-4, 4).
  for (int ii = 0; ii < N_TABLE; ii++) {
    const float in_val = 2 * 4.0 * (ii - float(N_TABLE) / 2.0) / float(N_TABLE);
    const float real_val = std::tanh(in_val);  // float, like hls4ml's tanh(in_val)
    table_out[ii] = real_val;
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void sigmoid(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static bool initialized = false;
  static typename CONFIG_T::table_t sigmoid_table[CONFIG_T::table_size];
  if (!initialized) {
    init_sigmoid_table<CONFIG_T, CONFIG_T::table_size>(sigmoid_table);
    initialized = true;
  }
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const int data_round = (data[ii] * CONFIG_T::table_size / 16).to_int();
    int index = data_round + (int)(8 * CONFIG_T::table_size / 16);
    if (index < 0) index = 0;
    if (index > (int)CONFIG_T::table_size - 1) index = (int)CONFIG_T::table_size - 1;
    res[ii] = (res_T)sigmoid_table[index];
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void tanh(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static bool initialized = false;
  static typename CONFIG_T::table_t tanh_table[CONFIG_T::table_size];
  if (!initialized) {
    init_tanh_table<CONFIG_T, CONFIG_T::table_size>(tanh_table);
    initialized = true;
  }
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const int data_round = (data[ii] * CONFIG_T::table_size / 8).to_int();
    int index = data_round + (int)(4 * CONFIG_T::table_size / 8);
    if (index < 0) index = 0;
    if (index > (int)CONFIG_T::table_size - 1) index = (int)CONFIG_T::table_size - 1;
    res[ii] = (res_T)tanh_table[index];
  }
}

struct softmax_config {
  static const bool stable = true;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> exp_table_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> inv_table_t;
  static const unsigned n_in = 10;
  static const unsigned table_size = 1024;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

inline int softmax_table_bits(unsigned table_size) {
  int n = 0;
  while ((1u << n) < table_size) n++;
  return n;
}

// Table index = the top log2(table_size) bits of x's two's-complement pattern.
template <class T>
unsigned softmax_idx_from_real_val(T x, unsigned table_size) {
  const int n = softmax_table_bits(table_size);
  unsigned long long bits = x.range(T::width - 1, 0).to_uint64();
  return (unsigned)(T::width >= n ? bits >> (T::width - n) : bits << (n - T::width));
}

// The value a table index stands for, for a type of `width` bits, `frac` fractional bits.
inline double softmax_real_val_from_idx(unsigned index, int width, int frac, bool is_signed, unsigned table_size) {
  const int n = softmax_table_bits(table_size);
  const unsigned long long bits = width >= n ? (unsigned long long)index << (width - n) : (unsigned long long)index >> (n - width);
  long long v = (long long)bits;
  if (is_signed && width < 64 && ((bits >> (width - 1)) & 1)) v -= (long long)(1ULL << width);
  return std::ldexp((double)v, -frac);
}

// hls4ml 1.0's softmax_latency / softmax_stable: exp_res from the exp table (addressed by data_T,
// or for the stable variant by x - max(x) in ap_fixed<W, I, AP_RND, AP_SAT> converted to data_T),
// summed by nnet::reduce in exp_table_t, the sum addressing the inverse table.
template <class data_T, class res_T, typename CONFIG_T>
void softmax(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  typedef typename CONFIG_T::exp_table_t exp_t;
  typedef typename CONFIG_T::inv_table_t inv_t;
  static bool initialized = false;
  static exp_t exp_table[CONFIG_T::table_size];
  static inv_t invert_table[CONFIG_T::table_size];
  if (!initialized) {
    for (unsigned i = 0; i < CONFIG_T::table_size; i++) {
      const float x = softmax_real_val_from_idx(i, CONFIG_T::in_width, CONFIG_T::in_frac, CONFIG_T::in_signed, CONFIG_T::table_size);
      exp_table[i] = std::exp(x);  // exp_fcn_float
      const float e = softmax_real_val_from_idx(i, exp_t::width, exp_t::width - exp_t::iwidth, CONFIG_T::exp_signed, CONFIG_T::table_size);
      invert_table[i] = 1 / e;
    }
    initialized = true;
  }
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  exp_t exp_res[CONFIG_T::n_in];
  typedef ap_fixed<data_T::width, data_T::iwidth, AP_RND, AP_SAT> diff_t;
  Op_max<data_T> op_max;
  const data_T x_max = reduce<data_T, CONFIG_T::n_in, Op_max<data_T> >(data, op_max);
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    if (CONFIG_T::stable) {
      // The exact difference (signed even for unsigned data_T, as the vendor's minus type is),
      // then rounded and saturated to diff_t.
      typedef ap_fixed<data_T::width + 1, data_T::iwidth + 1> exact_t;
      const diff_t d = exact_t(data[i]) - exact_t(x_max);
      exp_res[i] = exp_table[softmax_idx_from_real_val<data_T>(d, CONFIG_T::table_size)];  // d as data_T
    } else {
      exp_res[i] = exp_table[softmax_idx_from_real_val<data_T>(data[i], CONFIG_T::table_size)];
    }
  }
  Op_add<exp_t> op_add;
  const exp_t exp_sum = reduce<exp_t, CONFIG_T::n_in, Op_add<exp_t> >(exp_res, op_add);
  const inv_t inv_exp_sum = invert_table[softmax_idx_from_real_val<exp_t>(exp_sum, CONFIG_T::table_size)];
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)(exp_res[i] * inv_exp_sum);
}

// hls4ml 1.x's leaky_relu: alpha in param_T, the product exact before the cast to res_T.
template <class data_T, class param_T, class res_T, typename CONFIG_T>
void leaky_relu(data_T data[CONFIG_T::n_in], param_T alpha, res_T res[CONFIG_T::n_in]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const data_T datareg = data[ii];
    if (datareg > 0)
      res[ii] = datareg;
    else
      res[ii] = alpha * datareg;
  }
}

// hls4ml's prelu: one slope per element in param_T, the product exact before the cast to res_T.
template <class data_T, class param_T, class res_T, typename CONFIG_T>
void prelu(data_T data[CONFIG_T::n_in], param_T alpha[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const data_T datareg = data[ii];
    if (datareg > 0)
      res[ii] = datareg;
    else
      res[ii] = alpha[ii] * datareg;
  }
}

// ---- The activations of framework exports: ELU, SELU, softplus, softsign (hls4ml's tables and
// indexing), hard_sigmoid (hls4ml's), clip (mmlc's own: hls4ml has none). ----

template <typename CONFIG_T, int N_TABLE>
void init_softplus_table(typename CONFIG_T::table_t table_out[N_TABLE]) {
  // Inputs cover [-8, 8).
  for (int ii = 0; ii < N_TABLE; ii++) {
    const float in_val = 2 * 8.0 * (ii - float(N_TABLE) / 2.0) / float(N_TABLE);
    const float real_val = std::log(std::exp(in_val) + 1.);  // hls4ml's softplus_fcn_float
    table_out[ii] = real_val;
  }
}

template <typename CONFIG_T, int N_TABLE>
void init_softsign_table(typename CONFIG_T::table_t table_out[N_TABLE]) {
  for (int ii = 0; ii < N_TABLE; ii++) {
    const float in_val = 2 * 8.0 * (ii - float(N_TABLE) / 2.0) / float(N_TABLE);
    const float real_val = in_val / (std::abs(in_val) + 1.);  // hls4ml's softsign_fcn_float
    table_out[ii] = real_val;
  }
}

// softplus and softsign index their [-8, 8) tables like sigmoid.
template <class data_T, class res_T, typename CONFIG_T>
void softplus(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static bool initialized = false;
  static typename CONFIG_T::table_t softplus_table[CONFIG_T::table_size];
  if (!initialized) {
    init_softplus_table<CONFIG_T, CONFIG_T::table_size>(softplus_table);
    initialized = true;
  }
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const int data_round = (data[ii] * CONFIG_T::table_size / 16).to_int();
    int index = data_round + (int)(8 * CONFIG_T::table_size / 16);
    if (index < 0) index = 0;
    if (index > (int)CONFIG_T::table_size - 1) index = (int)CONFIG_T::table_size - 1;
    res[ii] = (res_T)softplus_table[index];
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void softsign(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static bool initialized = false;
  static typename CONFIG_T::table_t softsign_table[CONFIG_T::table_size];
  if (!initialized) {
    init_softsign_table<CONFIG_T, CONFIG_T::table_size>(softsign_table);
    initialized = true;
  }
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const int data_round = (data[ii] * CONFIG_T::table_size / 16).to_int();
    int index = data_round + (int)(8 * CONFIG_T::table_size / 16);
    if (index < 0) index = 0;
    if (index > (int)CONFIG_T::table_size - 1) index = (int)CONFIG_T::table_size - 1;
    res[ii] = (res_T)softsign_table[index];
  }
}

template <typename CONFIG_T, int N_TABLE>
void init_elu_table(typename CONFIG_T::table_t table_out[N_TABLE]) {
  // Inputs cover (-8, 0].
  for (int ii = 0; ii < N_TABLE; ii++) {
    const float in_val = -8.0 * ii / float(N_TABLE);
    const float real_val = std::exp(in_val) - 1.;  // hls4ml's elu_fcn_float
    table_out[ii] = real_val;
  }
}

template <typename CONFIG_T, int N_TABLE>
void init_selu_table(typename CONFIG_T::table_t table_out[N_TABLE]) {
  for (int ii = 0; ii < N_TABLE; ii++) {
    const float in_val = -8.0 * ii / float(N_TABLE);
    const float real_val =  // hls4ml's selu_fcn_float
        1.0507009873554804934193349852946 * (1.6732632423543772848170429916717 * (std::exp(in_val) - 1.));
    table_out[ii] = real_val;
  }
}

template <class data_T, class param_T, class res_T, typename CONFIG_T>
void elu(data_T data[CONFIG_T::n_in], const param_T alpha, res_T res[CONFIG_T::n_in]) {
  static bool initialized = false;
  static typename CONFIG_T::table_t elu_table[CONFIG_T::table_size];
  if (!initialized) {
    init_elu_table<CONFIG_T, CONFIG_T::table_size>(elu_table);
    initialized = true;
  }
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const data_T datareg = data[ii];
    if (datareg >= 0) {
      res[ii] = datareg;
    } else {
      int index = (datareg * CONFIG_T::table_size / -8).to_int();
      if (index > (int)CONFIG_T::table_size - 1) index = (int)CONFIG_T::table_size - 1;
      res[ii] = alpha * elu_table[index];
    }
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void selu(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static bool initialized = false;
  static typename CONFIG_T::table_t selu_table[CONFIG_T::table_size];
  if (!initialized) {
    init_selu_table<CONFIG_T, CONFIG_T::table_size>(selu_table);
    initialized = true;
  }
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    const data_T datareg = data[ii];
    if (datareg >= 0) {
      res[ii] = res_T(1.0507009873554804934193349852946) * datareg;
    } else {
      int index = (datareg * CONFIG_T::table_size / -8).to_int();
      if (index > (int)CONFIG_T::table_size - 1) index = (int)CONFIG_T::table_size - 1;
      res[ii] = selu_table[index];
    }
  }
}

struct hard_activ_config {
  static const unsigned n_in = 10;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void hard_sigmoid(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    auto datareg = CONFIG_T::slope * data[ii] + CONFIG_T::shift;  // full precision, as hls4ml
    if (datareg > 1)
      datareg = 1;
    else if (datareg < 0)
      datareg = 0;
    res[ii] = datareg;
  }
}

struct clip_config {
  static const unsigned n_in = 10;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void clip(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  for (unsigned ii = 0; ii < CONFIG_T::n_in; ii++) {
    if (data[ii] < CONFIG_T::min)
      res[ii] = CONFIG_T::min;
    else if (data[ii] > CONFIG_T::max)
      res[ii] = CONFIG_T::max;
    else
      res[ii] = data[ii];
  }
}

// ---- io_stream forms: one packet at a time (NNET_PER_PACKET, nnet_stream.h) ----

#define NNET_STREAM_ACTIVATION(fn)                                                 \
  template <class data_T, class res_T, typename CONFIG_T>                        \
  void fn(hls::stream<data_T>& data, hls::stream<res_T>& res) {                  \
    NNET_PER_PACKET(fn<D, R, P>(in.data, out.data))                              \
  }
NNET_STREAM_ACTIVATION(linear)
NNET_STREAM_ACTIVATION(relu)
NNET_STREAM_ACTIVATION(sigmoid)
NNET_STREAM_ACTIVATION(tanh)
NNET_STREAM_ACTIVATION(selu)
NNET_STREAM_ACTIVATION(softplus)
NNET_STREAM_ACTIVATION(softsign)
NNET_STREAM_ACTIVATION(hard_sigmoid)
NNET_STREAM_ACTIVATION(clip)
#undef NNET_STREAM_ACTIVATION

template <class data_T, class param_T, class res_T, typename CONFIG_T>
void leaky_relu(hls::stream<data_T>& data, param_T alpha, hls::stream<res_T>& res) {
  NNET_PER_PACKET(leaky_relu<D, param_T, R, P>(in.data, alpha, out.data))
}

template <class data_T, class param_T, class res_T, typename CONFIG_T>
void elu(hls::stream<data_T>& data, const param_T alpha, hls::stream<res_T>& res) {
  NNET_PER_PACKET(elu<D, param_T, R, P>(in.data, alpha, out.data))
}

}  // namespace nnet

#endif
