// IR-level verifier errors of the mml dialect.
// RUN: mmlc-opt %s --split-input-file --verify-diagnostics

mml.task @src [] -> !mml.dnn
mml.task @pr [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "t", type = f64, default_value = 0.5 : f64, lower = 0.0 : f64, upper = 1.0 : f64>] -> !mml.dnn
mml.flow @f(%h: !mml.hls) attributes {params = [#mml.param<name = "h", type = !mml.hls>]} {
  // expected-error @+1 {{task 'pr' works on dnn models, but 'm' is an hls model}}
  %0 = mml.call @pr(%h) {arg_names = ["m"]} : (!mml.hls) -> !mml.dnn
  mml.return
}

// -----

mml.task @pr [#mml.param<name = "m", type = !mml.dnn>, #mml.param<name = "t", type = f64, default_value = 0.5 : f64, lower = 0.0 : f64, upper = 1.0 : f64>] -> !mml.dnn
mml.flow @f(%m: !mml.dnn) attributes {params = [#mml.param<name = "m", type = !mml.dnn>]} {
  %c = arith.constant 2.0 : f64
  // expected-error @+1 {{value of 't' for task 'pr' is outside its domain [0, 1]}}
  %0 = mml.call @pr(%m, %c) {arg_names = ["m", "t"]} : (!mml.dnn, f64) -> !mml.dnn
  mml.return
}

// -----

mml.flow @f() attributes {params = []} {
  // expected-error @+1 {{unknown task or flow 'nothing'}}
  %0 = mml.call @nothing() {arg_names = []} : () -> !mml.dnn
  mml.return
}

// -----

// expected-error @+1 {{fixed-point width 2000 is not accepted by HLS tools (must be 1 to 1024)}}
mml.cfg_entry "a.b" = #mml.fixed<2000, 6>

// -----

mml.flow @f(%b: i1) attributes {params = [#mml.param<name = "b", type = i1>]} {
  // expected-error @+1 {{unbounded or empty loop: 'max' must be at least 1 (got 0)}}
  mml.while max 0 () : () -> () cond {
    mml.condition %b
  } do {
    mml.yield
  }
  mml.return
}

// -----

mml.task @src [] -> !mml.dnn
mml.flow @f() attributes {params = []} {
  %m = mml.call @src() {arg_names = []} : () -> !mml.dnn
  %b = arith.constant true
  // expected-error @+1 {{'mml.if' op then region yields values that do not match the op's results}}
  %0 = mml.if %b -> (!mml.hls) {
    mml.yield %m : !mml.dnn
  } else {
    mml.yield %m : !mml.dnn
  }
  mml.return
}

// -----

mml.task @src [] -> !mml.hls
mml.flow @f() attributes {params = []} {
  %m = mml.call @src() {arg_names = []} : () -> !mml.hls
  // expected-error @+1 {{duplicate branch label 'A'}}
  %p = mml.parallel ["A", "A"] "minimize" -> !mml.hls select {
  ^bb0(%c: !mml.hls):
    %d = mml.metric %c "dsp" : !mml.hls
    %t = arith.constant true
    mml.score %d, %t
  } branches {
    mml.yield %m : !mml.hls
  }, {
    mml.yield %m : !mml.hls
  }
  mml.return
}

// -----

mml.task @src [] -> !mml.hls
mml.flow @f() attributes {params = []} {
  %m = mml.call @src() {arg_names = []} : () -> !mml.hls
  // expected-error @+1 {{search parameter 'r' has an empty set of values}}
  %r = mml.search "grid" {} [#mml.param<name = "r", type = i64, choices = []>] -> !mml.hls {
  ^bb0(%x: i64):
    %d = mml.metric %m "dsp" : !mml.hls
    mml.search_yield %m : !mml.hls objectives(%d) constraints() {directions = ["minimize"]}
  }
  mml.return
}

// -----

mml.task @src [] -> !mml.hls
mml.flow @f() attributes {params = []} {
  %m = mml.call @src() {arg_names = []} : () -> !mml.hls
  %r = mml.search "grid" {} [#mml.param<name = "r", type = i64, choices = [1]>] -> !mml.hls {
  ^bb0(%x: i64):
    // expected-error @+1 {{a search needs at least one objective}}
    mml.search_yield %m : !mml.hls objectives() constraints() {directions = []}
  }
  mml.return
}

// -----

mml.task @src [] -> !mml.dnn
mml.flow @f() attributes {params = []} {
  %m = mml.call @src() {arg_names = []} : () -> !mml.dnn
  // expected-error @+1 {{a dnn has no metric 'lut'}}
  %x = mml.metric %m "lut" : !mml.dnn
  mml.return
}

// -----

// expected-error @+1 {{duplicate parameter name 'a'}}
mml.task @t [#mml.param<name = "a", type = i64>, #mml.param<name = "a", type = f64>] -> !mml.dnn

// -----

// expected-error @+1 {{parameter 'a' has a default value outside its domain [0, 1]}}
mml.task @t [#mml.param<name = "a", type = f64, default_value = 3.0 : f64, lower = 0.0 : f64, upper = 1.0 : f64>] -> !mml.dnn

// -----

mml.task @t [#mml.param<name = "a", type = i64>] -> !mml.dnn
mml.flow @f() attributes {params = []} {
  // expected-error @+1 {{missing required argument 'a' (int) of task 't'}}
  %0 = mml.call @t() {arg_names = []} : () -> !mml.dnn
  mml.return
}

// -----

mml.flow @f() -> !mml.hls attributes {params = []} {
  // expected-error @+1 {{flow 'f' must return an hls}}
  mml.return
}

// -----

// expected-error @+1 {{'mml.constant' op is for strings, lists and fixed-point formats; use arith.constant for int}}
%0 = mml.constant i64 3
