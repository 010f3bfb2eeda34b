// Reads members of a ZIP archive (stored or deflated, as Python's zipfile writes them): enough
// for Keras 3's `.keras` model archives (config.json, model.weights.h5).
#pragma once
#include <string>
#include <vector>

namespace mmlc::nn {

class ZipArchive {
 public:
  // Reads the archive's central directory; throws Error naming the file when it is not a ZIP
  // archive, is truncated, or uses ZIP64 or encryption.
  explicit ZipArchive(const std::string& path);
  // The members' names, in the archive's order.
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const;
  // The uncompressed bytes of a member; throws Error when it is missing or corrupt (CRC).
  std::string read(const std::string& name) const;

 private:
  struct Member {
    std::string name;
    unsigned method = 0;  // 0 stored, 8 deflated
    unsigned long crc = 0;
    size_t compressedSize = 0, size = 0, localHeader = 0;
  };
  const Member* find(const std::string& name) const;
  std::string path_;
  std::string bytes_;
  std::vector<Member> members_;
};

}  // namespace mmlc::nn
