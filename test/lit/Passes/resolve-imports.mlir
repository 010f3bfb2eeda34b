// mml-resolve-imports merges imported declarations (once, even through two paths) and drops the imports.
// RUN: mmlc-opt %s --mml-resolve-imports="include-dirs=%inputs" | FileCheck %s

// CHECK-NOT: mml.import
// CHECK-COUNT-1: mml.task @src
// CHECK: mml.flow @small
// CHECK: mml.flow @main
mml.import "lib.mml"
mml.import "tasks.mml"
mml.flow @main() attributes {params = []} {
  %0 = mml.call @src() {arg_names = []} : () -> !mml.dnn
  mml.return
}
