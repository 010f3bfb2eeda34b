// Completion: tasks, flows, searches, variables and globals; a call's named arguments (with
// defaults and domains); metrics after `.` for the receiver's level; cfg keys; device part
// names from the device database; import paths; a set domain's values inside a string.
#include "CursorContext.h"
#include "Features.h"

#include "DeviceTable.h" // runtime/hls: the device database, header-only
#include "mml/Support/MetricTable.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <set>

using namespace mml;
using namespace mml::lsp;
using mlir::lsp::CompletionItem;
using mlir::lsp::CompletionItemKind;
using mlir::lsp::CompletionList;

namespace {

class Items {
public:
  Items(const CursorContext &ctx) : ctx(ctx) {}

  CompletionItem *add(const std::string &label, CompletionItemKind kind, const std::string &detail,
                      const std::string &doc = "", const std::string &sort = "5") {
    if (!llvm::StringRef(label).starts_with(ctx.prefix) || !seen.insert(label).second)
      return nullptr;
    CompletionItem item(label, kind, sort + label);
    item.detail = detail;
    if (!doc.empty())
      item.documentation = mlir::lsp::MarkupContent{mlir::lsp::MarkupKind::Markdown, doc};
    item.textEdit = mlir::lsp::TextEdit{ctx.replace, label};
    list.items.push_back(std::move(item));
    return &list.items.back();
  }

  CompletionList list;

private:
  const CursorContext &ctx;
  std::set<std::string> seen;
};

void callables(Items &items, const FileIndex &index) {
  for (const Symbol *s : index.visible()) {
    if (s->isCallable())
      items.add(s->name, CompletionItemKind::Function, s->kindName() + std::string(" ") + s->signature(),
                s->doc);
    else if (s->kind == SymbolKind::Global)
      items.add(s->name, CompletionItemKind::Constant, s->type + " (global)", describeType(s->type), "3");
  }
}

std::string paramDoc(const Symbol &p) {
  std::string doc = p.doc;
  if (!p.defaultText.empty())
    doc += (doc.empty() ? "" : "\n\n") + std::string("Default: `") + p.defaultText + "`";
  if (!p.domainText.empty())
    doc += (doc.empty() ? "" : "\n\n") + std::string("Domain: `") + p.domainText + "`";
  return doc;
}

void namedArguments(Items &items, const CallSite &call) {
  if (!call.callee)
    return;
  for (size_t i = 0; i < call.callee->params.size(); ++i) {
    const Symbol *p = call.callee->params[i];
    if (static_cast<int>(i) < call.positionalBefore ||
        std::find(call.named.begin(), call.named.end(), p->name) != call.named.end())
      continue;
    if (CompletionItem *item = items.add(p->name, CompletionItemKind::Property, p->paramLabel(),
                                         paramDoc(*p), "0")) {
      item->textEdit->newText = p->name + ": ";
      item->insertText = p->name + ": ";
    }
  }
}

/// The values of a set domain `{"a", "b"}` (top-level commas), as written.
std::vector<std::string> domainValues(llvm::StringRef domain) {
  std::vector<std::string> out;
  domain = domain.trim();
  if (!domain.consume_front("{") || !domain.consume_back("}"))
    return out;
  int depth = 0;
  bool inString = false;
  size_t start = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    char c = i < domain.size() ? domain[i] : ',';
    if (c == '"' && (i == 0 || domain[i - 1] != '\\'))
      inString = !inString;
    if (inString)
      continue;
    if (c == '(' || c == '[' || c == '<')
      ++depth;
    else if (c == ')' || c == ']' || c == '>')
      --depth;
    else if (c == ',' && depth == 0) {
      llvm::StringRef v = domain.slice(start, i).trim();
      if (!v.empty())
        out.push_back(v.str());
      start = i + 1;
    }
  }
  return out;
}

const Symbol *currentParam(const CallSite &call) {
  if (!call.callee)
    return nullptr;
  if (!call.currentName.empty()) {
    for (const Symbol *p : call.callee->params)
      if (p->name == call.currentName)
        return p;
    return nullptr;
  }
  if (call.named.empty() && call.positionalBefore < static_cast<int>(call.callee->params.size()))
    return call.callee->params[call.positionalBefore];
  return nullptr;
}

void importPaths(Items &items, const FileIndex &index, const FrontEndOptions &options) {
  for (const std::string &dir : importSearchDirs(index.path, options)) {
    std::string root = dir.empty() ? "." : dir;
    std::error_code ec;
    int budget = 2000; // a huge folder must not stall the editor
    for (llvm::sys::fs::recursive_directory_iterator it(root, ec), end; it != end && !ec && budget-- > 0;
         it.increment(ec)) {
      if (it.level() > 3) {
        it.no_push();
        continue;
      }
      llvm::StringRef path = it->path();
      if (!path.ends_with(".mml") || path == index.path)
        continue;
      llvm::SmallString<128> rel(path.drop_front(root.size()).ltrim('/'));
      llvm::sys::path::native(rel, llvm::sys::path::Style::posix);
      items.add(rel.str().str(), CompletionItemKind::File, path.str());
    }
  }
}

