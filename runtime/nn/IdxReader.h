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
  int elementType = 0;        // IDX type code: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
};

// Throws Error naming the file for bad magic, unsupported type, or truncation. `maxItems` >= 0
// reads only that many items along the first dimension (dims[0] is reduced accordingly), which
// avoids decompressing a whole data set when a test or a quick run needs a subset.
IdxArray readIdx(const std::string& path, long maxItems = -1);
// Images with shape (1, H, W) (rank-3 files) or flat features; labels from the label file.
// `limit` < 0 = all samples. With `normalize`, unsigned-byte images (type 0x08, pixels) are scaled
// to [0,1]; other element types are kept as stored.
Dataset loadIdxDataset(const std::string& imagesPath, const std::string& labelsPath, long limit = -1,
                       bool normalize = true);

}  // namespace mmlc::nn
