// Hover: a task's/flow's signature, doc and parameters (defaults, domains), a value's type and
// level, a metric's meaning (the compiler's metric table), a unit literal's value.
#include "Features.h"

#include "mml/Support/MetricTable.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <cstdio>

using namespace mml;
using namespace mml::lsp;

std::string mml::lsp::describeType(llvm::StringRef type) {
  if (type == "dnn")
    return "a DNN-level model: a float network (train, prune, scale operate on it)";
  if (type == "hls")
    return "an HLS-level design: an hls4ml C++ project with fixed-point precisions and reuse factors";
  if (type == "rtl")
    return "an RTL-level design: a synthesised HLS project with its vendor reports";
  if (type == "data")
    return "a data set: training, validation and test splits";
  if (type == "device")
    return "an FPGA part with its target clock";
  if (type == "metrics")
    return "a metrics record: what the task that made it measured";
  return "";
}

namespace {

const char *sourceText(MetricSource s) {
  switch (s) {
  case MetricSource::Structure: return "counted from the model itself";
  case MetricSource::Data: return "measured on the test split";
  case MetricSource::Simulator: return "the bit-exact fixed-point simulator";
  case MetricSource::CSim: return "C simulation of the HLS project (compiles it with g++)";
  case MetricSource::Estimate: return "the estimator, or the vendor report after `synth`";
  case MetricSource::Device: return "the device database";
  case MetricSource::DataSet: return "the data set's shape";
  case MetricSource::Record: return "recorded by the task that made the record";
  }
  return "";
}

std::string fileLabel(const std::string &file) {
  // stdlib files read as `std/tasks.mml`, others by name.
  llvm::StringRef f(file);
  size_t std = f.rfind("/std/");
  if (std != llvm::StringRef::npos)
    return f.substr(std + 1).str();
  return llvm::sys::path::filename(f).str();
}

std::string callableHover(const Symbol &s) {
  std::string md = "```mml\n" + std::string(s.kindName()) + " " + s.signature() + "\n```\n";
  if (!s.doc.empty())
    md += "\n" + s.doc + "\n";
  if (!s.strategy.empty())
    md += "\nSearch strategy: `" + s.strategy + "`\n";
  if (!s.command.empty())
    md += "\nCommand: `" + s.command + "`\n";
  if (!s.params.empty()) {
    md += "\n**Parameters**\n";
    for (const Symbol *p : s.params) {
      md += "- `" + p->name + ": " + p->type + (p->optional ? "?" : "") + "`";
      if (!p->defaultText.empty())
        md += " = `" + p->defaultText + "`";
      else if (!p->optional)
        md += " (required)";
      if (!p->domainText.empty())
        md += " in `" + p->domainText + "`";
      if (!p->doc.empty())
        md += " — " + p->doc;
      md += "\n";
    }
  }
  md += "\nDeclared in `" + fileLabel(s.file) + "`";
  return md;
}

std::string valueHover(const Symbol &s) {
  std::string md = "```mml\n";
  if (s.kind == SymbolKind::Param && s.parent)
    md += "(parameter of " + s.parent->name + ") " + s.paramLabel();
  else if (s.kind == SymbolKind::SearchParam)
    md += "param " + s.name + ": " + s.type + " in " + s.domainText;
  else if (s.kind == SymbolKind::Global)
    md += s.type + " " + s.name + " = " + s.initText;
  else
    md += "(" + std::string(s.kindName()) + ") " + s.name + ": " + (s.type.empty() ? "unknown type" : s.type);
  md += "\n```\n";
  if (!s.doc.empty())
    md += "\n" + s.doc + "\n";
  std::string level = describeType(s.type);
  if (!level.empty())
    md += "\n`" + s.type + "`: " + level + "\n";
  if (s.kind == SymbolKind::Variable && !s.initText.empty())
    md += "\nFirst assigned: `" + s.initText + "`\n";
  return md;
}

std::string metricHover(const Occurrence &o) {
  std::string md;
  auto one = [&](const MetricLevel &level, const MetricInfo &m) {
    md += "**" + std::string(m.name) + "** (`" + std::string(level.level) + "` metric): " +
          std::string(m.meaning) + "\n\nFrom: " + sourceText(m.source) + "\n";
  };
  if (const MetricLevel *level = metricLevel(o.receiverType)) {
    if (const MetricInfo *m = level->find(o.text))
      one(*level, *m);
    else
      md = "`" + o.text + "` is not a metric of `" + o.receiverType + "` values" +
           (level->open() ? " the built-in tasks record (extern tasks may record it)" : "");
    return md;
  }
  for (const MetricLevel *l = metricLevelsBegin(); l != metricLevelsEnd(); ++l)
    if (const MetricInfo *m = l->find(o.text)) {
      if (!md.empty())
        md += "\n";
      one(*l, *m);
    }
  return md;
}

/// `200MHz` → "5 ns (the period of 200 MHz)".
std::string quantityHover(llvm::StringRef text) {
  size_t split = text.find_if([](char c) { return llvm::isAlpha(c) || c == '%'; });
  llvm::StringRef number = text.take_front(split), unit = text.drop_front(split);
  double x = 0;
  if (number.getAsDouble(x))
    return "";
  auto fmt = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return std::string(buf);
  };
  std::string md = "```mml\n" + text.str() + "\n```\n";
  double ns;
  if (unit == "ns" || unit == "us" || unit == "ms" || unit == "s") {
    ns = x * (unit == "ns" ? 1 : unit == "us" ? 1e3 : unit == "ms" ? 1e6 : 1e9);
    return md + "= " + fmt(ns) + " ns (times are floats in ns)";
  }
  if (unit == "kHz" || unit == "MHz" || unit == "GHz") {
    if (x == 0)
      return md + "a frequency of 0 has no period";
    ns = (unit == "kHz" ? 1e6 : unit == "MHz" ? 1e3 : 1) / x;
    return md + "= " + fmt(ns) + " ns (a frequency means its period, in ns)";
  }
  if (unit == "%")
    return md + "= " + fmt(x / 100) + " (a percentage is a fraction)";
  return md + "unknown unit `" + unit.str() + "` (units: ns, us, ms, s, kHz, MHz, GHz, %)";
}

} // namespace

