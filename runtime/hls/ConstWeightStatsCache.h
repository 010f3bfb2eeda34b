// Memo of each layer's constant-weight statistics (LayerModel.h: ConstWeightStats) across
// estimates of one design's variants (searches over reuse factors and strategies, `allocate`):
// the pass over a layer's weights is made once, not once per estimate.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hls/LayerModel.h"

namespace mmlc::hls {

class ConstWeightStatsCache {
 public:
  // The statistics of query `q` of the layer named `layer`. An entry is reused only when
  // everything they depend on is equal (shape, weight and data types, input widths, part, and
  // the weights element by element), so an estimate with the cache equals one without it; any
  // difference recomputes the entry. Safe to share between threads.
  ConstWeightStats statsOf(const std::string& layer, const LayerQuery& q);

  long hits() const;    // lookups answered from the cache
  long misses() const;  // lookups that computed the statistics

 private:
  struct Entry {
    long nIn = 0, nOut = 0, kernel = 0;
    FixedType weightType, dataType;
    std::vector<int> inputWidths;
    std::string part;
    std::vector<float> weights;
    ConstWeightStats stats;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  long hits_ = 0, misses_ = 0;
};

}  // namespace mmlc::hls
