// mmlc-lsp: the .mml language server (stdio JSON-RPC on MLIR's LSP support library): diagnostics
// of `mmlc check`, hover, completion, signature help, definitions, references, outline.
#include "LSPServer.h"

#include "mlir/Tools/lsp-server-support/Logging.h"
#include "mlir/Tools/lsp-server-support/Transport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/thread.h"

using namespace mlir::lsp;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::list<std::string> includeDirs("I", llvm::cl::desc("also search DIR for imports (as mmlc -I)"),
                                          llvm::cl::value_desc("DIR"), llvm::cl::Prefix);
  llvm::cl::opt<std::string> stdlib("stdlib", llvm::cl::desc("the stdlib folder (default: mmlc's)"),
                                    llvm::cl::value_desc("DIR"));
  llvm::cl::opt<JSONStreamStyle> inputStyle(
      "input-style", llvm::cl::desc("input JSON stream encoding"),
      llvm::cl::values(clEnumValN(JSONStreamStyle::Standard, "standard", "usual LSP protocol"),
                       clEnumValN(JSONStreamStyle::Delimited, "delimited",
                                  "messages delimited by `// -----` lines, with // comment support")),
      llvm::cl::init(JSONStreamStyle::Standard), llvm::cl::Hidden);
  llvm::cl::opt<bool> litTest("lit-test",
                              llvm::cl::desc("abbreviation for -input-style=delimited -pretty -log=verbose "
                                             "(lit tests)"),
                              llvm::cl::Hidden);
  llvm::cl::opt<Logger::Level> logLevel(
      "log", llvm::cl::desc("verbosity of log messages written to stderr"),
      llvm::cl::values(clEnumValN(Logger::Level::Error, "error", "error messages only"),
                       clEnumValN(Logger::Level::Info, "info", "high level execution tracing"),
                       clEnumValN(Logger::Level::Debug, "verbose", "low level details")),
      llvm::cl::init(Logger::Level::Info));
  llvm::cl::opt<unsigned> debounceMs(
      "debounce-ms",
      llvm::cl::desc("publish diagnostics once a document has not changed for this long (0: after "
                     "every change; default 200, 0 with -lit-test)"),
      llvm::cl::value_desc("MS"), llvm::cl::init(200));
  llvm::cl::opt<bool> pretty("pretty", llvm::cl::desc("pretty-print JSON output"), llvm::cl::init(false));
  llvm::cl::ParseCommandLineOptions(argc, argv, "mmlc-lsp: language server for .mml design flows\n");

  if (litTest) {
    inputStyle = JSONStreamStyle::Delimited;
    logLevel = Logger::Level::Debug;
    pretty = true;
    if (!debounceMs.getNumOccurrences())
      debounceMs = 0; // transcripts expect each change's diagnostics in order
  }
  Logger::setLogLevel(logLevel);
  mml::FrontEndOptions options;
  options.includeDirs.assign(includeDirs.begin(), includeDirs.end());
  options.stdlibDir = stdlib;
  llvm::sys::ChangeStdinToBinary();
  JSONTransport transport(stdin, llvm::outs(), inputStyle, pretty);
  // The parser and MLIRGen recurse on nesting: the server runs on a large stack, as mmlc does.
  int rc = 0;
  llvm::thread worker(std::optional<unsigned>(256u << 20), [&] {
    rc = mlir::failed(mml::lsp::runServer(transport, options, std::chrono::milliseconds(debounceMs))) ? 1 : 0;
  });
  worker.join();
  return rc;
}
