// Private to the rewriter (runtime/meta/Rewrite*.cpp): the state every rewrite pass shares — the
// parsed project, the collected edits, each layer's state after the requests — and the passes'
// entry points, one file per concern (CIRCT ImportVerilog's Internals.h layout).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Lex/Lexer.h>
#include <clang/Rewrite/Core/Rewriter.h>

#include "hls/FixedType.h"
#include "meta/ClangModule.h"
#include "meta/HlsProjectAst.h"
#include "meta/HlsRewriter.h"

namespace mmlc::meta::rewrite {

using namespace clang;
using detail::ParsedHlsProject;
using detail::Span;

inline std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

inline bool isIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

inline bool isIntegerLiteral(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != 'u' && c != 'U' && c != 'l' && c != 'L') return false;
  return std::isdigit(static_cast<unsigned char>(s[0]));
}

// Non-overlapping replacements per file; a later edit of exactly the same span wins (e.g. n_zeros
// recomputed by two passes), any other overlap is a conflict reported with its position.
class EditSet {
 public:
  explicit EditSet(const ParsedHlsProject& p) : p_(p) {}
  void replace(const Span& s, const std::string& text) {
    // Only the project's own files are ever edited (never vendor or system headers).
    const std::string rel = p_.relPath(s.file);
    if (rel.empty() || rel[0] == '/' || rel[0] == '<' || rel.rfind("firmware/ap_types/", 0) == 0)
      throw HlsMetaError(p_.pos(s), "the rewrite would edit " + rel + ", which is not part of the project");
    auto& m = edits_[s.file];
    auto it = m.lower_bound(s.begin);
    if (it != m.end() && it->first == s.begin && it->second.first == s.end) {
      it->second.second = text;
      return;
    }
    if (it != m.end() && it->first < s.end) conflict(s);
    if (it != m.begin() && std::prev(it)->second.first > s.begin) conflict(s);
    if (s.begin == s.end && it != m.end() && it->first == s.begin) conflict(s);
    m[s.begin] = {s.end, text};
  }
  void insert(FileID f, unsigned off, const std::string& text) {
    // Insertions at one offset are merged in request order.
    auto& m = edits_[f];
    auto it = m.find(off);
    if (it != m.end() && it->second.first == off) {
      it->second.second += text;
      return;
    }
    replace(Span{f, off, off}, text);
  }
  void remove(const Span& s) { replace(s, ""); }
  std::map<std::string, std::string> apply() const {
    Rewriter rw(p_.sm(), p_.ast->getLangOpts());
    for (const auto& [fid, m] : edits_)
      for (const auto& [begin, e] : m)
        rw.ReplaceText(p_.sm().getComposedLoc(fid, begin), e.first - begin, e.second);
    std::map<std::string, std::string> out;
    for (const auto& [fid, m] : edits_) {
      if (m.empty()) continue;
      if (const RewriteBuffer* b = rw.getRewriteBufferFor(fid)) out[p_.relPath(fid)] = std::string(b->begin(), b->end());
    }
    return out;
  }

 private:
  [[noreturn]] void conflict(const Span& s) const {
    throw HlsMetaError(p_.pos(s), "two requested rewrites edit overlapping text here");
  }
  const ParsedHlsProject& p_;
  std::map<FileID, std::map<unsigned, std::pair<unsigned, std::string>>> edits_;
};

struct LayerState {
  std::map<std::string, hls::FixedType> types;  // role -> type (known ones)
  std::set<std::string> changedRoles;
  long long reuse = -1;
  std::string strategy;
  bool convertedToTemplate = false;  // an unrolled dense function became an nnet::dense call
};

using Request = detail::RewriteRequest;

// Shared by the passes: the parsed project, the edits, and each layer's state after the requests.
struct RewriteContext {
  ParsedHlsProject& p;
  EditSet edits;
  std::vector<LayerState> state;
  std::vector<std::string> notes;
  // Whole files written next to the C++ edits (weights/*.txt that C simulation loads), by path
  // relative to the project.
  std::map<std::string, std::string> textFiles;
  explicit RewriteContext(ParsedHlsProject& proj) : p(proj), edits(proj) {
    for (const auto& l : p.model.layers) {
      LayerState s;
      for (const auto& [role, prec] : l.precisions)
        if (prec.known) s.types[role] = prec.type;
      s.reuse = l.reuseFactor;
      s.strategy = l.strategy;
      state.push_back(s);
    }
  }
  size_t layerIndex(const std::string& name) const { return size_t(p.model.requireLayer(name).index); }

