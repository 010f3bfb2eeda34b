// Turns .mml source into an `mml` module with a FileLineColLoc on every op.
#ifndef MML_FRONTEND_MLIRGEN_H
#define MML_FRONTEND_MLIRGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mml {
class ModuleLoader;

/// Parses and generates one file. Imported declarations are looked up through `loader` (for
/// call signatures); the module keeps its `mml.import` ops. Syntax and semantic errors are
/// reported as located diagnostics; returns null if there were any.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context, ModuleLoader &loader,
                                          llvm::StringRef source, llvm::StringRef fileName);
} // namespace mml

#endif
