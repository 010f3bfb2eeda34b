// hls_import's converter (HlsNetworkImport): a read project becomes the NetworkDesc it was emitted
// from — same bit-exact outputs, same estimate — and a rewritten project's values are carried back
// into an existing description; layers it cannot model are errors at their call.
#include <gtest/gtest.h>

#include "MetaTestUtil.h"
#include "hls/CSimHarness.h"
#include "hls/LayerKinds.h"
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
    if (w.kind != LayerKind::Flatten) EXPECT_EQ(g.resultType, w.resultType) << w.name;  // a Flatten keeps its input's
    EXPECT_EQ(g.reuseFactor, w.reuseFactor) << w.name;
    EXPECT_EQ(g.weights, w.weights) << w.name;
    EXPECT_EQ(g.biases, w.biases) << w.name;
    if (!w.weights.empty()) {
      EXPECT_EQ(g.weightType, w.weightType) << w.name;
      if (hls::kindInfo(w.kind).hasBias) EXPECT_EQ(g.biasType, w.biasType) << w.name;  // PReLU has none
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

// Graph projects (merge calls with two inputs, clone_stream copies in io_stream) import as the
// graph they were emitted from.
TEST(NetworkImport, EmittedGraphBothIoTypes) {
  for (hls::IOType io : {hls::IOType::Parallel, hls::IOType::Stream}) {
    ScratchDir tmp;
    hls::NetworkDesc net = hls::testnets::residualNet();
    net.ioType = io;
    const hls::NetworkDesc got = networkFromProject(readHlsProject(emit(net, tmp.path() / "prj", 0)));
    EXPECT_EQ(layerOf(got, "add1").kind, LayerKind::Add);
    EXPECT_EQ(layerOf(got, "add1").inputs, (std::vector<std::string>{"relu1", "relu2"}));
    EXPECT_EQ(layerOf(got, "cat1").inputs, (std::vector<std::string>{"add1", "conv1"}));
    // io_parallel has no Flatten call: the dense layers read the pooled array.
    EXPECT_EQ(layerOf(got, "fc2").inputs,
              (std::vector<std::string>{io == hls::IOType::Stream ? "flat" : "pool2"}));
    expectSameNetwork(net, got, 17);
  }
}

// resize_nearest and prelu (its slope array between the data arguments, in param_t) import as the
// Upsample and PReLU layers they were emitted from, in io_parallel and io_stream.
TEST(NetworkImport, EmittedUpsampleAndPReLUBothIoTypes) {
  for (hls::IOType io : {hls::IOType::Parallel, hls::IOType::Stream}) {
    ScratchDir tmp;
    hls::NetworkDesc net = hls::testnets::upsampleNet();
    net.ioType = io;
    const hls::NetworkDesc got = networkFromProject(readHlsProject(emit(net, tmp.path() / "prj", 0)));
    EXPECT_EQ(layerOf(got, "up1").kind, LayerKind::Upsample);
    EXPECT_EQ(layerOf(got, "up1").scaleH, 2);
    EXPECT_EQ(layerOf(got, "up1").scaleW, 2);
    EXPECT_EQ(layerOf(got, "prelu1").kind, LayerKind::PReLU);
    EXPECT_EQ(layerOf(got, "cast1").kind, LayerKind::Linear);
    EXPECT_EQ(layerOf(got, "cat1").inputs, (std::vector<std::string>{"cast1", "prelu1"}));
    expectSameNetwork(net, got, 23);
  }
  // A resize that is not an upsampling by whole factors is an error at its call.
  ScratchDir tmp;
  const std::string dir = emit(hls::testnets::upsampleNet(), tmp.path() / "prj", 0);
  const fs::path params = fs::path(dir) / "firmware" / "parameters.h";
  std::string text = readText(params);
  const std::string from = "static const unsigned new_width = 6;";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "static const unsigned new_width = 5;");
  writeText(params, text);
  // hls4ml's own array form asserts nothing at compile time (mmlc's static_assert would stop the
  // parse first): declarations of its signature.
  writeText(fs::path(dir) / "firmware" / "nnet_utils" / "nnet_image.h",
            "#ifndef NNET_IMAGE_H_\n#define NNET_IMAGE_H_\n#include \"nnet_common.h\"\nnamespace nnet {\n"
            "struct resize_config {};\ntemplate <class data_T, typename CONFIG_T>\nvoid resize_nearest(data_T image[CONFIG_T::height * "
            "CONFIG_T::width * CONFIG_T::n_chan], data_T resized[CONFIG_T::new_height * CONFIG_T::new_width * "
            "CONFIG_T::n_chan]) {}\n}\n#endif\n");
  try {
    networkFromProject(readHlsProject(dir));
    FAIL() << "a resize by 5/3 was accepted";
  } catch (const HlsMetaError& e) {
    EXPECT_NE(e.message().find("layer up1: resize_nearest from 2x3 to 4x5 is not an upsampling by whole factors"), std::string::npos)
        << e.message();
  }
}

