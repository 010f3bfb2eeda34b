#!/bin/sh
# Extern task of clang-module.test: prints its argument as the metric "value".
echo "{\"value\": $1}"
