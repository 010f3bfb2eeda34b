// MLIRGen: one method per grammar rule, turning a .mml parse tree into the `mml` dialect. This
// file holds the entry point, locations and the symbols visible from a file; the rules are in
// MLIRGenDeclarations/Definitions/Statements/Expressions.cpp (MLIRGenImpl.h lists them).
#include "mml/FrontEnd/MLIRGen.h"
#include "MLIRGenImpl.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetOperations.h"
#include "llvm/Support/Path.h"

#include <cmath>

namespace mml::mlirgen {

std::string MLIRGenImpl::unquote(antlr4::Token *token) {
  std::string raw = token->getText();
  std::string out;
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 2 < raw.size()) { // the lexer guarantees an escaped character
      char n = raw[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += c;
    }
  }
  return out;
}

Type MLIRGenImpl::convertType(MMLParser::TypeRefContext *ctx) {
  std::string base = ctx->base->getText();
  Type type = llvm::StringSwitch<Type>(base)
                  .Case("dnn", DnnType::get(&context))
                  .Case("hls", HlsType::get(&context))
                  .Case("rtl", RtlType::get(&context))
                  .Case("data", DataType::get(&context))
                  .Case("device", DeviceType::get(&context))
                  .Case("metrics", MetricsType::get(&context))
                  .Case("int", builder.getI64Type())
                  .Case("float", builder.getF64Type())
                  .Case("bool", builder.getI1Type())
                  .Case("string", StringType::get(&context))
                  .Case("fixed", FixedType::get(&context))
                  .Default(Type());
  if (ctx->listSuffix) {
    if (isModelType(type) || isa<DataType, DeviceType, MetricsType>(type)) {
      error(ctx) << "lists of " << base << " are not supported; lists hold scalars";
      return {};
    }
    return ListType::get(type);
  }
  return type;
}

Operation *MLIRGenImpl::lookupSymbol(StringRef name) {
  if (Operation *op = SymbolTable::lookupSymbolIn(*module, name))
    return op;
  for (ModuleOp imported : importedModules)
    if (Operation *op = SymbolTable::lookupSymbolIn(imported, name))
      return op;
  return nullptr;
}

std::vector<std::string> MLIRGenImpl::visibleSymbols(bool callables) {
  std::vector<std::string> names;
  auto collect = [&](ModuleOp m) {
    for (Operation &op : m.getBody()->getOperations()) {
      auto name = op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
      if (!name || (callables && !getCalleeSignature(&op)) || name.getValue() == "main")
        continue;
      names.push_back(name.getValue().str());
    }
  };
  collect(*module);
  for (ModuleOp imported : importedModules)
    collect(imported);
  return names;
}

std::string MLIRGenImpl::suggestName(StringRef word, bool callables) {
  std::vector<std::string> names = visibleSymbols(callables);
  if (!callables)
    for (const auto &scope : scopes)
      for (const auto &entry : scope)
        names.push_back(entry.getKey().str());
  return mml::didYouMean(std::string_view(word.data(), word.size()), names);
}

LogicalResult MLIRGenImpl::checkNewSymbol(StringRef name, antlr4::ParserRuleContext *ctx) {
  if (Operation *existing = lookupSymbol(name)) {
    InFlightDiagnostic diag = error(ctx) << "'" << name << "' is already declared";
    diag.attachNote(existing->getLoc()) << "previous declaration is here";
    return failure();
  }
  return success();
}

} // namespace mml::mlirgen

using namespace mlir;
using namespace mml;
using mml::mlirgen::MLIRGenImpl;


OwningOpRef<ModuleOp> mml::mlirGen(MLIRContext &context, ModuleLoader &loader, StringRef source,
                                   StringRef fileName) {
  context.getOrLoadDialect<MMLDialect>();
  context.getOrLoadDialect<arith::ArithDialect>();
  StringAttr fileAttr = StringAttr::get(&context, fileName);
  bool hadSyntaxError = false;
  std::unique_ptr<ParsedFile> parsed = parseMML(source, [&](const SyntaxError &e) {
    hadSyntaxError = true;
    emitError(FileLineColLoc::get(fileAttr, e.line, e.column)) << e.message;
  });
  if (hadSyntaxError || !parsed->tree)
    return nullptr;
  MLIRGenImpl gen(context, loader, fileName);
  OwningOpRef<ModuleOp> module = gen.generate(parsed->tree);
  if (!module)
    return nullptr;
  return module;
}
