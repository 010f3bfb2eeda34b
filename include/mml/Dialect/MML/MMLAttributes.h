// The `mml` attributes (generated): fixed-point formats and declared parameters.
#ifndef MML_DIALECT_MML_MMLATTRIBUTES_H
#define MML_DIALECT_MML_MMLATTRIBUTES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#define GET_ATTRDEF_CLASSES
#include "mml/Dialect/MML/MMLAttributes.h.inc"

#endif
