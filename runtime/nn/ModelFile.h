// Model files (.mmlnn): architecture as JSON plus raw float32 parameters and masks, in one file.
#pragma once
#include <string>

#include "nn/Network.h"

namespace mmlc::nn {

// Layout: 8-byte magic "MMLCNN01", uint64 little-endian JSON length, UTF-8 JSON, then for each
// parameter listed in the JSON: rows*cols float32 values, followed by the mask when hasMask.
void saveModel(Network& net, const std::string& path);
// Throws Error naming the file for bad magic, truncation, corrupt JSON or shape mismatches.
Network loadModel(const std::string& path);

}  // namespace mmlc::nn
