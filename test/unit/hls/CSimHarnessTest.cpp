// Emission -> compile (g++ and clang++, -Wall -Werror) -> run -> compare with the simulator, and
// localisation of a deliberately introduced mismatch.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "TestNetworks.h"
#include "hls/CSimHarness.h"
#include "hls/HlsProjectEmitter.h"
#include "hls/LayerKinds.h"

using namespace mmlc::hls;

namespace {

// A scratch project folder, removed when the test ends unless it failed (kept for inspection).
struct ScratchDir {
  std::string path;
  explicit ScratchDir(const std::string& name)
      : path((std::filesystem::temp_directory_path() / ("mmlc_hls_test_" + std::to_string(::getpid()) + "_" + name)).string()) {
    std::filesystem::remove_all(path);
  }
  ~ScratchDir() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path);
  }
};

std::vector<float> randomInputs(const NetworkDesc& n, size_t samples, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  return testnets::randomValues(samples * n.inputSize(), rng, scale);
}

bool haveCompiler(const std::string& c) { return runCommand("command -v " + c, nullptr) == 0; }

}  // namespace

// Every emit + C-simulation check runs twice: with mmlc's ap types (the project's own
// firmware/ap_types) and with the vendor's (test/fixtures/vendor-ap-types), both bit-exact.
struct HeaderSet {
  const char* name;
  const char* dir;  // empty: the project's own firmware/ap_types (mmlc's)
};

class CSimHeaders : public ::testing::TestWithParam<HeaderSet> {
 protected:
  CSimOptions options(const std::string& compiler = "g++") const {
    CSimOptions o;
    o.compiler = compiler;
    o.apTypesDir = GetParam().dir;
    return o;
  }
  std::string scratch(const std::string& name) const { return name + "_" + GetParam().name; }
};

// convNet: Conv2D, BatchNorm, ReLU, AvgPool, Flatten, Dense (latency, saturating accumulator;
// resource strategy with RF 4), Tanh, Sigmoid, Softmax, with AP_RND, AP_RND_CONV, AP_RND_ZERO,
// AP_RND_INF, AP_SAT, AP_SAT_SYM and ap_ufixed results.
TEST_P(CSimHeaders, ConvNetBitExactWithGcc) {
  const NetworkDesc net = testnets::convNet();
  ScratchDir dir(scratch("conv_gcc"));
  const auto r = CSimHarness(net, options("g++")).run(dir.path, randomInputs(net, 64, 4.0f, 7));
  EXPECT_EQ(r.samples, 64u);
  EXPECT_EQ(r.bitExactFraction, 1.0) << r.mismatchReport;
}

TEST_P(CSimHeaders, ConvNetBitExactWithClang) {
  if (!haveCompiler("clang++-19") && !haveCompiler("clang++")) GTEST_SKIP() << "no clang++";
  const NetworkDesc net = testnets::convNet(5);
  ScratchDir dir(scratch("conv_clang"));
  const auto r = CSimHarness(net, options(haveCompiler("clang++-19") ? "clang++-19" : "clang++")).run(dir.path, randomInputs(net, 64, 4.0f, 8));
  EXPECT_EQ(r.bitExactFraction, 1.0) << r.mismatchReport;
}

// conv1dNet: Conv1D (AP_RND_MIN_INF, AP_SAT_ZERO), ReLU (AP_TRN_ZERO), MaxPool, Dense
// (AP_RND_CONV, AP_WRAP), the plain softmax.
TEST_P(CSimHeaders, Conv1DNetBitExact) {
  const NetworkDesc net = testnets::conv1dNet();
  ScratchDir dir(scratch("conv1d"));
  const auto r = CSimHarness(net, options()).run(dir.path, randomInputs(net, 50, 6.0f, 9));
  EXPECT_EQ(r.bitExactFraction, 1.0) << r.mismatchReport;
}

