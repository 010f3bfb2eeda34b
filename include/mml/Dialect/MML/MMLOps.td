// ODS definition of the `mml` ops: declarations, flows, calls, constants and control blocks.
#ifndef MML_OPS_TD
#define MML_OPS_TD

include "mml/Dialect/MML/MMLDialect.td"
include "mml/Dialect/MML/MMLTypes.td"
include "mml/Dialect/MML/MMLAttributes.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def MML_ParamArrayAttr : TypedArrayAttrBase<MML_ParamAttr, "array of declared parameters">;

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

def MML_ImportOp : MML_Op<"import"> {
  let summary = "Imports the declarations of another .mml file";
  let description = [{
    Produced by MLIRGen for `import "std/tasks.mml";`. The `mml-resolve-imports` pass loads the
    file (searching the importing file's folder, `-I` folders and the stdlib), merges its
    symbols into the module and erases the op. `resolved` records the path MLIRGen found.

    ```mlir
    mml.import "std/tasks.mml" {resolved = "/opt/mmlc/stdlib/std/tasks.mml"}
    ```
  }];
  let arguments = (ins StrAttr:$path, OptionalAttr<StrAttr>:$resolved);
  let assemblyFormat = "$path attr-dict";
}

def MML_TaskOp : MML_Op<"task", [Symbol]> {
  let summary = "Declares a pipe task implemented by the runtime or by an external command";
  let description = [{
    A task has an ordered list of parameters (`#mml.param`: name, type, default, domain, doc)
    and one result type. Model and data parameters come first and are passed positionally;
    the rest are usually passed by name. `impl` names the runtime implementation (default:
    the task name); an `extern` task instead has a `command` template that the runtime runs.

    ```mlir
    mml.task @prune [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "d", type = !mml.data>,
                     #mml.param<name = "tolerance", type = f64, default_value = 2.0e-02 : f64>]
        -> !mml.dnn {doc = "Auto-pruning"}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, MML_ParamArrayAttr:$params,
                       TypeAttr:$result_type, OptionalAttr<StrAttr>:$doc,
                       OptionalAttr<StrAttr>:$impl, OptionalAttr<StrAttr>:$command);
  let assemblyFormat = "$sym_name $params `->` $result_type attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    bool isExternal() { return getCommand().has_value(); }
    /// The runtime implementation this task is bound to.
    llvm::StringRef getImplName() { return getImpl() ? *getImpl() : getSymName(); }
  }];
}

def MML_FlowOp : MML_Op<"flow", [FunctionOpInterface, IsolatedFromAbove, SingleBlock]> {
  let summary = "A flow: a named, typed composition of task calls and control blocks";
  let description = [{
    Flows are callable like tasks. `params` mirrors the arguments with their names and
    defaults; the body ends with `mml.return`. `main` is the flow named `main`.

    ```mlir
    mml.flow @fit(%m: !mml.dnn, %d: !mml.data) -> !mml.hls
        attributes {params = [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "d", type = !mml.data>]} {
      %h = mml.call @hls4ml(%m) {arg_names = ["m"]} : (!mml.dnn) -> !mml.hls
      mml.return %h : !mml.hls
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<FunctionType>:$function_type,
                       MML_ParamArrayAttr:$params, OptionalAttr<StrAttr>:$doc,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Region *getCallableRegion() { return &getBody(); }
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() { return getFunctionType().getInputs(); }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() { return getFunctionType().getResults(); }
    bool isMain() { return getSymName() == "main"; }
  }];
}

def MML_GlobalOp : MML_Op<"global", [Symbol, IsolatedFromAbove, SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "A named top-level value (device, data set, model, scalar), computed once";
  let description = [{
    From `device u250 = part("xcu250-figd2104-2L-e", clock: 5ns);`. The initialiser region
    yields the value; lowering evaluates it at the start of `main`.

    ```mlir
    mml.global @u250 : !mml.device {
      %n = mml.constant !mml.str "xcu250-figd2104-2L-e"
      %c = arith.constant 5.0 : f64
      %d = mml.call @part(%n, %c) {arg_names = ["name", "clock"]} : (!mml.str, f64) -> !mml.device
      mml.yield %d : !mml.device
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttr:$type);
  let regions = (region SizedRegion<1>:$init);
  let assemblyFormat = "$sym_name `:` $type $init attr-dict";
  let hasRegionVerifier = 1;
}

def MML_GlobalGetOp : MML_Op<"global_get", [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reads a global declared with mml.global";
  let description = [{ ```mlir
    %d = mml.global_get @u250 : !mml.device
    ``` }];
  let arguments = (ins FlatSymbolRefAttr:$global_name);
  let results = (outs AnyType:$result);
  let assemblyFormat = "$global_name attr-dict `:` type($result)";
}

def MML_CfgEntryOp : MML_Op<"cfg_entry"> {
  let summary = "One entry of a `cfg` block: overrides a task parameter by call path";
  let description = [{
    `key` is `[flow.]*task.param`, matched as a suffix of each call's path
    (`main.spq.prune`) plus the parameter name. Consumed by `mml-materialize-defaults`.

    ```mlir
    mml.cfg_entry "prune.tolerance" = 1.000000e-02 : f64
    ```
  }];
  let arguments = (ins StrAttr:$key, AnyAttr:$value);
  let assemblyFormat = "$key `=` $value attr-dict";
}

//===----------------------------------------------------------------------===//
// Values and calls
//===----------------------------------------------------------------------===//

def MML_ConstantOp : MML_Op<"constant", [ConstantLike, Pure]> {
  let summary = "A constant string, list or fixed-point format";
  let description = [{
    Integer, float and boolean constants use `arith.constant`.

    ```mlir
    %s = mml.constant !mml.str "latency"
    %l = mml.constant !mml.list<i64> [64, 32]
    %p = mml.constant !mml.fixed #mml.fixed<16, 6>
    ```
  }];
  let arguments = (ins AnyAttr:$value);
  let results = (outs AnyType:$result);
  let assemblyFormat = "type($result) $value attr-dict";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def MML_MakeFixedOp : MML_Op<"make_fixed", [Pure]> {
  let summary = "Builds a fixed-point format from computed width and integer bits";
  let description = [{
    From `fixed<w, 6>` where `w` is a variable (e.g. a search parameter). Folds to a
    constant when both operands are constant and the format is valid.

    ```mlir
    %p = mml.make_fixed %w, %i {is_signed = true} : !mml.fixed
    ```
  }];
  let arguments = (ins I64:$width, I64:$integer_bits, BoolAttr:$is_signed,
                       DefaultValuedStrAttr<StrAttr, "TRN">:$quantization,
                       DefaultValuedStrAttr<StrAttr, "WRAP">:$overflow);
  let results = (outs MML_FixedType:$result);
  let assemblyFormat = "$width `,` $integer_bits attr-dict `:` type($result)";
  let hasFolder = 1;
}

def MML_StrCmpOp : MML_Op<"str_cmp", [Pure]> {
  let summary = "Compares two strings for equality (`eq`) or inequality (`ne`)";
  let description = [{ ```mlir
    %b = mml.str_cmp eq, %order, %spq
    ``` }];
  let arguments = (ins StrAttr:$predicate, MML_StringType:$lhs, MML_StringType:$rhs);
  let results = (outs I1:$result);
  let assemblyFormat = "$predicate `,` $lhs `,` $rhs attr-dict";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def MML_MetricOp : MML_Op<"metric", [Pure]> {
  let summary = "Reads a metric of a model, data set, device or metrics record";
  let description = [{
    From `h.dsp`. The metric must exist at the operand's level (`docs/language.md` lists
    them); HLS-level resource metrics are estimated on demand by the runtime.

    ```mlir
    %dsp = mml.metric %h "dsp" : !mml.hls
    ```
  }];
  let arguments = (ins AnyType:$source, StrAttr:$name);
  let results = (outs F64:$result);
  let assemblyFormat = "$source $name attr-dict `:` type($source)";
  let hasVerifier = 1;
}

def MML_CallOp : MML_Op<"call", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Calls a task or a flow";
  let description = [{
    `arg_names` gives the parameter each operand binds. After `mml-materialize-defaults`,
    every parameter of the callee has an operand and `arg_origins` records where its value
    came from: `default`, `text` (written in the flow), `cfg` (a cfg block) or `set`
    (`--set` on the command line). `path` is the call path (`main.spq.prune`) used for cfg
    keys and for naming steps in the model space.

    ```mlir
    %p = mml.call @prune(%s, %d, %t) {arg_names = ["m", "d", "tolerance"]}
        : (!mml.dnn, !mml.data, f64) -> !mml.dnn
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyType>:$args,
                       StrArrayAttr:$arg_names, OptionalAttr<StrArrayAttr>:$arg_origins,
                       OptionalAttr<StrAttr>:$path);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = "$callee `(` $args `)` attr-dict `:` functional-type($args, $results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The operand bound to parameter `name`, or null.
    ::mlir::Value getArg(llvm::StringRef name);
  }];
}

//===----------------------------------------------------------------------===//
// Terminators
//===----------------------------------------------------------------------===//

def MML_ReturnOp : MML_Op<"return", [Pure, HasParent<"FlowOp">, ReturnLike, Terminator]> {
  let summary = "Returns from a flow";
  let description = [{ ```mlir
    mml.return %h : !mml.hls
    ``` }];
  let arguments = (ins Variadic<AnyType>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, std::nullopt); }]>];
  let hasVerifier = 1;
}

