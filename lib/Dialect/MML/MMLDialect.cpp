// Registers the `mml` dialect's ops, types and attributes, and materialises folded constants.
#include "mml/Dialect/MML/MMLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mml;

#include "mml/Dialect/MML/MMLDialect.cpp.inc"

void MMLDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mml/Dialect/MML/MMLOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
}

Operation *MMLDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                           Location loc) {
  if (isa<IntegerType, FloatType>(type))
    if (auto typed = dyn_cast<TypedAttr>(value))
      return builder.create<arith::ConstantOp>(loc, type, typed);
  return builder.create<ConstantOp>(loc, type, value);
}
