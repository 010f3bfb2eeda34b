// hls_import's converter (HlsNetworkImport): a read project becomes the NetworkDesc it was emitted
// from — same bit-exact outputs, same estimate — and a rewritten project's values are carried back
// into an existing description; layers it cannot model are errors at their call.
#include <gtest/gtest.h>

#include "MetaTestUtil.h"
#include "hls/CSimHarness.h"
#include "hls/NetworkSim.h"
#include "hls/ResourceEstimator.h"
#include "meta/HlsNetworkImport.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"

using namespace mmlc;
using namespace mmlc::meta;
using namespace mmlc::meta::testutil;
using hls::FixedType;
using hls::LayerKind;

namespace {

const hls::LayerDesc& layerOf(const hls::NetworkDesc& net, const std::string& name) {
  for (const auto& l : net.layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

std::vector<double> simulate(const hls::NetworkDesc& net, const std::vector<float>& inputs) {
  hls::NetworkSim sim(net);
  const size_t n = inputs.size() / size_t(net.inputSize());
  std::vector<double> out(n * size_t(sim.desc().outputSize()));
  sim.run(inputs.data(), n, out.data());
  return out;
}

// Same outputs bit for bit, and the same estimate of every resource, latency and interval.
void expectSameNetwork(const hls::NetworkDesc& want, const hls::NetworkDesc& got, unsigned seed) {
  ASSERT_EQ(got.inputSize(), want.inputSize());
  EXPECT_EQ(got.inputType, want.inputType);
  EXPECT_EQ(got.ioType, want.ioType);
  const auto inputs = randomInputs(64, want.inputSize(), seed);
  EXPECT_EQ(simulate(got, inputs), simulate(want, inputs));
  const hls::SynthMetrics a = hls::ResourceEstimator().estimate(want).total, b = hls::ResourceEstimator().estimate(got).total;
  EXPECT_EQ(b.dsp, a.dsp);
  EXPECT_EQ(b.lut, a.lut);
  EXPECT_EQ(b.ff, a.ff);
  EXPECT_EQ(b.bram18, a.bram18);
  EXPECT_EQ(b.latencyMax, a.latencyMax);
  EXPECT_EQ(b.intervalMax, a.intervalMax);
  // Every layer with parameters or a type of its own is there, with the same values.
  for (const hls::LayerDesc& w : want.layers) {
    if (w.kind == LayerKind::Flatten && want.ioType == hls::IOType::Parallel) continue;  // no call in io_parallel
    const hls::LayerDesc& g = layerOf(got, w.name);
    EXPECT_EQ(g.resultType, w.resultType) << w.name;
    EXPECT_EQ(g.reuseFactor, w.reuseFactor) << w.name;
    EXPECT_EQ(g.weights, w.weights) << w.name;
    EXPECT_EQ(g.biases, w.biases) << w.name;
    if (!w.weights.empty()) {
      EXPECT_EQ(g.weightType, w.weightType) << w.name;
      EXPECT_EQ(g.biasType, w.biasType) << w.name;
      EXPECT_EQ(g.strategy, w.strategy) << w.name;
    }
  }
}

}  // namespace

TEST(NetworkImport, HandWrittenFixture) {
  ScratchDir tmp;
  const HlsProject p = readHlsProject(copyFixture(tmp.path() / "prj"));
  const hls::NetworkDesc got = networkFromProject(p);
  const hls::NetworkDesc want = fixtureNet();
  ASSERT_EQ(got.layers.size(), 3u);
  EXPECT_EQ(got.name, "myproject");
  EXPECT_EQ(got.layers[0].kind, LayerKind::Dense);
  EXPECT_EQ(got.layers[1].kind, LayerKind::ReLU);
  EXPECT_EQ(got.layers[2].kind, LayerKind::Dense);
  EXPECT_EQ(got.layers[0].accumType, FixedType::fixed(16, 6));  // model_default_t
  expectSameNetwork(want, got, 5);
}

TEST(NetworkImport, EmittedUnrolledMlp) {
  ScratchDir tmp;
  const hls::NetworkDesc net = mlp4(3);
  const hls::NetworkDesc got = networkFromProject(readHlsProject(emit(net, tmp.path() / "prj", 4096)));
  EXPECT_EQ(got.name, "mlp4");
  EXPECT_EQ(layerOf(got, "softmax").kind, LayerKind::Softmax);
  EXPECT_EQ(layerOf(got, "softmax").tableSize, layerOf(net, "softmax").tableSize);
  EXPECT_EQ(layerOf(got, "fc2").accumType, FixedType::fixed(20, 8));
  expectSameNetwork(net, got, 7);
}

TEST(NetworkImport, EmittedTemplateConvNet) {
  ScratchDir tmp;
  const hls::NetworkDesc net = hls::testnets::convNet();
  const hls::NetworkDesc got = networkFromProject(readHlsProject(emit(net, tmp.path() / "prj", 0)));
  EXPECT_EQ(got.inputHeight, 4);
  EXPECT_EQ(got.inputChannels, 2);
  EXPECT_EQ(layerOf(got, "conv1").padTop, 1);
  EXPECT_EQ(layerOf(got, "pool1").kind, LayerKind::AvgPool);
  EXPECT_EQ(layerOf(got, "bn1").kind, LayerKind::BatchNorm);
  EXPECT_EQ(layerOf(got, "tanh1").tableSize, 512);
  EXPECT_EQ(layerOf(got, "fc2").strategy, hls::Strategy::Resource);  // weights transposed back
  expectSameNetwork(net, got, 9);
}

TEST(NetworkImport, EmittedConv1dNetLatencySoftmax) {
  ScratchDir tmp;
  const hls::NetworkDesc net = hls::testnets::conv1dNet();
  const hls::NetworkDesc got = networkFromProject(readHlsProject(emit(net, tmp.path() / "prj", 0)));
  EXPECT_EQ(layerOf(got, "pool1").kind, LayerKind::MaxPool);
  EXPECT_EQ(layerOf(got, "softmax1").softmaxImpl, hls::SoftmaxImpl::Latency);
  expectSameNetwork(net, got, 13);
}

TEST(NetworkImport, EmittedStreamMlp) {
  ScratchDir tmp;
  hls::NetworkDesc net = mlp4(5);
  net.ioType = hls::IOType::Stream;
  const hls::NetworkDesc got = networkFromProject(readHlsProject(emit(net, tmp.path() / "prj", 4096)));
  EXPECT_EQ(got.ioType, hls::IOType::Stream);
  expectSameNetwork(net, got, 15);
}

// A rewrite's read-back carried into the description the project was emitted from equals a fresh
// import of the rewritten project, and has exactly the requested values.
TEST(NetworkImport, SyncAfterRewrite) {
  ScratchDir tmp;
  const hls::NetworkDesc net = mlp4(9);
  const auto inputs = randomInputs(64, net.inputSize(), 23);
  const std::string in = emit(net, tmp.path() / "in", 4096, inputs);  // testbench inputs for the C simulation
  HlsProjectRewriter rw(in);
  EXPECT_EQ(rw.project().layers.size(), net.layers.size());  // the parse render() reuses
  rw.setPrecision("fc2", "weight", FixedType::fixed(5, 1))
      .setReuseFactor("fc1", 4)
      .setStrategy("fc1", "resource")
      .setPrecision("relu2", "result", FixedType::ufixed(8, 3))
      .renameTop("tagger");
  const RewriteReport r = rw.writeTo(tmp / "out");
  ASSERT_EQ(r.readBack.topFunction, "tagger");
  hls::NetworkDesc synced = net;
  syncNetworkWithProject(synced, r.readBack);
  EXPECT_EQ(synced.name, "tagger");
  EXPECT_EQ(layerOf(synced, "fc2").weightType, FixedType::fixed(5, 1));
  EXPECT_EQ(layerOf(synced, "fc1").reuseFactor, 4);
  EXPECT_EQ(layerOf(synced, "fc1").strategy, hls::Strategy::Resource);
  EXPECT_EQ(layerOf(synced, "fc1").weights, layerOf(net, "fc1").weights);  // same values, layout undone
  EXPECT_EQ(layerOf(synced, "relu2").resultType, FixedType::ufixed(8, 3));
  // The re-quantised weights are what the header now holds; they simulate like the originals.
  for (size_t i = 0; i < layerOf(net, "fc2").weights.size(); ++i) {
    const double q = hls::toDouble(hls::fromDouble(layerOf(net, "fc2").weights[i], FixedType::fixed(5, 1)), FixedType::fixed(5, 1));
    EXPECT_EQ(double(layerOf(synced, "fc2").weights[i]), q);
  }
  hls::NetworkDesc requested = net;
  for (auto& l : requested.layers) {
    if (l.name == "fc2") l.weightType = FixedType::fixed(5, 1);
    if (l.name == "fc1") {
      l.reuseFactor = 4;
      l.strategy = hls::Strategy::Resource;
    }
    if (l.name == "relu2") l.resultType = FixedType::ufixed(8, 3);
  }
  requested.name = "tagger";
  EXPECT_EQ(simulate(synced, inputs), simulate(requested, inputs));
  expectSameNetwork(synced, networkFromProject(readHlsProject(tmp / "out", ReadOptions{"tagger", {}, {}, true})), 25);
  // The synced description is what the rewritten C++ computes, bit for bit (g++ C simulation;
  // the renamed top's files keep their names, mlp4_test.cpp and firmware/mlp4.cpp).
  hls::CSimOptions o;
  o.emitProject = false;
  o.extraFlags = {"-O0"};
  const hls::CSimResult c = hls::CSimHarness(synced, o).run(tmp / "out", inputs);
  EXPECT_EQ(c.samples, 64u);
  EXPECT_EQ(c.bitExactFraction, 1.0) << c.mismatchReport;
}

TEST(NetworkImport, ReadOptionsTopPicksAndChecksTheFunction) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  ReadOptions o;
  o.top = "myproject";
  EXPECT_EQ(readHlsProject(dir, o).topFunction, "myproject");
  o.top = "nosuch";
  try {
    readHlsProject(dir, o);
    FAIL() << "expected an error";
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, "firmware/myproject.cpp");
    EXPECT_NE(e.message().find("no top function 'nosuch' (non-static functions defined here: myproject)"), std::string::npos)
        << e.what();
  }
}

