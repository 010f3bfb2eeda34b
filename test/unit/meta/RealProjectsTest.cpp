// The compatibility suite on real hls4ml projects (test/fixtures/hls4ml-projects): each imports, and
// its C simulation with its own templates, headers and weight files agrees bit for bit with mmlc's
// simulator of the imported description on 1000 random inputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "hls/NetworkSim.h"
#include "hls/ResourceEstimator.h"
#include "meta/HlsNetworkImport.h"
#include "meta/HlsProject.h"
#include "meta/HlsRewriter.h"
#include "meta/ProjectCSim.h"

namespace mmlc::meta {
namespace {

namespace fs = std::filesystem;

struct RealProject {
  const char* dir;
  std::vector<const char*> kinds;  // the imported layer kinds, in order
  hls::IOType io;
};

std::ostream& operator<<(std::ostream& o, const RealProject& p) { return o << p.dir; }

const std::vector<RealProject>& realProjects() {
  static const std::vector<const char*> jet = {"Dense", "ReLU", "Dense", "ReLU", "Dense", "ReLU", "Dense", "Softmax"};
  static const std::vector<const char*> hgq = {"Quantize", "Dense", "ReLU", "Quantize", "Dense", "ReLU", "Quantize",
                                               "Dense",    "ReLU",  "Quantize", "Dense", "Quantize"};
  static const std::vector<RealProject> all = {
      {"jet-16-6-rf1-vivado2019", jet, hls::IOType::Parallel},
      {"jet-16-6-rf2-vivado2019", jet, hls::IOType::Parallel},
      {"jet-qkeras6-rf1-vivado2019", jet, hls::IOType::Parallel},
      {"jet-pruned60-u50-vitis2024", jet, hls::IOType::Parallel},
      {"jet-mixed1-u50-vitis2024", hgq, hls::IOType::Parallel},
      {"jet-mixed4-u50-vitis2024", hgq, hls::IOType::Parallel},
      {"conv1d-stream-u250-vitis2024", {"ZeroPad", "Conv1D", "ReLU", "GlobalMaxPool", "Dense", "Softmax"}, hls::IOType::Stream},
  };
  return all;
}

// Inputs over the whole range of the input type and a little beyond (saturation and wrap-around
// paths), plus exact zeros.
std::vector<float> randomInputs(const hls::NetworkDesc& d, size_t samples, unsigned seed) {
  std::mt19937 rng(seed);
  const double lo = d.inputType.minValue(), hi = d.inputType.maxValue();
  std::uniform_real_distribution<double> wide(lo * 1.1 - 0.5, hi * 1.1 + 0.5), narrow(-2.0, 2.0);
  std::uniform_int_distribution<int> pick(0, 9);
  std::vector<float> x(samples * static_cast<size_t>(d.inputSize()));
  for (float& v : x) {
    const int k = pick(rng);
    v = k == 0 ? 0.0f : static_cast<float>(k < 4 ? wide(rng) : narrow(rng));
  }
  return x;
}

class RealProjectTest : public ::testing::TestWithParam<RealProject> {};

TEST_P(RealProjectTest, ImportsAndCSimulatesBitExactly) {
  const RealProject& rp = GetParam();
  const fs::path dir = fs::path(MMLC_REAL_PROJECTS_DIR) / rp.dir;
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing (test/fixtures/hls4ml-projects)";
  const HlsProject project = readHlsProject(dir.string());
  hls::NetworkDesc desc = networkFromProject(project);
  desc.resolve();
  std::vector<std::string> kinds;
  for (const hls::LayerDesc& l : desc.layers) kinds.push_back(hls::layerKindName(l.kind));
  EXPECT_EQ(kinds, std::vector<std::string>(rp.kinds.begin(), rp.kinds.end()));
  EXPECT_EQ(desc.ioType, rp.io);
  for (const HlsWeightArray& w : project.weights) {
    EXPECT_FALSE(w.textFile.empty()) << w.name << ": these projects load their weights from text files";
    EXPECT_EQ(static_cast<long long>(w.values.size()), w.size) << w.name;
  }

  // The estimator takes every imported description.
  const hls::SynthMetrics est = hls::ResourceEstimator().estimate(desc, "xcu250-figd2104-2L-e", 5.0).total;
  EXPECT_GT(est.lut, 0.0);
  EXPECT_GT(est.latencyMax, 0);

  const fs::path work = fs::temp_directory_path() / ("mmlc-real-" + std::to_string(::getpid())) / rp.dir;
  const ProjectCSim csim(dir.string(), work.string());
  const std::vector<float> inputs = randomInputs(desc, 1000, 7);
  const ProjectCSimResult r = csim.run(desc, inputs);
  EXPECT_EQ(r.samples, 1000u);
  EXPECT_EQ(r.mismatches, 0u) << r.mismatchReport;
  // The same project with mmlc's own ap types (runtime/hls/templates) instead of its own copy of
  // the vendor's: a project brought without headers C-simulates with them, bit for bit.
  ProjectCSimOptions mmlcAp;
  mmlcAp.apTypesDir = MMLC_AP_TEMPLATES_DIR;
  const ProjectCSim ours(dir.string(), (work.string() + "-mmlc-ap"), mmlcAp);
  const ProjectCSimResult o = ours.run(desc, inputs);
  EXPECT_EQ(o.mismatches, 0u) << "with mmlc's ap types: " << o.mismatchReport;
  std::error_code ec;
  if (!::testing::Test::HasFailure()) {
    fs::remove_all(work, ec);
    fs::remove_all(work.string() + "-mmlc-ap", ec);
  }
}

// A rewrite of a real project (narrower weights and a rounded, saturating result on the first
// layer with weights, the accumulator of the last; reuse 2 on the first) keeps it a project that
// C-simulates bit-exactly with its own templates, weights files included.
TEST_P(RealProjectTest, RewriteKeepsCSimulationBitExact) {
  const RealProject& rp = GetParam();
  const fs::path dir = fs::path(MMLC_REAL_PROJECTS_DIR) / rp.dir;
  const fs::path root = fs::temp_directory_path() / ("mmlc-real-rw-" + std::to_string(::getpid())) / rp.dir;
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root);
  const HlsProject before = readHlsProject(dir.string());
  std::vector<const HlsLayer*> mac;
  for (const HlsLayer& l : before.layers)
    if (!l.weightArrays.empty()) mac.push_back(&l);
  ASSERT_FALSE(mac.empty());
  HlsProjectRewriter rw(dir.string());
  const hls::FixedType weight = hls::FixedType::fixed(8, 3);
  const hls::FixedType result = hls::FixedType::fixed(14, 5, hls::QuantMode::RND, hls::OverflowMode::SAT);
  const hls::FixedType accum = hls::FixedType::fixed(20, 8, hls::QuantMode::TRN, hls::OverflowMode::SAT);
  rw.setPrecision(mac.front()->name, "weight", weight);
  rw.setPrecision(mac.front()->name, "result", result);
  rw.setPrecision(mac.back()->name, "accum", accum);
  rw.setReuseFactor(mac.front()->name, 2);
  const RewriteReport report = rw.writeTo((root / "project").string());

