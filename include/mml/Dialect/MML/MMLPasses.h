// Factories and registration of the `mml` passes (declared in MMLPasses.td).
#ifndef MML_DIALECT_MML_MMLPASSES_H
#define MML_DIALECT_MML_MMLPASSES_H

#include "mml/Dialect/MML/MMLOps.h"
#include "mlir/Pass/Pass.h"

namespace mml {
#define GEN_PASS_DECL
#include "mml/Dialect/MML/MMLPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "mml/Dialect/MML/MMLPasses.h.inc"
} // namespace mml

#endif
