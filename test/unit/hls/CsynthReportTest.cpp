// Vendor report parsing (fixture csynth.xml and .rpt, a Vitis-style XML) and the synth step with a
// stand-in vitis_hls executable on PATH.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hls/CsynthReport.h"
#include "hls/SynthRunner.h"

using namespace mmlc::hls;
namespace fs = std::filesystem;

namespace {

const std::string kFixture = MMLC_HLS_FIXTURE_DIR;

void expectFixtureMetrics(const SynthMetrics& m) {
  EXPECT_EQ(m.dsp, 1450);
  EXPECT_EQ(m.lut, 84942);
  EXPECT_EQ(m.ff, 10961);
  EXPECT_EQ(m.bram18, 4);
  EXPECT_EQ(m.latencyMin, 13);
  EXPECT_EQ(m.latencyMax, 13);
  EXPECT_EQ(m.intervalMax, 1);
  EXPECT_EQ(m.availDsp, 12288);
  EXPECT_EQ(m.availLut, 1728000);
  EXPECT_EQ(m.part, "xcu250-figd2104-2L-e");
  EXPECT_EQ(m.topName, "myproject");
  EXPECT_DOUBLE_EQ(m.targetClockNs, 5.0);
  EXPECT_DOUBLE_EQ(m.estimatedClockNs, 4.357);
  EXPECT_FALSE(m.estimated);
}

}  // namespace

TEST(CsynthReport, ReadsFixtureXml) {
  ASSERT_TRUE(fs::exists(kFixture)) << "fixture missing: " << kFixture;
  const SynthMetrics m = CsynthReport::parseFile(kFixture + "/reports/csynth.xml");
  expectFixtureMetrics(m);
  EXPECT_EQ(m.tool, "vivado_hls");
}

TEST(CsynthReport, ReadsFixtureRpt) {
  ASSERT_TRUE(fs::exists(kFixture)) << "fixture missing: " << kFixture;
  expectFixtureMetrics(CsynthReport::parseFile(kFixture + "/reports/myproject_csynth.rpt"));
}

TEST(CsynthReport, ReadsPerFunctionReports) {
  ASSERT_TRUE(fs::exists(kFixture)) << "fixture missing: " << kFixture;
  const auto m = CsynthReport::parseFile(kFixture + "/reports/softmax_stable_ap_fixed_ap_fixed_16_6_5_3_0_softmax_config13_s_csynth.xml");
  EXPECT_EQ(m.dsp, 5);
  EXPECT_EQ(m.bram18, 4);
  EXPECT_EQ(m.latencyMax, 4);
}

TEST(CsynthReport, ReadsVitisStyleXml) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- Vitis HLS 2022.2 -->
<profile>
  <ReportVersion><Version>2022.2</Version></ReportVersion>
  <UserAssignments><Part>xcvu9p-flga2104-2L-e</Part><TopModelName>net</TopModelName>
    <TargetClockPeriod>3.33</TargetClockPeriod></UserAssignments>
  <PerformanceEstimates>
    <SummaryOfTimingAnalysis><EstimatedClockPeriod>2.9</EstimatedClockPeriod></SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency><Best-caseLatency>20</Best-caseLatency><Worst-caseLatency>22</Worst-caseLatency>
      <Interval-min>4</Interval-min><Interval-max>4</Interval-max></SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates><Resources><BRAM_18K>2</BRAM_18K><DSP>77</DSP><FF>1234</FF><LUT>5678</LUT><URAM>0</URAM></Resources>
    <AvailableResources><BRAM_18K>4320</BRAM_18K><DSP>6840</DSP><FF>2364480</FF><LUT>1182240</LUT><URAM>960</URAM></AvailableResources>
  </AreaEstimates>
</profile>
)";
  const SynthMetrics m = CsynthReport::parseXml(xml);
  EXPECT_EQ(m.tool, "vitis_hls");
  EXPECT_EQ(m.dsp, 77);
  EXPECT_EQ(m.lut, 5678);
  EXPECT_EQ(m.latencyMin, 20);
  EXPECT_EQ(m.latencyMax, 22);
  EXPECT_EQ(m.intervalMin, 4);
  EXPECT_EQ(m.availDsp, 6840);
  EXPECT_EQ(m.topName, "net");
}

