// Pragma rewrites: inserts, replaces and removes HLS pragmas in a function or loop body
// (PragmaRewriter).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>

#include "hls/FixedPointSim.h"
#include "hls/TemplateConversions.h"
#include "meta/RewriteContext.h"

namespace mmlc::meta::rewrite {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// PragmaRewriter: inserts, replaces and removes HLS pragmas in a function or loop body.
class PragmaRewriter {
 public:
  explicit PragmaRewriter(RewriteContext& c) : c_(c) {}

  void set(Request r) {
    HlsPragma want;
    parse(r.text, want);
    Scope sc = scope(r.target);
    std::vector<size_t> matches = matching(r.target, want);
    const std::string body = "HLS " + want.text;
    if (!matches.empty()) {
      for (size_t m = 0; m < matches.size(); ++m) {
        const HlsPragma& old = c_.p.model.pragmas[matches[m]];
        const auto& site = c_.p.pragmas[matches[m]];
        if (m == 0) c_.edits.replace(site.span, old.macroForm ? "MMLC_HLS_PRAGMA(" + body + ")" : "#pragma " + body);
        else c_.edits.remove(site.aloneOnLine ? site.lineSpan : site.span);
      }
      return;
    }
    const SourceManager& sm = c_.p.sm();
    llvm::StringRef buf = sm.getBufferData(sc.file);
    // Indent like the body's first statement, or two more than the line of the brace.
    std::string indent;
    unsigned after = sc.lbrace + 1;
    unsigned eol = after;
    while (eol < buf.size() && (buf[eol] == ' ' || buf[eol] == '\t' || buf[eol] == '\r')) ++eol;
    const bool braceEndsLine = eol >= buf.size() || buf[eol] == '\n';
    if (braceEndsLine && eol < buf.size()) {
      // The first non-blank line after the brace gives the indentation.
      unsigned q = eol + 1;
      while (true) {
        indent.clear();
        while (q < buf.size() && (buf[q] == ' ' || buf[q] == '\t')) indent += buf[q++];
        if (q < buf.size() && (buf[q] == '\n' || buf[q] == '\r')) {
          while (q < buf.size() && buf[q] != '\n') ++q;
          ++q;
          continue;
        }
        break;
      }
      if (q < buf.size() && buf[q] == '}') indent += "  ";
    } else {
      unsigned ls = sc.lbrace;
      while (ls > 0 && buf[ls - 1] != '\n') --ls;
      while (ls < sc.lbrace && (buf[ls] == ' ' || buf[ls] == '\t')) indent += buf[ls++];
      indent += "  ";
    }
    const bool macro = c_.p.macroPragmaFiles[sc.file.getHashValue()];
    std::string text = "\n" + indent + (macro ? "MMLC_HLS_PRAGMA(" + body + ")" : "#pragma " + body);
    if (!braceEndsLine) {
      // Code follows the brace on its line: it moves to its own line after the pragma.
      c_.edits.replace(Span{sc.file, after, eol}, text + "\n" + indent);
      return;
    }
    c_.edits.insert(sc.file, after, text);
  }

  void remove(Request r) {
    HlsPragma want;
    parse(r.text, want);
    scope(r.target);
    std::vector<size_t> matches = matching(r.target, want);
    if (matches.empty())
      throw HlsMetaError(scope(r.target).pos, "no '" + want.text + "' pragma in " + r.target.str());
    for (size_t m : matches) {
      const auto& site = c_.p.pragmas[m];
      c_.edits.remove(site.aloneOnLine ? site.lineSpan : site.span);
    }
  }

 private:
  struct Scope {
    FileID file;
    unsigned lbrace = 0;
    SourcePos pos;
    std::string function;
  };

