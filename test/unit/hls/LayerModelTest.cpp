// Unit tests of the per-layer cost model: NNLS, structural features, fitting and the calibration file.
#include <gtest/gtest.h>

#include <sstream>

#include "hls/LayerModel.h"

using namespace mmlc::hls;

TEST(LayerModel, NnlsRecoversNonNegativeCoefficientsAndClampsNegativeOnes) {
  // y = 2 a + 0 b where b's unconstrained fit would be negative.
  std::vector<std::vector<double>> a = {{1, 1}, {2, 0}, {3, 1}, {4, 0}};
  std::vector<double> y = {1.5, 4, 5.5, 8};
  const auto b = nnls(a, y);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_GE(b[1], 0.0);
  EXPECT_NEAR(b[0], 1.9, 0.15);
  const auto exact = nnls({{1, 0}, {0, 1}, {1, 1}}, {3, 5, 8});
  EXPECT_NEAR(exact[0], 3, 1e-9);
  EXPECT_NEAR(exact[1], 5, 1e-9);
}

TEST(LayerModel, SharedMultipliersFollowMultiplierLimit) {
  LayerQuery q;
  q.nIn = 64;
  q.nOut = 32;
  q.reuse = 16;
  q.strategy = Strategy::Resource;
  q.part = "xczu7ev";
  const Features f = featuresOf(q, Metric::Dsp);
  ASSERT_FALSE(f.x.empty());
  EXPECT_EQ(f.names[0], "mult_dsps");
  EXPECT_DOUBLE_EQ(f.x[0], 128.0);  // ceil(64*32/16), one DSP each at 16 bits
  EXPECT_EQ(intervalOf(q), 16);
}

// An io_stream convolution's hardware is one pixel's datapath whatever its length: resources
// measured on a layer of the same structure at another length are what it costs (its latency
// still comes from the model). A different reuse factor, a Dense layer or other constants are
// other structures. The measurements survive the calibration file.
TEST(LayerModel, MeasuredStructureGivesResourcesOfAnotherLength) {
  auto conv = [](long len, int rf) {
    CostRow r;
    r.q.kind = LayerKind::Conv1D;
    r.q.io = IOType::Stream;
    r.q.nIn = 16;
    r.q.nOut = 16;
    r.q.kernel = 3;
    r.q.seqLen = len;
    r.q.reuse = rf;
    r.q.strategy = Strategy::Resource;
    r.q.part = "xczu7ev";
    r.group = "g" + std::to_string(len) + "/" + std::to_string(rf);
    return r;
  };
  std::vector<CostRow> rows;
  const double luts[] = {5000, 5004, 5001};
  for (int i = 0; i < 3; ++i) {
    const long len = 32L << i;
    CostRow r = conv(len, 4);
    r.y = {36, luts[i], 3000, 2, 6.0 * static_cast<double>(len) + 12};
    rows.push_back(r);
  }
  const Calibration cal = fitCalibration(rows);
  ASSERT_EQ(cal.measured.size(), 1u);
  const LayerQuery at256 = conv(256, 4).q;
  const auto p = predictLayer(cal, at256);
  EXPECT_DOUBLE_EQ(p[0], 36.0);
  EXPECT_DOUBLE_EQ(p[1], 5001.0);  // the median of 5000, 5004, 5001
  EXPECT_DOUBLE_EQ(p[2], 3000.0);
  EXPECT_DOUBLE_EQ(p[3], 2.0);
  // Another reuse factor, other constants or a Dense layer is not the measured structure.
  Calibration none = cal;
  none.measured.clear();
  const LayerQuery rf8 = conv(256, 8).q;
  EXPECT_DOUBLE_EQ(predictLayer(cal, rf8)[1], predictLayer(none, rf8)[1]);
  LayerQuery weighted = at256;
  weighted.weights.assign(16 * 16 * 3, 0.25f);
  EXPECT_TRUE(measuredStructureKey(weighted) != measuredStructureKey(at256));
  LayerQuery dense = at256;
  dense.kind = LayerKind::Dense;
  EXPECT_EQ(measuredStructureKey(dense), "");
  LayerQuery parallel = at256;
  parallel.io = IOType::Parallel;  // unrolled over pixels: grows with the length
  EXPECT_EQ(measuredStructureKey(parallel), "");
  std::stringstream ss;
  cal.write(ss);
  const Calibration back = Calibration::read(ss, "<mem>");
  EXPECT_DOUBLE_EQ(predictLayer(back, at256)[1], 5001.0);
  std::stringstream bad("measured Conv1D/x 3 1 2 lots 4\n");
  EXPECT_THROW(Calibration::read(bad, "bad.cal"), std::runtime_error);
}

