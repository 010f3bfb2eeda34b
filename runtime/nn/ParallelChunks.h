// Deterministic data parallelism: a range is cut into a fixed number of chunks that idle threads pick up.
#pragma once
#include <algorithm>

#ifndef MMLC_NN_MIN_CHUNK_FLOPS
#define MMLC_NN_MIN_CHUNK_FLOPS 4e6
#endif

namespace mmlc::nn {

// The chunk boundaries depend only on n and grain, never on the thread count, so every chunk
// computes exactly the same floating-point operations however many threads run them: results are
// bit-identical for 1 or 2 threads. Chunks are scheduled dynamically so that when one core is
// busy with another process the other core takes over its share (a static split would stall on
// the starved thread at every layer). Eigen is kept single-threaded (Trainer::setThreads), so
// GEMMs inside f run on the calling thread.
constexpr long kMaxChunks = 8;
// Each parallel region costs a wake-up of the other thread, which takes milliseconds when that
// core is shared with another process; chunks below this much work are not worth it.
constexpr double kMinChunkFlops = MMLC_NN_MIN_CHUNK_FLOPS;

// Rows per chunk so each chunk has at least kMinChunkFlops of work (and at least `minRows`).
inline long rowGrainFor(double flopsPerRow, long minRows) {
  return std::max(minRows, static_cast<long>(kMinChunkFlops / std::max(1.0, flopsPerRow)));
}

// Rows per chunk for memory-bound element-wise work (a copy, an add) over rows of `cols` values
// touching `streams` arrays (inputs plus output): a value moved costs about 8 flops of time.
inline long memoryRowGrain(long cols, int streams) { return rowGrainFor(8.0 * streams * cols, 1); }

template <class F>
void forEachChunk(long n, long grain, F&& f) {
  const long chunks = std::max(1L, std::min(kMaxChunks, n / std::max(1L, grain)));
  if (chunks == 1) {
    f(0L, n);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (long c = 0; c < chunks; ++c) f(n * c / chunks, n * (c + 1) / chunks);
}

}  // namespace mmlc::nn
