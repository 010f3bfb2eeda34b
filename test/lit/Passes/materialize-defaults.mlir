// mml-materialize-defaults gives every call all its parameters, in declaration order, with origins;
// precedence: default < text < cfg (most specific key wins) < --set.
// RUN: mmlc-opt %s --mml-materialize-defaults | FileCheck %s
// RUN: mmlc-opt %s --mml-materialize-defaults="set=main.pr.threshold=0.3" | FileCheck %s --check-prefix=SET

mml.task @src [] -> !mml.dnn
mml.task @pr [#mml.param<name = "m", type = !mml.dnn>,
              #mml.param<name = "tolerance", type = f64, default_value = 2.0e-02 : f64, lower = 0.0 : f64, upper = 1.0 : f64>,
              #mml.param<name = "threshold", type = f64, default_value = 2.0e-02 : f64>,
              #mml.param<name = "start", type = f64, default_value = 5.0e-01 : f64>] -> !mml.dnn

mml.cfg_entry "pr.threshold" = 1.000000e-01 : f64
mml.cfg_entry "main.pr.threshold" = 2.000000e-01 : f64
mml.cfg_entry "pr.start" = 6.000000e-01 : f64

// CHECK-NOT: mml.cfg_entry
// CHECK-LABEL: mml.flow @main
// CHECK-DAG: %[[TOL:.*]] = arith.constant 5.000000e-02 : f64
// CHECK-DAG: %[[THR:.*]] = arith.constant 2.000000e-01 : f64
// CHECK-DAG: %[[START:.*]] = arith.constant 6.000000e-01 : f64
// CHECK: mml.call @pr(%{{.*}}, %[[TOL]], %[[THR]], %[[START]]) {arg_names = ["m", "tolerance", "threshold", "start"], arg_origins = ["text", "text", "cfg", "cfg"], path = "main.pr"}
// SET: %[[SETV:.*]] = arith.constant 3.000000e-01 : f64
// SET: mml.call @pr(%{{.*}}, %{{.*}}, %[[SETV]], %{{.*}}) {{{.*}}arg_origins = ["text", "text", "set", "cfg"]
mml.flow @main() attributes {params = []} {
  %0 = mml.call @src() {arg_names = []} : () -> !mml.dnn
  %t = arith.constant 5.0e-02 : f64
  %1 = mml.call @pr(%0, %t) {arg_names = ["m", "tolerance"]} : (!mml.dnn, f64) -> !mml.dnn
  mml.return
}

// Without any override, a default is materialised with origin "default".
// CHECK-LABEL: mml.flow @other
// CHECK: mml.call @pr({{.*}}) {{{.*}}arg_origins = ["text", "default", "cfg", "cfg"], path = "other.pr"}
mml.flow @other(%arg0: !mml.dnn) attributes {params = [#mml.param<name = "m", type = !mml.dnn>]} {
  %1 = mml.call @pr(%arg0) {arg_names = ["m"]} : (!mml.dnn) -> !mml.dnn
  mml.return
}
