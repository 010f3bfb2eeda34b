// ODS definition of the `mml` dialect: design flows of pipe tasks and control blocks.
#ifndef MML_DIALECT_TD
#define MML_DIALECT_TD

include "mlir/IR/OpBase.td"

def MML_Dialect : Dialect {
  let name = "mml";
  let cppNamespace = "::mml";
  let summary = "Design flows that turn DNNs into FPGA accelerators (MetaML pipe tasks).";
  let description = [{
    The `mml` dialect represents a `.mml` design flow: declarations of pipe tasks
    (`mml.task`), flows composed of task calls (`mml.flow`, `mml.call`), typed model handles
    for each abstraction level (`!mml.dnn`, `!mml.hls`, `!mml.rtl`), and the MetaML-Pro
    control blocks as region-holding ops modelled on `scf` (`mml.if`, `mml.while`,
    `mml.for`, `mml.parallel`, `mml.search`).

    Scalars use the builtin types `i64`, `f64` and `i1` and the `arith` dialect for
    arithmetic; strings, lists and fixed-point formats have their own types. The lowered,
    executable form that the runtime interprets is described in `docs/ir.md`.

    ```mlir
    mml.flow @spq(%m: !mml.dnn, %d: !mml.data) -> !mml.hls {
      %s = mml.call @scale(%m, %d) {arg_names = ["m", "d"]} : (!mml.dnn, !mml.data) -> !mml.dnn
      ...
    }
    ```
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();
  }];
}

class MML_Op<string mnemonic, list<Trait> traits = []> : Op<MML_Dialect, mnemonic, traits>;

#endif // MML_DIALECT_TD
