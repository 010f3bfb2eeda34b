// Reuse rewrites: reuse factor and strategy of a layer's config struct, and the checks that the
// layer's template supports them (ReuseRewriter).
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

}  // namespace

void rewriteReuse(RewriteContext& c, const Request& r) { ReuseRewriter(c).setReuse(r); }
void rewriteStrategy(RewriteContext& c, const Request& r) { ReuseRewriter(c).setStrategy(r); }

}  // namespace mmlc::meta::rewrite