// Bad graphs in a project: data that no layer writes, a cycle (a call reading what a later call
// writes), and merge sizes that disagree are errors at the call or the config field.
TEST(NetworkImport, BadGraphsAreErrorsAtTheCall) {
  ScratchDir tmp;
  const std::string dir = emit(hls::testnets::residualNet(), tmp.path() / "prj", 0);
  const fs::path top = fs::path(dir) / "firmware" / "resnet.cpp";
  const std::string original = readText(top);
  auto expectError = [&](const std::string& text, const std::string& file, const std::string& message) {
    writeText(top, text);
    try {
      networkFromProject(readHlsProject(dir));
      ADD_FAILURE() << "expected an error: " << message;
    } catch (const HlsMetaError& e) {
      EXPECT_EQ(e.pos().file, file) << e.what();
      EXPECT_GT(e.pos().line, 0u) << e.what();
      EXPECT_NE(e.message().find(message), std::string::npos) << e.what();
    }
  };
  // Dangling: add1 reads an array nothing writes.
  std::string text = replaceOnce(original, "  // conv1\n", "  relu2_t ghost[N_RELU2];\n  // conv1\n");
  text = replaceOnce(text, "(relu1_out, relu2_out, add1_out)", "(relu1_out, ghost, add1_out)");
  expectError(text, "firmware/resnet.cpp", "layer add1 reads ghost, which no layer writes and which is not the network input");
  // A cycle: conv2 reads the array relu2 writes after it.
  text = replaceOnce(original, "  // conv1\n", "  relu1_t relu2b_out[N_RELU1];\n  // conv1\n");
  text = replaceOnce(text, "(relu1_out, conv2_out, w_conv2", "(relu2b_out, conv2_out, w_conv2");
  text = replaceOnce(text, "<conv2_t, relu2_t, config_relu2>(conv2_out, relu2_out)", "<conv2_t, relu1_t, config_relu2>(conv2_out, relu2b_out)");
  text = replaceOnce(text, "nnet::add<relu1_t, relu2_t, add1_t, config_add1>(relu1_out, relu2_out, add1_out)",
                     "nnet::add<relu1_t, relu1_t, add1_t, config_add1>(relu1_out, relu2b_out, add1_out)");
  expectError(text, "firmware/resnet.cpp", "layer conv2 reads relu2b_out, which relu2b writes later (a cycle, or calls out of order)");
  writeText(top, original);
  // A shape mismatch at a merge: add1's config claims another size.
  const fs::path params = fs::path(dir) / "firmware" / "parameters.h";
  const std::string p = readText(params);
  writeText(params, replaceOnce(p, "struct config_add1 : nnet::merge_config {\n  static const unsigned n_elem = 100;",
                                "struct config_add1 : nnet::merge_config {\n  static const unsigned n_elem = 90;"));
  try {
    networkFromProject(readHlsProject(dir));
    ADD_FAILURE() << "expected an error";
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, "firmware/parameters.h");
    EXPECT_NE(e.message().find("layer add1: n_elem is 90 but the previous layer gives 100"), std::string::npos) << e.what();
  }
}

