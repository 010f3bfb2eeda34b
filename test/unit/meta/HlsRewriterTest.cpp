// Before/after source checks of each rewrite pass on the hand-written hls4ml-style fixture: the
// expected output is the input with exactly the expected spans replaced, every other file is
// byte-identical, and failures leave the input project untouched.
#include <gtest/gtest.h>

#include "MetaTestUtil.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"

using namespace mmlc;
using namespace mmlc::meta;
using namespace mmlc::meta::testutil;

namespace {

// The files of `out` that differ from `in` (and files only in one of them).
std::set<std::string> changedFiles(const fs::path& in, const fs::path& out) {
  const auto a = tree(in), b = tree(out);
  std::set<std::string> changed;
  for (const auto& [f, text] : a) {
    auto it = b.find(f);
    if (it == b.end() || it->second != text) changed.insert(f);
  }
  for (const auto& [f, _] : b)
    if (!a.count(f)) changed.insert(f);
  return changed;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

struct Fixture {
  ScratchDir tmp;
  std::string in = copyFixture(tmp.path() / "in");
  std::string out = tmp / "out";
  std::string before(const std::string& f) const { return readText(fs::path(in) / f); }
  std::string after(const std::string& f) const { return readText(fs::path(out) / f); }
};

}  // namespace

TEST(PrecisionRewriter, WeightTypedefAndRequantisedHeader) {
  Fixture fx;
  HlsProjectRewriter rw(fx.in);
  rw.setPrecision("layer2", "weight", hls::FixedType::fixed(3, 1, hls::QuantMode::RND, hls::OverflowMode::SAT));
  const RewriteReport r = rw.writeTo(fx.out);
  EXPECT_EQ(changedFiles(fx.in, fx.out),
            (std::set<std::string>{"firmware/defines.h", "firmware/parameters.h", "firmware/weights/w2.h"}));
  EXPECT_EQ(r.changedFiles.size(), 3u);
  EXPECT_EQ(fx.after("firmware/defines.h"),
            replaceOnce(fx.before("firmware/defines.h"), "typedef ap_fixed<10,4> weight2_t;", "typedef ap_fixed<3,1,AP_RND,AP_SAT> weight2_t;"));
  // Quantised by hand: step 0.25, range [-1, 0.75], round half up, saturate.
  EXPECT_EQ(fx.after("firmware/weights/w2.h"),
            replaceOnce(fx.before("firmware/weights/w2.h"),
                        "{0.5, -0.25, 0.125, 1.0625, 0.0, -0.75, 0.3125, 0.40625, -1.5, -0.0625, 0.875, 0.21875}",
                        "{0.5, -0.25, 0.25, 0.75, 0.0, -0.75, 0.25, 0.5, -1.0, 0.0, 0.75, 0.25}"));
  // Two zeros now: n_zeros, n_nonzeros and hls4ml's multiplier_limit follow.
  std::string params = fx.before("firmware/parameters.h");
  params = replaceOnce(params, "n_zeros = 1;", "n_zeros = 2;");
  params = replaceOnce(params, "n_nonzeros = 11;", "n_nonzeros = 10;");
  params = replaceOnce(params, "multiplier_limit = 11;", "multiplier_limit = 10;");
  EXPECT_EQ(fx.after("firmware/parameters.h"), params);
  const HlsProject back = readHlsProject(fx.out);
  EXPECT_EQ(back.layer("layer2")->precisions.at("weight").type, hls::FixedType::fixed(3, 1, hls::QuantMode::RND, hls::OverflowMode::SAT));
  EXPECT_EQ(back.layer("layer2")->nZeros, 2);
  EXPECT_EQ(back.weightArray("w2")->values[8], -1.0);
}

TEST(PrecisionRewriter, SharedAccumulatorTypedefEditsOnlyThisLayer) {
  Fixture fx;
  HlsProjectRewriter(fx.in).setPrecision("layer2", "accum", hls::FixedType::fixed(24, 10)).writeTo(fx.out);
  EXPECT_EQ(changedFiles(fx.in, fx.out), (std::set<std::string>{"firmware/parameters.h"}));
  EXPECT_EQ(fx.after("firmware/parameters.h"),
            replaceOnce(fx.before("firmware/parameters.h"), "    typedef model_default_t accum_t;\n    typedef bias2_t bias_t;",
                        "    typedef ap_fixed<24,10> accum_t;\n    typedef bias2_t bias_t;"));
  const HlsProject back = readHlsProject(fx.out);
  EXPECT_EQ(back.layer("layer2")->precisions.at("accum").type, hls::FixedType::fixed(24, 10));
  EXPECT_EQ(back.layer("layer4")->precisions.at("accum").type, hls::FixedType::fixed(16, 6));
}

TEST(PrecisionRewriter, ResultBecomesNextInputAndBiasRequantised) {
  Fixture fx;
  HlsProjectRewriter rw(fx.in);
  rw.applySetting("layer3.result=ufixed<8,4>").applySetting("layer4.bias=fixed<4,1>").applySetting("layer2.input=fixed<12,4>");
  rw.writeTo(fx.out);
  EXPECT_EQ(changedFiles(fx.in, fx.out), (std::set<std::string>{"firmware/defines.h", "firmware/weights/b4.h"}));
  std::string defines = replaceOnce(fx.before("firmware/defines.h"), "typedef ap_fixed<12,6> layer3_t;", "typedef ap_ufixed<8,4> layer3_t;");
  defines = replaceOnce(defines, "typedef ap_fixed<16,6> input_t;", "typedef ap_fixed<12,4> input_t;");
  defines = replaceOnce(defines, "typedef ap_fixed<8,2> bias4_t;", "typedef ap_fixed<4,1> bias4_t;");
  EXPECT_EQ(fx.after("firmware/defines.h"), defines);
  // Step 0.125, floor: -0.03125 -> -0.125, 0.0625 -> 0.
  EXPECT_EQ(fx.after("firmware/weights/b4.h"), replaceOnce(fx.before("firmware/weights/b4.h"), "{-0.03125, 0.0625}", "{-0.125, 0.0}"));
  const HlsProject back = readHlsProject(fx.out);
  EXPECT_EQ(back.layer("layer4")->precisions.at("input").type, hls::FixedType::ufixed(8, 4));
}

TEST(ReuseRewriter, ReuseFactorStrategyAndWeightLayout) {
  Fixture fx;
  HlsProjectRewriter rw(fx.in);
  rw.setReuseFactor("layer2", 3).setStrategy("layer2", "resource");
  const RewriteReport r = rw.writeTo(fx.out);
  EXPECT_EQ(changedFiles(fx.in, fx.out), (std::set<std::string>{"firmware/parameters.h", "firmware/weights/w2.h"}));
  std::string params = fx.before("firmware/parameters.h");
  const std::string cfg2 = params.substr(params.find("struct config2"), params.find("};", params.find("struct config2")) - params.find("struct config2"));
  std::string cfg2New = replaceOnce(cfg2, "strategy = nnet::latency;", "strategy = nnet::resource;");
  cfg2New = replaceOnce(cfg2New, "reuse_factor = 1;", "reuse_factor = 3;");
  cfg2New = replaceOnce(cfg2New, "multiplier_limit = 11;", "multiplier_limit = 4;");
  EXPECT_EQ(fx.after("firmware/parameters.h"), replaceOnce(params, cfg2, cfg2New));
  // The resource kernel reads weights output-major: the 4x3 matrix is transposed.
  EXPECT_EQ(fx.after("firmware/weights/w2.h"),
            replaceOnce(fx.before("firmware/weights/w2.h"),
                        "{0.5, -0.25, 0.125, 1.0625, 0.0, -0.75, 0.3125, 0.40625, -1.5, -0.0625, 0.875, 0.21875}",
                        "{0.5, 1.0625, 0.3125, -0.0625, -0.25, 0.0, 0.40625, 0.875, 0.125, -0.75, -1.5, 0.21875}"));
  const HlsProject back = readHlsProject(fx.out);
  EXPECT_EQ(back.layer("layer2")->reuseFactor, 3);
  EXPECT_EQ(back.layer("layer2")->strategy, "resource");
  EXPECT_FALSE(r.notes.empty());
}

TEST(PragmaRewriter, ReplaceRemoveInsertInFunctionsAndLoops) {
  Fixture fx;
  HlsProjectRewriter rw(fx.in);
  rw.setPragma({"myproject", ""}, "PIPELINE II=2")
      .removePragma({"myproject", ""}, "ARRAY_PARTITION variable=layer2_out")
      .setPragma({"myproject", ""}, "INLINE off")
      .setPragma({"nnet::dense_latency", "#1"}, "UNROLL factor=2")
      .setPragma({"relu", ""}, "INLINE");
  rw.writeTo(fx.out);
  EXPECT_EQ(changedFiles(fx.in, fx.out),
            (std::set<std::string>{"firmware/myproject.cpp", "firmware/nnet_utils/nnet_dense.h", "firmware/nnet_utils/nnet_activation.h"}));
  // Top (hls4ml's #pragma form): replaced in place, removed with its line, inserted after the brace.
  std::string top = fx.before("firmware/myproject.cpp");
  top = replaceOnce(top, "    #pragma HLS PIPELINE\n", "    #pragma HLS PIPELINE II=2\n");
  top = replaceOnce(top, "    #pragma HLS ARRAY_PARTITION variable=layer2_out complete dim=0\n", "");
  top = replaceOnce(top, "layer4_out[N_LAYER_4]) {\n", "layer4_out[N_LAYER_4]) {\n    #pragma HLS INLINE off\n");
  EXPECT_EQ(fx.after("firmware/myproject.cpp"), top);
  // Templates (mmlc's macro form): loop #1 of dense_latency is the `for i` loop at line 41.
  const auto before = lines(fx.before("firmware/nnet_utils/nnet_dense.h")), after = lines(fx.after("firmware/nnet_utils/nnet_dense.h"));
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    if (i + 1 == 42) EXPECT_EQ(after[i], "    MMLC_HLS_PRAGMA(HLS UNROLL factor=2)");
    else EXPECT_EQ(after[i], before[i]) << "line " << i + 1;
  }
  const auto actBefore = lines(fx.before("firmware/nnet_utils/nnet_activation.h"));
  auto actAfter = lines(fx.after("firmware/nnet_utils/nnet_activation.h"));
  ASSERT_EQ(actAfter.size(), actBefore.size() + 1);
  const HlsProject back = readHlsProject(fx.out);
  const auto relu = back.pragmasIn("nnet::relu", "");
  ASSERT_EQ(relu.size(), 2u);
  EXPECT_EQ(relu[0]->text, "INLINE");
  EXPECT_TRUE(relu[0]->macroForm);
  actAfter.erase(actAfter.begin() + (relu[0]->pos.line - 1));
  EXPECT_EQ(actAfter, actBefore);
  EXPECT_EQ(back.pragmasIn("nnet::dense_latency", "#1")[0]->options.at("factor"), "2");
}

