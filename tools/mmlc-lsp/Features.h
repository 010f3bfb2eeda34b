// The language features mmlc-lsp answers from a file's symbol index: hover, completion,
// signature help (Hover.cpp, Completion.cpp, SignatureHelp.cpp) and navigation: definition,
// references, document symbols (Navigation.cpp).
#ifndef MMLC_LSP_FEATURES_H
#define MMLC_LSP_FEATURES_H

#include "SymbolIndex.h"

#include <optional>
#include <vector>

namespace mml::lsp {
namespace proto = mlir::lsp;

std::optional<proto::Hover> hover(const FileIndex &index, Position pos);

proto::CompletionList complete(const FileIndex &index, Position pos, const FrontEndOptions &options);

std::optional<proto::SignatureHelp> signatureHelp(const FileIndex &index, Position pos);

std::vector<proto::Location> definition(const FileIndex &index, Position pos,
                                        const proto::URIForFile &uri);

/// Uses of the name at `pos` in `index` and in `others` (the open documents and, for top-level
/// names, the workspace files that mention it), as the same declaration (file, name, place).
std::vector<proto::Location>
references(const FileIndex &index, Position pos, const proto::URIForFile &uri, bool withDeclaration,
           const std::vector<std::pair<const FileIndex *, proto::URIForFile>> &others);

std::vector<proto::DocumentSymbol> documentSymbols(const FileIndex &index);

/// What a value of type `type` is (`dnn`: "a DNN-level model ..."), "" for scalars.
std::string describeType(llvm::StringRef type);

/// The URI of a declaring file: the open document's own, else a file: URI.
proto::URIForFile uriOf(const std::string &file, const FileIndex &index, const proto::URIForFile &uri);

} // namespace mml::lsp

#endif
