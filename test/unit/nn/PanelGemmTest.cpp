// panel::pack and panel::multiply (runtime/nn/PanelGemm.h) against a product in double: shapes with
// partial panels and partial column vectors, strided operands, transposed packing, and nothing
// outside C's block written.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/PanelGemm.h"
#include "nn/Random.h"

using namespace mmlc::nn;

namespace {

std::vector<float> randomFloats(long n, uint64_t seed) {
  Random rng(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

// C = A B with A rows x depth (element (r, k) at a[r * ars + k * aks]) and B depth x n (row stride
// ldb), through pack + multiply into a C of row stride ldc surrounded by sentinels; checks every
// element against the product in double and that no sentinel changed.
void checkProduct(long rows, long depth, long n, bool transposedA, uint64_t seed) {
  const long ldb = n + 5, ldc = n + 7;
  const std::vector<float> a = randomFloats(rows * depth, seed), b = randomFloats(depth * ldb, seed + 1);
  const long ars = transposedA ? 1 : depth, aks = transposedA ? rows : 1;  // A stored as A^T when transposed
  std::vector<float> packed(static_cast<size_t>(panel::packedSize(rows, depth)), -1.0f);
  panel::pack(a.data(), ars, aks, rows, depth, packed.data());
  constexpr float kSentinel = 12345.0f;
  std::vector<float> c(static_cast<size_t>(rows * ldc + 32), kSentinel);
  panel::multiply(packed.data(), rows, depth, b.data(), ldb, n, c.data() + 16, ldc);
  for (long r = 0; r < rows; ++r)
    for (long j = 0; j < n; ++j) {
      double want = 0, scale = 0;
      for (long k = 0; k < depth; ++k) {
        const double term = static_cast<double>(a[r * ars + k * aks]) * b[k * ldb + j];
        want += term;
        scale += std::fabs(term);
      }
      ASSERT_NEAR(c[16 + r * ldc + j], want, 1e-6 * scale + 1e-30)
          << rows << "x" << depth << "x" << n << " at (" << r << ", " << j << ")";
    }
  for (long i = 0; i < static_cast<long>(c.size()); ++i) {
    const long at = i - 16, r = at / ldc, j = at % ldc;
    const bool inside = at >= 0 && r < rows && j < n;
    if (!inside) ASSERT_EQ(c[i], kSentinel) << "wrote outside C at " << at;
  }
}

}  // namespace

TEST(PanelGemm, MatchesDoubleProductOnWholeAndPartialBlocks) {
  uint64_t seed = 1;
  // Rows: whole panels, a partial one, fewer than a panel. Columns: whole 48-column blocks,
  // 1-3 vectors with a partial last one, fewer than a vector. Depth: 1 (the first product only).
  for (long rows : {8L, 16L, 13L, 3L})
    for (long n : {48L, 96L, 16L, 32L, 37L, 50L, 77L, 5L})
      for (long depth : {1L, 2L, 19L, 64L}) checkProduct(rows, depth, n, false, seed++);
}

TEST(PanelGemm, PacksTransposedOperands) {
  uint64_t seed = 100;
  for (long rows : {8L, 21L})
    for (long depth : {3L, 32L}) checkProduct(rows, depth, 45, true, seed++);
}

TEST(PanelGemm, PackZeroesMissingRows) {
  const std::vector<float> a = randomFloats(3 * 4, 7);
  std::vector<float> packed(static_cast<size_t>(panel::packedSize(3, 4)), -1.0f);
  ASSERT_EQ(packed.size(), static_cast<size_t>(panel::kPanelRows * 4));
  panel::pack(a.data(), 4, 1, 3, 4, packed.data());
  for (long k = 0; k < 4; ++k)
    for (int i = 0; i < panel::kPanelRows; ++i)
      EXPECT_EQ(packed[static_cast<size_t>(panel::kPanelRows * k + i)], i < 3 ? a[static_cast<size_t>(i * 4 + k)] : 0.0f);
}
