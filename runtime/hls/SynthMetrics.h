// Synthesis metrics shared by the estimator, the vendor report parser and the synth step, and
// the FPGA device database (available resources, DSP input widths, speed).
#pragma once

#include <string>
#include <vector>

namespace mmlc::hls {

struct DeviceInfo {
  std::string family;      // "zynq7", "kintexu", "virtexuplus", "alveo"
  std::string partPrefix;  // matched against the start of a part name, e.g. "xcu250"
  long dsp = 0, lut = 0, ff = 0, bram18 = 0, uram = 0;
  int dspPortA = 27, dspPortB = 18;  // multiplier input widths (DSP48E1 25x18, DSP48E2 27x18)
  double speedFactor = 1.0;          // delay scale vs UltraScale+ -2 (7-series is slower)
};

// Known parts: the table of DeviceTable.h (xc7z020, xczu7ev, xczu9eg, xcku115, xcvu9p, xcu250,
// xcu50), matched by prefix. Throws std::invalid_argument naming the known parts (and the closest
// one, "did you mean") when `part` matches none.
const DeviceInfo& lookupDevice(const std::string& part);
const std::vector<DeviceInfo>& knownDevices();

struct SynthMetrics {
  std::string topName, part, tool;  // tool: "vivado_hls", "vitis_hls" or "estimator"
  bool estimated = true;            // false only when read from a vendor report
  double dsp = 0, lut = 0, ff = 0, bram18 = 0, uram = 0;
  long latencyMin = 0, latencyMax = 0;  // cycles
  long intervalMin = 0, intervalMax = 0;
  double targetClockNs = 0, estimatedClockNs = 0;
  long availDsp = 0, availLut = 0, availFf = 0, availBram18 = 0, availUram = 0;
  // Estimates only: the band [lo, hi] the real value fell in for 80% of the held-out designs
  // and configurations (10th/90th percentile of the validation residuals), and the calibration.
  double dspLo = 0, dspHi = 0, lutLo = 0, lutHi = 0, ffLo = 0, ffHi = 0, bram18Lo = 0, bram18Hi = 0;
  double latencyLo = 0, latencyHi = 0;
  std::string calibration;
  // Whether every resource is within the device (unknown capacities count as fitting).
  bool fits() const {
    return (availDsp <= 0 || dsp <= availDsp) && (availLut <= 0 || lut <= availLut) && (availFf <= 0 || ff <= availFf) &&
           (availBram18 <= 0 || bram18 <= availBram18);
  }
};

}  // namespace mmlc::hls
