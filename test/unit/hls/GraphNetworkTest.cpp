// Graph networks on the HLS side: shape and order checks with located errors, the merge layers'
// arithmetic, emission in hls4ml's layout (merges, clones, line-buffer io_stream), C simulation
// bit-exact under mmlc's and the vendor's ap types, and estimation.
#include <gtest/gtest.h>

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

LayerDesc* find(NetworkDesc& n, const std::string& name) {
  for (LayerDesc& l : n.layers)
    if (l.name == name) return &l;
  return nullptr;
}

struct ScratchDir {
  std::string path;
  explicit ScratchDir(const std::string& name)
      : path((std::filesystem::temp_directory_path() / ("mmlc_graph_test_" + std::to_string(::getpid()) + "_" + name)).string()) {
    std::filesystem::remove_all(path);
  }
  ~ScratchDir() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path);
  }
};

}  // namespace

TEST(GraphNetwork, ResolvesSourcesShapesAndConsumers) {
  NetworkDesc n = testnets::residualNet();
  n.resolve();
  EXPECT_FALSE(n.isChain());
  NetworkDesc chain = testnets::convNet();
  chain.resolve();
  EXPECT_TRUE(chain.isChain());
  const LayerDesc& cat = *find(n, "cat1");
  EXPECT_EQ(cat.sources, (std::vector<int>{4, 0}));
  EXPECT_EQ(cat.sourceChannels, (std::vector<int>{4, 4}));
  EXPECT_EQ(cat.outChannels, 8);
  EXPECT_EQ(find(n, "pool1")->outHeight, 3);  // 5 + 1 padded row, pool 2
  EXPECT_EQ(find(n, "pool2")->outHeight, 2);
  EXPECT_EQ(find(n, "cat2")->outputSize(), 11);
  EXPECT_EQ(n.consumers(0), (std::vector<int>{1, 5}));  // conv1: relu1 and cat1
  EXPECT_EQ(n.inputTypeOf(5, 1), n.layers[0].resultType);
  EXPECT_EQ(n.outputSize(), 4);
}

TEST(GraphNetwork, BadGraphsAreErrorsNamingTheLayer) {
  NetworkDesc n = testnets::residualNet();
  find(n, "add1")->inputs = {"relu1", "nosuch"};
  EXPECT_NE(resolveError(n).find("layer 4 ('add1', Add): reads 'nosuch', which is no layer of the network (a dangling input)"),
            std::string::npos)
      << resolveError(n);

  n = testnets::residualNet();
  find(n, "conv2")->inputs = {"add1"};  // add1 reads relu2, which reads conv2: a cycle
  EXPECT_NE(resolveError(n).find("('conv2', Conv2D): reads 'add1', which is computed later (a cycle"), std::string::npos)
      << resolveError(n);
  find(n, "conv2")->inputs = {"conv2"};
  EXPECT_NE(resolveError(n).find("reads 'conv2', which is computed by this layer"), std::string::npos) << resolveError(n);

  n = testnets::residualNet();
  find(n, "add1")->inputs = {"relu1", "cat1"};  // cat1 comes later anyway; use a shape mismatch instead
  find(n, "add1")->inputs = {"relu1", NetworkDesc::kInputName};
  EXPECT_NE(resolveError(n).find("adds 'relu1' (5x5x4) and 'input' (5x5x2): the inputs of an Add must have the same shape"),
            std::string::npos)
      << resolveError(n);

  n = testnets::residualNet();
  find(n, "cat1")->inputs = {"add1", "pool1"};
  EXPECT_NE(resolveError(n).find("which is computed later"), std::string::npos);
  find(n, "cat2")->inputs = {"fc1", "pool1"};
  find(n, "cat1")->inputs = {"add1", "conv1"};
  EXPECT_NE(resolveError(n).find("joins 'fc1' (1x1x6) and 'pool1' (3x3x8) along channels: the inputs must have the same height and width"),
            std::string::npos)
      << resolveError(n);

  n = testnets::residualNet();
  find(n, "cat2")->inputs = {"fc1", "fc2", "fc1"};
  EXPECT_NE(resolveError(n).find("hls4ml's merge templates take two inputs, got 3"), std::string::npos) << resolveError(n);
  find(n, "cat2")->inputs = {"fc1"};
  EXPECT_NE(resolveError(n).find("a merge layer reads two inputs, got 1"), std::string::npos) << resolveError(n);

  n = testnets::residualNet();
  find(n, "fc3")->inputs = {"fc1", "fc2"};
  EXPECT_NE(resolveError(n).find("only merge layers (Add, Concatenate) read several"), std::string::npos) << resolveError(n);

  n = testnets::residualNet();
  LayerDesc dead = testnets::layer("dead", LayerKind::ReLU, FixedType::fixed(8, 3));
  dead.inputs = {"fc1"};
  n.layers.insert(n.layers.begin() + 11, dead);  // after fc1; nothing reads it
  EXPECT_NE(resolveError(n).find("('dead', ReLU): its output is never read"), std::string::npos) << resolveError(n);

  n = testnets::residualNet();
  n.layers[0].name = NetworkDesc::kInputName;
  EXPECT_NE(resolveError(n).find("names the network input"), std::string::npos);
}

