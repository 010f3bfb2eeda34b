// mmlc-lsp's server: the JSON-RPC glue between MLIR's LSP transport and the open documents
// (their text, symbol index and diagnostics).
#ifndef MMLC_LSP_LSPSERVER_H
#define MMLC_LSP_LSPSERVER_H

#include "mml/FrontEnd/ImportSearch.h"

#include "llvm/Support/LogicalResult.h"

#include <chrono>

namespace mlir::lsp {
class JSONTransport;
}

namespace mml::lsp {

/// Serves `transport` until the client says `exit` (or the stream ends). Diagnostics after a
/// change wait until the text has been left alone for `debounce` (0: published at once, on the
/// thread reading requests, as lit tests want).
llvm::LogicalResult runServer(mlir::lsp::JSONTransport &transport, const FrontEndOptions &options,
                              std::chrono::milliseconds debounce);

} // namespace mml::lsp

#endif