namespace {

// Every element-wise activation the emitter writes, each after a Dense layer (so its inputs
// spread over both signs), with values other than LayerDesc's defaults for their parameters
// (alpha, slope, shift, clip bounds, table sizes).
hls::NetworkDesc activationNet() {
  using namespace hls;
  std::mt19937 rng(5);
  NetworkDesc n;
  n.name = "actnet";
  n.inputType = FixedType::fixed(16, 6);
  n.inputWidth = 6;
  for (const LayerKindInfo* k : allLayerKinds()) {
    if (!k->isActivation || !k->emitConfig || k->isMerge || k->hasWeights || k->kind == LayerKind::Softmax) continue;
    LayerDesc fc = testnets::layer(std::string("fc_") + k->name, LayerKind::Dense, FixedType::fixed(16, 6));
    fc.nOut = 6;
    fc.weights = testnets::randomValues(36, rng, 4.0f);
    fc.biases = testnets::randomValues(6, rng, 0.5f);
    n.layers.push_back(fc);
    LayerDesc l = testnets::layer(std::string("act_") + k->name, k->kind, FixedType::fixed(16, 6));
    l.tableSize = 512;
    l.alpha = 0.125;
    l.paramType = FixedType::fixed(12, 4);
    l.slope = 0.25;
    l.shift = 0.375;
    l.clipMin = -1;
    l.clipMax = 2;
    n.layers.push_back(l);
  }
  LayerDesc prelu = testnets::layer("act_prelu", LayerKind::PReLU, FixedType::fixed(16, 6));
  prelu.weights.assign(6, 0.25f);
  n.layers.push_back(prelu);
  return n;
}

// Depthwise convolutions: 5x5x2 -> DepthwiseConv2D (3x3, stride 2, pad 1) -> pointwise Conv2D, and
// 8x2 -> DepthwiseConv1D (k 2).
std::vector<hls::NetworkDesc> depthwiseNets() {
  using namespace hls;
  std::mt19937 rng(11);
  NetworkDesc n2;
  n2.name = "dwnet";
  n2.inputType = FixedType::fixed(16, 6);
  n2.inputHeight = n2.inputWidth = 5;
  n2.inputChannels = 2;
  LayerDesc dw = testnets::layer("dw2", LayerKind::DepthwiseConv2D, FixedType::fixed(16, 6));
  dw.kernelH = dw.kernelW = 3;
  dw.strideH = dw.strideW = 2;
  dw.padTop = dw.padBottom = dw.padLeft = dw.padRight = 1;
  dw.weights = testnets::randomValues(9 * 2, rng, 0.8f);
  dw.biases = testnets::randomValues(2, rng, 0.3f);
  n2.layers.push_back(dw);
  LayerDesc pw = testnets::layer("pw", LayerKind::Conv2D, FixedType::fixed(16, 6));
  pw.nFilters = 3;
  pw.weights = testnets::randomValues(2 * 3, rng, 0.8f);
  n2.layers.push_back(pw);
  NetworkDesc n1 = testnets::network("dwnet1d", FixedType::fixed(16, 6), 1, 8, 2);
  LayerDesc dw1 = testnets::layer("dw1", LayerKind::DepthwiseConv1D, FixedType::fixed(16, 6));
  dw1.kernelW = 2;
  dw1.weights = testnets::randomValues(2 * 2, rng, 0.8f);
  n1.layers.push_back(dw1);
  return {n2, n1};
}

// Changes every parameter member of `d` a config may carry (whether or not its kind's schema
// reads it): what reading a project into `d` must put back where the kind uses it.
void changeParameters(hls::LayerDesc& d) {
  for (int hls::LayerDesc::*m : {&hls::LayerDesc::nOut, &hls::LayerDesc::nFilters, &hls::LayerDesc::kernelH, &hls::LayerDesc::kernelW,
                                 &hls::LayerDesc::strideH, &hls::LayerDesc::strideW, &hls::LayerDesc::padTop, &hls::LayerDesc::padBottom,
                                 &hls::LayerDesc::padLeft, &hls::LayerDesc::padRight, &hls::LayerDesc::scaleH, &hls::LayerDesc::scaleW,
                                 &hls::LayerDesc::tableSize, &hls::LayerDesc::reuseFactor})
    d.*m += 1;
  for (double hls::LayerDesc::*m : {&hls::LayerDesc::alpha, &hls::LayerDesc::slope, &hls::LayerDesc::shift, &hls::LayerDesc::clipMin,
                                    &hls::LayerDesc::clipMax})
    d.*m += 0.25;
  for (hls::FixedType hls::LayerDesc::*m : {&hls::LayerDesc::weightType, &hls::LayerDesc::biasType, &hls::LayerDesc::accumType,
                                            &hls::LayerDesc::paramType, &hls::LayerDesc::slopeType, &hls::LayerDesc::shiftType,
                                            &hls::LayerDesc::tableType, &hls::LayerDesc::expTableType, &hls::LayerDesc::invTableType})
    d.*m = hls::FixedType::fixed(7, 3);
}

// A value of the same member that differs from `v` (what the import must overwrite).
hls::FixedType otherType(const hls::FixedType& t) { return t == FixedType::fixed(7, 3) ? FixedType::fixed(9, 2) : FixedType::fixed(7, 3); }

}  // namespace

