// MLIRGen: one method per grammar rule, turning a .mml parse tree into the `mml` dialect.
#include "mml/FrontEnd/MLIRGen.h"
#include "ParsedFile.h"
#include "mml/Dialect/MML/MMLOps.h"
#include "mml/FrontEnd/ModuleLoader.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopedHashTable.h"
#include "llvm/ADT/SetOperations.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace mlir;
using namespace mml;
using namespace mmlgrammar;
using llvm::StringRef;

namespace {

/// Names assigned by a statement list: `maybe` anywhere inside, `definitely` on every path.
struct Assignments {
  llvm::StringSet<> maybe, definitely;
};

class MLIRGenImpl {
public:
  MLIRGenImpl(MLIRContext &context, ModuleLoader &loader, StringRef fileName)
      : context(context), builder(&context), loader(loader), fileName(fileName.str()),
        fileAttr(StringAttr::get(&context, fileName)) {}

  OwningOpRef<ModuleOp> generate(MMLParser::ModuleContext *tree) {
    module = ModuleOp::create(FileLineColLoc::get(fileAttr, 1, 1));
    builder.setInsertionPointToEnd(module->getBody());
    bool ok = true;
    // Declarations first, so flows can call tasks and flows declared further down; imports
    // and globals before tasks, whose parameter defaults may name a global.
    for (auto *decl : tree->topDecl())
      if (decl->importDecl() || decl->globalDecl())
        ok &= succeeded(declare(decl));
    for (auto *decl : tree->topDecl())
      if (!decl->importDecl() && !decl->globalDecl())
        ok &= succeeded(declare(decl));
    if (ok)
      for (auto *decl : tree->topDecl())
        ok &= succeeded(define(decl));
    if (!ok)
      return nullptr;
    return std::move(module);
  }

private:
  //===--------------------------------------------------------------------===//
  // Locations, diagnostics, types
  //===--------------------------------------------------------------------===//

  Location loc(antlr4::ParserRuleContext *ctx) {
    antlr4::Token *start = ctx->getStart();
    return FileLineColLoc::get(fileAttr, start->getLine(), start->getCharPositionInLine() + 1);
  }
  Location loc(antlr4::Token *token) {
    return FileLineColLoc::get(fileAttr, token->getLine(), token->getCharPositionInLine() + 1);
  }
  InFlightDiagnostic error(antlr4::ParserRuleContext *ctx) { return emitError(loc(ctx)); }

  static std::string text(MMLParser::NameContext *name) { return name->getText(); }

