// The Clang module is loaded on first use, from next to the executable, and does the work: a fresh
// process (this test binary) has no libclang-cpp mapped until it reads a project.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "meta/ClangModule.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"

namespace fs = std::filesystem;
using namespace mmlc::meta;

namespace {

std::string maps() {
  std::ifstream in("/proc/self/maps");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool mapped(const std::string& library) { return maps().find(library) != std::string::npos; }

}  // namespace

TEST(ClangModule, LoadsOnFirstUseAndReadsAndRewrites) {
  // The build tree's layout: bin/<test> and lib/mmlc/libmmlc_meta_clang.so.
  const std::string path = detail::clangModulePath();
  EXPECT_EQ(fs::path(path).filename(), "libmmlc_meta_clang.so");
  EXPECT_EQ(fs::path(path).parent_path().filename(), "mmlc");
  ASSERT_TRUE(fs::exists(path)) << path;
  ASSERT_TRUE(mapped("libstdc++.so"));  // this process's maps are read correctly
  EXPECT_FALSE(mapped("libclang-cpp.so"));
  EXPECT_FALSE(mapped("libmmlc_meta_clang.so"));

  const HlsProject p = readHlsProject(MMLC_META_FIXTURE_DIR "/hls4ml-style-mlp");
  EXPECT_TRUE(mapped("libclang-cpp.so"));
  EXPECT_TRUE(mapped("libmmlc_meta_clang.so"));
  EXPECT_EQ(p.topFunction, "myproject");
  ASSERT_EQ(p.layers.size(), 3u);
  EXPECT_EQ(p.layers[0].name, "layer2");
  EXPECT_EQ(p.layers[0].reuseFactor, 1);

  // An error thrown in the module is caught here as the library's own type, with its position.
  try {
    readHlsProject(MMLC_META_FIXTURE_DIR "/no-such-project");
    FAIL() << "expected HlsMetaError";
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, MMLC_META_FIXTURE_DIR "/no-such-project");
    EXPECT_EQ(e.message(), "not a directory");
  }

  const fs::path out = fs::temp_directory_path() / ("mmlc-clang-module-" + std::to_string(::getpid()));
  fs::remove_all(out);
  HlsProjectRewriter rw(MMLC_META_FIXTURE_DIR "/hls4ml-style-mlp");
  EXPECT_EQ(rw.project().layers.size(), 3u);
  rw.setReuseFactor("layer2", 4).applySetting("layer4.weight=fixed<6,2>");
  const RewriteReport r = rw.writeTo(out.string());
  EXPECT_FALSE(r.changedFiles.empty());
  EXPECT_EQ(r.readBack.requireLayer("layer2").reuseFactor, 4);
  EXPECT_EQ(r.readBack.requireLayer("layer4").precisions.at("weight").type.toString(), "fixed<6,2>");
  EXPECT_GT(r.parseMs, 0.0);
  fs::remove_all(out);
}
