// Tests of readHlsProject: the model of the hand-written hls4ml-style fixture and of mmlc-emitted
// projects (layers, configs, precisions, weights, pragmas, loops), and its errors with file:line.
#include <gtest/gtest.h>

#include "MetaTestUtil.h"
#include "hls/FixedPointSim.h"
#include "meta/HlsProject.h"

using namespace mmlc;
using namespace mmlc::meta;
using namespace mmlc::meta::testutil;

TEST(HlsProjectReader, Hls4mlStyleFixtureModel) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  const HlsProject p = readHlsProject(dir);
  EXPECT_EQ(p.topFunction, "myproject");
  EXPECT_EQ(p.topFile, "firmware/myproject.cpp");
  EXPECT_EQ(p.topPos.str(), "firmware/myproject.cpp:5:6");
  ASSERT_EQ(p.layers.size(), 3u);
  EXPECT_EQ(p.layers[0].name, "layer2");
  EXPECT_EQ(p.layers[1].name, "layer3");
  EXPECT_EQ(p.layers[2].name, "layer4");
  EXPECT_EQ(p.layers[0].kind, "dense");
  EXPECT_EQ(p.layers[1].kind, "relu");
  EXPECT_EQ(p.layers[0].function, "nnet::dense");
  EXPECT_EQ(p.layers[0].configStruct, "config2");
  EXPECT_EQ(p.layers[1].configStruct, "relu_config3");
  EXPECT_EQ(p.layers[0].call.str(), "firmware/myproject.cpp:15:5");

  const HlsLayer& d2 = p.layers[0];
  EXPECT_EQ(d2.nIn, 4);
  EXPECT_EQ(d2.nOut, 3);
  EXPECT_EQ(d2.reuseFactor, 1);
  EXPECT_EQ(d2.nZeros, 1);
  EXPECT_EQ(d2.strategy, "latency");
  ASSERT_NE(d2.field("multiplier_limit"), nullptr);
  EXPECT_EQ(d2.field("multiplier_limit")->value, 11);
  EXPECT_EQ(d2.field("strategy")->text, "nnet::latency");
  EXPECT_EQ(d2.field("n_in")->pos.str(), "firmware/parameters.h:17:27");

  EXPECT_EQ(d2.precisions.at("weight").type, hls::FixedType::fixed(10, 4));
  EXPECT_EQ(d2.precisions.at("weight").spelled, "ap_fixed<10,4>");
  EXPECT_EQ(d2.precisions.at("weight").typedefChain, (std::vector<std::string>{"config2::weight_t", "weight2_t"}));
  EXPECT_EQ(d2.precisions.at("weight").pos.str(), "firmware/defines.h:15:9");
  EXPECT_EQ(d2.precisions.at("accum").typedefChain, (std::vector<std::string>{"config2::accum_t", "model_default_t"}));
  EXPECT_EQ(d2.precisions.at("input").type, hls::FixedType::fixed(16, 6));
  EXPECT_EQ(d2.precisions.at("result").typedefChain, (std::vector<std::string>{"layer2_t"}));
  EXPECT_EQ(p.layers[1].precisions.at("result").type, hls::FixedType::fixed(12, 6));
  EXPECT_EQ(p.layers[2].precisions.at("input").type, hls::FixedType::fixed(12, 6));
  EXPECT_EQ(p.layers[2].precisions.at("result").typedefChain, (std::vector<std::string>{"result_t", "layer4_t"}));
  EXPECT_EQ(p.layers[2].precisions.at("weight").type, hls::FixedType::fixed(8, 2));

  EXPECT_EQ(d2.weightArrays, (std::vector<std::string>{"w2", "b2"}));
  const HlsWeightArray* w2 = p.weightArray("w2");
  ASSERT_NE(w2, nullptr);
  EXPECT_EQ(w2->size, 12);
  EXPECT_EQ(w2->role, "weight");
  EXPECT_EQ(w2->elementType, "weight2_t");
  ASSERT_EQ(w2->values.size(), 12u);
  EXPECT_EQ(w2->values[1], -0.25);
  EXPECT_EQ(w2->values[8], -1.5);
  EXPECT_EQ(p.weightArray("b4")->values, (std::vector<double>{-0.03125, 0.0625}));

  // Pragmas of the top (hls4ml's #pragma form) and of the templates (mmlc's macro form).
  const auto top = p.pragmasIn("myproject", "");
  ASSERT_EQ(top.size(), 6u);
  EXPECT_EQ(top[0]->text, "ARRAY_RESHAPE variable=input_1 complete dim=0");
  EXPECT_EQ(top[0]->options.at("variable"), "input_1");
  EXPECT_FALSE(top[0]->macroForm);
  EXPECT_EQ(top[3]->directive, "PIPELINE");
  EXPECT_EQ(top[3]->pos.str(), "firmware/myproject.cpp:11:5");
  const auto inner = p.pragmasIn("nnet::dense_latency", "#2");
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0]->text, "UNROLL");
  EXPECT_TRUE(inner[0]->macroForm);
  bool sawLoop = false;
  for (const auto& l : p.loops) sawLoop |= l.function == "nnet::dense_resource" && l.id == "#1";
  EXPECT_TRUE(sawLoop);
}

