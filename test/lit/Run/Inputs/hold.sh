#!/bin/sh
# Extern task of clang-module.test: says it is running ($MMLC_RUN_DIR/READY), waits for GO there, prints metrics.
touch "$MMLC_RUN_DIR/READY"
while [ ! -f "$MMLC_RUN_DIR/GO" ]; do sleep 0.05; done
echo "{\"value\": $1}"