  static std::string unquote(antlr4::Token *token) {
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

  Type convertType(MMLParser::TypeRefContext *ctx) {
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

  std::string spell(Type type) { return getSourceTypeName(type); }

  //===--------------------------------------------------------------------===//
  // Symbols visible from this file: its own and those of its imports
  //===--------------------------------------------------------------------===//

  Operation *lookupSymbol(StringRef name) {
    if (Operation *op = SymbolTable::lookupSymbolIn(*module, name))
      return op;
    for (ModuleOp imported : importedModules)
      if (Operation *op = SymbolTable::lookupSymbolIn(imported, name))
        return op;
    return nullptr;
  }

  /// Names of the symbols visible from this file; `callables` keeps only tasks and flows.
  std::vector<std::string> visibleSymbols(bool callables) {
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

  /// " (did you mean 'x'?)" for an unknown name: the closest variable in scope or visible
  /// symbol (`callables`: the closest task or flow).
  std::string suggestName(StringRef word, bool callables) {
    std::vector<std::string> names = visibleSymbols(callables);
    if (!callables)
      for (const auto &scope : scopes)
        for (const auto &entry : scope)
          names.push_back(entry.getKey().str());
    return mml::didYouMean(std::string_view(word.data(), word.size()), names);
  }

  LogicalResult checkNewSymbol(StringRef name, antlr4::ParserRuleContext *ctx) {
    if (Operation *existing = lookupSymbol(name)) {
      InFlightDiagnostic diag = error(ctx) << "'" << name << "' is already declared";
      diag.attachNote(existing->getLoc()) << "previous declaration is here";
      return failure();
    }
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Pass 1: declarations
  //===--------------------------------------------------------------------===//

  LogicalResult declare(MMLParser::TopDeclContext *decl) {
    if (auto *imp = decl->importDecl())
      return declareImport(imp);
    if (auto *task = decl->taskDecl())
      return declareTask(task);
    if (auto *flow = decl->flowDecl())
      return declareFlow(flow->name(), flow->paramList(), flow->typeRef(), flow->doc, flow);
    if (auto *search = decl->searchDecl())
      return declareFlow(search->name(0), search->paramList(), search->typeRef(), search->doc,
                         search);
    if (auto *global = decl->globalDecl())
      return declareGlobal(global);
    if (auto *main = decl->mainDecl()) {
      if (failed(checkNewSymbol("main", main)))
        return failure();
      auto flow = builder.create<FlowOp>(loc(main), "main", builder.getFunctionType({}, {}),
                                         builder.getArrayAttr({}), nullptr, nullptr, nullptr);
      flow.getBody().push_back(new Block());
      flows[main] = flow;
      return success();
    }
    if (auto *cfg = decl->cfgBlock())
      return defineCfg(cfg);
    return success();
  }

  LogicalResult declareImport(MMLParser::ImportDeclContext *imp) {
    std::string spec = unquote(imp->STRING()->getSymbol());
    Location importLoc = loc(imp);
    std::string resolved = loader.resolveImport(spec, fileName);
    if (resolved.empty())
      return emitError(importLoc) << "cannot find imported file '" << spec
                                  << "' (searched the importing file's folder, -I folders "
                                     "and the stdlib)";
    ModuleOp imported = loader.loadImport(resolved, importLoc);
    if (!imported)
      return failure();
    importedModules.push_back(imported);
    builder.create<ImportOp>(importLoc, spec, builder.getStringAttr(resolved));
    return success();
  }

  /// Evaluates a literal expression (with unary minus, units, lists, fixed formats) to an
  /// attribute of `type` (or of its own type when `type` is null).
  FailureOr<Attribute> constant(MMLParser::ExprContext *expr, Type type) {
    Attribute value = literal(expr);
    if (!value) {
      error(expr) << "expected a constant value here";
      return failure();
    }
    if (!type)
      return value;
    FailureOr<Attribute> coerced = coerceConstant(value, type);
    if (failed(coerced))
      error(expr) << "expected a constant of type " << spell(type);
    return coerced;
  }

  FailureOr<Attribute> coerceConstant(Attribute value, Type type) {
    if (auto f = dyn_cast<FloatType>(type)) {
      if (auto i = dyn_cast<IntegerAttr>(value); i && i.getType().isInteger(64))
        return Attribute(builder.getF64FloatAttr(static_cast<double>(i.getInt())));
      if (isa<FloatAttr>(value))
        return value;
      return failure();
    }
    if (type.isInteger(64) && isa<IntegerAttr>(value) &&
        cast<IntegerAttr>(value).getType().isInteger(64))
      return value;
    if (type.isInteger(1) && isa<BoolAttr>(value))
      return value;
    if (isa<StringType>(type) && isa<StringAttr>(value))
      return value;
    if (isa<FixedType>(type) && isa<FixedPointAttr>(value))
      return value;
    if (auto list = dyn_cast<ListType>(type)) {
      auto array = dyn_cast<ArrayAttr>(value);
      if (!array)
        return failure();
      SmallVector<Attribute> elements;
      for (Attribute e : array) {
        FailureOr<Attribute> c = coerceConstant(e, list.getElementType());
        if (failed(c))
          return failure();
        elements.push_back(*c);
      }
      return Attribute(builder.getArrayAttr(elements));
    }
    return failure();
  }

  /// The attribute of a literal expression, or null if it is not one.
  Attribute literal(MMLParser::ExprContext *expr) {
    if (auto *unary = dynamic_cast<MMLParser::NegExprContext *>(expr)) {
      Attribute inner = literal(unary->expr());
      if (auto i = dyn_cast_or_null<IntegerAttr>(inner); i && i.getType().isInteger(64))
        return builder.getI64IntegerAttr(-i.getInt());
      if (auto f = dyn_cast_or_null<FloatAttr>(inner))
        return builder.getF64FloatAttr(-f.getValueAsDouble());
      return {};
    }
    auto *primaryExpr = dynamic_cast<MMLParser::PrimaryExprContext *>(expr);
    if (!primaryExpr)
      return {};
    MMLParser::PrimaryContext *p = primaryExpr->primary();
    if (auto *q = dynamic_cast<MMLParser::QuantityLitContext *>(p))
      return quantity(q);
    if (auto *i = dynamic_cast<MMLParser::IntLitContext *>(p))
      return integer(i->INT()->getSymbol());
    if (auto *f = dynamic_cast<MMLParser::FloatLitContext *>(p))
      return builder.getF64FloatAttr(std::strtod(f->getText().c_str(), nullptr));
    if (auto *s = dynamic_cast<MMLParser::StringLitContext *>(p))
      return builder.getStringAttr(unquote(s->STRING()->getSymbol()));
    if (auto *b = dynamic_cast<MMLParser::BoolLitContext *>(p))
      return builder.getBoolAttr(b->value->getText() == "true");
    if (auto *paren = dynamic_cast<MMLParser::ParenExprContext *>(p))
      return literal(paren->expr());
    if (auto *fx = dynamic_cast<MMLParser::FixedLitContext *>(p))
      return fixedLiteral(fx, /*reportErrors=*/true);
    if (auto *list = dynamic_cast<MMLParser::ListLitContext *>(p)) {
      SmallVector<Attribute> elements;
      bool anyFloat = false;
      for (auto *e : list->expr()) {
        Attribute a = literal(e);
        if (!a)
          return {};
        anyFloat |= isa<FloatAttr>(a);
        elements.push_back(a);
      }
      if (anyFloat) // [1, 2.5] is a float list
        for (Attribute &a : elements)
          if (auto i = dyn_cast<IntegerAttr>(a); i && i.getType().isInteger(64))
            a = builder.getF64FloatAttr(static_cast<double>(i.getInt()));
      return builder.getArrayAttr(elements);
    }
    return {};
  }

  Attribute integer(antlr4::Token *token) {
    std::string digits = token->getText();
    errno = 0;
    long long value = std::strtoll(digits.c_str(), nullptr, 10);
    if (errno == ERANGE) {
      emitError(loc(token)) << "integer literal " << digits << " does not fit in 64 bits";
      return {};
    }
    return builder.getI64IntegerAttr(value);
  }

  /// Unit literals are floats: times in ns, a frequency means its period in ns, % a fraction.
  Attribute quantity(MMLParser::QuantityLitContext *q) {
    std::string raw = q->getText();
    // The lexer admits an exponent only with digits after it and no unit starts with e/E, so
    // the number ends at the first character outside this set (`1e3ns`, `2s`, `200MHz`).
    size_t split = raw.find_first_not_of("0123456789.eE+-");
    StringRef number = StringRef(raw).take_front(split), unit = StringRef(raw).drop_front(split);
    double v = std::strtod(number.str().c_str(), nullptr);
    double ns = llvm::StringSwitch<double>(unit)
                    .Case("ns", v)
                    .Case("us", v * 1e3)
                    .Case("ms", v * 1e6)
                    .Case("s", v * 1e9)
                    .Case("kHz", v > 0 ? 1e6 / v : NAN)
                    .Case("MHz", v > 0 ? 1e3 / v : NAN)
                    .Case("GHz", v > 0 ? 1.0 / v : NAN)
                    .Case("%", v / 100.0)
                    .Default(NAN);
    if (std::isnan(ns)) {
      error(q) << "a frequency must be positive";
      return {};
    }
    return builder.getF64FloatAttr(ns);
  }

  /// `fixed<16, 6, RND, SAT>` with constant arguments, or null if an argument is not constant.
  Attribute fixedLiteral(MMLParser::FixedLitContext *fx, bool reportErrors) {
    auto argValue = [&](MMLParser::FixedArgContext *arg) -> std::optional<int64_t> {
      if (!arg->INT())
        return std::nullopt;
      Attribute a = integer(arg->INT()->getSymbol());
      if (!a)
        return std::nullopt;
      int64_t v = cast<IntegerAttr>(a).getInt();
      return arg->getText().front() == '-' ? -v : v;
    };
    std::optional<int64_t> width = argValue(fx->width), integerBits = argValue(fx->integer);
    if (!width || !integerBits)
      return {};
    std::string quantization = "TRN", overflow = "WRAP";
    if (failed(fixedModes(fx, quantization, overflow)))
      return {};
    bool isSigned = fx->kind->getText() == "fixed";
    if (!reportErrors &&
        FixedPointAttr::findProblem(*width, *integerBits, isSigned, quantization, overflow))
      return {};
    auto diag = [&] { return error(fx); };
    return FixedPointAttr::getChecked(diag, &context, *width, *integerBits,
                                      fx->kind->getText() == "fixed", StringRef(quantization),
                                      StringRef(overflow));
  }

  LogicalResult fixedModes(MMLParser::FixedLitContext *fx, std::string &quantization,
                           std::string &overflow) {
    for (auto *mode : fx->modes) {
      std::string m = text(mode);
      std::string bare = StringRef(m).starts_with("AP_") ? m.substr(3) : m;
      if (FixedPointAttr::isQuantizationMode(bare))
        quantization = bare;
      else if (FixedPointAttr::isOverflowMode(bare))
        overflow = bare;
      else
        return error(mode) << "unknown fixed-point mode '" << m
                           << "' (quantisation: TRN, TRN_ZERO, RND, RND_ZERO, RND_INF, "
                              "RND_MIN_INF, RND_CONV; overflow: WRAP, SAT, SAT_ZERO, SAT_SYM)";
    }
    return success();
  }

  /// Parameters of a task, flow or search header.
  FailureOr<ArrayAttr> paramList(MMLParser::ParamListContext *list) {
    SmallVector<Attribute> params;
    if (!list)
      return builder.getArrayAttr(params);
    llvm::StringSet<> seen;
    for (auto *p : list->paramDecl()) {
      std::string name = text(p->name());
      if (!seen.insert(name).second)
        return error(p) << "duplicate parameter name '" << name << "'", failure();
      Type type = convertType(p->typeRef());
      if (!type)
        return failure();
      Attribute defaultValue, lower, upper;
      bool lowerOpen = false, upperOpen = false;
      ArrayAttr choices;
      if (p->defaultValue) {
        if (isModelType(type) || isa<DataType, DeviceType, MetricsType>(type)) {
          // A global of that type can serve as a default, e.g. `device: device = u250`.
          auto *nameExpr = asName(p->defaultValue);
          Operation *global = nameExpr ? lookupSymbol(text(nameExpr->name())) : nullptr;
          if (!global || !isa<GlobalOp>(global) || cast<GlobalOp>(global).getType() != type)
            return error(p->defaultValue) << "the default of a " << spell(type)
                                          << " parameter must name a global " << spell(type),
                   failure();
          defaultValue = FlatSymbolRefAttr::get(&context, text(nameExpr->name()));
        } else {
          FailureOr<Attribute> c = constant(p->defaultValue, type);
          if (failed(c))
            return failure();
          defaultValue = *c;
        }
      }
      if (p->domain() && failed(domain(p->domain(), type, lower, upper, lowerOpen, upperOpen,
                                       choices)))
        return failure();
      if (p->optional && p->defaultValue)
        return error(p) << "parameter '" << name
                        << "' has a default, so it is already optional: drop the '?'",
               failure();
      params.push_back(ParamAttr::get(
          &context, builder.getStringAttr(name), type, defaultValue, lower, upper, lowerOpen,
          upperOpen, choices, /*log=*/false,
          p->doc ? builder.getStringAttr(unquote(p->doc)) : StringAttr(), p->optional != nullptr));
    }
    return builder.getArrayAttr(params);
  }

  LogicalResult domain(MMLParser::DomainContext *ctx, Type type, Attribute &lower,
                       Attribute &upper, bool &lowerOpen, bool &upperOpen, ArrayAttr &choices) {
    if (auto *range = dynamic_cast<MMLParser::RangeDomainContext *>(ctx)) {
      Type boundType = type.isInteger(64) ? Type() : type; // int bounds checked by verifier
      FailureOr<Attribute> lo = constant(range->lo, boundType);
      FailureOr<Attribute> hi = constant(range->hi, boundType);
      if (failed(lo) || failed(hi))
        return failure();
      lower = *lo;
      upper = *hi;
      lowerOpen = range->lb->getText() == "(";
      upperOpen = range->rb->getText() == ")";
      return success();
    }
    auto *set = static_cast<MMLParser::SetDomainContext *>(ctx);
    SmallVector<Attribute> values;
    for (auto *e : set->expr()) {
      FailureOr<Attribute> c = constant(e, type);
      if (failed(c))
        return failure();
      values.push_back(*c);
    }
    choices = builder.getArrayAttr(values);
    return success();
  }

  LogicalResult declareTask(MMLParser::TaskDeclContext *task) {
    std::string name = text(task->name());
    if (failed(checkNewSymbol(name, task)))
      return failure();
    FailureOr<ArrayAttr> params = paramList(task->paramList());
    Type result = convertType(task->typeRef());
    if (failed(params) || !result)
      return failure();
    StringAttr command;
    if (task->ext && !task->command)
      return error(task) << "extern task '" << name
                         << "' needs a command: extern task NAME(...) -> T command \"...\";";
    if (!task->ext && task->command)
      return error(task) << "only an extern task runs a command; write 'extern task " << name
                         << "'";
    if (task->command)
      command = builder.getStringAttr(unquote(task->command));
    auto op = builder.create<TaskOp>(loc(task), builder.getStringAttr(name), *params, TypeAttr::get(result),
                                     task->doc ? builder.getStringAttr(unquote(task->doc))
                                               : StringAttr(),
                                     StringAttr(), command);
    return mlir::verify(op);
  }

  LogicalResult declareFlow(MMLParser::NameContext *nameCtx, MMLParser::ParamListContext *list,
                            MMLParser::TypeRefContext *resultCtx, antlr4::Token *doc,
                            antlr4::ParserRuleContext *decl) {
    std::string name = text(nameCtx);
    if (failed(checkNewSymbol(name, decl)))
      return failure();
    if (name == "main")
      return error(nameCtx) << "'main' is reserved for the main block: write main { ... }";
    FailureOr<ArrayAttr> params = paramList(list);
    if (failed(params))
      return failure();
    for (auto [attr, p] : llvm::zip(*params, list ? list->paramDecl()
                                                  : std::vector<MMLParser::ParamDeclContext *>()))
      if (cast<ParamAttr>(attr).getOptional())
        return error(p) << "only task parameters can be optional; give '"
                        << cast<ParamAttr>(attr).getName().getValue() << "' a default instead";
    SmallVector<Type> inputs;
    for (Attribute p : *params)
      inputs.push_back(cast<ParamAttr>(p).getType());
    SmallVector<Type> results;
    if (resultCtx) {
      Type result = convertType(resultCtx);
      if (!result)
        return failure();
      results.push_back(result);
    }
    auto flow = builder.create<FlowOp>(
        loc(decl), name, builder.getFunctionType(inputs, results), *params,
        doc ? builder.getStringAttr(unquote(doc)) : StringAttr(), nullptr, nullptr);
    Block *entry = new Block();
    for (Type t : inputs)
      entry->addArgument(t, loc(decl));
    flow.getBody().push_back(entry);
    flows[decl] = flow;
    return success();
  }

  LogicalResult declareGlobal(MMLParser::GlobalDeclContext *global) {
    std::string name = text(global->name());
    if (failed(checkNewSymbol(name, global)))
      return failure();
    Type type = convertType(global->typeRef());
    if (!type)
      return failure();
    auto op = builder.create<GlobalOp>(loc(global), name, type);
    op.getInit().push_back(new Block());
    globals[global] = op;
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Pass 2: bodies
  //===--------------------------------------------------------------------===//

  LogicalResult define(MMLParser::TopDeclContext *decl) {
    if (auto *flow = decl->flowDecl())
      return defineFlow(flows[flow], flow->paramList(), flow->block()->stmt(), flow);
    if (auto *main = decl->mainDecl())
      return defineFlow(flows[main], nullptr, main->block()->stmt(), main);
    if (auto *search = decl->searchDecl())
      return defineSearch(flows[search], search);
    if (auto *global = decl->globalDecl())
      return defineGlobal(global);
    return success();
  }

  /// Binds flow parameters to the entry block arguments in a fresh variable scope.
  void bindParams(FlowOp flow, MMLParser::ParamListContext *list) {
    if (!list)
      return;
    for (auto [p, arg] : llvm::zip(list->paramDecl(), flow.getBody().front().getArguments()))
      scopes.back()[text(p->name())] = arg;
  }

  LogicalResult defineFlow(FlowOp flow, MMLParser::ParamListContext *list,
                           const std::vector<MMLParser::StmtContext *> &stmts,
                           antlr4::ParserRuleContext *decl) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&flow.getBody().front());
    Scope scope(*this);
    bindParams(flow, list);
    returnValue = std::nullopt;
    if (failed(statements(stmts, StatementContext::FlowBody)))
      return failure();
    ArrayRef<Type> results = flow.getResultTypes();
    Location endLoc = loc(decl->getStop());
    if (!returnValue) {
      if (!results.empty())
        return emitError(endLoc) << "flow '" << flow.getSymName() << "' must end with 'return "
                                 << spell(results.front()) << "'";
      builder.create<ReturnOp>(endLoc);
      return success();
    }
    Value value = returnValue->first;
    if (results.empty() && value)
      return emitError(returnValue->second)
             << "flow '" << flow.getSymName() << "' declares no result; add '-> "
             << spell(value.getType()) << "' to its header";
    if (!results.empty()) {
      if (!value)
        return emitError(returnValue->second) << "flow '" << flow.getSymName()
                                              << "' must return a " << spell(results.front());
      FailureOr<Value> coerced = coerce(value, results.front(), returnValue->second);
      if (failed(coerced))
        return emitError(returnValue->second)
               << "flow '" << flow.getSymName() << "' returns " << spell(results.front())
               << ", not " << spell(value.getType());
      builder.create<ReturnOp>(returnValue->second, ValueRange{*coerced});
    } else {
      builder.create<ReturnOp>(returnValue->second);
    }
    return success();
  }

  LogicalResult defineGlobal(MMLParser::GlobalDeclContext *decl) {
    GlobalOp global = globals[decl];
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&global.getInit().front());
    Scope scope(*this);
    FailureOr<Value> value = expr(decl->expr());
    if (failed(value))
      return failure();
    FailureOr<Value> coerced = coerce(*value, global.getType(), loc(decl->expr()));
    if (failed(coerced))
      return error(decl->expr()) << "global '" << global.getSymName() << "' is declared "
                                 << spell(global.getType()) << " but its value is "
                                 << spell(value->getType());
    builder.create<YieldOp>(loc(decl), ValueRange{*coerced});
    return success();
  }

  LogicalResult defineCfg(MMLParser::CfgBlockContext *cfg) {
    for (auto *entry : cfg->cfgEntry()) {
      FailureOr<Attribute> value = constant(entry->expr(), Type());
      if (failed(value))
        return failure();
      builder.create<CfgEntryOp>(loc(entry), entry->key->getText(), *value);
    }
    return success();
  }

  LogicalResult defineSearch(FlowOp flow, MMLParser::SearchDeclContext *search) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&flow.getBody().front());
    Scope flowScope(*this);
    bindParams(flow, search->paramList());

    // Strategy options: constant named arguments.
    SmallVector<NamedAttribute> options;
    if (auto *args = search->argList())
      for (auto *arg : args->arg()) {
        if (!arg->name())
          return error(arg) << "search options are named: write e.g. budget: 30";
        FailureOr<Attribute> value = constant(arg->expr(), Type());
        if (failed(value))
          return failure();
        Attribute v = *value;
        if (text(arg->name()) == "time")
          if (auto f = dyn_cast<FloatAttr>(v)) // a duration literal is in ns; store seconds
            v = builder.getF64FloatAttr(f.getValueAsDouble() / 1e9);
        options.emplace_back(builder.getStringAttr(text(arg->name())), v);
      }

    // Parameters with their domains become the body's block arguments.
    SmallVector<Attribute> params;
    SmallVector<MMLParser::SearchParamContext *> paramCtxs;
    for (auto *item : search->searchItem())
      if (auto *p = dynamic_cast<MMLParser::SearchParamContext *>(item)) {
        Type type = convertType(p->typeRef());
        if (!type)
          return failure();
        Attribute lower, upper;
        bool lowerOpen = false, upperOpen = false;
        ArrayAttr choices;
        if (failed(domain(p->domain(), type, lower, upper, lowerOpen, upperOpen, choices)))
          return failure();
        params.push_back(ParamAttr::get(&context, builder.getStringAttr(text(p->name())), type,
                                        Attribute(), lower, upper, lowerOpen, upperOpen,
                                        choices, p->scale != nullptr, StringAttr(), false));
        paramCtxs.push_back(p);
      }
    Type resultType = flow.getResultTypes().front();
    auto op = builder.create<SearchOp>(loc(search), resultType,
                                       search->strategy->getText(),
                                       builder.getDictionaryAttr(options),
                                       builder.getArrayAttr(params));
    Block *body = new Block();
    op.getBody().push_back(body);
    Scope bodyScope(*this);
    for (auto [attr, ctx] : llvm::zip(params, paramCtxs)) {
      std::string name = text(ctx->name());
      if (lookupVar(name))
        return error(ctx) << "search parameter '" << name << "' shadows a flow parameter";
      scopes.back()[name] = body->addArgument(cast<ParamAttr>(attr).getType(), loc(ctx));
    }
    builder.setInsertionPointToStart(body);
    SmallVector<Value> objectives, constraints;
    SmallVector<Attribute> directions;
    std::optional<std::pair<Value, Location>> result;
    for (auto *item : search->searchItem()) {
      if (result && !dynamic_cast<MMLParser::SearchObjectiveContext *>(item) &&
          !dynamic_cast<MMLParser::SearchConstraintContext *>(item))
        return error(item) << "only 'minimize', 'maximize' and 'require' may follow 'return'";
      if (auto *obj = dynamic_cast<MMLParser::SearchObjectiveContext *>(item)) {
        for (auto *e : obj->expr()) {
          FailureOr<Value> v = numberAsFloat(e, "an objective");
          if (failed(v))
            return failure();
          objectives.push_back(*v);
          directions.push_back(builder.getStringAttr(obj->direction->getText()));
        }
      } else if (auto *req = dynamic_cast<MMLParser::SearchConstraintContext *>(item)) {
        FailureOr<Value> v = condition(req->expr(), "a 'require' constraint");
        if (failed(v))
          return failure();
        constraints.push_back(*v);
      } else if (auto *stmt = dynamic_cast<MMLParser::SearchStmtContext *>(item)) {
        if (auto *ret = dynamic_cast<MMLParser::ReturnStmtContext *>(stmt->stmt())) {
          if (!ret->expr())
            return error(ret) << "a search must return its " << spell(resultType);
          FailureOr<Value> v = expr(ret->expr());
          if (failed(v))
            return failure();
          FailureOr<Value> c = coerce(*v, resultType, loc(ret));
          if (failed(c))
            return error(ret) << "search '" << flow.getSymName() << "' returns "
                              << spell(resultType) << ", not " << spell(v->getType());
          result = std::make_pair(*c, loc(ret));
        } else if (failed(statement(stmt->stmt(), StatementContext::Nested))) {
          return failure();
        }
      }
    }
    if (!result)
      return emitError(loc(search->getStop())) << "search '" << flow.getSymName()
                                               << "' must 'return' its result";
    if (objectives.empty())
      return error(search) << "search '" << flow.getSymName()
                           << "' needs an objective: 'minimize x;' or 'maximize x;'";
    builder.create<SearchYieldOp>(loc(search->getStop()), result->first, objectives,
                                  constraints, builder.getArrayAttr(directions));
    builder.setInsertionPointAfter(op);
    builder.create<ReturnOp>(loc(search->getStop()), ValueRange{op.getResult()});
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Variables and scopes
  //===--------------------------------------------------------------------===//

  struct Scope {
    explicit Scope(MLIRGenImpl &gen) : gen(gen) { gen.scopes.emplace_back(); }
    ~Scope() { gen.scopes.pop_back(); }
    MLIRGenImpl &gen;
  };

  Value *lookupVarSlot(StringRef name) {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto found = it->find(name);
      if (found != it->end())
        return &found->second;
    }
    return nullptr;
  }
  Value lookupVar(StringRef name) {
    Value *slot = lookupVarSlot(name);
    return slot ? *slot : Value();
  }

