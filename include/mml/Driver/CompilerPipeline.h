// The compiler pipeline shared by mmlc's commands: .mml file → MLIRGen → checks → executable form.
#ifndef MML_DRIVER_COMPILERPIPELINE_H
#define MML_DRIVER_COMPILERPIPELINE_H

#include "mml/FrontEnd/ModuleLoader.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/Timing.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace mml {

struct CompileOptions {
  std::string inputFile;
  FrontEndOptions frontEnd;
  /// `--set key=value` overrides, highest precedence.
  std::vector<std::string> overrides;
  /// When set, each pass is timed under this timer (mmlc --timing).
  std::optional<mlir::TimingScope> *timing = nullptr;
};

/// Parses the input file (MLIRGen output: imports kept). Null after reporting errors.
mlir::OwningOpRef<mlir::ModuleOp> parseInput(ModuleLoader &loader, const CompileOptions &options);

/// Runs every check and pass up to the executable form (docs/ir.md) on a parsed module.
mlir::LogicalResult lowerToExecutable(mlir::ModuleOp module, const CompileOptions &options);

/// Checks a parsed module without changing it: resolves imports in a copy and verifies it.
mlir::LogicalResult verifyParsed(mlir::ModuleOp module, const CompileOptions &options);

} // namespace mml

#endif