  hls::NetworkDesc desc = networkFromProject(readHlsProject((root / "project").string()));
  desc.resolve();
  bool sawFirst = false;
  for (const hls::LayerDesc& l : desc.layers)
    if (l.name == mac.front()->name) {
      sawFirst = true;
      EXPECT_EQ(l.weightType, weight);
      EXPECT_EQ(l.resultType, result);
      EXPECT_EQ(l.reuseFactor, 2);
    } else if (l.name == mac.back()->name) {
      EXPECT_EQ(l.accumType, accum);
    }
  EXPECT_TRUE(sawFirst);
  // Under both header sets: the project's own copy of the vendor's and mmlc's.
  const std::vector<float> inputs = randomInputs(desc, 1000, 11);
  for (const char* ap : {"", MMLC_AP_TEMPLATES_DIR}) {
    ProjectCSimOptions o;
    o.apTypesDir = ap;
    const ProjectCSim csim((root / "project").string(), (root / (std::string("csim") + (*ap ? "-mmlc-ap" : ""))).string(), o);
    const ProjectCSimResult r = csim.run(desc, inputs);
    EXPECT_EQ(r.mismatches, 0u) << (*ap ? "mmlc's ap types: " : "the project's ap types: ") << r.mismatchReport;
  }
  if (!::testing::Test::HasFailure()) fs::remove_all(root, ec);
}

// Activations hls4ml writes that the seven projects do not use, put into copies of a real
// project of each generation in place of its first ReLU: they import with their parameters and
// C-simulate bit-exactly through that generation's own templates.
struct Variant {
  const char* name;
  const char* project;
  const char* call;      // replaces `nnet::relu<layer2_t, layer4_t, relu_config4>(layer2_out, layer4_out);`
  const char* config;    // appended to parameters.h before its final #endif
  const char* kind;
};

std::ostream& operator<<(std::ostream& o, const Variant& v) { return o << v.name; }

const char* kHardConfig = R"(
struct hard_config4 : nnet::activ_config {
    static const unsigned n_in = 64;
    static const ap_fixed<16,4> slope;
    static const ap_fixed<16,4> shift;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
};
const ap_fixed<16,4> hard_config4::slope = 0.5;
const ap_fixed<16,4> hard_config4::shift = 0.5;
)";