  /// Snapshot of the variables a region may change, restored after generating it.
  using Snapshot = SmallVector<std::pair<std::string, Value>>;
  Snapshot snapshot(ArrayRef<std::string> names) {
    Snapshot s;
    for (const std::string &n : names)
      s.emplace_back(n, lookupVar(n));
    return s;
  }
  void restore(const Snapshot &s) {
    for (auto &[n, v] : s)
      *lookupVarSlot(n) = v;
  }

  //===--------------------------------------------------------------------===//
  // Assignment analysis (which variables a block may or must assign)
  //===--------------------------------------------------------------------===//

  Assignments assignments(const std::vector<MMLParser::StmtContext *> &stmts) {
    Assignments a;
    for (auto *s : stmts) {
      Assignments one = assignments(s);
      for (auto &k : one.maybe)
        a.maybe.insert(k.getKey());
      for (auto &k : one.definitely)
        a.definitely.insert(k.getKey());
    }
    return a;
  }
  Assignments assignments(MMLParser::StmtContext *s) {
    Assignments a;
    if (auto *assign = dynamic_cast<MMLParser::AssignStmtContext *>(s)) {
      a.maybe.insert(text(assign->name()));
      a.definitely.insert(text(assign->name()));
    } else if (auto *ifs = dynamic_cast<MMLParser::IfStmtContext *>(s)) {
      return ifAssignments(ifs->thenBlock, ifs->elseStmt());
    } else if (auto *w = dynamic_cast<MMLParser::WhileStmtContext *>(s)) {
      a.maybe = assignments(w->block()->stmt()).maybe;
    } else if (auto *f = dynamic_cast<MMLParser::ForStmtContext *>(s)) {
      a.maybe = assignments(f->block()->stmt()).maybe;
      a.maybe.erase(text(f->name()));
    }
    return a;
  }
  Assignments ifAssignments(MMLParser::BlockContext *thenBlock, MMLParser::ElseStmtContext *els) {
    Assignments t = assignments(thenBlock->stmt());
    Assignments e;
    if (els)
      e = !els->expr() ? assignments(els->block()->stmt())
                       : ifAssignments(els->thenBlock, els->elseStmt());
    Assignments a;
    a.maybe = t.maybe;
    for (auto &k : e.maybe)
      a.maybe.insert(k.getKey());
    for (auto &k : t.definitely)
      if (e.definitely.contains(k.getKey()))
        a.definitely.insert(k.getKey());
    return a;
  }