  void parse(const std::string& text, HlsPragma& out) {
    std::string t = text;
    size_t b = t.find_first_not_of(" \t");
    if (b != std::string::npos && upper(t.substr(b, 4)) == "HLS ") t = t.substr(b + 4);
    // Reuse the reader's normalisation by building a fake pragma.
    std::string c;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '=') {
        while (!c.empty() && c.back() == ' ') c.pop_back();
        c += '=';
        while (i + 1 < t.size() && t[i + 1] == ' ') ++i;
      } else {
        c += t[i];
      }
    }
    std::vector<std::string> words;
    size_t i = 0;
    while (i < c.size()) {
      while (i < c.size() && c[i] == ' ') ++i;
      size_t e = c.find(' ', i);
      if (e == std::string::npos) e = c.size();
      if (e > i) words.push_back(c.substr(i, e - i));
      i = e;
    }
    if (words.empty()) throw HlsMetaError(SourcePos{}, "empty pragma");
    out.directive = upper(words[0]);
    out.text = out.directive;
    for (size_t w = 1; w < words.size(); ++w) {
      out.text += " " + words[w];
      size_t eq = words[w].find('=');
      out.options[eq == std::string::npos ? words[w] : words[w].substr(0, eq)] = eq == std::string::npos ? "" : words[w].substr(eq + 1);
    }
  }

  std::string resolveFunction(const std::string& name) {
    if (c_.p.functions.count(name)) return name;
    std::string found;
    for (const auto& [q, fd] : c_.p.functions)
      if (fd->getNameAsString() == name) {
        if (!found.empty())
          throw HlsMetaError(c_.p.model.topPos, "function name '" + name + "' is ambiguous (" + found + ", " + q + "); qualify it");
        found = q;
      }
    if (found.empty()) throw HlsMetaError(c_.p.model.topPos, "no function '" + name + "' defined in the project");
    return found;
  }

  Scope scope(PragmaTarget& t) {
    t.function = resolveFunction(t.function);
    const FunctionDecl* fd = c_.p.functions.at(t.function);
    const Stmt* body = fd->getBody();
    if (!t.loop.empty()) {
      body = nullptr;
      for (size_t i = 0; i < c_.p.model.loops.size(); ++i)
        if (c_.p.model.loops[i].function == t.function && c_.p.model.loops[i].id == t.loop) body = c_.p.loops[i].body;
      if (!body) {
        std::string ids;
        for (const auto& l : c_.p.model.loops)
          if (l.function == t.function) ids += (ids.empty() ? "" : ", ") + l.id;
        throw HlsMetaError(c_.p.pos(fd->getLocation()), "function " + t.function + " has no loop '" + t.loop + "' (loops: " +
                                                            (ids.empty() ? "none" : ids) + ")");
      }
    }
    const auto* cs = dyn_cast<CompoundStmt>(body);
    if (!cs) throw HlsMetaError(c_.p.pos(body->getBeginLoc()), "the body of " + t.str() + " is not a { } block; add braces first");
    Scope s;
    SourceLocation lb = cs->getLBracLoc();
    if (lb.isMacroID()) throw HlsMetaError(c_.p.pos(lb), "the body of " + t.str() + " comes from a macro");
    s.file = c_.p.sm().getFileID(lb);
    s.lbrace = c_.p.sm().getFileOffset(lb);
    s.pos = c_.p.pos(lb);
    return s;
  }

  std::vector<size_t> matching(const PragmaTarget& t, const HlsPragma& want) {
    static const std::set<std::string> byVariable = {"ARRAY_PARTITION", "ARRAY_RESHAPE", "INTERFACE", "STREAM", "BIND_STORAGE", "RESOURCE"};
    std::vector<size_t> out;
    for (size_t i = 0; i < c_.p.model.pragmas.size(); ++i) {
      const HlsPragma& p = c_.p.model.pragmas[i];
      if (p.function != t.function || p.loop != t.loop || p.directive != want.directive) continue;
      if (byVariable.count(want.directive)) {
        for (const char* key : {"variable", "port"}) {
          auto a = want.options.find(key);
          auto b = p.options.find(key);
          if (a != want.options.end() && (b == p.options.end() || a->second != b->second)) goto skip;
        }
      }
      out.push_back(i);
    skip:;
    }
    return out;
  }

  RewriteContext& c_;
};

}  // namespace

void setPragma(RewriteContext& c, const Request& r) { PragmaRewriter(c).set(r); }
void removePragma(RewriteContext& c, const Request& r) { PragmaRewriter(c).remove(r); }

}  // namespace mmlc::meta::rewrite
