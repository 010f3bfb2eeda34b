// The Clang module's entry point (libmmlc_meta_clang.so): the ClangModule that mmlc's loader
// (ClangModuleLoader.cpp) gets from mmlc_meta_clang_module().
#include "meta/ClangModule.h"
#include "meta/HlsProjectAst.h"

namespace mmlc::meta::detail {

namespace {

class ClangModuleImpl final : public ClangModule {
 public:
  HlsProject readProject(const std::string& dir, const ReadOptions& options) const override {
    return std::move(parseHlsProject(dir, options)->model);
  }
  std::unique_ptr<RewriteSession> openRewrite(const std::string& dir, const ReadOptions& options) const override {
    return openClangRewriteSession(dir, options);
  }
  CSimSetup prepareCSim(const std::string& projectDir, const std::string& workDir, const ProjectCSimOptions& options) const override {
    return prepareClangCSim(projectDir, workDir, options);
  }
};

}  // namespace

}  // namespace mmlc::meta::detail

extern "C" __attribute__((visibility("default"))) const mmlc::meta::detail::ClangModule* mmlc_meta_clang_module(unsigned abi) {
  static const mmlc::meta::detail::ClangModuleImpl module;
  return abi == mmlc::meta::detail::kClangModuleAbi ? &module : nullptr;
}
