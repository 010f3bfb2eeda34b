// The MLIR bridge: turns the executable `mml` module into the runtime's plain flow::Program.
#ifndef MML_BRIDGE_PROGRAMBUILDER_H
#define MML_BRIDGE_PROGRAMBUILDER_H

#include "flow/Program.h"

#include "mlir/IR/BuiltinOps.h"

namespace mml {
/// Converts a module produced by mml-lower-to-executable (docs/ir.md); reports a located error
/// and fails on anything outside that contract.
mlir::FailureOr<mmlc::flow::Program> buildProgram(mlir::ModuleOp executable);
} // namespace mml

#endif
