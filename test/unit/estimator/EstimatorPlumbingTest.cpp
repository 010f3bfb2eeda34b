// Tests of the estimator plumbing on the seven real hls4ml projects: calibrating on six makes the
// seventh's estimate better, the analytic model's band is what it measures there, run directories
// are calibration sources, and the estimator choice / calibration file errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "estimator/CalibrationData.h"
#include "estimator/EstimatorCommand.h"
#include "hls/DesignEstimate.h"
#include "hls/LayerModel.h"
#include "hls/ResourceEstimator.h"

using namespace mmlc;
using namespace mmlc::hls;
namespace fs = std::filesystem;

namespace {

const std::vector<estimator::DesignData>& designs() {
  static const std::vector<estimator::DesignData> all = [] {
    std::vector<estimator::DesignData> out;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(MMLC_HLS4ML_PROJECTS_DIR))
      if (estimator::isDesignWithReports(e.path().string())) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) out.push_back(estimator::readDesign(d.string()));
    return out;
  }();
  return all;
}

const std::vector<CostRow>& ntorc() {
  static const std::vector<CostRow> rows = estimator::readNtorc(MMLC_NTORC_DIR);
  return rows;
}

std::array<double, kMetrics> totals(const SynthMetrics& t) { return {t.dsp, t.lut, t.ff, t.bram18, static_cast<double>(t.latencyMax)}; }

// Mean absolute relative error of DSP, LUT and FF, and the latency error in cycles.
struct TopError {
  double resources = 0, cycles = 0;
};
TopError topError(const SynthMetrics& est, const estimator::DesignData& d) {
  TopError e;
  const auto t = totals(est);
  for (int m : {0, 1, 2}) e.resources += std::abs(t[m] - d.top[m]) / std::max(1.0, d.top[m]) / 3;
  e.cycles = std::abs(t[4] - d.top[4]);
  return e;
}

std::string temp(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("mmlc-estimator-test-" + std::to_string(::getpid())) / name;
  fs::create_directories(p.parent_path());
  return p.string();
}

// Quantiles as `mmlc estimator calibrate` takes them (10th / 90th percentile, nearest rank).
std::pair<double, double> band(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(std::floor(p * (v.size() - 1) + 0.5)))]; };
  return {at(0.1), at(0.9)};
}

Calibration fitWithout(size_t heldOut) {
  std::vector<CostRow> rows = ntorc();
  std::vector<GlueRow> glue;
  for (size_t j = 0; j < designs().size(); ++j)
    if (j != heldOut) {
      rows.insert(rows.end(), designs()[j].rows.begin(), designs()[j].rows.end());
      glue.push_back(designs()[j].glue);
    }
  return fitCalibration(rows, glue);
}

size_t indexOf(const std::string& name) {
  for (size_t i = 0; i < designs().size(); ++i)
    if (designs()[i].name == name) return i;
  ADD_FAILURE() << "no fixture " << name;
  return 0;
}

}  // namespace

// Without a calibration file, flows estimate with the shipped calibration (the calibrated model
// with the requested tool's coefficients) and show its band: real = estimate / (1 + error), the
// error quantiles being the calibration's leave-one-design-out residuals.
TEST(EstimatorPlumbing, WithoutACalibrationFileFlowsUseTheShippedOne) {
  const auto& d = designs()[indexOf("jet-16-6-rf1-vivado2019")];
  for (const ToolGen tool : {ToolGen::VitisHls, ToolGen::VivadoHls}) {
    const SynthMetrics e = estimateDesign(d.net, {}, tool);
    const SynthMetrics direct = ResourceEstimator(tool).estimate(d.net).total;
    EXPECT_TRUE(e.estimated);
    EXPECT_EQ(e.lut, direct.lut);
    EXPECT_EQ(e.dsp, direct.dsp);
    EXPECT_NE(e.calibration.find("shipped calibration"), std::string::npos) << e.calibration;
    EXPECT_NE(e.calibration.find(toolGenName(tool)), std::string::npos) << e.calibration;
    const Calibration& cal = defaultCalibration();
    EXPECT_NEAR(e.lutLo, e.lut / (1 + cal.bandHi[1]), 1e-6 * e.lut);
    EXPECT_NEAR(e.lutHi, e.lut / (1 + cal.bandLo[1]), 1e-6 * e.lut);
    EXPECT_LE(e.lutLo, e.lut);
    EXPECT_GE(e.lutHi, e.lut);
    EXPECT_EQ(e.availDsp, 12288);  // xcu250
  }
}

