// ZIP reader: the end-of-central-directory record, the central directory, local headers, and
// zlib's raw inflate for deflated members (APPNOTE.TXT, sections 4.3 and 4.4).
#include "nn/ZipArchive.h"

#include <zlib.h>

#include <fstream>
#include <sstream>

#include "nn/Error.h"

namespace mmlc::nn {

namespace {
unsigned long le(const std::string& b, size_t at, int bytes) {
  unsigned long v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<size_t>(i)]);
  return v;
}
}  // namespace

ZipArchive::ZipArchive(const std::string& path) : path_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the archive");
  std::stringstream s;
  s << in.rdbuf();
  bytes_ = s.str();
  auto bad = [&](const std::string& why) { throw Error(path_ + ": not a readable ZIP archive (" + why + ")"); };
  // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB, at the end.
  if (bytes_.size() < 22) bad("too short");
  size_t eocd = std::string::npos;
  const size_t lowest = bytes_.size() > 22 + 65535 ? bytes_.size() - 22 - 65535 : 0;
  for (size_t at = bytes_.size() - 22 + 1; at-- > lowest;)
    if (le(bytes_, at, 4) == 0x06054b50UL) {
      eocd = at;
      break;
    }
  if (eocd == std::string::npos) bad("no end-of-central-directory record; truncated?");
  const size_t count = le(bytes_, eocd + 10, 2), dirSize = le(bytes_, eocd + 12, 4), dirAt = le(bytes_, eocd + 16, 4);
  if (count == 0xFFFF || dirAt == 0xFFFFFFFFUL) bad("ZIP64 archives are not supported");
  if (dirAt + dirSize > eocd) bad("the central directory lies outside the file; truncated?");
  size_t at = dirAt;
  for (size_t i = 0; i < count; ++i) {
    if (at + 46 > bytes_.size() || le(bytes_, at, 4) != 0x02014b50UL) bad("corrupt central directory");
    Member m;
    const unsigned flags = static_cast<unsigned>(le(bytes_, at + 8, 2));
    m.method = static_cast<unsigned>(le(bytes_, at + 10, 2));
    m.crc = le(bytes_, at + 16, 4);
    m.compressedSize = le(bytes_, at + 20, 4);
    m.size = le(bytes_, at + 24, 4);
    const size_t nameLen = le(bytes_, at + 28, 2), extraLen = le(bytes_, at + 30, 2), commentLen = le(bytes_, at + 32, 2);
    m.localHeader = le(bytes_, at + 42, 4);
    if (at + 46 + nameLen > bytes_.size()) bad("corrupt central directory");
    m.name = bytes_.substr(at + 46, nameLen);
    if (flags & 1) bad("member '" + m.name + "' is encrypted");
    if (m.compressedSize == 0xFFFFFFFFUL || m.size == 0xFFFFFFFFUL || m.localHeader == 0xFFFFFFFFUL)
      bad("ZIP64 member '" + m.name + "' is not supported");
    members_.push_back(m);
    at += 46 + nameLen + extraLen + commentLen;
  }
}

std::vector<std::string> ZipArchive::names() const {
  std::vector<std::string> out;
  for (const Member& m : members_) out.push_back(m.name);
  return out;
}

const ZipArchive::Member* ZipArchive::find(const std::string& name) const {
  for (const Member& m : members_)
    if (m.name == name) return &m;
  return nullptr;
}

bool ZipArchive::contains(const std::string& name) const { return find(name) != nullptr; }

std::string ZipArchive::read(const std::string& name) const {
  const Member* m = find(name);
  if (!m) throw Error(path_ + ": the archive has no member '" + name + "'");
  auto bad = [&](const std::string& why) { throw Error(path_ + ": member '" + name + "' " + why); };
  const size_t h = m->localHeader;
  if (h + 30 > bytes_.size() || le(bytes_, h, 4) != 0x04034b50UL) bad("has a corrupt local header");
  const size_t data = h + 30 + le(bytes_, h + 26, 2) + le(bytes_, h + 28, 2);
  if (data + m->compressedSize > bytes_.size()) bad("is truncated");
  std::string out;
  if (m->method == 0) {
    out = bytes_.substr(data, m->compressedSize);
  } else if (m->method == 8) {
    out.resize(m->size);
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) bad("cannot be inflated");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes_.data() + data));
    z.avail_in = static_cast<uInt>(m->compressedSize);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.total_out != m->size) bad("is corrupt (inflate failed)");
  } else {
    bad("uses compression method " + std::to_string(m->method) + " (only stored and deflated are supported)");
  }
  if (out.size() != m->size) bad("is truncated");
  if (crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())) != m->crc)
    bad("is corrupt (CRC mismatch)");
  return out;
}

}  // namespace mmlc::nn
