// Per-layer cost model of hls4ml layers fitted to real synthesis reports: structural features
// (what Vivado/Vitis HLS builds), linear coefficients per layer class, tool generation and I/O
// style, the fitting procedure, uncertainty bands, and the calibration file. See docs/estimator.md.
#pragma once

#include <array>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "hls/FixedType.h"
#include "hls/NetworkDesc.h"
#include "hls/SynthMetrics.h"

namespace mmlc::hls {

// Vivado HLS (2019/2020) and Vitis HLS (2022+) bind operators differently: separate coefficients.
enum class ToolGen { VivadoHls, VitisHls };
// "vivado_hls", "vivado_hls-2019.1", "vitis_hls-2024.1", "vitis", "2019.2", "2024.1" ... Throws
// std::invalid_argument for anything else.
ToolGen toolGenOf(const std::string& tool);
const char* toolGenName(ToolGen g);  // "vivado" / "vitis"

enum class Metric { Dsp = 0, Lut, Ff, Bram, Latency };
constexpr int kMetrics = 5;
const char* metricName(Metric m);  // "dsp", "lut", "ff", "bram18", "latency"

// One layer as synthesis sees it: enough to rebuild its structure without a whole network.
struct LayerQuery {
  LayerKind kind = LayerKind::Dense;
  long nIn = 0;        // dense: inputs; conv: input channels; element-wise/softmax/pool: elements per pixel
  long nOut = 0;       // dense: outputs; conv: filters; others: elements per output pixel
  long seqLen = 1;     // output pixels (conv/pool width x height); 1 for dense
  long kernel = 1;     // kernel (or pool window) elements
  int reuse = 1;
  Strategy strategy = Strategy::Latency;
  IOType io = IOType::Parallel;
  FixedType dataType = FixedType::fixed(16, 6), weightType = FixedType::fixed(16, 6), accumType = FixedType::fixed(32, 12),
            resultType = FixedType::fixed(16, 6);
  // The quantised constants when known (Dense: nIn x nOut input-major; Conv: kernel x nIn x nOut).
  // Empty: untrained Keras-initialised (glorot-uniform) weights, drawn deterministically.
  std::vector<float> weights;
  // Per input (Dense: nIn; Conv: nIn channels) the bits synthesis sees of that input when the
  // layer before narrows elements individually (HGQ's per-element quantizers): 0 = constant 0.
  // Empty: every input is dataType.width wide.
  std::vector<int> inputWidths;
  int tableSize = 1024, expWidth = 18, invWidth = 18;  // softmax / sigmoid tables
  long elementBits = 0;  // Quantize: sum of the element type widths
  ToolGen tool = ToolGen::VivadoHls;
  double clockNs = 5.0;
  std::string part = "xcu250";
};

// The query of layer `k` of a resolved network (its input type is the previous layer's result).
LayerQuery queryOf(const NetworkDesc& net, size_t k, ToolGen tool);
// Per layer, which of its outputs are constants that synthesis folds away (it propagates constant
// arguments into the layer functions too); all empty for io_stream. Computed once per network:
LayerQuery queryOf(const NetworkDesc& net, size_t k, ToolGen tool, const std::vector<std::vector<bool>>& constantOutputs);
std::vector<std::vector<bool>> constantOutputMasks(const NetworkDesc& net);

// Layer classes with their own feature sets.
enum class LayerClass { MacConst, MacShared, Elementwise, Softmax, Table, Window, Glue };
LayerClass layerClassOf(const LayerQuery& q);
const char* layerClassName(LayerClass c);

// Structural features of one metric (documented in docs/estimator.md with their names).
struct Features {
  std::vector<double> x;
  std::vector<std::string> names;
};
Features featuresOf(const LayerQuery& q, Metric m);

// What the constants of a latency-strategy (constant-multiplier) MAC block become: one pass over
// its weights (CSD digits, operand widths, DSP or LUT binding of each product). It depends on the
// weights, their type, the data and input widths, the shape and the part's DSP ports, not on the
// reuse factor, strategy, tool, I/O style or clock: estimating one layer under many settings needs
// it once (ConstWeightStatsCache.h keeps it across estimates of a design's variants).
struct ConstWeightStats {
  double nz = 0;             // products that exist (non-zero weight, input not constant 0)
  double shiftAdds = 0;      // 2 CSD digits: shift and one adder
  double shiftAddBits = 0;   // ... sum of their data widths (adder bits)
  double dspMults = 0;       // >= 3 digits bound to DSPs
  double dspSlices = 0;      // ... DSP slices they take (operands wider than the ports split)
  double dspOperandBits = 0; // ... sum of data + constant widths (DSP input/pipeline registers)
  double lutMults = 0;       // >= 3 digits bound to LUTs
  double lutMultBits = 0;    // ... sum of data x constant width products (partial-product bits)
  double productBits = 0;    // sum over existing products of data + constant width
};
// The statistics of q's weights (untrained Keras-initialised ones when q.weights is empty).
ConstWeightStats constWeightStatsOf(const LayerQuery& q);
// Whether a query's features read its constant-weight statistics (a latency-strategy MAC block).
bool needsConstWeightStats(const LayerQuery& q);
// featuresOf with the statistics already computed (`stats` null: computed from q when needed);
// the same features either way.
Features featuresOf(const LayerQuery& q, Metric m, const ConstWeightStats* stats);
// The same values into `x` (cleared first), and their names into `names` unless it is null:
// what predictLayer uses, without building a name string per feature.
void featureValuesOf(const LayerQuery& q, Metric m, const ConstWeightStats* stats, std::vector<double>& x,
                     std::vector<std::string>* names);
// Whether a metric of a class is a structural count used as is (not fitted).
bool isStructuralMetric(LayerClass c, Metric m);

// One training/validation row: a layer, its measured metrics (NaN when the report lacks one) and
// the group it comes from (a design or an N-TORC configuration: held out together).
struct CostRow {
  LayerQuery q;
  std::array<double, kMetrics> y{};
  std::string group;
  std::string source;  // "fixture" / "ntorc"
  std::string name;    // for messages: design/layer
};

// What a network adds around its layer functions (registers between calls, inlined casts and
// the call boundaries): the difference between a top-level report and the sum of its layers.
struct GlueQuery {
  double registerBits = 0;  // bits of every layer output and of the input
  double inlinedBits = 0;   // result bits of layers synthesis inlines (Quantize, Linear, Flatten)
  double registeredCalls = 0;  // layer calls with latency > 0
  double calls = 0;            // layer calls (every layer synthesis does not inline)
  ToolGen tool = ToolGen::VivadoHls;
  IOType io = IOType::Parallel;
};
Features glueFeaturesOf(const GlueQuery& g, Metric m);
struct GlueRow {
  GlueQuery g;
  std::array<double, kMetrics> y{};  // top-level report minus the sum of the layer reports
  std::string group;
};
// Kinds whose per-function report does not exist because synthesis inlines them.
bool isInlinedKind(LayerKind k);
// The glue features of a network given its layers' latencies (0 for inlined layers).
GlueQuery glueQueryOf(const NetworkDesc& net, ToolGen tool, const std::vector<double>& layerLatency);
GlueQuery glueQueryOf(const NetworkDesc& net, ToolGen tool, const std::vector<double>& layerLatency,
                      const std::vector<std::vector<bool>>& constantOutputs);
// The latency of a network from its layers' latencies and intervals before glue: io_parallel
// calls run one after another (the sum); io_stream layers are dataflow processes that overlap,
// so the slowest one plus the pipeline fill (latency - interval) of the others.
double combinedLatency(IOType io, const std::vector<double>& latency, const std::vector<double>& interval);

// A fitted linear model per (class, tool, io, metric) plus the relative residual quantiles
// used as the uncertainty band.
struct CoefficientSet {
  std::vector<double> beta;
  long rows = 0;
  // The reuse factors of the rows it was fitted on, least and greatest (0: not recorded, as in
  // calibration files written before they were): what reuse factors its estimates interpolate.
  int minReuse = 0, maxReuse = 0;
};
// Whether `s` was fitted on rows of the reuse class of `reuse`: reuse factor 1 (everything
// unrolled) and reuse factors above 1 (shared multipliers or steps) are built differently, so a
// set fitted only on one class extrapolates to the other. A set without a recorded range covers both.
bool coversReuse(const CoefficientSet& s, int reuse);
// Resources of layers measured by synthesis, for layers whose hardware does not depend on how
// many pixels they stream (io_stream convolutions: one pixel's datapath, reused for every pixel):
// the median DSP, LUT, FF and BRAM of the measured layers of one structure.
struct MeasuredLayer {
  std::array<double, 4> resources{};  // dsp, lut, ff, bram18 (NaN: not reported)
  long rows = 0;
};
// The structure key of such a layer: everything synthesis builds from (kind, channels, filters,
// kernel, reuse, strategy, types, constants, tool, part, clock) except its length; "" for layers
// whose resources grow with their length or size.
std::string measuredStructureKey(const LayerQuery& q);
struct Calibration {
  std::map<std::string, CoefficientSet> sets;  // key: class/tool/io/metric
  std::map<std::string, MeasuredLayer> measured;  // key: measuredStructureKey
  // Relative error band (p10, p90 of (pred - real)/real) per metric, from validation residuals.
  std::array<double, kMetrics> bandLo{}, bandHi{};
  double bramThresholdRf = 64;  // resource strategy: weights go to BRAM from this reuse factor on
  std::string description = "uncalibrated";
  void write(std::ostream& os) const;
  static Calibration read(std::istream& is, const std::string& source);
  static Calibration readFile(const std::string& path);
};

// Fitting procedure: for each key, non-negative least squares on the rows' features with
// each row weighted by 1/max(|y|, floor) (relative error) and groups balanced so that a design with
// many rows does not drown one with few.
Calibration fitCalibration(const std::vector<CostRow>& rows, const std::vector<GlueRow>& glue = {});
std::array<double, kMetrics> predictGlue(const Calibration& cal, const GlueQuery& g);

// Prediction for one layer; metrics the model has no coefficients for fall back from
// (tool, io) to the other tool, then the other io, then to the structural prior (coefficient 1).
// A layer whose structure the calibration has measured (Calibration::measured) takes the
// measured resources; its latency is still the model's (it depends on the length).
std::array<double, kMetrics> predictLayer(const Calibration& cal, const LayerQuery& q);
// The same with q's constant-weight statistics already computed (null: computed once from q).
std::array<double, kMetrics> predictLayer(const Calibration& cal, const LayerQuery& q, const ConstWeightStats* stats);
// Which coefficient set (or the structural prior) each layer class and metric of one layer takes:
// it depends on the class, the layer's kind, tool and I/O style and the calibration, not on the
// reuse factor. Estimating layers under many settings (ResourceEstimator::estimateSettings)
// keeps one per layer kind and I/O style, so the calibration's keys are looked up once per kind,
// class and metric instead of once per layer and setting. Only for queries of one layer kind, tool and I/O style and one
// calibration.
struct CoefficientChoices {
  static constexpr int kClasses = 7;  // LayerClass values
  std::array<std::array<const CoefficientSet*, kMetrics>, kClasses> set{};
  std::array<std::array<bool, kMetrics>, kClasses> known{};
};
// predictLayer remembering its choices in `choices` (null: none); the same figures.
std::array<double, kMetrics> predictLayer(const Calibration& cal, const LayerQuery& q, const ConstWeightStats* stats,
                                          CoefficientChoices* choices);
// Whether the calibration holds layers like q at q's reuse class (coversReuse): rows of q's layer
// class and kind (its strategy: constant multipliers or shared ones; dense or convolution), under
// any tool or I/O style, at reuse factor 1 when q's is 1, above 1 otherwise. A constant-multiplier
// convolution is the dense kernel once per pixel, so dense rows count for it too. A calibration
// that records no reuse ranges (files written before them) covers everything.
bool calibrationCoversReuse(const Calibration& cal, const LayerQuery& q);
// The initiation interval of the layer (structural, not fitted): RF for shared multipliers,
// times the pixels streamed for io_stream.
long intervalOf(const LayerQuery& q);

// The shipped calibration (fitted on the seven fixture projects and N-TORC's data by
// `mmlc estimator calibrate`, in runtime/hls/calibration/default.cal).
const Calibration& defaultCalibration();

// Non-negative least squares (Lawson-Hanson): argmin |A b - y|, b >= 0. Exposed for tests.
std::vector<double> nnls(const std::vector<std::vector<double>>& a, const std::vector<double>& y);

}  // namespace mmlc::hls