  //===--------------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------------===//

  enum class StatementContext { FlowBody, Nested, ParallelBranch };

  LogicalResult statements(const std::vector<MMLParser::StmtContext *> &stmts,
                           StatementContext where) {
    for (size_t i = 0; i < stmts.size(); ++i) {
      MMLParser::StmtContext *s = stmts[i];
      bool last = i + 1 == stmts.size();
      if (auto *ret = dynamic_cast<MMLParser::ReturnStmtContext *>(s)) {
        if (where != StatementContext::FlowBody)
          return error(s) << "'return' may only end a flow or a search; inside a block, "
                             "assign a variable instead";
        if (!last)
          return error(stmts[i + 1]) << "statement after 'return' is never executed";
        Value value;
        if (ret->expr()) {
          FailureOr<Value> v = expr(ret->expr());
          if (failed(v))
            return failure();
          value = *v;
        }
        returnValue = std::make_pair(value, loc(s));
        continue;
      }
      if (auto *y = dynamic_cast<MMLParser::YieldStmtContext *>(s)) {
        if (where != StatementContext::ParallelBranch || !last)
          return error(s) << "'yield' may only end a branch of a parallel block";
        FailureOr<Value> v = expr(y->expr());
        if (failed(v))
          return failure();
        branchYield = std::make_pair(*v, loc(s));
        continue;
      }
      if (failed(statement(s, where)))
        return failure();
    }
    return success();
  }

