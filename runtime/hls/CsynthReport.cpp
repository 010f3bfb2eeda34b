// Parsing of C-synthesis reports: a small XML reader and a table reader for the .rpt text.
#include "hls/CsynthReport.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace mmlc::hls {

const XmlElement* XmlElement::child(const std::string& n) const {
  for (const auto& c : children)
    if (c->name == n) return c.get();
  return nullptr;
}

const XmlElement* XmlElement::find(const std::string& path) const {
  const XmlElement* cur = this;
  size_t start = 0;
  while (cur && start <= path.size()) {
    const size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    cur = cur->child(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return cur;
}

namespace {

std::string decodeEntities(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const size_t semi = s.find(';', i);
    const std::string ent = semi == std::string::npos ? "" : s.substr(i + 1, semi - i - 1);
    if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "amp") out += '&';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

}  // namespace

std::unique_ptr<XmlElement> parseXml(const std::string& text, const std::string& source) {
  auto root = std::make_unique<XmlElement>();
  root->name = "#document";
  std::vector<XmlElement*> stack{root.get()};
  size_t i = 0;
  auto lineAt = [&](size_t pos) { return 1 + std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'); };
  auto fail = [&](size_t pos, const std::string& msg) {
    throw std::runtime_error(source + ":" + std::to_string(lineAt(pos)) + ": " + msg);
  };
  while (i < text.size()) {
    if (text[i] != '<') {
      const size_t lt = text.find('<', i);
      const std::string chunk = text.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
      stack.back()->text += decodeEntities(chunk);
      if (lt == std::string::npos) break;
      i = lt;
      continue;
    }
    if (text.compare(i, 4, "<!--") == 0) {
      const size_t end = text.find("-->", i);
      if (end == std::string::npos) fail(i, "unterminated comment");
      i = end + 3;
      continue;
    }
    if (text.compare(i, 2, "<?") == 0 || text.compare(i, 2, "<!") == 0) {
      const size_t end = text.find('>', i);
      if (end == std::string::npos) fail(i, "unterminated declaration");
      i = end + 1;
      continue;
    }
    const size_t gt = text.find('>', i);
    if (gt == std::string::npos) fail(i, "unterminated tag");
    std::string tag = text.substr(i + 1, gt - i - 1);
    if (!tag.empty() && tag[0] == '/') {
      const std::string name = trim(tag.substr(1));
      if (stack.size() < 2 || stack.back()->name != name)
        fail(i, "closing tag </" + name + "> does not match <" + (stack.size() > 1 ? stack.back()->name : std::string("none")) + ">");
      stack.back()->text = trim(stack.back()->text);
      stack.pop_back();
    } else {
      const bool selfClosing = !tag.empty() && tag.back() == '/';
      if (selfClosing) tag.pop_back();
      const size_t sp = tag.find_first_of(" \t\r\n");
      auto el = std::make_unique<XmlElement>();
      el->name = trim(tag.substr(0, sp));
      if (el->name.empty()) fail(i, "empty tag name");
      XmlElement* raw = el.get();
      stack.back()->children.push_back(std::move(el));
      if (!selfClosing) stack.push_back(raw);
    }
    i = gt + 1;
  }
  if (stack.size() != 1) fail(text.size(), "unclosed element <" + stack.back()->name + ">");
  return root;
}

namespace {

double numberAt(const XmlElement* root, const std::string& path, const std::string& source, bool required) {
  const XmlElement* e = root->find(path);
  if (!e) {
    if (required) throw std::runtime_error(source + ": missing <" + path + ">");
    return 0;
  }
  try {
    return std::stod(e->text);
  } catch (const std::exception&) {
    if (required) throw std::runtime_error(source + ": <" + path + "> is not a number: '" + e->text + "'");
    return 0;
  }
}

// First of several alternative paths that exists.
double numberAtAny(const XmlElement* root, std::initializer_list<const char*> paths, const std::string& source, bool required) {
  for (const char* p : paths)
    if (root->find(p)) return numberAt(root, p, source, true);
  if (required) throw std::runtime_error(source + ": missing <" + std::string(*paths.begin()) + ">");
  return 0;
}

}  // namespace

SynthMetrics CsynthReport::parseXml(const std::string& text, const std::string& source) {
  const auto doc = mmlc::hls::parseXml(text, source);
  const XmlElement* prof = doc->child("profile");
  if (!prof) throw std::runtime_error(source + ": not a csynth report (no <profile> root)");
  SynthMetrics m;
  m.estimated = false;
  const std::string version = prof->find("ReportVersion/Version") ? prof->find("ReportVersion/Version")->text : "";
  // Vitis HLS reports versions 2020.1 and later; Vivado HLS ends at 2020.1 as well, so the DSP tag decides.
  m.tool = prof->find("AreaEstimates/Resources/DSP") ? "vitis_hls" : "vivado_hls";
  if (const XmlElement* e = prof->find("UserAssignments/TopModelName")) m.topName = e->text;
  if (const XmlElement* e = prof->find("UserAssignments/Part")) m.part = e->text;
  m.targetClockNs = numberAt(prof, "UserAssignments/TargetClockPeriod", source, false);
  m.estimatedClockNs = numberAt(prof, "PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod", source, false);
  // Data-dependent designs report "undef" latency: kept as -1 rather than rejected.
  const auto latency = [&](const char* path) -> long {
    const XmlElement* e = prof->find(std::string("PerformanceEstimates/SummaryOfOverallLatency/") + path);
    if (!e) throw std::runtime_error(source + ": missing <PerformanceEstimates/SummaryOfOverallLatency/" + path + ">");
    if (e->text == "undef") return -1;
    return static_cast<long>(numberAt(prof, std::string("PerformanceEstimates/SummaryOfOverallLatency/") + path, source, true));
  };
  m.latencyMin = latency("Best-caseLatency");
  m.latencyMax = latency("Worst-caseLatency");
  m.intervalMin = static_cast<long>(numberAtAny(prof, {"PerformanceEstimates/SummaryOfOverallLatency/Interval-min",
                                                       "PerformanceEstimates/SummaryOfOverallLatency/PipelineInitiationInterval"},
                                                source, false));
  m.intervalMax = static_cast<long>(numberAtAny(prof, {"PerformanceEstimates/SummaryOfOverallLatency/Interval-max",
                                                       "PerformanceEstimates/SummaryOfOverallLatency/PipelineInitiationInterval"},
                                                source, false));
  m.dsp = numberAtAny(prof, {"AreaEstimates/Resources/DSP48E", "AreaEstimates/Resources/DSP"}, source, true);
  m.lut = numberAt(prof, "AreaEstimates/Resources/LUT", source, true);
  m.ff = numberAt(prof, "AreaEstimates/Resources/FF", source, true);
  m.bram18 = numberAt(prof, "AreaEstimates/Resources/BRAM_18K", source, false);
  m.uram = numberAt(prof, "AreaEstimates/Resources/URAM", source, false);
  m.availDsp = static_cast<long>(numberAtAny(prof, {"AreaEstimates/AvailableResources/DSP48E", "AreaEstimates/AvailableResources/DSP"}, source, false));
  m.availLut = static_cast<long>(numberAt(prof, "AreaEstimates/AvailableResources/LUT", source, false));
  m.availFf = static_cast<long>(numberAt(prof, "AreaEstimates/AvailableResources/FF", source, false));
  m.availBram18 = static_cast<long>(numberAt(prof, "AreaEstimates/AvailableResources/BRAM_18K", source, false));
  m.availUram = static_cast<long>(numberAt(prof, "AreaEstimates/AvailableResources/URAM", source, false));
  return m;
}

namespace {

std::vector<std::string> tableCells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cur;
  bool started = false;
  for (char c : line) {
    if (c == '|') {
      if (started) cells.push_back(trim(cur));
      cur.clear();
      started = true;
    } else {
      cur += c;
    }
  }
  return cells;
}

double cellNumber(const std::string& s) {
  if (s.empty() || s == "-") return 0;
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

SynthMetrics CsynthReport::parseRpt(const std::string& text, const std::string& source) {
  SynthMetrics m;
  m.estimated = false;
  m.tool = text.find("Vitis HLS") != std::string::npos ? "vitis_hls" : "vivado_hls";
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  const std::regex reportFor("Report for '([^']+)'"), device("Target device:\\s*(\\S+)");
  const std::regex latencyRow("^\\s*\\|\\s*([0-9]+)\\|\\s*([0-9]+)\\|[^|]*\\|[^|]*\\|\\s*([0-9]+)\\|\\s*([0-9]+)\\|");
  const std::regex clockRow("^\\s*\\|ap_clk\\s*\\|\\s*([0-9.]+)\\s*ns\\s*\\|\\s*([0-9.]+)\\s*ns");
  bool haveLatency = false, haveUtil = false;
  std::vector<std::string> utilHeader;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch sm;
    const std::string& l = lines[i];
    if (m.topName.empty() && std::regex_search(l, sm, reportFor)) m.topName = sm[1];
    if (m.part.empty() && std::regex_search(l, sm, device)) m.part = sm[1];
    if (m.targetClockNs == 0 && std::regex_search(l, sm, clockRow)) {
      m.targetClockNs = std::stod(sm[1]);
      m.estimatedClockNs = std::stod(sm[2]);
    }
    if (!haveLatency && std::regex_search(l, sm, latencyRow)) {
      m.latencyMin = std::stol(sm[1]);
      m.latencyMax = std::stol(sm[2]);
      m.intervalMin = std::stol(sm[3]);
      m.intervalMax = std::stol(sm[4]);
      haveLatency = true;
    }
    const auto cells = tableCells(l);
    if (!haveUtil && cells.size() >= 5 && cells[0] == "Name" && l.find("BRAM_18K") != std::string::npos) utilHeader = cells;
    if (!haveUtil && !utilHeader.empty() && cells.size() == utilHeader.size()) {
      if (cells[0] == "Total") {
        for (size_t c = 1; c < cells.size(); ++c) {
          const std::string& h = utilHeader[c];
          const double v = cellNumber(cells[c]);
          if (h == "BRAM_18K") m.bram18 = v;
          else if (h == "DSP48E" || h == "DSP") m.dsp = v;
          else if (h == "FF") m.ff = v;
          else if (h == "LUT") m.lut = v;
          else if (h == "URAM") m.uram = v;
        }
      } else if (cells[0] == "Available") {
        for (size_t c = 1; c < cells.size(); ++c) {
          const std::string& h = utilHeader[c];
          const long v = static_cast<long>(cellNumber(cells[c]));
          if (h == "BRAM_18K") m.availBram18 = v;
          else if (h == "DSP48E" || h == "DSP") m.availDsp = v;
          else if (h == "FF") m.availFf = v;
          else if (h == "LUT") m.availLut = v;
          else if (h == "URAM") m.availUram = v;
        }
        haveUtil = true;
      }
    }
  }
  if (!haveLatency) throw std::runtime_error(source + ": no latency summary table found");
  if (utilHeader.empty()) throw std::runtime_error(source + ": no utilisation summary table found");
  return m;
}

SynthMetrics CsynthReport::parseFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open report '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".xml") == 0) return parseXml(ss.str(), path);
  return parseRpt(ss.str(), path);
}

}  // namespace mmlc::hls
