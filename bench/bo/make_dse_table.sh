#!/usr/bin/env bash
# Computes the replay table of bench/bo once: runs bench/bo/dse_space.mml (every configuration of
# strategy order x tolerances x reuse x precision of a Fashion-MNIST MLP, through mmlc's own
# flow) and writes its evaluations as CSV to $1. The run directory is removed afterwards (its
# HLS projects take a few GB); the table is what is kept.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TABLE="$1"
export MMLC_BUILD_DIR="${MMLC_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/build.sh" >/dev/null
RUN="$(mktemp -d "${TMPDIR:-/tmp}/mmlc-dse-table.XXXXXX")"
trap 'rm -rf "$RUN"' EXIT
echo "bench/bo: computing the design-space table (about 2000 designs, a few minutes)" >&2
nice -n 10 "$MMLC_BUILD_DIR/bin/mmlc" run "$HERE/dse_space.mml" -o "$RUN/run" --jobs "$(nproc)" > "$RUN/progress.log"
python3 "$HERE/dse_table.py" "$RUN/run/log.jsonl" "$TABLE.tmp"
mv "$TABLE.tmp" "$TABLE"
