// The `mml` ops: verifiers (levels, parameters, domains, regions), flow syntax and folders.
#include "mml/Dialect/MML/MMLOps.h"
#include "mml/Support/Suggest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringSet.h"

#include "DeviceTable.h" // runtime/hls: the device database, header-only

using namespace mlir;
using namespace mml;

#define GET_OP_CLASSES
#include "mml/Dialect/MML/MMLOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

std::optional<CalleeSignature> mml::getCalleeSignature(Operation *symbol) {
  if (auto task = dyn_cast_or_null<TaskOp>(symbol))
    return CalleeSignature{"task", task.getParams(), task.getResultType()};
  if (auto flow = dyn_cast_or_null<FlowOp>(symbol)) {
    ArrayRef<Type> results = flow.getResultTypes();
    return CalleeSignature{"flow", flow.getParams(), results.empty() ? Type() : results.front()};
  }
  return std::nullopt;
}

Attribute mml::getConstantValue(Value value) {
  Attribute attr;
  if (value && matchPattern(value, m_Constant(&attr)))
    return attr;
  return {};
}

static std::string spellType(Type type) { return getSourceTypeName(type); }

/// A symbol missing from a module that still has `mml.import` ops may come from an import:
/// checks of uses wait until mml-resolve-imports has merged them.
static bool mayComeFromImport(Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  return module && !module.getOps<ImportOp>().empty();
}

/// Whether a constant attribute is a valid value of `type`.
static bool attrMatchesType(Attribute attr, Type type) {
  if (isa<FloatType>(type))
    return isa<FloatAttr>(attr);
  if (auto it = dyn_cast<IntegerType>(type))
    if (auto i = dyn_cast<IntegerAttr>(attr))
      return i.getType() == type;
  if (isa<StringType>(type))
    return isa<StringAttr>(attr);
  if (isa<FixedType>(type))
    return isa<FixedPointAttr>(attr);
  if (auto list = dyn_cast<ListType>(type)) {
    auto array = dyn_cast<ArrayAttr>(attr);
    return array && llvm::all_of(array, [&](Attribute e) {
             return attrMatchesType(e, list.getElementType());
           });
  }
  return false;
}

static std::optional<double> numberOf(Attribute attr) {
  if (auto f = dyn_cast_or_null<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(attr))
    return static_cast<double>(i.getValue().getSExtValue());
  return std::nullopt;
}

