// libFuzzer target: any byte string given to the front end and pipeline must not crash or hang.
#include "mml/Driver/CompilerPipeline.h"
#include "mml/InitAllMML.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    mml::registerAllDialects(*r);
    return r;
  }();
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  // Errors are the expected outcome for most inputs; only crashes and hangs are findings.
  mlir::ScopedDiagnosticHandler silence(&context, [](mlir::Diagnostic &) {
    return mlir::success();
  });
  llvm::SourceMgr sourceMgr;
  mml::CompileOptions options;
  mml::ModuleLoader loader(context, sourceMgr, options.frontEnd);
  std::string source(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module = loader.parseSource(source, "fuzz.mml");
  if (module)
    (void)mml::lowerToExecutable(*module, options);
  return 0;
}
