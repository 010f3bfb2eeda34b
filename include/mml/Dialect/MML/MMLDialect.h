// The `mml` dialect class (generated) and its dependencies.
#ifndef MML_DIALECT_MML_MMLDIALECT_H
#define MML_DIALECT_MML_MMLDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "mml/Dialect/MML/MMLDialect.h.inc"

#endif