class RealProjectVariantTest : public ::testing::TestWithParam<Variant> {};

TEST_P(RealProjectVariantTest, ImportsAndCSimulatesBitExactly) {
  const Variant& v = GetParam();
  const fs::path root = fs::temp_directory_path() / ("mmlc-real-var-" + std::to_string(::getpid())) / v.name;
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root);
  fs::copy(fs::path(MMLC_REAL_PROJECTS_DIR) / v.project, root / "project", fs::copy_options::recursive);
  auto edit = [](const fs::path& f, const std::string& from, const std::string& to) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const size_t at = from.empty() ? text.rfind("#endif") : text.find(from);
    ASSERT_NE(at, std::string::npos) << f << " has no '" << from << "'";
    text.replace(at, from.size(), to);
    std::ofstream(f) << text;
  };
  edit(root / "project/firmware/myproject.cpp", "nnet::relu<layer2_t, layer4_t, relu_config4>(layer2_out, layer4_out);", v.call);
  if (*v.config) edit(root / "project/firmware/parameters.h", "", std::string(v.config) + "\n");
  hls::NetworkDesc desc = networkFromProject(readHlsProject((root / "project").string()));
  desc.resolve();
  ASSERT_GE(desc.layers.size(), 2u);
  EXPECT_STREQ(hls::layerKindName(desc.layers[1].kind), v.kind);
  if (desc.layers[1].kind == hls::LayerKind::LeakyReLU) EXPECT_DOUBLE_EQ(desc.layers[1].alpha, 0.25);
  if (desc.layers[1].kind == hls::LayerKind::HardTanh) {
    EXPECT_DOUBLE_EQ(desc.layers[1].slope, 0.5);
    EXPECT_EQ(desc.layers[1].slopeType, hls::FixedType::fixed(16, 4));
  }
  const ProjectCSim csim((root / "project").string(), (root / "csim").string());
  const ProjectCSimResult r = csim.run(desc, randomInputs(desc, 1000, 5));
  EXPECT_EQ(r.mismatches, 0u) << r.mismatchReport;
  if (!::testing::Test::HasFailure()) fs::remove_all(root, ec);
}

INSTANTIATE_TEST_SUITE_P(
    Activations, RealProjectVariantTest,
    ::testing::Values(
        Variant{"leaky_relu_1x", "jet-pruned60-u50-vitis2024",
                "nnet::leaky_relu<layer2_t, ap_fixed<8,1>, layer4_t, relu_config4>(layer2_out, 0.25, layer4_out);", "", "LeakyReLU"},
        Variant{"leaky_relu_0x", "jet-16-6-rf1-vivado2019",
                "nnet::leaky_relu<layer2_t, layer4_t, relu_config4>(layer2_out, 0.25, layer4_out);", "", "LeakyReLU"},
        Variant{"linear_1x", "jet-pruned60-u50-vitis2024", "nnet::linear<layer2_t, layer4_t, relu_config4>(layer2_out, layer4_out);",
                "", "Linear"},
        Variant{"hard_tanh_1x", "jet-pruned60-u50-vitis2024",
                "nnet::hard_tanh<layer2_t, layer4_t, hard_config4>(layer2_out, layer4_out);", kHardConfig, "HardTanh"},
        Variant{"hard_tanh_0x", "jet-16-6-rf1-vivado2019",
                "nnet::hard_tanh<layer2_t, layer4_t, hard_config4>(layer2_out, layer4_out);", kHardConfig, "HardTanh"}),
    [](const ::testing::TestParamInfo<Variant>& i) { return std::string(i.param.name); });

// hls4ml's VivadoAccelerator backend: the same network behind an AXI wrapper, written into a copy
// of a real project the way hls4ml's VivadoAcceleratorWriter writes firmware/myproject_axi.{h,cpp}
// (its templates with the insertion points filled in for io_parallel). The importer reads the
// network and the wrapper; C simulation drives the wrapper, whose port conversions the comparison
// applies to the simulator too.
struct AxiVariant {
  const char* name;
  const char* interface;  // hls4ml's Interface option: axi_stream, axi_lite, axi_master
  const char* inType;     // the ports' values (hls4ml: float, or the corrected ap types)
  const char* outType;
  const char* expectInterface;
};

