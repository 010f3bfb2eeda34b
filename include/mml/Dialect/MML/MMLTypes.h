// The `mml` types (generated) and the metric names each level carries.
#ifndef MML_DIALECT_MML_MMLTYPES_H
#define MML_DIALECT_MML_MMLTYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "mml/Dialect/MML/MMLTypes.h.inc"

namespace mml {
/// Whether `type` is a model level: !mml.dnn, !mml.hls or !mml.rtl.
bool isModelType(mlir::Type type);
/// The metric names readable from a value of `type` (empty if none).
llvm::ArrayRef<llvm::StringRef> getMetricNames(mlir::Type type);
/// The language spelling of a type: `dnn`, `float`, `int[]`, ...
std::string getSourceTypeName(mlir::Type type);
/// The spelling with its article, for messages: "a dnn", "an hls", "an int".
std::string withArticle(mlir::Type type);
} // namespace mml

#endif
