// Loads the Clang module on first use (dlopen) and forwards readHlsProject to it, so that linking
// mmlc_meta costs a process nothing until it actually reads HLS C++.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "meta/ClangModule.h"

namespace fs = std::filesystem;

namespace mmlc::meta {
namespace detail {

std::string clangModulePath() {
  if (const char* env = std::getenv("MMLC_META_MODULE"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::string("lib/mmlc/") + kClangModuleFile;
  return (exe.parent_path().parent_path() / "lib" / "mmlc" / kClangModuleFile).string();
}

const ClangModule& clangModule() {
  static std::once_flag once;
  static const ClangModule* module = nullptr;
  static std::string error;
  std::call_once(once, [] {
    const std::string path = clangModulePath();
    // RTLD_LOCAL: the module's copies of the runtime's code stay its own.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = ::dlerror();
      error = "cannot load mmlc's Clang module, which reads and rewrites HLS C++ (" + std::string(why ? why : "unknown error") +
              "); it is built next to mmlc as lib/mmlc/" + kClangModuleFile + ", or set MMLC_META_MODULE to its path";
      return;
    }
    auto entry = reinterpret_cast<ClangModuleEntry>(::dlsym(handle, kClangModuleEntryName));
    if (!entry) {
      error = "not mmlc's Clang module: no symbol " + std::string(kClangModuleEntryName);
      return;
    }
    module = entry(kClangModuleAbi);
    if (!module) error = "this Clang module was built for another mmlc (interface version differs from " + std::to_string(kClangModuleAbi) + "); rebuild it";
  });
  if (!module) throw HlsMetaError(SourcePos{clangModulePath(), 0, 0}, error);
  return *module;
}

}  // namespace detail

HlsProject readHlsProject(const std::string& dir, const ReadOptions& options) {
  return detail::clangModule().readProject(dir, options);
}

}  // namespace mmlc::meta