TEST(PragmaRewriter, BadTargetsAreErrors) {
  Fixture fx;
  EXPECT_THROW(HlsProjectRewriter(fx.in).removePragma({"myproject", ""}, "DATAFLOW").render(), HlsMetaError);
  EXPECT_THROW(HlsProjectRewriter(fx.in).setPragma({"nosuch", ""}, "INLINE").render(), HlsMetaError);
  try {
    HlsProjectRewriter(fx.in).setPragma({"nnet::dense_latency", "#9"}, "UNROLL").render();
    FAIL();
  } catch (const HlsMetaError& e) {
    EXPECT_NE(std::string(e.what()).find("firmware/nnet_utils/nnet_dense.h:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("loops: #0, #1, #2, #3"), std::string::npos) << e.what();
  }
}

TEST(TopRenamer, DeclarationsTestbenchAndScript) {
  Fixture fx;
  HlsProjectRewriter(fx.in).renameTop("jet_tagger").writeTo(fx.out);
  EXPECT_EQ(changedFiles(fx.in, fx.out),
            (std::set<std::string>{"firmware/myproject.cpp", "firmware/myproject.h", "myproject_test.cpp", "build_prj.tcl"}));
  EXPECT_EQ(fx.after("firmware/myproject.cpp"), replaceOnce(fx.before("firmware/myproject.cpp"), "void myproject(", "void jet_tagger("));
  EXPECT_EQ(fx.after("firmware/myproject.h"), replaceOnce(fx.before("firmware/myproject.h"), "void myproject(", "void jet_tagger("));
  // Only the identifier: the #include string and the comment keep "myproject".
  EXPECT_EQ(fx.after("myproject_test.cpp"), replaceOnce(fx.before("myproject_test.cpp"), "    myproject(in, out);", "    jet_tagger(in, out);"));
  EXPECT_EQ(fx.after("build_prj.tcl"), replaceOnce(fx.before("build_prj.tcl"), "set_top myproject\n", "set_top jet_tagger\n"));
  EXPECT_EQ(readHlsProject(fx.out).topFunction, "jet_tagger");
  EXPECT_THROW(HlsProjectRewriter(fx.in).renameTop("not a name").render(), HlsMetaError);
}

TEST(HlsProjectRewriter, FailuresLeaveTheInputUntouched) {
  Fixture fx;
  const auto original = tree(fx.in);
  // Unknown layer, unknown role, unrolled-only change, bad setting: errors, nothing written.
  EXPECT_THROW(HlsProjectRewriter(fx.in).setPrecision("fc9", "weight", hls::FixedType::fixed(8, 3)).writeTo(fx.out), HlsMetaError);
  EXPECT_THROW(HlsProjectRewriter(fx.in).setPrecision("layer3", "weight", hls::FixedType::fixed(8, 3)).writeTo(""), HlsMetaError);
  EXPECT_THROW(HlsProjectRewriter(fx.in).applySetting("layer2.weight=fixed<8"), HlsMetaError);
  EXPECT_THROW(HlsProjectRewriter(fx.in).applySetting("layer2.reuse=x"), HlsMetaError);
  EXPECT_THROW(HlsProjectRewriter(fx.in).setStrategy("layer2", "fast").writeTo(""), HlsMetaError);
  EXPECT_EQ(tree(fx.in), original);
  EXPECT_FALSE(fs::exists(fx.out));
  for (const auto& e : fs::directory_iterator(fx.tmp.path())) EXPECT_EQ(e.path().filename().string().find(".mmlc-"), std::string::npos);

  // An existing output directory is refused unless overwrite is asked for.
  fs::create_directories(fx.out);
  EXPECT_THROW(HlsProjectRewriter(fx.in).setReuseFactor("layer2", 2).writeTo(fx.out), HlsMetaError);
  RewriteOptions force;
  force.overwrite = true;
  HlsProjectRewriter(fx.in).setReuseFactor("layer2", 2).writeTo(fx.out, force);
  EXPECT_EQ(readHlsProject(fx.out).layer("layer2")->reuseFactor, 2);

  // In place: the project is replaced as a whole, no temporary directories are left.
  HlsProjectRewriter(fx.in).setReuseFactor("layer4", 2).writeTo("");
  EXPECT_EQ(readHlsProject(fx.in).layer("layer4")->reuseFactor, 2);
  EXPECT_EQ(changedFiles(fx.tmp.path() / "out", fx.in).size(), 1u);
  for (const auto& e : fs::directory_iterator(fx.tmp.path())) EXPECT_EQ(e.path().filename().string().find(".mmlc-"), std::string::npos);
}

// Hand-written HLS code: labelled loops, #pragma inside loops, a brace followed by code.
TEST(PragmaRewriter, LabelledLoopsOfHandWrittenCode) {
  ScratchDir tmp;
  const fs::path dir = tmp.path() / "prj";
  fs::create_directories(dir / "firmware");
  copyFixture(tmp.path() / "fx");
  fs::copy(tmp.path() / "fx" / "firmware" / "ap_types", dir / "firmware" / "ap_types", fs::copy_options::recursive);
  const std::string src =
      "// Hand-written kernel with labelled loops.\n"
      "#include \"ap_fixed.h\"\n"
      "\n"
      "void kernel(ap_fixed<8,3> a[4], ap_fixed<8,3> b[4]) {\n"
      "ROW:\n"
      "  for (int i = 0; i < 4; i++) {\n"
      "#pragma HLS PIPELINE II=1\n"
      "    INNER: for (int j = 0; j < 1; j++) { b[i] = a[i]; }\n"
      "  }\n"
      "}\n";
  writeText(dir / "firmware" / "kernel.cpp", src);
  const HlsProject p = readHlsProject(dir.string());
  EXPECT_EQ(p.topFunction, "kernel");
  EXPECT_TRUE(p.layers.empty());
  ASSERT_EQ(p.loops.size(), 2u);
  EXPECT_EQ(p.loops[0].id, "ROW");
  EXPECT_EQ(p.loops[1].id, "INNER");
  ASSERT_EQ(p.pragmasIn("kernel", "ROW").size(), 1u);
  EXPECT_EQ(p.pragmasIn("kernel", "ROW")[0]->pos.str(), "firmware/kernel.cpp:7:1");

  const std::string out = tmp / "out";
  HlsProjectRewriter(dir.string()).setPragma({"kernel", "ROW"}, "PIPELINE II=4").setPragma({"kernel", "INNER"}, "UNROLL factor=2").writeTo(out);
  std::string want = replaceOnce(src, "#pragma HLS PIPELINE II=1\n", "#pragma HLS PIPELINE II=4\n");
  want = replaceOnce(want, "{ b[i] = a[i]; }", "{\n      #pragma HLS UNROLL factor=2\n      b[i] = a[i]; }");
  EXPECT_EQ(readText(fs::path(out) / "firmware" / "kernel.cpp"), want);
  EXPECT_EQ(readHlsProject(out).pragmasIn("kernel", "INNER").at(0)->text, "UNROLL factor=2");
}

// Config fields written as expressions are not silently overwritten; outputs inside the project
// are refused.
TEST(ReuseRewriter, ExpressionFieldAndBadOutputAreErrors) {
  Fixture fx;
  const fs::path params = fs::path(fx.in) / "firmware" / "parameters.h";
  const std::string text = fx.before("firmware/parameters.h");
  const size_t cfg4 = text.find("struct config4");
  const size_t at = text.find("reuse_factor = 1;", cfg4);
  writeText(params, text.substr(0, at) + "reuse_factor = 2 - 1;" + text.substr(at + 17));
  try {
    HlsProjectRewriter(fx.in).setReuseFactor("layer4", 2).render();
    FAIL();
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file, "firmware/parameters.h");
    EXPECT_EQ(e.pos().line, 44u);
    EXPECT_NE(std::string(e.what()).find("is the expression '2 - 1'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(HlsProjectReader().read(fx.in).layer("layer4")->reuseFactor, 1);
  EXPECT_THROW(HlsProjectRewriter(fx.in).setReuseFactor("layer2", 2).writeTo(fx.in + "/sub"), HlsMetaError);
  EXPECT_FALSE(fs::exists(fx.in + "/sub"));
}

// hls4ml io_stream projects wrap layer types in nnet::array<ap_fixed<...>, N>: the element type is
// read as the precision and only it is rewritten.
TEST(PrecisionRewriter, NnetArrayElementTypes) {
  ScratchDir tmp;
  const fs::path dir = tmp.path() / "prj";
  fs::create_directories(dir / "firmware");
  const std::string defines =
      "// io_stream-style typedefs.\n"
      "#include \"ap_fixed.h\"\n"
      "namespace nnet {\n"
      "template <class T, unsigned N> struct array { T data[N]; };\n"
      "struct dense_config {};\n"
      "template <class D, class R, class C> void dense(D& in, R& out, typename C::weight_t* w, typename C::bias_t* b) {}\n"
      "}  // namespace nnet\n"
      "typedef nnet::array<ap_fixed<16,6>, 4> input_t;\n"
      "typedef nnet::array<ap_fixed<16, 6>, 3> layer2_t;\n"
      "typedef ap_fixed<8,3> weight2_t;\n"
      "typedef ap_fixed<8,3> bias2_t;\n"
      "struct config2 : nnet::dense_config {\n"
      "  static const unsigned n_in = 4;\n"
      "  static const unsigned n_out = 3;\n"
      "  typedef weight2_t weight_t;\n"
      "  typedef bias2_t bias_t;\n"
      "};\n"
      "weight2_t w2[12] = {1.0, 0.5, 0.25, 0.125, 1.0, 0.5, 0.25, 0.125, 1.0, 0.5, 0.25, 0.125};\n"
      "bias2_t b2[3] = {0.0, 0.5, 1.0};\n";
  writeText(dir / "firmware" / "defines.h", defines);
  writeText(dir / "firmware" / "stream.cpp",
            "// io_stream-style top.\n#include \"defines.h\"\n"
            "void stream(input_t& in, layer2_t& layer2_out) {\n"
            "  nnet::dense<input_t, layer2_t, config2>(in, layer2_out, w2, b2);\n}\n");
  const HlsProject p = readHlsProject(dir.string());
  ASSERT_EQ(p.layers.size(), 1u);
  EXPECT_EQ(p.layers[0].precisions.at("result").type, hls::FixedType::fixed(16, 6));
  EXPECT_TRUE(p.layers[0].precisions.at("result").known);
  const std::string out = tmp / "out";
  HlsProjectRewriter(dir.string()).applySetting("layer2.result=fixed<10,4>").applySetting("layer2.input=ufixed<8,2>").writeTo(out);
  std::string want = replaceOnce(defines, "nnet::array<ap_fixed<16, 6>, 3> layer2_t;", "nnet::array<ap_fixed<10,4>, 3> layer2_t;");
  want = replaceOnce(want, "nnet::array<ap_fixed<16,6>, 4> input_t;", "nnet::array<ap_ufixed<8,2>, 4> input_t;");
  EXPECT_EQ(readText(fs::path(out) / "firmware" / "defines.h"), want);
}

// Issue 11: a requested precision that makes a template conversion abort in the vendor's ap_fixed
// (a bias wholly below the rounding accumulator's rounding bit) is a located error saying why;
// its neighbour with one more integer bit is rewritten.
TEST(PrecisionRewriter, ConversionTheVendorLibraryAbortsOnIsALocatedError) {
  Fixture fx;
  const hls::FixedType acc = hls::FixedType::fixed(6, 4, hls::QuantMode::RND, hls::OverflowMode::SAT);
  try {
    HlsProjectRewriter rw(fx.in);
    rw.setPrecision("layer2", "accum", acc).setPrecision("layer2", "bias", hls::FixedType::fixed(2, -3));
    rw.writeTo(fx.out);
    FAIL() << "expected an error";
  } catch (const HlsMetaError& e) {
    EXPECT_EQ(e.pos().file.rfind("firmware/", 0), 0u) << e.what();  // where the accumulator type is spelled
    EXPECT_GT(e.pos().line, 0u);
    const std::string what = e.what();
    EXPECT_NE(what.find("layer layer2: bias to accumulator"), std::string::npos) << what;
    EXPECT_NE(what.find("Attempting to read bit beyond MSB"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(fx.out));
  HlsProjectRewriter rw(fx.in);
  rw.setPrecision("layer2", "accum", acc).setPrecision("layer2", "bias", hls::FixedType::fixed(3, -2));
  rw.writeTo(fx.out);
  EXPECT_EQ(readHlsProject(fx.out).layer("layer2")->precisions.at("bias").type, hls::FixedType::fixed(3, -2));
}
