// IDX parsing through zlib's gz* API, which reads plain files transparently as well.
#include "nn/IdxReader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "nn/Error.h"

namespace mmlc::nn {

namespace {
struct GzFile {
  gzFile f;
  std::string path;
  explicit GzFile(const std::string& p) : f(gzopen(p.c_str(), "rb")), path(p) {
    if (!f) throw Error(p + ": cannot open file");
    gzbuffer(f, 1 << 17);
  }
  ~GzFile() { gzclose(f); }
  void read(void* dst, size_t n, const char* what) {
    char* out = static_cast<char*>(dst);
    while (n > 0) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
      const int got = gzread(f, out, chunk);
      if (got < 0) {
        int err;
        throw Error(path + ": corrupt data while reading " + what + " (" + gzerror(f, &err) + ")");
      }
      if (got == 0) throw Error(path + ": file is truncated while reading " + what);
      out += got;
      n -= got;
    }
  }
};

uint32_t bigEndian32(const unsigned char* b) {
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}
}  // namespace

IdxArray readIdx(const std::string& path, long maxItems) {
  GzFile in(path);
  unsigned char magic[4];
  in.read(magic, 4, "the header");
  if (magic[0] != 0 || magic[1] != 0) throw Error(path + ": not an IDX file (bad magic number)");
  const int type = magic[2], rank = magic[3];
  int elemSize = 0;
  switch (type) {
    case 0x08: case 0x09: elemSize = 1; break;
    case 0x0B: elemSize = 2; break;
    case 0x0C: case 0x0D: elemSize = 4; break;
    case 0x0E: elemSize = 8; break;
    default: throw Error(path + ": unsupported IDX element type 0x" + std::to_string(type));
  }
  if (rank < 1 || rank > 4) throw Error(path + ": unsupported IDX rank " + std::to_string(rank));
  IdxArray a;
  a.elementType = type;
  size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    unsigned char b[4];
    in.read(b, 4, "the dimensions");
    const uint32_t d = bigEndian32(b);
    if (d == 0 || d > (1u << 28)) throw Error(path + ": implausible IDX dimension " + std::to_string(d));
    a.dims.push_back(static_cast<int>(d));
    count *= d;
  }
  a.itemsInFile = a.dims[0];
  if (maxItems >= 0 && maxItems < a.dims[0]) {
    count = count / a.dims[0] * maxItems;
    a.dims[0] = static_cast<int>(maxItems);
  }
  if (count > (size_t(1) << 32)) throw Error(path + ": IDX array too large");
  std::vector<unsigned char> raw(count * elemSize);
  in.read(raw.data(), raw.size(), "the data");
  a.values.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const unsigned char* p = raw.data() + i * elemSize;
    switch (type) {
      case 0x08: a.values[i] = p[0]; break;
      case 0x09: a.values[i] = static_cast<int8_t>(p[0]); break;
      case 0x0B: a.values[i] = static_cast<int16_t>((p[0] << 8) | p[1]); break;
      case 0x0C: a.values[i] = static_cast<float>(static_cast<int32_t>(bigEndian32(p))); break;
      case 0x0D: { uint32_t u = bigEndian32(p); float f; std::memcpy(&f, &u, 4); a.values[i] = f; break; }
      case 0x0E: {
        uint64_t u = (uint64_t(bigEndian32(p)) << 32) | bigEndian32(p + 4);
        double d; std::memcpy(&d, &u, 8); a.values[i] = static_cast<float>(d); break;
      }
    }
  }
  return a;
}

Dataset loadIdxDataset(const std::string& imagesPath, const std::string& labelsPath, long limit, bool normalize) {
  // Header-only reads first, so a sample-count mismatch is reported even when `limit` is used.
  const IdxArray imageHeader = readIdx(imagesPath, 0), labelHeader = readIdx(labelsPath, 0);
  if (labelHeader.dims.size() != 1) throw Error(labelsPath + ": label file must be one-dimensional");
  if (imageHeader.itemsInFile != labelHeader.itemsInFile)
    throw Error(imagesPath + " has " + std::to_string(imageHeader.itemsInFile) + " samples but " + labelsPath + " has " +
                std::to_string(labelHeader.itemsInFile) + " labels");
  IdxArray images = readIdx(imagesPath, limit);
  IdxArray labels = readIdx(labelsPath, limit);
  const long n = images.dims[0];
  long features = 1;
  for (size_t i = 1; i < images.dims.size(); ++i) features *= images.dims[i];
  Dataset d;
  d.x.resize(n, features);
  std::copy(images.values.begin(), images.values.begin() + n * features, d.x.data());
  if (normalize && images.elementType == 0x08) d.x /= 255.0f;
  if (images.dims.size() == 3) d.shape = Shape{1, images.dims[1], images.dims[2]};
  else d.shape = Shape{static_cast<int>(features)};
  int maxLabel = 0;
  for (long i = 0; i < n; ++i) {
    const float v = labels.values[i];
    if (v < 0 || v != static_cast<int>(v)) throw Error(labelsPath + ": label " + std::to_string(v) + " is not a class index");
    d.labels.push_back(static_cast<int>(v));
    maxLabel = std::max(maxLabel, static_cast<int>(v));
  }
  d.numClasses = maxLabel + 1;
  return d;
}

}  // namespace mmlc::nn