// Each coefficient set records the reuse factors of the rows it was fitted on (file line
// reuse_range); the calibration covers a query when rows of its class and kind exist at its reuse
// class (1, or above 1): the resource strategy fitted on RF 2..16 does not cover RF 1, and a
// calibration without recorded ranges covers everything.
TEST(LayerModel, CoefficientSetsRecordTheirReuseRangeAndPredictionsSayWhenTheyExtrapolate) {
  std::vector<CostRow> rows;
  for (int rf : {2, 4, 16})
    for (long n : {8L, 16L, 32L}) {
      CostRow r;
      r.q.kind = LayerKind::Dense;
      r.q.nIn = n;
      r.q.nOut = 8;
      r.q.reuse = rf;
      r.q.strategy = Strategy::Resource;
      r.q.part = "xczu7ev";
      r.y = {static_cast<double>(n * 8 / rf), 100.0 * n, 50.0 * n, 0, 10.0 + rf};
      r.group = "g" + std::to_string(rf) + "/" + std::to_string(n);
      rows.push_back(r);
    }
  const Calibration cal = fitCalibration(rows);
  ASSERT_FALSE(cal.sets.empty());
  for (const auto& [key, set] : cal.sets) {
    EXPECT_EQ(set.minReuse, 2) << key;
    EXPECT_EQ(set.maxReuse, 16) << key;
  }
  LayerQuery q = rows[0].q;
  EXPECT_TRUE(calibrationCoversReuse(cal, q));
  q.reuse = 64;  // the same class (above 1), beyond the rows: covered
  EXPECT_TRUE(calibrationCoversReuse(cal, q));
  q.tool = ToolGen::VitisHls;  // rows of another tool or I/O style count
  q.io = IOType::Stream;
  EXPECT_TRUE(calibrationCoversReuse(cal, q));
  q.reuse = 1;
  EXPECT_FALSE(calibrationCoversReuse(cal, q));
  LayerQuery conv = q;  // shared-multiplier convolutions have rows of their own: none here
  conv.kind = LayerKind::Conv1D;
  conv.reuse = 4;
  EXPECT_FALSE(calibrationCoversReuse(cal, conv));
  LayerQuery latency = q;  // the constant-multiplier class has no rows at all
  latency.strategy = Strategy::Latency;
  EXPECT_FALSE(calibrationCoversReuse(cal, latency));
  EXPECT_TRUE(coversReuse(CoefficientSet{}, 1));
  EXPECT_TRUE(coversReuse(CoefficientSet{{}, 3, 1, 1}, 1));
  EXPECT_FALSE(coversReuse(CoefficientSet{{}, 3, 1, 1}, 2));
  // The range survives the file; a file without it covers everything.
  std::stringstream ss;
  cal.write(ss);
  EXPECT_NE(ss.str().find("reuse_range mac_shared_dense/"), std::string::npos);
  const Calibration back = Calibration::read(ss, "<mem>");
  for (const auto& [key, set] : back.sets) EXPECT_EQ(set.minReuse, 2) << key;
  EXPECT_FALSE(calibrationCoversReuse(back, q));
  Calibration old = cal;
  for (auto& [key, set] : old.sets) set.minReuse = set.maxReuse = 0;
  std::stringstream oldFile;
  old.write(oldFile);
  EXPECT_EQ(oldFile.str().find("reuse_range"), std::string::npos);
  EXPECT_TRUE(calibrationCoversReuse(Calibration::read(oldFile, "<old>"), q));
  std::stringstream orphan("reuse_range mac_shared_dense/vitis_hls/parallel/lut 2 16\n");
  EXPECT_THROW(Calibration::read(orphan, "orphan.cal"), std::runtime_error);
  std::stringstream reversed("coef k 3 1\nreuse_range k 16 2\n");
  EXPECT_THROW(Calibration::read(reversed, "reversed.cal"), std::runtime_error);
}

