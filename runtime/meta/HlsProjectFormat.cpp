// Text forms of the HlsProject model: JSON (for tools and `mmlc hls inspect --json`) and a
// human-readable table (for `mmlc hls inspect`).
#include <algorithm>
#include <iomanip>
#include <sstream>

#include "meta/HlsProject.h"

namespace mmlc::meta {
namespace {

std::string jsonString(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += c;
        }
    }
  }
  return o + "\"";
}

std::string jsonPos(const SourcePos& p) {
  return "{\"file\": " + jsonString(p.file) + ", \"line\": " + std::to_string(p.line) + ", \"column\": " + std::to_string(p.column) + "}";
}

}  // namespace

std::string HlsProject::toJson() const {
  std::ostringstream o;
  o << "{\n  \"dir\": " << jsonString(dir) << ",\n  \"top\": " << jsonString(topFunction) << ",\n  \"top_file\": " << jsonString(topFile);
  if (axiWrapper.present())
    o << ",\n  \"axi_wrapper\": {\"function\": " << jsonString(axiWrapper.function) << ", \"file\": " << jsonString(axiWrapper.file)
      << ", \"interface\": " << jsonString(axiWrapper.interface) << ", \"input\": " << jsonString(axiWrapper.inputValue.spelled)
      << ", \"output\": " << jsonString(axiWrapper.outputValue.spelled) << ", \"packets\": " << (axiWrapper.packets ? "true" : "false")
      << "}";
  o << ",\n  \"layers\": [";
  for (size_t k = 0; k < layers.size(); ++k) {
    const HlsLayer& l = layers[k];
    o << (k ? "," : "") << "\n    {\"name\": " << jsonString(l.name) << ", \"index\": " << l.index << ", \"kind\": " << jsonString(l.kind)
      << ", \"function\": " << jsonString(l.function) << ", \"unrolled\": " << (l.unrolledFunction ? "true" : "false")
      << ", \"config\": " << jsonString(l.configStruct) << ", \"call\": " << jsonPos(l.call);
    o << ",\n     \"n_in\": " << l.nIn << ", \"n_out\": " << l.nOut << ", \"reuse_factor\": " << l.reuseFactor
      << ", \"strategy\": " << jsonString(l.strategy) << ", \"n_zeros\": " << l.nZeros;
    o << ",\n     \"fields\": {";
    for (size_t i = 0; i < l.config.size(); ++i) {
      const auto& f = l.config[i];
      o << (i ? ", " : "") << jsonString(f.name) << ": ";
      if (f.isInteger) o << f.value;
      else o << jsonString(f.text);
    }
    o << "},\n     \"precisions\": {";
    bool first = true;
    for (const auto& [role, p] : l.precisions) {
      o << (first ? "" : ",") << "\n       " << jsonString(role) << ": {\"type\": " << jsonString(p.known ? p.type.toString() : "")
        << ", \"spelled\": " << jsonString(p.spelled) << ", \"typedefs\": [";
      for (size_t i = 0; i < p.typedefChain.size(); ++i) o << (i ? ", " : "") << jsonString(p.typedefChain[i]);
      o << "], \"pos\": " << jsonPos(p.pos) << "}";
      first = false;
    }
    o << "},\n     \"weights\": [";
    for (size_t i = 0; i < l.weightArrays.size(); ++i) o << (i ? ", " : "") << jsonString(l.weightArrays[i]);
    o << "]}";
  }
  o << "\n  ],\n  \"weights\": [";
  for (size_t k = 0; k < weights.size(); ++k) {
    const auto& w = weights[k];
    long zeros = 0;
    for (double v : w.values) zeros += v == 0.0;
    o << (k ? "," : "") << "\n    {\"name\": " << jsonString(w.name) << ", \"layer\": " << jsonString(w.layer) << ", \"role\": " << jsonString(w.role)
      << ", \"element_type\": " << jsonString(w.elementType) << ", \"size\": " << w.size << ", \"values_found\": " << w.values.size()
      << ", \"text_file\": " << jsonString(w.textFile) << ", \"zeros\": " << zeros << ", \"pos\": " << jsonPos(w.pos) << "}";
  }
  o << "\n  ],\n  \"pragmas\": [";
  for (size_t k = 0; k < pragmas.size(); ++k) {
    const auto& p = pragmas[k];
    o << (k ? "," : "") << "\n    {\"directive\": " << jsonString(p.directive) << ", \"text\": " << jsonString(p.text)
      << ", \"function\": " << jsonString(p.function) << ", \"loop\": " << jsonString(p.loop) << ", \"macro\": " << (p.macroForm ? "true" : "false")
      << ", \"pos\": " << jsonPos(p.pos) << "}";
  }
  o << "\n  ],\n  \"loops\": [";
  for (size_t k = 0; k < loops.size(); ++k)
    o << (k ? "," : "") << "\n    {\"function\": " << jsonString(loops[k].function) << ", \"id\": " << jsonString(loops[k].id)
      << ", \"pos\": " << jsonPos(loops[k].pos) << "}";
  o << "\n  ]\n}\n";
  return o.str();
}