TEST(CsynthReport, MalformedInputNamesLine) {
  try {
    CsynthReport::parseXml("<profile>\n<AreaEstimates>\n</profile>\n", "bad.xml");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.xml:3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(CsynthReport::parseXml("<profile></profile>", "empty.xml"), std::runtime_error);
  EXPECT_THROW(CsynthReport::parseRpt("nothing here", "x.rpt"), std::runtime_error);
  const std::string undef =
      "<profile><PerformanceEstimates><SummaryOfOverallLatency><Best-caseLatency>undef</Best-caseLatency>"
      "<Worst-caseLatency>undef</Worst-caseLatency></SummaryOfOverallLatency></PerformanceEstimates>"
      "<AreaEstimates><Resources><DSP>1</DSP><LUT>2</LUT><FF>3</FF></Resources></AreaEstimates></profile>";
  EXPECT_EQ(CsynthReport::parseXml(undef).latencyMax, -1);
}

TEST(SynthRunner, UsesToolOnPathAndFallsBackToEstimator) {
  ASSERT_TRUE(fs::exists(kFixture)) << "fixture missing: " << kFixture;
  const NetworkDesc net = loadHls4mlFixture(kFixture);
  const fs::path tmp = fs::temp_directory_path() / ("mmlc_hls_synth_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp / "bin");
  // Stand-in vitis_hls: checks it got build_prj.tcl and writes the recorded report where the tool would.
  const fs::path fake = tmp / "bin" / "vitis_hls";
  std::ofstream(fake) << "#!/bin/sh\n"
                         "[ \"$1\" = \"-f\" ] && [ -f \"$2\" ] || { echo 'usage: vitis_hls -f script' >&2; exit 2; }\n"
                         "mkdir -p myproject_prj/solution1/syn/report\n"
                         "cp '" << kFixture << "/reports/csynth.xml' myproject_prj/solution1/syn/report/csynth.xml\n"
                         "echo 'INFO: [HLS 200-111] Finished C synthesis.'\n";
  fs::permissions(fake, fs::perms::owner_all);
  const std::string oldPath = std::getenv("PATH") ? std::getenv("PATH") : "";

  // No tool on PATH: estimator.
  ::setenv("PATH", "/nonexistent", 1);
  auto est = runSynthesis(net, (tmp / "prj_est").string());
  EXPECT_TRUE(est.metrics.estimated);
  EXPECT_EQ(est.metrics.tool, "estimator");
  EXPECT_GT(est.metrics.dsp, 0);

  ::setenv("PATH", ((tmp / "bin").string() + ":" + oldPath).c_str(), 1);
  auto real = runSynthesis(net, (tmp / "prj").string());
  ::setenv("PATH", oldPath.c_str(), 1);
  EXPECT_FALSE(real.metrics.estimated);
  EXPECT_EQ(real.metrics.tool, "vitis_hls");
  EXPECT_EQ(real.toolPath, fake.string());
  EXPECT_EQ(real.metrics.dsp, 1450);
  EXPECT_EQ(real.metrics.latencyMax, 13);
  EXPECT_NE(real.log.find("Finished C synthesis"), std::string::npos);
  EXPECT_TRUE(fs::exists(tmp / "prj" / "build_prj.tcl"));

  SynthOptions strict;
  strict.tool = "vivado_hls";
  strict.allowEstimate = false;
  EXPECT_THROW(runSynthesis(net, (tmp / "prj2").string(), strict), std::runtime_error);
  if (!HasFailure()) fs::remove_all(tmp);
}

TEST(SynthRunner, ToolFailuresAreReported) {
  ASSERT_TRUE(fs::exists(kFixture)) << "fixture missing: " << kFixture;
  const NetworkDesc net = loadHls4mlFixture(kFixture);
  const fs::path tmp = fs::temp_directory_path() / ("mmlc_hls_synthfail_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp / "bin");
  const fs::path fake = tmp / "bin" / "vivado_hls";
  const std::string oldPath = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", ((tmp / "bin").string() + ":" + oldPath).c_str(), 1);
  std::ofstream(fake) << "#!/bin/sh\necho 'ERROR: [HLS 200-70] Compilation errors found' >&2\nexit 3\n";
  fs::permissions(fake, fs::perms::owner_all);
  try {
    runSynthesis(net, (tmp / "a").string());
    ADD_FAILURE() << "expected a tool failure";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("vivado_hls failed with status 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Compilation errors found"), std::string::npos) << e.what();
  }
  std::ofstream(fake) << "#!/bin/sh\nexit 0\n";
  fs::permissions(fake, fs::perms::owner_all);
  try {
    runSynthesis(net, (tmp / "b").string());
    ADD_FAILURE() << "expected a missing-report error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("wrote no csynth.xml"), std::string::npos) << e.what();
  }
  ::setenv("PATH", oldPath.c_str(), 1);
  if (!HasFailure()) fs::remove_all(tmp);
}
