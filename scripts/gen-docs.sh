#!/usr/bin/env bash
# Regenerates docs/dialect/*.md from the ODS definitions (the test docs.generated checks them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMLC_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >/dev/null
cp "$build"/include/mml/Dialect/MML/MMLDialect.md "$build"/include/mml/Dialect/MML/MMLPasses.md \
   "$root/docs/dialect/"
echo "docs/dialect/ regenerated from ODS"