TEST_P(CSimHeaders, IoStreamBitExact) {
  // io_stream: the same layers as dataflow processes exchanging hls::stream packets.
  NetworkDesc net = testnets::convNet(3);
  net.ioType = IOType::Stream;
  ScratchDir dir(scratch("stream"));
  const auto r = CSimHarness(net, options()).run(dir.path, randomInputs(net, 40, 4.0f, 12));
  EXPECT_EQ(r.bitExactFraction, 1.0) << r.mismatchReport;
  const std::string top = HlsProjectEmitter(net).topSource();
  EXPECT_NE(top.find("HLS DATAFLOW"), std::string::npos);
  EXPECT_NE(top.find("static void stream_conv1("), std::string::npos);
}

// io_stream: batch normalisation and every emitted element-wise activation read and write one
// packet (pixel) at a time on a 4x4 feature map, as hls4ml's stream templates do (no process
// buffers the map), and the chain C-simulates bit-exactly.
TEST_P(CSimHeaders, IoStreamChannelLocalKindsComputeOnePacketAtATime) {
  std::mt19937 rng(31);
  NetworkDesc n;
  n.name = "perpixel";
  n.ioType = IOType::Stream;
  n.inputType = FixedType::fixed(12, 4, QuantMode::RND, OverflowMode::SAT);
  n.inputHeight = n.inputWidth = 4;
  n.inputChannels = 2;
  LayerDesc c = testnets::layer("conv1", LayerKind::Conv2D, FixedType::fixed(16, 6));
  c.nFilters = 3;
  c.kernelH = c.kernelW = 3;
  c.padTop = c.padBottom = c.padLeft = c.padRight = 1;
  c.weights = testnets::randomValues(3 * 3 * 2 * 3, rng, 0.8f);
  c.biases = testnets::randomValues(3, rng, 0.3f);
  c.weightType = FixedType::fixed(8, 2);
  c.accumType = FixedType::fixed(20, 8);
  n.layers.push_back(c);
  LayerDesc bn = testnets::layer("bn1", LayerKind::BatchNorm, FixedType::fixed(14, 6, QuantMode::RND_CONV));
  bn.weights = testnets::randomValues(3, rng, 1.5f);
  bn.biases = testnets::randomValues(3, rng, 0.5f);
  bn.weightType = FixedType::fixed(10, 3);
  n.layers.push_back(bn);
  // Every element-wise kind mmlc emits as a stream call (a new one without its stream form in
  // nnet_activation.h fails here).
  std::vector<LayerKind> kinds;
  for (const LayerKindInfo* d : allLayerKinds())
    if (d->isActivation && d->streamCall && d->emitCall) kinds.push_back(d->kind);
  ASSERT_GE(kinds.size(), 11u);
  for (LayerKind k : kinds) {
    LayerDesc a = testnets::layer(std::string("act_") + layerKindName(k), k, FixedType::fixed(14, 5, QuantMode::RND, OverflowMode::SAT));
    a.tableSize = 256;
    a.tableType = FixedType::fixed(16, 6);
    n.layers.push_back(a);
  }
  ScratchDir dir(scratch("perpixel"));
  const auto r = CSimHarness(n, options()).run(dir.path, randomInputs(n, 40, 4.0f, 32));
  EXPECT_EQ(r.bitExactFraction, 1.0) << r.mismatchReport;
  const std::string top = HlsProjectEmitter(n).topSource();
  for (const LayerDesc& l : n.layers) {
    if (l.kind == LayerKind::Conv2D) continue;
    const size_t at = top.find("static void stream_" + l.name + "(");
    ASSERT_NE(at, std::string::npos) << l.name;
    const std::string body = top.substr(at, top.find("\n}\n", at) - at);
    EXPECT_EQ(body.find("in_buf"), std::string::npos) << l.name << " buffers its whole input:\n" << body;
    EXPECT_NE(body.find("nnet::array<"), std::string::npos) << body;  // called on the packet streams
  }
}