void partNames(Items &items) {
  for (const mmlc::hls::DeviceRecord &d : mmlc::hls::kDeviceTable)
    items.add(d.partPrefix, CompletionItemKind::Value,
              std::string(d.family) + ": " + std::to_string(d.dsp) + " DSP, " + std::to_string(d.lut) +
                  " LUT, " + std::to_string(d.ff) + " FF, " + std::to_string(d.bram18) + " BRAM18",
              "Any part whose name starts with `" + std::string(d.partPrefix) +
                  "` has these resources (the device database of the estimator).");
}

void cfgKeys(Items &items, const FileIndex &index, const std::vector<std::string> &parts) {
  if (!parts.empty() && parts.front() == "slurm") {
    for (const char *o : {"partition", "time", "mem", "cpus", "arg"})
      items.add(o, CompletionItemKind::Property, "Slurm option (docs/runtime.md)");
    if (parts.size() == 1)
      for (const Symbol *s : index.visible())
        if (s->kind == SymbolKind::Task)
          items.add(s->name, CompletionItemKind::Function, "Slurm options of the jobs that call " + s->name);
    return;
  }
  const Symbol *last = parts.empty() ? nullptr : index.lookup(parts.back());
  if (last && last->isCallable())
    for (const Symbol *p : last->params)
      if (p->type != "dnn" && p->type != "hls" && p->type != "rtl" && p->type != "data" &&
          p->type != "device") // model, data and device inputs cannot be configured
        items.add(p->name, CompletionItemKind::Property, p->paramLabel(), paramDoc(*p), "0");
  for (const Symbol *s : index.visible())
    if (s->isCallable())
      items.add(s->name, CompletionItemKind::Function, s->kindName() + std::string(" ") + s->signature(),
                s->doc, "5");
  if (parts.empty())
    items.add("slurm", CompletionItemKind::Module, "Slurm executor site options (slurm.OPTION, slurm.TASK.OPTION)");
}

} // namespace

CompletionList mml::lsp::complete(const FileIndex &index, Position pos, const FrontEndOptions &options) {
  CursorContext ctx = analyzeCursor(index, pos);
  Items items(ctx);
  switch (ctx.kind) {
  case CursorContext::Comment:
    break;
  case CursorContext::ImportPath:
    importPaths(items, index, options);
    break;
  case CursorContext::PartName:
    partNames(items);
    break;
  case CursorContext::String:
    if (ctx.call)
      if (const Symbol *p = currentParam(*ctx.call))
        for (const std::string &v : domainValues(p->domainText))
          if (v.size() >= 2 && v.front() == '"')
            items.add(unquote(v), CompletionItemKind::EnumMember, "in " + p->domainText);
    break;
  case CursorContext::CfgKey:
    cfgKeys(items, index, ctx.cfgParts);
    break;
  case CursorContext::Metric: {
    auto addLevel = [&](const MetricLevel &l) {
      for (const MetricInfo &m : l)
        items.add(std::string(m.name), CompletionItemKind::Field,
                  std::string(l.level) + " metric: " + std::string(m.meaning));
    };
    if (const MetricLevel *l = metricLevel(ctx.receiverType))
      addLevel(*l);
    else if (ctx.receiverType.empty())
      for (const MetricLevel *l = metricLevelsBegin(); l != metricLevelsEnd(); ++l)
        addLevel(*l);
    break;
  }
  case CursorContext::TypeName:
    for (const char *t : {"dnn", "hls", "rtl", "data", "device", "metrics", "int", "float", "bool",
                          "string", "fixed"})
      items.add(t, CompletionItemKind::TypeParameter, describeType(t));
    break;
  case CursorContext::Expression:
    if (ctx.call && ctx.call->atArgStart)
      namedArguments(items, *ctx.call);
    if (ctx.call)
      if (const Symbol *p = currentParam(*ctx.call))
        for (const std::string &v : domainValues(p->domainText))
          if (v.empty() || v.front() != '"')
            items.add(v, CompletionItemKind::EnumMember, "in " + p->domainText, "", "1");
    for (const Symbol *s : index.localsOf(ctx.body, &pos))
      items.add(s->name, CompletionItemKind::Variable, s->type.empty() ? s->kindName() : s->type,
                describeType(s->type), "2");
    callables(items, index);
    break;
  }
  return items.list;
}
