// The FPGA device database as plain data, shared by the runtime (hls::knownDevices) and the
// compiler (part names checked at compile time), and the "did you mean" match of an unknown part.
// Header-only and dependency-free on purpose: the compiler includes it without the HLS library.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mml/Support/Suggest.h"  // header-only, dependency-free

namespace mmlc::hls {

struct DeviceRecord {
  const char* family;      // "zynq7", "zynquplus", "kintexu", "virtexuplus", "alveo"
  const char* partPrefix;  // matched against the start of a part name, e.g. "xcu250"
  long dsp, lut, ff, bram18, uram;
  int dspPortA, dspPortB;  // multiplier input widths (DSP48E1 25x18, DSP48E2 27x18)
  double speedFactor;      // delay scale vs UltraScale+ -2 (7-series is slower)
};

// Resources from the vendor data sheets (BRAM counted as 18 Kb halves).
inline constexpr DeviceRecord kDeviceTable[] = {
    {"zynq7", "xc7z020", 220, 53200, 106400, 280, 0, 25, 18, 1.5},
    {"zynquplus", "xczu7ev", 1728, 230400, 460800, 624, 96, 27, 18, 1.1},  // N-TORC's part (ZCU104)
    {"zynquplus", "xczu9eg", 2520, 274080, 548160, 1824, 0, 27, 18, 1.1},
    {"kintexu", "xcku115", 5520, 663360, 1326720, 4320, 0, 27, 18, 1.2},
    {"virtexuplus", "xcvu9p", 6840, 1182240, 2364480, 4320, 960, 27, 18, 1.0},
    {"alveo", "xcu250", 12288, 1728000, 3456000, 5376, 1280, 27, 18, 1.0},
    {"alveo", "xcu50", 5952, 872000, 1743000, 2688, 640, 27, 18, 1.0},
};

inline std::string lowerPartName(std::string_view part) {
  std::string p(part);
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return p;
}

// The record whose prefix starts `part` (case-insensitive; the longest prefix wins), or null.
inline const DeviceRecord* findDeviceRecord(std::string_view part) {
  const std::string p = lowerPartName(part);
  const DeviceRecord* best = nullptr;
  for (const DeviceRecord& d : kDeviceTable) {
    const std::string_view prefix(d.partPrefix);
    if (p.compare(0, prefix.size(), prefix) == 0 && (!best || prefix.size() > std::string_view(best->partPrefix).size()))
      best = &d;
  }
  return best;
}

// The known prefixes, comma-separated ("xc7z020, xczu7ev, ...").
inline std::string knownPartPrefixes() {
  std::string known;
  for (const DeviceRecord& d : kDeviceTable) known += (known.empty() ? "" : ", ") + std::string(d.partPrefix);
  return known;
}

// The known prefix closest to an unknown part, or "" when none is close: the part's device
// name (before the first '-') against each prefix, edit distance at most a third of the
// prefix (at least 1), so "xcu205" and "xc7z02" get a suggestion and "xc9zzz" does not.
inline std::string closestPartPrefix(std::string_view part) {
  std::string p = lowerPartName(part);
  p = p.substr(0, p.find('-'));

  std::string best;
  size_t bestDistance = 0;
  for (const DeviceRecord& d : kDeviceTable) {
    const std::string_view prefix(d.partPrefix);
    const size_t dist = mml::editDistance(p, prefix);
    const size_t limit = std::max<size_t>(1, prefix.size() / 3);
    if (dist <= limit && (best.empty() || dist < bestDistance)) {
      best = prefix;
      bestDistance = dist;
    }
  }
  return best;
}

// The message for an unknown part: "unknown FPGA part 'X' (did you mean xcu250?; known: ...)".
inline std::string unknownPartMessage(std::string_view part) {
  const std::string suggestion = closestPartPrefix(part);
  return "unknown FPGA part '" + std::string(part) + "' (" + (suggestion.empty() ? "" : "did you mean " + suggestion + "?; ") +
         "known: " + knownPartPrefixes() + ")";
}

}  // namespace mmlc::hls
