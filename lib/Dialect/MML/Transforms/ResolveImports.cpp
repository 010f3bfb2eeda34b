// Pass mml-resolve-imports: merges the declarations of imported .mml files into the module.
#include "mml/Dialect/MML/MMLPasses.h"
#include "mml/FrontEnd/ModuleLoader.h"

#include "llvm/Support/SourceMgr.h"

namespace mml {
#define GEN_PASS_DEF_RESOLVEIMPORTS
#include "mml/Dialect/MML/MMLPasses.h.inc"
} // namespace mml

using namespace mlir;
using namespace mml;

namespace {
struct ResolveImportsPass : mml::impl::ResolveImportsBase<ResolveImportsPass> {
  using ResolveImportsBase::ResolveImportsBase;
  explicit ResolveImportsPass(const FrontEndOptions &frontEnd)
      : ResolveImportsBase(ResolveImportsOptions{frontEnd.includeDirs, frontEnd.stdlibDir}),
        unsavedBuffers(frontEnd.unsavedBuffers) {}

  void runOnOperation() override {
    // The loader parses imported files with the front end; their buffers only need to live
    // for this run, since every declaration is cloned into the module.
    llvm::SourceMgr sourceMgr;
    FrontEndOptions options;
    options.includeDirs.assign(includeDirs.begin(), includeDirs.end());
    options.stdlibDir = stdlibDir;
    options.unsavedBuffers = unsavedBuffers;
    ModuleLoader loader(getContext(), sourceMgr, options);
    if (failed(loader.resolveImports(getOperation())))
      signalPassFailure();
  }

  /// Files open in an editor: read from here instead of the disk (see FrontEndOptions).
  std::shared_ptr<const std::map<std::string, std::string>> unsavedBuffers;
};
} // namespace

std::unique_ptr<Pass> mml::createResolveImports(const FrontEndOptions &frontEnd) {
  return std::make_unique<ResolveImportsPass>(frontEnd);
}
