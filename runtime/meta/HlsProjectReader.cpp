// HlsProjectReader: parses an hls4ml-layout project's top .cpp with Clang 19 and builds the plain
// HlsProject model (layers, config structs, precisions, weight arrays, pragmas, loops) together
// with the AST nodes and file spans the rewrite passes need.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/TypeLoc.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Lex/Lexer.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/ADT/SmallString.h>

#include "hls/HlsProjectEmitter.h"
#include "meta/HlsProjectAst.h"

namespace fs = std::filesystem;

namespace mmlc::meta {

namespace detail {

using namespace clang;

std::string exactLiteral(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

SourcePos ParsedHlsProject::pos(SourceLocation loc) const {
  SourcePos p;
  if (loc.isInvalid()) return p;
  loc = sm().getExpansionLoc(loc);
  p.file = relPath(sm().getFileID(loc));
  p.line = sm().getExpansionLineNumber(loc);
  p.column = sm().getExpansionColumnNumber(loc);
  return p;
}

SourcePos ParsedHlsProject::pos(const Span& s) const {
  return pos(sm().getComposedLoc(s.file, s.begin));
}

std::string ParsedHlsProject::relPath(FileID fid) const {
  auto fe = sm().getFileEntryRefForID(fid);
  if (!fe) return "<unknown>";
  std::string name = fe->getName().str();
  if (name.compare(0, dir.size() + 1, dir + "/") == 0) return name.substr(dir.size() + 1);
  return name;
}

llvm::StringRef ParsedHlsProject::text(const Span& s) const {
  return sm().getBufferData(s.file).substr(s.begin, s.end - s.begin);
}

Span ParsedHlsProject::tokenSpan(SourceRange r, const char* what) const {
  if (r.getBegin().isMacroID() || r.getEnd().isMacroID())
    throw HlsMetaError(pos(r.getBegin()), std::string(what) + " is written inside a macro expansion; it cannot be rewritten");
  CharSourceRange cr = Lexer::getAsCharRange(r, sm(), ast->getLangOpts());
  Span s;
  s.file = sm().getFileID(cr.getBegin());
  s.begin = sm().getFileOffset(cr.getBegin());
  s.end = sm().getFileOffset(cr.getEnd());
  return s;
}

Span ParsedHlsProject::typeSpan(const TypedefNameDecl* td) const {
  TypeLoc tl = td->getTypeSourceInfo()->getTypeLoc();
  if (auto el = tl.getAs<ElaboratedTypeLoc>()) tl = el.getNamedTypeLoc();
  // nnet::array<ap_fixed<16,6>, N>: only the element type is the precision.
  if (auto ts = tl.getAs<TemplateSpecializationTypeLoc>()) {
    const TemplateDecl* t = ts.getTypePtr()->getTemplateName().getAsTemplateDecl();
    if (t && t->getQualifiedNameAsString() == "nnet::array" && ts.getNumArgs() >= 1 &&
        ts.getArgLoc(0).getArgument().getKind() == TemplateArgument::Type)
      return tokenSpan(ts.getArgLoc(0).getTypeSourceInfo()->getTypeLoc().getSourceRange(), "array element type");
  }
  return tokenSpan(td->getTypeSourceInfo()->getTypeLoc().getSourceRange(), ("the type of typedef " + td->getNameAsString()).c_str());
}

FileID ParsedHlsProject::loadExtraFile(const std::string& rel) const {
  auto fe = sm().getFileManager().getOptionalFileRef(dir + "/" + rel);
  if (!fe) return FileID();
  FileID fid = sm().translateFile(*fe);
  if (fid.isValid()) return fid;
  return sm().createFileID(*fe, SourceLocation(), SrcMgr::C_User);
}

bool fixedTypeOf(QualType t, hls::FixedType* out) {
  t = t.getCanonicalType();
  const auto* rt = t->getAs<RecordType>();
  if (!rt) return false;
  const auto* spec = dyn_cast<ClassTemplateSpecializationDecl>(rt->getDecl());
  if (!spec) return false;
  const std::string name = spec->getSpecializedTemplate()->getNameAsString();
  const TemplateArgumentList& args = spec->getTemplateArgs();
  auto intArg = [&](unsigned i, long long* v) {
    if (i >= args.size() || args[i].getKind() != TemplateArgument::Integral) return false;
    *v = args[i].getAsIntegral().getSExtValue();
    return true;
  };
  // Q and O are enums: map the enumerator's name (AP_RND, AP_SAT, ...) to our modes.
  auto enumName = [&](unsigned i) -> std::string {
    if (i >= args.size() || args[i].getKind() != TemplateArgument::Integral) return "";
    const auto* et = args[i].getIntegralType()->getAs<EnumType>();
    if (!et) return "";
    const llvm::APSInt v = args[i].getAsIntegral();
    for (const EnumConstantDecl* e : et->getDecl()->enumerators())
      if (llvm::APSInt::isSameValue(e->getInitVal(), v)) return e->getNameAsString();
    return "";
  };
  hls::FixedType ft;
  long long w = 0, i = 0;
  if (name == "ap_fixed" || name == "ap_ufixed") {
    if (!intArg(0, &w) || !intArg(1, &i)) return false;
    ft = name == "ap_fixed" ? hls::FixedType::fixed(int(w), int(i)) : hls::FixedType::ufixed(int(w), int(i));
    const std::string q = enumName(2), o = enumName(3);
    for (int m = 0; m <= int(hls::QuantMode::RND_CONV); ++m)
      if (q == hls::quantModeName(hls::QuantMode(m))) ft.quant = hls::QuantMode(m);
    for (int m = 0; m <= int(hls::OverflowMode::SAT_SYM); ++m)
      if (o == hls::overflowModeName(hls::OverflowMode(m))) ft.overflow = hls::OverflowMode(m);
  } else if (name == "ap_int" || name == "ap_uint") {
    if (!intArg(0, &w)) return false;
    ft = name == "ap_int" ? hls::FixedType::fixed(int(w), int(w)) : hls::FixedType::ufixed(int(w), int(w));
  } else if (name == "array" && spec->getQualifiedNameAsString() == "nnet::array" && args.size() >= 1 &&
             args[0].getKind() == TemplateArgument::Type) {
    // hls4ml io_stream: layer types are nnet::array<ap_fixed<...>, N>; the element is the precision.
    return fixedTypeOf(args[0].getAsType(), out);
  } else {
    return false;
  }
  *out = ft;
  return true;
}

namespace {


const Expr* stripExpr(const Expr* e) { return e ? e->IgnoreParenImpCasts() : nullptr; }

const VarDecl* varOf(const Expr* e) {
  if (const auto* d = dyn_cast_or_null<DeclRefExpr>(stripExpr(e))) return dyn_cast<VarDecl>(d->getDecl());
  return nullptr;
}

// Typedef names from the one written down to the one naming a non-typedef type.
std::vector<const TypedefNameDecl*> typedefChain(QualType t) {
  std::vector<const TypedefNameDecl*> chain;
  const Type* ty = t.getTypePtrOrNull();
  while (ty) {
    if (const auto* et = dyn_cast<ElaboratedType>(ty)) {
      ty = et->getNamedType().getTypePtrOrNull();
      continue;
    }
    // mmlc's io_stream layers write nnet::array<input_t, N> in the call itself: the element
    // typedef is the precision (hls4ml's own layout names the array type by a typedef instead,
    // whose element typeSpan() finds).
    if (const auto* ts = dyn_cast<TemplateSpecializationType>(ty); ts && chain.empty()) {
      const TemplateDecl* td = ts->getTemplateName().getAsTemplateDecl();
      const auto args = ts->template_arguments();
      if (td && td->getQualifiedNameAsString() == "nnet::array" && !args.empty() &&
          args[0].getKind() == TemplateArgument::Type) {
        ty = args[0].getAsType().getTypePtrOrNull();
        continue;
      }
    }
    const auto* tt = dyn_cast<TypedefType>(ty);
    if (!tt) break;
    chain.push_back(tt->getDecl());
    ty = tt->getDecl()->getUnderlyingType().getTypePtrOrNull();
  }
  return chain;
}


// Element type of a parameter/variable as written (arrays decay to pointers in parameters, but the
// written type keeps its typedef sugar in the TypeSourceInfo).
QualType writtenElementType(const VarDecl* v) {
  QualType t = v->getTypeSourceInfo() ? v->getTypeSourceInfo()->getType() : v->getType();
  if (const auto* dt = dyn_cast<DecayedType>(t.getTypePtr())) t = dt->getOriginalType();
  while (true) {
    const Type* ty = t.getTypePtr();
    if (const auto* at = dyn_cast<ArrayType>(ty)) {
      t = at->getElementType();
      continue;
    }
    if (const auto* pt = dyn_cast<PointerType>(ty)) {
      t = pt->getPointeeType();
      continue;
    }
    if (const auto* dt = dyn_cast<DecayedType>(ty)) {
      t = dt->getOriginalType();
      continue;
    }
    // A stream argument (`hls::stream<nnet::array<up1_t, 4> >&`): its packets' type.
    if (const auto* rt = dyn_cast<ReferenceType>(ty)) {
      t = rt->getPointeeType();
      continue;
    }
    if (const auto* et = dyn_cast<ElaboratedType>(ty)) {
      t = et->getNamedType();
      continue;
    }
    if (const auto* ts = dyn_cast<TemplateSpecializationType>(ty)) {
      const TemplateDecl* td = ts->getTemplateName().getAsTemplateDecl();
      const auto args = ts->template_arguments();
      if (td && td->getQualifiedNameAsString() == "hls::stream" && !args.empty() && args[0].getKind() == TemplateArgument::Type) {
        t = args[0].getAsType();
        continue;
      }
    }
    break;
  }
  return t;
}

std::string typedefDisplayName(const TypedefNameDecl* td) {
  if (const auto* rd = dyn_cast<CXXRecordDecl>(td->getDeclContext())) return rd->getNameAsString() + "::" + td->getNameAsString();
  return td->getNameAsString();
}

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}


class ProjectVisitor : public RecursiveASTVisitor<ProjectVisitor> {
 public:
  explicit ProjectVisitor(ParsedHlsProject& p) : p_(p) {}

  bool inProject(SourceLocation loc) {
    if (loc.isInvalid()) return false;
    FileID fid = p_.sm().getFileID(p_.sm().getExpansionLoc(loc));
    auto it = projectFiles_.find(fid.getHashValue());
    if (it != projectFiles_.end()) return it->second;
    bool in = false;
    if (auto fe = p_.sm().getFileEntryRefForID(fid)) {
      const std::string name = fe->getName().str();
      in = name.compare(0, p_.dir.size() + 1, p_.dir + "/") == 0 && name.find("/ap_types/") == std::string::npos;
    }
    projectFiles_[fid.getHashValue()] = in;
    return in;
  }

  bool TraverseDecl(Decl* d) {
    if (!d) return true;
    if (!isa<TranslationUnitDecl>(d) && !inProject(d->getLocation())) return true;
    const FunctionDecl* saved = current_;
    int savedCount = loopCount_;
    auto* fd = dyn_cast<FunctionDecl>(d);
    if (fd && fd->doesThisDeclarationHaveABody()) {
      current_ = fd;
      loopCount_ = 0;
      const std::string name = fd->getQualifiedNameAsString();
      if (!p_.functions.count(name)) {
        p_.functions[name] = fd;
        p_.model.functions.push_back(name);
      }
    }
    bool r = RecursiveASTVisitor::TraverseDecl(d);
    current_ = saved;
    if (fd && fd->doesThisDeclarationHaveABody()) loopCount_ = savedCount;
    return r;
  }

  bool VisitLabelStmt(LabelStmt* s) {
    labels_[s->getSubStmt()] = s->getName();
    return true;
  }
  bool VisitForStmt(ForStmt* s) { return addLoop(s, s->getBody()); }
  bool VisitWhileStmt(WhileStmt* s) { return addLoop(s, s->getBody()); }
  bool VisitDoStmt(DoStmt* s) { return addLoop(s, s->getBody()); }

 private:
  bool addLoop(Stmt* s, Stmt* body) {
    if (!current_ || s->getBeginLoc().isMacroID()) return true;
    LoopSite site;
    site.loop = s;
    site.body = body;
    site.function = current_;
    SourceLocation b = p_.sm().getExpansionLoc(s->getBeginLoc()), e = p_.sm().getExpansionLoc(s->getEndLoc());
    site.span.file = p_.sm().getFileID(b);
    site.span.begin = p_.sm().getFileOffset(b);
    site.span.end = p_.sm().getFileOffset(e) + 1;
    HlsLoop loop;
    loop.function = current_->getQualifiedNameAsString();
    auto lab = labels_.find(s);
    loop.id = lab != labels_.end() ? lab->second : "#" + std::to_string(loopCount_);
    ++loopCount_;
    loop.pos = p_.pos(s->getBeginLoc());
    p_.loops.push_back(site);
    p_.model.loops.push_back(loop);
    return true;
  }

  ParsedHlsProject& p_;
  const FunctionDecl* current_ = nullptr;
  int loopCount_ = 0;
  std::map<unsigned, bool> projectFiles_;
  std::map<const Stmt*, std::string> labels_;
};

// Layer calls are the calls made directly by the top function (in nested blocks too, but not in
// loops): nnet templates given a config struct, or project functions (mmlc's unrolled layers).
void collectCalls(const Stmt* s, std::vector<const CallExpr*>& out) {
  if (!s) return;
  if (isa<ForStmt>(s) || isa<WhileStmt>(s) || isa<DoStmt>(s)) return;
  if (const auto* c = dyn_cast<CallExpr>(s)) {
    out.push_back(c);
    return;
  }
  for (const Stmt* child : s->children()) collectCalls(child, out);
}

void addPrecision(ParsedHlsProject& p, HlsLayer& layer, LayerSite& site, const std::string& role, QualType written,
                  SourceLocation fallback) {
  HlsPrecision prec;
  std::vector<const TypedefNameDecl*> chain = typedefChain(written);
  for (const auto* td : chain) prec.typedefChain.push_back(typedefDisplayName(td));
  prec.known = fixedTypeOf(written, &prec.type);
  if (!chain.empty()) {
    const TypedefNameDecl* last = chain.back();
    SourceRange r = last->getTypeSourceInfo()->getTypeLoc().getSourceRange();
    if (!r.getBegin().isMacroID()) {
      Span s = p.tokenSpan(r, "typedef");
      prec.spelled = p.text(s).str();
      prec.pos = p.pos(s);
    } else {
      prec.spelled = last->getUnderlyingType().getAsString();
      prec.pos = p.pos(last->getLocation());
    }
  } else {
    prec.spelled = written.getAsString();
    prec.pos = p.pos(fallback);
  }
  layer.precisions[role] = prec;
  site.chains[role] = chain;
}

std::string layerKind(const std::string& callee) {
  std::string k = callee;
  size_t c = k.rfind("::");
  if (c != std::string::npos) k = k.substr(c + 2);
  return k;
}

// The element types of an HGQ-style per-element quantizer: a function whose body is only
// `out[i] = ap_fixed<...>(inp[i]);` or `out[i] = 0;` statements (pragmas aside), one per element.
// Returns false when the body has any other shape.
bool perElementQuantizer(const FunctionDecl* f, ASTContext& ctx, std::vector<hls::FixedType>* types) {
  const FunctionDecl* def = f ? f->getDefinition() : nullptr;
  if (!def || def->getNumParams() != 2 || !def->getBody()) return false;
  const auto* body = dyn_cast<CompoundStmt>(def->getBody());
  if (!body) return false;
  const ParmVarDecl* inP = def->getParamDecl(0);
  const ParmVarDecl* outP = def->getParamDecl(1);
  std::map<long long, hls::FixedType> byIndex;
  auto subscriptOf = [&](const Expr* e, const ParmVarDecl* param, long long* index) {
    const auto* ase = dyn_cast<ArraySubscriptExpr>(e->IgnoreParenImpCasts());
    if (!ase || varOf(ase->getBase()) != param) return false;
    Expr::EvalResult r;
    if (ase->getIdx()->isValueDependent() || !ase->getIdx()->EvaluateAsInt(r, ctx)) return false;
    *index = r.Val.getInt().getExtValue();
    return true;
  };
  for (const Stmt* st : body->body()) {
    if (const auto* ewc = dyn_cast<ExprWithCleanups>(st)) st = ewc->getSubExpr();
    const Expr* lhs = nullptr;
    const Expr* rhs = nullptr;
    if (const auto* op = dyn_cast<CXXOperatorCallExpr>(st); op && op->getOperator() == OO_Equal && op->getNumArgs() == 2) {
      lhs = op->getArg(0);
      rhs = op->getArg(1);
    } else if (const auto* bo = dyn_cast<BinaryOperator>(st); bo && bo->getOpcode() == BO_Assign) {
      lhs = bo->getLHS();
      rhs = bo->getRHS();
    } else {
      return false;
    }
    long long outIndex = 0;
    if (!subscriptOf(lhs, outP, &outIndex) || byIndex.count(outIndex)) return false;
    // Peel the conversions down to the written cast (or the literal 0).
    const Expr* e = rhs;
    while (true) {
      e = e->IgnoreParens();
      if (const auto* m = dyn_cast<MaterializeTemporaryExpr>(e)) e = m->getSubExpr();
      else if (const auto* b = dyn_cast<CXXBindTemporaryExpr>(e)) e = b->getSubExpr();
      else if (const auto* ic = dyn_cast<ImplicitCastExpr>(e)) e = ic->getSubExpr();
      else if (const auto* cc = dyn_cast<CXXConstructExpr>(e); cc && !isa<CXXTemporaryObjectExpr>(e) && cc->getNumArgs() == 1 &&
                                                              !cc->getArg(0)->getType()->isArithmeticType())
        e = cc->getArg(0);
      else break;
    }
    hls::FixedType t;
    if (const auto* zc = dyn_cast<CXXConstructExpr>(e);
        zc && zc->getNumArgs() == 1 && isa<IntegerLiteral>(zc->getArg(0)->IgnoreParenImpCasts()))
      e = zc->getArg(0)->IgnoreParenImpCasts();
    if (const auto* il = dyn_cast<IntegerLiteral>(e->IgnoreParenImpCasts()); il && il->getValue() == 0) {
      t.width = 0;  // the constant 0
      t.integer = 0;
    } else if (const auto* fc = dyn_cast<ExplicitCastExpr>(e)) {
      long long inIndex = 0;
      if (!fixedTypeOf(fc->getTypeAsWritten(), &t) || !subscriptOf(fc->getSubExprAsWritten(), inP, &inIndex) || inIndex != outIndex)
        return false;
    } else if (const auto* ce = dyn_cast<CXXConstructExpr>(e); ce && ce->getNumArgs() == 1) {
      long long inIndex = 0;
      if (!fixedTypeOf(ce->getType(), &t) || !subscriptOf(ce->getArg(0), inP, &inIndex) || inIndex != outIndex) return false;
    } else {
      return false;
    }
    byIndex[outIndex] = t;
  }
  if (byIndex.empty()) return false;
  const long long n = byIndex.rbegin()->first + 1;
  if (byIndex.begin()->first != 0 || static_cast<long long>(byIndex.size()) != n) return false;  // every element once
  types->clear();
  for (const auto& [i, t] : byIndex) types->push_back(t);
  return true;
}

bool isStreamType(QualType t) {
  t = t.getNonReferenceType();
  if (const auto* rd = t->getAsCXXRecordDecl()) return rd->getNameAsString() == "stream";
  return false;
}

void buildLayers(ParsedHlsProject& p) {
  std::vector<const CallExpr*> calls;
  collectCalls(p.top->getBody(), calls);
  ASTContext& ctx = p.ctx();
  // Weights loaded from text files at C-simulation time (hls4ml: load_weights_from_txt under
  // #ifndef __SYNTHESIS__): array -> file name as written.
  std::map<const VarDecl*, std::string> weightFiles;
  for (const CallExpr* c : calls) {
    const FunctionDecl* f = c->getDirectCallee();
    if (!f || c->getNumArgs() < 2 || f->getNameAsString().find("load_") != 0 ||
        f->getNameAsString().find("from_txt") == std::string::npos)
      continue;
    const VarDecl* v = varOf(c->getArg(0));
    if (const auto* sl = dyn_cast<StringLiteral>(c->getArg(1)->IgnoreParenImpCasts()); v && sl)
      weightFiles[v] = (f->getNameAsString() == "load_weights_from_txt" ? "" : f->getNameAsString() + ":") + sl->getString().str();
  }
  auto hasConfigArg = [](const CallExpr* c) {
    if (const auto* dre = dyn_cast<DeclRefExpr>(c->getCallee()->IgnoreParenImpCasts()))
      for (const TemplateArgumentLoc& a : dre->template_arguments()) {
        hls::FixedType ft;
        if (a.getArgument().getKind() == TemplateArgument::Type && a.getArgument().getAsType()->getAsCXXRecordDecl() &&
            !fixedTypeOf(a.getArgument().getAsType(), &ft))
          return true;
      }
    return false;
  };
  // A free function defined in a project file (not a template of nnet_utils, not an ap type's operator).
  auto isProjectFunction = [&p](const FunctionDecl* f) {
    const std::string q = f->getQualifiedNameAsString();
    return !isa<CXXMethodDecl>(f) && !f->isOverloadedOperator() && q.rfind("nnet::", 0) != 0 && p.functions.count(q) > 0;
  };
  std::vector<const CallExpr*> skipped;
  for (const CallExpr* topCall : calls) {
    const CallExpr* call = topCall;
    std::string nameHint;
    // io_stream: the top calls one process function per layer (stream_<layer>) that reads its
    // input stream, calls the layer kernel and writes the output stream; the kernel call is the layer.
    if (const FunctionDecl* outer = call->getDirectCallee(); outer && isProjectFunction(outer) && !hasConfigArg(call)) {
      std::vector<const CallExpr*> inner;
      collectCalls(outer->getDefinition()->getBody(), inner);
      for (const CallExpr* c : inner) {
        const FunctionDecl* f = c->getDirectCallee();
        if (!f || c->getNumArgs() < 2 || layerKind(f->getQualifiedNameAsString()).rfind("trace", 0) == 0) continue;
        if (hasConfigArg(c) || isProjectFunction(f)) {
          call = c;
          const std::string on = outer->getNameAsString();
          nameHint = on.find('_') != std::string::npos ? on.substr(on.find('_') + 1) : on;
          break;
        }
      }
    }
    const FunctionDecl* callee = call->getDirectCallee();
    if (!callee || call->getNumArgs() < 2) continue;
    const std::string qname = callee->getQualifiedNameAsString();
    const std::string base = layerKind(qname);
    if (base.rfind("trace", 0) == 0) continue;
    HlsLayer layer;
    LayerSite site;
    site.call = call;
    layer.function = qname;
    layer.call = p.pos(call->getBeginLoc());

    // Explicit template arguments as written (keeping typedef sugar): <input_t, layer2_t, config2>.
    std::vector<QualType> written;
    if (const auto* dre = dyn_cast<DeclRefExpr>(call->getCallee()->IgnoreParenImpCasts())) {
      for (const TemplateArgumentLoc& a : dre->template_arguments())
        if (a.getArgument().getKind() == TemplateArgument::Type) written.push_back(a.getArgument().getAsType());
    }
    for (const QualType& t : written) {
      const auto* rd = t->getAsCXXRecordDecl();
      hls::FixedType ft;
      if (rd && !fixedTypeOf(t, &ft)) site.config = rd;
    }
    const bool projectFunction = isProjectFunction(callee);
    std::vector<hls::FixedType> elementTypes;
    const bool quantizer = !site.config && !projectFunction && varOf(call->getArg(0)) && varOf(call->getArg(1)) &&
                           perElementQuantizer(callee, ctx, &elementTypes);
    if (!site.config && !projectFunction && !quantizer) {  // helpers without a config are not layers...
      // ...but a clone of a stream read by several layers connects them (hls4ml's clone_stream).
      if (call == topCall && base == "clone_stream" && call->getNumArgs() >= 3 && varOf(call->getArg(0))) {
        for (unsigned a = 1; a < call->getNumArgs(); ++a)
          if (const VarDecl* copy = varOf(call->getArg(a)))
            p.model.streamCopies[copy->getNameAsString()] = varOf(call->getArg(0))->getNameAsString();
        continue;
      }
      skipped.push_back(call);
      continue;
    }

    // The data arrays: (in, out), or (in, param, out) for parametrised activations (leaky_relu),
    // or (in, alpha, out) with a global array of one parameter per element (prelu).
    const VarDecl* inVar = varOf(call->getArg(0));
    const VarDecl* outVar = varOf(call->getArg(1));
    const VarDecl* paramArray = nullptr;
    auto isGlobalArray = [](const VarDecl* v) {
      return v && v->hasGlobalStorage() && !v->isStaticLocal() && v->getType()->isArrayType();
    };
    if (call->getNumArgs() == 3 && isGlobalArray(outVar) && varOf(call->getArg(2)) && !isGlobalArray(varOf(call->getArg(2)))) {
      paramArray = outVar;
      outVar = varOf(call->getArg(2));
      size_t dataTypes = 0;
      for (const QualType& t : written) dataTypes += t->getAsCXXRecordDecl() != site.config;
      if (dataTypes >= 3) {  // <data_T, param_T, res_T, CONFIG_T>
        addPrecision(p, layer, site, "param", written[1], call->getBeginLoc());
        written.erase(written.begin() + 1);
      }
    } else if (!outVar && call->getNumArgs() >= 3 && varOf(call->getArg(2))) {
      const Expr* param = call->getArg(1);
      outVar = varOf(call->getArg(2));
      layer.hasParam = true;
      SourceRange r = param->getSourceRange();
      if (!r.getBegin().isMacroID() && !r.getEnd().isMacroID()) layer.paramText = p.text(p.tokenSpan(r, "argument")).str();
      // The value as the argument spells it (`0.300000011920929`, converted to param_T by the call).
      const Expr* literal = param->IgnoreImplicit();
      while (const auto* ce = dyn_cast<CXXConstructExpr>(literal)) {
        if (ce->getNumArgs() != 1) break;
        literal = ce->getArg(0)->IgnoreImplicit();
      }
      Expr::EvalResult er;
      if (!literal->isValueDependent() && literal->EvaluateAsRValue(er, ctx)) {
        layer.hasParam = er.Val.isFloat() || er.Val.isInt();
        if (er.Val.isFloat()) layer.paramValue = er.Val.getFloat().convertToDouble();
        else if (er.Val.isInt()) layer.paramValue = static_cast<double>(er.Val.getInt().getExtValue());
      }
      // hls4ml 1.x: <data_T, param_T, res_T, CONFIG_T>; 0.x: <data_T, res_T, CONFIG_T> (alpha is data_T).
      size_t dataTypes = 0;
      for (const QualType& t : written) dataTypes += t->getAsCXXRecordDecl() != site.config;
      if (dataTypes >= 3) {
        addPrecision(p, layer, site, "param", written[1], call->getBeginLoc());
        written.erase(written.begin() + 1);
      }
    }
    // A merge (nnet::add, concatenate...): <input1_T, input2_T, res_T, CONFIG_T>(data1, data2, res).
    const VarDecl* in2Var = nullptr;
    if (!paramArray) {
      size_t dataTypes = 0;
      for (const QualType& t : written) dataTypes += t->getAsCXXRecordDecl() != site.config;
      if (!layer.hasParam && dataTypes == 3 && call->getNumArgs() == 3 && inVar && outVar && varOf(call->getArg(2)) &&
          layerKind(qname).rfind("separable_conv_", 0) != 0) {
        in2Var = outVar;
        outVar = varOf(call->getArg(2));
        addPrecision(p, layer, site, "input2", written[1], call->getBeginLoc());
        written.erase(written.begin() + 1);
      }
    }
    if (inVar) layer.inputVar = inVar->getNameAsString();
    if (outVar) layer.outputVar = outVar->getNameAsString();
    if (call != topCall) {  // a stream process: its arguments in the top connect it
      for (unsigned a = 0; a < topCall->getNumArgs(); ++a)
        if (const VarDecl* v = varOf(topCall->getArg(a))) layer.readsVars.push_back(v->getNameAsString());
      if (!layer.readsVars.empty()) {
        layer.writesVar = layer.readsVars.back();
        layer.readsVars.pop_back();
      }
    } else {
      if (inVar) layer.readsVars.push_back(inVar->getNameAsString());
      if (in2Var) layer.readsVars.push_back(in2Var->getNameAsString());
      layer.writesVar = layer.outputVar;
    }
    layer.streamIO = outVar && isStreamType(outVar->getType());
    layer.elementTypes = elementTypes;
    if (!nameHint.empty()) {
      layer.name = nameHint;
    } else if (outVar) {
      layer.name = outVar->getNameAsString();
      if (layer.name.size() > 4 && layer.name.compare(layer.name.size() - 4, 4, "_out") == 0)
        layer.name.resize(layer.name.size() - 4);
    } else {
      layer.name = base;
    }
    if (quantizer) {
      layer.kind = "quantize";
    } else if (projectFunction && !site.config) {
      layer.unrolledFunction = true;
      site.unrolled = callee->getDefinition();
      // mmlc names the function <kind>_<layer>; the config struct config_<layer>.
      size_t us = base.find('_');
      layer.kind = us == std::string::npos ? base : base.substr(0, us);
      for (const std::string& cand : std::vector<std::string>{"config_" + layer.name, "config" + layer.name}) {
        auto lookup = ctx.getTranslationUnitDecl()->lookup(&ctx.Idents.get(cand));
        for (NamedDecl* nd : lookup)
          if (const auto* rd = dyn_cast<CXXRecordDecl>(nd)) site.config = rd->getDefinition();
        if (site.config) break;
      }
    } else {
      layer.kind = base;
    }
    if (site.config) {
      layer.configStruct = site.config->getNameAsString();
      // A field of the config struct, or (prefix "depthwise_config::" / "pointwise_config::") of
      // the nested configs of separable_conv_1d/2d_cl.
      auto readField = [&](const VarDecl* v, const std::string& prefix) {
        HlsConfigField f;
        f.name = prefix + v->getNameAsString();
        f.pos = p.pos(v->getLocation());
        f.isFixed = fixedTypeOf(v->getType(), &f.type);
        // `static const slope_t slope;` with `const slope_t config3::slope = 0.2;` out of the class:
        // the initialiser of any redeclaration.
        const Expr* anyInit = v->getInit();
        for (const VarDecl* rd : v->redecls())
          if (!anyInit && rd->getInit()) anyInit = rd->getInit();
        // A class-typed constant (`ap_fixed<16,4> slope = 0.5`): the literal inside the conversion.
        while (anyInit) {
          const Expr* e = anyInit->IgnoreImplicit();
          const auto* ce = dyn_cast<CXXConstructExpr>(e);
          if (!ce || ce->getNumArgs() != 1) break;
          anyInit = ce->getArg(0);
        }
        if (const Expr* init = anyInit) {
          SourceRange r = init->getSourceRange();
          if (!r.getBegin().isMacroID() && !r.getEnd().isMacroID()) f.text = p.text(p.tokenSpan(r, "initialiser")).str();
          Expr::EvalResult er;
          if (!init->isValueDependent() && init->EvaluateAsInt(er, ctx)) {
            f.isInteger = true;
            f.value = er.Val.getInt().getExtValue();
          }
        }
        site.fields[f.name] = v;
        if (f.isInteger && prefix.empty()) {
          if (f.name == "n_in") layer.nIn = f.value;
          if (f.name == "n_out") layer.nOut = f.value;
          if (f.name == "reuse_factor") layer.reuseFactor = f.value;
          if (f.name == "n_zeros") layer.nZeros = f.value;
        }
        if (f.name == "strategy") layer.strategy = f.text.find("resource") != std::string::npos ? "resource" : f.text.find("latency") != std::string::npos ? "latency" : f.text;
        layer.config.push_back(f);
      };
      for (const Decl* d : site.config->decls()) {
        if (const auto* v = dyn_cast<VarDecl>(d)) {
          readField(v, "");
        } else if (const auto* td = dyn_cast<TypedefNameDecl>(d)) {
          const std::string name = td->getNameAsString();
          const CXXRecordDecl* nested = td->getUnderlyingType()->getAsCXXRecordDecl();
          if ((name == "depthwise_config" || name == "pointwise_config") && nested && nested->getDefinition()) {
            for (const Decl* nd : nested->getDefinition()->decls()) {
              if (const auto* v = dyn_cast<VarDecl>(nd)) {
                readField(v, name + "::");
              } else if (const auto* ntd = dyn_cast<TypedefNameDecl>(nd)) {
                std::string role = ntd->getNameAsString();
                if (role.size() > 2 && role.compare(role.size() - 2, 2, "_t") == 0) role.resize(role.size() - 2);
                addPrecision(p, layer, site, name + "::" + role, ctx.getTypedefType(ntd), ntd->getLocation());
              }
            }
            continue;
          }
          std::string role = name;
          if (role.size() > 2 && role.compare(role.size() - 2, 2, "_t") == 0) role.resize(role.size() - 2);
          addPrecision(p, layer, site, role, ctx.getTypedefType(td), td->getLocation());
        }
      }
    }
    // separable_conv_1d/2d_cl of hls4ml 1.x: <data_T, dw_res_T, res_T, CONFIG_T>, dw_res_T the type
    // between its depthwise and pointwise halves (0.8 has <data_T, res_T, CONFIG_T>, data_T between).
    const bool separable = layer.kind.rfind("separable_conv_", 0) == 0;
    size_t dataTypes = 0;
    for (const QualType& t : written) dataTypes += t->getAsCXXRecordDecl() != site.config;
    if (separable && dataTypes == 3) {
      addPrecision(p, layer, site, "depthwise_result", written[1], call->getBeginLoc());
      written.erase(written.begin() + 1);
    }
    // The data types as written, without the config (resize_nearest<data_T, CONFIG_T> names one:
    // its result is the output array's type).
    written.erase(std::remove_if(written.begin(), written.end(),
                                 [&](const QualType& t) { return site.config && t->getAsCXXRecordDecl() == site.config; }),
                  written.end());
    QualType inT = written.size() >= 1 ? written[0] : inVar ? writtenElementType(inVar) : QualType();
    QualType outT = written.size() >= 2 ? written[1] : outVar ? writtenElementType(outVar) : QualType();
    if (!inT.isNull()) addPrecision(p, layer, site, "input", inT, call->getBeginLoc());
    if (!outT.isNull()) addPrecision(p, layer, site, "result", outT, call->getBeginLoc());

    // Weight arrays: global arrays passed to the call, or referenced by the unrolled function.
    std::vector<const VarDecl*> arrays;
    auto consider = [&](const VarDecl* v) {
      if (v && v->hasGlobalStorage() && !v->isStaticLocal() && v->getType()->isArrayType() &&
          std::find(arrays.begin(), arrays.end(), v) == arrays.end())
        arrays.push_back(v);
    };
    consider(paramArray);
    for (unsigned a = 2; a < call->getNumArgs(); ++a) consider(varOf(call->getArg(a)));
    if (site.unrolled && site.unrolled->getBody()) {
      std::vector<const Stmt*> stack{site.unrolled->getBody()};
      while (!stack.empty()) {
        const Stmt* s = stack.back();
        stack.pop_back();
        if (!s) continue;
        if (const auto* d = dyn_cast<DeclRefExpr>(s)) consider(dyn_cast<VarDecl>(d->getDecl()));
        std::vector<const Stmt*> kids(s->child_begin(), s->child_end());
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
      }
    }
    // Order: the array whose element typedef is the config's weight_t chain first, then bias_t.
    // When weight_t and bias_t are the same typedef (hls4ml's model_default_t), the
    // position decides: templates take (weights, biases).
    auto roleOf = [&](const VarDecl* v, size_t position) -> std::string {
      std::vector<const TypedefNameDecl*> ch = typedefChain(writtenElementType(v));
      std::vector<std::string> matches;
      for (const char* role : {"weight", "bias"}) {
        auto it = site.chains.find(role);
        if (it == site.chains.end() || ch.empty()) continue;
        for (const auto* td : it->second)
          if (td == ch.front()) {
            matches.push_back(role);
            break;
          }
      }
      // separable_conv_1d/2d_cl(data, res, depthwise_weights, pointwise_weights, depthwise_biases,
      // pointwise_biases): by position.
      static const char* kSeparable[] = {"depthwise_weight", "pointwise_weight", "depthwise_bias", "pointwise_bias"};
      if (separable && position < 4) return kSeparable[position];
      if (matches.size() == 1) return matches.front();
      return position == 0 ? "weight" : "bias";
    };
    std::vector<std::pair<std::string, const VarDecl*>> tagged;
    for (size_t i = 0; i < arrays.size(); ++i) tagged.push_back({roleOf(arrays[i], i), arrays[i]});
    std::vector<std::pair<std::string, const VarDecl*>> ordered;
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& t : tagged)
        if ((t.first == "weight") == (pass == 0)) ordered.push_back(t);
    tagged.swap(ordered);
    for (const auto& [role, v] : tagged) {
      layer.weightArrays.push_back(v->getNameAsString());
      site.weightVars.push_back(v);
      HlsWeightArray w;
      w.name = v->getNameAsString();
      w.role = role;
      w.layer = layer.name;
      if (const auto* cat = ctx.getAsConstantArrayType(v->getType())) w.size = (long long)cat->getSize().getZExtValue();
      std::vector<const TypedefNameDecl*> ch = typedefChain(writtenElementType(v));
      w.elementType = ch.empty() ? writtenElementType(v).getAsString() : ch.front()->getNameAsString();
      w.pos = p.pos(v->getLocation());
      if (auto wf = weightFiles.find(v); wf != weightFiles.end()) w.textFile = wf->second;
      WeightSite ws;
      ws.var = v;
      p.model.weights.push_back(w);
      p.weights.push_back(ws);
    }
    layer.index = int(p.model.layers.size());
    p.model.layers.push_back(layer);
    p.layers.push_back(site);
  }
  // ...unless they read or write the network's data: a call mmlc does not understand there would
  // change what the network computes, so it is an error, not something to skip.
  std::set<std::string> dataVars;
  for (const HlsLayer& l : p.model.layers)
    for (const std::string& v : {l.inputVar, l.outputVar})
      if (!v.empty()) dataVars.insert(v);
  for (const ParmVarDecl* param : p.top->parameters()) dataVars.insert(param->getNameAsString());
  for (const CallExpr* c : skipped) {
    const VarDecl* in = varOf(c->getArg(0));
    const VarDecl* out = varOf(c->getArg(1));
    if ((in && dataVars.count(in->getNameAsString())) || (out && dataVars.count(out->getNameAsString())))
      throw HlsMetaError(p.pos(c->getBeginLoc()), "the top function calls " + c->getDirectCallee()->getQualifiedNameAsString() +
                                                      " on the network's data, which mmlc cannot model (it has no config struct and "
                                                      "is not a per-element quantizer)");
  }
}

// The values of an array that C simulation loads from a text file (hls4ml's weights/<name>.txt:
// one line of comma-separated numbers, read into the element type through a double). A missing
// or malformed file is an error at the file; the compiled-in initialiser is what synthesis uses,
// the text file what C simulation (and so mmlc) computes with.
void readWeightText(ParsedHlsProject& p, HlsWeightArray& w) {
  if (w.textFile.find(':') != std::string::npos)
    throw HlsMetaError(w.pos, w.name + " is loaded with nnet::" + w.textFile.substr(0, w.textFile.find(':')) +
                                  ", which mmlc cannot read (only load_weights_from_txt)");
  const std::string rel = "firmware/weights/" + w.textFile;
  std::ifstream in(fs::path(p.dir) / rel);
  if (!in) throw HlsMetaError(SourcePos{rel, 0, 0}, "cannot open the weights that C simulation loads into " + w.name);
  std::string line;
  std::vector<double> values;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    size_t start = 0;
    while (start <= line.size()) {
      size_t end = line.find(',', start);
      if (end == std::string::npos) end = line.size();
      std::string tok = line.substr(start, end - start);
      tok.erase(0, tok.find_first_not_of(" \t\r"));
      tok.erase(tok.find_last_not_of(" \t\r") + 1);
      if (!tok.empty()) {
        char* stop = nullptr;
        const double v = std::strtod(tok.c_str(), &stop);
        if (stop == tok.c_str() || *stop != '\0')
          throw HlsMetaError(SourcePos{rel, unsigned(lineNo), unsigned(start + 1)}, "not a number: '" + tok + "'");
        values.push_back(v);
      }
      start = end + 1;
    }
    break;  // load_weights_from_txt reads the first line only
  }
  if (static_cast<long long>(values.size()) != w.size)
    throw HlsMetaError(SourcePos{rel, 1, 0}, "has " + std::to_string(values.size()) + " values but " + w.name + " holds " +
                                                 std::to_string(w.size));
  w.values = std::move(values);
}

// Finds the first comma-separated run of exactly `size` numeric literals in the file declaring the
// array (the initialiser itself, or mmlc's `#define W_VALUES` list): raw lexing skips comments. A run
// counts only where values stand: after `{` or after the name a `#define` gives, never an array size
// (`w[1]`) or a loop bound, which a one-value array would otherwise take for its value.
void readWeightValues(ParsedHlsProject& p) {
  for (size_t k = 0; k < p.weights.size(); ++k) {
    HlsWeightArray& w = p.model.weights[k];
    WeightSite& site = p.weights[k];
    if (site.var->getLocation().isMacroID() || w.size <= 0) continue;
    FileID fid = p.sm().getFileID(site.var->getLocation());
    const unsigned declOffset = p.sm().getFileOffset(site.var->getLocation());
    llvm::StringRef buf = p.sm().getBufferData(fid);
    Lexer lex(p.sm().getLocForStartOfFile(fid), p.ast->getLangOpts(), buf.begin(), buf.begin(), buf.end());
    // Every run of exactly `size` literals; the one right after the declaration (hls4ml's
    // initialiser) wins, else the last one before it (mmlc's #define list precedes the array).
    struct Run {
      std::vector<Span> spans;
      std::vector<double> values;
      bool valuePosition = false;  // starts after `{` or a #define'd name
    };
    std::vector<Run> runs;
    Run cur;
    Token tok;
    bool expectNumber = true;
    unsigned pendingMinus = ~0u;
    // What precedes the current token: `{`, or the name right after `#define`.
    bool afterValueOpener = false, afterDefine = false;
    auto endRun = [&]() {
      if ((long long)cur.values.size() == w.size && cur.valuePosition) runs.push_back(std::move(cur));
      cur = Run();
      pendingMinus = ~0u;
      expectNumber = true;
    };
    while (true) {
      lex.LexFromRawLexer(tok);
      if (tok.is(tok::eof)) break;
      const bool opener = afterValueOpener;
      afterValueOpener = tok.is(tok::l_brace) || (afterDefine && tok.is(tok::raw_identifier));
      afterDefine = tok.is(tok::raw_identifier) && tok.getRawIdentifier() == "define";
      const unsigned off = p.sm().getFileOffset(tok.getLocation());
      if (cur.values.empty() && pendingMinus == ~0u && (tok.is(tok::minus) || tok.is(tok::numeric_constant)))
        cur.valuePosition = opener;
      if (tok.is(tok::minus) && expectNumber && pendingMinus == ~0u) {
        pendingMinus = off;
        continue;
      }
      if (tok.is(tok::numeric_constant) && expectNumber) {
        std::string t(buf.data() + off, tok.getLength());
        double v = std::strtod(t.c_str(), nullptr);
        cur.spans.push_back(Span{fid, pendingMinus != ~0u ? pendingMinus : off, off + tok.getLength()});
        cur.values.push_back(pendingMinus != ~0u ? -v : v);
        pendingMinus = ~0u;
        expectNumber = false;
        continue;
      }
      if (tok.is(tok::comma) && !expectNumber) {
        expectNumber = true;
        continue;
      }
      endRun();
      if (tok.is(tok::minus)) pendingMinus = off;
    }
    endRun();
    const Run* chosen = nullptr;
    for (const Run& r : runs)
      if (r.spans.front().begin > declOffset) {
        chosen = &r;
        break;
      }
    if (!chosen)
      for (const Run& r : runs)
        if (r.spans.front().begin < declOffset) chosen = &r;
    if (chosen) {
      w.values = chosen->values;
      site.literals = chosen->spans;
    }
    if (!w.textFile.empty()) readWeightText(p, w);
  }
}

void parsePragmaContent(const std::string& content, HlsPragma& pr) {
  // Collapse "II = 1" into "II=1" and split into words.
  std::string c;
  for (size_t i = 0; i < content.size(); ++i) {
    char ch = content[i];
    if (ch == '=') {
      while (!c.empty() && std::isspace(static_cast<unsigned char>(c.back()))) c.pop_back();
      c += '=';
      while (i + 1 < content.size() && std::isspace(static_cast<unsigned char>(content[i + 1]))) ++i;
    } else if (ch == '\\' && i + 1 < content.size() && content[i + 1] == '\n') {
      c += ' ';
      ++i;
    } else {
      c += std::isspace(static_cast<unsigned char>(ch)) ? ' ' : ch;
    }
  }
  std::istringstream in(c);
  std::string word;
  std::vector<std::string> words;
  while (in >> word) words.push_back(word);
  if (!words.empty() && upper(words[0]) == "HLS") words.erase(words.begin());
  if (words.empty()) return;
  pr.directive = upper(words[0]);
  pr.text = pr.directive;
  for (size_t i = 1; i < words.size(); ++i) {
    pr.text += " " + words[i];
    size_t eq = words[i].find('=');
    if (eq == std::string::npos) pr.options[words[i]] = "";
    else pr.options[words[i].substr(0, eq)] = words[i].substr(eq + 1);
  }
}

void readPragmas(ParsedHlsProject& p) {
  SourceManager& sm = p.sm();
  std::set<std::string> seen;
  std::vector<FileID> files;
  for (unsigned i = 0; i < sm.local_sloc_entry_size(); ++i) {
    const SrcMgr::SLocEntry& e = sm.getLocalSLocEntry(i);
    if (!e.isFile()) continue;
    FileID fid = sm.getFileID(SourceLocation::getFromRawEncoding(e.getOffset()));
    auto fe = sm.getFileEntryRefForID(fid);
    if (!fe) continue;
    const std::string name = fe->getName().str();
    if (name.compare(0, p.dir.size() + 1, p.dir + "/") != 0 || name.find("/ap_types/") != std::string::npos) continue;
    if (!seen.insert(name).second) continue;
    files.push_back(fid);
  }
  for (FileID fid : files) {
    llvm::StringRef buf = sm.getBufferData(fid);
    Lexer lex(sm.getLocForStartOfFile(fid), p.ast->getLangOpts(), buf.begin(), buf.begin(), buf.end());
    // Raw tokens of the whole file (comments and strings are skipped by the lexer).
    struct Tk {
      tok::TokenKind kind;
      unsigned off, len;
      bool bol;
      std::string ident;
    };
    std::vector<Tk> toks;
    {
      Token t;
      while (true) {
        lex.LexFromRawLexer(t);
        if (t.is(tok::eof)) break;
        toks.push_back(Tk{t.getKind(), sm.getFileOffset(t.getLocation()), t.getLength(), t.isAtStartOfLine(),
                          t.is(tok::raw_identifier) ? t.getRawIdentifier().str() : std::string()});
      }
    }
    bool usesMacro = false;
    auto lineEnd = [&](unsigned off) {
      while (off < buf.size() && buf[off] != '\n') {
        if (buf[off] == '\\' && off + 1 < buf.size() && buf[off + 1] == '\n') off += 2;
        else ++off;
      }
      return off;
    };
    auto addPragma = [&](unsigned begin, unsigned end, const std::string& content, bool macro) {
      HlsPragma pr;
      parsePragmaContent(content, pr);
      if (pr.directive.empty()) return;
      pr.macroForm = macro;
      PragmaSite site;
      site.span = Span{fid, begin, end};
      unsigned ls = begin;
      while (ls > 0 && buf[ls - 1] != '\n') --ls;
      unsigned le = end;
      while (le < buf.size() && buf[le] != '\n') ++le;
      bool alone = true;
      for (unsigned i = ls; i < begin; ++i) alone &= buf[i] == ' ' || buf[i] == '\t';
      for (unsigned i = end; i < le; ++i) alone &= buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r';
      site.aloneOnLine = alone;
      site.lineSpan = Span{fid, ls, le < buf.size() ? le + 1 : le};
      pr.pos = p.pos(site.span);
      // Innermost enclosing function and loop, by file offsets.
      const FunctionDecl* bestF = nullptr;
      unsigned bestFLen = ~0u;
      for (const auto& [name, fd] : p.functions) {
        SourceLocation b = sm.getExpansionLoc(fd->getBody()->getBeginLoc()), e = sm.getExpansionLoc(fd->getBody()->getEndLoc());
        if (sm.getFileID(b) != fid) continue;
        unsigned ob = sm.getFileOffset(b), oe = sm.getFileOffset(e);
        if (ob < begin && begin < oe && oe - ob < bestFLen) {
          bestF = fd;
          bestFLen = oe - ob;
          pr.function = name;
        }
      }
      unsigned bestLLen = ~0u;
      for (size_t i = 0; i < p.loops.size(); ++i) {
        const LoopSite& l = p.loops[i];
        if (l.span.file != fid || l.function != bestF) continue;
        if (l.span.begin < begin && begin < l.span.end && l.span.end - l.span.begin < bestLLen) {
          bestLLen = l.span.end - l.span.begin;
          pr.loop = p.model.loops[i].id;
        }
      }
      p.model.pragmas.push_back(pr);
      p.pragmas.push_back(site);
    };
    for (size_t i = 0; i < toks.size(); ++i) {
      const Tk& t = toks[i];
      if (t.kind == tok::hash && t.bol && i + 2 < toks.size() && toks[i + 1].ident == "pragma" && !toks[i + 1].bol &&
          upper(toks[i + 2].ident) == "HLS" && !toks[i + 2].bol) {
        unsigned cb = toks[i + 2].off, end = lineEnd(t.off);
        while (end > cb && std::isspace(static_cast<unsigned char>(buf[end - 1]))) --end;
        addPragma(t.off, end, buf.substr(cb, end - cb).str(), false);
        while (i + 1 < toks.size() && !toks[i + 1].bol) ++i;
        continue;
      }
      if (t.ident == "MMLC_HLS_PRAGMA" && !(i > 0 && toks[i - 1].ident == "define") && i + 1 < toks.size() &&
          toks[i + 1].kind == tok::l_paren) {
        int depth = 0;
        size_t j = i + 1;
        for (; j < toks.size(); ++j) {
          if (toks[j].kind == tok::l_paren) ++depth;
          if (toks[j].kind == tok::r_paren && --depth == 0) break;
        }
        if (j >= toks.size()) break;
        usesMacro = true;
        const unsigned cb = toks[i + 1].off + 1, ce = toks[j].off;
        addPragma(t.off, ce + 1, buf.substr(cb, ce - cb).str(), true);
        i = j;
      }
    }
    p.macroPragmaFiles[fid.getHashValue()] = usesMacro;
  }
}

// The standard headers that ap_fixed.h, hls_stream.h and the layer templates pull in (<ostream>,
// <cmath>, ...) take ~40% of a project's parse; they are precompiled once per machine into
// $TMPDIR/mmlc-meta-pch-<uid>/ with the clang++ matching our libclang and passed as -include-pch.
// Any problem (no clang++, a stale or rejected PCH) just means parsing without it.
std::string stdHeadersPch() {
  static const std::string path = []() -> std::string {
    if (const char* off = std::getenv("MMLC_META_NO_PCH"); off && *off) return "";
    std::error_code ec;
    const fs::path dir = fs::temp_directory_path(ec) / ("mmlc-meta-pch-" + std::to_string(::getuid()));
    fs::create_directories(dir, ec);
    if (ec) return "";
    static const char* headers[] = {"cmath", "cstdint", "cstdio", "cstdlib", "ostream", "type_traits", "deque", "string"};
    std::string text;
    for (const char* h : headers) text += std::string("#include <") + h + ">\n";
    const std::string key = std::to_string(std::hash<std::string>()(text + MMLC_CLANG_BINARY + MMLC_CLANG_RESOURCE_DIR));
    const fs::path header = dir / ("std-" + key + ".h"), pch = dir / ("std-" + key + ".pch");
    if (fs::exists(pch, ec)) return pch.string();
    const std::string tmp = pch.string() + "." + std::to_string(::getpid());
    {
      std::ofstream out(header.string() + "." + std::to_string(::getpid()));
      out << text;
    }
    fs::rename(header.string() + "." + std::to_string(::getpid()), header, ec);
    const std::string cmd = std::string("'") + MMLC_CLANG_BINARY + "' -std=c++14 -w -x c++-header '" + header.string() +
                            "' -resource-dir='" MMLC_CLANG_RESOURCE_DIR "' -o '" + tmp + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      fs::remove(tmp, ec);
      return "";
    }
    fs::rename(tmp, pch, ec);  // atomic: concurrent generators all end with a complete file
    return ec ? "" : pch.string();
  }();
  return path;
}

