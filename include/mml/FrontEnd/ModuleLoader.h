// Loads .mml files into `mml` modules: search paths, syntax errors as diagnostics, import cycles.
#ifndef MML_FRONTEND_MODULELOADER_H
#define MML_FRONTEND_MODULELOADER_H

#include "mml/FrontEnd/ImportSearch.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <string>
#include <vector>

namespace mml {

/// Parses .mml files into modules, caching each imported file once per loader. Diagnostics
/// go to the context's handler with a FileLineColLoc; every buffer read is registered in
/// `sourceMgr` so the handler can print the offending line with a caret.
class ModuleLoader {
public:
  ModuleLoader(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr, FrontEndOptions options);
  ~ModuleLoader();

  /// Parses `path` into a module that still holds its `mml.import` ops (MLIRGen output).
  mlir::OwningOpRef<mlir::ModuleOp> parseFile(llvm::StringRef path);
  /// Parses source text held in memory (`name` is used in locations).
  mlir::OwningOpRef<mlir::ModuleOp> parseSource(llvm::StringRef source, llvm::StringRef name);

  /// Finds the file an `import "spec"` written in `fromFile` refers to; empty if none.
  std::string resolveImport(llvm::StringRef spec, llvm::StringRef fromFile) const;

  /// Loads an imported file with its own imports merged in (self-contained), or null after
  /// reporting an error at `importLoc` (missing file, syntax error, cycle).
  mlir::ModuleOp loadImport(llvm::StringRef resolvedPath, mlir::Location importLoc);

  /// Merges the declarations of every `mml.import` in `module` and erases the imports.
  mlir::LogicalResult resolveImports(mlir::ModuleOp module);

  mlir::MLIRContext &getContext() { return context; }

private:
  mlir::OwningOpRef<mlir::ModuleOp> parseBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                                llvm::StringRef name);

  mlir::MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  FrontEndOptions options;
  llvm::StringMap<mlir::OwningOpRef<mlir::ModuleOp>> imports;
  std::vector<std::string> loadingStack; // files being loaded, for cycle detection
};

} // namespace mml

#endif