// Softmax after a saturating unsigned ReLU: the stable variant passes x - max(x) (<= 0) to the
// table index as data_T, which clips it to 0 (hls4ml 1.0's softmax_stable); the latency variant
// addresses by the unsigned inputs. Max and average pooling go through accum_t.
TEST_P(CSimHeaders, UnsignedSoftmaxAndPoolingBitExact) {
  for (SoftmaxImpl impl : {SoftmaxImpl::Stable, SoftmaxImpl::Latency}) {
    std::mt19937 rng(21);
    NetworkDesc n = testnets::network("usoftmax", FixedType::fixed(12, 4, QuantMode::RND, OverflowMode::SAT), 4, 4, 2);
    LayerDesc p = testnets::layer("pool1", LayerKind::AvgPool, FixedType::fixed(10, 3, QuantMode::RND, OverflowMode::SAT));
    p.accumType = FixedType::fixed(11, 4, QuantMode::TRN, OverflowMode::SAT);  // the window sum saturates
    p.kernelH = p.kernelW = p.strideH = p.strideW = 2;
    n.layers.push_back(p);
    LayerDesc m = testnets::layer("pool2", LayerKind::MaxPool, FixedType::fixed(10, 3));
    m.accumType = FixedType::fixed(8, 2, QuantMode::RND, OverflowMode::SAT);
    m.kernelH = m.kernelW = m.strideH = m.strideW = 2;
    n.layers.push_back(m);
    n.layers.push_back(testnets::layer("flat", LayerKind::Flatten, FixedType::fixed(10, 3)));
    LayerDesc d = testnets::layer("fc1", LayerKind::Dense, FixedType::fixed(16, 6));
    d.nOut = 6;
    d.weights = testnets::randomValues(2 * 6, rng, 2.0f);
    d.biases = testnets::randomValues(6, rng, 1.0f);
    n.layers.push_back(d);
    n.layers.push_back(testnets::layer("relu1", LayerKind::ReLU, FixedType::ufixed(10, 4, QuantMode::RND, OverflowMode::SAT)));
    LayerDesc sm = testnets::layer("sm", LayerKind::Softmax, FixedType::ufixed(16, 0, QuantMode::RND, OverflowMode::SAT));
    sm.softmaxImpl = impl;
    n.layers.push_back(sm);
    ScratchDir dir(scratch(std::string("usoftmax_") + softmaxImplName(impl)));
    const auto r = CSimHarness(n, options()).run(dir.path, randomInputs(n, 200, 8.0f, 22));
    EXPECT_EQ(r.samples, 200u);
    EXPECT_EQ(r.bitExactFraction, 1.0) << softmaxImplName(impl) << ": " << r.mismatchReport;
  }
}

// Resource-strategy convolutions accumulate in hls4ml's reuse order, which a saturating
// accumulator makes visible.
TEST_P(CSimHeaders, ResourceConvOrderBitExact) {
  for (int rf : {3, 9}) {
    NetworkDesc n = testnets::conv1dNet(3);
    for (LayerDesc& l : n.layers)
      if (l.kind == LayerKind::Conv1D) {
        l.strategy = Strategy::Resource;
        l.reuseFactor = rf;
        l.accumType = FixedType::fixed(9, 3, QuantMode::RND, OverflowMode::SAT);
      }
    ScratchDir dir(scratch("resconv" + std::to_string(rf)));
    const auto r = CSimHarness(n, options()).run(dir.path, randomInputs(n, 100, 6.0f, 30 + rf));
    EXPECT_EQ(r.bitExactFraction, 1.0) << "RF " << rf << ": " << r.mismatchReport;
  }
}

INSTANTIATE_TEST_SUITE_P(HeaderSets, CSimHeaders,
                         ::testing::Values(HeaderSet{"mmlc", ""}, HeaderSet{"vendor", MMLC_VENDOR_AP_TYPES_DIR}),
                         [](const ::testing::TestParamInfo<HeaderSet>& i) { return std::string(i.param.name); });

