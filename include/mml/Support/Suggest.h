// "Did you mean": the known name closest to a misspelt one (edit distance), for diagnostics.
// Header-only and dependency-free, so the front end, the verifiers and the runtime share it.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace mml {

// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
// characters as one edit each (optimal string alignment), case-sensitive: `trian` is one edit
// from `train`.
inline size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The candidate closest to `word`, if it is close enough to be a plausible typo: at most a third
// of the word's length away (at least one edit). On a tie the first candidate wins. Empty when
// none is close enough.
template <class Range>
std::string closestName(std::string_view word, const Range& candidates) {
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  std::string best;
  size_t bestDistance = limit + 1;
  for (const auto& c : candidates) {
    const std::string_view name(c);
    if (name == word) continue;
    const size_t d = editDistance(word, name);
    if (d < bestDistance) {
      bestDistance = d;
      best = std::string(name);
    }
  }
  return best;
}

// " (did you mean 'x'?)" or "".
template <class Range>
std::string didYouMean(std::string_view word, const Range& candidates) {
  const std::string best = closestName(word, candidates);
  return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
}

}  // namespace mml
