// Canonicalisation folds constant branches, empty loops, constant formats and string tests.
// RUN: mmlc-opt %s --canonicalize | FileCheck %s

mml.task @src [] -> !mml.dnn
mml.task @tr [#mml.param<name = "m", type = !mml.dnn>] -> !mml.dnn

// CHECK-LABEL: mml.flow @f
mml.flow @f() -> !mml.dnn attributes {params = []} {
  %0 = mml.call @src() {arg_names = []} : () -> !mml.dnn
  // CHECK-NOT: mml.if
  // CHECK: %[[T:.*]] = mml.call @tr
  %true = arith.constant true
  %1 = mml.if %true -> (!mml.dnn) {
    %t = mml.call @tr(%0) {arg_names = ["m"]} : (!mml.dnn) -> !mml.dnn
    mml.yield %t : !mml.dnn
  } else {
    mml.yield %0 : !mml.dnn
  }
  // CHECK-NOT: mml.for
  %2 = mml.for [] (%1) : (!mml.dnn) -> !mml.dnn {
  ^bb0(%i: i64, %x: !mml.dnn):
    mml.yield %x : !mml.dnn
  }
  // CHECK: mml.return %[[T]] : !mml.dnn
  mml.return %2 : !mml.dnn
}

// CHECK-LABEL: mml.flow @g
// CHECK: %[[FX:.*]] = mml.constant !mml.fixed #mml.fixed<10, 4>
// CHECK: mml.return %[[FX]]
mml.flow @g() -> !mml.fixed attributes {params = []} {
  %w = arith.constant 10 : i64
  %i = arith.constant 4 : i64
  %f = mml.make_fixed %w, %i {is_signed = true} : !mml.fixed
  mml.return %f : !mml.fixed
}

// CHECK-LABEL: mml.flow @h
// CHECK: %[[B:.*]] = arith.constant false
// CHECK: mml.return %[[B]]
mml.flow @h() -> i1 attributes {params = []} {
  %a = mml.constant !mml.str "SPQ"
  %b = mml.constant !mml.str "PSQ"
  %eq = mml.str_cmp "eq", %a, %b
  mml.return %eq : i1
}

// An invalid computed format is left for the runtime to report.
// CHECK-LABEL: mml.flow @bad
// CHECK: mml.make_fixed
mml.flow @bad() -> !mml.fixed attributes {params = []} {
  %w = arith.constant 0 : i64
  %f = mml.make_fixed %w, %w {is_signed = true} : !mml.fixed
  mml.return %f : !mml.fixed
}