std::string HlsProject::toTable() const {
  std::ostringstream o;
  o << "project " << dir << "\ntop " << topFunction << " (" << topPos.str() << ")\n";
  if (axiWrapper.present())
    o << "AXI wrapper " << axiWrapper.function << " (" << axiWrapper.pos.str() << "): "
      << (axiWrapper.interface.empty() ? "no interface pragma" : axiWrapper.interface) << ", in " << axiWrapper.inputValue.spelled
      << ", out " << axiWrapper.outputValue.spelled << (axiWrapper.packets ? " (packets)" : "") << "\n";
  o << "\n";
  auto prec = [](const HlsLayer& l, const char* role) -> std::string {
    auto it = l.precisions.find(role);
    if (it == l.precisions.end()) return "-";
    return it->second.known ? it->second.type.toString() : it->second.spelled;
  };
  auto num = [](long long v) { return v < 0 ? std::string("-") : std::to_string(v); };
  // Columns as wide as their longest entry (type spellings with modes are long).
  int wName = 8, wKind = 8, wPrec = 14;
  for (const auto& l : layers) {
    wName = std::max(wName, int(l.name.size()) + 2);
    wKind = std::max(wKind, int(l.kind.size()) + 3);
    for (const char* role : {"input", "weight", "bias", "accum"}) wPrec = std::max(wPrec, int(prec(l, role).size()) + 2);
  }
  o << std::left << std::setw(wName) << "layer" << std::setw(wKind) << "kind" << std::setw(7) << "n_in" << std::setw(7) << "n_out"
    << std::setw(5) << "RF" << std::setw(10) << "strategy" << std::setw(8) << "zeros" << std::setw(wPrec) << "input" << std::setw(wPrec)
    << "weight" << std::setw(wPrec) << "bias" << std::setw(wPrec) << "accum" << "result\n";
  for (const auto& l : layers) {
    o << std::setw(wName) << l.name << std::setw(wKind) << (l.kind + (l.unrolledFunction ? "*" : "")) << std::setw(7) << num(l.nIn)
      << std::setw(7) << num(l.nOut) << std::setw(5) << num(l.reuseFactor) << std::setw(10) << (l.strategy.empty() ? "-" : l.strategy)
      << std::setw(8) << num(l.nZeros) << std::setw(wPrec) << prec(l, "input") << std::setw(wPrec) << prec(l, "weight")
      << std::setw(wPrec) << prec(l, "bias") << std::setw(wPrec) << prec(l, "accum") << prec(l, "result") << "\n";
  }
  o << "(* = unrolled project function)\n\npragmas (" << pragmas.size() << ")\n";
  // Columns as wide as their longest entry, so long paths never run into the next column.
  size_t wPos = 8, wFn = 10, wLoop = 6;
  for (const auto& p : pragmas) {
    wPos = std::max(wPos, p.pos.str().size() + 2);
    wFn = std::max(wFn, p.function.size() + 2);
    wLoop = std::max(wLoop, p.loop.size() + 2);
  }
  o << "  " << std::setw(int(wPos)) << "at" << std::setw(int(wFn)) << "function" << std::setw(int(wLoop)) << "loop" << "pragma\n";
  for (const auto& p : pragmas) {
    o << "  " << std::setw(int(wPos)) << p.pos.str() << std::setw(int(wFn)) << (p.function.empty() ? "<file>" : p.function)
      << std::setw(int(wLoop)) << (p.loop.empty() ? "-" : p.loop) << p.text << "\n";
  }
  return o.str();
}

}  // namespace mmlc::meta
