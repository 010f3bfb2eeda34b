// Reads hls4ml's VivadoAccelerator AXI wrapper (firmware/<network>_axi.cpp): which function wraps
// the network, its interface, and the values its ports carry (float, double or an ap type).
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Lex/Lexer.h>
#include <clang/Tooling/Tooling.h>

#include "meta/HlsProjectAst.h"

namespace fs = std::filesystem;
using namespace clang;

namespace mmlc::meta::detail {
namespace {

class CallFinder : public RecursiveASTVisitor<CallFinder> {
 public:
  explicit CallFinder(std::string callee) : callee_(std::move(callee)) {}
  bool VisitCallExpr(CallExpr* c) {
    if (const FunctionDecl* f = c->getDirectCallee(); f && f->getNameAsString() == callee_) found = true;
    return true;
  }
  bool found = false;

 private:
  std::string callee_;
};

// The value a port element carries: an ap type, float/double, or (axi_stream packets) the `data`
// member of a struct. False when it is none of these.
bool portValue(QualType element, HlsPrecision* value, bool* packet) {
  const QualType t = element.getCanonicalType();
  if (t->isSpecificBuiltinType(BuiltinType::Float) || t->isSpecificBuiltinType(BuiltinType::Double)) {
    value->spelled = t->isSpecificBuiltinType(BuiltinType::Float) ? "float" : "double";
    value->known = false;
    return true;
  }
  hls::FixedType ft;
  if (fixedTypeOf(t, &ft)) {
    value->type = ft;
    value->known = true;
    value->spelled = ft.toCpp();
    return true;
  }
  if (packet) {
    if (const auto* rd = t->getAsCXXRecordDecl())
      for (const FieldDecl* f : rd->fields())
        if (f->getName() == "data") {
          *packet = true;
          return portValue(f->getType(), value, nullptr);
        }
  }
  return false;
}

}  // namespace

HlsAxiWrapper readAxiWrapper(const std::string& projectDir, const std::string& networkFunction, const std::vector<std::string>& args) {
  HlsAxiWrapper w;
  const std::string rel = "firmware/" + networkFunction + "_axi.cpp";
  const fs::path file = fs::path(projectDir) / rel;
  if (!fs::exists(file)) return w;
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string code = text.str();

  FirstErrorConsumer diags(projectDir);
  std::unique_ptr<ASTUnit> ast = tooling::buildASTFromCodeWithArgs(
      code, args, file.string(), "mmlc-meta", std::make_shared<PCHContainerOperations>(), tooling::getClangStripDependencyFileAdjuster(),
      tooling::FileContentMappings(), &diags);
  if (!diags.message.empty()) {
    SourcePos pos = diags.pos;
    if (pos.file.empty()) pos.file = rel;
    throw HlsMetaError(pos, "C++ of the AXI wrapper does not parse: " + diags.message);
  }
  if (!ast) throw HlsMetaError(SourcePos{rel, 0, 0}, "C++ of the AXI wrapper does not parse");
  SourceManager& sm = ast->getSourceManager();
  auto posOf = [&](SourceLocation loc) {
    const PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
    return p.isValid() ? SourcePos{rel, p.getLine(), p.getColumn()} : SourcePos{rel, 0, 0};
  };

  // The wrapper: <network>_axi defined in the file (hls4ml's name), else the only function there
  // that calls the network.
  const FunctionDecl* wrapper = nullptr;
  std::vector<const FunctionDecl*> callers;
  for (const Decl* d : ast->getASTContext().getTranslationUnitDecl()->decls()) {
    const auto* f = dyn_cast<FunctionDecl>(d);
    if (!f || !f->doesThisDeclarationHaveABody() || !sm.isInMainFile(sm.getExpansionLoc(f->getLocation()))) continue;
    CallFinder finder(networkFunction);
    finder.TraverseStmt(f->getBody());
    if (f->getNameAsString() == networkFunction + "_axi") {
      if (!finder.found)
        throw HlsMetaError(posOf(f->getLocation()), "the AXI wrapper " + f->getNameAsString() + " does not call the network function " +
                                                        networkFunction);
      wrapper = f;
      break;
    }
    if (finder.found) callers.push_back(f);
  }
  if (!wrapper && callers.size() == 1) wrapper = callers.front();
  if (!wrapper)
    throw HlsMetaError(SourcePos{rel, 0, 0}, "no function here wraps the network function " + networkFunction + " (hls4ml writes " +
                                                 networkFunction + "_axi)");
  w.function = wrapper->getNameAsString();
  w.file = rel;
  w.pos = posOf(wrapper->getLocation());

  if (wrapper->getNumParams() != 2)
    throw HlsMetaError(w.pos, "the AXI wrapper " + w.function + " has " + std::to_string(wrapper->getNumParams()) +
                                  " parameters; hls4ml's wrapper has an input and an output array");
  for (unsigned k = 0; k < 2; ++k) {
    const ParmVarDecl* param = wrapper->getParamDecl(k);
    QualType original = param->getOriginalType();
    QualType element;
    if (const auto* at = ast->getASTContext().getAsArrayType(original)) element = at->getElementType();
    else if (original->isPointerType()) element = original->getPointeeType();
    if (element.isNull())
      throw HlsMetaError(posOf(param->getLocation()), "the AXI wrapper's parameter '" + param->getNameAsString() + "' is not an array");
    bool packet = false;
    HlsPrecision& value = k == 0 ? w.inputValue : w.outputValue;
    if (!portValue(element, &value, &packet))
      throw HlsMetaError(posOf(param->getLocation()), "the AXI wrapper's port '" + param->getNameAsString() + "' carries " +
                                                          element.getAsString() + "; mmlc models float, double, ap types and "
                                                          "axi_stream packets of them");
    value.pos = posOf(param->getLocation());
    (k == 0 ? w.inputElement : w.outputElement) = element.getUnqualifiedType().getAsString();
    if (const auto* ca = dyn_cast_or_null<ConstantArrayType>(ast->getASTContext().getAsArrayType(original)))
      (k == 0 ? w.inputSize : w.outputSize) = static_cast<long long>(ca->getSize().getZExtValue());
    w.packets = w.packets || packet;
  }

  // The interface, from the pragma on the input port (hls4ml: axis, s_axilite or m_axi).
  const std::string body = Lexer::getSourceText(CharSourceRange::getTokenRange(wrapper->getSourceRange()), sm, ast->getLangOpts()).str();
  std::smatch m;
  static const std::regex interfacePragma(R"(#\s*pragma\s+HLS\s+INTERFACE\s+(\w+)\b[^\n]*?\bport\s*=\s*(\w+))", std::regex::icase);
  const std::string inName = wrapper->getParamDecl(0)->getNameAsString();
  for (auto it = std::sregex_iterator(body.begin(), body.end(), interfacePragma); it != std::sregex_iterator(); ++it) {
    if ((*it)[2] != inName) continue;
    const std::string mode = (*it)[1];
    w.interface = mode == "axis" ? "axi_stream" : mode == "s_axilite" ? "axi_lite" : mode == "m_axi" ? "axi_master" : mode;
  }
  return w;
}

}  // namespace mmlc::meta::detail
