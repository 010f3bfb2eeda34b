// mml-inline-flows inlines flows callees-first, fills missing flow arguments from defaults and
// names every task call by its call path (repeats get #2, #3, ...).
// RUN: mmlc-opt %s --mml-inline-flows | FileCheck %s

mml.task @src [] -> !mml.dnn
mml.task @tr [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "e", type = i64, default_value = 3 : i64>] -> !mml.dnn

mml.flow @inner(%arg0: !mml.dnn, %arg1: i64) -> !mml.dnn attributes {params = [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "e", type = i64, default_value = 7 : i64>]} {
  %0 = mml.call @tr(%arg0, %arg1) {arg_names = ["m", "e"]} : (!mml.dnn, i64) -> !mml.dnn
  %1 = mml.call @tr(%0) {arg_names = ["m"]} : (!mml.dnn) -> !mml.dnn
  mml.return %1 : !mml.dnn
}

mml.flow @outer(%arg0: !mml.dnn) -> !mml.dnn attributes {params = [#mml.param<name = "m", type = !mml.dnn>]} {
  %0 = mml.call @inner(%arg0) {arg_names = ["m"]} : (!mml.dnn) -> !mml.dnn
  mml.return %0 : !mml.dnn
}

// CHECK-LABEL: mml.flow @main
// CHECK:   %[[S:.*]] = mml.call @src() {arg_names = [], path = "main.src"}
// CHECK:   %[[E:.*]] = arith.constant 7 : i64
// CHECK:   %[[A:.*]] = mml.call @tr(%[[S]], %[[E]]) {arg_names = ["m", "e"], path = "main.outer.inner.tr"}
// CHECK:   %[[B:.*]] = mml.call @tr(%[[A]]) {arg_names = ["m"], path = "main.outer.inner.tr#2"}
// CHECK:   mml.return
// CHECK-NOT: mml.call @inner
// CHECK-NOT: mml.call @outer
mml.flow @main() attributes {params = []} {
  %0 = mml.call @src() {arg_names = []} : () -> !mml.dnn
  %1 = mml.call @outer(%0) {arg_names = ["m"]} : (!mml.dnn) -> !mml.dnn
  mml.return
}
