// Factories and registration of the `mml` passes (declared in MMLPasses.td).
#ifndef MML_DIALECT_MML_MMLPASSES_H
#define MML_DIALECT_MML_MMLPASSES_H

#include "mml/Dialect/MML/MMLOps.h"
#include "mml/FrontEnd/ImportSearch.h"
#include "mlir/Pass/Pass.h"

namespace mml {
#define GEN_PASS_DECL
#include "mml/Dialect/MML/MMLPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "mml/Dialect/MML/MMLPasses.h.inc"

/// mml-resolve-imports with the front end's options, the editor's unsaved buffers included
/// (those are no pass option: mmlc-lsp hands them over here).
std::unique_ptr<mlir::Pass> createResolveImports(const FrontEndOptions &frontEnd);
} // namespace mml

#endif
