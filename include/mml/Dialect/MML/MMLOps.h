// The `mml` ops (generated).
#ifndef MML_DIALECT_MML_MMLOPS_H
#define MML_DIALECT_MML_MMLOPS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mml/Dialect/MML/MMLAttributes.h"
#include "mml/Dialect/MML/MMLDialect.h"
#include "mml/Dialect/MML/MMLTypes.h"

#define GET_OP_CLASSES
#include "mml/Dialect/MML/MMLOps.h.inc"

namespace mml {
/// What a call site needs to know about a task or a flow.
struct CalleeSignature {
  llvm::StringRef kind;    ///< "task" or "flow"
  mlir::ArrayAttr params;  ///< #mml.param, in declaration order
  mlir::Type resultType;   ///< null when the flow returns nothing
};
/// The signature of a task or flow symbol, or nullopt for any other op.
std::optional<CalleeSignature> getCalleeSignature(mlir::Operation *symbol);
/// The constant attribute a value is defined by (arith.constant or mml.constant), or null.
mlir::Attribute getConstantValue(mlir::Value value);
/// Checks a list of declared parameters (unique names, defaults in their domains); with
/// `isSearch`, every parameter must carry a well-formed, non-empty search domain.
mlir::LogicalResult verifyParamList(mlir::Operation *op, mlir::ArrayAttr params, bool isSearch);
} // namespace mml

#endif
