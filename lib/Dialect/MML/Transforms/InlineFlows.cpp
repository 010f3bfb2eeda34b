// Pass mml-inline-flows: inlines flow calls (callees first) and gives each task call its path.
#include "mml/Dialect/MML/MMLPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringMap.h"

namespace mml {
#define GEN_PASS_DEF_INLINEFLOWS
#include "mml/Dialect/MML/MMLPasses.h.inc"
} // namespace mml

using namespace mlir;
using namespace mml;

namespace {

/// Materialises a declared default (a constant or a global) before `call`.
Value materializeDefault(OpBuilder &builder, Location loc, ParamAttr param) {
  Attribute value = param.getDefaultValue();
  if (auto global = dyn_cast<FlatSymbolRefAttr>(value))
    return builder.create<GlobalGetOp>(loc, param.getType(), global.getValue());
  if (isa<IntegerType, FloatType>(param.getType()))
    return builder.create<arith::ConstantOp>(loc, cast<TypedAttr>(value));
  return builder.create<ConstantOp>(loc, param.getType(), value);
}

class FlowInliner {
public:
  explicit FlowInliner(ModuleOp module) : module(module), symbols(module) {}

  LogicalResult run() {
    for (auto flow : module.getOps<FlowOp>())
      if (failed(inlineInto(flow, flow.getBody(), flow.getSymName())))
        return failure();
    for (auto global : module.getOps<GlobalOp>())
      if (failed(inlineInto(global, global.getInit(), global.getSymName())))
        return failure();
    return success();
  }

private:
  enum class State { Visiting, Done };

  /// Makes `flow` free of flow calls (inlining its callees first).
  LogicalResult complete(FlowOp flow, CallOp from) {
    auto it = state.find(flow.getSymName());
    if (it != state.end()) {
      if (it->second == State::Done)
        return success();
      InFlightDiagnostic diag = from.emitError("flow '")
                                << flow.getSymName()
                                << "' calls itself (through: ";
      llvm::interleave(stack, diag, " -> ");
      diag << " -> " << flow.getSymName()
           << "); flows cannot recurse, use a bounded 'while' loop";
      return failure();
    }
    return inlineInto(flow, flow.getBody(), flow.getSymName());
  }

  LogicalResult inlineInto(Operation *owner, Region &body, StringRef name) {
    if (isa<FlowOp>(owner))
      state[name] = State::Visiting;
    stack.push_back(name.str());
    SmallVector<CallOp> calls;
    body.walk([&](CallOp call) { calls.push_back(call); });
    for (CallOp call : calls) {
      auto callee = symbols.lookup<FlowOp>(call.getCallee());
      if (!callee) {
        if (!call.getPath())
          call.setPathAttr(StringAttr::get(call.getContext(), name + "." + call.getCallee()));
        continue;
      }
      if (failed(complete(callee, call)) || failed(inlineCall(call, callee, name)))
        return failure();
    }
    stack.pop_back();
    if (isa<FlowOp>(owner))
      state[name] = State::Done;
    numberRepeatedPaths(body);
    return success();
  }

  /// Replaces `call` by a copy of `callee`'s (already inlined) body.
  LogicalResult inlineCall(CallOp call, FlowOp callee, StringRef prefix) {
    OpBuilder builder(call);
    IRMapping mapping;
    Block &entry = callee.getBody().front();
    for (auto [param, arg] : llvm::zip(callee.getParams(), entry.getArguments())) {
      auto p = cast<ParamAttr>(param);
      Value value = call.getArg(p.getName());
      if (!value && p.getOptional())
        return call.emitError("flow parameter '")
               << p.getName().getValue() << "' is optional, which only tasks support";
      if (!value) {
        if (p.isRequired())
          return call.emitError("missing required argument '")
                 << p.getName().getValue() << "' of flow '" << callee.getSymName() << "'";
        value = materializeDefault(builder, call.getLoc(), p);
      }
      mapping.map(arg, value);
    }
    for (Operation &op : entry.without_terminator()) {
      Operation *copy = builder.clone(op, mapping);
      // Task calls inside the callee already carry paths relative to it.
      copy->walk([&](CallOp inner) {
        StringRef path = inner.getPath() ? *inner.getPath() : inner.getCallee();
        inner.setPathAttr(StringAttr::get(call.getContext(), prefix + "." + path));
      });
    }
    auto ret = cast<ReturnOp>(entry.getTerminator());
    SmallVector<Value> results;
    for (Value v : ret.getOperands())
      results.push_back(mapping.lookupOrDefault(v));
    call.replaceAllUsesWith(results);
    call.erase();
    return success();
  }

  /// A task called twice at the same path gets `#2`, `#3`, ... so every step is named once.
  static void numberRepeatedPaths(Region &body) {
    llvm::StringMap<unsigned> seen;
    body.walk([&](CallOp call) {
      if (!call.getPath())
        return;
      StringRef path = *call.getPath();
      StringRef base = path.split('#').first;
      unsigned n = ++seen[base];
      if (n > 1 || base != path)
        call.setPathAttr(StringAttr::get(call.getContext(),
                                         n > 1 ? (base + "#" + llvm::Twine(n)).str() : base.str()));
    });
  }

  ModuleOp module;
  SymbolTable symbols;
  llvm::StringMap<State> state;
  std::vector<std::string> stack;
};

struct InlineFlowsPass : mml::impl::InlineFlowsBase<InlineFlowsPass> {
  void runOnOperation() override {
    if (failed(FlowInliner(getOperation()).run()))
      signalPassFailure();
  }
};
} // namespace
