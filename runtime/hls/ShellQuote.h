// Shell quoting for the commands that run compilers and vendor tools (C simulation, synthesis).
#pragma once
#include <string>

namespace mmlc::hls {

// `s` as one single-quoted shell word ('it'\''s').
inline std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace mmlc::hls