// Issue 12's test, end to end through `mmlc estimator calibrate`: a calibration fitted on six of
// the real projects (with N-TORC's layers) predicts the seventh better than one that did not see
// those six's reports. The comparison is against N-TORC only (`calibrate ntorc-layers`), the
// calibration a user has before any synthesis of their own: both see the same N-TORC rows, so
// the difference is what the six reports taught. Held out: jet-qkeras6-rf1-vivado2019, the only
// QKeras design (6-bit weights, unsigned 6-bit activations); its closest relatives among the six
// are the 16-bit jet taggers of the same tool. Estimates go through estimateDesign, as a flow's
// do, so they use the calibration's own tool generation (calibrationTool: Vitis, four of the six
// being Vitis designs) - which on this Vivado design happens to be better (0.33 mean |error| of
// DSP/LUT/FF) than Vivado coefficients (1.52, next test) and than the analytic model (0.60).
TEST(EstimatorPlumbing, CalibrateOnSixFixturesTheSeventhImproves) {
  const std::string held = "jet-qkeras6-rf1-vivado2019";
  const fs::path six = temp("six");
  fs::create_directories(six);
  std::vector<std::string> args = {"calibrate"};
  for (const auto& e : fs::directory_iterator(MMLC_HLS4ML_PROJECTS_DIR))
    if (e.is_directory() && e.path().filename() != held) args.push_back(e.path().string());
  ASSERT_EQ(args.size(), 7u);  // six projects
  args.push_back(MMLC_NTORC_DIR);
  args.insert(args.end(), {"-o", temp("six.cal")});
  std::ostringstream out, err;
  ASSERT_EQ(estimator::runEstimatorCommand(args, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("6 designs"), std::string::npos) << out.str();
  ASSERT_EQ(estimator::runEstimatorCommand({"calibrate", MMLC_NTORC_DIR, "-o", temp("ntorc.cal")}, out, err), 0) << err.str();

  const auto& d = designs()[indexOf(held)];
  const SynthMetrics withSix = estimateDesign(d.net, {loadCalibration(temp("six.cal")), temp("six.cal")});
  const SynthMetrics withoutThem = estimateDesign(d.net, {loadCalibration(temp("ntorc.cal")), temp("ntorc.cal")});
  const TopError a = topError(withSix, d), b = topError(withoutThem, d);
  std::printf("%s: mean |error| of DSP/LUT/FF %.3f (six) vs %.3f (N-TORC only); latency %.0f vs %.0f cycles\n", held.c_str(),
              a.resources, b.resources, a.cycles, b.cycles);
  EXPECT_LT(a.resources, b.resources / 2);
  EXPECT_LT(a.cycles, b.cycles);
  EXPECT_NE(withSix.calibration.find("6 designs"), std::string::npos) << withSix.calibration;
  // The six's calibration carries a band from their leave-one-out residuals; N-TORC alone has none.
  EXPECT_LT(withSix.lutLo, withSix.lutHi);
}

// The same on every one of the seven (fit on the other six + N-TORC, against N-TORC alone),
// directly with fitCalibration. Not every design gains: the io_stream Conv1D project is the only
// streamed design and its resources come out worse (5.4 vs 4.1 mean |error|) while its latency
// improves; the others gain on resources and latency. Required: the mean over the seven drops on
// both, and six of the seven improve their resource error.
TEST(EstimatorPlumbing, EveryHeldOutDesignOnAverageImproves) {
  const Calibration only = fitCalibration(ntorc());
  double sumSix = 0, sumOnly = 0, cyclesSix = 0, cyclesOnly = 0;
  int improved = 0;
  for (size_t i = 0; i < designs().size(); ++i) {
    const Calibration six = fitWithout(i);
    const auto& d = designs()[i];
    const TopError a = topError(ResourceEstimator(d.tool, &six).estimate(d.net).total, d);
    const TopError b = topError(ResourceEstimator(d.tool, &only).estimate(d.net).total, d);
    std::printf("%-30s six %.3f / %3.0f cycles   N-TORC only %.3f / %3.0f cycles\n", d.name.c_str(), a.resources, a.cycles,
                b.resources, b.cycles);
    sumSix += a.resources;
    sumOnly += b.resources;
    cyclesSix += a.cycles;
    cyclesOnly += b.cycles;
    improved += a.resources < b.resources ? 1 : 0;
  }
  EXPECT_LT(sumSix, sumOnly);
  EXPECT_LT(cyclesSix, cyclesOnly);
  EXPECT_GE(improved, 6);
}

// The tool generation a calibration's estimates use: the one most of its real designs had.
TEST(EstimatorPlumbing, CalibrationToolFollowsItsRealDesigns) {
  EXPECT_EQ(calibrationTool(fitCalibration(ntorc())), ToolGen::VivadoHls);  // no real design: N-TORC's Vivado HLS
  std::vector<CostRow> rows;
  std::vector<GlueRow> glue;
  for (const auto& d : designs())
    if (d.tool == ToolGen::VitisHls) {
      rows.insert(rows.end(), d.rows.begin(), d.rows.end());
      glue.push_back(d.glue);
    }
  EXPECT_EQ(calibrationTool(fitCalibration(rows, glue)), ToolGen::VitisHls);
}

TEST(EstimatorPlumbing, CalibrationFileErrorsNameTheFile) {
  try {
    loadCalibration(temp("missing.cal"));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.cal"), std::string::npos) << e.what();
  }
  std::ofstream(temp("corrupt.cal")) << "# a calibration\ncoef mac_const/vivado/parallel/dsp x y\n";
  try {
    loadCalibration(temp("corrupt.cal"));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt.cal:2"), std::string::npos) << e.what();
  }
}

// calibrate refuses what it cannot learn from, naming it.
TEST(EstimatorPlumbing, CalibrateRejectsRunsWithoutVendorSynthesis) {
  const fs::path run = temp("run-estimated");
  fs::create_directories(run / "models" / "0123");
  std::ofstream(run / "log.jsonl") << "\n";
  std::ofstream(run / "models" / "0123" / "step.json")
      << R"({"key": "0123", "task": "synth", "level": "rtl", "metrics": {"estimated": 1.0}, "params": {}, "parents": [], "path": "main.synth", "seconds": 0})";
  std::ostringstream out, err;
  EXPECT_EQ(estimator::runEstimatorCommand({"calibrate", run.string(), "-o", temp("x.cal")}, out, err), 1);
  EXPECT_NE(err.str().find("run-estimated: a run directory without a vendor synthesis"), std::string::npos) << err.str();
}
