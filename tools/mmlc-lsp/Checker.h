// Runs `mmlc check`'s pipeline (front end, import resolution, verifier, lowering) on an unsaved
// buffer and turns its diagnostics into LSP diagnostics with ranges and related notes.
#ifndef MMLC_LSP_CHECKER_H
#define MMLC_LSP_CHECKER_H

#include "SymbolIndex.h"

#include <vector>

namespace mml::lsp {

/// Every diagnostic `mmlc check` gives for `index.text` saved as `index.path`; those located in
/// other files (imports) are shown on the import that leads there, with the place as a note.
std::vector<mlir::lsp::Diagnostic> checkBuffer(const FileIndex &index,
                                               const mlir::lsp::URIForFile &uri,
                                               const FrontEndOptions &options);

} // namespace mml::lsp

#endif
