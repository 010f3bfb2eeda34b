// The Upsample (resize_nearest) and PReLU (prelu) layer kinds: shape and type rules with located
// errors, the simulated arithmetic, emission in hls4ml's form (config, call, slope array), C
// simulation bit-exact under mmlc's and the vendor's ap types in io_parallel and io_stream,
// estimation, and what hls4ml's own resize_nearest cannot compute.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "TestNetworks.h"
#include "hls/CSimHarness.h"
#include "hls/HlsProjectEmitter.h"
#include "hls/NetworkSim.h"
#include "hls/ResourceEstimator.h"

using namespace mmlc::hls;

namespace {

std::string resolveError(NetworkDesc n) {
  try {
    n.resolve();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

struct ScratchDir {
  std::string path;
  explicit ScratchDir(const std::string& name)
      : path((std::filesystem::temp_directory_path() / ("mmlc_upsample_test_" + std::to_string(::getpid()) + "_" + name)).string()) {
    std::filesystem::remove_all(path);
  }
  ~ScratchDir() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path);
  }
};

// 2x3x2 input -> PReLU -> Upsample 2 x 3, small enough to check by hand.
NetworkDesc tinyNet() {
  NetworkDesc n = testnets::network("tiny", FixedType::fixed(8, 3), 2, 3, 2);
  LayerDesc pr = testnets::layer("pr", LayerKind::PReLU, FixedType::fixed(8, 3, QuantMode::TRN, OverflowMode::WRAP));
  for (int i = 0; i < 12; ++i) pr.weights.push_back(0.25f * static_cast<float>(i % 5) - 0.5f);
  pr.weightType = FixedType::fixed(6, 1);
  n.layers.push_back(pr);
  LayerDesc up = testnets::layer("up", LayerKind::Upsample, FixedType::fixed(4, 4));  // replaced by the input's type
  up.scaleH = 2;
  up.scaleW = 3;
  n.layers.push_back(up);
  return n;
}

}  // namespace

TEST(UpsamplePReLU, ShapesTypesAndLocatedErrors) {
  NetworkDesc n = tinyNet();
  n.resolve();
  const LayerDesc& up = n.layers[1];
  EXPECT_EQ(up.outHeight, 4);
  EXPECT_EQ(up.outWidth, 9);
  EXPECT_EQ(up.outChannels, 2);
  EXPECT_EQ(up.resultType, n.layers[0].resultType) << "resize_nearest has one data_T";

  NetworkDesc zero = tinyNet();
  zero.layers[1].scaleW = 0;
  EXPECT_EQ(resolveError(zero), "layer 1 ('up', Upsample): upsampling factors must be >= 1");
  NetworkDesc flat = tinyNet();
  flat.inputHeight = 1;
  flat.inputWidth = 6;
  EXPECT_EQ(resolveError(flat), "layer 1 ('up', Upsample): a 1-D input (height 1) can only be upsampled along its width");
  NetworkDesc slopes = tinyNet();
  slopes.layers[0].weights.resize(2);  // per channel: the HLS layer wants one per element
  EXPECT_EQ(resolveError(slopes), "layer 0 ('pr', PReLU): needs one slope per input element (12), got 2");
}

TEST(UpsamplePReLU, SimulatesSlopesAndRepeats) {
  const NetworkDesc n = tinyNet();
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i) x[i] = 0.375f * static_cast<float>(i) - 2.0f;  // exact in fixed<8,3>
  NetworkSim sim(n);
  const auto trace = sim.trace(x.data());
  for (int i = 0; i < 12; ++i) {
    // x > 0 ? x : a_i * x, the product exact, truncated to fixed<8,3> (5 fractional bits).
    const double a = n.layers[0].weights[i], v = x[i] > 0 ? x[i] : a * x[i];
    EXPECT_EQ(trace[0][i], static_cast<Raw>(std::floor(v * 32))) << i;
  }
  // Output pixel (h, w) is input pixel (h / 2, w / 3), channels kept.
  for (int h = 0; h < 4; ++h)
    for (int w = 0; w < 9; ++w)
      for (int c = 0; c < 2; ++c) EXPECT_EQ(trace[1][(h * 9 + w) * 2 + c], trace[0][((h / 2) * 3 + w / 3) * 2 + c]);
}