LogicalResult mml::verifyParamList(Operation *op, ArrayAttr params, bool isSearch) {
  llvm::StringSet<> seen;
  for (Attribute a : params) {
    auto param = dyn_cast<ParamAttr>(a);
    if (!param)
      return op->emitOpError("expects #mml.param entries in its parameter list");
    StringRef name = param.getName().getValue();
    auto diag = [&]() {
      return op->emitError() << (isSearch ? "search parameter '" : "parameter '") << name << "' ";
    };
    if (!seen.insert(name).second)
      return op->emitError() << "duplicate parameter name '" << name << "'";
    Type type = param.getType();
    ArrayAttr choices = param.getChoices();
    if (choices) {
      if (choices.empty())
        return diag() << "has an empty set of values";
      for (auto [i, c] : llvm::enumerate(choices)) {
        if (!attrMatchesType(c, type))
          return diag() << "has a value of the wrong type in its set (expected "
                        << spellType(type) << ")";
        for (Attribute earlier : choices.getValue().take_front(i))
          if (earlier == c)
            return diag() << "lists a value twice in its set";
      }
    }
    Attribute lo = param.getLower(), hi = param.getUpper();
    if (lo || hi) {
      if (choices)
        return diag() << "cannot have both a range and a set of values";
      if (!isa<FloatType, IntegerType>(type) || type.isInteger(1))
        return diag() << "has a range but is of type " << spellType(type)
                      << "; ranges need int or float";
      std::optional<double> l = numberOf(lo), h = numberOf(hi);
      if ((lo && !l) || (hi && !h))
        return diag() << "has a range bound that is not a number";
      if (type.isInteger(64) && ((lo && !isa<IntegerAttr>(lo)) || (hi && !isa<IntegerAttr>(hi))))
        return diag() << "is an int but its range has a non-integer bound";
      if (l && h && (*l > *h || (*l == *h && (param.getLowerOpen() || param.getUpperOpen()))))
        return diag() << "has an empty range " << param.describeDomain();
    }
    if (param.getLog()) {
      if (!isSearch)
        return diag() << "cannot be log-scaled outside a search";
      std::optional<double> l = numberOf(lo);
      if (!l || *l <= 0)
        return diag() << "is log-scaled, so its range must be positive";
    }
    if (isSearch && param.getOptional())
      return diag() << "cannot be optional";
    if (isSearch) {
      if (!param.hasDomain())
        return diag() << "needs a domain: a range [lo, hi] or a set {a, b, ...}";
      if (!choices && (!lo || !hi))
        return diag() << "needs both range bounds";
      if (param.getDefaultValue())
        return diag() << "cannot have a default value";
    }
    if (Attribute def = param.getDefaultValue()) {
      bool isInput = isModelType(type) || isa<DataType, DeviceType, MetricsType>(type);
      if (isInput) {
        // Inputs can only default to a global of their type, checked where it is used.
        if (!isa<FlatSymbolRefAttr>(def))
          return diag() << "can only default to a global " << spellType(type);
        continue;
      }
      if (!attrMatchesType(def, type))
        return diag() << "has a default value of the wrong type (expected " << spellType(type)
                      << ")";
      if (!param.admits(def))
        return diag() << "has a default value outside its domain " << param.describeDomain();
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// TaskOp, FlowOp, GlobalOp
//===----------------------------------------------------------------------===//

LogicalResult TaskOp::verify() {
  if (failed(verifyParamList(*this, getParams(), /*isSearch=*/false)))
    return failure();
  if (getCommand() && getCommand()->empty())
    return emitOpError("of an extern task needs a non-empty command");
  return success();
}

ParseResult FlowOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildFuncType = [](Builder &builder, ArrayRef<Type> argTypes, ArrayRef<Type> results,
                          function_interface_impl::VariadicFlag,
                          std::string &) { return builder.getFunctionType(argTypes, results); };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false, getFunctionTypeAttrName(result.name),
      buildFuncType, getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void FlowOp::print(OpAsmPrinter &p) {
  function_interface_impl::printFunctionOp(p, *this, /*isVariadic=*/false,
                                           getFunctionTypeAttrName(), getArgAttrsAttrName(),
                                           getResAttrsAttrName());
}

LogicalResult FlowOp::verify() {
  if (failed(verifyParamList(*this, getParams(), /*isSearch=*/false)))
    return failure();
  ArrayRef<Type> inputs = getArgumentTypes();
  if (inputs.size() != getParams().size())
    return emitOpError("has ") << inputs.size() << " arguments but " << getParams().size()
                               << " declared parameters";
  for (auto [type, attr] : llvm::zip(inputs, getParams()))
    if (cast<ParamAttr>(attr).getType() != type)
      return emitOpError("argument type differs from its declared parameter '")
             << cast<ParamAttr>(attr).getName().getValue() << "'";
  if (getResultTypes().size() > 1)
    return emitOpError("returns at most one value");
  if (getBody().empty())
    return emitOpError("needs a body");
  if (getBody().front().getArgumentTypes() != inputs)
    return emitOpError("entry block arguments must match the flow's parameters");
  if (isMain() && !inputs.empty())
    return emitError("main takes no parameters");
  return success();
}

LogicalResult ReturnOp::verify() {
  auto flow = cast<FlowOp>((*this)->getParentOp());
  ArrayRef<Type> results = flow.getResultTypes();
  if (getOperands().getTypes() != results) {
    if (results.empty())
      return emitError("flow '") << flow.getSymName() << "' declares no result but returns "
                                 << spellType(getOperands().front().getType());
    if (getOperands().empty())
      return emitError("flow '") << flow.getSymName() << "' must return "
                                 << withArticle(results.front());
    return emitError("flow '") << flow.getSymName() << "' returns "
                               << spellType(results.front()) << " but this returns "
                               << spellType(getOperands().front().getType());
  }
  return success();
}

LogicalResult GlobalOp::verifyRegions() {
  auto yield = dyn_cast<YieldOp>(getInit().front().getTerminator());
  if (!yield || yield.getResults().size() != 1 ||
      yield.getResults().front().getType() != getType())
    return emitError("global '") << getSymName() << "' must be initialised with "
                                 << withArticle(getType());
  return success();
}

LogicalResult GlobalGetOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto global = symbolTable.lookupNearestSymbolFrom<GlobalOp>(*this, getGlobalNameAttr());
  if (!global && mayComeFromImport(*this))
    return success();
  if (!global)
    return emitError("unknown global '") << getGlobalName() << "'";
  if (global.getType() != getType())
    return emitError("global '") << getGlobalName() << "' is " << withArticle(global.getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  Type type = getType();
  if (!isa<StringType, FixedType, ListType>(type))
    return emitOpError("is for strings, lists and fixed-point formats; use arith.constant for ")
           << spellType(type);
  if (!attrMatchesType(getValue(), type))
    return emitOpError("value does not match its type ") << spellType(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult MakeFixedOp::fold(FoldAdaptor adaptor) {
  auto width = dyn_cast_or_null<IntegerAttr>(adaptor.getWidth());
  auto integerBits = dyn_cast_or_null<IntegerAttr>(adaptor.getIntegerBits());
  if (!width || !integerBits)
    return {};
  // Invalid formats are left for the runtime to report with this op's location.
  if (FixedPointAttr::findProblem(width.getInt(), integerBits.getInt(), getIsSigned(),
                                  getQuantization(), getOverflow()))
    return {};
  return FixedPointAttr::get(getContext(), width.getInt(), integerBits.getInt(), getIsSigned(),
                             getQuantization(), getOverflow());
}

LogicalResult StrCmpOp::verify() {
  if (getPredicate() != "eq" && getPredicate() != "ne")
    return emitOpError("predicate must be 'eq' or 'ne'");
  return success();
}

OpFoldResult StrCmpOp::fold(FoldAdaptor adaptor) {
  auto lhs = dyn_cast_or_null<StringAttr>(adaptor.getLhs());
  auto rhs = dyn_cast_or_null<StringAttr>(adaptor.getRhs());
  if (!lhs || !rhs)
    return {};
  bool equal = lhs.getValue() == rhs.getValue();
  return BoolAttr::get(getContext(), getPredicate() == "eq" ? equal : !equal);
}

LogicalResult MetricOp::verify() {
  Type type = getSource().getType();
  ArrayRef<StringRef> names = getMetricNames(type);
  if (names.empty())
    return emitError() << withArticle(type) << " has no metrics";
  if (!isa<MetricsType>(type) && !llvm::is_contained(names, getName())) { // records are open
    InFlightDiagnostic diag = emitError()
                              << withArticle(type) << " has no metric '" << getName()
                              << "' (it has: ";
    llvm::interleaveComma(names, diag);
    return diag << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// CallOp
//===----------------------------------------------------------------------===//

Value CallOp::getArg(StringRef name) {
  for (auto [operand, n] : llvm::zip(getArgs(), getArgNames()))
    if (cast<StringAttr>(n).getValue() == name)
      return operand;
  return {};
}

LogicalResult CallOp::verify() {
  if (getArgNames().size() != getArgs().size())
    return emitOpError("needs one arg_names entry per operand");
  if (getArgOrigins() && getArgOrigins()->size() != getArgs().size())
    return emitOpError("needs one arg_origins entry per operand");
  if (getArgOrigins())
    for (Attribute o : getArgOriginsAttr())
      if (!llvm::is_contained({"default", "text", "cfg", "set"}, cast<StringAttr>(o).getValue()))
        return emitOpError("has an unknown argument origin ") << o;
  if (getNumResults() > 1)
    return emitOpError("has at most one result");
  return success();
}

LogicalResult CallOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *symbol = symbolTable.lookupNearestSymbolFrom(*this, getCalleeAttr());
  std::optional<CalleeSignature> sig = getCalleeSignature(symbol);
  if (!symbol && mayComeFromImport(*this))
    return success();
  if (!sig)
    return emitError("unknown task or flow '") << getCallee() << "'";
  StringRef callee = getCallee();
  llvm::StringSet<> given;
  for (auto [operand, nameAttr] : llvm::zip(getArgs(), getArgNames())) {
    StringRef name = cast<StringAttr>(nameAttr).getValue();
    if (!given.insert(name).second)
      return emitError("argument '") << name << "' of " << sig->kind << " '" << callee
                                     << "' is given twice";
    auto it = llvm::find_if(sig->params, [&](Attribute p) {
      return cast<ParamAttr>(p).getName().getValue() == name;
    });
    if (it == sig->params.end()) {
      std::vector<std::string> known;
      for (Attribute p : sig->params)
        known.push_back(cast<ParamAttr>(p).getName().getValue().str());
      std::string suggestion = mml::closestName(std::string_view(name.data(), name.size()), known);
      InFlightDiagnostic diag = emitError() << sig->kind << " '" << callee
                                            << "' has no parameter '" << name << "' (";
      if (!suggestion.empty())
        diag << "did you mean '" << suggestion << "'?; ";
      diag << "it has: ";
      llvm::interleaveComma(sig->params, diag, [&](Attribute p) {
        diag << cast<ParamAttr>(p).getName().getValue();
      });
      return diag << ")";
    }
    auto param = cast<ParamAttr>(*it);
    Type expected = param.getType(), actual = operand.getType();
    if (expected != actual) {
      if (isModelType(expected) && isModelType(actual))
        return emitError() << sig->kind << " '" << callee << "' works on " << spellType(expected)
                           << " models, but '" << name << "' is " << withArticle(actual)
                           << " model";
      return emitError("argument '") << name << "' of " << sig->kind << " '" << callee
                                     << "' must be " << spellType(expected) << ", not "
                                     << spellType(actual);
    }
    if (Attribute value = getConstantValue(operand))
      if (!param.admits(value))
        return emitError("value of '")
               << name << "' for " << sig->kind << " '" << callee << "' is outside its domain "
               << param.describeDomain();
    // The built-in `part` task: a constant part name must be in the device database (the
    // runtime's table, shared through a dependency-free header).
    if (auto task = dyn_cast<TaskOp>(symbol); task && !task.isExternal() &&
                                              task.getImplName() == "part" && name == "name")
      if (auto text = dyn_cast_or_null<StringAttr>(getConstantValue(operand)))
        if (!mmlc::hls::findDeviceRecord(text.getValue().str()))
          return emitError() << mmlc::hls::unknownPartMessage(text.getValue().str());
  }
  for (Attribute p : sig->params) {
    auto param = cast<ParamAttr>(p);
    if (param.isRequired() && !given.contains(param.getName().getValue()))
      return emitError("missing required argument '")
             << param.getName().getValue() << "' (" << spellType(param.getType()) << ") of "
             << sig->kind << " '" << callee << "'";
  }
  if (sig->resultType ? (getNumResults() != 1 || getResult(0).getType() != sig->resultType)
                      : getNumResults() != 0)
    return emitError("result type of call to '") << callee << "' does not match its declaration";
  return success();
}

//===----------------------------------------------------------------------===//
// Control blocks
//===----------------------------------------------------------------------===//

/// Checks that a region ends in a yield of exactly `types`.
static LogicalResult verifyYield(Operation *op, Region &region, TypeRange types,
                                 StringRef what) {
  auto yield = dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield)
    return op->emitOpError() << what << " must end with mml.yield";
  if (yield.getResults().getTypes() != types)
    return op->emitOpError() << what << " yields values that do not match the op's results";
  return success();
}

LogicalResult IfOp::verifyRegions() {
  if (failed(verifyYield(*this, getThenRegion(), getResultTypes(), "then region")) ||
      failed(verifyYield(*this, getElseRegion(), getResultTypes(), "else region")))
    return failure();
  return success();
}

LogicalResult WhileOp::verify() {
  if (getMaxIterations() < 1)
    return emitError("unbounded or empty loop: 'max' must be at least 1 (got ")
           << getMaxIterations() << ")";
  if (getInits().getTypes() != getResultTypes())
    return emitOpError("results must have the types of the loop-carried values");
  return success();
}

LogicalResult WhileOp::verifyRegions() {
  TypeRange types = getInits().getTypes();
  if (getBefore().front().getArgumentTypes() != types ||
      getAfter().front().getArgumentTypes() != types)
    return emitOpError("region arguments must match the loop-carried values");
  auto cond = dyn_cast<ConditionOp>(getBefore().front().getTerminator());
  if (!cond || cond.getArgs().getTypes() != types)
    return emitOpError("cond region must end with mml.condition passing the loop-carried values");
  return verifyYield(*this, getAfter(), types, "do region");
}

LogicalResult ForOp::verifyRegions() {
  Block &body = getBody().front();
  TypeRange types = getInits().getTypes();
  if (getResultTypes() != types)
    return emitOpError("results must have the types of the loop-carried values");
  if (body.getNumArguments() != types.size() + 1)
    return emitOpError("body takes the loop value and the loop-carried values");
  Type elementType = body.getArgument(0).getType();
  for (Attribute value : getValues())
    if (!attrMatchesType(value, elementType))
      return emitOpError("loop values must all be of type ") << spellType(elementType);
  if (TypeRange(body.getArgumentTypes()).drop_front() != types)
    return emitOpError("body arguments must match the loop-carried values");
  return verifyYield(*this, getBody(), types, "body");
}

LogicalResult ParallelOp::verify() {
  if (getBranches().empty())
    return emitError("parallel needs at least one branch");
  if (getLabels().size() != getBranches().size())
    return emitOpError("needs one label per branch");
  llvm::StringSet<> seen;
  for (Attribute l : getLabels())
    if (!seen.insert(cast<StringAttr>(l).getValue()).second)
      return emitError("duplicate branch label '") << cast<StringAttr>(l).getValue() << "'";
  if (getDirection() != "minimize" && getDirection() != "maximize")
    return emitOpError("direction must be 'minimize' or 'maximize'");
  return success();
}

LogicalResult ParallelOp::verifyRegions() {
  for (auto [region, label] : llvm::zip(getBranches(), getLabels()))
    if (failed(verifyYield(*this, region, getResult().getType(),
                           ("branch \"" + cast<StringAttr>(label).getValue() + "\"").str())))
      return failure();
  Block &select = getSelect().front();
  if (select.getNumArguments() != 1 || select.getArgument(0).getType() != getResult().getType())
    return emitOpError("select region takes one candidate of the result type");
  if (!isa<ScoreOp>(select.getTerminator()))
    return emitOpError("select region must end with mml.score");
  return success();
}

LogicalResult SearchOp::verify() {
  StringRef strategy = getStrategy();
  if (!llvm::is_contained({"bayes", "grid", "random"}, strategy))
    return emitError("unknown search strategy '")
           << strategy << "' (expected bayes, grid or random)";
  for (NamedAttribute option : getOptions()) {
    StringRef key = option.getName().getValue();
    bool known = llvm::is_contained({"budget", "seed", "time", "init", "points", "jobs"}, key);
    if (!known)
      return emitError("unknown option '")
             << key << "' for search strategy '" << strategy
             << "' (expected budget, seed, time, init, points or jobs)";
    auto value = dyn_cast<IntegerAttr>(option.getValue());
    bool isTime = key == "time";
    if (!isTime && !value)
      return emitError("search option '") << key << "' must be an integer";
    if (isTime && !isa<IntegerAttr, FloatAttr>(option.getValue()))
      return emitError("search option 'time' must be a duration");
    if (value && key != "seed" && value.getInt() < 1)
      return emitError("search option '") << key << "' must be at least 1";
  }
  if (strategy != "grid" && !getOptions().get("budget") && !getOptions().get("time"))
    return emitError("a ") << strategy << " search needs a 'budget' or a 'time' limit";
  if (getParams().empty())
    return emitError("a search needs at least one 'param'");
  return verifyParamList(*this, getParams(), /*isSearch=*/true);
}

LogicalResult SearchOp::verifyRegions() {
  Block &body = getBody().front();
  SmallVector<Type> types;
  for (Attribute p : getParams())
    types.push_back(cast<ParamAttr>(p).getType());
  if (body.getArgumentTypes() != ArrayRef<Type>(types))
    return emitOpError("body arguments must match the search parameters");
  auto yield = dyn_cast<SearchYieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end with mml.search_yield");
  if (yield.getResult().getType() != getResult().getType())
    return emitOpError("yields a result of the wrong type");
  return success();
}

LogicalResult SearchYieldOp::verify() {
  if (getObjectives().empty())
    return emitError("a search needs at least one objective: 'minimize' or 'maximize'");
  if (getDirections().size() != getObjectives().size())
    return emitOpError("needs one direction per objective");
  for (Attribute d : getDirections())
    if (!llvm::is_contained({"minimize", "maximize"}, cast<StringAttr>(d).getValue()))
      return emitOpError("direction must be 'minimize' or 'maximize'");
  return success();
}
