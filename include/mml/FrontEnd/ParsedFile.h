// Runs the ANTLR lexer and parser over .mml text, turning syntax errors into diagnostics (used by
// the front end and by mmlc-lsp's symbol index; only files that walk the parse tree include it).
#ifndef MML_FRONTEND_PARSEDFILE_H
#define MML_FRONTEND_PARSEDFILE_H

#include "MMLLexer.h"
#include "MMLParser.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/StringRef.h"

#include <functional>
#include <memory>
#include <string>

namespace mml {

/// One syntax error, with a 1-based line and column.
struct SyntaxError {
  unsigned line, column;
  std::string message;
};

/// Everything ANTLR needs alive while the tree is used.
struct ParsedFile {
  std::unique_ptr<antlr4::ANTLRInputStream> input;
  std::unique_ptr<mmlgrammar::MMLLexer> lexer;
  std::unique_ptr<antlr4::CommonTokenStream> tokens;
  std::unique_ptr<mmlgrammar::MMLParser> parser;
  mmlgrammar::MMLParser::ModuleContext *tree = nullptr;
};

/// Parses `source`; every syntax error is passed to `onError`. The tree is null when the
/// text did not parse, unless `recover` is set (editor tooling): then numbers with an unknown
/// unit are left to the parser and the tree ANTLR's error recovery built is kept.
std::unique_ptr<ParsedFile> parseMML(llvm::StringRef source,
                                     const std::function<void(const SyntaxError &)> &onError,
                                     bool recover = false);

/// Deepest bracket nesting the front end accepts; deeper input is rejected before parsing so
/// that no input can exhaust the stack.
constexpr unsigned kMaxNesting = 200;

} // namespace mml

#endif
