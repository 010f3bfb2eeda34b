// Validation of the calibrated estimator on data it was not fitted to: leave-one-design-out on
// the seven real hls4ml projects (top level and per layer, beside in-sample and the old
// analytic model), and held-out N-TORC configurations beside a random forest trained on the same
// rows. Prints a table and `RESULT name=value` lines.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "estimator/CalibrationData.h"
#include "hls/ResourceEstimator.h"

using namespace mmlc::hls;
using namespace mmlc::estimator;
namespace fs = std::filesystem;

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
double worst(const std::vector<double>& v) { return v.empty() ? NAN : *std::max_element(v.begin(), v.end()); }
double pct(double est, double real) { return 100.0 * std::abs(est - real) / real; }

// Absolute % errors (cycles for latency) of a set of (estimate, real) pairs per metric.
struct Errors {
  std::vector<double> e[kMetrics];
  void add(const std::array<double, kMetrics>& est, const std::array<double, kMetrics>& real) {
    for (int m = 0; m < kMetrics; ++m) {
      if (!std::isfinite(real[m])) continue;
      if (m == static_cast<int>(Metric::Latency)) e[m].push_back(std::abs(est[m] - real[m]));
      else if (real[m] > 0) e[m].push_back(pct(est[m], real[m]));
    }
  }
};

std::array<double, kMetrics> totals(const SynthMetrics& t) {
  return {t.dsp, t.lut, t.ff, t.bram18, static_cast<double>(t.latencyMax)};
}

void printErrors(const char* what, const Errors& e) {
  std::printf("INFO %-34s median|worst abs err: DSP %6.1f%% | %6.1f%%  LUT %6.1f%% | %6.1f%%  FF %6.1f%% | %6.1f%%  latency %4.1f | %4.0f cycles\n",
              what, median(e.e[0]), worst(e.e[0]), median(e.e[1]), worst(e.e[1]), median(e.e[2]), worst(e.e[2]), median(e.e[4]),
              worst(e.e[4]));
}

struct DesignResult {
  Errors top, layers;
};

// Estimates every design with a calibration from `fit(d)` and collects errors.
DesignResult evaluate(const std::vector<DesignData>& designs, const std::function<Calibration(size_t)>& fit, bool verbose,
                      const char* label) {
  DesignResult r;
  for (size_t i = 0; i < designs.size(); ++i) {
    const DesignData& d = designs[i];
    const Calibration cal = fit(i);
    const ResourceEstimate est = ResourceEstimator(d.tool, &cal).estimate(d.net);
    r.top.add(totals(est.total), d.top);
    for (size_t k = 0; k < d.net.layers.size(); ++k) {
      if (d.rowOfLayer[k] < 0) continue;
      const LayerEstimate& le = est.layers[k];
      const std::array<double, kMetrics> e{le.dsp, le.lut, le.ff, le.bram18, static_cast<double>(le.latency)};
      const auto& real = d.rows[d.rowOfLayer[k]].y;
      r.layers.add(e, real);
      if (verbose)
        std::printf("INFO %s %-30s %-14s DSP %6.0f/%6.0f LUT %7.0f/%7.0f FF %6.0f/%6.0f BRAM %3.0f/%3.0f lat %3.0f/%3.0f\n", label,
                    d.name.c_str(), d.net.layers[k].name.c_str(), e[0], real[0], e[1], real[1], e[2], real[2], e[3], real[3], e[4], real[4]);
    }
    if (verbose && std::getenv("MMLC_ESTIMATOR_BENCH_FEATURES")) {
      // Diagnosis: the structural features of every layer with a report (what the fit sees).
      for (const CostRow& row : d.rows)
        for (int m = 0; m < kMetrics; ++m) {
          const Features f = featuresOf(row.q, static_cast<Metric>(m));
          std::printf("INFO features %-40s %-8s real %9.0f :", row.name.c_str(), metricName(static_cast<Metric>(m)), row.y[m]);
          for (size_t j = 0; j < f.x.size(); ++j) std::printf(" %s=%.0f", f.names[j].c_str(), f.x[j]);
          std::printf("\n");
        }
    }
    if (verbose)
      std::printf("INFO %s %-30s %-14s DSP %6.0f/%6.0f LUT %7.0f/%7.0f FF %6.0f/%6.0f BRAM %3.0f/%3.0f lat %3.0f/%3.0f\n", label,
                  d.name.c_str(), "TOP", est.total.dsp, d.top[0], est.total.lut, d.top[1], est.total.ff, d.top[2], est.total.bram18,
                  d.top[3], static_cast<double>(est.total.latencyMax), d.top[4]);
  }
  return r;
}