// add1 = relu1 + relu2 is the exact sum cast to its (rounding, saturating) type; cat1 holds add1's
// channels then conv1's, each cast to cat1's type.
TEST(GraphNetwork, MergeArithmeticIsExact) {
  const NetworkDesc net = testnets::residualNet();
  NetworkSim sim(net);
  std::mt19937 rng(5);
  for (int sample = 0; sample < 20; ++sample) {
    const std::vector<float> x = testnets::randomValues(static_cast<size_t>(net.inputSize()), rng, 4.0f);
    const auto trace = sim.trace(x.data());
    const NetworkDesc& d = sim.desc();
    const FixedType &r1 = d.layers[1].resultType, &r2 = d.layers[3].resultType, &ra = d.layers[4].resultType;
    for (size_t i = 0; i < trace[4].size(); ++i) {
      const double sum = toDouble(trace[1][i], r1) + toDouble(trace[3][i], r2);
      EXPECT_EQ(trace[4][i], fromDouble(sum, ra)) << "element " << i;
    }
    const FixedType& rc = d.layers[5].resultType;
    for (int p = 0; p < 25; ++p)
      for (int c = 0; c < 8; ++c) {
        const double v = c < 4 ? toDouble(trace[4][static_cast<size_t>(p * 4 + c)], ra)
                               : toDouble(trace[0][static_cast<size_t>(p * 4 + c - 4)], d.layers[0].resultType);
        EXPECT_EQ(trace[5][static_cast<size_t>(p * 8 + c)], fromDouble(v, rc));
      }
    // The last pooled row and column see one real row/column: the padded cells are ignored.
    const auto& pooled = trace[6];
    const double only = toDouble(trace[5][static_cast<size_t>((4 * 5 + 4) * 8)], rc);
    EXPECT_EQ(pooled[static_cast<size_t>((2 * 3 + 2) * 8)], fromDouble(only, d.layers[6].resultType));
  }
}

