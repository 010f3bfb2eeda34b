// Round-trip guarantee: after a rewrite the project compiles with g++, its C simulation equals the
// bit-exact NetworkSim run at the new precisions/reuse/strategy, and re-reading the project
// reports exactly the values written (RewriteOptions::verify, checked again here).
#include <gtest/gtest.h>

#include <cstdio>

#include "MetaTestUtil.h"
#include "hls/CSimHarness.h"
#include "hls/NetworkSim.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"

using namespace mmlc;
using namespace mmlc::meta;
using namespace mmlc::meta::testutil;
using hls::FixedType;
using hls::OverflowMode;
using hls::QuantMode;

namespace {

hls::LayerDesc& layerOf(hls::NetworkDesc& net, const std::string& name) {
  for (auto& l : net.layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

// Compiles the already rewritten project (no re-emission) and compares with the simulator.
void expectCSimMatches(const hls::NetworkDesc& expected, const std::string& dir, const std::vector<float>& inputs) {
  hls::CSimOptions o;
  o.emitProject = false;
  o.extraFlags = {"-O0"};  // compile time dominates these tests; -O0 is enough for bit-exactness
  const hls::CSimResult r = hls::CSimHarness(expected, o).run(dir, inputs);
  EXPECT_EQ(r.samples, inputs.size() / size_t(expected.inputSize()));
  EXPECT_EQ(r.bitExactFraction, 1.0) << r.mismatchReport;
}

}  // namespace

// mmlc's default emission: dense layers unrolled into straight-line code with one term per
// non-zero weight. Coarser weights drop terms, finer ones need new terms.
TEST(RoundTrip, EmittedUnrolledMlpPrecisions) {
  ScratchDir tmp;
  hls::NetworkDesc net = mlp4();
  layerOf(net, "fc2").weightType = FixedType::fixed(4, 1);  // emitted coarse: many zero terms
  const auto inputs = randomInputs(150, net.inputSize());
  const std::string in = emit(net, tmp.path() / "in", 4096, inputs);
  const std::string out = tmp / "out";

  HlsProjectRewriter rw(in);
  rw.applySetting("fc1.weight=fixed<6,2>")
      .applySetting("fc1.bias=fixed<8,3,RND,SAT>")
      .applySetting("fc2.weight=fixed<16,6>")
      .applySetting("fc3.accum=fixed<14,5,RND,SAT>")
      .applySetting("relu2.result=ufixed<10,4>")
      .applySetting("fc4.result=fixed<12,4>")
      .applySetting("fc3.reuse=2")             // unrolled -> nnet::dense template call
      .applySetting("fc4.strategy=resource");  // ... with output-major weights
  const RewriteReport report = rw.writeTo(out);
  EXPECT_GT(report.verifyMs, 0.0);

  hls::NetworkDesc want = net;
  layerOf(want, "fc1").weightType = FixedType::fixed(6, 2);
  layerOf(want, "fc1").biasType = FixedType::fixed(8, 3, QuantMode::RND, OverflowMode::SAT);
  layerOf(want, "fc2").weightType = FixedType::fixed(16, 6);
  layerOf(want, "fc3").accumType = FixedType::fixed(14, 5, QuantMode::RND, OverflowMode::SAT);
  layerOf(want, "relu2").resultType = FixedType::ufixed(10, 4);
  layerOf(want, "fc4").resultType = FixedType::fixed(12, 4);
  layerOf(want, "fc3").reuseFactor = 2;
  layerOf(want, "fc4").strategy = hls::Strategy::Resource;
  expectCSimMatches(want, out, inputs);

  // The unrolled functions hold exactly one term per non-zero quantised weight.
  const std::string top = readText(fs::path(out) / "firmware" / "mlp4.cpp");
  for (const char* layer : {"fc1", "fc2"}) {
    const hls::LayerDesc& l = layerOf(want, layer);
    long nonZero = 0;
    for (float w : l.weights) nonZero += hls::fromDouble(w, l.weightType) != 0;
    long terms = 0;
    for (size_t at = top.find(std::string("* w_") + layer + "["); at != std::string::npos; at = top.find(std::string("* w_") + layer + "[", at + 1)) ++terms;
    EXPECT_EQ(terms, nonZero) << layer;
  }
  EXPECT_EQ(top.find("dense_fc3("), std::string::npos);
  EXPECT_NE(top.find("nnet::dense<relu2_t, fc3_t, config_fc3>(relu2_out, fc3_out, w_fc3, b_fc3);"), std::string::npos);
  const HlsProject back = readHlsProject(out);
  EXPECT_FALSE(back.layer("fc3")->unrolledFunction);
  EXPECT_EQ(back.layer("fc3")->reuseFactor, 2);
  EXPECT_EQ(back.layer("fc2")->precisions.at("weight").type, FixedType::fixed(16, 6));
  EXPECT_EQ(back.layer("fc3")->precisions.at("input").type, FixedType::ufixed(10, 4));
  EXPECT_EQ(back.layer("softmax")->field("in_width")->value, 12);
  EXPECT_EQ(back.layer("softmax")->field("in_frac")->value, 8);
}

// Template-based layers: reuse factor and strategy changes (with the weight layout), plus
// precisions of conv, batch-norm and dense layers.
TEST(RoundTrip, EmittedTemplateConvNetReuseStrategyPrecision) {
  ScratchDir tmp;
  hls::NetworkDesc net = hls::testnets::convNet();
  const auto inputs = randomInputs(100, 32, 5);
  const std::string in = emit(net, tmp.path() / "in", 0, inputs);
  const std::string out = tmp / "out";
  HlsProjectRewriter rw(in);
  rw.applySetting("fc2.reuse=2")
      .applySetting("fc2.strategy=latency")
      .applySetting("fc1.strategy=resource")
      .applySetting("fc1.reuse=4")
      .applySetting("conv1.weight=fixed<6,2>")
      .applySetting("bn1.result=fixed<12,5,RND,SAT>")
      .applySetting("fc3.weight=fixed<6,2,RND,SAT>");
  rw.writeTo(out);

  hls::NetworkDesc want = net;
  layerOf(want, "fc2").reuseFactor = 2;
  layerOf(want, "fc2").strategy = hls::Strategy::Latency;
  layerOf(want, "fc1").strategy = hls::Strategy::Resource;
  layerOf(want, "fc1").reuseFactor = 4;
  layerOf(want, "conv1").weightType = FixedType::fixed(6, 2);
  layerOf(want, "bn1").resultType = FixedType::fixed(12, 5, QuantMode::RND, OverflowMode::SAT);
  layerOf(want, "fc3").weightType = FixedType::fixed(6, 2, QuantMode::RND, OverflowMode::SAT);
  expectCSimMatches(want, out, inputs);
  const HlsProject back = readHlsProject(out);
  EXPECT_EQ(back.layer("fc1")->strategy, "resource");
  EXPECT_EQ(back.layer("fc1")->reuseFactor, 4);
  EXPECT_EQ(back.layer("fc2")->strategy, "latency");
}

// The real hls4ml jet-tagging configuration (fixed<16,6>, RF 1): every dense layer's weights
// narrowed and results changed, as QUANTIZATION would do.
TEST(RoundTrip, JetFixtureEveryLayer) {
  ScratchDir tmp;
  hls::NetworkDesc net = hls::loadHls4mlFixture(MMLC_HLS_FIXTURE_DIR);
  const auto inputs = randomInputs(60, net.inputSize(), 9);
  const std::string in = emit(net, tmp.path() / "in", 4096, inputs);
  const std::string out = tmp / "out";
  HlsProjectRewriter rw(in);
  hls::NetworkDesc want = net;
  int bits = 8;
  for (auto& l : want.layers) {
    if (l.kind != hls::LayerKind::Dense) continue;
    l.weightType = FixedType::fixed(bits, 2, QuantMode::RND_CONV, OverflowMode::SAT);
    l.resultType = FixedType::fixed(bits + 6, 6);
    rw.setPrecision(l.name, "weight", l.weightType).setPrecision(l.name, "result", l.resultType);
    ++bits;
  }
  rw.writeTo(out);
  expectCSimMatches(want, out, inputs);
}

// The hand-written hls4ml-style fixture (#pragma form, shared model_default_t accumulator,
// initialised weight arrays), compiled with its own testbench.
TEST(RoundTrip, HandWrittenFixture) {
  ScratchDir tmp;
  const std::string in = copyFixture(tmp.path() / "in");
  const std::string out = tmp / "out";
  HlsProjectRewriter rw(in);
  rw.applySetting("layer2.weight=fixed<6,2>")
      .applySetting("layer2.accum=fixed<14,5>")
      .applySetting("layer3.result=ufixed<8,4>")
      .applySetting("layer2.reuse=2")
      .applySetting("layer2.strategy=resource")
      .applySetting("layer4.weight=fixed<5,1,RND,SAT>")
      .renameTop("tagger");
  rw.writeTo(out);

  hls::NetworkDesc want = fixtureNet();
  layerOf(want, "layer2").weightType = FixedType::fixed(6, 2);
  layerOf(want, "layer2").accumType = FixedType::fixed(14, 5);
  layerOf(want, "layer2").reuseFactor = 2;
  layerOf(want, "layer2").strategy = hls::Strategy::Resource;
  layerOf(want, "layer3").resultType = FixedType::ufixed(8, 4);
  layerOf(want, "layer4").weightType = FixedType::fixed(5, 1, QuantMode::RND, OverflowMode::SAT);

  const auto inputs = randomInputs(200, 4, 11);
  std::string text;
  char buf[64];
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.9g%c", double(inputs[i]), (i + 1) % 4 == 0 ? '\n' : ' ');
    text += buf;
  }
  writeText(fs::path(out) / "inputs.txt", text);
  std::string log;
  const std::string build = "cd '" + out + "' && g++ -std=c++14 -O0 -Wno-unknown-pragmas -Ifirmware/ap_types -Ifirmware myproject_test.cpp " +
                            "firmware/myproject.cpp -o csim.out && ./csim.out inputs.txt";
  ASSERT_EQ(hls::runCommand(build, &log), 0) << log;

  hls::NetworkSim sim(want);
  std::vector<double> ref(200 * 2);
  sim.run(inputs.data(), 200, ref.data());
  std::istringstream got(log);
  for (size_t i = 0; i < ref.size(); ++i) {
    double v = 0;
    ASSERT_TRUE(got >> v) << "missing output " << i << "\n" << log;
    EXPECT_EQ(v, ref[i]) << "output " << i;
  }
}

// io_stream projects: one process function per layer around the layer kernel.
TEST(RoundTrip, EmittedStreamMlp) {
  ScratchDir tmp;
  hls::NetworkDesc net = mlp4(17);
  net.ioType = hls::IOType::Stream;
  const auto inputs = randomInputs(80, net.inputSize(), 21);
  const std::string in = emit(net, tmp.path() / "in", 4096, inputs);
  const std::string out = tmp / "out";
  const HlsProject before = readHlsProject(in);
  ASSERT_EQ(before.layers.size(), net.layers.size());
  EXPECT_EQ(before.layers[0].name, "fc1");
  EXPECT_TRUE(before.layers[0].unrolledFunction);
  HlsProjectRewriter rw(in);
  rw.applySetting("fc1.weight=fixed<7,2>").applySetting("fc2.reuse=5").applySetting("fc3.result=fixed<12,5>");
  rw.writeTo(out);
  hls::NetworkDesc want = net;
  layerOf(want, "fc1").weightType = FixedType::fixed(7, 2);
  layerOf(want, "fc2").reuseFactor = 5;
  layerOf(want, "fc3").resultType = FixedType::fixed(12, 5);
  expectCSimMatches(want, out, inputs);
}
