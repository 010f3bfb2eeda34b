// Prints compiler diagnostics with their source line and a caret, as MLIR's SourceMgr handler
// does, but cuts a line too long to read (a generated flow, a 200,000-character data literal)
// to a window around the caret.
#ifndef MML_DRIVER_SOURCEDIAGNOSTICS_H
#define MML_DRIVER_SOURCEDIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mml {

class SourceDiagnosticHandler : public mlir::SourceMgrDiagnosticHandler {
public:
  /// Lines longer than this are shown as `context` characters either side of the caret.
  static constexpr size_t kMaxLineLength = 160;
  static constexpr size_t kContext = 60;

  SourceDiagnosticHandler(llvm::SourceMgr &mgr, mlir::MLIRContext *ctx,
                          llvm::raw_ostream &os = llvm::errs());

  /// The line as shown under a diagnostic at 1-based `column`, and the caret's 0-based offset in
  /// it: the whole line when short, else a window with "..." where it was cut.
  static std::pair<std::string, size_t> excerpt(llvm::StringRef line, size_t column);

private:
  /// The source line of `loc` when it is longer than kMaxLineLength; empty otherwise.
  std::optional<std::pair<std::string, size_t>> longLine(mlir::Location loc);
  void emitCut(mlir::Location loc, const llvm::Twine &message, mlir::DiagnosticSeverity severity);

  llvm::SourceMgr &mgr;
  llvm::raw_ostream &out;
};

} // namespace mml

#endif
