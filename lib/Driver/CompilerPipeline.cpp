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

static ResolveImportsOptions importOptions(const CompileOptions &options) {
  ResolveImportsOptions o;
  o.includeDirs = options.frontEnd.includeDirs;
  o.stdlibDir = options.frontEnd.stdlibDir;
  return o;
}

LogicalResult mml::verifyParsed(ModuleOp module, const CompileOptions &options) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  pm.addPass(createResolveImports(importOptions(options)));
  return pm.run(*copy);
}

LogicalResult mml::lowerToExecutable(ModuleOp module, const CompileOptions &options) {
  PassManager pm(module.getContext());
  pm.addPass(createResolveImports(importOptions(options)));
  pm.addPass(createInlineFlows());
  MaterializeDefaultsOptions materialize;
  materialize.overrides = options.overrides;
  pm.addPass(createMaterializeDefaults(materialize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowerToExecutable());
  pm.addPass(createCanonicalizerPass());
  return pm.run(module);
}