TEST(HlsProjectReader, EmittedProjectModel) {
  ScratchDir tmp;
  const hls::NetworkDesc net = hls::testnets::convNet();
  const std::string dir = emit(net, tmp.path() / "conv", 4096);
  const HlsProject p = readHlsProject(dir);
  EXPECT_EQ(p.topFunction, "convnet");
  // Flatten emits no code in io_parallel, so it is not a layer call.
  std::vector<std::string> expected;
  for (const auto& l : net.layers)
    if (l.kind != hls::LayerKind::Flatten) expected.push_back(l.name);
  ASSERT_EQ(p.layers.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) EXPECT_EQ(p.layers[k].name, expected[k]) << k;
  const HlsLayer& fc1 = *p.layer("fc1");
  EXPECT_TRUE(fc1.unrolledFunction);
  EXPECT_EQ(fc1.function, "dense_fc1");
  EXPECT_EQ(fc1.kind, "dense");
  EXPECT_EQ(fc1.configStruct, "config_fc1");
  EXPECT_EQ(fc1.precisions.at("accum").type, hls::FixedType::fixed(12, 3, hls::QuantMode::TRN, hls::OverflowMode::SAT));
  const HlsLayer& fc2 = *p.layer("fc2");
  EXPECT_FALSE(fc2.unrolledFunction);
  EXPECT_EQ(fc2.strategy, "resource");
  EXPECT_EQ(fc2.reuseFactor, 4);
  EXPECT_EQ(p.layer("fc3")->precisions.at("weight").type, hls::FixedType::fixed(9, 3, hls::QuantMode::RND_ZERO));
  EXPECT_EQ(p.layer("relu1")->precisions.at("result").type, hls::FixedType::ufixed(10, 4, hls::QuantMode::TRN, hls::OverflowMode::SAT));
  // Weight literals read back exactly as emitted (fc2 is resource: output-major).
  const HlsWeightArray* w = p.weightArray("w_fc1");
  ASSERT_NE(w, nullptr);
  ASSERT_EQ(w->values.size(), net.layers[5].weights.size());
  for (size_t i = 0; i < w->values.size(); ++i) EXPECT_EQ(w->values[i], double(net.layers[5].weights[i]));
  EXPECT_EQ(p.weightArray("b_fc1")->role, "bias");
  // mmlc's pragmas are MMLC_HLS_PRAGMA(...) macros.
  const auto inl = p.pragmasIn("dense_fc1", "");
  ASSERT_EQ(inl.size(), 1u);
  EXPECT_EQ(inl[0]->directive, "INLINE");
  EXPECT_TRUE(inl[0]->macroForm);
  EXPECT_FALSE(p.toJson().empty());
  EXPECT_NE(p.toTable().find("fc2"), std::string::npos);
}

TEST(HlsProjectReader, ErrorsNameFileAndLine) {
  ScratchDir tmp;
  try {
    readHlsProject((tmp.path() / "missing").string());
    FAIL();
  } catch (const HlsMetaError& e) {
    EXPECT_NE(std::string(e.what()).find("not a directory"), std::string::npos);
  }
  fs::create_directories(tmp.path() / "empty");
  try {
    readHlsProject((tmp.path() / "empty").string());
    FAIL();
  } catch (const HlsMetaError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HLS project"), std::string::npos);
  }
  fs::create_directories(tmp.path() / "nocpp" / "firmware");
  EXPECT_THROW(readHlsProject((tmp.path() / "nocpp").string()), HlsMetaError);

  // A syntax error in parameters.h: reported at that file and line, nothing crashes.
  const std::string dir = copyFixture(tmp.path() / "broken");
  const fs::path params = fs::path(dir) / "firmware" / "parameters.h";
  writeText(params, replaceOnce(readText(params), "static const unsigned n_out = 2;", "static const unsigned n_out = ;"));
  try {
    readHlsProject(dir);
    FAIL();
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, "firmware/parameters.h");
    EXPECT_EQ(e.pos().line, 41u);
    EXPECT_NE(std::string(e.what()).find("firmware/parameters.h:41:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not parse"), std::string::npos);
  }

  // An unknown layer names the top function's position and lists the layers.
  const HlsProject ok = readHlsProject(copyFixture(tmp.path() / "ok"));
  try {
    ok.requireLayer("fc9");
    FAIL();
  } catch (const HlsMetaError& e) {
    EXPECT_NE(std::string(e.what()).find("firmware/myproject.cpp:5:6: no layer 'fc9'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("layer2, layer3, layer4"), std::string::npos);
  }
}

// A project brought without ap types (the vendor tools provide them) parses with mmlc's.
TEST(HlsProjectReader, ProjectWithoutApTypesUsesMmlcHeaders) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  fs::remove_all(fs::path(dir) / "firmware" / "ap_types");
  const HlsProject p = readHlsProject(dir);
  ASSERT_EQ(p.layers.size(), 3u);
  EXPECT_EQ(p.layers[0].precisions.at("weight").type, hls::FixedType::fixed(10, 4));
}
