// The MLIR bridge: one conversion per op of the executable form, values numbered program-wide.
#include "mml/Bridge/ProgramBuilder.h"
#include "mml/Dialect/MML/MMLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mml;
namespace flow = mmlc::flow;

namespace {

class ProgramBuilder {
public:
  FailureOr<flow::Program> build(ModuleOp module) {
    if (!module->hasAttr("mml.executable"))
      return module.emitError("not an executable module: run mml-lower-to-executable first"),
             failure();
    flow::Program program;
    for (TaskOp task : module.getOps<TaskOp>()) {
      flow::TaskDecl decl;
      decl.name = task.getSymName().str();
      decl.impl = task.getImplName().str();
      decl.command = task.getCommand() ? task.getCommand()->str() : "";
      decl.resultType = getSourceTypeName(task.getResultType());
      decl.loc = locOf(task);
      for (Attribute p : task.getParams())
        decl.params.push_back(cast<ParamAttr>(p).getName().str());
      program.tasks[decl.name] = decl;
    }
    auto main = SymbolTable::lookupNearestSymbolFrom<FlowOp>(
        module, StringAttr::get(module.getContext(), "main"));
    if (!main)
      return module.emitError("no main flow"), failure();
    if (failed(region(main.getBody(), program.main)))
      return failure();
    program.numValues = nextId;
    if (auto slurm = module->getAttrOfType<ArrayAttr>("mml.slurm"))
      for (Attribute entry : slurm) {
        auto triple = cast<ArrayAttr>(entry).getAsValueRange<StringAttr>();
        std::vector<std::string> parts(triple.begin(), triple.end());
        program.slurm.push_back({parts.at(0), parts.at(1), parts.at(2)});
      }
    return program;
  }

private:
  flow::SourceLoc locOf(Operation *op) {
    flow::SourceLoc l;
    Location loc = op->getLoc();
    if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty())
      loc = fused.getLocations().front();
    if (auto file = dyn_cast<FileLineColLoc>(loc)) {
      l.file = file.getFilename().str();
      l.line = file.getLine();
      l.column = file.getColumn();
    }
    return l;
  }

  flow::ValueId id(Value v) {
    auto [it, inserted] = ids.try_emplace(v, nextId);
    if (inserted)
      ++nextId;
    return it->second;
  }

