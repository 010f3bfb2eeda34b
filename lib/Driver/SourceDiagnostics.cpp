// Diagnostics with source lines, long lines cut around the caret (see SourceDiagnostics.h).
#include "mml/Driver/SourceDiagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

using namespace mlir;

namespace mml {

SourceDiagnosticHandler::SourceDiagnosticHandler(llvm::SourceMgr &mgr, MLIRContext *ctx,
                                                 llvm::raw_ostream &os)
    : SourceMgrDiagnosticHandler(mgr, ctx, os), mgr(mgr), out(os) {
  // Registered after the base handler, so it runs first; it leaves short lines to the base.
  setHandler([this](Diagnostic &diag) -> LogicalResult {
    bool cut = longLine(diag.getLocation()).has_value();
    for (Diagnostic &note : diag.getNotes())
      cut = cut || longLine(note.getLocation()).has_value();
    if (!cut) {
      emitDiagnostic(diag);
      return success();
    }
    emitCut(diag.getLocation(), diag.str(), diag.getSeverity());
    for (Diagnostic &note : diag.getNotes())
      emitCut(note.getLocation(), note.str(), note.getSeverity());
    return success();
  });
}

std::pair<std::string, size_t> SourceDiagnosticHandler::excerpt(llvm::StringRef line,
                                                                size_t column) {
  size_t caret = column == 0 ? 0 : std::min(column - 1, line.size());
  if (line.size() <= kMaxLineLength)
    return {line.str(), caret};
  size_t begin = caret > kContext ? caret - kContext : 0;
  size_t end = std::min(line.size(), caret + kContext);
  std::string text = (begin > 0 ? "..." : "") + line.substr(begin, end - begin).str() +
                     (end < line.size() ? "..." : "");
  return {text, caret - begin + (begin > 0 ? 3 : 0)};
}

std::optional<std::pair<std::string, size_t>> SourceDiagnosticHandler::longLine(Location loc) {
  auto fileLoc = dyn_cast<FileLineColLoc>(loc);
  if (!fileLoc)
    if (auto nameLoc = dyn_cast<NameLoc>(loc))
      fileLoc = dyn_cast<FileLineColLoc>(nameLoc.getChildLoc());
  if (!fileLoc || fileLoc.getLine() == 0)
    return std::nullopt;
  for (unsigned id = 1; id <= mgr.getNumBuffers(); ++id) {
    const llvm::MemoryBuffer *buffer = mgr.getMemoryBuffer(id);
    if (buffer->getBufferIdentifier() != fileLoc.getFilename().getValue())
      continue;
    llvm::SMLoc start = mgr.FindLocForLineAndColumn(id, fileLoc.getLine(), 1);
    if (!start.isValid())
      return std::nullopt;
    llvm::StringRef rest(start.getPointer(), buffer->getBufferEnd() - start.getPointer());
    llvm::StringRef line = rest.take_until([](char c) { return c == '\n' || c == '\r'; });
    if (line.size() <= kMaxLineLength)
      return std::nullopt;
    return excerpt(line, fileLoc.getColumn());
  }
  return std::nullopt;
}

void SourceDiagnosticHandler::emitCut(Location loc, const llvm::Twine &message,
                                      DiagnosticSeverity severity) {
  std::optional<std::pair<std::string, size_t>> line = longLine(loc);
  emitDiagnostic(loc, message, severity, /*displaySourceLine=*/!line);
  if (line)
    out << line->first << "\n" << std::string(line->second, ' ') << "^\n";
}

} // namespace mml
