// ARFF reader (OpenML's format): numeric and nominal attributes, dense @data rows.
#pragma once
#include <string>

#include "nn/Dataset.h"

namespace mmlc::nn {

// `target` names the label attribute (empty = last attribute). A nominal target gives classes in
// declaration order; a numeric target gives regression targets. Other nominal attributes become
// their value index. Throws Error naming file and line for malformed input, missing values ('?'),
// string attributes or sparse rows.
Dataset loadArff(const std::string& path, const std::string& target = "");

}  // namespace mmlc::nn
