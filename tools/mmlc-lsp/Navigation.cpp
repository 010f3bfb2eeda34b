// Navigation: go to definition (into imported files and the stdlib), find references in the
// indexes the server hands over (open documents, workspace files), and the document outline.
#include "Features.h"

using namespace mml::lsp;
namespace proto = mlir::lsp;

proto::URIForFile mml::lsp::uriOf(const std::string &file, const FileIndex &index,
                                  const proto::URIForFile &uri) {
  if (file == index.path)
    return uri;
  llvm::Expected<proto::URIForFile> other = proto::URIForFile::fromFile(file);
  if (!other) {
    llvm::consumeError(other.takeError());
    return uri;
  }
  return *other;
}

namespace {

/// The same declaration, seen through two indexes (a buffer's and the file's on disk).
bool same(const Symbol *a, const Symbol *b) {
  return a == b || (a && b && a->file == b->file && a->name == b->name && a->range == b->range &&
                    a->kind == b->kind);
}

proto::DocumentSymbol outline(const Symbol &s) {
  proto::SymbolKind kind = s.isCallable() || s.kind == SymbolKind::Main ? proto::SymbolKind::Function
                         : s.kind == SymbolKind::Global                 ? proto::SymbolKind::Constant
                                                                        : proto::SymbolKind::Variable;
  proto::DocumentSymbol d(s.name, kind, s.fullRange, s.range);
  if (s.isCallable())
    d.detail = s.kindName() + std::string(" ") + s.signature();
  else if (!s.type.empty())
    d.detail = s.type;
  return d;
}

} // namespace

std::vector<proto::Location> mml::lsp::definition(const FileIndex &index, Position pos,
                                                  const proto::URIForFile &uri) {
  std::vector<proto::Location> out;
  if (const Occurrence *o = index.occurrenceAt(pos)) {
    if (o->symbol)
      out.emplace_back(uriOf(o->symbol->file, index, uri), o->symbol->range);
    return out;
  }
  for (const ImportInfo &imp : index.imports)
    if (!imp.resolved.empty() && imp.range.start <= pos && pos <= imp.range.end)
      out.emplace_back(uriOf(imp.resolved, index, uri), proto::Range(proto::Position(0, 0)));
  return out;
}

std::vector<proto::Location>
mml::lsp::references(const FileIndex &index, Position pos, const proto::URIForFile &uri,
                     bool withDeclaration,
                     const std::vector<std::pair<const FileIndex *, proto::URIForFile>> &others) {
  std::vector<proto::Location> out;
  const Occurrence *at = index.occurrenceAt(pos);
  if (!at || !at->symbol)
    return out;
  const Symbol *target = at->symbol;
  auto scan = [&](const FileIndex &file, const proto::URIForFile &fileUri) {
    for (const Occurrence &o : file.occurrences)
      if (same(o.symbol, target) && (withDeclaration || !o.isDefinition))
        out.emplace_back(fileUri, o.range);
  };
  scan(index, uri);
  for (const auto &[other, otherUri] : others)
    if (other != &index)
      scan(*other, otherUri);
  bool declarationListed = target->file == index.path;
  for (const auto &[other, otherUri] : others)
    declarationListed |= other->path == target->file;
  if (withDeclaration && !declarationListed)
    out.emplace_back(uriOf(target->file, index, uri), target->range);
  return out;
}

std::vector<proto::DocumentSymbol> mml::lsp::documentSymbols(const FileIndex &index) {
  std::vector<proto::DocumentSymbol> out;
  for (const Symbol *s : index.topLevel) {
    if (s->name.empty())
      continue; // a declaration whose name did not parse
    proto::DocumentSymbol d = outline(*s);
    for (const Symbol *p : s->params)
      if (!p->name.empty())
        d.children.push_back(outline(*p));
    if (s->hasBody())
      for (const Symbol *local : index.localsOf(s))
        if (local->kind != SymbolKind::Param)
          d.children.push_back(outline(*local));
    out.push_back(std::move(d));
  }
  for (size_t i = 0; i < index.cfgBlocks.size(); ++i) {
    proto::DocumentSymbol d("cfg", proto::SymbolKind::Namespace, index.cfgBlocks[i],
                            proto::Range(index.cfgBlocks[i].start));
    for (const CfgKeyInfo &key : index.cfgKeys)
      if (index.cfgBlocks[i].contains(key.range)) {
        std::string name;
        for (const std::string &p : key.parts)
          name += (name.empty() ? "" : ".") + p;
        d.children.emplace_back(name, proto::SymbolKind::Property, key.range, key.range);
      }
    out.push_back(std::move(d));
  }
  // In text order (DocumentSymbol moves but does not assign: sort indices).
  std::vector<size_t> order(out.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return out[a].range.start < out[b].range.start; });
  std::vector<proto::DocumentSymbol> sorted;
  for (size_t i : order)
    sorted.push_back(std::move(out[i]));
  return sorted;
}