TEST(CSimHarness, ReportsFirstMismatchByLayer) {
  const NetworkDesc net = testnets::conv1dNet();
  ScratchDir scratch("mismatch");
  const std::string dir = scratch.path;
  const auto inputs = randomInputs(net, 20, 2.0f, 10);
  auto first = CSimHarness(net).run(dir, inputs);
  ASSERT_EQ(first.bitExactFraction, 1.0);
  // Corrupt the first bias of the dense layer in the emitted project and rerun without re-emitting.
  const std::string bias = dir + "/firmware/weights/b_fc1.h";
  std::ifstream in(bias);
  std::stringstream ss;
  ss << in.rdbuf();
  in.close();
  const std::string text = std::regex_replace(ss.str(), std::regex("(_VALUES \\\\\\n\\s*)[-0-9.e]+,"), "$017.5,",
                                              std::regex_constants::format_first_only);
  ASSERT_NE(text, ss.str());
  std::ofstream(bias) << text;
  CSimOptions o;
  o.emitProject = false;
  const auto r = CSimHarness(net, o).run(dir, inputs);
  EXPECT_LT(r.bitExactFraction, 1.0);
  EXPECT_EQ(r.firstMismatchSample, 0);
  EXPECT_EQ(r.firstMismatchLayer, "fc1");
  EXPECT_EQ(r.firstMismatchElement, 0);
  EXPECT_NE(r.mismatchReport.find("fc1"), std::string::npos);
}

TEST(CSimHarness, CompileErrorsAreReported) {
  const NetworkDesc net = testnets::conv1dNet();
  ScratchDir scratch("broken");
  const std::string dir = scratch.path;
  HlsProjectEmitter(net).emit(dir);
  std::ofstream(dir + "/firmware/parameters.h", std::ios::app) << "\nthis is not C++;\n";
  CSimOptions o;
  o.emitProject = false;
  try {
    CSimHarness(net, o).run(dir, randomInputs(net, 1, 1.0f, 1));
    FAIL() << "expected a build failure";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("C simulation build failed"), std::string::npos);
  }
}

TEST(HlsProjectEmitter, WritesHls4mlLayout) {
  const NetworkDesc net = testnets::convNet();
  ScratchDir scratch("layout");
  const std::string dir = scratch.path;
  HlsProjectEmitter e(net);
  e.emit(dir);
  for (const char* f : {"firmware/convnet.cpp", "firmware/convnet.h", "firmware/defines.h", "firmware/parameters.h",
                        "firmware/weights/w_fc1.h", "firmware/weights/w_fc1.txt", "firmware/weights/s_bn1.h",
                        "firmware/nnet_utils/nnet_dense.h", "firmware/ap_types/ap_fixed.h", "convnet_test.cpp",
                        "build_prj.tcl", "build_csim.sh", "tb_data/tb_input_features.dat"})
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
  const std::string params = e.parametersHeader();
  EXPECT_NE(params.find("struct config_fc2 : nnet::dense_config"), std::string::npos);
  EXPECT_NE(params.find("static const unsigned strategy = nnet::resource;"), std::string::npos);
  EXPECT_NE(params.find("static const unsigned reuse_factor = 4;"), std::string::npos);
  EXPECT_NE(params.find("n_zeros"), std::string::npos);
  EXPECT_NE(e.definesHeader().find("typedef ap_fixed<12,3,AP_TRN,AP_SAT> fc1_accum_t;"), std::string::npos);
  const std::string tcl = e.buildTcl();
  for (const char* step : {"csim_design", "csynth_design", "cosim_design", "export_design", "set_part {xcu250-figd2104-2L-e}"})
    EXPECT_NE(tcl.find(step), std::string::npos) << step;
}

TEST(CSimHarness, VendorHeadersReplaceOurs) {
  // A vendor include directory (here a stand-in whose ap_fixed.h refuses to compile) must be used
  // instead of firmware/ap_types when given.
  const NetworkDesc net = testnets::conv1dNet();
  ScratchDir scratch("vendor");
  const std::string vendor = scratch.path + "_vendor";
  std::filesystem::create_directories(vendor);
  std::ofstream(vendor + "/ap_fixed.h") << "#error stand-in vendor ap_fixed.h was used\n";
  std::ofstream(vendor + "/ap_int.h") << "#include \"ap_fixed.h\"\n";
  CSimOptions o;
  o.apTypesDir = vendor;
  try {
    CSimHarness(net, o).run(scratch.path, randomInputs(net, 1, 1.0f, 1));
    ADD_FAILURE() << "expected the stand-in vendor header to be used";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("stand-in vendor ap_fixed.h was used"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(vendor);
}
