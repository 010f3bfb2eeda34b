// One place that registers everything mmlc and mmlc-opt know: dialects and passes.
#ifndef MML_INITALLMML_H
#define MML_INITALLMML_H

#include "mml/Dialect/MML/MMLOps.h"
#include "mml/Dialect/MML/MMLPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace mml {
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<MMLDialect, mlir::arith::ArithDialect>();
}

inline void registerAllPasses() {
  registerMMLPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
}
} // namespace mml

#endif
