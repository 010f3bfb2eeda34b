// Every op, type and attribute of the mml dialect round-trips through mmlc-opt (custom and generic form).
// RUN: mmlc-opt %s | mmlc-opt | FileCheck %s
// RUN: mmlc-opt %s --mlir-print-op-generic | mmlc-opt | FileCheck %s

// CHECK: mml.import "std/other.mml" {resolved = "/x/other.mml"}
// CHECK: mml.task @src [#mml.param<name = "n", type = i64, default_value = 4 : i64, lower = 1 : i64, upper = 9 : i64, upper_open = true, doc = "size">] -> !mml.dnn {doc = "d", impl = "src_v2"}
// CHECK: mml.task @ext [#mml.param<name = "h", type = !mml.hls>, #mml.param<name = "s", type = !mml.str, default_value = "a", choices = ["a", "b"]>] -> !mml.rtl {command = "run.sh {h}"}
// CHECK: mml.task @dev [] -> !mml.device
// CHECK: mml.task @mk [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "p", type = !mml.fixed, default_value = #mml.fixed<8, 0, unsigned, RND, SAT>>, #mml.param<name = "l", type = !mml.list<i64>, default_value = [1, 2]>] -> !mml.hls
// CHECK: mml.task @ev [#mml.param<name = "h", type = !mml.hls>] -> !mml.metrics
// CHECK: mml.task @ld [] -> !mml.data
// CHECK: mml.global @g : !mml.device {
// CHECK: mml.cfg_entry "mk.p" = #mml.fixed<16, 6>
// CHECK: mml.flow @all(%arg0: !mml.dnn, %arg1: i64, %arg2: f64) -> !mml.hls
mml.import "std/other.mml" {resolved = "/x/other.mml"}
mml.task @src [#mml.param<name = "n", type = i64, default_value = 4 : i64, lower = 1 : i64, upper = 9 : i64, upper_open = true, doc = "size">] -> !mml.dnn {doc = "d", impl = "src_v2"}
mml.task @ext [#mml.param<name = "h", type = !mml.hls>, #mml.param<name = "s", type = !mml.str, default_value = "a", choices = ["a", "b"]>] -> !mml.rtl {command = "run.sh {h}"}
mml.task @dev [] -> !mml.device
mml.task @mk [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "p", type = !mml.fixed, default_value = #mml.fixed<8, 0, unsigned, RND, SAT>>, #mml.param<name = "l", type = !mml.list<i64>, default_value = [1, 2]>] -> !mml.hls
mml.task @ev [#mml.param<name = "h", type = !mml.hls>] -> !mml.metrics
mml.task @ld [] -> !mml.data
mml.global @g : !mml.device {
  %d = mml.call @dev() {arg_names = []} : () -> !mml.device
  mml.yield %d : !mml.device
}
mml.cfg_entry "mk.p" = #mml.fixed<16, 6>
mml.flow @all(%m: !mml.dnn, %n: i64, %x: f64) -> !mml.hls attributes {params = [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "n", type = i64>, #mml.param<name = "x", type = f64>], doc = "all ops"} {
  // CHECK: mml.constant !mml.str "s"
  %s = mml.constant !mml.str "s"
  // CHECK: mml.constant !mml.list<f64> [1.000000e+00, 2.000000e+00]
  %l = mml.constant !mml.list<f64> [1.0, 2.0]
  // CHECK: mml.make_fixed %{{.*}}, %{{.*}} {is_signed = false, overflow = "SAT"} : !mml.fixed
  %f = mml.make_fixed %n, %n {is_signed = false, overflow = "SAT"} : !mml.fixed
  // CHECK: mml.str_cmp "ne"
  %ne = mml.str_cmp "ne", %s, %s
  // CHECK: mml.global_get @g : !mml.device
  %g = mml.global_get @g : !mml.device
  // CHECK: mml.call @mk(%{{.*}}, %{{.*}}) {arg_names = ["m", "p"], arg_origins = ["text", "default"], path = "all.mk", step = 0 : i64}
  %h = mml.call @mk(%m, %f) {arg_names = ["m", "p"], arg_origins = ["text", "default"], path = "all.mk", step = 0 : i64} : (!mml.dnn, !mml.fixed) -> !mml.hls
  // CHECK: mml.metric %{{.*}} "dsp" : !mml.hls
  %dsp = mml.metric %h "dsp" : !mml.hls
  // CHECK: mml.if
  %i = mml.if %ne -> (!mml.hls) {
    mml.yield %h : !mml.hls
  } else {
    mml.yield %h : !mml.hls
  }
  // CHECK: mml.while max 3 (%{{.*}}) : (!mml.hls) -> !mml.hls cond {
  // CHECK: mml.condition
  %w = mml.while max 3 (%i) : (!mml.hls) -> !mml.hls cond {
  ^bb0(%a: !mml.hls):
    %c = arith.constant true
    mml.condition %c, %a : !mml.hls
  } do {
  ^bb0(%a: !mml.hls):
    mml.yield %a : !mml.hls
  }
  // CHECK: mml.for ["a", "b"] (%{{.*}}) : (!mml.hls) -> !mml.hls {
  %fo = mml.for ["a", "b"] (%w) : (!mml.hls) -> !mml.hls {
  ^bb0(%k: !mml.str, %a: !mml.hls):
    mml.yield %a : !mml.hls
  }
  // CHECK: mml.parallel ["A", "B"] "maximize" -> !mml.hls select {
  // CHECK: mml.score
  // CHECK: } branches {
  %p = mml.parallel ["A", "B"] "maximize" -> !mml.hls select {
  ^bb0(%c: !mml.hls):
    %acc = mml.metric %c "accuracy" : !mml.hls
    %t = arith.constant true
    mml.score %acc, %t
  } branches {
    mml.yield %fo : !mml.hls
  }, {
    mml.yield %h : !mml.hls
  }
  // CHECK: mml.search "random" {budget = 5 : i64}
  // CHECK: mml.search_yield %{{.*}} : !mml.hls objectives(%{{.*}}) constraints() {directions = ["minimize"]}
  %r = mml.search "random" {budget = 5 : i64} [#mml.param<name = "t", type = f64, lower = 1.0e-03 : f64, upper = 1.0 : f64, log = true>] -> !mml.hls {
  ^bb0(%t: f64):
    %d2 = mml.metric %p "dsp" : !mml.hls
    mml.search_yield %p : !mml.hls objectives(%d2) constraints() {directions = ["minimize"]}
  }
  // CHECK: mml.return %{{.*}} : !mml.hls
  mml.return %r : !mml.hls
}
