// mml-resolve-imports reports missing files, cycles and clashing declarations at the import.
// RUN: not mmlc-opt %s --split-input-file --mml-resolve-imports="include-dirs=%inputs" 2>&1 | FileCheck %s

// CHECK: error: cannot find imported file 'missing.mml'
mml.import "missing.mml"

// -----

// CHECK: cycle_b.mml:2:1: error: import cycle: cycle_a.mml -> cycle_b.mml -> cycle_a.mml
mml.import "cycle_a.mml"

// -----

// CHECK: error: 'src' is declared twice
// CHECK: tasks.mml:2:1: note: also declared here
mml.task @src [] -> !mml.dnn
mml.import "tasks.mml"