// The emitter and the importer share one schema (LayerKindInfo::configFields): every count,
// number and type a field of an emitted config carries, and the call's scalar parameter, is read
// back. The description the project was emitted from has each such member changed, and reading
// the project into it (syncNetworkWithProject) must restore every one; a field the importer does
// not read keeps the changed value and fails here. Every kind mmlc emits with a config is covered.
TEST(NetworkImport, EverySchemaFieldReadsBackWhatTheEmitterWrote) {
  std::set<LayerKind> covered;
  int fieldsChecked = 0;
  for (hls::NetworkDesc net : {hls::testnets::convNet(), hls::testnets::conv1dNet(), hls::testnets::residualNet(),
                               hls::testnets::upsampleNet(), activationNet(), mlp4(3), depthwiseNets()[0], depthwiseNets()[1]}) {
    SCOPED_TRACE(net.name);
    ScratchDir tmp;
    const HlsProject p = readHlsProject(emit(net, tmp.path() / "prj", 0));
    net.resolve();
    hls::NetworkDesc changed = net;
    struct Check {
      size_t layer;
      std::string field;
    };
    std::vector<Check> checks;
    for (size_t k = 0; k < changed.layers.size(); ++k) {
      hls::LayerDesc& d = changed.layers[k];
      const hls::LayerKindInfo& kind = hls::kindInfo(d.kind);
      const HlsLayer* l = p.layer(d.name);
      if (!l || !kind.emitConfig || std::string(kind.configStruct).empty()) continue;
      covered.insert(d.kind);
      for (const hls::ConfigField& f : kind.configFields) {
        // Typedefs are precisions of their role ("accum_t": "accum"), the others config fields.
        const std::string name = f.name;
        const bool written = f.read == hls::FieldRead::Type ? l->precisions.count(name.substr(0, name.size() - 2)) > 0
                                                            : l->field(name) != nullptr;
        if (!f.importOnly && (f.read == hls::FieldRead::Count || f.read == hls::FieldRead::Number || f.read == hls::FieldRead::Type))
          EXPECT_TRUE(written) << kind.name << ": the emitter does not write the schema's readable field " << f.name;
        if (!written) continue;
        if (f.read == hls::FieldRead::Count) d.*f.count += 7;
        else if (f.read == hls::FieldRead::Number) d.*f.number += 0.5;
        else if (f.read == hls::FieldRead::Type) d.*f.type = otherType(d.*f.type);
        else continue;
        if (f.type && f.read == hls::FieldRead::Number) d.*f.type = otherType(d.*f.type);
        checks.push_back({k, f.name});
      }
      if (kind.callParam.value) {
        d.*kind.callParam.value += 0.5;
        d.*kind.callParam.type = otherType(d.*kind.callParam.type);
        checks.push_back({k, kind.callParam.name});
      }
    }
    try {
      syncNetworkWithProject(changed, p);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "a changed value was not read back, and the description no longer resolves: " << e.what();
      continue;
    }
    // Whatever the schema says: every parameter the layers use comes back (same outputs bit
    // for bit), so a value the emitter writes and the schema does not read fails here too.
    hls::NetworkDesc all = net;
    for (hls::LayerDesc& d : all.layers)
      if (p.layer(d.name)) changeParameters(d);
    try {
      syncNetworkWithProject(all, p);
      const auto inputs = randomInputs(32, net.inputSize(), 29);
      EXPECT_EQ(simulate(all, inputs), simulate(net, inputs)) << "a parameter the layers use was not read back";
    } catch (const std::exception& e) {
      ADD_FAILURE() << "a changed parameter was not read back, and the description no longer resolves: " << e.what();
    }
    for (const Check& c : checks) {
      const hls::LayerDesc &want = net.layers[c.layer], &got = changed.layers[c.layer];
      const hls::LayerKindInfo& kind = hls::kindInfo(want.kind);
      SCOPED_TRACE(want.name + "." + c.field);
      ++fieldsChecked;
      if (c.field == kind.callParam.name && kind.callParam.value) {
        EXPECT_EQ(got.*kind.callParam.value, want.*kind.callParam.value);
        EXPECT_EQ(got.*kind.callParam.type, want.*kind.callParam.type);
        continue;
      }
      for (const hls::ConfigField& f : kind.configFields) {
        if (c.field != f.name) continue;
        if (f.count) EXPECT_EQ(got.*f.count, want.*f.count);
        if (f.number) EXPECT_EQ(got.*f.number, want.*f.number);
        if (f.type) EXPECT_EQ(got.*f.type, want.*f.type);
      }
    }
  }
  for (const hls::LayerKindInfo* k : hls::allLayerKinds())
    if (k->emitConfig && std::string(k->configStruct) != "") EXPECT_TRUE(covered.count(k->kind)) << k->name << " is not round-tripped";
  EXPECT_GT(fieldsChecked, 100);
}

// A config struct without a field its kind's schema requires is an error at the struct
// (parameters.h) naming the layer, the struct and the field.
TEST(NetworkImport, MissingRequiredConfigFieldIsAnErrorNamingIt) {
  ScratchDir tmp;
  const std::string dir = emit(hls::testnets::conv1dNet(), tmp.path() / "prj", 0);
  const fs::path params = fs::path(dir) / "firmware" / "parameters.h";
  std::string text = readText(params);
  const std::string line = "  static const unsigned filt_width = 3;\n";
  ASSERT_NE(text.find(line), std::string::npos);
  text.erase(text.find(line), line.size());
  writeText(params, text);
  try {
    networkFromProject(readHlsProject(dir));
    FAIL() << "a convolution without filt_width was accepted";
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, "firmware/parameters.h");
    EXPECT_GT(e.pos().line, 0u);
    EXPECT_NE(e.message().find("layer conv1: config struct config_conv1 has no integer 'filt_width' field (kernel columns)"), std::string::npos)
        << e.message();
  }
}