TEST(NetworkImport, UnsupportedLayerIsAnErrorAtItsCall) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  const fs::path top = fs::path(dir) / "firmware" / "myproject.cpp";
  // Replace the ReLU template by a project function of a kind mmlc does not model.
  std::string text = readText(top);
  text = replaceOnce(text, "void myproject(",
                     "static void swish_layer3(layer2_t in[N_LAYER_2], layer3_t out[N_LAYER_2]) {\n"
                     "    for (int i = 0; i < N_LAYER_2; i++) out[i] = in[i] > 0 ? layer3_t(in[i]) : layer3_t(0);\n"
                     "}\n\nvoid myproject(");
  text = replaceOnce(text, "nnet::relu<layer2_t, layer3_t, relu_config3>(layer2_out, layer3_out);", "swish_layer3(layer2_out, layer3_out);");
  writeText(top, text);
  const HlsProject p = readHlsProject(dir);
  try {
    networkFromProject(p);
    FAIL() << "expected an error";
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, "firmware/myproject.cpp");
    EXPECT_EQ(e.pos().line, 23u) << e.what();
    EXPECT_NE(e.message().find("layer layer3 calls swish_layer3, which mmlc cannot model (importable layers: dense,"), std::string::npos)
        << e.what();
  }
}

TEST(NetworkImport, InconsistentSizesAreErrorsAtTheConfig) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  const fs::path params = fs::path(dir) / "firmware" / "parameters.h";
  // relu_config3 claims 4 inputs where the dense layer before it gives 3.
  std::string text = readText(params);
  text = replaceOnce(text, "struct relu_config3 : nnet::activ_config {\n    static const unsigned n_in = 3;",
                     "struct relu_config3 : nnet::activ_config {\n    static const unsigned n_in = 4;");
  writeText(params, text);
  try {
    networkFromProject(readHlsProject(dir));
    FAIL() << "expected an error";
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, "firmware/parameters.h");
    EXPECT_NE(e.message().find("layer layer3: n_in is 4 but the previous layer gives 3"), std::string::npos) << e.what();
  }
}