std::string readFileText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::unique_ptr<ParsedHlsProject> parseHlsProject(const std::string& dirArg, const ReadOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SourcePos dirPos{dirArg, 0, 0};
  std::error_code ec;
  if (!fs::is_directory(dirArg, ec)) throw HlsMetaError(dirPos, "not a directory");
  const fs::path dir = fs::canonical(dirArg, ec);
  const fs::path fw = dir / "firmware";
  if (!fs::is_directory(fw, ec)) throw HlsMetaError(dirPos, "not an HLS project: no firmware/ folder");
  std::vector<fs::path> cpps;
  for (const auto& e : fs::directory_iterator(fw))
    if (e.is_regular_file() && e.path().extension() == ".cpp") cpps.push_back(e.path());
  std::sort(cpps.begin(), cpps.end());
  if (cpps.empty()) throw HlsMetaError(SourcePos{dirArg + "/firmware", 0, 0}, "not an HLS project: no firmware/*.cpp top file");
  // hls4ml's VivadoAccelerator wrapper (firmware/<network>_axi.cpp) is not the network: the
  // network is read from <network>.cpp, the wrapper on the side (readAxiWrapper).
  auto isAxiWrapper = [&](const fs::path& cpp) {
    const std::string stem = cpp.stem().string();
    return stem.size() > 4 && stem.compare(stem.size() - 4, 4, "_axi") == 0 &&
           fs::exists(fw / (stem.substr(0, stem.size() - 4) + ".cpp"));
  };
  std::string top = options.top;
  if (!top.empty() && isAxiWrapper(fw / (top + ".cpp"))) top = top.substr(0, top.size() - 4);
  cpps.erase(std::remove_if(cpps.begin(), cpps.end(), isAxiWrapper), cpps.end());
  fs::path topCpp = cpps.front();
  if (!top.empty() && fs::exists(fw / (top + ".cpp"))) {
    topCpp = fw / (top + ".cpp");
  } else if (cpps.size() > 1) {
    // Prefer the .cpp with a matching testbench or header (hls4ml: <top>_test.cpp, firmware/<top>.h).
    for (const auto& c : cpps)
      if (fs::exists(dir / (c.stem().string() + "_test.cpp")) || fs::exists(fw / (c.stem().string() + ".h"))) {
        topCpp = c;
        break;
      }
  }

  auto p = std::make_unique<ParsedHlsProject>();
  p->dir = dir.string();
  p->model.dir = dirArg;
  std::vector<std::string> args = {"-std=c++14", "-xc++", "-w", "-I" + fw.string()};
  for (const auto& inc : options.includeDirs) args.push_back("-I" + inc);
  // ap types: the project's own copy, else the vendor's ($MMLC_AP_TYPES_DIR), else mmlc's, so a
  // project brought without headers (Vivado/Vitis provide them at synthesis) still parses.
  const char* vendorAp = std::getenv("MMLC_AP_TYPES_DIR");
  if (fs::is_directory(fw / "ap_types")) args.push_back("-I" + (fw / "ap_types").string());
  if (vendorAp && *vendorAp) args.push_back(std::string("-I") + vendorAp);
  if (!fs::exists(fw / "ap_fixed.h")) args.push_back("-I" + hls::hlsTemplateDir());
  args.push_back("-resource-dir=" MMLC_CLANG_RESOURCE_DIR);
  for (const auto& a : options.extraArgs) args.push_back(a);

  const std::string code = readFileText(topCpp);
  // Each attempt gets its own consumer, kept alive as long as the AST that reports to it.
  auto parse = [&](const std::vector<std::string>& a) -> FirstErrorConsumer& {
    auto consumer = std::make_unique<FirstErrorConsumer>(p->dir);
    FirstErrorConsumer& ref = *consumer;
    p->ast.reset();
    p->diagnostics.push_back(std::move(consumer));
    p->ast = tooling::buildASTFromCodeWithArgs(code, a, topCpp.string(), "mmlc-meta", std::make_shared<PCHContainerOperations>(),
                                               tooling::getClangStripDependencyFileAdjuster(), tooling::FileContentMappings(), &ref);
    return ref;
  };
  static std::atomic<bool> pchRejected{false};
  const std::string pch = options.extraArgs.empty() && !pchRejected ? stdHeadersPch() : std::string();
  FirstErrorConsumer* result = nullptr;
  std::vector<std::string> usedArgs = args;
  if (!pch.empty()) {
    std::vector<std::string> withPch = args;
    withPch.push_back("-include-pch");
    withPch.push_back(pch);
    result = &parse(withPch);
    if (result->message.empty() && p->ast) usedArgs = withPch;
  }
  // Without the precompiled standard headers: none, stale, or an error to report exactly as
  // a plain parse sees it.
  if (!result || !result->message.empty() || !p->ast) {
    const bool triedPch = result != nullptr;
    result = &parse(args);
    if (triedPch && result->message.empty() && p->ast) {
      // The plain parse works, so the PCH is what failed (e.g. headers updated): drop it; the
      // next process regenerates it.
      pchRejected = true;
      std::error_code ec;
      fs::remove(pch, ec);
    }
  }
  const FirstErrorConsumer& diags = *result;
  if (!diags.message.empty()) {
    SourcePos pos = diags.pos;
    if (pos.file.empty()) pos.file = fs::relative(topCpp, dir).string();
    throw HlsMetaError(pos, "C++ does not parse: " + diags.message);
  }
  if (!p->ast) throw HlsMetaError(SourcePos{fs::relative(topCpp, dir).string(), 0, 0}, "C++ does not parse");

  ProjectVisitor visitor(*p);
  visitor.TraverseDecl(p->ctx().getTranslationUnitDecl());

  // The top function: defined in the top .cpp, named like the file (hls4ml) or the only one there.
  const std::string stem = topCpp.stem().string();
  FileID mainFile = p->sm().getMainFileID();
  std::vector<const FunctionDecl*> candidates;
  const std::string wanted = top.empty() ? stem : top;
  for (const auto& [name, fd] : p->functions) {
    if (p->sm().getFileID(p->sm().getExpansionLoc(fd->getLocation())) != mainFile) continue;
    if (fd->getNameAsString() == wanted) {
      p->top = fd;
      break;
    }
    if (fd->getStorageClass() != SC_Static && !fd->isInlined()) candidates.push_back(fd);
  }
  if (!p->top && !top.empty()) {
    std::string defined;
    for (const FunctionDecl* fd : candidates) defined += (defined.empty() ? "" : ", ") + fd->getNameAsString();
    throw HlsMetaError(SourcePos{fs::relative(topCpp, dir).string(), 0, 0},
                       "no top function '" + top + "' (non-static functions defined here: " +
                           (defined.empty() ? "none" : defined) + ")");
  }
  if (!p->top && candidates.size() == 1) p->top = candidates.front();
  if (!p->top)
    throw HlsMetaError(SourcePos{fs::relative(topCpp, dir).string(), 0, 0},
                       "cannot find the top function: no function named '" + stem + "' and " + std::to_string(candidates.size()) +
                           " other candidates");
  p->model.topFunction = p->top->getNameAsString();
  p->model.topFile = fs::relative(topCpp, dir).string();
  p->model.topPos = p->pos(p->top->getLocation());

  buildLayers(*p);
  p->model.axiWrapper = readAxiWrapper(p->dir, p->model.topFunction, usedArgs);
  if (options.readWeightValues) readWeightValues(*p);
  readPragmas(*p);
  p->model.parseMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

}  // namespace detail

}  // namespace mmlc::meta