  FailureOr<flow::Value> constant(Attribute attr, Operation *op) {
    if (auto b = dyn_cast<BoolAttr>(attr))
      return flow::Value(b.getValue());
    if (auto i = dyn_cast<IntegerAttr>(attr)) {
      if (i.getType().isInteger(1))
        return flow::Value(i.getValue().getBoolValue());
      return flow::Value(static_cast<std::int64_t>(i.getValue().getSExtValue()));
    }
    if (auto f = dyn_cast<FloatAttr>(attr))
      return flow::Value(f.getValueAsDouble());
    if (auto s = dyn_cast<StringAttr>(attr))
      return flow::Value(s.str());
    if (auto fx = dyn_cast<FixedPointAttr>(attr))
      return flow::Value(fixed(fx));
    if (auto list = dyn_cast<ArrayAttr>(attr)) {
      flow::ScalarList items;
      for (Attribute e : list) {
        FailureOr<flow::Value> v = constant(e, op);
        if (failed(v))
          return failure();
        flow::Scalar s;
        if (!std::visit(
                [&](const auto &x) -> bool {
                  using T = std::decay_t<decltype(x)>;
                  if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                                std::is_same_v<T, bool> || std::is_same_v<T, std::string> ||
                                std::is_same_v<T, flow::FixedFormat>) {
                    s = x;
                    return true;
                  }
                  return false;
                },
                *v))
          return op->emitError("nested lists are not supported"), failure();
        items.push_back(s);
      }
      return flow::Value(items);
    }
    return op->emitError("constant of an unsupported kind"), failure();
  }

  static flow::FixedFormat fixed(FixedPointAttr fx) {
    return {static_cast<int>(fx.getWidth()), static_cast<int>(fx.getIntegerBits()),
            fx.getIsSigned(), fx.getQuantization().str(), fx.getOverflow().str()};
  }

  static std::vector<std::string> strings(ArrayAttr array) {
    std::vector<std::string> out;
    if (array)
      for (Attribute a : array)
        out.push_back(cast<StringAttr>(a).str());
    return out;
  }

  LogicalResult region(Region &mlirRegion, flow::Region &out) {
    Block &block = mlirRegion.front();
    for (BlockArgument arg : block.getArguments())
      out.arguments.push_back(id(arg));
    for (Operation &op : block) {
      flow::Op converted;
      if (failed(convert(&op, converted)))
        return failure();
      out.ops.push_back(std::move(converted));
    }
    return success();
  }

  LogicalResult convert(Operation *op, flow::Op &out) {
    out.loc = locOf(op);
    for (Value v : op->getOperands())
      out.operands.push_back(id(v));
    for (Value v : op->getResults())
      out.results.push_back(id(v));
    for (Region &r : op->getRegions()) {
      out.regions.emplace_back();
      if (failed(region(r, out.regions.back())))
        return failure();
    }
    return TypeSwitch<Operation *, LogicalResult>(op)
        .Case([&](arith::ConstantOp c) { return setConstant(c.getValue(), op, out); })
        .Case([&](ConstantOp c) { return setConstant(c.getValue(), op, out); })
        .Case([&](arith::CmpIOp c) {
          out.kind = flow::OpKind::Compare;
          out.name = "cmpi";
          out.predicate = arith::stringifyCmpIPredicate(c.getPredicate()).str();
          return success();
        })
        .Case([&](arith::CmpFOp c) {
          out.kind = flow::OpKind::Compare;
          out.name = "cmpf";
          out.predicate = arith::stringifyCmpFPredicate(c.getPredicate()).str();
          return success();
        })
        .Case<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::AddFOp, arith::SubFOp,
              arith::MulFOp, arith::DivFOp, arith::NegFOp, arith::SIToFPOp, arith::AndIOp,
              arith::OrIOp, arith::XOrIOp>([&](Operation *a) {
          out.kind = flow::OpKind::Arith;
          out.name = a->getName().stripDialect().str();
          return success();
        })
        .Case([&](StrCmpOp s) {
          out.kind = flow::OpKind::StrCmp;
          out.predicate = s.getPredicate().str();
          return success();
        })
        .Case([&](MakeFixedOp m) {
          out.kind = flow::OpKind::MakeFixed;
          out.fixed = {0, 0, m.getIsSigned(), m.getQuantization().str(), m.getOverflow().str()};
          return success();
        })
        .Case([&](MetricOp m) {
          out.kind = flow::OpKind::Metric;
          out.name = m.getName().str();
          return success();
        })
        .Case([&](CallOp c) {
          out.kind = flow::OpKind::Call;
          out.name = c.getCallee().str();
          out.argNames = strings(c.getArgNames());
          out.argOrigins = strings(c.getArgOriginsAttr());
          out.path = c.getPath() ? c.getPath()->str() : out.name;
          if (auto step = c->getAttrOfType<IntegerAttr>("step"))
            out.step = step.getInt();
          return success();
        })
        .Case([&](IfOp) {
          out.kind = flow::OpKind::If;
          return success();
        })
        .Case([&](WhileOp w) {
          out.kind = flow::OpKind::While;
          out.maxIterations = w.getMaxIterations();
          return success();
        })
        .Case([&](ForOp f) {
          out.kind = flow::OpKind::For;
          FailureOr<flow::Value> values = constant(f.getValues(), op);
          if (failed(values))
            return failure();
          out.values = std::get<flow::ScalarList>(*values);
          return success();
        })
        .Case([&](ParallelOp p) {
          out.kind = flow::OpKind::Parallel;
          out.labels = strings(p.getLabels());
          out.direction = p.getDirection().str();
          return success();
        })
        .Case([&](SearchOp s) { return search(s, out); })
        .Case([&](YieldOp) {
          out.kind = flow::OpKind::Yield;
          return success();
        })
        .Case([&](ConditionOp) {
          out.kind = flow::OpKind::Condition;
          return success();
        })
        .Case([&](ScoreOp) {
          out.kind = flow::OpKind::Score;
          return success();
        })
        .Case([&](SearchYieldOp y) {
          out.kind = flow::OpKind::SearchYield;
          out.directions = strings(y.getDirections());
          return success();
        })
        .Case([&](ReturnOp) {
          out.kind = flow::OpKind::Return;
          return success();
        })
        .Default([&](Operation *other) {
          return other->emitError("'") << other->getName()
                                       << "' is not part of the executable form (docs/ir.md)";
        });
  }

  LogicalResult setConstant(Attribute value, Operation *op, flow::Op &out) {
    out.kind = flow::OpKind::Constant;
    FailureOr<flow::Value> v = constant(value, op);
    if (failed(v))
      return failure();
    out.constant = *v;
    return success();
  }

  LogicalResult search(SearchOp s, flow::Op &out) {
    out.kind = flow::OpKind::Search;
    out.name = s.getStrategy().str();
    for (NamedAttribute option : s.getOptions()) {
      if (auto i = dyn_cast<IntegerAttr>(option.getValue()))
        out.options[option.getName().str()] = static_cast<double>(i.getInt());
      else if (auto f = dyn_cast<FloatAttr>(option.getValue()))
        out.options[option.getName().str()] = f.getValueAsDouble();
    }
    for (Attribute a : s.getParams()) {
      auto p = cast<ParamAttr>(a);
      flow::SearchParam param;
      param.name = p.getName().str();
      param.type = getSourceTypeName(p.getType());
      param.log = p.getLog();
      if (p.getLower() && p.getUpper()) {
        param.hasRange = true;
        auto number = [](Attribute x) {
          if (auto f = dyn_cast<FloatAttr>(x))
            return f.getValueAsDouble();
          return static_cast<double>(cast<IntegerAttr>(x).getInt());
        };
        param.lower = number(p.getLower());
        param.upper = number(p.getUpper());
      } else if (ArrayAttr choices = p.getChoices()) {
        FailureOr<flow::Value> v = constant(choices, s);
        if (failed(v))
          return failure();
        param.choices = std::get<flow::ScalarList>(*v);
      }
      out.params.push_back(std::move(param));
    }
    auto yield = cast<SearchYieldOp>(s.getBody().front().getTerminator());
    out.numObjectives = static_cast<std::int64_t>(yield.getObjectives().size());
    return success();
  }

  llvm::DenseMap<Value, flow::ValueId> ids;
  flow::ValueId nextId = 0;
};

} // namespace

FailureOr<flow::Program> mml::buildProgram(ModuleOp executable) {
  return ProgramBuilder().build(executable);
}
