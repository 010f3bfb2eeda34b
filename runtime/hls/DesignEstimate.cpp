// The estimator a flow uses (the calibrated model: shipped or a calibration file), its band, and the calibration-file cache.
#include "hls/DesignEstimate.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

#include "hls/ResourceEstimator.h"

namespace mmlc::hls {

std::shared_ptr<const Calibration> loadCalibration(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Calibration>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  auto cal = std::make_shared<const Calibration>(Calibration::readFile(path));
  cache[path] = cal;
  return cal;
}

ToolGen calibrationTool(const Calibration& cal) {
  long rows[2] = {0, 0};
  const std::string glue = std::string(layerClassName(LayerClass::Glue)) + "/";
  for (const auto& [key, set] : cal.sets)
    if (key.rfind(glue, 0) == 0 && key.size() > 4 && key.compare(key.size() - 4, 4, "/lut") == 0) {
      const std::string rest = key.substr(glue.size());
      const ToolGen t = rest.rfind(toolGenName(ToolGen::VitisHls), 0) == 0 ? ToolGen::VitisHls : ToolGen::VivadoHls;
      rows[static_cast<int>(t)] += set.rows;
    }
  return rows[static_cast<int>(ToolGen::VitisHls)] > rows[static_cast<int>(ToolGen::VivadoHls)] ? ToolGen::VitisHls
                                                                                                  : ToolGen::VivadoHls;
}

void bandOf(double v, double errLo, double errHi, double& lo, double& hi) {
  lo = std::max(0.0, v / (1 + errHi));
  hi = errLo > -1 ? v / (1 + errLo) : v;
  if (lo > hi) std::swap(lo, hi);
}

SynthMetrics estimateDesign(const NetworkDesc& net, const EstimatorChoice& choice, ToolGen defaultTool) {
  SynthMetrics t;
  if (!choice.calibration) {
    // The shipped calibration (its band comes with it).
    t = ResourceEstimator(defaultTool).estimate(net).total;
    t.calibration = "calibrated per-layer model, shipped calibration (" + defaultCalibration().description + "; " +
                    toolGenName(defaultTool) + " coefficients)";
  } else {
    const Calibration& cal = *choice.calibration;
    t = ResourceEstimator(calibrationTool(cal), &cal).estimate(net).total;  // carries the calibration's band
    // A calibration fitted on fewer than two real designs has no leave-one-out residuals: it
    // claims no band (rather than a zero-width one).
    if (std::all_of(cal.bandLo.begin(), cal.bandLo.end(), [](double v) { return v == 0; }) &&
        std::all_of(cal.bandHi.begin(), cal.bandHi.end(), [](double v) { return v == 0; }))
      t.dspLo = t.dspHi = t.lutLo = t.lutHi = t.ffLo = t.ffHi = t.bram18Lo = t.bram18Hi = t.latencyLo = t.latencyHi = 0;
    t.calibration = "calibrated per-layer model, calibration file " + choice.file + " (" + cal.description + "; " +
                    toolGenName(calibrationTool(cal)) + " coefficients)";
  }
  t.estimated = true;
  return t;
}

namespace {
ResourceEstimator estimatorOf(const EstimatorChoice& choice, ToolGen defaultTool, ConstWeightStatsCache* cache) {
  ResourceEstimator e = choice.calibration ? ResourceEstimator(calibrationTool(*choice.calibration), choice.calibration.get())
                                           : ResourceEstimator(defaultTool);
  e.useCache(cache);
  return e;
}
}  // namespace

ResourceEstimate estimateDesignLayers(const NetworkDesc& net, const EstimatorChoice& choice, ToolGen defaultTool,
                                      ConstWeightStatsCache* cache) {
  return estimatorOf(choice, defaultTool, cache).estimate(net);
}

std::vector<std::vector<LayerEstimate>> estimateLayerSettings(const NetworkDesc& net,
                                                              const std::vector<std::vector<LayerSetting>>& settings,
                                                              const EstimatorChoice& choice, ToolGen defaultTool,
                                                              ConstWeightStatsCache* cache, ResourceEstimate* asIs) {
  return estimatorOf(choice, defaultTool, cache).estimateSettings(net, settings, asIs);
}

}  // namespace mmlc::hls
