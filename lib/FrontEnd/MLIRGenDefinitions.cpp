// MLIRGen pass 2: the bodies of flows, searches, globals and cfg blocks.
#include "MLIRGenImpl.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetOperations.h"
#include "llvm/Support/Path.h"

#include <cmath>

namespace mml::mlirgen {

LogicalResult MLIRGenImpl::define(MMLParser::TopDeclContext *decl) {
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

void MLIRGenImpl::bindParams(FlowOp flow, MMLParser::ParamListContext *list) {
  if (!list)
    return;
  for (auto [p, arg] : llvm::zip(list->paramDecl(), flow.getBody().front().getArguments()))
    scopes.back()[text(p->name())] = arg;
}

LogicalResult MLIRGenImpl::defineFlow(FlowOp flow, MMLParser::ParamListContext *list,
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

LogicalResult MLIRGenImpl::defineGlobal(MMLParser::GlobalDeclContext *decl) {
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

LogicalResult MLIRGenImpl::defineCfg(MMLParser::CfgBlockContext *cfg) {
  for (auto *entry : cfg->cfgEntry()) {
    FailureOr<Attribute> value = constant(entry->expr(), Type());
    if (failed(value))
      return failure();
    builder.create<CfgEntryOp>(loc(entry), entry->key->getText(), *value);
  }
  return success();
}

LogicalResult MLIRGenImpl::defineSearch(FlowOp flow, MMLParser::SearchDeclContext *search) {
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

} // namespace mml::mlirgen
