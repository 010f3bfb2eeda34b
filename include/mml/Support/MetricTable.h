// The metrics each level of value gives (`x.name` in a flow): one table that the compiler's
// types, the runtime's producers, the reports and `mmlc metrics` (hence docs/language.md) read.
// Header-only and dependency-free, so the dialect, the runtime and the tools share it.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace mml {

/// What it takes to produce a metric when a flow reads it.
enum class MetricSource {
  Structure, ///< counted from the model itself (parameters, non-zeros, MACs)
  Data,      ///< measured on the model's test split (a trained model)
  Simulator, ///< the bit-exact fixed-point simulator on the test split
  CSim,      ///< C simulation: compiles the HLS project with g++ and runs it (seconds to minutes)
  Estimate,  ///< the resource/latency estimator, or the vendor's report after a real synthesis
  Device,    ///< the device's datasheet (device table)
  DataSet,   ///< the data set's shape
  Record,    ///< whatever the task that made a `metrics` record measured
};

struct MetricInfo {
  std::string_view name;
  std::string_view meaning;
  MetricSource source;
};

/// The metrics of one level of value (`dnn`, `hls`, `rtl`, `metrics`, `data`, `device`).
struct MetricLevel {
  std::string_view level;
  const MetricInfo *begin_;
  const MetricInfo *end_;
  const MetricInfo *begin() const { return begin_; }
  const MetricInfo *end() const { return end_; }
  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  const MetricInfo *find(std::string_view name) const {
    const MetricInfo *it =
        std::find_if(begin_, end_, [&](const MetricInfo &m) { return m.name == name; });
    return it == end_ ? nullptr : it;
  }
  /// A `metrics` record is open: an extern task's record holds whatever its command printed.
  bool open() const { return level == "metrics"; }
};

namespace detail {
using S = MetricSource;
// clang-format off
inline constexpr MetricInfo kModelStructure[] = {
    {"params", "weights and biases of the weighted layers", S::Structure},
    {"nonzero", "parameters that are not zero (after pruning)", S::Structure},
    {"sparsity", "share of parameters that are zero: 1 - nonzero / params", S::Structure},
};
inline constexpr MetricInfo kDnn[] = {
    {"accuracy", "share of the test split classified right (float forward pass)", S::Data},
    {"loss", "the training loss on the test split", S::Data},
    {"balanced_accuracy", "mean over classes of the per-class recall on the test split", S::Data},
    {"macs", "multiply-accumulates of one inference, zero weights skipped", S::Structure},
    kModelStructure[0], kModelStructure[1], kModelStructure[2],
};
// An `hls` and an `rtl` model give the same metrics: the estimator's, or the vendor report's
// after a real `synth`.
inline constexpr MetricInfo kDesign[] = {
    {"accuracy", "share of the test split classified right by the bit-exact simulator", S::Simulator},
    {"csim_accuracy", "share of the test split classified right by the C simulation of the HLS project", S::CSim},
    {"dsp", "DSP slices", S::Estimate},
    {"lut", "look-up tables", S::Estimate},
    {"ff", "flip-flops", S::Estimate},
    {"bram", "BRAM (18 Kb blocks)", S::Estimate},
    {"latency", "latency in clock cycles (worst case)", S::Estimate},
    {"latency_ns", "latency in ns: latency * clock_ns", S::Estimate},
    {"ii", "initiation interval in cycles (worst case)", S::Estimate},
    {"clock_ns", "the target clock period in ns", S::Estimate},
    {"estimated", "1 when the numbers come from the estimator, 0 from a vendor report", S::Estimate},
    {"fits", "1 when every resource is within the device's capacity", S::Estimate},
    {"dsp_util", "DSPs used / DSPs of the device", S::Estimate},
    {"lut_util", "LUTs used / LUTs of the device", S::Estimate},
    {"ff_util", "FFs used / FFs of the device", S::Estimate},
    {"bram_util", "BRAMs used / BRAMs of the device", S::Estimate},
    kModelStructure[0], kModelStructure[1], kModelStructure[2],
};
// A `metrics` record holds what the task that made it measured (an extern task's: whatever its
// command printed); these are the names the built-in tasks record.
inline constexpr MetricInfo kRecord[] = {
    {"accuracy", "evaluate: accuracy on the split", S::Record},
    {"loss", "evaluate: loss on the split", S::Record},
    {"balanced_accuracy", "evaluate: balanced accuracy on the split", S::Record},
    {"macs", "evaluate: multiply-accumulates of one inference", S::Record},
    {"params", "evaluate: parameters", S::Record},
    {"nonzero", "evaluate: non-zero parameters", S::Record},
    {"sparsity", "evaluate: share of zero parameters", S::Record},
    {"dsp", "estimate: DSP slices", S::Record},
    {"lut", "estimate: look-up tables", S::Record},
    {"ff", "estimate: flip-flops", S::Record},
    {"bram", "estimate: BRAM (18 Kb blocks)", S::Record},
    {"latency", "estimate: latency in cycles", S::Record},
    {"latency_ns", "estimate: latency in ns", S::Record},
    {"ii", "estimate: initiation interval in cycles", S::Record},
    {"clock_ns", "estimate: the target clock period in ns", S::Record},
    {"estimated", "estimate: 1 (an estimate, not a vendor report)", S::Record},
    {"fits", "estimate: 1 when the design fits its device", S::Record},
    {"dsp_util", "estimate: share of the device's DSPs (also lut_util, ff_util, bram_util)", S::Record},
    {"dsp_hi", "estimate: upper end of the DSP band (also dsp_lo, lut_lo/hi, ff_lo/hi, bram_lo/hi, latency_lo/hi)", S::Record},
    {"csim_accuracy", "csim: accuracy of the C simulation", S::Record},
    {"sim_accuracy", "csim: accuracy of the bit-exact simulator on the same samples", S::Record},
    {"mismatches", "csim: samples where the C simulation and the simulator differ", S::Record},
    {"samples", "csim: samples simulated", S::Record},
};
inline constexpr MetricInfo kData[] = {
    {"samples", "samples in the training split", S::DataSet},
    {"features", "inputs per sample", S::DataSet},
    {"classes", "number of classes", S::DataSet},
};
inline constexpr MetricInfo kDevice[] = {
    {"dsp", "DSP slices of the device", S::Device},
    {"lut", "LUTs of the device", S::Device},
    {"ff", "flip-flops of the device", S::Device},
    {"bram", "BRAM (18 Kb blocks) of the device", S::Device},
    {"clock_ns", "the target clock period in ns", S::Device},
};
// clang-format on
template <size_t N> constexpr MetricLevel level(std::string_view name, const MetricInfo (&m)[N]) {
  return MetricLevel{name, m, m + N};
}
inline constexpr MetricLevel kLevels[] = {
    level("dnn", kDnn),         level("hls", kDesign), level("rtl", kDesign),
    level("metrics", kRecord),  level("data", kData), level("device", kDevice),
};
} // namespace detail

/// Every level with metrics, in the order the docs list them.
inline const MetricLevel *metricLevelsBegin() { return detail::kLevels; }
inline const MetricLevel *metricLevelsEnd() { return std::end(detail::kLevels); }

/// The metrics of `level` (a source type name: "dnn", "hls", ...); nullptr when it has none.
inline const MetricLevel *metricLevel(std::string_view level) {
  for (const MetricLevel &l : detail::kLevels)
    if (l.level == level) return &l;
  return nullptr;
}

} // namespace mml
