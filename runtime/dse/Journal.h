// Append-only JSON-lines journal of evaluations, so an interrupted search resumes exactly.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "dse/History.h"
#include "dse/Strategy.h"

namespace mmlc::dse {

// First line: a header naming the strategy, seed, space and problem shape. Then one line per
// told evaluation, written and flushed to disk before the next suggestion is made.
class Journal {
 public:
  // Opens `path`, creating it when absent. An existing journal must describe the same search
  // (space, shape, strategy, seed), otherwise SearchError; its evaluations are loaded. A torn
  // last line (a crash in the middle of a write) is dropped; any other damage is an error.
  Journal(std::string path, const SearchSpace& space, ProblemShape shape,
          const std::string& strategy, std::uint64_t seed);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const std::vector<Evaluation>& loaded() const { return loaded_; }
  // Tells the strategy every loaded evaluation, in journal order.
  void replay(Strategy& strategy) const;
  void append(const Trial& trial, const Observation& observation);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  SearchSpace space_;  // a copy: callers often pass a temporary
  ProblemShape shape_;
  std::vector<Evaluation> loaded_;
  std::FILE* file_ = nullptr;
};

}  // namespace mmlc::dse
