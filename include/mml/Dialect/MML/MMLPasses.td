// ODS definition of the `mml` passes, from imports to the runtime's executable form.
#ifndef MML_PASSES_TD
#define MML_PASSES_TD

include "mlir/Pass/PassBase.td"

def ResolveImports : Pass<"mml-resolve-imports", "::mlir::ModuleOp"> {
  let summary = "Loads imported .mml files and merges their declarations into the module";
  let description = [{
    Each `mml.import` is resolved against the importing file's folder, the `include-dirs`
    and the stdlib, parsed with the front end (recursively), and its tasks, flows and
    globals are cloned into the module; the import op is erased. A file imported twice is
    merged once; the same name declared in two files is an error, and so is an import cycle.

    Example: `mmlc-opt --mml-resolve-imports="include-dirs=lib"` turns
    `mml.import "std/tasks.mml"` into the `mml.task` declarations of the stdlib.
  }];
  let options = [
    ListOption<"includeDirs", "include-dirs", "std::string", "Extra folders to search for imports">,
    Option<"stdlibDir", "stdlib-dir", "std::string", "\"\"", "The stdlib folder (default: the built-in one)">
  ];
  let dependentDialects = ["::mml::MMLDialect", "::mlir::arith::ArithDialect"];
}

def InlineFlows : Pass<"mml-inline-flows", "::mlir::ModuleOp"> {
  let summary = "Inlines every flow call into main and records call paths";
  let description = [{
    Calls to flows are replaced by the flow body, with missing flow arguments taken from
    their defaults. Every task call gets a `path` naming the chain of flows it was inlined
    through (`main.spq.prune`; a repeated call in the same flow gets `#2`, `#3`, ...).
    Recursive flows are an error: use a bounded loop instead.

    Example: `main { r = spq(m, d); }` becomes the `scale`, `prune`, `hls4ml` and
    `quantize` calls of `spq` with paths `main.spq.scale`, ...
  }];
  let dependentDialects = ["::mml::MMLDialect", "::mlir::arith::ArithDialect"];
}

def MaterializeDefaults : Pass<"mml-materialize-defaults", "::mlir::ModuleOp"> {
  let summary = "Gives every call all its parameters, each with the origin of its value";
  let description = [{
    For each call, every parameter of the callee is resolved by precedence
    default < flow text < `cfg` block < `--set`, materialised as a constant operand when it
    does not come from the flow text, and recorded in `arg_origins`. cfg entries are
    consumed; an entry or `--set` key that matches no parameter, a value of the wrong type
    or outside the declared domain is an error.

    Example: `mmlc-opt --mml-materialize-defaults="set=prune.tolerance=0.05"`.
  }];
  let options = [
    ListOption<"overrides", "set", "std::string", "key=value overrides (as mmlc --set)">
  ];
  let dependentDialects = ["::mml::MMLDialect", "::mlir::arith::ArithDialect"];
}

def LowerToExecutable : Pass<"mml-lower-to-executable", "::mlir::ModuleOp"> {
  let summary = "Produces the executable form the runtime interprets (docs/ir.md)";
  let description = [{
    Requires inlined flows and materialised parameters. Evaluates globals at the start of
    `main`, drops flows other than `main`, unused tasks and globals, numbers every task call
    with a `step` index and marks the module `mml.executable`. Fails with a located error if
    any precondition does not hold.
  }];
  let dependentDialects = ["::mml::MMLDialect", "::mlir::arith::ArithDialect"];
}

#endif // MML_PASSES_TD
