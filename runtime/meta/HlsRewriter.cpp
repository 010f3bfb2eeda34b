// The rewrite passes over a parsed project — PrecisionRewriter (typedefs + re-quantised weight
// headers + unrolled layers' terms), ReuseRewriter (reuse factor, strategy, dependent config
// fields, weight layout), PragmaRewriter and TopRenamer — collected as non-overlapping edits and
// applied with clang::Rewriter, then written to a new directory or swapped in atomically.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <unistd.h>

#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Lex/Lexer.h>
#include <clang/Rewrite/Core/Rewriter.h>

#include "hls/FixedPointSim.h"
#include "hls/TemplateConversions.h"
#include "meta/HlsProjectAst.h"
#include "meta/HlsRewriter.h"

namespace fs = std::filesystem;

namespace mmlc::meta {

PragmaTarget PragmaTarget::parse(const std::string& text) {
  PragmaTarget t;
  size_t slash = text.find('/');
  t.function = text.substr(0, slash);
  if (slash != std::string::npos) t.loop = text.substr(slash + 1);
  return t;
}

namespace {

using namespace clang;
using detail::ParsedHlsProject;
using detail::Span;

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool isIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

bool isIntegerLiteral(const std::string& s) {
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

struct Request {
  enum Kind { Precision, Reuse, Strategy, SetPragma, RemovePragma, RenameTop } kind;
  std::string layer, role, text;
  hls::FixedType type;
  long long number = 0;
  PragmaTarget target;
};

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

// ---------------------------------------------------------------------------------------------
// PrecisionRewriter: edits the typedef that spells a layer's type for one role.
class PrecisionRewriter {
 public:
  explicit PrecisionRewriter(RewriteContext& c) : c_(c) {}

  void run(const Request& r) {
    ParsedHlsProject& p = c_.p;
    const size_t k = c_.layerIndex(r.layer);
    const HlsLayer& l = p.model.layers[k];
    auto pit = l.precisions.find(r.role);
    if (pit == l.precisions.end()) {
      std::string roles;
      for (const auto& [role, _] : l.precisions) roles += (roles.empty() ? "" : ", ") + role;
      throw HlsMetaError(l.call, "layer " + l.name + " has no '" + r.role + "' precision (it has: " + roles + ")");
    }
    const auto& chain = p.layers[k].chains.at(r.role);
    if (chain.empty())
      throw HlsMetaError(pit->second.pos, "layer " + l.name + ": the " + r.role + " type '" + pit->second.spelled +
                                              "' is not named by a typedef; it cannot be rewritten");
    // Which (layer, role) pairs use each typedef: editing one shared with an unrelated layer would
    // change that layer too, so then only the config's own member typedef is edited.
    const TypedefNameDecl* terminal = chain.back();
    hls::FixedType current;
    if (!detail::fixedTypeOf(terminal->getUnderlyingType(), &current))
      throw HlsMetaError(pit->second.pos, "layer " + l.name + ": the " + r.role + " type '" + pit->second.spelled +
                                              "' is not an ap_fixed/ap_int type; it cannot be rewritten");
    std::vector<std::pair<size_t, std::string>> users;
    for (size_t j = 0; j < p.layers.size(); ++j)
      for (const auto& [role, ch] : p.layers[j].chains)
        if (std::find(ch.begin(), ch.end(), terminal) != ch.end()) users.push_back({j, role});
    auto related = [&](const std::pair<size_t, std::string>& u) {
      if (u.first == k && u.second == r.role) return true;
      // A result typedef is also the next layers' input type: that is the point of changing it.
      if ((r.role == "result" || r.role == "input") && (u.second == "result" || u.second == "input")) return true;
      return false;
    };
    const TypedefNameDecl* target = terminal;
    if (!std::all_of(users.begin(), users.end(), related)) {
      const bool memberAlias = chain.size() > 1 && isa<CXXRecordDecl>(chain.front()->getDeclContext());
      const bool arrayTyped = r.role == "weight" || r.role == "bias";
      if (memberAlias && arrayTyped) {
        splitArrayType(k, r, chain);
        return;
      }
      if (!memberAlias) {
        std::string who;
        for (const auto& u : users) who += (who.empty() ? "" : ", ") + p.model.layers[u.first].name + "." + u.second;
        throw HlsMetaError(p.pos(terminal->getLocation()), "typedef " + terminal->getNameAsString() + " is shared by " + who +
                                                               "; cannot change " + l.name + "." + r.role + " alone");
      }
      target = chain.front();
    }
    c_.edits.replace(p.typeSpan(target), r.type.toCpp());
    c_.followInMultConfig(k, r.role, target, r.type.toCpp());
    // Every (layer, role) reaching the edited typedef now has the new type.
    for (size_t j = 0; j < p.layers.size(); ++j)
      for (const auto& [role, ch] : p.layers[j].chains) {
        auto pos = std::find(ch.begin(), ch.end(), target);
        if (pos == ch.end()) continue;
        c_.state[j].types[role] = r.type;
        c_.state[j].changedRoles.insert(role);
      }
  }

 private:
  // A weight or bias type whose typedef other layers share (hls4ml's model_default_t): the layer
  // gets its own typedef, declared right after the shared one, and everything that must agree with
  // it is retargeted: the config's member typedef, the arrays' declarations (in both branches of
  // the weights header's `#ifndef __SYNTHESIS__`) and the load_weights_from_txt<T, N> calls.
  void splitArrayType(size_t k, const Request& r, const std::vector<const TypedefNameDecl*>& chain) {
    ParsedHlsProject& p = c_.p;
    ASTContext& ctx = p.ctx();
    const HlsLayer& l = p.model.layers[k];
    std::string name = l.name + "_" + r.role + "_t";
    for (int n = 2; !ctx.getTranslationUnitDecl()->lookup(&ctx.Idents.get(name)).empty(); ++n)
      name = l.name + "_" + r.role + std::to_string(n) + "_t";
    const TypedefNameDecl* shared = chain.back();
    const SourceLocation end = p.sm().getExpansionLoc(shared->getEndLoc());
    const FileID fid = p.sm().getFileID(end);
    const llvm::StringRef buf = p.sm().getBufferData(fid);
    const size_t semi = buf.find(';', p.sm().getFileOffset(end));
    if (semi == llvm::StringRef::npos) throw HlsMetaError(p.pos(shared->getLocation()), "cannot find the end of this typedef");
    c_.edits.insert(fid, unsigned(semi + 1), "\ntypedef " + r.type.toCpp() + " " + name + ";");
    c_.edits.replace(p.typeSpan(chain.front()), name);
    c_.followInMultConfig(k, r.role, chain.front(), name);
    const std::string oldSpelling = shared->getNameAsString();
    for (size_t a = 0; a < l.weightArrays.size(); ++a) {
      const HlsWeightArray* w = p.model.weightArray(l.weightArrays[a]);
      if (!w || w->role != r.role) continue;
      const VarDecl* v = p.layers[k].weightVars[a];
      retypeDeclarations(v, oldSpelling, name);
      retypeWeightLoads(v, name);
    }
    c_.state[k].types[r.role] = r.type;
    c_.state[k].changedRoles.insert(r.role);
    c_.notes.push_back(l.name + ": " + r.role + " type split from the shared " + oldSpelling + " as " + name);
  }

  // Every declaration `<old> <array>[` in the array's file, active or in a skipped #if branch.
  void retypeDeclarations(const VarDecl* v, const std::string& oldSpelling, const std::string& name) {
    ParsedHlsProject& p = c_.p;
    const SourceLocation loc = p.sm().getExpansionLoc(v->getLocation());
    const FileID fid = p.sm().getFileID(loc);
    const std::string text = p.sm().getBufferData(fid).str();
    const std::string var = v->getNameAsString();
    int found = 0;
    for (size_t at = text.find(oldSpelling); at != std::string::npos; at = text.find(oldSpelling, at + 1)) {
      if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_')) continue;
      size_t q = at + oldSpelling.size();
      if (q < text.size() && (std::isalnum(static_cast<unsigned char>(text[q])) || text[q] == '_')) continue;
      while (q < text.size() && std::isspace(static_cast<unsigned char>(text[q]))) ++q;
      if (text.compare(q, var.size(), var) != 0) continue;
      size_t b = q + var.size();
      while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
      if (b >= text.size() || text[b] != '[') continue;
      c_.edits.replace(Span{fid, unsigned(at), unsigned(at + oldSpelling.size())}, name);
      ++found;
    }
    if (found == 0)
      throw HlsMetaError(p.pos(v->getLocation()), "cannot find the declaration '" + oldSpelling + " " + var + "[' to give it its own type");
  }

  // `nnet::load_weights_from_txt<T, N>(array, "file")`: T must be the array's element type.
  void retypeWeightLoads(const VarDecl* v, const std::string& name) {
    ParsedHlsProject& p = c_.p;
    std::vector<const Stmt*> stack{p.top->getBody()};
    while (!stack.empty()) {
      const Stmt* st = stack.back();
      stack.pop_back();
      if (!st) continue;
      for (const Stmt* ch : st->children()) stack.push_back(ch);
      const auto* call = dyn_cast<CallExpr>(st);
      if (!call || call->getNumArgs() < 1) continue;
      const auto* callee = dyn_cast<DeclRefExpr>(call->getCallee()->IgnoreParenImpCasts());
      const auto* arg = dyn_cast<DeclRefExpr>(call->getArg(0)->IgnoreParenImpCasts());
      if (!callee || !arg || arg->getDecl() != v || callee->getNumTemplateArgs() < 1) continue;
      if (callee->getDecl()->getNameAsString().find("load_") != 0) continue;
      const TemplateArgumentLoc& ta = callee->template_arguments()[0];
      if (ta.getArgument().getKind() != TemplateArgument::Type) continue;
      c_.edits.replace(p.tokenSpan(ta.getTypeSourceInfo()->getTypeLoc().getSourceRange(), "template argument"), name);
    }
  }

  RewriteContext& c_;
};

// Re-quantised, re-laid-out weight headers and the fields that depend on the weights/types.
class WeightRewriter {
 public:
  explicit WeightRewriter(RewriteContext& c) : c_(c) {}

  void run() {
    ParsedHlsProject& p = c_.p;
    for (size_t k = 0; k < p.model.layers.size(); ++k) {
      const HlsLayer& l = p.model.layers[k];
      LayerState& s = c_.state[k];
      const bool transpose = l.kind == "dense" && !l.strategy.empty() && s.strategy != l.strategy;
      for (size_t a = 0; a < l.weightArrays.size(); ++a) {
        const HlsWeightArray* w = p.model.weightArray(l.weightArrays[a]);
        size_t wi = size_t(w - p.model.weights.data());
        const std::string role = w->role;
        const bool retype = s.changedRoles.count(role) > 0;
        const bool relayout = transpose && role == "weight";
        if (!retype && !relayout) continue;
        if (w->values.empty() || p.weights[wi].literals.size() != w->values.size())
          throw HlsMetaError(w->pos, "cannot find the " + std::to_string(w->size) + " initial values of " + w->name + " to re-quantise");
        auto tit = s.types.find(role);
        if (tit == s.types.end()) throw HlsMetaError(w->pos, "the " + role + " type of layer " + l.name + " is not an ap type");
        std::vector<double> values = w->values;
        if (relayout) {
          if (l.nIn <= 0 || l.nOut <= 0 || l.nIn * l.nOut != (long long)values.size())
            throw HlsMetaError(w->pos, "layer " + l.name + ": n_in x n_out does not match " + w->name + "'s size; cannot change the weight layout");
          // latency: input-major w[i*n_out+j]; resource: output-major w[j*n_in+i].
          std::vector<double> t(values.size());
          const bool toResource = s.strategy == "resource";
          for (long long i = 0; i < l.nIn; ++i)
            for (long long j = 0; j < l.nOut; ++j) {
              if (toResource) t[size_t(j * l.nIn + i)] = values[size_t(i * l.nOut + j)];
              else t[size_t(i * l.nOut + j)] = values[size_t(j * l.nIn + i)];
            }
          values.swap(t);
        }
        long long zeros = 0;
        for (size_t i = 0; i < values.size(); ++i) {
          const double q = retype ? hls::toDouble(hls::fromDouble(values[i], tit->second), tit->second) : values[i];
          values[i] = q;
          zeros += q == 0.0;
          std::string lit = detail::exactLiteral(q);
          if (lit == "-0.0") lit = "0.0";
          const Span& sp = p.weights[wi].literals[i];
          if (p.text(sp) != lit) c_.edits.replace(sp, lit);
        }
        if (!w->textFile.empty()) {
          // C simulation loads these values from the text file: it must say the same.
          std::string line;
          for (size_t i = 0; i < values.size(); ++i) {
            std::string lit = detail::exactLiteral(values[i]);
            if (lit == "-0.0") lit = "0.0";
            line += (i ? ", " : "") + lit;
          }
          c_.textFiles["firmware/weights/" + w->textFile] = line + "\n";
        }
        if (role == "weight" && retype) {
          c_.setField(k, "n_zeros", zeros, false);
          c_.setField(k, "n_nonzeros", (long long)values.size() - zeros, false);
          const long long rf = std::max(1LL, s.reuse);
          c_.setField(k, "multiplier_limit", ((long long)values.size() + rf - 1) / rf - zeros / rf, false);
          if (l.unrolledFunction && !s.convertedToTemplate) adjustUnrolledTerms(k, values);
        }
      }
    }
  }

 private:
  // mmlc's unrolled dense functions have one `acc += (accum_t)(data[i] * w[idx]);` line per
  // non-zero weight: lines are added for weights that become non-zero and removed for zeros, in
  // input order (the accumulation order matters for saturating accumulators).
  void adjustUnrolledTerms(size_t k, const std::vector<double>& quantised) {
    ParsedHlsProject& p = c_.p;
    const HlsLayer& l = p.model.layers[k];
    const FunctionDecl* fn = p.layers[k].unrolled;
    if (!fn || !fn->getBody() || l.kind != "dense" || p.layers[k].weightVars.size() < 2) return;
    const VarDecl* wv = p.layers[k].weightVars[0];
    const VarDecl* bv = p.layers[k].weightVars[1];
    const long long nIn = l.nIn, nOut = l.nOut;
    if (nIn <= 0 || nOut <= 0 || fn->getNumParams() < 1) return;
    const std::string dataName = fn->getParamDecl(0)->getNameAsString();
    auto literalIndex = [](const Expr* e, const VarDecl* arr, long long* idx) {
      const auto* ase = dyn_cast<ArraySubscriptExpr>(e->IgnoreParenImpCasts());
      if (!ase) return false;
      const auto* base = dyn_cast<DeclRefExpr>(ase->getBase()->IgnoreParenImpCasts());
      const auto* lit = dyn_cast<IntegerLiteral>(ase->getIdx()->IgnoreParenImpCasts());
      if (!base || !lit || (arr && base->getDecl() != arr)) return false;
      *idx = (long long)lit->getValue().getZExtValue();
      return true;
    };
    // Finds w[idx] anywhere under a statement.
    std::function<bool(const Stmt*, long long*)> findWeight = [&](const Stmt* s, long long* idx) {
      if (!s) return false;
      if (const auto* e = dyn_cast<Expr>(s))
        if (literalIndex(e, wv, idx)) return true;
      for (const Stmt* c : s->children())
        if (findWeight(c, idx)) return true;
      return false;
    };
    std::function<bool(const Stmt*, long long*)> findBias = [&](const Stmt* s, long long* idx) {
      if (!s) return false;
      if (const auto* e = dyn_cast<Expr>(s))
        if (literalIndex(e, bv, idx)) return true;
      for (const Stmt* c : s->children())
        if (findBias(c, idx)) return true;
      return false;
    };
    const SourceManager& sm = p.sm();
    long long zeros = 0;
    for (double v : quantised) zeros += v == 0.0;
    const auto* fnBody = dyn_cast<CompoundStmt>(fn->getBody());
    if (!fnBody) return;
    for (const Stmt* blockStmt : fnBody->body()) {
      const auto* block = dyn_cast<CompoundStmt>(blockStmt);
      if (!block || block->size() < 2) continue;
      const auto* decl = dyn_cast<DeclStmt>(block->body_front());
      long long j = -1;
      if (!decl || !decl->isSingleDecl() || !findBias(decl, &j)) continue;
      const auto* acc = dyn_cast<VarDecl>(decl->getSingleDecl());
      if (!acc) continue;
      const Span accType = p.tokenSpan(acc->getTypeSourceInfo()->getTypeLoc().getSourceRange(), "accumulator type");
      const std::string accTypeText = p.text(accType).str();
      // Existing terms: input index -> statement.
      std::map<long long, const Stmt*> terms;
      const Stmt* tail = nullptr;
      for (const Stmt* s : block->body()) {
        if (s == decl) continue;
        long long idx;
        if (findWeight(s, &idx) && idx >= 0 && idx % nOut == j) terms[idx / nOut] = s;
        else if (!tail) tail = s;
      }
      if (!tail) continue;
      auto lineOf = [&](const Stmt* s) {
        SourceLocation b = sm.getExpansionLoc(s->getBeginLoc());
        FileID f = sm.getFileID(b);
        llvm::StringRef buf = sm.getBufferData(f);
        unsigned ob = sm.getFileOffset(b), ls = ob;
        while (ls > 0 && buf[ls - 1] != '\n') --ls;
        unsigned le = sm.getFileOffset(sm.getExpansionLoc(s->getEndLoc()));
        while (le < buf.size() && buf[le] != '\n') ++le;
        return std::make_pair(Span{f, ls, std::min<unsigned>(le + 1, unsigned(buf.size()))}, buf.substr(ls, ob - ls).str());
      };
      for (long long i = 0; i < nIn; ++i) {
        const bool want = quantised[size_t(i * nOut + j)] != 0.0;
        auto it = terms.find(i);
        if (it != terms.end() && !want) {
          c_.edits.remove(lineOf(it->second).first);
        } else if (it == terms.end() && want) {
          // Anchor before the next term that stays (removed lines cannot take insertions).
          auto next = terms.upper_bound(i);
          while (next != terms.end() && quantised[size_t(next->first * nOut + j)] == 0.0) ++next;
          const auto [line, indent] = lineOf(next != terms.end() ? next->second : tail);
          const std::string text = indent + acc->getNameAsString() + " += (" + accTypeText + ")(" + dataName + "[" + std::to_string(i) +
                                   "] * " + wv->getNameAsString() + "[" + std::to_string(i * nOut + j) + "]);\n";
          c_.edits.insert(line.file, line.begin, text);
        }
      }
    }
    // The comment above the function states the zero count; keep it true.
    SourceLocation fb = sm.getExpansionLoc(fn->getBeginLoc());
    FileID f = sm.getFileID(fb);
    llvm::StringRef buf = sm.getBufferData(f);
    unsigned ls = sm.getFileOffset(fb);
    while (ls > 0 && buf[ls - 1] != '\n') --ls;
    if (ls > 0) {
      unsigned ps = ls - 1;
      while (ps > 0 && buf[ps - 1] != '\n') --ps;
      const std::string prev = buf.substr(ps, ls - 1 - ps).str();
      std::smatch m;
      static const std::regex re("; (\\d+) zero weights have no multiplier");
      if (std::regex_search(prev, m, re)) {
        const unsigned b = ps + unsigned(m.position(1));
        c_.edits.replace(Span{f, b, b + unsigned(m.length(1))}, std::to_string(zeros));
      }
    }
  }

  RewriteContext& c_;
};

// ---------------------------------------------------------------------------------------------
// ReuseRewriter: reuse factor and strategy of a layer's config struct.
class ReuseRewriter {
 public:
  explicit ReuseRewriter(RewriteContext& c) : c_(c) {}

  void setReuse(const Request& r) {
    const size_t k = c_.layerIndex(r.layer);
    const HlsLayer& l = c_.p.model.layers[k];
    checkTemplate(k, "reuse factor");
    if (r.number < 1) throw HlsMetaError(l.call, "reuse factor must be at least 1, not " + std::to_string(r.number));
    c_.setField(k, "reuse_factor", r.number, true);
    c_.state[k].reuse = r.number;
    // Dependent fields, when the struct spells them out as literals (hls4ml style).
    if (l.nIn > 0 && l.nOut > 0) {
      const long long total = l.nIn * l.nOut, block = (total + r.number - 1) / r.number;
      const long long zeros = std::max(0LL, l.nZeros);
      c_.setField(k, "block_factor", block, false);
      c_.setField(k, "multiplier_limit", block - zeros / r.number, false);
    }
  }

  void setStrategy(const Request& r) {
    const size_t k = c_.layerIndex(r.layer);
    const HlsLayer& l = c_.p.model.layers[k];
    checkTemplate(k, "strategy");
    if (r.text != "latency" && r.text != "resource")
      throw HlsMetaError(l.call, "strategy must be 'latency' or 'resource', not '" + r.text + "'");
    auto it = c_.p.layers[k].fields.find("strategy");
    if (it == c_.p.layers[k].fields.end() || !it->second->getInit())
      throw HlsMetaError(l.call, "layer " + l.name + ": config struct " + l.configStruct + " has no 'strategy' field");
    const Span s = c_.p.tokenSpan(it->second->getInit()->getSourceRange(), "strategy");
    std::string text = c_.p.text(s).str();
    const std::string from = text.find("resource") != std::string::npos ? "resource" : "latency";
    const size_t at = text.rfind(from);
    if (at == std::string::npos) throw HlsMetaError(c_.p.pos(s), "strategy '" + text + "' is neither latency nor resource");
    text.replace(at, from.size(), r.text);
    c_.edits.replace(s, text);
    c_.state[k].strategy = r.text;
    if (from != r.text) c_.notes.push_back(l.name + ": strategy " + from + " -> " + r.text + (l.kind == "dense" ? " (weights re-laid out)" : ""));
  }

 private:
  // mmlc emits small latency/RF-1 dense layers as unrolled project functions; a reuse factor or
  // strategy needs the nnet::dense template instead, so the call is turned into the template call
  // (same config struct and weight arrays, input-major weights as the latency template reads
  // them) and the now unused function definition is deleted.
  void checkTemplate(size_t k, const char* what) {
    const HlsLayer& l = c_.p.model.layers[k];
    if (!l.unrolledFunction || c_.state[k].convertedToTemplate) return;
    const auto& site = c_.p.layers[k];
    const FunctionDecl* fn = site.unrolled;
    const bool convertible = l.kind == "dense" && site.config && fn && fn->getNumParams() == 2 && site.weightVars.size() == 2 &&
                             c_.p.functions.count("nnet::dense") && site.call->getNumArgs() == 2;
    if (!convertible)
      throw HlsMetaError(l.call, "layer " + l.name + " is the unrolled function " + l.function + "; its " + what +
                                     " cannot change (no nnet::dense template and config struct to switch to)");
    auto typeName = [&](const ParmVarDecl* p) {
      QualType t = p->getOriginalType();
      if (const auto* dt = dyn_cast<DecayedType>(t.getTypePtr())) t = dt->getOriginalType();
      while (const auto* at = dyn_cast<ArrayType>(t.getTypePtr())) t = at->getElementType();
      return t.getAsString(c_.p.ctx().getPrintingPolicy());
    };
    const Span call = c_.p.tokenSpan(site.call->getSourceRange(), "layer call");
    const Span a0 = c_.p.tokenSpan(site.call->getArg(0)->getSourceRange(), "argument");
    const Span a1 = c_.p.tokenSpan(site.call->getArg(1)->getSourceRange(), "argument");
    c_.edits.replace(call, "nnet::dense<" + typeName(fn->getParamDecl(0)) + ", " + typeName(fn->getParamDecl(1)) + ", " +
                               site.config->getNameAsString() + ">(" + c_.p.text(a0).str() + ", " + c_.p.text(a1).str() + ", " +
                               site.weightVars[0]->getNameAsString() + ", " + site.weightVars[1]->getNameAsString() + ")");
    // Delete the definition with its leading "// <layer>: ..." comment line and one blank line after.
    const SourceManager& sm = c_.p.sm();
    const FileID f = sm.getFileID(sm.getExpansionLoc(fn->getBeginLoc()));
    llvm::StringRef buf = sm.getBufferData(f);
    unsigned b = sm.getFileOffset(sm.getExpansionLoc(fn->getBeginLoc()));
    while (b > 0 && buf[b - 1] != '\n') --b;
    if (b > 0) {
      unsigned pb = b - 1;
      while (pb > 0 && buf[pb - 1] != '\n') --pb;
      if (buf.substr(pb, b - pb).starts_with("// " + l.name + ":")) b = pb;
    }
    unsigned e = sm.getFileOffset(sm.getExpansionLoc(fn->getEndLoc())) + 1;
    while (e < buf.size() && buf[e] != '\n') ++e;
    if (e < buf.size()) ++e;
    if (e < buf.size() && buf[e] == '\n') ++e;
    c_.edits.remove(Span{f, b, e});
    c_.state[k].convertedToTemplate = true;
    c_.notes.push_back(l.name + ": unrolled function " + l.function + " replaced by nnet::dense<..., " + l.configStruct + ">");
  }
  RewriteContext& c_;
};

// A rewrite must not produce a design whose C simulation aborts in the vendor's ap_fixed: every
// rounding conversion a changed type takes part in is checked with hls::templateConversions.
// The error points at the type the request edited (the destination's or the source's).
void checkConversions(const RewriteContext& c) {
  for (size_t k = 0; k < c.p.model.layers.size(); ++k) {
    const HlsLayer& l = c.p.model.layers[k];
    const LayerState& s = c.state[k];
    if (s.changedRoles.empty()) continue;
    using Template = hls::LayerTypes::Template;
    hls::LayerTypes t;
    const std::string& kind = l.kind;
    if (kind.rfind("dense", 0) == 0 || kind.rfind("conv", 0) == 0) t.kind = Template::Mac;
    else if (kind == "normalize") t.kind = Template::BatchNorm;
    else if (kind == "relu") t.kind = Template::ReLU;
    else if (kind == "leaky_relu") t.kind = Template::LeakyReLU;
    else if (kind == "linear" || kind.rfind("zeropad", 0) == 0) t.kind = Template::Copy;
    else if (kind == "sigmoid" || kind == "tanh") t.kind = Template::Table;
    else if (kind == "softmax") t.kind = Template::Softmax;
    else if (kind.rfind("pooling", 0) == 0) {
      const HlsConfigField* op = l.field("pool_type");
      if (!op) op = l.field("pool_op");
      const bool average = op && (op->text.find("average") != std::string::npos || op->text.find("Average") != std::string::npos);
      t.kind = average ? Template::AvgPool : Template::Copy;
    }
    auto role = [&](const char* name) -> std::optional<hls::FixedType> {
      auto it = s.types.find(name);
      if (it == s.types.end()) return std::nullopt;
      return it->second;
    };
    t.input = role("input");
    t.weight = role(l.precisions.count("scale") ? "scale" : "weight");
    t.bias = role("bias");
    t.accum = role("accum");
    t.result = role("result");
    t.table = role("table");
    t.expTable = role("exp_table");
    t.invTable = role("inv_table");
    t.param = role("param");
    for (const hls::TemplateConversion& conv : hls::templateConversions(t)) {
      if (hls::conversionIsDefined(conv.from, conv.to)) continue;
      // Locate the edited type: the destination of this conversion, else its source.
      std::string source = conv.widen == "weight" && l.precisions.count("scale") ? "scale" : conv.widen;
      std::string edited = s.changedRoles.count(conv.into) ? conv.into : source;
      if (!s.changedRoles.count(edited) && !s.changedRoles.empty()) edited = *s.changedRoles.begin();
      auto pit = l.precisions.find(edited);
      const SourcePos pos = pit != l.precisions.end() ? pit->second.pos : l.call;
      throw HlsMetaError(pos, "layer " + l.name + ": " + conv.what + ": " + hls::conversionProblem(conv.from, conv.to));
    }
  }
}

// Fields that follow a layer's input type (hls4ml's softmax: in_width, in_frac, in_signed).
void updateInputDependentFields(RewriteContext& c) {
  for (size_t k = 0; k < c.p.model.layers.size(); ++k) {
    if (!c.state[k].changedRoles.count("input")) continue;
    auto it = c.state[k].types.find("input");
    if (it == c.state[k].types.end()) continue;
    const hls::FixedType& t = it->second;
    c.setField(k, "in_width", t.width, false);
    c.setField(k, "in_frac", t.frac(), false);
    auto f = c.p.layers[k].fields.find("in_signed");
    if (f != c.p.layers[k].fields.end() && f->second->getInit()) {
      const Span s = c.p.tokenSpan(f->second->getInit()->getSourceRange(), "in_signed");
      const std::string want = t.isSigned ? "true" : "false";
      if (c.p.text(s) != want && (c.p.text(s) == "true" || c.p.text(s) == "false")) c.edits.replace(s, want);
    }
  }
}

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

void copyTree(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw HlsMetaError(SourcePos{path.string(), 0, 0}, "cannot write file");
}

}  // namespace

struct HlsProjectRewriter::Impl {
  std::string dir;
  ReadOptions options;
  std::unique_ptr<ParsedHlsProject> parsed;  // parsed once, by project() or render()
  std::vector<Request> requests;
  double parseMs = 0, rewriteMs = 0;
  std::vector<std::string> notes;

