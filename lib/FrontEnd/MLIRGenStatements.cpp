// MLIRGen of statements: variable scopes, which variables a block may or must assign, and
// assignments, if, while, for, return and yield.
#include "MLIRGenImpl.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetOperations.h"
#include "llvm/Support/Path.h"

#include <cmath>

namespace mml::mlirgen {

Value *MLIRGenImpl::lookupVarSlot(StringRef name) {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end())
      return &found->second;
  }
  return nullptr;
}

MLIRGenImpl::Snapshot MLIRGenImpl::snapshot(ArrayRef<std::string> names) {
  Snapshot s;
  for (const std::string &n : names)
    s.emplace_back(n, lookupVar(n));
  return s;
}

Assignments MLIRGenImpl::assignments(const std::vector<MMLParser::StmtContext *> &stmts) {
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

Assignments MLIRGenImpl::assignments(MMLParser::StmtContext *s) {
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

Assignments MLIRGenImpl::ifAssignments(MMLParser::BlockContext *thenBlock,
                                       MMLParser::ElseStmtContext *els) {
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

LogicalResult MLIRGenImpl::statements(const std::vector<MMLParser::StmtContext *> &stmts,
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

LogicalResult MLIRGenImpl::statement(MMLParser::StmtContext *s, StatementContext where) {
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

LogicalResult MLIRGenImpl::assignStmt(MMLParser::AssignStmtContext *assign,
                                      StatementContext where) {
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

LogicalResult MLIRGenImpl::ifStmt(MMLParser::ExprContext *condCtx,
                                  MMLParser::BlockContext *thenBlock,
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

std::vector<std::string>
MLIRGenImpl::loopCarried(const std::vector<MMLParser::StmtContext *> &stmts, StringRef loopVar) {
  std::vector<std::string> carried;
  for (auto &k : assignments(stmts).maybe)
    if (k.getKey() != loopVar && lookupVar(k.getKey()))
      carried.push_back(k.getKey().str());
  llvm::sort(carried);
  return carried;
}

std::optional<int64_t> MLIRGenImpl::loopBound(antlr4::Token *bound, antlr4::ParserRuleContext *ctx,
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

LogicalResult MLIRGenImpl::whileStmt(MMLParser::WhileStmtContext *w) {
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

LogicalResult MLIRGenImpl::forStmt(MMLParser::ForStmtContext *f) {
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

Type MLIRGenImpl::typeOfConstant(Attribute a) {
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

} // namespace mml::mlirgen
