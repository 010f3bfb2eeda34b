// The plain project model's own behaviour (positions, errors, lookups, pragma targets): no Clang,
// shared by mmlc and its Clang module.
#include <string>

#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"

namespace mmlc::meta {

std::string SourcePos::str() const {
  if (line == 0) return file;
  if (column == 0) return file + ":" + std::to_string(line);
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

HlsMetaError::HlsMetaError(SourcePos pos, const std::string& message)
    : std::runtime_error((pos.file.empty() ? std::string() : pos.str() + ": ") + message),
      pos_(std::move(pos)),
      message_(message) {}

const HlsConfigField* HlsLayer::field(const std::string& n) const {
  for (const auto& f : config)
    if (f.name == n) return &f;
  return nullptr;
}

const HlsLayer* HlsProject::layer(const std::string& name) const {
  for (const auto& l : layers)
    if (l.name == name) return &l;
  return nullptr;
}

const HlsLayer& HlsProject::requireLayer(const std::string& name) const {
  if (const HlsLayer* l = layer(name)) return *l;
  std::string known;
  for (const auto& l : layers) known += (known.empty() ? "" : ", ") + l.name;
  throw HlsMetaError(topPos, "no layer '" + name + "' in top function " + topFunction + " (layers: " + known + ")");
}

const HlsWeightArray* HlsProject::weightArray(const std::string& name) const {
  for (const auto& w : weights)
    if (w.name == name) return &w;
  return nullptr;
}

std::vector<const HlsPragma*> HlsProject::pragmasIn(const std::string& function, const std::string& loop) const {
  std::vector<const HlsPragma*> out;
  for (const auto& p : pragmas)
    if (p.function == function && p.loop == loop) out.push_back(&p);
  return out;
}

PragmaTarget PragmaTarget::parse(const std::string& text) {
  PragmaTarget t;
  size_t slash = text.find('/');
  t.function = text.substr(0, slash);
  if (slash != std::string::npos) t.loop = text.substr(slash + 1);
  return t;
}

}  // namespace mmlc::meta
