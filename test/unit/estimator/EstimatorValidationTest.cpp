// The calibrated estimator on the seven real hls4ml projects: every dense layer finds its
// per-function report, and held out design by design (fit on six + N-TORC, predict the seventh)
// the top-level medians meet issue 12's goals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "estimator/CalibrationData.h"
#include "hls/ResourceEstimator.h"

using namespace mmlc::hls;
using namespace mmlc::estimator;
namespace fs = std::filesystem;

namespace {

std::vector<DesignData> readDesigns() {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(MMLC_REAL_PROJECTS_DIR))
    if (isDesignWithReports(e.path().string())) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  std::vector<DesignData> designs;
  for (const fs::path& p : dirs) designs.push_back(readDesign(p.string()));
  return designs;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? NAN : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

// Vivado HLS names its dense copies dense_latency_0_0_..._1 without a config and drops the ports
// of unused inputs and constant outputs: the mapping by feasible port counts still finds them.
TEST(EstimatorData, EveryDenseLayerHasItsReport) {
  const std::vector<DesignData> designs = readDesigns();
  ASSERT_EQ(designs.size(), 7u);
  for (const DesignData& d : designs)
    for (size_t k = 0; k < d.net.layers.size(); ++k)
      if (d.net.layers[k].kind == LayerKind::Dense) EXPECT_GE(d.rowOfLayer[k], 0) << d.name << " layer " << d.net.layers[k].name;
}

TEST(EstimatorValidation, LeaveOneDesignOutMeetsTheGoals) {
  const std::vector<DesignData> designs = readDesigns();
  const std::vector<CostRow> ntorc = readNtorc(MMLC_NTORC_DIR);
  std::vector<double> err[kMetrics];
  for (size_t i = 0; i < designs.size(); ++i) {
    std::vector<CostRow> rows = ntorc;
    std::vector<GlueRow> glue;
    for (size_t j = 0; j < designs.size(); ++j)
      if (j != i) {
        rows.insert(rows.end(), designs[j].rows.begin(), designs[j].rows.end());
        glue.push_back(designs[j].glue);
      }
    const Calibration cal = fitCalibration(rows, glue);
    const SynthMetrics t = ResourceEstimator(designs[i].tool, &cal).estimate(designs[i].net).total;
    const double est[kMetrics] = {t.dsp, t.lut, t.ff, t.bram18, static_cast<double>(t.latencyMax)};
    for (int m = 0; m < kMetrics; ++m) {
      const double real = designs[i].top[m];
      if (m == static_cast<int>(Metric::Latency)) err[m].push_back(std::abs(est[m] - real));
      else if (real > 0) err[m].push_back(100.0 * std::abs(est[m] - real) / real);
    }
  }
  EXPECT_LE(median(err[static_cast<int>(Metric::Dsp)]), 15.0);
  EXPECT_LE(median(err[static_cast<int>(Metric::Lut)]), 15.0);
  EXPECT_LE(median(err[static_cast<int>(Metric::Ff)]), 30.0);
  EXPECT_LE(median(err[static_cast<int>(Metric::Latency)]), 2.0);
}
