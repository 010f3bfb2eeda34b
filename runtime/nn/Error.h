// The single exception type of the DNN engine: every user-facing failure (bad file, bad shape, bad config).
#pragma once
#include <stdexcept>
#include <string>

namespace mmlc::nn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace mmlc::nn