std::ostream& operator<<(std::ostream& o, const AxiVariant& v) { return o << v.name; }

void writeAxiWrapper(const fs::path& fw, const AxiVariant& v) {
  const bool stream = std::string(v.interface) == "axi_stream";
  std::ofstream h(fw / "myproject_axi.h");
  h << "#ifndef MYPROJECT_AXI_H_\n#define MYPROJECT_AXI_H_\n\n#include <iostream>\n#include \"myproject.h\"\n\n"
    << "static const unsigned N_IN = 16;\nstatic const unsigned N_OUT = 5;\n";
  if (stream) {
    for (const char* dir : {"in", "out"}) {
      const std::string T = std::string(dir) == "in" ? "T_in" : "T_out";
      h << "typedef " << (std::string(dir) == "in" ? v.inType : v.outType) << " " << T << ";\n"
        << "typedef struct " << dir << "_struct {\n"
        << "    " << T << " data;\n    ap_uint<1> last;\n"
        << "    " << dir << "_struct(const " << T << "& data, const ap_uint<1>& last){this->data = data; this->last = last;};\n"
        << "    " << dir << "_struct(){this->data = 0; this->last = 0;};\n"
        << "    friend std::ostream& operator<<(std::ostream& stream, const " << dir << "_struct& " << dir << ")\n"
        << "    { return stream << \"{ data: \" << " << dir << ".data << \", last: \" << " << dir << ".last << \" }\" << std::endl; }\n"
        << "    operator float() const {return this->data;}\n    operator double() const {return this->data;}\n"
        << "    " << dir << "_struct(float data) {this->data = data; this->last = 0;}\n"
        << "    " << dir << "_struct(double data) {this->data = data; this->last = 0;}\n"
        << "} " << (std::string(dir) == "in" ? "input_axi_t" : "output_axi_t") << ";\n";
    }
  } else {
    h << "typedef " << v.inType << " input_axi_t;\ntypedef " << v.outType << " output_axi_t;\n";
  }
  h << "\nvoid myproject_axi(\n    input_axi_t in[N_IN],\n    output_axi_t out[N_OUT]\n        );\n#endif\n";

  std::ofstream c(fw / "myproject_axi.cpp");
  c << "#include \"myproject_axi.h\"\n\nvoid myproject_axi(\n    input_axi_t in[N_IN],\n    output_axi_t out[N_OUT]\n        ){\n\n";
  if (stream)
    c << "    #pragma HLS INTERFACE axis port=in\n    #pragma HLS INTERFACE axis port=out\n"
         "    #pragma HLS INTERFACE ap_ctrl_none port=return\n";
  else if (std::string(v.interface) == "axi_lite")
    c << "    #pragma HLS INTERFACE ap_ctrl_none port=return\n    #pragma HLS INTERFACE s_axilite port=in\n"
         "    #pragma HLS INTERFACE s_axilite port=out\n";
  else
    c << "    #pragma HLS INTERFACE s_axilite port=return bundle=CTRL_BUS\n"
         "    #pragma HLS INTERFACE m_axi depth=16 port=in offset=slave bundle=IN_BUS\n"
         "    #pragma HLS INTERFACE m_axi depth=5 port=out offset=slave bundle=OUT_BUS\n";
  c << "\n    unsigned short in_size = 0;\n    unsigned short out_size = 0;\n\n";
  if (stream) c << "    bool is_last = false;\n";
  c << "    input_t in_local[N_IN];\n    result_t out_local[N_OUT];\n\n    for(unsigned i = 0; i < N_IN; i++){\n";
  if (stream)
    c << "        #pragma HLS PIPELINE\n        in_local[i] = in[i].data; // Read input with cast\n"
         "        is_last |= (in[i].last == 1)? true: false;\n";
  else
    c << "        #pragma HLS UNROLL\n        in_local[i] = in[i]; // Read input with cast\n";
  c << "    }\n\n    myproject(in_local, out_local);\n\n    for(unsigned i = 0; i < N_OUT; i++){\n";
  if (stream)
    c << "        #pragma HLS PIPELINE\n        out[i].data = out_local[i]; // Write output with cast\n"
         "        out[i].last = (is_last && (i == N_OUT - 1))? true : false;\n";
  else
    c << "        #pragma HLS UNROLL\n        out[i] = out_local[i]; // Write output with cast\n";
  c << "    }\n}\n";
}

