// Shell quoting for the commands mmlc runs (compilers, vendor tools, Slurm job scripts, extern
// tasks). Header-only and dependency-free, so the runtime's libraries share it whatever their layer.
#pragma once

#include <string>

namespace mml {

/// `s` as one single-quoted shell word ('it'\''s').
inline std::string shellQuote(const std::string &s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

} // namespace mml
