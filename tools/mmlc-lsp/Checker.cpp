// Checks a buffer with the compiler's own pipeline (what `mmlc check` runs) and converts the
// MLIR diagnostics it reports: the only file of mmlc-lsp that sees MLIR's IR headers.
#include "Checker.h"

#include "mml/Driver/CompilerPipeline.h"
#include "mml/FrontEnd/ModuleLoader.h"
#include "mml/InitAllMML.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mml;
using namespace mml::lsp;
namespace proto = mlir::lsp;

namespace {

struct FilePos {
  std::string file;
  int line = 0, col = 0; // 1-based, as in FileLineColLoc
};

/// The FileLineColLocs inside `loc` (call sites, names and fusions unwrapped), in order.
void collect(mlir::Location loc, std::vector<FilePos> &out) {
  if (auto f = mlir::dyn_cast<mlir::FileLineColLoc>(loc)) {
    out.push_back({f.getFilename().str(), static_cast<int>(f.getLine()), static_cast<int>(f.getColumn())});
  } else if (auto c = mlir::dyn_cast<mlir::CallSiteLoc>(loc)) {
    collect(c.getCallee(), out);
    collect(c.getCaller(), out);
  } else if (auto n = mlir::dyn_cast<mlir::NameLoc>(loc)) {
    collect(n.getChildLoc(), out);
  } else if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc)) {
    for (mlir::Location l : fused.getLocations())
      collect(l, out);
  }
}

class Converter {
public:
  Converter(const FileIndex &index, const proto::URIForFile &uri) : index(index), uri(uri) {}

  proto::Diagnostic convert(mlir::Diagnostic &diag) {
    proto::Diagnostic out;
    out.source = "mmlc";
    out.severity = severity(diag.getSeverity());
    out.message = diag.str();
    std::vector<FilePos> places;
    collect(diag.getLocation(), places);
    std::vector<proto::DiagnosticRelatedInformation> related;
    const FilePos *here = nullptr;
    for (const FilePos &p : places)
      if (p.file == index.path) {
        here = &p;
        break;
      }
    if (here) {
      out.range = rangeAt(*here);
    } else {
      // Located in an imported file (or nowhere): shown on the import that leads there.
      out.range = importRange(places.empty() ? "" : places.front().file);
      if (!places.empty()) {
        const FilePos &p = places.front();
        out.message = llvm::sys::path::filename(p.file).str() + ":" + std::to_string(p.line) + ":" +
                      std::to_string(p.col) + ": " + out.message;
        related.emplace_back(location(p), "the error is here");
      }
    }
    for (mlir::Diagnostic &note : diag.getNotes()) {
      std::vector<FilePos> at;
      collect(note.getLocation(), at);
      if (at.empty())
        out.message += "\nnote: " + note.str();
      else
        related.emplace_back(location(at.front()), note.str());
    }
    if (!related.empty())
      out.relatedInformation = std::move(related);
    out.category = "mmlc check";
    return out;
  }

private:
  static proto::DiagnosticSeverity severity(mlir::DiagnosticSeverity s) {
    switch (s) {
    case mlir::DiagnosticSeverity::Error: return proto::DiagnosticSeverity::Error;
    case mlir::DiagnosticSeverity::Warning: return proto::DiagnosticSeverity::Warning;
    case mlir::DiagnosticSeverity::Note:
    case mlir::DiagnosticSeverity::Remark: return proto::DiagnosticSeverity::Information;
    }
    return proto::DiagnosticSeverity::Error;
  }

  /// The token at a diagnostic's place in this buffer (a point when there is none).
  proto::Range rangeAt(const FilePos &p) const {
    proto::Position start(std::max(0, p.line - 1), std::max(0, p.col - 1));
    if (const Token *t = index.tokenStartingAt(start.line, start.character))
      return proto::Range(start, proto::Position(t->line, t->endCol));
    return proto::Range(start, proto::Position(start.line, start.character + 1));
  }

  proto::Range importRange(const std::string &file) const {
    for (const ImportInfo &imp : index.imports)
      if (!file.empty() && imp.resolved == file)
        return imp.range;
    if (!index.imports.empty())
      return index.imports.front().range;
    return proto::Range(proto::Position(0, 0));
  }

  proto::Location location(const FilePos &p) const {
    proto::Position start(std::max(0, p.line - 1), std::max(0, p.col - 1));
    if (p.file == index.path)
      return proto::Location(uri, rangeAt(p));
    llvm::Expected<proto::URIForFile> other = proto::URIForFile::fromFile(p.file);
    if (!other) {
      llvm::consumeError(other.takeError());
      return proto::Location(uri, proto::Range(proto::Position(0, 0)));
    }
    return proto::Location(*other, proto::Range(start));
  }

  const FileIndex &index;
  const proto::URIForFile &uri;
};

} // namespace

std::vector<proto::Diagnostic> mml::lsp::checkBuffer(const FileIndex &index, const proto::URIForFile &uri,
                                                   const FrontEndOptions &options) {
  // A fresh context per check, as `mmlc check` has: nothing of an earlier buffer survives.
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  std::vector<proto::Diagnostic> out;
  Converter converter(index, uri);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    out.push_back(converter.convert(diag));
    return mlir::success();
  });
  llvm::SourceMgr sourceMgr;
  ModuleLoader loader(context, sourceMgr, options);
  CompileOptions compile;
  compile.inputFile = index.path;
  compile.frontEnd = options;
  mlir::OwningOpRef<mlir::ModuleOp> module = loader.parseSource(index.text, index.path);
  if (module)
    (void)lowerToExecutable(*module, compile);
  return out;
}