std::optional<mlir::lsp::Hover> mml::lsp::hover(const FileIndex &index, Position pos) {
  if (const Occurrence *o = index.occurrenceAt(pos)) {
    mlir::lsp::Hover h(o->range);
    if (o->kind == Occurrence::Metric)
      h.contents.value = metricHover(*o);
    else if (o->symbol->isCallable())
      h.contents.value = callableHover(*o->symbol);
    else if (o->symbol->kind != SymbolKind::Main)
      h.contents.value = valueHover(*o->symbol);
    if (!h.contents.value.empty())
      return h;
  }
  int i = index.tokenBefore(pos);
  if (i < 0)
    return std::nullopt;
  const Token &t = index.tokens[i];
  if (!(t.line == pos.line && t.col <= pos.character && pos.character <= t.endCol))
    return std::nullopt;
  mlir::lsp::Hover h(t.range());
  if (t.kind == Token::Quantity) {
    h.contents.value = quantityHover(t.text);
  } else if (t.kind == Token::String) {
    for (const ImportInfo &imp : index.imports)
      if (imp.range == t.range())
        h.contents.value = imp.resolved.empty() ? "`" + imp.spec + "` is not found (searched the file's folder, -I folders and the stdlib)"
                                                : "Imports `" + imp.resolved + "`";
  } else if (t.kind == Token::Keyword) {
    std::string level = describeType(t.text);
    if (!level.empty())
      h.contents.value = "`" + t.text + "`: " + level;
  }
  if (h.contents.value.empty())
    return std::nullopt;
  return h;
}