def MML_YieldOp : MML_Op<"yield", [Pure, ReturnLike, Terminator,
    ParentOneOf<["IfOp", "WhileOp", "ForOp", "ParallelOp", "GlobalOp"]>]> {
  let summary = "Yields values from a control-block region";
  let description = [{ ```mlir
    mml.yield %m, %h : !mml.dnn, !mml.hls
    ``` }];
  let arguments = (ins Variadic<AnyType>:$results);
  let assemblyFormat = "attr-dict ($results^ `:` type($results))?";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, std::nullopt); }]>];
}

def MML_ConditionOp : MML_Op<"condition", [Pure, Terminator, HasParent<"WhileOp">]> {
  let summary = "Ends the condition region of mml.while: continue while true, passing values";
  let description = [{ ```mlir
    mml.condition %c, %m, %h : !mml.dnn, !mml.hls
    ``` }];
  let arguments = (ins I1:$condition, Variadic<AnyType>:$args);
  let assemblyFormat = "$condition (`,` $args^ `:` type($args))? attr-dict";
}

def MML_ScoreOp : MML_Op<"score", [Pure, Terminator, HasParent<"ParallelOp">]> {
  let summary = "Ends the select region of mml.parallel: a candidate's objective and feasibility";
  let description = [{ ```mlir
    mml.score %objective, %feasible
    ``` }];
  let arguments = (ins F64:$objective, I1:$feasible);
  let assemblyFormat = "$objective `,` $feasible attr-dict";
}