  ParsedHlsProject& parse() {
    if (!parsed) {
      auto t0 = std::chrono::steady_clock::now();
      parsed = detail::parseHlsProject(dir, options);
      parseMs = msSince(t0);
    }
    return *parsed;
  }
};

HlsProjectRewriter::HlsProjectRewriter(std::string dir, ReadOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->dir = std::move(dir);
  impl_->options = std::move(options);
}
HlsProjectRewriter::~HlsProjectRewriter() = default;

const HlsProject& HlsProjectRewriter::project() { return impl_->parse().model; }

HlsProjectRewriter& HlsProjectRewriter::setPrecision(const std::string& layer, const std::string& role, const hls::FixedType& type) {
  Request r{Request::Precision, layer, role, "", type, 0, {}};
  impl_->requests.push_back(r);
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::setReuseFactor(const std::string& layer, int reuseFactor) {
  impl_->requests.push_back(Request{Request::Reuse, layer, "", "", {}, reuseFactor, {}});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::setStrategy(const std::string& layer, const std::string& strategy) {
  impl_->requests.push_back(Request{Request::Strategy, layer, "", strategy, {}, 0, {}});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::setPragma(const PragmaTarget& target, const std::string& text) {
  impl_->requests.push_back(Request{Request::SetPragma, "", "", text, {}, 0, target});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::removePragma(const PragmaTarget& target, const std::string& directive) {
  impl_->requests.push_back(Request{Request::RemovePragma, "", "", directive, {}, 0, target});
  return *this;
}
HlsProjectRewriter& HlsProjectRewriter::renameTop(const std::string& newName) {
  impl_->requests.push_back(Request{Request::RenameTop, "", "", newName, {}, 0, {}});
  return *this;
}

HlsProjectRewriter& HlsProjectRewriter::applySetting(const std::string& setting) {
  const size_t eq = setting.find('=');
  if (eq == std::string::npos) throw HlsMetaError(SourcePos{}, "setting '" + setting + "' is not KEY=VALUE");
  const std::string key = setting.substr(0, eq), value = setting.substr(eq + 1);
  if (key == "top") return renameTop(value);
  const size_t dot = key.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
    throw HlsMetaError(SourcePos{}, "setting '" + setting + "': expected LAYER.FIELD=VALUE (weight, bias, accum, result, reuse, strategy)");
  const std::string layer = key.substr(0, dot), field = key.substr(dot + 1);
  if (field == "reuse" || field == "reuse_factor") {
    char* end = nullptr;
    long v = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end) throw HlsMetaError(SourcePos{}, "setting '" + setting + "': reuse factor must be an integer");
    return setReuseFactor(layer, int(v));
  }
  if (field == "strategy") return setStrategy(layer, value);
  hls::FixedType t;
  try {
    t = hls::FixedType::parse(value);
  } catch (const std::exception& e) {
    throw HlsMetaError(SourcePos{}, "setting '" + setting + "': " + e.what());
  }
  return setPrecision(layer, field, t);
}

std::map<std::string, std::string> HlsProjectRewriter::render() {
  ParsedHlsProject* parsed = &impl_->parse();
  auto t0 = std::chrono::steady_clock::now();
  RewriteContext c(*parsed);
  PrecisionRewriter precision(c);
  ReuseRewriter reuse(c);
  PragmaRewriter pragmas(c);
  TopRenamer renamer(c);
  for (Request r : impl_->requests) {
    switch (r.kind) {
      case Request::Precision:
        if (r.role == "input") {
          // The input of a layer is the previous layer's result (or the top's input typedef).
          const size_t k = c.layerIndex(r.layer);
          if (k > 0) {
            r.layer = parsed->model.layers[k - 1].name;
            r.role = "result";
          }
        }
        precision.run(r);
        break;
      case Request::Reuse: reuse.setReuse(r); break;
      case Request::Strategy: reuse.setStrategy(r); break;
      case Request::SetPragma: pragmas.set(r); break;
      case Request::RemovePragma: pragmas.remove(r); break;
      case Request::RenameTop: renamer.run(r.text); break;
    }
  }
  checkConversions(c);
  WeightRewriter(c).run();
  updateInputDependentFields(c);
  auto out = c.edits.apply();
  for (const auto& [rel, text] : c.textFiles) out[rel] = text;
  impl_->notes = c.notes;
  impl_->rewriteMs = msSince(t0);
  return out;
}

RewriteReport HlsProjectRewriter::writeTo(const std::string& outDirArg, const RewriteOptions& options) {
  RewriteReport report;
  const std::map<std::string, std::string> files = render();  // all checks happen before any write
  report.parseMs = impl_->parseMs;
  report.rewriteMs = impl_->rewriteMs;
  report.notes = impl_->notes;
  auto t0 = std::chrono::steady_clock::now();
  const fs::path in = fs::canonical(impl_->dir);
  fs::path out = outDirArg.empty() ? in : fs::absolute(outDirArg).lexically_normal();
  if (out.has_filename() == false) out = out.parent_path();
  std::error_code ec;
  const bool inPlace = fs::exists(out) && fs::equivalent(out, in, ec);
  // An output inside the project would be copied into itself.
  if (!inPlace) {
    const std::string o = fs::weakly_canonical(out).string(), i = in.string() + "/";
    if (o.compare(0, i.size(), i) == 0) throw HlsMetaError(SourcePos{out.string(), 0, 0}, "output directory is inside the project");
  }
  if (!inPlace && fs::exists(out) && !options.overwrite)
    throw HlsMetaError(SourcePos{out.string(), 0, 0}, "output directory exists (use overwrite, or another directory)");
  // pid + a per-process counter: concurrent rewrites never share a temporary directory.
  static std::atomic<unsigned> counter{0};
  const std::string suffix = ".mmlc-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const fs::path tmp = out.string() + suffix;
  fs::remove_all(tmp, ec);
  try {
    fs::create_directories(tmp.parent_path());
    copyTree(in, tmp);
    for (const auto& [rel, text] : files) writeText(tmp / rel, text);
    if (fs::exists(out)) {
      // Swap: the old tree moves aside first so a failed rename leaves it recoverable.
      const fs::path old = out.string() + ".mmlc-old-" + suffix.substr(10);
      fs::rename(out, old);
      try {
        fs::rename(tmp, out);
      } catch (...) {
        fs::rename(old, out);
        throw;
      }
      fs::remove_all(old, ec);
    } else {
      fs::rename(tmp, out);
    }
  } catch (const HlsMetaError&) {
    fs::remove_all(tmp, ec);
    throw;
  } catch (const std::exception& e) {
    fs::remove_all(tmp, ec);
    throw HlsMetaError(SourcePos{out.string(), 0, 0}, std::string("cannot write the rewritten project: ") + e.what());
  }
  report.writeMs = msSince(t0);
  report.outDir = out.string();
  for (const auto& [rel, _] : files) report.changedFiles.push_back(rel);

  if (options.verify) {
    // Re-read the result: every requested value must be reported back exactly.
    t0 = std::chrono::steady_clock::now();
    ReadOptions readOptions = impl_->options;
    for (const Request& r : impl_->requests)
      if (r.kind == Request::RenameTop) readOptions.top = r.text;  // the top now has that name
    HlsProject back = readHlsProject(out.string(), readOptions);
    for (const Request& r : impl_->requests) {
      if (r.kind == Request::Precision) {
        const HlsLayer& l = back.requireLayer(r.layer);
        auto it = l.precisions.find(r.role);
        if (it == l.precisions.end() || !it->second.known || it->second.type != r.type)
          throw HlsMetaError(l.call, "verification failed: " + r.layer + "." + r.role + " reads back as " +
                                         (it == l.precisions.end() ? std::string("nothing") : it->second.spelled));
      } else if (r.kind == Request::Reuse) {
        const HlsLayer& l = back.requireLayer(r.layer);
        if (l.reuseFactor != r.number) throw HlsMetaError(l.call, "verification failed: reuse factor reads back as " + std::to_string(l.reuseFactor));
      } else if (r.kind == Request::Strategy) {
        const HlsLayer& l = back.requireLayer(r.layer);
        if (l.strategy != r.text) throw HlsMetaError(l.call, "verification failed: strategy reads back as " + l.strategy);
      } else if (r.kind == Request::RenameTop) {
        if (back.topFunction != r.text) throw HlsMetaError(back.topPos, "verification failed: top reads back as " + back.topFunction);
      }
    }
    report.verifyMs = msSince(t0);
    report.readBack = std::move(back);
  }
  return report;
}

}  // namespace mmlc::meta
