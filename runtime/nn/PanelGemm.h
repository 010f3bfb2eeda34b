// A small single-precision GEMM on row-major operands (the Winograd convolution's transformed
// domain): the narrow operand packed once into row panels, the wide one read in place, the
// result written without being zeroed first.
#pragma once

namespace mmlc::nn::panel {

// Rows of a packed panel (the rows of C one micro-kernel computes).
constexpr int kPanelRows = 8;

// Floats pack() writes for a rows x depth operand: whole panels, the missing rows zero.
long packedSize(long rows, long depth);

// Packs A (rows x depth), element (r, k) at a[r * rowStride + k * depthStride], into panels of
// kPanelRows rows stored depth-major: panel p holds A(8p + i, k) at out[p * 8 * depth + 8 * k + i].
// A transposed operand is the same call with the strides swapped.
void pack(const float* a, long rowStride, long depthStride, long rows, long depth, float* out);

// C = A B: C is rows x n (row stride ldc), A the packed rows x depth operand, B depth x n (row
// stride ldb), depth >= 1. C is overwritten (never read); only its rows x n elements and B's
// depth x n are touched. Each element of C is the sum over k in ascending order of one
// multiply-add per k.
void multiply(const float* packedA, long rows, long depth, const float* b, long ldb, long n, float* c, long ldc);

}  // namespace mmlc::nn::panel
