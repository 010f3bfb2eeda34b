// The "how sure" block of reports: grouped numbers, the estimated/synthesised headline with the
// model used, the band rows and the over-capacity text (ReportTask.cpp).
#include <gtest/gtest.h>

#include "tasks/ReportInputs.h"

using namespace mmlc;
using namespace mmlc::tasks;

namespace {
hls::SynthMetrics fmnistBaseline() { // the F-MNIST baseline of issue 12 on a U250
  hls::SynthMetrics m;
  m.part = "xcu250-figd2104-2L-e";
  m.estimated = true;
  m.dsp = 67602;
  m.lut = 1000000;
  m.ff = 186295;
  m.bram18 = 6;
  m.latencyMax = 13;
  m.availDsp = 12288;
  m.availLut = 1728000;
  m.availFf = 3456000;
  m.availBram18 = 5376;
  m.dspLo = 658;
  m.dspHi = 65743;
  m.lutLo = 713000;
  m.lutHi = 1212000;
  m.calibration = "calibrated per-layer model, shipped calibration (test)";
  return m;
}
} // namespace

TEST(Certainty, GroupedNumbers) {
  EXPECT_EQ(groupedNumber(0), "0");
  EXPECT_EQ(groupedNumber(999), "999");
  EXPECT_EQ(groupedNumber(12288), "12,288");
  EXPECT_EQ(groupedNumber(1728000), "1,728,000");
  EXPECT_EQ(groupedNumber(-4250.4), "-4,250");
}

TEST(Certainty, OverCapacityNamesEveryResourceOverItsPart) {
  hls::SynthMetrics m = fmnistBaseline();
  EXPECT_EQ(overCapacityText(m), "DSP 67,602 of 12,288 (550%)");
  m.lut = 2731878;
  EXPECT_EQ(overCapacityText(m), "DSP 67,602 of 12,288 (550%); LUT 2,731,878 of 1,728,000 (158%)");
  m.dsp = 12288; // exactly full fits
  m.lut = 10;
  EXPECT_EQ(overCapacityText(m), "");
  m.availDsp = 0; // unknown capacity: nothing claimed
  m.dsp = 1e9;
  EXPECT_EQ(overCapacityText(m), "");
}

TEST(Certainty, HeadlineSaysEstimatedWithTheModelOrSynthesisedWithTheTool) {
  hls::SynthMetrics m = fmnistBaseline();
  const std::string estimated = certaintyHeadline(m);
  EXPECT_EQ(estimated.rfind("**Estimated — not synthesised.**", 0), 0u) << estimated;
  EXPECT_NE(estimated.find("calibrated per-layer model, shipped calibration (test)"), std::string::npos);
  EXPECT_NE(estimated.find("The band is where the real value fell"), std::string::npos);
  m.dspHi = m.lutHi = m.ffHi = 0; // an unvalidated calibration
  EXPECT_NE(certaintyHeadline(m).find("No band"), std::string::npos);
  m.estimated = false;
  m.tool = "vitis_hls";
  EXPECT_EQ(certaintyHeadline(m),
            "**Synthesised** by vitis_hls: the figures are its C-synthesis report (csynth.xml), not "
            "an estimate.");
}

TEST(Certainty, RowsCarryTheBandOnlyForEstimates) {
  hls::SynthMetrics m = fmnistBaseline();
  std::vector<CapacityRow> rows = capacityRows(m);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].name, "DSP");
  EXPECT_TRUE(rows[0].hasBand);
  EXPECT_DOUBLE_EQ(rows[0].lo, 658);
  EXPECT_EQ(rows[0].available, 12288);
  EXPECT_EQ(rows[4].name, "latency (cycles)");
  EXPECT_EQ(rows[4].available, 0);
  m.estimated = false;
  for (const CapacityRow &r : capacityRows(m))
    EXPECT_FALSE(r.hasBand) << r.name;
}
