// Precision rewrites: the typedef that spells a layer's type for one role (PrecisionRewriter), the
// re-quantised, re-laid-out weight headers and the fields that depend on weights and types
// (WeightRewriter), the check that every changed conversion is defined, and the fields that
// follow a layer's input type.
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
      // (A merge's second input, "input2", is another layer's result too.)
      auto data = [](const std::string& role) { return role == "result" || role == "input" || role == "input2"; };
      if (data(r.role) && data(u.second)) return true;
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

}  // namespace

void rewritePrecision(RewriteContext& c, const Request& r) { PrecisionRewriter(c).run(r); }
void rewriteWeights(RewriteContext& c) { WeightRewriter(c).run(); }

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
    else if (kind == "leaky_relu" || kind == "prelu") t.kind = Template::LeakyReLU;  // prelu: its slopes' param_t
    else if (kind == "resize_nearest") t.kind = Template::None;  // one data_T: no conversion
    else if (kind == "linear" || kind.rfind("zeropad", 0) == 0) t.kind = Template::Copy;
    else if (kind == "sigmoid" || kind == "tanh") t.kind = Template::Table;
    else if (kind == "softmax") t.kind = Template::Softmax;
    else if (kind == "add") t.kind = Template::Sum;
    else if (kind.rfind("concatenate", 0) == 0) t.kind = Template::Join;
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
    t.input2 = role("input2");
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
    // Only a softmax's in_width is the input's bit width: a convolution's or pooling's is geometry.
    if (c.p.model.layers[k].kind.rfind("softmax", 0) != 0) continue;
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


}  // namespace mmlc::meta::rewrite
