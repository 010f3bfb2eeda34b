// The .mml files of the editor's workspace (its root folders, walked when asked) that find
// references reads besides the open documents.
#ifndef MMLC_LSP_WORKSPACE_H
#define MMLC_LSP_WORKSPACE_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mml::lsp {

/// Where references may be: the workspace roots (walked recursively) and single folders.
class Workspace {
public:
  /// Adds a root folder (from initialize's workspaceFolders, rootUri or rootPath).
  void addRoot(llvm::StringRef folder);
  bool hasRoots() const { return !roots.empty(); }
  const std::vector<std::string> &getRoots() const { return roots; }

  /// The .mml files under the roots (hidden folders, node_modules and CMake build trees are
  /// skipped; at most `limit` files) and directly in each of `folders`, each once, sorted.
  std::vector<std::string> mmlFiles(const std::vector<std::string> &folders, size_t limit = 20000) const;

private:
  std::vector<std::string> roots;
};

} // namespace mml::lsp

#endif
