// The per-layer memo of constant-weight statistics (ConstWeightStatsCache.h).
#include "hls/ConstWeightStatsCache.h"

namespace mmlc::hls {

namespace {
// Whether the entry was computed from a query that gives the same statistics as `q`: every
// input of constWeightStatsOf (the data type's width is all it reads of the data type, but the
// whole type is compared: cheap and plainly safe).
template <class Entry>
bool sameInputs(const Entry& e, const LayerQuery& q) {
  return e.nIn == q.nIn && e.nOut == q.nOut && e.kernel == q.kernel && e.weightType == q.weightType &&
         e.dataType == q.dataType && e.inputWidths == q.inputWidths && e.part == q.part && e.weights == q.weights;
}
}  // namespace

ConstWeightStats ConstWeightStatsCache::statsOf(const std::string& layer, const LayerQuery& q) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(layer);
    if (it != entries_.end() && sameInputs(it->second, q)) {
      ++hits_;
      return it->second.stats;
    }
  }
  Entry e;
  e.nIn = q.nIn;
  e.nOut = q.nOut;
  e.kernel = q.kernel;
  e.weightType = q.weightType;
  e.dataType = q.dataType;
  e.inputWidths = q.inputWidths;
  e.part = q.part;
  e.weights = q.weights;
  e.stats = constWeightStatsOf(q);  // outside the lock: the pass over the weights
  const ConstWeightStats stats = e.stats;
  std::lock_guard<std::mutex> lock(mutex_);
  ++misses_;
  entries_[layer] = std::move(e);
  return stats;
}

long ConstWeightStatsCache::hits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}

long ConstWeightStatsCache::misses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return misses_;
}

}  // namespace mmlc::hls
