// Pass mml-lower-to-executable: the self-contained `main` the runtime interprets (docs/ir.md).
#include "mml/Dialect/MML/MMLPasses.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mml {
#define GEN_PASS_DEF_LOWERTOEXECUTABLE
#include "mml/Dialect/MML/MMLPasses.h.inc"
} // namespace mml

using namespace mlir;
using namespace mml;

namespace {
struct LowerToExecutablePass : mml::impl::LowerToExecutableBase<LowerToExecutablePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    auto main = symbols.lookup<FlowOp>("main");
    if (!main) {
      module.emitError("no 'main { ... }' block: nothing to run");
      return signalPassFailure();
    }
    if (failed(checkPreconditions(main, symbols)) || failed(evaluateGlobals(main, symbols)))
      return signalPassFailure();

    // Number the task calls in execution order; the runtime names steps by them.
    int64_t step = 0;
    llvm::SetVector<StringRef> usedTasks;
    main.walk<WalkOrder::PreOrder>([&](CallOp call) {
      call->setAttr("step", IntegerAttr::get(IntegerType::get(&getContext(), 64), step++));
      usedTasks.insert(call.getCallee());
    });
    for (Operation &op : llvm::make_early_inc_range(module.getBody()->getOperations())) {
      if (auto flow = dyn_cast<FlowOp>(op); flow && !flow.isMain())
        op.erase();
      else if (isa<GlobalOp, CfgEntryOp>(op))
        op.erase();
      else if (auto task = dyn_cast<TaskOp>(op); task && !usedTasks.contains(task.getSymName()))
        op.erase();
    }
    module->setAttr("mml.executable", UnitAttr::get(&getContext()));
  }

  LogicalResult checkPreconditions(FlowOp main, SymbolTable &symbols) {
    if (!getOperation().getOps<ImportOp>().empty())
      return getOperation().emitError("imports must be resolved first (mml-resolve-imports)");
    WalkResult result = main.walk([&](CallOp call) {
      if (symbols.lookup<FlowOp>(call.getCallee())) {
        call.emitError("call to flow '")
            << call.getCallee() << "' must be inlined first (mml-inline-flows)";
        return WalkResult::interrupt();
      }
      if (!call.getArgOrigins()) {
        call.emitError("parameters of '")
            << call.getCallee() << "' must be materialised first (mml-materialize-defaults)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  /// Computes each global `main` uses once, at its start, dependencies first.
  LogicalResult evaluateGlobals(FlowOp main, SymbolTable &symbols) {
    llvm::DenseMap<Operation *, Value> values;
    llvm::SmallPtrSet<Operation *, 8> inProgress;
    OpBuilder builder(&getContext());
    builder.setInsertionPointToStart(&main.getBody().front());

    std::function<FailureOr<Value>(GlobalOp, Location)> evaluate =
        [&](GlobalOp global, Location useLoc) -> FailureOr<Value> {
      if (Value v = values.lookup(global))
        return v;
      if (!inProgress.insert(global).second)
        return emitError(useLoc, "global '")
               << global.getSymName() << "' depends on itself", failure();
      IRMapping mapping;
      Block &init = global.getInit().front();
      // Globals read inside this initialiser are computed before it.
      SmallVector<GlobalGetOp> reads;
      init.walk([&](GlobalGetOp get) { reads.push_back(get); });
      for (GlobalGetOp get : reads) {
        FailureOr<Value> v = evaluate(symbols.lookup<GlobalOp>(get.getGlobalName()), get.getLoc());
        if (failed(v))
          return failure();
        mapping.map(get.getResult(), *v);
      }
      for (Operation &op : init.without_terminator())
        if (!isa<GlobalGetOp>(op))
          builder.clone(op, mapping);
      Value result = mapping.lookupOrDefault(cast<YieldOp>(init.getTerminator()).getResults()[0]);
      values[global] = result;
      inProgress.erase(global);
      return result;
    };

    SmallVector<GlobalGetOp> gets;
    main.walk([&](GlobalGetOp get) { gets.push_back(get); });
    for (GlobalGetOp get : gets) {
      auto global = symbols.lookup<GlobalOp>(get.getGlobalName());
      if (!global)
        return get.emitError("unknown global '") << get.getGlobalName() << "'";
      FailureOr<Value> v = evaluate(global, get.getLoc());
      if (failed(v))
        return failure();
      get.replaceAllUsesWith(*v);
      get.erase();
    }
    return success();
  }
};
} // namespace
