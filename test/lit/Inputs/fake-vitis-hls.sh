#!/bin/sh
# A stand-in for vitis_hls in tests: run as `vitis_hls -f build_prj.tcl ...` in a project, it fails
# unless every pattern of $FAKE_HLS_EXPECT (separated by '|') is in firmware/*.cpp, then writes a
# csynth.xml (DSP 42, LUT 1234, FF 567, latency 9, II 3) where build_prj.tcl's project and top say.
set -e
[ "$1" = "-f" ] && [ -f "$2" ] || { echo "usage: vitis_hls -f build_prj.tcl" >&2; exit 2; }
prj=$(sed -n 's/^ *open_project *\(-reset *\)*\([^ ]*\).*/\2/p' "$2" | head -n 1)
top=$(sed -n 's/^ *set_top *\([^ ]*\).*/\1/p' "$2" | head -n 1)
old_ifs=$IFS
IFS='|'
for pattern in $FAKE_HLS_EXPECT; do
  grep -q -- "$pattern" firmware/*.cpp || { echo "fake vitis_hls: '$pattern' is not in firmware/*.cpp" >&2; exit 1; }
done
IFS=$old_ifs
mkdir -p "$prj/solution1/syn/report"
cat > "$prj/solution1/syn/report/${top}_csynth.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<profile>
  <ReportVersion><Version>2023.1</Version></ReportVersion>
  <UserAssignments><Part>xcu250-figd2104-2L-e</Part><TopModelName>$top</TopModelName><TargetClockPeriod>5.00</TargetClockPeriod></UserAssignments>
  <PerformanceEstimates>
    <SummaryOfTimingAnalysis><EstimatedClockPeriod>4.20</EstimatedClockPeriod></SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency><Best-caseLatency>9</Best-caseLatency><Worst-caseLatency>9</Worst-caseLatency><Interval-min>3</Interval-min><Interval-max>3</Interval-max></SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates><Resources><BRAM_18K>0</BRAM_18K><DSP>42</DSP><FF>567</FF><LUT>1234</LUT><URAM>0</URAM></Resources></AreaEstimates>
</profile>
XML
echo "fake vitis_hls: synthesised $top in $prj"
