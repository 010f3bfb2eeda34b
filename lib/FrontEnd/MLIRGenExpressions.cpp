// MLIRGen of expressions: arithmetic, comparisons, logic, metrics, names, fixed literals,
// calls with their named arguments, and parallel blocks.
#include "MLIRGenImpl.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetOperations.h"
#include "llvm/Support/Path.h"

#include <cmath>

namespace mml::mlirgen {

FailureOr<Value> MLIRGenImpl::coerce(Value value, Type type, Location l) {
  if (value.getType() == type)
    return value;
  if (isa<FloatType>(type) && value.getType().isInteger(64))
    return Value(builder.create<arith::SIToFPOp>(l, type, value));
  return failure();
}

FailureOr<Value> MLIRGenImpl::condition(MMLParser::ExprContext *e, StringRef what) {
  FailureOr<Value> v = expr(e);
  if (failed(v))
    return failure();
  if (!v->getType().isInteger(1))
    return error(e) << what << " must be a bool, not " << withArticle(v->getType()), failure();
  return v;
}

FailureOr<Value> MLIRGenImpl::numberAsFloat(MMLParser::ExprContext *e, StringRef what) {
  FailureOr<Value> v = expr(e);
  if (failed(v))
    return failure();
  FailureOr<Value> f = coerce(*v, builder.getF64Type(), loc(e));
  if (failed(f))
    return error(e) << what << " must be a number, not " << withArticle(v->getType()), failure();
  return f;
}

Value MLIRGenImpl::constantValue(Attribute a, Location l) {
  if (auto typed = dyn_cast<TypedAttr>(a);
      typed && !isa<StringAttr>(a) && isa<IntegerType, FloatType>(typed.getType()))
    return builder.create<arith::ConstantOp>(l, typed);
  return builder.create<ConstantOp>(l, typeOfConstant(a), a);
}

FailureOr<Value> MLIRGenImpl::expr(MMLParser::ExprContext *e) {
  if (++depth > kMaxExprDepth) {
    --depth;
    return error(e) << "expression nested too deeply", failure();
  }
  FailureOr<Value> v = exprImpl(e);
  --depth;
  return v;
}

FailureOr<Value> MLIRGenImpl::exprImpl(MMLParser::ExprContext *e) {
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

FailureOr<Value> MLIRGenImpl::metric(MMLParser::MetricExprContext *m) {
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

FailureOr<Value> MLIRGenImpl::logicalNot(MMLParser::NotExprContext *n) {
  FailureOr<Value> v = condition(n->expr(), "'not'");
  if (failed(v))
    return failure();
  Location l = loc(n);
  Value t = builder.create<arith::ConstantOp>(l, builder.getBoolAttr(true));
  return Value(builder.create<arith::XOrIOp>(l, *v, t));
}

FailureOr<Value> MLIRGenImpl::negate(MMLParser::NegExprContext *u) {
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

FailureOr<Value> MLIRGenImpl::arithmetic(MMLParser::ExprContext *lhsCtx,
                                         MMLParser::ExprContext *rhsCtx, StringRef op,
                                         MMLParser::ExprContext *ctx) {
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

FailureOr<Value> MLIRGenImpl::compare(MMLParser::CompareExprContext *c) {
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

FailureOr<Value> MLIRGenImpl::logical(MMLParser::ExprContext *lhsCtx,
                                      MMLParser::ExprContext *rhsCtx, bool isAnd,
                                      MMLParser::ExprContext *ctx) {
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

FailureOr<Value> MLIRGenImpl::primary(MMLParser::PrimaryContext *p) {
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

FailureOr<Value> MLIRGenImpl::name(MMLParser::NameExprContext *n) {
  std::string id = text(n->name());
  if (candidate && !lookupVar(id) && llvm::is_contained(getMetricNames(candidate.getType()), id))
    return Value(builder.create<MetricOp>(loc(n), builder.getF64Type(), candidate, id));
  // A metrics record is open (an extern task's record holds whatever its command printed): in
  // `select`/`where` over records, a name that is neither a variable nor a global is a metric
  // (even one spelt like a task: `scale`).
  if (candidate && isa<MetricsType>(candidate.getType()) && !lookupVar(id) &&
      !isa_and_nonnull<GlobalOp>(lookupSymbol(id)))
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

FailureOr<Value> MLIRGenImpl::fixed(MMLParser::FixedLitContext *fx) {
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

FailureOr<Value> MLIRGenImpl::call(MMLParser::CallExprContext *c) {
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

FailureOr<Value> MLIRGenImpl::parallel(MMLParser::ParallelExprContext *par) {
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

} // namespace mml::mlirgen
