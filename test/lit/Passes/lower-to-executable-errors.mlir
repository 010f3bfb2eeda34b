// mml-lower-to-executable refuses input that has not been through the earlier passes.
// RUN: not mmlc-opt %s --split-input-file --mml-lower-to-executable 2>&1 | FileCheck %s

mml.task @src [] -> !mml.dnn
mml.flow @f() -> !mml.dnn attributes {params = []} {
  %0 = mml.call @src() {arg_names = [], arg_origins = []} : () -> !mml.dnn
  mml.return %0 : !mml.dnn
}
mml.flow @main() attributes {params = []} {
  // CHECK: error: call to flow 'f' must be inlined first (mml-inline-flows)
  %0 = mml.call @f() {arg_names = []} : () -> !mml.dnn
  mml.return
}

// -----

mml.task @src [] -> !mml.dnn
mml.flow @main() attributes {params = []} {
  // CHECK: error: parameters of 'src' must be materialised first (mml-materialize-defaults)
  %0 = mml.call @src() {arg_names = []} : () -> !mml.dnn
  mml.return
}

// -----

// CHECK: error: no 'main { ... }' block: nothing to run
mml.task @src [] -> !mml.dnn