TEST(GraphNetwork, EmitsMergesAndClonesInHls4mlLayout) {
  NetworkDesc net = testnets::residualNet();
  const HlsProjectEmitter parallel(net);
  const std::string top = parallel.topSource(), params = parallel.parametersHeader();
  EXPECT_NE(top.find("nnet::add<relu1_t, relu2_t, add1_t, config_add1>(relu1_out, relu2_out, add1_out);"), std::string::npos) << top;
  EXPECT_NE(top.find("nnet::concatenate3d<add1_t, conv1_t, cat1_t, config_cat1>(add1_out, conv1_out, cat1_out);"), std::string::npos);
  EXPECT_NE(top.find("nnet::concatenate1d<fc1_t, fc2_t, cat2_t, config_cat2>(fc1_out, fc2_out, cat2_out);"), std::string::npos);
  // The Flatten is no code in io_parallel: both dense layers read the pooled array.
  EXPECT_NE(top.find("(pool2_out, fc2_out"), std::string::npos) << top;
  EXPECT_NE(params.find("struct config_add1 : nnet::merge_config {\n  static const unsigned n_elem = 100;"), std::string::npos) << params;
  EXPECT_NE(params.find("struct config_cat1 : nnet::concat_config {\n  static const unsigned n_elem1_0 = 5;"), std::string::npos);
  EXPECT_NE(params.find("static const unsigned n_elem2_2 = 4;\n  static const int axis = -1;"), std::string::npos);
  EXPECT_NE(params.find("pad_bottom = 1"), std::string::npos);

  net.ioType = IOType::Stream;
  const std::string stop = HlsProjectEmitter(net).topSource();
  EXPECT_NE(stop.find("nnet::clone_stream<nnet::array<conv1_t, 4>, nnet::array<conv1_t, 4>, 100>(conv1_out, conv1_out_cpy1, conv1_out_cpy2);"),
            std::string::npos)
      << stop;
  EXPECT_NE(stop.find("stream_relu1(conv1_out_cpy1, relu1_out);"), std::string::npos);
  EXPECT_NE(stop.find("stream_cat1(add1_out, conv1_out_cpy2, cat1_out);"), std::string::npos);
  EXPECT_NE(stop.find("stream_fc2(flat_out_cpy2, fc2_out);"), std::string::npos);
  // Convolution and pooling read their streams through line buffers (no whole-input buffer).
  EXPECT_NE(stop.find("nnet::conv_2d_cl<nnet::array<input_t, 2>, nnet::array<conv1_t, 4>, config_conv1>(in, out, w_conv1, b_conv1);"),
            std::string::npos);
  EXPECT_NE(stop.find("nnet::pooling2d_cl<nnet::array<cat1_t, 8>, nnet::array<pool1_t, 8>, config_pool1>(in, out);"), std::string::npos);
  const size_t conv2 = stop.find("static void stream_conv2(");
  ASSERT_NE(conv2, std::string::npos);
  EXPECT_EQ(stop.substr(conv2, stop.find("\n}\n", conv2) - conv2).find("in_buf"), std::string::npos);
}

struct GraphHeaders : ::testing::TestWithParam<const char*> {};

// The graph C-simulates bit-exactly in io_parallel and io_stream (line buffers, clones, merges).
TEST_P(GraphHeaders, ResidualNetBitExact) {
  for (IOType io : {IOType::Parallel, IOType::Stream}) {
    NetworkDesc net = testnets::residualNet();
    net.ioType = io;
    CSimOptions o;
    o.apTypesDir = GetParam();
    ScratchDir dir(std::string(io == IOType::Stream ? "stream" : "parallel") + (*GetParam() ? "_vendor" : "_mmlc"));
    std::mt19937 rng(11);
    const auto x = testnets::randomValues(60 * static_cast<size_t>(net.inputSize()), rng, 4.0f);
    const auto r = CSimHarness(net, o).run(dir.path, x);
    EXPECT_EQ(r.samples, 60u);
    EXPECT_EQ(r.bitExactFraction, 1.0) << (io == IOType::Stream ? "io_stream: " : "io_parallel: ") << r.mismatchReport;
  }
}

INSTANTIATE_TEST_SUITE_P(HeaderSets, GraphHeaders, ::testing::Values("", MMLC_VENDOR_AP_TYPES_DIR),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(*i.param ? "vendor" : "mmlc"); });

TEST(GraphNetwork, EstimatesMergeLayers) {
  const NetworkDesc net = testnets::residualNet();
  for (const bool analytic : {false, true}) {
    const ResourceEstimate e = analytic ? ResourceEstimator(ResourceModel{}).estimate(net) : ResourceEstimator().estimate(net);
    ASSERT_EQ(e.layers.size(), net.layers.size());
    EXPECT_GT(e.total.lut, 0);
    if (analytic) {
      EXPECT_GT(e.layers[4].lut, 0) << "an Add has one adder per element";
      EXPECT_EQ(e.layers[5].lut, 0) << "a Concatenate is wiring";
    }
  }
}
