// Prints a .mml file's parse tree as an indented outline (`mmlc --emit=ast`).
#ifndef MML_FRONTEND_PARSETREEPRINTER_H
#define MML_FRONTEND_PARSETREEPRINTER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace mml {
/// Parses `source` and prints its tree; returns false (after printing located syntax errors
/// to `errs`) if it does not parse.
bool printParseTree(llvm::StringRef source, llvm::StringRef fileName, llvm::raw_ostream &os,
                    llvm::raw_ostream &errs);
} // namespace mml

#endif
