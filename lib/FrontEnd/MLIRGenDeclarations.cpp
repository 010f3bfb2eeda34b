// MLIRGen pass 1: imports, task, flow and search headers, globals, and the constant
// expressions their defaults, domains and values are made of.
#include "MLIRGenImpl.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetOperations.h"
#include "llvm/Support/Path.h"

#include <cmath>

namespace mml::mlirgen {

LogicalResult MLIRGenImpl::declare(MMLParser::TopDeclContext *decl) {
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

LogicalResult MLIRGenImpl::declareImport(MMLParser::ImportDeclContext *imp) {
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

FailureOr<Attribute> MLIRGenImpl::constant(MMLParser::ExprContext *expr, Type type) {
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

FailureOr<Attribute> MLIRGenImpl::coerceConstant(Attribute value, Type type) {
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

Attribute MLIRGenImpl::literal(MMLParser::ExprContext *expr) {
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

Attribute MLIRGenImpl::integer(antlr4::Token *token) {
  std::string digits = token->getText();
  errno = 0;
  long long value = std::strtoll(digits.c_str(), nullptr, 10);
  if (errno == ERANGE) {
    emitError(loc(token)) << "integer literal " << digits << " does not fit in 64 bits";
    return {};
  }
  return builder.getI64IntegerAttr(value);
}

Attribute MLIRGenImpl::quantity(MMLParser::QuantityLitContext *q) {
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

Attribute MLIRGenImpl::fixedLiteral(MMLParser::FixedLitContext *fx, bool reportErrors) {
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

LogicalResult MLIRGenImpl::fixedModes(MMLParser::FixedLitContext *fx, std::string &quantization,
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

FailureOr<ArrayAttr> MLIRGenImpl::paramList(MMLParser::ParamListContext *list) {
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

LogicalResult MLIRGenImpl::domain(MMLParser::DomainContext *ctx, Type type, Attribute &lower,
                                  Attribute &upper, bool &lowerOpen, bool &upperOpen,
                                  ArrayAttr &choices) {
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

LogicalResult MLIRGenImpl::declareTask(MMLParser::TaskDeclContext *task) {
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

LogicalResult MLIRGenImpl::declareFlow(MMLParser::NameContext *nameCtx,
                                       MMLParser::ParamListContext *list,
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

LogicalResult MLIRGenImpl::declareGlobal(MMLParser::GlobalDeclContext *global) {
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

} // namespace mml::mlirgen
