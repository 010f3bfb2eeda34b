// .npy header parsing (the Python-dict header) and dtype conversion.
#include "nn/NpyReader.h"

#include <cstring>
#include <fstream>
#include <regex>

#include "nn/Error.h"

namespace mmlc::nn {

NpyArray readNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  char magic[8];
  if (!in.read(magic, 8)) throw Error(path + ": file is truncated (no .npy header)");
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw Error(path + ": not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t headerLen = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw Error(path + ": file is truncated in the header");
    headerLen = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw Error(path + ": file is truncated in the header");
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  } else {
    throw Error(path + ": unsupported .npy format version " + std::to_string(major));
  }
  std::string header(headerLen, '\0');
  if (!in.read(header.data(), headerLen)) throw Error(path + ": file is truncated in the header");
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'")))
    throw Error(path + ": .npy header has no 'descr'");
  const std::string descr = m[1];
  if (std::regex_search(header, m, std::regex("'fortran_order'\\s*:\\s*True")))
    throw Error(path + ": Fortran-order arrays are not supported (save with C order)");
  if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    throw Error(path + ": .npy header has no 'shape'");
  NpyArray a;
  const std::string dims = m[1];
  std::regex num("\\d+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it)
    a.shape.push_back(std::stol(it->str()));
  size_t count = 1;
  for (long d : a.shape) count *= d;
  if (descr.size() < 3 || descr[0] == '>') throw Error(path + ": unsupported dtype '" + descr + "' (need little-endian)");
  const char kind = descr[1];
  const int size = std::atoi(descr.c_str() + 2);
  const bool ok = (kind == 'f' && (size == 4 || size == 8)) ||
                  ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8));
  if (!ok) throw Error(path + ": unsupported dtype '" + descr + "' (float32/64 or integers)");
  std::vector<char> raw(count * size);
  if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size())))
    throw Error(path + ": file is truncated: header promises " + std::to_string(count) + " values of " +
                std::to_string(size) + " bytes");
  a.values.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const char* p = raw.data() + i * size;
    float v = 0;
    if (kind == 'f' && size == 4) { std::memcpy(&v, p, 4); }
    else if (kind == 'f') { double d; std::memcpy(&d, p, 8); v = static_cast<float>(d); }
    else if (kind == 'i') {
      if (size == 1) v = static_cast<int8_t>(*p);
      else if (size == 2) { int16_t t; std::memcpy(&t, p, 2); v = t; }
      else if (size == 4) { int32_t t; std::memcpy(&t, p, 4); v = static_cast<float>(t); }
      else { int64_t t; std::memcpy(&t, p, 8); v = static_cast<float>(t); }
    } else {
      if (size == 1) v = static_cast<uint8_t>(*p);
      else if (size == 2) { uint16_t t; std::memcpy(&t, p, 2); v = t; }
      else if (size == 4) { uint32_t t; std::memcpy(&t, p, 4); v = static_cast<float>(t); }
      else { uint64_t t; std::memcpy(&t, p, 8); v = static_cast<float>(t); }
    }
    a.values[i] = v;
  }
  return a;
}

Dataset loadNpyDataset(const std::string& xPath, const std::string& yPath) {
  NpyArray x = readNpy(xPath), y = readNpy(yPath);
  if (x.shape.empty() || x.shape.size() > 4) throw Error(xPath + ": features need 2 to 4 dimensions (samples first)");
  if (y.shape.empty() || y.shape[0] != x.shape[0])
    throw Error(xPath + " has " + std::to_string(x.shape[0]) + " samples but " + yPath + " has " +
                (y.shape.empty() ? std::string("a scalar") : std::to_string(y.shape[0])));
  Dataset d;
  const long n = x.shape[0];
  if (n <= 0) throw Error(xPath + ": contains no samples");
  std::vector<int> dims;
  for (size_t i = 1; i < x.shape.size(); ++i) dims.push_back(static_cast<int>(x.shape[i]));
  if (dims.empty()) dims.push_back(1);
  d.shape = Shape(dims);
  d.x = Eigen::Map<Matrix>(x.values.data(), n, d.shape.size());
  // Class labels: whole non-negative numbers shaped (N,) or (N, 1) (Keras' binary labels).
  bool integral = y.shape.size() == 1 || (y.shape.size() == 2 && y.shape[1] == 1);
  for (float v : y.values) integral = integral && v >= 0 && v == static_cast<float>(static_cast<int>(v));
  if (integral) {
    int maxLabel = 0;
    for (float v : y.values) {
      d.labels.push_back(static_cast<int>(v));
      maxLabel = std::max(maxLabel, static_cast<int>(v));
    }
    d.numClasses = maxLabel + 1;
  } else {
    d.targets = Eigen::Map<Matrix>(y.values.data(), n, static_cast<long>(y.values.size() / n));
  }
  return d;
}

void writeNpy(const std::string& path, const std::vector<long>& shape, const std::vector<float>& values) {
  std::string dims;
  for (long d : shape) dims += std::to_string(d) + ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot write file");
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char lenBytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(lenBytes, 2);
  out << header;
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));
}

}  // namespace mmlc::nn
