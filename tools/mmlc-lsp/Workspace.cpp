// Lists the .mml files of the workspace roots for find references (no index here: IndexCache
// indexes the files that mention the name looked for, cached by modification time).
#include "Workspace.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <set>

using namespace mml::lsp;
namespace fs = llvm::sys::fs;

void Workspace::addRoot(llvm::StringRef folder) {
  llvm::SmallString<256> real;
  if (fs::real_path(folder, real))
    real = folder;
  if (!fs::is_directory(real))
    return;
  if (std::find(roots.begin(), roots.end(), std::string(real)) == roots.end())
    roots.push_back(std::string(real));
}

/// A folder not worth walking: hidden (.git), npm's, or a CMake build tree (copies of sources).
static bool skipFolder(llvm::StringRef path) {
  llvm::StringRef name = llvm::sys::path::filename(path);
  return (name.starts_with(".") && name != "." && name != "..") || name == "node_modules" ||
         fs::exists(llvm::Twine(path) + "/CMakeCache.txt");
}

std::vector<std::string> Workspace::mmlFiles(const std::vector<std::string> &folders, size_t limit) const {
  std::set<std::string> out;
  for (const std::string &root : roots) {
    std::error_code ec;
    fs::recursive_directory_iterator it(root, ec, /*follow_symlinks=*/false), end;
    for (; it != end && !ec && out.size() < limit; it.increment(ec)) {
      const std::string &path = it->path();
      if (it->type() == fs::file_type::directory_file) {
        if (skipFolder(path))
          it.no_push();
        continue;
      }
      if (llvm::StringRef(path).ends_with(".mml"))
        out.insert(path);
    }
  }
  for (const std::string &folder : folders) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; it != end && !ec && out.size() < limit; it.increment(ec))
      if (llvm::StringRef(it->path()).ends_with(".mml") && it->type() != fs::file_type::directory_file)
        out.insert(it->path());
  }
  // Real paths, as imports resolve to: the same file reached two ways is listed once.
  std::set<std::string> real;
  for (const std::string &path : out) {
    llvm::SmallString<256> r;
    real.insert(fs::real_path(path, r) ? path : std::string(r));
  }
  return {real.begin(), real.end()};
}