def MML_SearchYieldOp : MML_Op<"search_yield", [Pure, Terminator, HasParent<"SearchOp">,
                                                 AttrSizedOperandSegments]> {
  let summary = "Ends a search body: the result, its objectives and its constraints";
  let description = [{
    `directions` holds `minimize` or `maximize` for each objective; each constraint is an
    `i1` that must hold for the evaluation to be feasible.

    ```mlir
    mml.search_yield %h : !mml.hls objectives(%dsp, %lut) constraints(%ok) {directions = ["minimize", "minimize"]}
    ```
  }];
  let arguments = (ins AnyType:$result, Variadic<F64>:$objectives, Variadic<I1>:$constraints,
                       StrArrayAttr:$directions);
  let assemblyFormat = [{
    $result `:` type($result) `objectives` `(` $objectives `)` `constraints` `(` $constraints `)` attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Control blocks
//===----------------------------------------------------------------------===//

def MML_IfOp : MML_Op<"if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "Two-way branch on a condition (if/else), modelled on scf.if";
  let description = [{
    Both regions end with `mml.yield` of the result types: variables assigned in a branch
    that are visible afterwards become results.

    ```mlir
    %h2 = mml.if %c -> (!mml.hls) {
      mml.yield %h : !mml.hls
    } else {
      mml.yield %g : !mml.hls
    }
    ```
  }];
  let arguments = (ins I1:$condition);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$thenRegion, SizedRegion<1>:$elseRegion);
  let assemblyFormat = "$condition (`->` `(` type($results)^ `)`)? $thenRegion `else` $elseRegion attr-dict";
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
}

def MML_WhileOp : MML_Op<"while", [RecursiveMemoryEffects]> {
  let summary = "Bounded while loop, modelled on scf.while, with a mandatory iteration bound";
  let description = [{
    The `cond` region receives the loop-carried values and ends with `mml.condition`; the
    `do` region receives them and yields the next values. The loop stops when the condition
    is false or after `max_iterations` body executions (the runtime logs a warning then).

    ```mlir
    %m2 = mml.while max 8 (%m) : (!mml.dnn) -> !mml.dnn cond {
    ^bb0(%x: !mml.dnn):
      ...
      mml.condition %c, %x : !mml.dnn
    } do {
    ^bb0(%x: !mml.dnn):
      ...
      mml.yield %y : !mml.dnn
    }
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inits, I64Attr:$max_iterations);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$before, SizedRegion<1>:$after);
  let assemblyFormat = [{
    `max` $max_iterations ` ` `(` $inits `)` `:` functional-type($inits, $results) `cond` $before `do` $after attr-dict
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def MML_ForOp : MML_Op<"for", [RecursiveMemoryEffects]> {
  let summary = "Loop over a constant list of values, with loop-carried values";
  let description = [{
    The body's first argument is the current value (of the list's element type), the rest
    are the loop-carried values; the body yields the next carried values.

    ```mlir
    %h2 = mml.for [1, 2, 4] (%h) : (!mml.hls) -> !mml.hls {
    ^bb0(%r: i64, %x: !mml.hls):
      ...
      mml.yield %y : !mml.hls
    }
    ```
  }];
  let arguments = (ins ArrayAttr:$values, Variadic<AnyType>:$inits);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$values ` ` `(` $inits `)` `:` functional-type($inits, $results) $body attr-dict";
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
}

def MML_ParallelOp : MML_Op<"parallel", [RecursiveMemoryEffects]> {
  let summary = "Alternative branches run concurrently; one result is selected by an objective";
  let description = [{
    Each branch region yields one candidate. The `select` region receives a candidate and
    ends with `mml.score`: its objective and whether it is feasible (the `where` clause).
    The best feasible candidate by `direction` is the result; with none feasible the flow
    fails with a located error.

    ```mlir
    %best = mml.parallel ["SP", "PS"] "minimize" -> !mml.hls select {
    ^bb0(%c: !mml.hls):
      %dsp = mml.metric %c "dsp" : !mml.hls
      %true = arith.constant true
      mml.score %dsp, %true
    } branches {
      mml.yield %a : !mml.hls
    }, {
      mml.yield %b : !mml.hls
    }
    ```
  }];
  let arguments = (ins StrArrayAttr:$labels, StrAttr:$direction);
  let results = (outs AnyType:$result);
  let regions = (region SizedRegion<1>:$select, VariadicRegion<SizedRegion<1>>:$branches);
  let assemblyFormat = "$labels $direction `->` type($result) `select` $select `branches` $branches attr-dict";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def MML_SearchOp : MML_Op<"search", [RecursiveMemoryEffects]> {
  let summary = "Design-space search (bayes, grid, random) over declared parameter domains";
  let description = [{
    `params` declares each searched parameter with its domain (range, optionally `log`, or
    set of choices); the body receives one value per parameter, runs the flow for it and
    ends with `mml.search_yield`. `options` holds the strategy's arguments (`budget`, `seed`,
    ...). The result is the best feasible evaluation's result.

    ```mlir
    %h = mml.search "bayes" {budget = 30 : i64, seed = 7 : i64}
        [#mml.param<name = "ap", type = f64, lower = 1.0e-03 : f64, upper = 4.0e-02 : f64, log = true>]
        -> !mml.hls {
    ^bb0(%ap: f64):
      ...
      mml.search_yield %h : !mml.hls objectives(%dsp) constraints(%ok) {directions = ["minimize"]}
    }
    ```
  }];
  let arguments = (ins StrAttr:$strategy, DictionaryAttr:$options, MML_ParamArrayAttr:$params);
  let results = (outs AnyType:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$strategy $options $params `->` type($result) $body attr-dict";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

#endif // MML_OPS_TD
