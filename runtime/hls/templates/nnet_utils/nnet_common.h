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
