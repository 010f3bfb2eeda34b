#!/bin/sh
# Test helper for extern tasks: metrics of an HLS project folder ($1) as JSON; fails on request.
set -e
if [ "$2" = "fail" ]; then echo "project_stats: asked to fail" >&2; exit 3; fi
files=$(find "$1" -type f | wc -l)
weights=$(ls "$1"/firmware/weights | wc -l)
echo "{\"files\": $files, \"weight_files\": $weights, \"scale\": $3}"
