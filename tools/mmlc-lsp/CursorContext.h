// What the cursor is in, read from the tokens around it (robust on half-typed lines): a call's
// argument list, a metric after `.`, an import path, a part name, a cfg key, a type position.
#ifndef MMLC_LSP_CURSORCONTEXT_H
#define MMLC_LSP_CURSORCONTEXT_H

#include "SymbolIndex.h"

namespace mml::lsp {

struct CallSite {
  const Symbol *callee = nullptr; ///< null when the name is not a known task/flow/search
  std::string name;
  int argIndex = 0;             ///< the argument the cursor is in (0-based, commas before it)
  int positionalBefore = 0;     ///< positional arguments before the cursor's
  std::vector<std::string> named; ///< names given as `name:` anywhere in the call
  std::string currentName;      ///< the cursor's argument is `currentName: ...`
  bool atArgStart = false;      ///< nothing of the cursor's argument typed but `prefix`
};

struct CursorContext {
  enum Kind { Expression, Metric, ImportPath, PartName, CfgKey, TypeName, String, Comment };
  Kind kind = Expression;
  std::string prefix;   ///< the word (or string part) typed before the cursor
  Range replace;        ///< where a completion goes (the prefix)
  std::string receiverType;           ///< Metric: the type before the `.`
  std::vector<std::string> cfgParts;  ///< CfgKey: the parts before the one being typed
  std::optional<CallSite> call;       ///< the innermost call whose parentheses hold the cursor
  const Symbol *body = nullptr;       ///< the flow/search/main around the cursor
};

CursorContext analyzeCursor(const FileIndex &index, Position pos);

/// The innermost call around `pos` (for signature help), if any.
std::optional<CallSite> callAt(const FileIndex &index, Position pos);

} // namespace mml::lsp

#endif
