// The compiler pipeline: resolve imports, verify, inline, materialise parameters, lower.
#include "mml/Driver/CompilerPipeline.h"
#include "mml/Dialect/MML/MMLPasses.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mml;

OwningOpRef<ModuleOp> mml::parseInput(ModuleLoader &loader, const CompileOptions &options) {
  return loader.parseFile(options.inputFile);
}

/// Checks every call and global use, reporting all problems rather than the first only (the
/// generic verifier stops at the first failing symbol use).
static LogicalResult checkAllSymbolUses(ModuleOp module) {
  SymbolTableCollection symbols;
  bool ok = true;
  module.walk([&](SymbolUserOpInterface user) {
    ok &= succeeded(user.verifySymbolUses(symbols));
  });
  return success(ok);
}

LogicalResult mml::verifyParsed(ModuleOp module, const CompileOptions &options) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  pm.enableVerifier(false);
  pm.addPass(createResolveImports(options.frontEnd));
  if (failed(pm.run(*copy)) || failed(checkAllSymbolUses(*copy)))
    return failure();
  return verify(*copy);
}

LogicalResult mml::lowerToExecutable(ModuleOp module, const CompileOptions &options) {
  // The user's flow is verified once, right after its imports are merged: that is where every
  // located check runs. The passes after it keep the IR valid (checked again at the end), so
  // verifying between them would only repeat work on large flows.
  PassManager resolve(module.getContext());
  std::optional<TimingScope> resolveTimer, lowerTimer;
  if (options.timing) {
    resolveTimer = options.timing->value().nest("resolve imports and verify");
    resolve.enableTiming(*resolveTimer);
  }
  resolve.enableVerifier(false);
  resolve.addPass(createResolveImports(options.frontEnd));
  if (failed(resolve.run(module)) || failed(checkAllSymbolUses(module)) || failed(verify(module)))
    return failure();
  PassManager pm(module.getContext());
  pm.enableVerifier(false);
  if (options.timing) {
    resolveTimer.reset();
    lowerTimer = options.timing->value().nest("lower");
    pm.enableTiming(*lowerTimer);
  }
  pm.addPass(createInlineFlows());
  MaterializeDefaultsOptions materialize;
  materialize.overrides = options.overrides;
  pm.addPass(createMaterializeDefaults(materialize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowerToExecutable());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(module)))
    return failure();
  lowerTimer.reset();
  std::optional<TimingScope> verifyTimer;
  if (options.timing)
    verifyTimer = options.timing->value().nest("verify");
  return verify(module);
}