class RealProjectAxiTest : public ::testing::TestWithParam<AxiVariant> {};

TEST_P(RealProjectAxiTest, ImportsTheNetworkAndCSimulatesTheWrapperBitExactly) {
  const AxiVariant& v = GetParam();
  const fs::path root = fs::temp_directory_path() / ("mmlc-real-axi-" + std::string(v.name) + "-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root);
  fs::copy(fs::path(MMLC_REAL_PROJECTS_DIR) / "jet-16-6-rf1-vivado2019", root / "project", fs::copy_options::recursive);
  writeAxiWrapper(root / "project/firmware", v);

  // Detected without being asked, and when the wrapper is named as the top.
  for (const std::string top : {"", "myproject_axi"}) {
    ReadOptions ro;
    ro.top = top;
    const HlsProject project = readHlsProject((root / "project").string(), ro);
    EXPECT_EQ(project.topFunction, "myproject") << top;
    EXPECT_EQ(project.layers.size(), 8u);
    EXPECT_EQ(project.axiWrapper.function, "myproject_axi");
    EXPECT_EQ(project.axiWrapper.file, "firmware/myproject_axi.cpp");
    EXPECT_EQ(project.axiWrapper.interface, v.expectInterface);
    EXPECT_EQ(project.axiWrapper.packets, std::string(v.interface) == "axi_stream");
    EXPECT_EQ(project.axiWrapper.inputSize, 16);
    EXPECT_EQ(project.axiWrapper.outputSize, 5);
    EXPECT_NE(project.toJson().find("\"axi_wrapper\": {\"function\": \"myproject_axi\""), std::string::npos);
  }
  const HlsProject project = readHlsProject((root / "project").string());
  if (std::string(v.inType) == "float") {
    EXPECT_FALSE(project.axiWrapper.inputValue.known);
    EXPECT_EQ(project.axiWrapper.inputValue.spelled, "float");
  } else {
    ASSERT_TRUE(project.axiWrapper.inputValue.known);
    EXPECT_EQ(project.axiWrapper.inputValue.type, hls::FixedType::parse(v.inType));
  }
  hls::NetworkDesc desc = networkFromProject(project);
  desc.resolve();

  const std::vector<float> inputs = randomInputs(desc, 1000, 11);
  for (const char* ap : {"", MMLC_AP_TEMPLATES_DIR}) {
    ProjectCSimOptions o;
    o.apTypesDir = ap;
    const ProjectCSim csim((root / "project").string(), (root / (std::string("csim") + (*ap ? "-mmlc-ap" : ""))).string(), o);
    const ProjectCSimResult r = csim.run(desc, inputs);
    EXPECT_EQ(r.samples, 1000u);
    EXPECT_EQ(r.mismatches, 0u) << (*ap ? "mmlc's ap types: " : "the project's ap types: ") << r.mismatchReport;
  }
  if (!::testing::Test::HasFailure()) fs::remove_all(root, ec);
}

// A wrapper mmlc cannot model is an error at the wrapper, naming why: one that does not call the
// network, and one whose ports carry a type that is neither float, double nor an ap type.
TEST(RealProjectAxiErrors, MalformedWrappersAreLocatedErrors) {
  const fs::path root = fs::temp_directory_path() / ("mmlc-real-axi-bad-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::copy(fs::path(MMLC_REAL_PROJECTS_DIR) / "jet-16-6-rf1-vivado2019", root, fs::copy_options::recursive);
  const fs::path fw = root / "firmware";
  auto expectError = [&](const std::string& what) {
    try {
      readHlsProject(root.string());
      ADD_FAILURE() << "no error; expected: " << what;
    } catch (const HlsMetaError& e) {
      EXPECT_EQ(e.pos().file, "firmware/myproject_axi.cpp") << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  writeAxiWrapper(fw, AxiVariant{"lite", "axi_lite", "float", "float", "axi_lite"});
  {
    std::ifstream in(fw / "myproject_axi.cpp");
    std::stringstream text;
    text << in.rdbuf();
    std::string code = text.str();
    code.replace(code.find("myproject(in_local, out_local);"), 31, "(void)in_local; (void)out_local;");
    std::ofstream(fw / "myproject_axi.cpp") << code;
  }
  expectError("the AXI wrapper myproject_axi does not call the network function myproject");
  writeAxiWrapper(fw, AxiVariant{"lite", "axi_lite", "int", "float", "axi_lite"});
  expectError("the AXI wrapper's port 'in' carries");
  if (!::testing::Test::HasFailure()) fs::remove_all(root, ec);
}

// Port types narrower than the network's (hls4ml's corrected types keep the fractional bits and
// round the width up to bytes; these also cut integer bits) make the conversions visible.
INSTANTIATE_TEST_SUITE_P(
    VivadoAccelerator, RealProjectAxiTest,
    ::testing::Values(AxiVariant{"axi_stream_float", "axi_stream", "float", "float", "axi_stream"},
                      AxiVariant{"axi_lite_fixed", "axi_lite", "ap_fixed<16,4>", "ap_fixed<8,2,AP_RND,AP_SAT>", "axi_lite"},
                      AxiVariant{"axi_master_fixed", "axi_master", "ap_fixed<24,8>", "ap_ufixed<8,1>", "axi_master"},
                      AxiVariant{"axi_stream_fixed", "axi_stream", "ap_fixed<12,3,AP_RND_CONV,AP_SAT>", "ap_fixed<16,6>", "axi_stream"}),
    [](const ::testing::TestParamInfo<AxiVariant>& i) { return std::string(i.param.name); });

// hls4ml's io_stream depthwise convolution (nnet_sepconv1d_stream.h), put into a copy of the
// hls4ml 1.1 conv1d-stream project in place of its ReLU, with its own config struct (the kernel
// alias hls4ml 1.1 writes: DepthwiseDenseLatency) and compiled-in weights of their own types:
// it imports as DepthwiseConv1D and C-simulates bit-exactly through the project's templates.
const char* kDepthwiseConfig = R"(
#include "nnet_utils/nnet_sepconv1d_stream.h"
typedef ap_fixed<8,2> dw9_weight_t;
typedef ap_fixed<9,3> dw9_bias_t;
typedef ap_fixed<14,6,AP_RND,AP_SAT> dw9_accum_t;
struct config9_mult : nnet::dense_config {
    static const unsigned n_in = 48;
    static const unsigned n_out = 16;
    static const unsigned reuse_factor = 1;
    static const unsigned strategy = nnet::latency;
    static const unsigned n_zeros = 0;
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;
    typedef dw9_accum_t accum_t;
    typedef dw9_bias_t bias_t;
    typedef dw9_weight_t weight_t;
    template<class data_T, class res_T, class CONFIG_T>
    using kernel = nnet::DepthwiseDenseLatency<data_T, res_T, CONFIG_T>;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
};
struct config9 : nnet::conv1d_config {
    static const unsigned pad_left = 0;
    static const unsigned pad_right = 0;
    static const unsigned in_width = 128;
    static const unsigned n_chan = 16;
    static const unsigned filt_width = 3;
    static const unsigned kernel_size = filt_width;
    static const unsigned n_filt = 16;
    static const unsigned stride_width = 1;
    static const unsigned dilation = 1;
    static const unsigned out_width = 126;
    static const unsigned reuse_factor = 1;
    static const unsigned n_zeros = 0;
    static const unsigned multiplier_limit = DIV_ROUNDUP(kernel_size * n_chan, reuse_factor);
    static const bool store_weights_in_bram = false;
    static const unsigned strategy = nnet::latency;
    static const nnet::conv_implementation implementation = nnet::conv_implementation::linebuffer;
    static const unsigned min_width = 128;
    static const unsigned n_partitions = 126;
    static const unsigned n_pixels = out_width / n_partitions;
    template<class data_T, class CONFIG_T>
    using fill_buffer = nnet::FillConv1DBuffer<data_T, CONFIG_T>;
    typedef dw9_accum_t accum_t;
    typedef dw9_bias_t bias_t;
    typedef dw9_weight_t weight_t;
    typedef config9_mult mult_config;
    template<unsigned K, unsigned S, unsigned W>
    using scale_index = nnet::scale_index_regular<K, S, W>;
};
)";

// Values exact in `frac` fractional bits, spread over [-range, range).
std::string exactValues(size_t n, int frac, double range, unsigned seed) {
  std::mt19937 rng(seed);
  const int steps = static_cast<int>(range * 2 * (1 << frac));
  std::uniform_int_distribution<int> pick(0, steps - 1);
  std::ostringstream o;
  o.precision(17);
  for (size_t i = 0; i < n; ++i) o << (i ? ", " : "") << std::ldexp(pick(rng) - steps / 2, -frac);
  return o.str();
}

// A copy of the conv1d-stream project with `call` in place of its ReLU and `config` (config
// structs and compiled-in weights) appended to parameters.h; the pooling after it reads 126
// pixels (a kernel of 3 without padding). Returns the project folder.
fs::path convProjectWith(const std::string& tag, const std::string& call, const std::string& config) {
  const fs::path root = fs::temp_directory_path() / ("mmlc-real-" + tag + "-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root);
  fs::copy(fs::path(MMLC_REAL_PROJECTS_DIR) / "conv1d-stream-u250-vitis2024", root / "project", fs::copy_options::recursive);
  auto edit = [](const fs::path& f, const std::string& from, const std::string& to) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const size_t at = from.empty() ? text.rfind("#endif") : text.find(from);
    ASSERT_NE(at, std::string::npos) << f << " has no '" << from << "'";
    text.replace(at, from.size(), to);
    std::ofstream(f) << text;
  };
  const fs::path cpp = root / "project/firmware/myproject.cpp", params = root / "project/firmware/parameters.h";
  edit(cpp, "nnet::relu<layer2_t, layer4_t, relu_config4>(layer2_out, layer4_out);", call);
  edit(params, "struct config5 : nnet::pooling1d_config {\n    static const unsigned n_in = 128;",
       "struct config5 : nnet::pooling1d_config {\n    static const unsigned n_in = 126;");
  edit(params, "", config);
  return root;
}

TEST(RealProjectDepthwiseTest, StreamDepthwiseConv1DImportsAndCSimulatesBitExactly) {
  const fs::path root = convProjectWith(
      "dw", "nnet::depthwise_conv_1d_cl<layer2_t, layer4_t, config9>(layer2_out, layer4_out, w9, b9);",
      std::string(kDepthwiseConfig) + "dw9_weight_t w9[48] = {" + exactValues(48, 6, 2.0, 3) + "};\ndw9_bias_t b9[16] = {" +
          exactValues(16, 6, 4.0, 4) + "};\n");
  if (::testing::Test::HasFatalFailure()) return;
  hls::NetworkDesc desc = networkFromProject(readHlsProject((root / "project").string()));
  desc.resolve();
  ASSERT_EQ(desc.layers.size(), 6u);
  const hls::LayerDesc& dw = desc.layers[2];
  EXPECT_EQ(dw.kind, hls::LayerKind::DepthwiseConv1D);
  EXPECT_EQ(dw.kernelW, 3);
  EXPECT_EQ(dw.outWidth, 126);
  EXPECT_EQ(dw.weights.size(), 48u);
  EXPECT_EQ(dw.biases.size(), 16u);
  EXPECT_EQ(dw.weightType, hls::FixedType::fixed(8, 2));
  EXPECT_EQ(dw.accumType, hls::FixedType::fixed(14, 6, hls::QuantMode::RND, hls::OverflowMode::SAT));
  const ProjectCSim csim((root / "project").string(), (root / "csim").string());
  const ProjectCSimResult r = csim.run(desc, randomInputs(desc, 1000, 9));
  EXPECT_EQ(r.samples, 1000u);
  EXPECT_EQ(r.mismatches, 0u) << r.mismatchReport;
  std::error_code ec;
  if (!::testing::Test::HasFailure()) fs::remove_all(root, ec);
}

// hls4ml 1.1's io_stream separable convolution: the depthwise half (config9 above, as
// depthwise_config) into dw_res_T, then a pointwise convolution of 16 filters; the call passes
// depthwise weights, pointwise weights, depthwise biases, pointwise biases.
const char* kSeparableConfig = R"(
typedef nnet::array<ap_fixed<12,4,AP_RND,AP_SAT>, 16> layer9_dw_t;
typedef ap_fixed<7,1> pw9_weight_t;
typedef ap_fixed<8,3> pw9_bias_t;
typedef ap_fixed<18,8> pw9_accum_t;
struct config9_pointwise_mult : nnet::dense_config {
    static const unsigned n_in = 16;
    static const unsigned n_out = 16;
    static const unsigned reuse_factor = 1;
    static const unsigned strategy = nnet::latency;
    static const unsigned n_zeros = 0;
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;
    typedef pw9_accum_t accum_t;
    typedef pw9_bias_t bias_t;
    typedef pw9_weight_t weight_t;
    template<class data_T, class res_T, class CONFIG_T>
    using kernel = nnet::DenseLatency<data_T, res_T, CONFIG_T>;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
};
struct config9_pointwise : nnet::conv1d_config {
    static const unsigned pad_left = 0;
    static const unsigned pad_right = 0;
    static const unsigned in_width = 126;
    static const unsigned n_chan = 16;
    static const unsigned filt_width = 1;
    static const unsigned kernel_size = filt_width;
    static const unsigned n_filt = 16;
    static const unsigned stride_width = 1;
    static const unsigned dilation = 1;
    static const unsigned out_width = 126;
    static const unsigned reuse_factor = 1;
    static const unsigned n_zeros = 0;
    static const unsigned multiplier_limit = DIV_ROUNDUP(kernel_size * n_chan * n_filt, reuse_factor);
    static const bool store_weights_in_bram = false;
    static const unsigned strategy = nnet::latency;
    static const nnet::conv_implementation implementation = nnet::conv_implementation::linebuffer;
    static const unsigned min_width = 126;
    static const unsigned n_partitions = 126;
    static const unsigned n_pixels = out_width / n_partitions;
    template<class data_T, class CONFIG_T>
    using fill_buffer = nnet::FillConv1DBuffer<data_T, CONFIG_T>;
    typedef pw9_accum_t accum_t;
    typedef pw9_bias_t bias_t;
    typedef pw9_weight_t weight_t;
    typedef config9_pointwise_mult mult_config;
    template<unsigned K, unsigned S, unsigned W>
    using scale_index = nnet::scale_index_regular<K, S, W>;
};
struct config10 {
    typedef config9 depthwise_config;
    typedef config9_pointwise pointwise_config;
};
)";

TEST(RealProjectDepthwiseTest, StreamSeparableConv1DImportsAsTwoLayersAndCSimulatesBitExactly) {
  const fs::path root = convProjectWith(
      "sep",
      "nnet::separable_conv_1d_cl<layer2_t, layer9_dw_t, layer4_t, config10>(layer2_out, layer4_out, d10, p10, z10, b10);",
      std::string(kDepthwiseConfig) + kSeparableConfig + "dw9_weight_t d10[48] = {" + exactValues(48, 6, 2.0, 5) +
          "};\npw9_weight_t p10[256] = {" + exactValues(256, 6, 1.0, 6) + "};\ndw9_bias_t z10[16] = {" +
          exactValues(16, 6, 4.0, 7) + "};\npw9_bias_t b10[16] = {" + exactValues(16, 5, 4.0, 8) + "};\n");
  if (::testing::Test::HasFatalFailure()) return;
  hls::NetworkDesc desc = networkFromProject(readHlsProject((root / "project").string()));
  desc.resolve();
  ASSERT_EQ(desc.layers.size(), 7u);
  const hls::LayerDesc& dw = desc.layers[2];
  const hls::LayerDesc& pw = desc.layers[3];
  EXPECT_EQ(dw.kind, hls::LayerKind::DepthwiseConv1D);
  EXPECT_EQ(dw.name, "layer4_depthwise");
  EXPECT_EQ(dw.resultType, hls::FixedType::fixed(12, 4, hls::QuantMode::RND, hls::OverflowMode::SAT));  // dw_res_T
  EXPECT_EQ(dw.weightType, hls::FixedType::fixed(8, 2));
  EXPECT_EQ(pw.kind, hls::LayerKind::Conv1D);
  EXPECT_EQ(pw.name, "layer4");
  EXPECT_EQ(pw.kernelW, 1);
  EXPECT_EQ(pw.nFilters, 16);
  EXPECT_EQ(pw.weightType, hls::FixedType::fixed(7, 1));
  EXPECT_EQ(pw.accumType, hls::FixedType::fixed(18, 8));
  EXPECT_EQ(pw.outWidth, 126);
  const ProjectCSim csim((root / "project").string(), (root / "csim").string());
  const ProjectCSimResult r = csim.run(desc, randomInputs(desc, 1000, 13));
  EXPECT_EQ(r.samples, 1000u);
  EXPECT_EQ(r.mismatches, 0u) << r.mismatchReport;
  std::error_code ec;
  if (!::testing::Test::HasFailure()) fs::remove_all(root, ec);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RealProjectTest, ::testing::ValuesIn(realProjects()),
                         [](const ::testing::TestParamInfo<RealProject>& i) {
                           std::string n = i.param.dir;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace mmlc::meta
