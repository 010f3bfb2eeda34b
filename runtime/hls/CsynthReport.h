// Readers of Vivado HLS / Vitis HLS C-synthesis reports (csynth.xml and the *_csynth.rpt text)
// into SynthMetrics, plus the small XML reader they use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hls/SynthMetrics.h"

namespace mmlc::hls {

// Minimal XML element tree: enough for csynth.xml (elements, text, attributes skipped,
// comments/declarations ignored, the five predefined entities decoded).
struct XmlElement {
  std::string name;
  std::string text;
  std::vector<std::unique_ptr<XmlElement>> children;
  const XmlElement* child(const std::string& n) const;
  // Path of child names separated by '/', e.g. "AreaEstimates/Resources/LUT".
  const XmlElement* find(const std::string& path) const;
};

// Throws std::runtime_error "<source>:<line>: ..." on malformed input.
std::unique_ptr<XmlElement> parseXml(const std::string& text, const std::string& source = "<xml>");

class CsynthReport {
 public:
  // csynth.xml of either tool (DSP48E or DSP tags, Vivado or Vitis latency fields).
  static SynthMetrics parseXml(const std::string& text, const std::string& source = "<csynth.xml>");
  // <top>_csynth.rpt text report.
  static SynthMetrics parseRpt(const std::string& text, const std::string& source = "<csynth.rpt>");
  // By extension (.xml or .rpt).
  static SynthMetrics parseFile(const std::string& path);
};

}  // namespace mmlc::hls