TEST(LayerModel, FitThenPredictReproducesALinearTruthAndRoundTripsTheFile) {
  // Synthetic truth: DSP = 1 per shared multiplier; the fit must find it from rows of sizes.
  std::vector<CostRow> rows;
  for (int nIn : {16, 32, 64})
    for (int rf : {2, 4, 8}) {
      CostRow r;
      r.q.nIn = nIn;
      r.q.nOut = 16;
      r.q.reuse = rf;
      r.q.strategy = Strategy::Resource;
      r.q.part = "xcu250";
      r.y = {static_cast<double>(nIn * 16 / rf), NAN, NAN, NAN, NAN};
      r.group = std::to_string(nIn);
      rows.push_back(r);
    }
  const Calibration cal = fitCalibration(rows);
  CostRow unseen = rows[0];
  unseen.q.nIn = 128;
  unseen.q.reuse = 32;
  EXPECT_DOUBLE_EQ(predictLayer(cal, unseen.q)[0], 64.0);
  std::stringstream ss;
  cal.write(ss);
  const Calibration back = Calibration::read(ss, "<mem>");
  EXPECT_DOUBLE_EQ(predictLayer(back, unseen.q)[0], 64.0);
  std::stringstream bad("coef x 1 abc\n");
  EXPECT_THROW(Calibration::read(bad, "bad.cal"), std::runtime_error);
}

TEST(LayerModel, ToolGenerations) {
  EXPECT_EQ(toolGenOf("vivado_hls-2019.1"), ToolGen::VivadoHls);
  EXPECT_EQ(toolGenOf("vitis_hls-2024.1"), ToolGen::VitisHls);
  EXPECT_EQ(toolGenOf("2020.1"), ToolGen::VivadoHls);
  EXPECT_EQ(toolGenOf("2022.2"), ToolGen::VitisHls);
  EXPECT_THROW(toolGenOf("quartus"), std::invalid_argument);
}

// The binding of constant multipliers read off the reports: 3+ CSD digits stay a multiplier, a
// DSP when the data is >= 11 bits and the constant's odd part >= 5 bits; used as counted.
TEST(LayerModel, ConstantMultipliersBindToDspsByOperandWidths) {
  LayerQuery q;
  q.nIn = 6;
  q.nOut = 1;
  q.dataType = FixedType::fixed(16, 6);
  q.weightType = FixedType::fixed(16, 6);  // mantissa = weight * 2^10
  auto w = [](int mantissa) { return static_cast<float>(mantissa / 1024.0); };
  // 11 = 1011: 3 digits, 4 bits -> LUT; -11: 5 bits -> DSP; 23 = 32-8-1: 3 digits, 5 bits -> DSP;
  // 3 = 4-1: shift and adder; 4: shift; 0: nothing.
  q.weights = {w(11), w(-11), w(23), w(3), w(4), w(0)};
  q.part = "xcu250";
  const Features dsp = featuresOf(q, Metric::Dsp);
  ASSERT_EQ(dsp.names, std::vector<std::string>{"dsp_mult_slices"});
  EXPECT_DOUBLE_EQ(dsp.x[0], 2.0);
  // Not fitted: a calibration with any coefficient for the key still gives the count.
  Calibration cal;
  cal.sets["mac_const_dense/vitis/parallel/dsp"] = CoefficientSet{{7.0}, 10};
  q.tool = ToolGen::VitisHls;
  EXPECT_DOUBLE_EQ(predictLayer(cal, q)[static_cast<int>(Metric::Dsp)], 2.0);
  // 10-bit data: every multiplier is LUTs.
  q.dataType = FixedType::fixed(10, 4);
  EXPECT_DOUBLE_EQ(featuresOf(q, Metric::Dsp).x[0], 0.0);
  // A narrow input (an HGQ bit slice) is multiplied in LUTs; an input of width 0 is the constant 0.
  q.dataType = FixedType::fixed(16, 6);
  q.inputWidths = {16, 8, 16, 16, 16, 16};
  EXPECT_DOUBLE_EQ(featuresOf(q, Metric::Dsp).x[0], 1.0);
  q.inputWidths = {16, 16, 0, 16, 16, 16};
  EXPECT_DOUBLE_EQ(featuresOf(q, Metric::Dsp).x[0], 1.0);
  // Only shifts and adders: no register stage, so no FF features and no latency stage.
  q.inputWidths.clear();
  q.weights = {w(3), w(4), w(0), w(-2), w(5), w(0)};
  for (double x : featuresOf(q, Metric::Ff).x) EXPECT_DOUBLE_EQ(x, 0.0);
  EXPECT_DOUBLE_EQ(featuresOf(q, Metric::Latency).x[0], 0.0);
  // LUT multipliers only (8-bit data): a one-stage operator in Vitis, a combinational expression
  // in Vivado HLS 2019.
  q.dataType = FixedType::fixed(8, 3);
  q.weights = {w(11), w(-11), w(23), w(3), w(4), w(0)};
  q.tool = ToolGen::VitisHls;
  EXPECT_DOUBLE_EQ(featuresOf(q, Metric::Latency).x[0], 1.0);
  q.tool = ToolGen::VivadoHls;
  EXPECT_DOUBLE_EQ(featuresOf(q, Metric::Latency).x[0], 0.0);
}

