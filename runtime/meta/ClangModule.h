// The boundary between mmlc and its Clang module (lib/mmlc/libmmlc_meta_clang.so, loaded on first
// use): the few operations that need Clang, as plain C++ with no Clang header, so a process that
// never reads or rewrites HLS C++ (a `mmlc check`, a Slurm controller) never maps libclang-cpp.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hls/FixedType.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"
#include "meta/ProjectCSim.h"

namespace mmlc::meta::detail {

// One edit HlsProjectRewriter collects; the module's passes turn them into text edits.
struct RewriteRequest {
  enum Kind { Precision, Reuse, Strategy, SetPragma, RemovePragma, RenameTop } kind;
  std::string layer, role, text;
  hls::FixedType type;
  long long number = 0;
  PragmaTarget target;
};

// A project parsed once for rewriting: project() and render() share the parse.
class RewriteSession {
 public:
  virtual ~RewriteSession() = default;
  virtual const HlsProject& project() = 0;  // throws HlsMetaError
  // New contents of every file the requests change (relative path -> text); the dependent
  // updates go to notes. Throws HlsMetaError; nothing is written.
  virtual std::map<std::string, std::string> render(const std::vector<RewriteRequest>& requests,
                                                    std::vector<std::string>* notes) = 0;
  virtual double parseMs() const = 0;
  virtual double rewriteMs() const = 0;
};

// What ProjectCSim's constructor prepares with Clang: the traced, compiled copy of the project.
struct CSimSetup {
  std::string workDir;  // canonical
  HlsAxiWrapper axi;
  double compileSeconds = 0.0;
};

class ClangModule {
 public:
  virtual ~ClangModule() = default;
  virtual HlsProject readProject(const std::string& dir, const ReadOptions& options) const = 0;
  virtual std::unique_ptr<RewriteSession> openRewrite(const std::string& dir, const ReadOptions& options) const = 0;
  virtual CSimSetup prepareCSim(const std::string& projectDir, const std::string& workDir,
                                const ProjectCSimOptions& options) const = 0;
};

// The module's one exported symbol: `extern "C" const ClangModule* mmlc_meta_clang_module(unsigned abi)`;
// null when abi is not kClangModuleAbi. Bump kClangModuleAbi whenever this header, or a struct
// of HlsProject.h / HlsRewriter.h / ProjectCSim.h that crosses it, changes.
constexpr unsigned kClangModuleAbi = 1;
using ClangModuleEntry = const ClangModule* (*)(unsigned abi);
inline constexpr const char* kClangModuleEntryName = "mmlc_meta_clang_module";
inline constexpr const char* kClangModuleFile = "libmmlc_meta_clang.so";

// The module, loaded on the first call (thread-safe) from $MMLC_META_MODULE, else
// <directory of the executable>/../lib/mmlc/libmmlc_meta_clang.so (the build tree and the install
// tree share that layout). Throws HlsMetaError naming the path and dlopen's reason when it cannot.
const ClangModule& clangModule();

// Where the module would be loaded from (the first rule above that applies).
std::string clangModulePath();

}  // namespace mmlc::meta::detail
