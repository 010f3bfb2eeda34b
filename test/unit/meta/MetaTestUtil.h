// Shared helpers of the runtime/meta tests: scratch directories, fixture copies (with mmlc's layer
// templates and ap types added), emitted test projects, file text and tree comparisons.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "TestNetworks.h"
#include "hls/HlsProjectEmitter.h"

namespace mmlc::meta::testutil {

namespace fs = std::filesystem;

inline std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void writeText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// A fresh directory per test, removed at the end unless MMLC_META_KEEP is set.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("mmlc-meta-" + std::to_string(::getpid())) / (std::string(info->test_suite_name()) + "." + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    if (std::getenv("MMLC_META_KEEP")) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::remove(path_.parent_path(), ec);  // the per-process folder, once empty
  }
  const fs::path& path() const { return path_; }
  std::string operator/(const std::string& s) const { return (path_ / s).string(); }

 private:
  fs::path path_;
};

// Copies the hand-written hls4ml-style fixture and adds mmlc's nnet_utils and ap_types to it.
inline std::string copyFixture(const fs::path& dst) {
  fs::copy(fs::path(MMLC_META_FIXTURE_DIR) / "hls4ml-style-mlp", dst, fs::copy_options::recursive);
  const fs::path tpl = hls::hlsTemplateDir();
  fs::copy(tpl / "nnet_utils", dst / "firmware" / "nnet_utils", fs::copy_options::recursive);
  fs::create_directories(dst / "firmware" / "ap_types");
  for (const char* f : {"ap_common.h", "ap_fixed.h", "ap_int.h", "hls_stream.h"}) fs::copy_file(tpl / f, dst / "firmware" / "ap_types" / f);
  return dst.string();
}

// The fixture's network as a NetworkDesc (same weights and precisions), for NetworkSim.
inline hls::NetworkDesc fixtureNet() {
  using namespace hls;
  NetworkDesc n;
  n.name = "myproject";
  n.inputType = FixedType::fixed(16, 6);
  n.inputWidth = 4;
  LayerDesc d2 = testnets::layer("layer2", LayerKind::Dense, FixedType::fixed(16, 6));
  d2.nOut = 3;
  d2.weights = {0.5f, -0.25f, 0.125f, 1.0625f, 0.0f, -0.75f, 0.3125f, 0.40625f, -1.5f, -0.0625f, 0.875f, 0.21875f};
  d2.biases = {0.125f, -0.0625f, 0.25f};
  d2.weightType = d2.biasType = FixedType::fixed(10, 4);
  n.layers.push_back(d2);
  n.layers.push_back(testnets::layer("layer3", LayerKind::ReLU, FixedType::fixed(12, 6)));
  LayerDesc d4 = testnets::layer("layer4", LayerKind::Dense, FixedType::fixed(16, 6));
  d4.nOut = 2;
  d4.weights = {0.703125f, -0.5f, 0.296875f, 1.25f, -0.921875f, 0.4375f};
  d4.biases = {-0.03125f, 0.0625f};
  d4.weightType = d4.biasType = FixedType::fixed(8, 2);
  n.layers.push_back(d4);
  return n;
}

// A 4-dense-layer MLP (16-12-10-8-5, ReLU, softmax) with some pruned weights: the benchmark's and
// the round-trip tests' mmlc-emitted project.
inline hls::NetworkDesc mlp4(unsigned seed = 7) {
  using namespace hls;
  std::mt19937 rng(seed);
  NetworkDesc n;
  n.name = "mlp4";
  n.inputType = FixedType::fixed(16, 6);
  n.inputWidth = 16;
  const int outs[4] = {12, 10, 8, 5};
  for (int k = 0; k < 4; ++k) {
    LayerDesc d = testnets::layer("fc" + std::to_string(k + 1), LayerKind::Dense, FixedType::fixed(16, 6));
    d.nOut = outs[k];
    const int nIn = k == 0 ? 16 : outs[k - 1];
    d.weights = testnets::randomValues(size_t(nIn) * outs[k], rng, 1.0f, 0.15f);
    d.biases = testnets::randomValues(outs[k], rng, 0.5f);
    d.accumType = FixedType::fixed(20, 8);
    n.layers.push_back(d);
    if (k < 3) n.layers.push_back(testnets::layer("relu" + std::to_string(k + 1), LayerKind::ReLU, FixedType::fixed(16, 6)));
  }
  n.layers.push_back(testnets::layer("softmax", LayerKind::Softmax, FixedType::ufixed(16, 0, QuantMode::RND, OverflowMode::SAT)));
  return n;
}

inline std::vector<float> randomInputs(size_t n, int size, unsigned seed = 3) {
  std::mt19937 rng(seed);
  return hls::testnets::randomValues(n * size_t(size), rng, 3.0f, 0.1f);
}

inline std::string emit(const hls::NetworkDesc& net, const fs::path& dir, long unrollLimit, const std::vector<float>& tb = {}) {
  hls::EmitOptions o;
  o.unrollDenseLimit = unrollLimit;
  o.tbInputs = tb;
  hls::HlsProjectEmitter(net, o).emit(dir.string());
  return dir.string();
}

// Every regular file under a tree: relative path -> contents.
inline std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = readText(e.path());
  return out;
}

// `text` with exactly one occurrence of `from` replaced (fails the test if not exactly one).
inline std::string replaceOnce(const std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "missing: " << from;
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "not unique: " << from;
  return text.substr(0, at) + to + text.substr(at + from.size());
}

}  // namespace mmlc::meta::testutil