  LogicalResult statement(MMLParser::StmtContext *s, StatementContext where) {
    if (auto *assign = dynamic_cast<MMLParser::AssignStmtContext *>(s))
      return assignStmt(assign, where);
    if (auto *ifs = dynamic_cast<MMLParser::IfStmtContext *>(s))
      return ifStmt(ifs->expr(), ifs->thenBlock, ifs->elseStmt(), ifs);
    if (auto *w = dynamic_cast<MMLParser::WhileStmtContext *>(s))
      return whileStmt(w);
    if (auto *f = dynamic_cast<MMLParser::ForStmtContext *>(s))
      return forStmt(f);
    if (auto *e = dynamic_cast<MMLParser::ExprStmtContext *>(s))
      return failure(failed(expr(e->expr())));
    if (dynamic_cast<MMLParser::ReturnStmtContext *>(s))
      return error(s) << "'return' may only end a flow or a search";
    return error(s) << "'yield' may only end a branch of a parallel block";
  }

  LogicalResult assignStmt(MMLParser::AssignStmtContext *assign, StatementContext where) {
    std::string name = text(assign->name());
    FailureOr<Value> value = expr(assign->expr());
    if (failed(value))
      return failure();
    if (lookupSymbol(name) && isa<GlobalOp>(lookupSymbol(name)) && !lookupVar(name))
      return error(assign) << "'" << name << "' is a global and cannot be assigned";
    if (Value *slot = lookupVarSlot(name)) {
      if (where == StatementContext::ParallelBranch && !scopes.back().count(name))
        return error(assign) << "a parallel branch cannot assign '" << name
                             << "' of the enclosing flow; 'yield' its result instead";
      FailureOr<Value> coerced = coerce(*value, slot->getType(), loc(assign));
      if (failed(coerced))
        return error(assign) << "'" << name << "' is " << withArticle(slot->getType())
                             << " and cannot be assigned " << withArticle(value->getType());
      *slot = *coerced;
      return success();
    }
    scopes.back()[name] = *value;
    return success();
  }

  /// Generates `if (cond) then else`, yielding the variables visible after it.
  LogicalResult ifStmt(MMLParser::ExprContext *condCtx, MMLParser::BlockContext *thenBlock,
                       MMLParser::ElseStmtContext *els, antlr4::ParserRuleContext *ctx) {
    FailureOr<Value> cond = condition(condCtx, "an 'if' condition");
    if (failed(cond))
      return failure();
    Assignments t = assignments(thenBlock->stmt());
    Assignments e;
    if (els)
      e = !els->expr() ? assignments(els->block()->stmt())
                       : ifAssignments(els->thenBlock, els->elseStmt());
    // Carried: outer variables assigned in either branch; new: assigned in both.
    std::vector<std::string> carried, fresh;
    llvm::StringSet<> all;
    for (auto &k : t.maybe)
      all.insert(k.getKey());
    for (auto &k : e.maybe)
      all.insert(k.getKey());
    std::vector<std::string> sorted;
    for (auto &k : all)
      sorted.push_back(k.getKey().str());
    llvm::sort(sorted);
    for (const std::string &n : sorted) {
      if (lookupVar(n))
        carried.push_back(n);
      else if (t.definitely.contains(n) && e.definitely.contains(n))
        fresh.push_back(n);
    }

    Location l = loc(ctx);
    Snapshot before = snapshot(carried);
    auto genBranch = [&](Region &region, auto &&body) -> FailureOr<SmallVector<Value>> {
      Block *block = new Block();
      region.push_back(block);
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(block);
      Scope scope(*this);
      if (failed(body()))
        return failure();
      SmallVector<Value> values;
      for (const std::string &n : carried)
        values.push_back(lookupVar(n));
      for (const std::string &n : fresh)
        values.push_back(scopes.back().lookup(n));
      restore(before);
      return values;
    };
    Region thenRegion, elseRegion;
    FailureOr<SmallVector<Value>> thenValues = genBranch(thenRegion, [&] {
      return statements(thenBlock->stmt(), StatementContext::Nested);
    });
    if (failed(thenValues))
      return failure();
    FailureOr<SmallVector<Value>> elseValues = genBranch(elseRegion, [&]() -> LogicalResult {
      if (!els)
        return success();
      if (!els->expr()) // `else { ... }`; `else if` has a condition
        return statements(els->block()->stmt(), StatementContext::Nested);
      return ifStmt(els->expr(), els->thenBlock, els->elseStmt(), els);
    });
    if (failed(elseValues))
      return failure();
    SmallVector<Type> types;
    for (size_t i = 0; i < thenValues->size(); ++i) {
      Type tt = (*thenValues)[i].getType(), et = (*elseValues)[i].getType();
      if (tt != et) {
        std::string n = i < carried.size() ? carried[i] : fresh[i - carried.size()];
        return error(ctx) << "'" << n << "' is " << withArticle(tt) << " in one branch and "
                          << withArticle(et) << " in the other";
      }
      types.push_back(tt);
    }
    for (auto [region, values] : {std::make_pair(&thenRegion, &*thenValues),
                                  std::make_pair(&elseRegion, &*elseValues)}) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToEnd(&region->front());
      builder.create<YieldOp>(l, *values);
    }
    auto op = builder.create<IfOp>(l, types, *cond);
    op.getThenRegion().takeBody(thenRegion);
    op.getElseRegion().takeBody(elseRegion);
    size_t i = 0;
    for (const std::string &n : carried)
      *lookupVarSlot(n) = op.getResult(i++);
    for (const std::string &n : fresh)
      scopes.back()[n] = op.getResult(i++);
    return success();
  }

  /// Outer variables a loop body assigns, in a stable order.
  std::vector<std::string> loopCarried(const std::vector<MMLParser::StmtContext *> &stmts,
                                       StringRef loopVar = "") {
    std::vector<std::string> carried;
    for (auto &k : assignments(stmts).maybe)
      if (k.getKey() != loopVar && lookupVar(k.getKey()))
        carried.push_back(k.getKey().str());
    llvm::sort(carried);
    return carried;
  }

  std::optional<int64_t> loopBound(antlr4::Token *bound, antlr4::ParserRuleContext *ctx,
                                   bool required) {
    if (!bound) {
      if (required)
        error(ctx) << "unbounded loop: write 'while (cond) max N { ... }' with N the largest "
                      "number of iterations";
      return required ? std::nullopt : std::optional<int64_t>(0);
    }
    Attribute a = integer(bound);
    if (!a)
      return std::nullopt;
    int64_t n = cast<IntegerAttr>(a).getInt();
    if (n < 1) {
      emitError(loc(bound)) << "loop bound must be at least 1";
      return std::nullopt;
    }
    return n;
  }

  LogicalResult whileStmt(MMLParser::WhileStmtContext *w) {
    std::optional<int64_t> bound = loopBound(w->bound, w, /*required=*/true);
    if (!bound)
      return failure();
    std::vector<std::string> carried = loopCarried(w->block()->stmt());
    SmallVector<Value> inits;
    SmallVector<Type> types;
    for (const std::string &n : carried) {
      inits.push_back(lookupVar(n));
      types.push_back(inits.back().getType());
    }
    Location l = loc(w);
    auto op = builder.create<WhileOp>(l, types, inits, builder.getI64IntegerAttr(*bound));
    Snapshot outer = snapshot(carried);
    // cond region
    {
      Block *block = new Block();
      op.getBefore().push_back(block);
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(block);
      for (auto [n, t] : llvm::zip(carried, types))
        *lookupVarSlot(n) = block->addArgument(t, l);
      FailureOr<Value> cond = condition(w->expr(), "a 'while' condition");
      if (failed(cond))
        return failure();
      builder.create<ConditionOp>(l, *cond, ValueRange(block->getArguments()));
    }
    // do region
    {
      Block *block = new Block();
      op.getAfter().push_back(block);
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(block);
      for (auto [n, t] : llvm::zip(carried, types))
        *lookupVarSlot(n) = block->addArgument(t, l);
      Scope scope(*this);
      if (failed(statements(w->block()->stmt(), StatementContext::Nested)))
        return failure();
      SmallVector<Value> next;
      for (const std::string &n : carried)
        next.push_back(lookupVar(n));
      builder.create<YieldOp>(l, next);
    }
    restore(outer);
    for (auto [i, n] : llvm::enumerate(carried))
      *lookupVarSlot(n) = op.getResult(i);
    return success();
  }

