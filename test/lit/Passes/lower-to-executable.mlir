// mml-lower-to-executable: globals computed at the start of main, other flows and unused tasks
// dropped, steps numbered in execution order, module marked mml.executable.
// RUN: mmlc-opt %s --mml-lower-to-executable | FileCheck %s
// RUN: mmlc-opt %s --mml-lower-to-executable --mml-lower-to-executable | FileCheck %s

// CHECK: module attributes {mml.executable}
// CHECK-NOT: mml.task @unused
// CHECK-NOT: mml.global
// CHECK-NOT: mml.flow @helper
mml.task @src [#mml.param<name = "n", type = i64>] -> !mml.dnn
mml.task @tr [#mml.param<name = "m", type = !mml.dnn>] -> !mml.dnn
mml.task @unused [] -> !mml.dnn

mml.global @base : !mml.dnn {
  %n = arith.constant 3 : i64
  %m = mml.call @src(%n) {arg_names = ["n"], arg_origins = ["text"], path = "base.src"} : (i64) -> !mml.dnn
  mml.yield %m : !mml.dnn
}
mml.global @trained : !mml.dnn {
  %b = mml.global_get @base : !mml.dnn
  %t = mml.call @tr(%b) {arg_names = ["m"], arg_origins = ["text"], path = "trained.tr"} : (!mml.dnn) -> !mml.dnn
  mml.yield %t : !mml.dnn
}
mml.flow @helper() attributes {params = []} {
  mml.return
}

// CHECK-LABEL: mml.flow @main
// CHECK: %[[B:.*]] = mml.call @src({{.*}}) {{{.*}}path = "base.src", step = 0 : i64}
// CHECK: %[[T:.*]] = mml.call @tr(%[[B]]) {{{.*}}path = "trained.tr", step = 1 : i64}
// CHECK: mml.call @tr(%[[T]]) {{{.*}}path = "main.tr", step = 2 : i64}
mml.flow @main() attributes {params = []} {
  %0 = mml.global_get @trained : !mml.dnn
  %1 = mml.call @tr(%0) {arg_names = ["m"], arg_origins = ["text"], path = "main.tr"} : (!mml.dnn) -> !mml.dnn
  mml.return
}