// Held-out N-TORC rows (5 folds over the groups `groupOf` gives) for the model and, with a
// script, the random forest on the same rows and folds; prints INFO and RESULT lines prefixed
// `label`.
void ntorcHeldOut(const std::vector<CostRow>& ntorc, const std::function<std::string(const CostRow&)>& groupOf,
                  const char* forestScript, const std::string& label) {
  const int folds = 5;
  std::vector<int> fold(ntorc.size());
  for (size_t i = 0; i < ntorc.size(); ++i) fold[i] = holdOutFold(groupOf(ntorc[i]), folds);
  std::vector<std::array<double, kMetrics>> ours(ntorc.size());
  for (int f = 0; f < folds; ++f) {
    std::vector<CostRow> train;
    for (size_t i = 0; i < ntorc.size(); ++i)
      if (fold[i] != f) train.push_back(ntorc[i]);
    const Calibration cal = fitCalibration(train);
    for (size_t i = 0; i < ntorc.size(); ++i)
      if (fold[i] == f) ours[i] = predictLayer(cal, ntorc[i].q);
  }
  std::vector<std::array<double, kMetrics>> forest(ntorc.size());
  bool haveForest = false;
  if (forestScript) {
    const fs::path work = fs::temp_directory_path() / ("mmlc_estimator_bench_" + std::to_string(::getpid()));
    fs::create_directories(work);
    {
      std::ofstream out(work / "rows.csv");
      out << "kind,n_in,n_out,seq_len,reuse,fold,dsp,lut,ff,bram18,latency\n";
      for (size_t i = 0; i < ntorc.size(); ++i) {
        const LayerQuery& q = ntorc[i].q;
        out << layerKindName(q.kind) << "," << q.nIn << "," << q.nOut << "," << q.seqLen << "," << q.reuse << "," << fold[i];
        for (double y : ntorc[i].y) {
          out << ",";
          if (std::isfinite(y)) out << y;
        }
        out << "\n";
      }
    }
    const std::string cmd = "/usr/bin/python3 '" + std::string(forestScript) + "' '" + (work / "rows.csv").string() + "' '" +
                            (work / "forest.csv").string() + "'";
    if (std::system(cmd.c_str()) == 0) {
      std::ifstream in(work / "forest.csv");
      std::string line;
      std::getline(in, line);
      for (size_t i = 0; i < ntorc.size() && std::getline(in, line); ++i) {
        std::stringstream ss(line);
        std::string cell;
        for (int m = 0; m < kMetrics && std::getline(ss, cell, ','); ++m) forest[i][m] = cell.empty() ? NAN : std::atof(cell.c_str());
      }
      haveForest = true;
    } else {
      std::printf("INFO random forest not run (%s failed)\n", cmd.c_str());
    }
    fs::remove_all(work);
  }
  if (std::getenv("MMLC_ESTIMATOR_BENCH_NTORC_GROUPS")) {
    // Diagnosis: per configuration, the median real value, held-out estimate and forest.
    std::map<std::string, std::vector<size_t>> byGroup;
    for (size_t i = 0; i < ntorc.size(); ++i) byGroup[ntorc[i].group].push_back(i);
    for (const auto& [g, idx] : byGroup)
      for (int m = 0; m < kMetrics; ++m) {
        std::vector<double> real, est, rf;
        for (size_t i : idx)
          if (std::isfinite(ntorc[i].y[m])) {
            real.push_back(ntorc[i].y[m]);
            est.push_back(ours[i][m]);
            rf.push_back(forest[i][m]);
          }
        if (real.empty()) continue;
        std::printf("INFO %s group %-28s %-7s rows %4zu real %9.1f model %9.1f forest %9.1f\n", label.c_str(), g.c_str(),
                    metricName(static_cast<Metric>(m)), real.size(), median(real), median(est), haveForest ? median(rf) : NAN);
      }
  }
  for (LayerKind kind : {LayerKind::Dense, LayerKind::Conv1D}) {
    for (int m = 0; m < kMetrics; ++m) {
      std::vector<double> a, b;
      for (size_t i = 0; i < ntorc.size(); ++i) {
        if (ntorc[i].q.kind != kind || !std::isfinite(ntorc[i].y[m]) || ntorc[i].y[m] <= 0) continue;
        a.push_back(pct(ours[i][m], ntorc[i].y[m]));
        if (haveForest) b.push_back(pct(forest[i][m], ntorc[i].y[m]));
      }
      if (a.empty()) continue;
      const std::string kindName = kind == LayerKind::Dense ? "dense" : "conv1d";
      std::printf("INFO %s held-out %-6s %-7s model %6.1f%%  forest %6.1f%%  (%zu rows)\n", label.c_str(), kindName.c_str(),
                  metricName(static_cast<Metric>(m)), median(a), haveForest ? median(b) : NAN, a.size());
      std::printf("RESULT %s_%s_%s_median_abs_err_pct=%.2f\n", label.c_str(), kindName.c_str(), metricName(static_cast<Metric>(m)), median(a));
      if (haveForest)
        std::printf("RESULT %s_forest_%s_%s_median_abs_err_pct=%.2f\n", label.c_str(), kindName.c_str(), metricName(static_cast<Metric>(m)), median(b));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: mmlc_estimator_bench FIXTURES_DIR NTORC_DIR [FOREST_SCRIPT]\n");
    return 2;
  }
  try {
    std::vector<DesignData> designs;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(argv[1]))
      if (isDesignWithReports(e.path().string())) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& p : dirs) designs.push_back(readDesign(p.string()));
    const std::vector<CostRow> ntorc = readNtorc(argv[2]);
    std::printf("INFO %zu designs, %zu N-TORC rows\n", designs.size(), ntorc.size());

    const char* forestScript = argc > 3 ? argv[3] : nullptr;
    // MMLC_ESTIMATOR_BENCH_NTORC_ONLY=1: only the N-TORC hold-outs (quick, while working on them).
    const bool ntorcOnly = std::getenv("MMLC_ESTIMATOR_BENCH_NTORC_ONLY") != nullptr;
    // 1. Real designs: leave one design out (N-TORC rows are always in the training set).
    auto fitWithout = [&](long skip) {
      std::vector<CostRow> rows = ntorc;
      std::vector<GlueRow> glue;
      for (size_t j = 0; j < designs.size(); ++j) {
        if (static_cast<long>(j) == skip) continue;
        rows.insert(rows.end(), designs[j].rows.begin(), designs[j].rows.end());
        glue.push_back(designs[j].glue);
      }
      return fitCalibration(rows, glue);
    };
    if (!ntorcOnly) {
    const Calibration all = fitWithout(-1);
    const DesignResult in = evaluate(designs, [&](size_t) { return all; }, false, "in-sample");
    const DesignResult loo = evaluate(designs, [&](size_t i) { return fitWithout(static_cast<long>(i)); }, true, "loo");
    // The analytic model fitted on one design, for reference.
    DesignResult old;
    for (const DesignData& d : designs) {
      const ResourceEstimate est = ResourceEstimator(ResourceModel{}).estimate(d.net);
      old.top.add(totals(est.total), d.top);
    }
    printErrors("top level, leave-one-design-out", loo.top);
    printErrors("top level, in-sample", in.top);
    printErrors("top level, old analytic model", old.top);
    printErrors("per layer, leave-one-design-out", loo.layers);
    printErrors("per layer, in-sample", in.layers);
    std::printf("RESULT loo_median_abs_err_pct_dsp=%.2f\n", median(loo.top.e[0]));
    std::printf("RESULT loo_median_abs_err_pct_lut=%.2f\n", median(loo.top.e[1]));
    std::printf("RESULT loo_median_abs_err_pct_ff=%.2f\n", median(loo.top.e[2]));
    std::printf("RESULT loo_median_abs_err_cycles=%.2f\n", median(loo.top.e[4]));
    std::printf("RESULT loo_worst_abs_err_pct_dsp=%.2f\n", worst(loo.top.e[0]));
    std::printf("RESULT loo_worst_abs_err_pct_lut=%.2f\n", worst(loo.top.e[1]));
    std::printf("RESULT loo_worst_abs_err_pct_ff=%.2f\n", worst(loo.top.e[2]));
    std::printf("RESULT loo_worst_abs_err_cycles=%.2f\n", worst(loo.top.e[4]));
    std::printf("RESULT loo_layer_median_abs_err_pct_dsp=%.2f\n", median(loo.layers.e[0]));
    std::printf("RESULT loo_layer_median_abs_err_pct_lut=%.2f\n", median(loo.layers.e[1]));
    std::printf("RESULT loo_layer_median_abs_err_pct_ff=%.2f\n", median(loo.layers.e[2]));
    std::printf("RESULT loo_layer_median_abs_err_cycles=%.2f\n", median(loo.layers.e[4]));
    std::printf("RESULT insample_median_abs_err_pct_dsp=%.2f\n", median(in.top.e[0]));
    std::printf("RESULT insample_median_abs_err_pct_lut=%.2f\n", median(in.top.e[1]));
    std::printf("RESULT insample_median_abs_err_pct_ff=%.2f\n", median(in.top.e[2]));
    std::printf("RESULT insample_median_abs_err_cycles=%.2f\n", median(in.top.e[4]));

    }

    // 2. N-TORC, 5 folds. By configuration (the hold-out: kind, n_in, n_out, seq_len, RF),
    // and by structure (seq_len left out of the group: Conv1D resources do not depend on it, so
    // a configuration's siblings of other lengths give its resources away to a forest).
    ntorcHeldOut(ntorc, [](const CostRow& r) { return r.group; }, forestScript, "ntorc");
    ntorcHeldOut(ntorc, structureOf, forestScript, "ntorc_bystructure");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "estimator bench failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
