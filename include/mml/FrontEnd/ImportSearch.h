// Where `import "spec"` finds its file: the importing file's folder, -I folders, the stdlib.
// Light on purpose (no MLIR): the module loader and mmlc-lsp's symbol index share it.
#ifndef MML_FRONTEND_IMPORTSEARCH_H
#define MML_FRONTEND_IMPORTSEARCH_H

#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mml {

struct FrontEndOptions {
  /// Folders searched for imports after the importing file's own folder.
  std::vector<std::string> includeDirs;
  /// The stdlib folder, searched last; empty means the one mmlc was built with.
  std::string stdlibDir;
  /// Files open in an editor, by real path: their unsaved text is read instead of the disk's,
  /// and a buffer whose file is not on disk yet can still be imported (mmlc-lsp sets this).
  std::shared_ptr<const std::map<std::string, std::string>> unsavedBuffers;

  /// The unsaved text of `path` (a real path), or null when it is read from disk.
  const std::string *unsavedText(llvm::StringRef path) const;
};

/// The stdlib folder mmlc was built with (overridable with MMLC_STDLIB).
std::string getDefaultStdlibDir();

/// The folders an import written in `fromFile` is searched in, in order.
std::vector<std::string> importSearchDirs(llvm::StringRef fromFile, const FrontEndOptions &options);

/// The file an `import "spec"` written in `fromFile` refers to (its real path); empty if none.
std::string resolveImportPath(llvm::StringRef spec, llvm::StringRef fromFile,
                              const FrontEndOptions &options);

} // namespace mml

#endif