TEST(UpsamplePReLU, EmitsHls4mlCallsAndTheSlopeArray) {
  const NetworkDesc net = testnets::upsampleNet();
  HlsProjectEmitter e(net);
  const std::string top = e.topSource(), params = e.parametersHeader(), defines = e.definesHeader();
  EXPECT_NE(top.find("nnet::prelu<conv1_t, prelu1_weight_t, prelu1_t, config_prelu1>(conv1_out, a_prelu1, prelu1_out);"),
            std::string::npos)
      << top;
  EXPECT_NE(top.find("nnet::resize_nearest<pool1_t, config_up1>(pool1_out, up1_out);"), std::string::npos) << top;
  EXPECT_NE(top.find("nnet::linear<up1_t, cast1_t, config_cast1>(up1_out, cast1_out);"), std::string::npos) << top;
  EXPECT_NE(params.find("#include \"nnet_utils/nnet_image.h\""), std::string::npos);
  EXPECT_NE(params.find("#include \"weights/a_prelu1.h\""), std::string::npos);
  EXPECT_EQ(params.find("b_prelu1"), std::string::npos) << "PReLU has no biases";
  EXPECT_NE(params.find("struct config_up1 : nnet::resize_config {\n  static const unsigned height = 2;\n"
                        "  static const unsigned width = 3;\n  static const unsigned n_chan = 4;\n"
                        "  static const unsigned new_height = 4;\n  static const unsigned new_width = 6;\n};"),
            std::string::npos)
      << params;
  EXPECT_NE(defines.find("typedef ap_fixed<6,1,AP_RND,AP_WRAP> prelu1_weight_t;"), std::string::npos) << defines;
  // up1_t is pool1_t's type: the stream call's packet types are one type.
  EXPECT_NE(defines.find("typedef ap_fixed<10,4> up1_t;"), std::string::npos) << defines;
  NetworkDesc stream = net;
  stream.ioType = IOType::Stream;
  const std::string stop = HlsProjectEmitter(stream).topSource();
  EXPECT_NE(stop.find("nnet::resize_nearest<nnet::array<pool1_t, 4>, config_up1>(in, out);"), std::string::npos) << stop;
}

struct UpsampleHeaders : ::testing::TestWithParam<const char*> {};

// Conv, PReLU, MaxPool, Upsample, a cast and the skip Concatenate C-simulate bit-exactly.
TEST_P(UpsampleHeaders, UNetStepBitExact) {
  for (IOType io : {IOType::Parallel, IOType::Stream}) {
    NetworkDesc net = testnets::upsampleNet();
    net.ioType = io;
    CSimOptions o;
    o.apTypesDir = GetParam();
    ScratchDir dir(std::string(io == IOType::Stream ? "stream" : "parallel") + (*GetParam() ? "_vendor" : "_mmlc"));
    std::mt19937 rng(5);
    const auto x = testnets::randomValues(50 * static_cast<size_t>(net.inputSize()), rng, 4.0f);
    const auto r = CSimHarness(net, o).run(dir.path, x);
    EXPECT_EQ(r.samples, 50u);
    EXPECT_EQ(r.bitExactFraction, 1.0) << (io == IOType::Stream ? "io_stream: " : "io_parallel: ") << r.mismatchReport;
  }
}

INSTANTIATE_TEST_SUITE_P(HeaderSets, UpsampleHeaders, ::testing::Values("", MMLC_VENDOR_AP_TYPES_DIR),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(*i.param ? "vendor" : "mmlc"); });

TEST(UpsamplePReLU, Estimates) {
  const NetworkDesc net = testnets::upsampleNet();
  for (const bool analytic : {false, true}) {
    const ResourceEstimate e = analytic ? ResourceEstimator(ResourceModel{}).estimate(net) : ResourceEstimator().estimate(net);
    ASSERT_EQ(e.layers.size(), net.layers.size());
    EXPECT_GT(e.total.lut, 0);
    if (analytic) {
      EXPECT_GT(e.layers[1].lut, 0) << "a PReLU multiplies by its slopes";
      EXPECT_EQ(e.layers[3].lut, 0) << "an Upsample is wiring";
      EXPECT_EQ(e.layers[3].dsp, 0);
    }
  }
  // Slopes with more CSD digits cost more adders.
  NetworkDesc simple = net, busy = net;
  for (float& a : simple.layers[1].weights) a = 0.5f;
  for (float& a : busy.layers[1].weights) a = 0.65625f;  // 0.10101 in binary: three digits
  const ResourceEstimator analytic{ResourceModel{}};
  EXPECT_LT(analytic.estimate(simple).layers[1].lut, analytic.estimate(busy).layers[1].lut);
}

// hls4ml's array form reads row (i * ((h << 16) / new_h + 1)) >> 16, which stops repeating each
// value once the map is wide enough; its stream form and mmlc's templates repeat exactly.
TEST(UpsamplePReLU, Hls4mlRatioLimitIsATemplateIssue) {
  NetworkDesc n;
  n.name = "wide";
  n.inputWidth = 20000;
  LayerDesc up = testnets::layer("up", LayerKind::Upsample, FixedType::fixed(8, 3));
  up.scaleW = 2;
  n.layers.push_back(up);
  const auto issues = n.templateIssues();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].find("resize_nearest's fixed-point ratio does not repeat every value of a 1x20000 map 1x2 times"),
            std::string::npos)
      << issues[0];
  n.inputWidth = 128;
  EXPECT_TRUE(n.templateIssues().empty());
  n.inputWidth = 20000;
  n.ioType = IOType::Stream;
  EXPECT_TRUE(n.templateIssues().empty());
}
