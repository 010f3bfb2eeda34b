// Internal to runtime/meta (includes Clang): a parsed project — the Clang AST plus, for every
// element of the plain HlsProject model, the AST nodes and source ranges the rewrite passes edit.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/ASTUnit.h>
#include <llvm/ADT/SmallString.h>

#include "meta/ClangModule.h"
#include "meta/HlsProject.h"

namespace mmlc::meta::detail {

// A file-offset span inside one file (what the passes replace).
struct Span {
  clang::FileID file;
  unsigned begin = 0, end = 0;  // [begin, end) byte offsets
};

struct PragmaSite {
  Span span;       // the whole `#pragma HLS ...` (to end of line, no newline) or `MMLC_HLS_PRAGMA(...)`
  Span lineSpan;   // the full line including its newline, when the pragma is alone on it
  bool aloneOnLine = false;
};

struct LoopSite {
  const clang::Stmt* loop = nullptr;  // ForStmt / WhileStmt / DoStmt
  const clang::Stmt* body = nullptr;
  const clang::FunctionDecl* function = nullptr;
  Span span;
};

struct LayerSite {
  const clang::CallExpr* call = nullptr;
  const clang::CXXRecordDecl* config = nullptr;
  const clang::FunctionDecl* unrolled = nullptr;  // project function implementing the layer
  std::map<std::string, const clang::VarDecl*> fields;
  // Role -> typedef chain (first: the one the layer names, last: the one spelling the ap type).
  std::map<std::string, std::vector<const clang::TypedefNameDecl*>> chains;
  std::vector<const clang::VarDecl*> weightVars;  // parallel to HlsLayer::weightArrays
};

struct WeightSite {
  const clang::VarDecl* var = nullptr;
  std::vector<Span> literals;  // one span per value (including a leading '-')
};

struct ParsedHlsProject {
  // The AST's diagnostics engine points at these consumers: declared first, destroyed last.
  std::vector<std::unique_ptr<clang::DiagnosticConsumer>> diagnostics;
  std::unique_ptr<clang::ASTUnit> ast;
  std::string dir;  // absolute, no trailing slash
  HlsProject model;
  const clang::FunctionDecl* top = nullptr;
  std::vector<LayerSite> layers;    // parallel to model.layers
  std::vector<WeightSite> weights;  // parallel to model.weights
  std::vector<PragmaSite> pragmas;  // parallel to model.pragmas
  std::vector<LoopSite> loops;      // parallel to model.loops
  std::map<std::string, const clang::FunctionDecl*> functions;
  std::map<unsigned, bool> macroPragmaFiles;  // FileID hash -> the file uses MMLC_HLS_PRAGMA

  clang::SourceManager& sm() const { return ast->getSourceManager(); }
  clang::ASTContext& ctx() const { return ast->getASTContext(); }
  SourcePos pos(clang::SourceLocation loc) const;
  SourcePos pos(const Span& s) const;
  std::string relPath(clang::FileID fid) const;
  llvm::StringRef text(const Span& s) const;
  // The file span of a declaration's written type (typedef target), or throws.
  Span typeSpan(const clang::TypedefNameDecl* td) const;
  Span tokenSpan(clang::SourceRange r, const char* what) const;
  // Loads a project file that is not part of the translation unit (testbench, tcl) for editing.
  clang::FileID loadExtraFile(const std::string& relPath) const;
};

// Keeps Clang's first error (with its file:line) so that a broken project is reported, not crashed on.
class FirstErrorConsumer : public clang::DiagnosticConsumer {
 public:
  explicit FirstErrorConsumer(std::string dir) : dir_(std::move(dir)) {}
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error || !message.empty()) return;
    llvm::SmallString<256> msg;
    info.FormatDiagnostic(msg);
    message = msg.str().str();
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      clang::PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
      if (p.isValid()) {
        pos.file = p.getFilename();
        if (pos.file.compare(0, dir_.size() + 1, dir_ + "/") == 0) pos.file = pos.file.substr(dir_.size() + 1);
        pos.line = p.getLine();
        pos.column = p.getColumn();
      }
    }
  }
  std::string message;
  SourcePos pos;

 private:
  std::string dir_;
};

// Reads firmware/<network>_axi.cpp (hls4ml's VivadoAccelerator wrapper) when the project has one;
// `args` are the compiler arguments the project was parsed with.
HlsAxiWrapper readAxiWrapper(const std::string& projectDir, const std::string& networkFunction,
                             const std::vector<std::string>& args);

std::unique_ptr<ParsedHlsProject> parseHlsProject(const std::string& dir, const ReadOptions& options);

// The module's rewriter session (RewriteSession.cpp) and C-simulation preparation (ProjectCSimSetup.cpp).
std::unique_ptr<RewriteSession> openClangRewriteSession(const std::string& dir, const ReadOptions& options);
CSimSetup prepareClangCSim(const std::string& projectDir, const std::string& workDir, const ProjectCSimOptions& options);

// hls::FixedType of an ap_fixed/ap_ufixed/ap_int/ap_uint type; false when t is not one.
bool fixedTypeOf(clang::QualType t, hls::FixedType* out);

// Shortest decimal text that reads back as exactly v (literals the emitter also uses: %.17g and ".0").
std::string exactLiteral(double v);

}  // namespace mmlc::meta::detail