  LogicalResult forStmt(MMLParser::ForStmtContext *f) {
    std::string var = text(f->name());
    if (lookupVar(var))
      return error(f->name()) << "loop variable '" << var << "' shadows a variable";
    // The values: a constant list, or an int range lo..hi (inclusive of lo, exclusive of hi).
    SmallVector<Attribute> values;
    Type elementType;
    if (auto *list = dynamic_cast<MMLParser::ListRangeContext *>(f->forRange())) {
      SmallVector<Attribute> raw;
      bool anyFloat = false;
      for (auto *e : list->expr()) {
        Attribute a = literal(e);
        if (!a)
          return error(e) << "loop values must be constants";
        anyFloat |= isa<FloatAttr>(a);
        raw.push_back(a);
      }
      Type first = typeOfConstant(raw.front());
      elementType = anyFloat ? Type(builder.getF64Type()) : first;
      for (auto [a, e] : llvm::zip(raw, list->expr())) {
        FailureOr<Attribute> c = coerceConstant(a, elementType);
        if (failed(c))
          return error(e) << "loop values must all be of one type (" << spell(elementType)
                          << ")";
        values.push_back(*c);
      }
    } else {
      auto *range = static_cast<MMLParser::IntRangeContext *>(f->forRange());
      auto lo = dyn_cast_or_null<IntegerAttr>(literal(range->lo));
      auto hi = dyn_cast_or_null<IntegerAttr>(literal(range->hi));
      if (!lo || !hi || !lo.getType().isInteger(64) || !hi.getType().isInteger(64))
        return error(range) << "a range 'lo..hi' needs constant int bounds";
      if (hi.getInt() - lo.getInt() > 100000)
        return error(range) << "a range of more than 100000 values is not a design flow";
      for (int64_t i = lo.getInt(); i < hi.getInt(); ++i)
        values.push_back(builder.getI64IntegerAttr(i));
      elementType = builder.getI64Type();
    }
    if (!elementType)
      return error(f) << "cannot loop over these values";
    if (f->bound)
      return emitError(loc(f->bound)) << "a 'for' loop is bounded by its values; 'max' is for "
                                         "'while' loops";
    std::vector<std::string> carried = loopCarried(f->block()->stmt(), var);
    SmallVector<Value> inits;
    SmallVector<Type> types;
    for (const std::string &n : carried) {
      inits.push_back(lookupVar(n));
      types.push_back(inits.back().getType());
    }
    Location l = loc(f);
    auto op = builder.create<ForOp>(l, types, builder.getArrayAttr(values), inits);
    Snapshot outer = snapshot(carried);
    {
      Block *block = new Block();
      op.getBody().push_back(block);
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(block);
      Scope scope(*this);
      scopes.back()[var] = block->addArgument(elementType, loc(f->name()));
      for (auto [n, t] : llvm::zip(carried, types))
        *lookupVarSlot(n) = block->addArgument(t, l);
      if (failed(statements(f->block()->stmt(), StatementContext::Nested)))
        return failure();
      SmallVector<Value> next;
      for (const std::string &n : carried)
        next.push_back(lookupVar(n));
      builder.create<YieldOp>(l, next);
    }
    restore(outer);
    for (auto [i, n] : llvm::enumerate(carried))
      *lookupVarSlot(n) = op.getResult(i);
    return success();
  }