  // hls4ml 1.x convolutions carry a nested dense config (`typedef config2_mult mult_config;`)
  // whose types and reuse factor the kernel requires to match the layer's.
  const CXXRecordDecl* multConfig(size_t k) const {
    const CXXRecordDecl* cfg = p.layers[k].config;
    if (!cfg) return nullptr;
    for (const Decl* d : cfg->decls())
      if (const auto* td = dyn_cast<TypedefNameDecl>(d); td && td->getName() == "mult_config")
        if (const auto* rd = td->getUnderlyingType()->getAsCXXRecordDecl()) return rd->getDefinition();
    return nullptr;
  }

  // The mult config's typedef for `role` follows an edit of the layer's own (unless it already
  // reaches the edited typedef).
  void followInMultConfig(size_t k, const std::string& role, const TypedefNameDecl* edited, const std::string& spelling) {
    const CXXRecordDecl* mc = multConfig(k);
    if (!mc) return;
    for (const Decl* d : mc->decls()) {
      const auto* td = dyn_cast<TypedefNameDecl>(d);
      if (!td || td->getNameAsString() != role + "_t") continue;
      for (const TypedefNameDecl* t = td; t;) {
        if (t == edited) return;
        const auto* tt = t->getUnderlyingType()->getAs<TypedefType>();
        t = tt ? tt->getDecl() : nullptr;
      }
      edits.replace(p.typeSpan(td), spelling);
    }
  }

  // Replaces a config field's integer literal (error when it is an expression).
  void setField(size_t k, const std::string& field, long long value, bool required) {
    const HlsLayer& l = p.model.layers[k];
    auto it = p.layers[k].fields.find(field);
    if (it == p.layers[k].fields.end() || !it->second->getInit()) {
      if (required) throw HlsMetaError(p.pos(p.layers[k].config ? p.layers[k].config->getLocation() : p.layers[k].call->getBeginLoc()),
                                       "layer " + l.name + ": config struct " + l.configStruct + " has no '" + field + "' field");
      return;
    }
    const SourceRange range = it->second->getInit()->getSourceRange();
    if (range.getBegin().isMacroID() || range.getEnd().isMacroID()) {
      // hls4ml: multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor
      // follows the fields it is computed from.
      if (required) throw HlsMetaError(p.pos(it->second->getLocation()), "layer " + l.name + ": " + field + " is a macro expression, not a literal");
      notes.push_back(l.name + ": " + field + " left as its expression");
      return;
    }
    const Span s = p.tokenSpan(range, "config field");
    const std::string old = p.text(s).str();
    if (!isIntegerLiteral(old)) {
      if (required) throw HlsMetaError(p.pos(s), "layer " + l.name + ": " + field + " is the expression '" + old + "', not a literal");
      notes.push_back(l.name + ": " + field + " left as the expression '" + old + "'");
      return;
    }
    const std::string now = std::to_string(value);
    if (std::stoll(old) != value) {
      edits.replace(s, now);
      notes.push_back(l.name + ": " + field + " " + old + " -> " + now);
    }
    if (const CXXRecordDecl* mc = multConfig(k))
      for (const Decl* d : mc->decls())
        if (const auto* v = dyn_cast<VarDecl>(d); v && v->getNameAsString() == field && v->getInit()) {
          const SourceRange mr = v->getInit()->getSourceRange();
          if (mr.getBegin().isMacroID() || mr.getEnd().isMacroID()) continue;
          const Span ms = p.tokenSpan(mr, "config field");
          if (isIntegerLiteral(p.text(ms).str()) && std::stoll(p.text(ms).str()) != value) edits.replace(ms, now);
        }
  }
};

// ---- The passes ----------------------------------------------------------------------------

// RewritePrecision.cpp: the typedef spelling one role's type, then the re-quantised weight
// headers and the fields that follow the weights and types, the conversions check, and the
// fields that follow a layer's input type.
void rewritePrecision(RewriteContext& c, const Request& r);
void rewriteWeights(RewriteContext& c);
void checkConversions(const RewriteContext& c);
void updateInputDependentFields(RewriteContext& c);
// RewriteReuse.cpp: reuse factor and strategy of a layer's config struct.
void rewriteReuse(RewriteContext& c, const Request& r);
void rewriteStrategy(RewriteContext& c, const Request& r);
// RewritePragmas.cpp: HLS pragmas in a function or loop body.
void setPragma(RewriteContext& c, const Request& r);
void removePragma(RewriteContext& c, const Request& r);
// RewriteTop.cpp: the top function's name everywhere it is spelled.
void renameTop(RewriteContext& c, const std::string& newName);

}  // namespace mmlc::meta::rewrite