TEST(LayerModel, StreamLayersOverlapParallelCallsAdd) {
  EXPECT_DOUBLE_EQ(combinedLatency(IOType::Parallel, {1, 0, 4, 2}, {1, 1, 1, 1}), 7.0);
  // Dataflow: the slowest (393) plus the fill of the others (129 - 128 = 1; the rest none).
  EXPECT_DOUBLE_EQ(combinedLatency(IOType::Stream, {132, 393, 129, 131, 2, 8}, {132, 390, 128, 131, 2, 8}), 394.0);
}

// predictLayer skips a coefficient set whose length differs from its class's features and falls
// back to the structural prior (one LUT per bit): a feature added without regenerating
// default.cal silently turned the resource-strategy LUT into the prior (1.7 M LUT for a 784x64
// dense layer at RF 64). Every multiplier set of the shipped calibration must fit its features.
TEST(LayerModel, ShippedCalibrationMatchesTheFeatureSets) {
  const Calibration& cal = defaultCalibration();
  const char* metrics[] = {"dsp", "lut", "ff", "bram18", "latency"};
  int checked = 0;
  for (const auto& [key, set] : cal.sets) {
    const size_t a = key.find('/'), b = key.find('/', a + 1), c = key.find('/', b + 1);
    const std::string cls = key.substr(0, a), tool = key.substr(a + 1, b - a - 1), io = key.substr(b + 1, c - b - 1),
                      metric = key.substr(c + 1);
    LayerQuery q;
    if (cls == "mac_shared_dense" || cls == "mac_const_dense") {
      q.kind = LayerKind::Dense;
      q.nIn = 64;
      q.nOut = 32;
    } else if (cls == "mac_shared_conv" || cls == "mac_const_conv") {
      q.kind = LayerKind::Conv1D;
      q.nIn = 4;
      q.nOut = 8;
      q.kernel = 3;
      q.seqLen = 16;
    } else {
      continue;
    }
    q.strategy = cls.rfind("mac_shared", 0) == 0 ? Strategy::Resource : Strategy::Latency;
    q.reuse = q.strategy == Strategy::Resource ? 4 : 1;
    q.io = io == "stream" ? IOType::Stream : IOType::Parallel;
    q.tool = tool == "vivado" ? ToolGen::VivadoHls : ToolGen::VitisHls;
    q.part = "xczu7ev";
    int mi = 0;
    while (mi < 5 && metric != metrics[mi]) ++mi;
    ASSERT_LT(mi, 5) << key;
    EXPECT_EQ(set.beta.size(), featuresOf(q, static_cast<Metric>(mi)).x.size())
        << key << ": default.cal was written for other features (regenerate it with mmlc estimator calibrate)";
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

// A deep MLP's first layer, 784x64 at RF 64 with the resource strategy, has 784 shared
// multipliers. N-TORC's nearest real layers (Vivado HLS 2019.1, 16-bit): 1024x64 at RF 64, 1024
// multipliers, 313,221 LUT; 512x64 at RF 64, 512 multipliers, 158,210 LUT: about 300 LUT per
// multiplier. The estimate must be of that order, not an extrapolation of millions (the types are
// N-TORC's, 16 bits everywhere as in mmlc's default conversion).
TEST(LayerModel, LargeResourceStrategyDenseLayerGetsAPlausibleEstimate) {
  LayerQuery q;
  q.dataType = q.weightType = q.accumType = q.resultType = FixedType::fixed(16, 8);
  q.nIn = 784;
  q.nOut = 64;
  q.reuse = 64;
  q.strategy = Strategy::Resource;
  q.part = "xcu250";
  for (ToolGen tool : {ToolGen::VivadoHls, ToolGen::VitisHls}) {
    q.tool = tool;
    const auto p = predictLayer(defaultCalibration(), q);
    EXPECT_DOUBLE_EQ(p[static_cast<int>(Metric::Dsp)], 784.0);
    EXPECT_GT(p[static_cast<int>(Metric::Lut)], 784 * 150.0) << toolGenName(tool);
    EXPECT_LT(p[static_cast<int>(Metric::Lut)], 784 * 450.0) << toolGenName(tool);
    EXPECT_EQ(intervalOf(q), 64);
  }
}