  Type typeOfConstant(Attribute a) {
    if (isa<StringAttr>(a)) // a StringAttr is typed too, with NoneType
      return StringType::get(&context);
    if (auto t = dyn_cast<TypedAttr>(a))
      return t.getType();
    if (isa<FixedPointAttr>(a))
      return FixedType::get(&context);
    if (auto array = dyn_cast<ArrayAttr>(a)) {
      if (array.empty())
        return ListType::get(builder.getI64Type());
      Type e = typeOfConstant(array[0]);
      return e ? ListType::get(e) : Type();
    }
    return {};
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  /// Converts `value` to `type` where the language allows it (int → float).
  FailureOr<Value> coerce(Value value, Type type, Location l) {
    if (value.getType() == type)
      return value;
    if (isa<FloatType>(type) && value.getType().isInteger(64))
      return Value(builder.create<arith::SIToFPOp>(l, type, value));
    return failure();
  }

  FailureOr<Value> condition(MMLParser::ExprContext *e, StringRef what) {
    FailureOr<Value> v = expr(e);
    if (failed(v))
      return failure();
    if (!v->getType().isInteger(1))
      return error(e) << what << " must be a bool, not " << withArticle(v->getType()), failure();
    return v;
  }

  FailureOr<Value> numberAsFloat(MMLParser::ExprContext *e, StringRef what) {
    FailureOr<Value> v = expr(e);
    if (failed(v))
      return failure();
    FailureOr<Value> f = coerce(*v, builder.getF64Type(), loc(e));
    if (failed(f))
      return error(e) << what << " must be a number, not " << withArticle(v->getType()), failure();
    return f;
  }

  Value constantValue(Attribute a, Location l) {
    if (auto typed = dyn_cast<TypedAttr>(a);
        typed && !isa<StringAttr>(a) && isa<IntegerType, FloatType>(typed.getType()))
      return builder.create<arith::ConstantOp>(l, typed);
    return builder.create<ConstantOp>(l, typeOfConstant(a), a);
  }

  FailureOr<Value> expr(MMLParser::ExprContext *e) {
    if (++depth > kMaxExprDepth) {
      --depth;
      return error(e) << "expression nested too deeply", failure();
    }
    FailureOr<Value> v = exprImpl(e);
    --depth;
    return v;
  }

  FailureOr<Value> exprImpl(MMLParser::ExprContext *e) {
    if (auto *p = dynamic_cast<MMLParser::PrimaryExprContext *>(e))
      return primary(p->primary());
    if (auto *m = dynamic_cast<MMLParser::MetricExprContext *>(e))
      return metric(m);
    if (auto *u = dynamic_cast<MMLParser::NegExprContext *>(e))
      return negate(u);
    if (auto *n = dynamic_cast<MMLParser::NotExprContext *>(e))
      return logicalNot(n);
    if (auto *b = dynamic_cast<MMLParser::MulExprContext *>(e))
      return arithmetic(b->expr(0), b->expr(1), b->op->getText(), b);
    if (auto *b = dynamic_cast<MMLParser::AddExprContext *>(e))
      return arithmetic(b->expr(0), b->expr(1), b->op->getText(), b);
    if (auto *c = dynamic_cast<MMLParser::CompareExprContext *>(e))
      return compare(c);
    if (auto *a = dynamic_cast<MMLParser::AndExprContext *>(e))
      return logical(a->expr(0), a->expr(1), /*isAnd=*/true, a);
    if (auto *o = dynamic_cast<MMLParser::OrExprContext *>(e))
      return logical(o->expr(0), o->expr(1), /*isAnd=*/false, o);
    return error(e) << "unsupported expression", failure();
  }

  FailureOr<Value> metric(MMLParser::MetricExprContext *m) {
    FailureOr<Value> source = expr(m->expr());
    if (failed(source))
      return failure();
    std::string name = text(m->name());
    Type type = source->getType();
    ArrayRef<StringRef> names = getMetricNames(type);
    if (names.empty())
      return error(m->name()) << withArticle(type) << " has no metrics (asked for '" << name
                              << "')",
             failure();
    // A metrics record is open: an extern task's record holds whatever its command printed.
    if (!isa<MetricsType>(type) && !llvm::is_contained(names, name)) {
      std::vector<std::string_view> known(names.begin(), names.end());
      InFlightDiagnostic diag = error(m->name()) << withArticle(type) << " has no metric '"
                                                 << name << "'" << mml::didYouMean(name, known)
                                                 << " (it has: ";
      llvm::interleaveComma(names, diag);
      diag << ")";
      return failure();
    }
    return Value(builder.create<MetricOp>(loc(m->name()), builder.getF64Type(), *source, name));
  }

  FailureOr<Value> logicalNot(MMLParser::NotExprContext *n) {
    FailureOr<Value> v = condition(n->expr(), "'not'");
    if (failed(v))
      return failure();
    Location l = loc(n);
    Value t = builder.create<arith::ConstantOp>(l, builder.getBoolAttr(true));
    return Value(builder.create<arith::XOrIOp>(l, *v, t));
  }

  FailureOr<Value> negate(MMLParser::NegExprContext *u) {
    if (Attribute a = literal(u)) // fold -3 and -2.5 directly
      return constantValue(a, loc(u));
    FailureOr<Value> v = expr(u->expr());
    if (failed(v))
      return failure();
    Location l = loc(u);
    if (v->getType().isInteger(64)) {
      Value zero = builder.create<arith::ConstantOp>(l, builder.getI64IntegerAttr(0));
      return Value(builder.create<arith::SubIOp>(l, zero, *v));
    }
    if (isa<FloatType>(v->getType()))
      return Value(builder.create<arith::NegFOp>(l, *v));
    return error(u) << "cannot negate " << withArticle(v->getType()), failure();
  }

  FailureOr<Value> arithmetic(MMLParser::ExprContext *lhsCtx, MMLParser::ExprContext *rhsCtx,
                              StringRef op, MMLParser::ExprContext *ctx) {
    FailureOr<Value> lhs = expr(lhsCtx), rhs = expr(rhsCtx);
    if (failed(lhs) || failed(rhs))
      return failure();
    Location l = loc(ctx);
    auto isNumber = [](Type t) { return t.isInteger(64) || isa<FloatType>(t); };
    if (!isNumber(lhs->getType()) || !isNumber(rhs->getType()))
      return error(ctx) << "'" << op << "' needs numbers, not " << spell(lhs->getType())
                        << " and " << spell(rhs->getType()),
             failure();
    // Division is always floating point: `budget / 2` is 0.5 * budget.
    bool isFloat = op == "/" || isa<FloatType>(lhs->getType()) || isa<FloatType>(rhs->getType());
    if (isFloat) {
      Value a = *coerce(*lhs, builder.getF64Type(), l), b = *coerce(*rhs, builder.getF64Type(), l);
      if (op == "+")
        return Value(builder.create<arith::AddFOp>(l, a, b));
      if (op == "-")
        return Value(builder.create<arith::SubFOp>(l, a, b));
      if (op == "*")
        return Value(builder.create<arith::MulFOp>(l, a, b));
      return Value(builder.create<arith::DivFOp>(l, a, b));
    }
    if (op == "+")
      return Value(builder.create<arith::AddIOp>(l, *lhs, *rhs));
    if (op == "-")
      return Value(builder.create<arith::SubIOp>(l, *lhs, *rhs));
    return Value(builder.create<arith::MulIOp>(l, *lhs, *rhs));
  }

  FailureOr<Value> compare(MMLParser::CompareExprContext *c) {
    FailureOr<Value> lhs = expr(c->expr(0)), rhs = expr(c->expr(1));
    if (failed(lhs) || failed(rhs))
      return failure();
    Location l = loc(c);
    std::string op = c->op->getText();
    Type lt = lhs->getType(), rt = rhs->getType();
    if (isa<StringType>(lt) && isa<StringType>(rt)) {
      if (op != "==" && op != "!=")
        return error(c) << "strings compare only with == and !=", failure();
      return Value(builder.create<StrCmpOp>(l, builder.getI1Type(), op == "==" ? "eq" : "ne", *lhs, *rhs));
    }
    if (lt.isInteger(1) && rt.isInteger(1)) {
      if (op != "==" && op != "!=")
        return error(c) << "bools compare only with == and !=", failure();
      return Value(builder.create<arith::CmpIOp>(
          l, op == "==" ? arith::CmpIPredicate::eq : arith::CmpIPredicate::ne, *lhs, *rhs));
    }
    auto isNumber = [](Type t) { return t.isInteger(64) || isa<FloatType>(t); };
    if (!isNumber(lt) || !isNumber(rt))
      return error(c) << "cannot compare " << withArticle(lt) << " with " << withArticle(rt), failure();
    if (lt.isInteger(64) && rt.isInteger(64)) {
      auto pred = llvm::StringSwitch<arith::CmpIPredicate>(op)
                      .Case("<", arith::CmpIPredicate::slt)
                      .Case("<=", arith::CmpIPredicate::sle)
                      .Case(">", arith::CmpIPredicate::sgt)
                      .Case(">=", arith::CmpIPredicate::sge)
                      .Case("==", arith::CmpIPredicate::eq)
                      .Default(arith::CmpIPredicate::ne);
      return Value(builder.create<arith::CmpIOp>(l, pred, *lhs, *rhs));
    }
    auto pred = llvm::StringSwitch<arith::CmpFPredicate>(op)
                    .Case("<", arith::CmpFPredicate::OLT)
                    .Case("<=", arith::CmpFPredicate::OLE)
                    .Case(">", arith::CmpFPredicate::OGT)
                    .Case(">=", arith::CmpFPredicate::OGE)
                    .Case("==", arith::CmpFPredicate::OEQ)
                    .Default(arith::CmpFPredicate::UNE);
    Value a = *coerce(*lhs, builder.getF64Type(), l), b = *coerce(*rhs, builder.getF64Type(), l);
    return Value(builder.create<arith::CmpFOp>(l, pred, a, b));
  }

  FailureOr<Value> logical(MMLParser::ExprContext *lhsCtx, MMLParser::ExprContext *rhsCtx,
                           bool isAnd, MMLParser::ExprContext *ctx) {
    FailureOr<Value> lhs = condition(lhsCtx, isAnd ? "'and'" : "'or'");
    if (failed(lhs))
      return failure();
    FailureOr<Value> rhs = condition(rhsCtx, isAnd ? "'and'" : "'or'");
    if (failed(rhs))
      return failure();
    if (isAnd)
      return Value(builder.create<arith::AndIOp>(loc(ctx), *lhs, *rhs));
    return Value(builder.create<arith::OrIOp>(loc(ctx), *lhs, *rhs));
  }

  MMLParser::NameExprContext *asName(MMLParser::ExprContext *e) {
    auto *p = dynamic_cast<MMLParser::PrimaryExprContext *>(e);
    return p ? dynamic_cast<MMLParser::NameExprContext *>(p->primary()) : nullptr;
  }

  FailureOr<Value> primary(MMLParser::PrimaryContext *p) {
    Location l = loc(p);
    if (auto *n = dynamic_cast<MMLParser::NameExprContext *>(p))
      return name(n);
    if (auto *c = dynamic_cast<MMLParser::CallExprContext *>(p))
      return call(c);
    if (auto *paren = dynamic_cast<MMLParser::ParenExprContext *>(p))
      return expr(paren->expr());
    if (auto *par = dynamic_cast<MMLParser::ParallelExprContext *>(p))
      return parallel(par);
    if (auto *fx = dynamic_cast<MMLParser::FixedLitContext *>(p))
      return fixed(fx);
    if (auto *list = dynamic_cast<MMLParser::ListLitContext *>(p)) {
      for (auto *e : list->expr())
        if (!literal(e))
          return error(e) << "list elements must be constants", failure();
      Attribute a = literal(static_cast<MMLParser::ExprContext *>(
          static_cast<antlr4::ParserRuleContext *>(p->parent)));
      if (!a)
        return error(p) << "invalid list", failure();
      Type t = typeOfConstant(a);
      FailureOr<Attribute> c = coerceConstant(a, t);
      if (failed(c))
        return error(p) << "list elements must all be of one type", failure();
      return Value(builder.create<ConstantOp>(l, t, *c));
    }
    // Remaining primaries are plain literals.
    Attribute a = literal(static_cast<MMLParser::ExprContext *>(
        static_cast<antlr4::ParserRuleContext *>(p->parent)));
    if (!a)
      return failure(); // literal() reported the problem
    return constantValue(a, l);
  }

  FailureOr<Value> name(MMLParser::NameExprContext *n) {
    std::string id = text(n->name());
    if (candidate && !lookupVar(id) && llvm::is_contained(getMetricNames(candidate.getType()), id))
      return Value(builder.create<MetricOp>(loc(n), builder.getF64Type(), candidate, id));
    if (Value v = lookupVar(id))
      return v;
    if (Operation *symbol = lookupSymbol(id)) {
      if (auto global = dyn_cast<GlobalOp>(symbol))
        return Value(builder.create<GlobalGetOp>(loc(n), global.getType(), id));
      return error(n) << "'" << id << "' is a " << (isa<TaskOp>(symbol) ? "task" : "flow")
                      << "; call it with " << id << "(...)",
             failure();
    }
    if (candidate)
      return error(n) << "unknown name '" << id << "' (in 'select' and 'where', bare names are "
                      << "variables or metrics of the candidate)",
             failure();
    return error(n) << "unknown name '" << id << "'" << suggestName(id, /*callables=*/false),
           failure();
  }

  FailureOr<Value> fixed(MMLParser::FixedLitContext *fx) {
    if (Attribute a = fixedLiteral(fx, /*reportErrors=*/true))
      return Value(builder.create<ConstantOp>(loc(fx), FixedType::get(&context), a));
    // Computed width or integer bits, e.g. fixed<w, 6> in a search.
    bool constantArgs = fx->width->INT() && fx->integer->INT();
    if (constantArgs)
      return failure(); // fixedLiteral reported why the constant format is invalid
    auto argValue = [&](MMLParser::FixedArgContext *arg) -> FailureOr<Value> {
      Location l = loc(arg);
      if (arg->INT()) {
        Attribute a = integer(arg->INT()->getSymbol());
        if (!a)
          return failure();
        int64_t v = cast<IntegerAttr>(a).getInt();
        return Value(builder.create<arith::ConstantOp>(
            l, builder.getI64IntegerAttr(arg->getText().front() == '-' ? -v : v)));
      }
      FailureOr<Value> v;
      if (arg->name()) {
        Value var = lookupVar(text(arg->name()));
        if (!var)
          return error(arg) << "unknown name '" << text(arg->name()) << "'"
                            << suggestName(text(arg->name()), /*callables=*/false),
                 failure();
        v = var;
      } else {
        v = expr(arg->expr());
      }
      if (failed(v))
        return failure();
      if (!v->getType().isInteger(64))
        return error(arg) << "fixed-point widths are ints, not " << spell(v->getType()),
               failure();
      return v;
    };
    FailureOr<Value> width = argValue(fx->width), integerBits = argValue(fx->integer);
    if (failed(width) || failed(integerBits))
      return failure();
    std::string quantization = "TRN", overflow = "WRAP";
    if (failed(fixedModes(fx, quantization, overflow)))
      return failure();
    return Value(builder.create<MakeFixedOp>(loc(fx), FixedType::get(&context), *width,
                                             *integerBits, fx->kind->getText() == "fixed",
                                             quantization, overflow));
  }

  FailureOr<Value> call(MMLParser::CallExprContext *c) {
    std::string callee = text(c->name());
    Operation *symbol = lookupSymbol(callee);
    std::optional<CalleeSignature> sig = getCalleeSignature(symbol);
    if (!sig) {
      if (symbol)
        return error(c->name()) << "'" << callee << "' is a global, not a task or flow",
               failure();
      return error(c->name()) << "unknown task or flow '" << callee << "'"
                              << suggestName(callee, /*callables=*/true),
             failure();
    }
    if (callee == "main")
      return error(c->name()) << "main cannot be called", failure();
    SmallVector<Value> args;
    SmallVector<Attribute> names;
    size_t positional = 0;
    bool sawNamed = false;
    if (auto *list = c->argList())
      for (auto *arg : list->arg()) {
        FailureOr<Value> v = expr(arg->expr());
        if (failed(v))
          return failure();
        std::string argName;
        if (arg->name()) {
          sawNamed = true;
          argName = text(arg->name());
        } else {
          if (sawNamed)
            return error(arg) << "positional argument after a named one", failure();
          if (positional >= sig->params.size())
            return error(arg) << sig->kind << " '" << callee << "' takes "
                              << sig->params.size() << " parameters; this is one too many",
                   failure();
          argName = cast<ParamAttr>(sig->params[positional++]).getName().str();
        }
        // Ints are accepted where floats are declared; other mismatches are left to the
        // verifier, which names the parameter and both types.
        for (Attribute p : sig->params) {
          auto param = cast<ParamAttr>(p);
          if (param.getName().getValue() == argName) {
            FailureOr<Value> coerced = coerce(*v, param.getType(), loc(arg));
            if (succeeded(coerced))
              v = coerced;
          }
        }
        args.push_back(*v);
        names.push_back(builder.getStringAttr(argName));
      }
    SmallVector<Type> results;
    if (sig->resultType)
      results.push_back(sig->resultType);
    auto op = builder.create<CallOp>(loc(c), results, callee, args, builder.getArrayAttr(names),
                                     nullptr, nullptr);
    if (results.empty())
      return Value();
    return op.getResult(0);
  }

  FailureOr<Value> parallel(MMLParser::ParallelExprContext *par) {
    Location l = loc(par);
    SmallVector<Attribute> labels;
    SmallVector<std::unique_ptr<Region>> regions;
    Type resultType;
    for (auto *branch : par->branch()) {
      std::string label = branch->label->getType() == MMLParser::STRING
                              ? unquote(branch->label)
                              : branch->label->getText();
      labels.push_back(builder.getStringAttr(label));
      auto region = std::make_unique<Region>();
      Block *block = new Block();
      region->push_back(block);
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(block);
      Scope scope(*this);
      branchYield = std::nullopt;
      if (failed(statements(branch->block()->stmt(), StatementContext::ParallelBranch)))
        return failure();
      if (!branchYield)
        return emitError(loc(branch->block()->getStop()))
                   << "branch \"" << label << "\" must end with 'yield <result>;'",
               failure();
      Value v = branchYield->first;
      if (!resultType)
        resultType = v.getType();
      FailureOr<Value> coerced = coerce(v, resultType, branchYield->second);
      if (failed(coerced))
        return emitError(branchYield->second)
                   << "branch \"" << label << "\" yields " << withArticle(v.getType())
                   << " but the first branch yields " << withArticle(resultType),
               failure();
      builder.create<YieldOp>(branchYield->second, ValueRange{*coerced});
      regions.push_back(std::move(region));
    }
    if (!isModelType(resultType) && !isa<MetricsType>(resultType))
      return error(par) << "parallel branches must yield models (dnn, hls, rtl) or metrics so "
                           "that 'select' can compare them, not "
                        << spell(resultType),
             failure();
    auto op = builder.create<ParallelOp>(l, resultType, builder.getArrayAttr(labels),
                                         par->direction->getText(), regions.size());
    for (auto [i, region] : llvm::enumerate(regions))
      op.getBranches()[i].takeBody(*region);
    Block *select = new Block();
    op.getSelect().push_back(select);
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(select);
    Value saved = candidate;
    candidate = select->addArgument(resultType, l);
    FailureOr<Value> objective = numberAsFloat(par->objective, "a 'select' objective");
    FailureOr<Value> feasible =
        par->constraint ? condition(par->constraint, "a 'where' constraint")
                        : FailureOr<Value>(Value(builder.create<arith::ConstantOp>(
                              l, builder.getBoolAttr(true))));
    candidate = saved;
    if (failed(objective) || failed(feasible))
      return failure();
    builder.create<ScoreOp>(l, *objective, *feasible);
    return op.getResult();
  }

  static constexpr unsigned kMaxExprDepth = 500;

  MLIRContext &context;
  OpBuilder builder;
  ModuleLoader &loader;
  std::string fileName;
  StringAttr fileAttr;
  OwningOpRef<ModuleOp> module;
  std::vector<ModuleOp> importedModules;
  std::vector<llvm::StringMap<Value>> scopes;
  llvm::DenseMap<antlr4::ParserRuleContext *, FlowOp> flows;
  llvm::DenseMap<antlr4::ParserRuleContext *, GlobalOp> globals;
  std::optional<std::pair<Value, Location>> returnValue;
  std::optional<std::pair<Value, Location>> branchYield;
  Value candidate; // the candidate inside `select`/`where`
  unsigned depth = 0;
};

} // namespace

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
