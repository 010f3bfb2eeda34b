// IDX file reader (MNIST/Fashion-MNIST format), gzip-compressed or plain.
#pragma once
#include <string>
#include <vector>

#include "nn/Dataset.h"

namespace mmlc::nn {

struct IdxArray {
  std::vector<int> dims;
  std::vector<float> values;  // raw values converted to float, C order
  long itemsInFile = 0;       // dims[0] as stored in the file (dims[0] may be reduced by maxItems)
};

// Throws Error naming the file for bad magic, unsupported type, or truncation. `maxItems` >= 0
// reads only that many items along the first dimension (dims[0] is reduced accordingly), which
// avoids decompressing a whole data set when a test or a quick run needs a subset.
IdxArray readIdx(const std::string& path, long maxItems = -1);
// Images scaled to [0,1], shape (1, H, W); labels from the label file. `limit` < 0 = all samples.
Dataset loadIdxDataset(const std::string& imagesPath, const std::string& labelsPath, long limit = -1);

}  // namespace mmlc::nn
