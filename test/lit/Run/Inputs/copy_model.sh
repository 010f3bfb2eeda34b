#!/bin/sh
# Test helper for extern tasks: a "legacy tool" that copies a DNN export ($1) to the output ($2).
set -e
test -f "$1/model.onnx"
cp "$1/model.mmlc" "$2/model.mmlc"
echo '{"copied": 1}'
