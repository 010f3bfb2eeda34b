// mmlc layer-template library (hls4ml layout): common definitions of the nnet namespace.
#ifndef NNET_COMMON_H_
#define NNET_COMMON_H_

#include <cstdio>

#include "ap_fixed.h"

// HLS pragmas go through _Pragma so that plain g++/clang++ builds stay -Wall -Werror clean
// (unknown #pragma lines would warn); the HLS tools define __SYNTHESIS__ and see them.
#ifdef __SYNTHESIS__
#define MMLC_HLS_PRAGMA(...) _Pragma(#__VA_ARGS__)
#else
#define MMLC_HLS_PRAGMA(...)
#endif

#ifndef DIV_ROUNDUP
#define DIV_ROUNDUP(n, d) ((n) / (d) + (((n) % (d)) > 0))
#endif

namespace nnet {

enum io_type { io_parallel = 0, io_stream };
enum strategy { latency, resource };

constexpr int floorlog2(int x) { return (x < 2) ? 0 : 1 + floorlog2(x / 2); }
constexpr int pow2(int x) { return x == 0 ? 1 : 2 * pow2(x - 1); }

// hls4ml's balanced-tree reduce (nnet_common.h): the left part is the largest power of two below
// N, and every partial result is a T, so with saturating or rounding T the tree shape decides the
// result; mmlc's simulator follows the same tree.
template <class T, int N, class Op>
T reduce(const T* x, Op op) {
  static constexpr int leftN = pow2(floorlog2(N - 1)) > 0 ? pow2(floorlog2(N - 1)) : 0;
  static constexpr int rightN = N - leftN > 0 ? N - leftN : 0;
  if (N == 1) return x[0];
  if (N == 2) return op(x[0], x[1]);
  return op(reduce<T, leftN, Op>(x, op), reduce<T, rightN, Op>(x + leftN, op));
}

template <class T>
class Op_add {
 public:
  T operator()(T a, T b) { return a + b; }
};

template <class T>
class Op_max {
 public:
  T operator()(T a, T b) { return a >= b ? a : b; }
};

#ifndef __SYNTHESIS__
// Optional per-layer dump used by mmlc's C-simulation harness to locate the first mismatch.
inline FILE*& trace_file() {
  static FILE* f = nullptr;
  return f;
}
template <class T>
void trace_layer(const char* name, const T* data, unsigned n) {
  FILE* f = trace_file();
  if (!f) return;
  std::fprintf(f, "%s", name);
  for (unsigned i = 0; i < n; i++) std::fprintf(f, " %.17g", data[i].to_double());
  std::fprintf(f, "\n");
}
#endif

}  // namespace nnet

#endif
