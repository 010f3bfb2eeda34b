#!/bin/sh
# A stand-in for vivado_hls in tests: run as `vivado_hls -f build_prj.tcl ...` in a project, it
# "synthesises" by copying the real reports in $FAKE_HLS_REPORTS (an hls4ml project's reports/:
# top-level and per-function *_csynth.xml/.rpt) to where build_prj.tcl's project puts them
# (hls4ml's ${project_name} is taken from project.tcl, else "myproject").
set -e
[ "$1" = "-f" ] && [ -f "$2" ] || { echo "usage: vivado_hls -f build_prj.tcl" >&2; exit 2; }
[ -d "$FAKE_HLS_REPORTS" ] || { echo "fake vivado_hls: FAKE_HLS_REPORTS is not a directory" >&2; exit 2; }
name=$(sed -n 's/^ *set *project_name *"*\([A-Za-z0-9_]*\)"*.*/\1/p' project.tcl "$2" 2>/dev/null | head -n 1)
[ -n "$name" ] || name=myproject
prj=$(sed -n 's/^ *open_project *\(-reset *\)*\([^ ]*\).*/\2/p' "$2" | head -n 1 | sed "s/\${project_name}/$name/")
mkdir -p "$prj/solution1/syn/report"
cp "$FAKE_HLS_REPORTS"/*_csynth.xml "$FAKE_HLS_REPORTS"/*_csynth.rpt "$prj/solution1/syn/report/"
echo "fake vivado_hls: synthesised $name in $prj"
