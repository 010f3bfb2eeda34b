// Top renaming: the top function's declarations, references, the testbench's calls and set_top
// (TopRenamer).
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
// TopRenamer: the top function's declarations, references, the testbench's calls and set_top.
class TopRenamer {
 public:
  explicit TopRenamer(RewriteContext& c) : c_(c) {}

  void run(const std::string& newName) {
    ParsedHlsProject& p = c_.p;
    if (!isIdentifier(newName)) throw HlsMetaError(p.model.topPos, "'" + newName + "' is not a C identifier");
    if (p.functions.count(newName)) throw HlsMetaError(p.model.topPos, "a function named '" + newName + "' already exists");
    const std::string old = p.top->getNameAsString();
    for (const FunctionDecl* d : p.top->redecls()) {
      SourceLocation loc = d->getLocation();
      if (loc.isMacroID()) throw HlsMetaError(p.pos(loc), "the top function's name comes from a macro");
      c_.edits.replace(Span{p.sm().getFileID(loc), p.sm().getFileOffset(loc), p.sm().getFileOffset(loc) + unsigned(old.size())}, newName);
    }
    // References inside the translation unit (rare: the top is usually only called by the testbench).
    struct Refs : RecursiveASTVisitor<Refs> {
      const FunctionDecl* top;
      std::vector<SourceLocation> locs;
      bool VisitDeclRefExpr(DeclRefExpr* e) {
        if (e->getDecl()->getCanonicalDecl() == top->getCanonicalDecl()) locs.push_back(e->getLocation());
        return true;
      }
    } refs;
    refs.top = p.top;
    refs.TraverseDecl(p.ctx().getTranslationUnitDecl());
    for (SourceLocation loc : refs.locs) {
      if (loc.isMacroID()) continue;
      const std::string f = p.relPath(p.sm().getFileID(loc));
      if (f.rfind("firmware/", 0) != 0) continue;
      c_.edits.replace(Span{p.sm().getFileID(loc), p.sm().getFileOffset(loc), p.sm().getFileOffset(loc) + unsigned(old.size())}, newName);
    }
    // The testbench (not part of the firmware translation unit): identifiers equal to the old name.
    for (const auto& e : fs::directory_iterator(p.dir)) {
      const std::string name = e.path().filename().string();
      if (!e.is_regular_file() || e.path().extension() != ".cpp") continue;
      FileID fid = p.loadExtraFile(name);
      if (fid.isInvalid()) continue;
      llvm::StringRef buf = p.sm().getBufferData(fid);
      Lexer lex(p.sm().getLocForStartOfFile(fid), p.ast->getLangOpts(), buf.begin(), buf.begin(), buf.end());
      Token tok;
      while (true) {
        lex.LexFromRawLexer(tok);
        if (tok.is(tok::eof)) break;
        if (tok.is(tok::raw_identifier) && tok.getRawIdentifier() == old) {
          unsigned off = p.sm().getFileOffset(tok.getLocation());
          c_.edits.replace(Span{fid, off, off + unsigned(old.size())}, newName);
        }
      }
    }
    // Vivado/Vitis HLS scripts: `set_top <name>`.
    for (const auto& e : fs::directory_iterator(p.dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".tcl") continue;
      FileID fid = p.loadExtraFile(e.path().filename().string());
      if (fid.isInvalid()) continue;
      llvm::StringRef buf = p.sm().getBufferData(fid);
      const std::string key = "set_top " + old;
      size_t at = 0;
      while ((at = buf.find(key, at)) != llvm::StringRef::npos) {
        const size_t end = at + key.size();
        if (end >= buf.size() || !(std::isalnum(static_cast<unsigned char>(buf[end])) || buf[end] == '_'))
          c_.edits.replace(Span{fid, unsigned(at + 8), unsigned(end)}, newName);
        at = end;
      }
    }
    c_.notes.push_back("top function " + old + " -> " + newName + " (file names unchanged)");
  }

 private:
  RewriteContext& c_;
};

}  // namespace

void renameTop(RewriteContext& c, const std::string& newName) { TopRenamer(c).run(newName); }

}  // namespace mmlc::meta::rewrite
