// Resource and latency model of hls4ml-style layers, and the device database.
#include "hls/ResourceEstimator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "hls/ConstWeightStatsCache.h"
#include "hls/DeviceTable.h"
#include "hls/FixedPointSim.h"
#include "hls/LayerKinds.h"

namespace mmlc::hls {

const std::vector<DeviceInfo>& knownDevices() {
  // The table itself is in DeviceTable.h, which the compiler shares to check part names.
  static const std::vector<DeviceInfo> devices = [] {
    std::vector<DeviceInfo> out;
    for (const DeviceRecord& d : kDeviceTable)
      out.push_back({d.family, d.partPrefix, d.dsp, d.lut, d.ff, d.bram18, d.uram, d.dspPortA, d.dspPortB, d.speedFactor});
    return out;
  }();
  return devices;
}

const DeviceInfo& lookupDevice(const std::string& part) {
  // The last part asked for, per thread: the estimator asks for the same part per layer and per
  // feature (a search or `allocate` many times over), and finding it lower-cases the name and
  // scans the table.
  thread_local std::string lastPart;
  thread_local const DeviceInfo* lastDevice = nullptr;
  if (lastDevice && part == lastPart) return *lastDevice;
  const DeviceRecord* record = findDeviceRecord(part);
  if (!record) throw std::invalid_argument(unknownPartMessage(part));
  lastDevice = &knownDevices()[static_cast<size_t>(record - kDeviceTable)];
  lastPart = part;
  return *lastDevice;
}

int csdDigitsWide(unsigned long long u) {
  // The non-adjacent form digit by digit (csdDigits' closed form needs 3u not to overflow).
  int digits = 0;
  while (u) {
    if (u & 1) {
      // A run of ones ...0111 becomes +1000 -0001: the digit is -1 and we carry.
      if ((u & 3) == 3) u += 1;
      else u -= 1;
      ++digits;
    }
    u >>= 1;
  }
  return digits;
}

namespace {

int bitLength(long long n) {
  unsigned long long u = static_cast<unsigned long long>(n < 0 ? -n : n);
  int b = 0;
  while (u) {
    u >>= 1;
    ++b;
  }
  return b;
}

long ceilDiv(long a, long b) { return (a + b - 1) / b; }

int ceilLog2(long n) {
  int b = 0;
  while ((1L << b) < n) ++b;
  return b;
}

// DSP slices for one a x b multiplier (operands wider than the ports are split).
long dspsPerMult(int a, int b, const DeviceInfo& dev) {
  return ceilDiv(std::max(a, 1), dev.dspPortA) * ceilDiv(std::max(b, 1), dev.dspPortB);
}

}  // namespace

LayerEstimate ResourceEstimator::estimateMac(const LayerDesc& l, const FixedType& in, const DeviceInfo& dev,
                                             double clockNs) const {
  const ResourceModel& m = model_;
  LayerEstimate e;
  e.name = l.name;
  e.kind = l.kind;
  const int dataW = in.width, accW = l.accumType.width, wW = l.weightType.width;
  const long pixels = l.kind == LayerKind::Dense ? 1 : static_cast<long>(l.outHeight) * l.outWidth;
  // A depthwise convolution is one kernel-sized dot product per channel.
  const long kernel = static_cast<long>(l.kernelH) * l.kernelW;
  const long nIn = l.kind == LayerKind::Dense ? l.nIn : isDepthwise(l.kind) ? kernel : kernel * l.inChannels;
  const long nOut = l.kind == LayerKind::Dense ? l.nOut : isDepthwise(l.kind) ? l.inChannels : l.nFilters;
  const long rf = l.reuseFactor;
  long nz = 0;
  for (float w : l.weights) nz += fromDouble(w, l.weightType) != 0;

  if (rf == 1 && l.strategy == Strategy::Latency) {
    // Every multiplier is dedicated to one constant weight: synthesis specialises it.
    double lut = 0;
    long dsp = 0, dspMults = 0, lutMults = 0;
    for (float w : l.weights) {
      const Raw q = fromDouble(w, l.weightType);
      if (q == 0) continue;  // no multiplier, no adder
      const int digits = csdDigits(q);
      if (digits >= m.dspMinCsdDigits && dataW >= m.dspMinDataWidth) {
        ++dspMults;
        dsp += dspsPerMult(dataW, bitLength(q) + 1, dev);
      } else {
        ++lutMults;
        lut += (digits - 1) * dataW * m.lutPerAdderBit;  // shift-and-add
      }
    }
    lut += static_cast<double>(nz) * accW * m.lutPerAdderBit;  // accumulation adders
    lut += static_cast<double>(dspMults) * m.lutPerDspMult;
    e.dsp = static_cast<double>(dsp * pixels);
    e.lut = lut * pixels;
    e.dspMultipliers = dspMults * pixels;
    e.lutMultipliers = lutMults * pixels;
    e.ff = (m.ffPerNonZero * nz + m.ffPerOutput * nOut) * accW / 16.0 * pixels;
    const double usable = clockNs * (1 - m.clockUncertaintyFraction);
    const double t = (m.multDelayNs + ceilLog2(nIn + 1) * m.addDelayNs) * dev.speedFactor;
    e.latency = std::max(1L, static_cast<long>(std::ceil(t / usable)));
    e.interval = 1;
    return e;
  }

  // Shared multipliers: weights are multiplexed (no constant specialisation).
  const long totalMults = (l.strategy == Strategy::Resource ? nIn * nOut : nz) * pixels;
  const long mults = ceilDiv(totalMults, rf);
  double lut = 0;
  if (dataW >= m.dspMinDataWidth) {
    e.dsp = static_cast<double>(mults * dspsPerMult(dataW, wW, dev));
    e.dspMultipliers = mults;
    lut += mults * m.lutPerDspMult;
  } else {
    e.lutMultipliers = mults;
    lut += mults * dataW * wW * m.lutPerGenericMultBit;
  }
  lut += static_cast<double>(mults) * accW * m.lutPerAdderBit;  // one accumulating adder per multiplier
  lut += static_cast<double>(mults) * dataW * ceilLog2(rf) * 0.5;  // input multiplexers
  // Weight storage: a word of mults*wW bits per reuse step; deep memories go to BRAM.
  const double wordBits = static_cast<double>(mults) * wW;
  if (rf >= 64) e.bram18 = std::ceil(wordBits / 36.0) * ceilDiv(rf, 512);
  else lut += wordBits * ceilDiv(rf, 64);
  e.lut = lut;
  e.ff = static_cast<double>(nOut * pixels) * accW * 2 + static_cast<double>(mults) * (dataW + wW);
  const double usable = clockNs * (1 - m.clockUncertaintyFraction);
  const double t = (m.multDelayNs + ceilLog2(ceilDiv(nIn, rf) + 1) * m.addDelayNs) * dev.speedFactor;
  e.interval = rf;
  e.latency = rf + std::max(1L, static_cast<long>(std::ceil(t / usable))) + 1;
  return e;
}

LayerEstimate ResourceEstimator::estimateActivation(const LayerDesc& l, const FixedType& in, const DeviceInfo& dev,
                                                    double clockNs) const {
  const ResourceModel& m = model_;
  LayerEstimate e;
  e.name = l.name;
  e.kind = l.kind;
  const long n = l.inputSize();
  const double usable = clockNs * (1 - m.clockUncertaintyFraction);
  if (l.kind == LayerKind::Linear) return e;  // a copy: wiring
  if (l.kind == LayerKind::ReLU) {
    e.lut = n * l.resultType.width * m.reluLutPerBit;
    e.latency = 0;
    return e;
  }
  if (l.kind == LayerKind::LeakyReLU || l.kind == LayerKind::HardTanh) {
    // A sign test (leaky: and a product by the constant alpha) or a clip between two constants
    // after slope*x + shift: comparators and shift-and-add adders of the result's width.
    const double adders = l.kind == LayerKind::LeakyReLU ? std::max(1, csdDigits(fromDouble(l.alpha, l.paramType)) - 1) : 2.0;
    e.lut = n * l.resultType.width * ((l.kind == LayerKind::HardTanh ? 2.0 : 1.0) * m.reluLutPerBit + adders * m.lutPerAdderBit);
    e.latency = 1;
    return e;
  }
  if (l.kind == LayerKind::PReLU) {
    // A sign test and a product by each element's constant slope: shift-and-add adders of the
    // result's width, as many as the slope's CSD digits less one.
    double adders = 0;
    for (float a : l.weights) adders += std::max(1, csdDigits(fromDouble(a, l.weightType)) - 1);
    e.lut = l.resultType.width * (n * m.reluLutPerBit + adders * m.lutPerAdderBit);
    e.latency = 1;
    return e;
  }
  const LayerKindInfo& info = kindInfo(l.kind);
  if (info.hasTable && l.kind != LayerKind::Softmax) {
    // An element-wise lookup (sigmoid, tanh, elu, ... from their descriptors): n parallel
    // lookups; a dual-port BRAM serves two of them.
    const double bits = static_cast<double>(l.tableSize) * l.tableType.width;
    e.bram18 = ceilDiv(n, 2) * std::ceil(bits / 18432.0);
    e.lut = n * in.width * 2.0;
    e.ff = n * l.tableType.width;
    e.latency = 2;
    return e;
  }
  if (l.kind != LayerKind::Softmax) {
    // Any other element-wise activation without a table (hard_sigmoid, clip, a new one): a
    // product by a constant and a clip between two constants, as hard_tanh.
    e.lut = n * l.resultType.width * (2.0 * m.reluLutPerBit + 2.0 * m.lutPerAdderBit);
    e.latency = 1;
    return e;
  }
  // Softmax: n exp lookups (dual-port copies), one inverse lookup, n products.
  const int ew = l.expTableType.width, iw = l.invTableType.width;
  e.bram18 = ceilDiv(n, 2) * std::ceil(static_cast<double>(l.tableSize) * ew / 18432.0) +
             std::ceil(static_cast<double>(l.tableSize) * iw / 18432.0);
  if (std::max(ew, iw) >= m.dspMinDataWidth) {
    e.dsp = static_cast<double>(n * dspsPerMult(ew, iw, dev));
    e.dspMultipliers = n;
  } else {
    e.lut += n * ew * iw * m.lutPerGenericMultBit;
    e.lutMultipliers = n;
  }
  e.lut += n * ew * m.softmaxLutPerBit;
  e.ff = n * ew * m.softmaxFfPerBit;
  e.latency = 3 + static_cast<long>(std::ceil(ceilLog2(n) * m.addDelayNs * dev.speedFactor / usable));
  return e;
}

LayerEstimate ResourceEstimator::estimateOther(const LayerDesc& l, const FixedType& in, const DeviceInfo& dev,
                                               double clockNs) const {
  const ResourceModel& m = model_;
  LayerEstimate e;
  e.name = l.name;
  e.kind = l.kind;
  const long nOut = l.outputSize();
  (void)clockNs;
  switch (l.kind) {
    case LayerKind::BatchNorm: {
      // One multiplier per element by a per-channel constant, plus the shift adder.
      const long perChannel = l.inputSize() / std::max(1, l.inChannels);
      for (float s : l.weights) {
        const Raw q = fromDouble(s, l.weightType);
        if (q == 0) continue;
        if (csdDigits(q) >= m.dspMinCsdDigits && in.width >= m.dspMinDataWidth) {
          e.dsp += static_cast<double>(perChannel * dspsPerMult(in.width, l.weightType.width, dev));
          e.dspMultipliers += perChannel;
          e.lut += perChannel * m.lutPerDspMult;
        } else {
          e.lutMultipliers += perChannel;
          e.lut += perChannel * (csdDigits(q) - 1) * in.width * m.lutPerAdderBit;
        }
      }
      e.lut += static_cast<double>(nOut) * l.resultType.width * m.lutPerAdderBit;
      e.ff = static_cast<double>(nOut) * l.resultType.width;
      e.latency = 1;
      break;
    }
    case LayerKind::MaxPool:
    case LayerKind::AvgPool: {
      const long window = static_cast<long>(l.kernelH) * l.kernelW;
      e.lut = static_cast<double>(nOut) * (window - 1) * in.width * (l.kind == LayerKind::MaxPool ? 2.0 : 1.0);
      if (l.kind == LayerKind::AvgPool && (window & (window - 1)) != 0) e.lut += nOut * in.width * 3.0;  // constant divider
      e.ff = static_cast<double>(nOut) * l.resultType.width;
      e.latency = 1;
      break;
    }
    case LayerKind::GlobalMaxPool:
    case LayerKind::GlobalAvgPool: {
      // One reduction over every pixel per channel: a comparator (max) or adder (average) tree.
      const long window = std::max(1L, l.inputSize() / std::max(1L, nOut));
      e.lut = static_cast<double>(nOut) * (window - 1) * in.width * (l.kind == LayerKind::GlobalMaxPool ? 2.0 : 1.0);
      e.ff = static_cast<double>(nOut) * l.resultType.width;
      e.latency = 1 + ceilLog2(window);
      break;
    }
    case LayerKind::Quantize: {
      // A per-element cast: rounding adds an incrementer, saturation a range check.
      const long n = l.inputSize();
      for (long i = 0; i < n && i < static_cast<long>(l.elementTypes.size()); ++i) {
        const FixedType& t = l.elementTypes[i];
        if (t.width == 0) continue;
        if (t.quant != QuantMode::TRN) e.lut += t.width * m.lutPerAdderBit;
        if (t.overflow != OverflowMode::WRAP) e.lut += t.width * m.reluLutPerBit;
      }
      break;
    }
    case LayerKind::Add:  // one adder of the result's width per element
      e.lut = static_cast<double>(nOut) * l.resultType.width * m.lutPerAdderBit;
      e.ff = static_cast<double>(nOut) * l.resultType.width;
      e.latency = 1;
      break;
    default: break;  // Flatten, ZeroPad, Concatenate, Upsample: wiring only (a stream ZeroPad's counters are in the glue)
  }
  return e;
}

LayerEstimate ResourceEstimator::estimateLayer(const LayerDesc& l, const LayerQuery& q, const ConstWeightStats* stats,
                                               CoefficientChoices* choices) const {
  LayerEstimate e;
  e.name = l.name;
  e.kind = l.kind;
  const auto p = predictLayer(*cal_, q, stats, choices);
  e.dsp = p[0];
  e.lut = p[1];
  e.ff = p[2];
  e.bram18 = p[3];
  e.latency = static_cast<long>(p[4]);
  e.interval = intervalOf(q);
  return e;
}

std::vector<std::vector<LayerEstimate>> ResourceEstimator::estimateSettings(
    const NetworkDesc& netIn, const std::vector<std::vector<LayerSetting>>& settings, ResourceEstimate* asIs) const {
  if (settings.size() > netIn.layers.size())
    throw std::invalid_argument("estimateSettings: more setting lists than the design has layers");
  std::vector<std::vector<LayerEstimate>> out(settings.size());
  if (analytic_) {  // the analytic model has no per-layer query: one estimate per setting
    if (asIs) *asIs = estimate(netIn);
    NetworkDesc variant = netIn;
    for (size_t k = 0; k < settings.size(); ++k) {
      for (const LayerSetting& s : settings[k]) {
        variant.layers[k].reuseFactor = s.reuse;
        variant.layers[k].strategy = s.strategy;
        out[k].push_back(estimate(variant).layers.at(k));
      }
      variant.layers[k] = netIn.layers[k];
    }
    return out;
  }
  NetworkDesc net = netIn;
  net.resolve();
  if (asIs && net.clockPeriodNs <= 0) throw std::invalid_argument("clock period must be positive");
  const std::vector<std::vector<bool>> constant = constantOutputMasks(net);
  std::vector<LayerEstimate> asIsLayers;
  // Which coefficient sets each layer class takes: looked up once per layer kind and I/O style
  // (what the keys and their fallbacks depend on besides the class; the tool is the estimator's),
  // not once per layer and setting.
  std::map<std::pair<LayerKind, IOType>, CoefficientChoices> choicesByKind;
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const bool withSettings = k < settings.size() && !settings[k].empty();
    if (!withSettings && !asIs) continue;
    const LayerDesc& l = net.layers[k];
    if (isInlinedKind(l.kind)) {  // as in estimate(): part of the top-level glue
      LayerEstimate e;
      e.name = l.name;
      e.kind = l.kind;
      if (withSettings) out[k].assign(settings[k].size(), e);
      if (asIs) asIsLayers.push_back(e);
      continue;
    }
    LayerQuery q = queryOf(net, k, tool_, constant);
    // The statistics do not depend on the setting: computed (or looked up) once for the layer.
    ConstWeightStats stats;
    bool haveStats = false;
    // Whether the calibration covers (strategy, reuse class): at most four answers per layer.
    std::map<std::pair<Strategy, bool>, bool> covered;
    CoefficientChoices& choices = choicesByKind[{q.kind, q.io}];
    auto estimateAs = [&](int reuse, Strategy strategy) {
      q.reuse = std::max(1, reuse);  // as queryOf reads a layer's setting
      q.strategy = strategy;
      if (needsConstWeightStats(q) && !haveStats) {
        stats = cache_ ? cache_->statsOf(l.name, q) : constWeightStatsOf(q);
        haveStats = true;
      }
      LayerEstimate e = estimateLayer(l, q, haveStats ? &stats : nullptr, &choices);
      const auto key = std::make_pair(strategy, q.reuse > 1);
      auto it = covered.find(key);
      if (it == covered.end()) it = covered.emplace(key, calibrationCoversReuse(*cal_, q)).first;
      e.reuseCalibrated = it->second;
      return e;
    };
    if (asIs) asIsLayers.push_back(estimateAs(l.reuseFactor, l.strategy));
    if (withSettings)
      for (const LayerSetting& s : settings[k]) out[k].push_back(estimateAs(s.reuse, s.strategy));
  }
  if (asIs) *asIs = assemble(net, std::move(asIsLayers), constant);
  return out;
}

ResourceEstimate ResourceEstimator::estimate(const NetworkDesc& netIn, const std::string& part, double clockNs) const {
  if (analytic_) return estimateAnalytic(netIn, part, clockNs);
  NetworkDesc net = netIn;
  net.resolve();
  if (!part.empty()) net.part = part;
  if (clockNs > 0) net.clockPeriodNs = clockNs;
  if (net.clockPeriodNs <= 0) throw std::invalid_argument("clock period must be positive");
  const std::vector<std::vector<bool>> constant = constantOutputMasks(net);
  std::vector<LayerEstimate> layers;
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const LayerDesc& l = net.layers[k];
    LayerEstimate e;
    e.name = l.name;
    e.kind = l.kind;
    if (!isInlinedKind(l.kind)) {  // inlined casts are part of the top-level glue
      const LayerQuery q = queryOf(net, k, tool_, constant);
      ConstWeightStats stats;
      const bool cached = cache_ && needsConstWeightStats(q);
      if (cached) stats = cache_->statsOf(l.name, q);
      e = estimateLayer(l, q, cached ? &stats : nullptr);
    }
    layers.push_back(e);
  }
  return assemble(net, std::move(layers), constant);
}

ResourceEstimate ResourceEstimator::assemble(const NetworkDesc& net, std::vector<LayerEstimate> layers,
                                             const std::vector<std::vector<bool>>& constant) const {
  const DeviceInfo& dev = lookupDevice(net.part);
  ResourceEstimate r;
  SynthMetrics& t = r.total;
  t.topName = net.name;
  t.part = net.part;
  t.tool = "estimator";
  t.estimated = true;
  t.targetClockNs = net.clockPeriodNs;
  t.estimatedClockNs = net.clockPeriodNs * (1 - model_.clockUncertaintyFraction);
  t.availDsp = dev.dsp;
  t.availLut = dev.lut;
  t.availFf = dev.ff;
  t.availBram18 = dev.bram18;
  t.availUram = dev.uram;
  t.calibration = cal_->description;
  std::vector<double> lat(net.layers.size(), 0.0), layerInterval(net.layers.size(), 0.0);
  long interval = 1;
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const LayerEstimate& e = layers[k];
    lat[k] = static_cast<double>(e.latency);
    if (!isInlinedKind(net.layers[k].kind)) layerInterval[k] = static_cast<double>(e.interval);
    t.dsp += e.dsp;
    t.lut += e.lut;
    t.ff += e.ff;
    t.bram18 += e.bram18;
    interval = std::max(interval, e.interval);
  }
  r.layers = std::move(layers);
  // What the top adds around its layers: registers between calls, inlined casts, call stages.
  t.latencyMax = std::lround(combinedLatency(net.ioType, lat, layerInterval));
  const auto glue = predictGlue(*cal_, glueQueryOf(net, tool_, lat, constant));
  t.dsp = std::round(std::max(0.0, t.dsp + glue[0]));
  t.lut = std::round(std::max(0.0, t.lut + glue[1]));
  t.ff = std::round(std::max(0.0, t.ff + glue[2]));
  t.bram18 = std::round(std::max(0.0, t.bram18 + glue[3]));
  t.latencyMax = t.latencyMin = std::max(0L, t.latencyMax + std::lround(glue[4]));
  t.intervalMin = t.intervalMax = interval;
  // The band: relative residual quantiles of validation (real = est / (1 + err)).
  auto band = [&](double v, int mi, double& lo, double& hi) {
    lo = std::max(0.0, v / (1 + cal_->bandHi[mi]));
    hi = cal_->bandLo[mi] > -1 ? v / (1 + cal_->bandLo[mi]) : v;
    if (lo > hi) std::swap(lo, hi);
  };
  band(t.dsp, 0, t.dspLo, t.dspHi);
  band(t.lut, 1, t.lutLo, t.lutHi);
  band(t.ff, 2, t.ffLo, t.ffHi);
  band(t.bram18, 3, t.bram18Lo, t.bram18Hi);
  band(static_cast<double>(t.latencyMax), 4, t.latencyLo, t.latencyHi);
  return r;
}

ResourceEstimate ResourceEstimator::estimateAnalytic(const NetworkDesc& netIn, const std::string& part, double clockNs) const {
  NetworkDesc net = netIn;
  net.resolve();
  const std::string p = part.empty() ? net.part : part;
  const double clk = clockNs > 0 ? clockNs : net.clockPeriodNs;
  if (clk <= 0) throw std::invalid_argument("clock period must be positive");
  const DeviceInfo& dev = lookupDevice(p);
  ResourceEstimate r;
  SynthMetrics& t = r.total;
  t.topName = net.name;
  t.part = p;
  t.tool = "estimator";
  t.estimated = true;
  t.targetClockNs = clk;
  t.availDsp = dev.dsp;
  t.availLut = dev.lut;
  t.availFf = dev.ff;
  t.availBram18 = dev.bram18;
  t.availUram = dev.uram;
  double registerBits = static_cast<double>(net.inputSize()) * net.inputType.width;
  long latency = 0, interval = 1;
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const LayerDesc& l = net.layers[k];
    const FixedType& in = net.inputTypeOf(k);
    LayerEstimate e;
    const LayerKindInfo& kind = kindInfo(l.kind);
    if (kind.estimate == EstimateFamily::Mac)
      e = estimateMac(l, in, dev, clk);
    else if (kind.estimate == EstimateFamily::Activation)
      e = estimateActivation(l, in, dev, clk);
    else
      e = estimateOther(l, in, dev, clk);
    if (net.ioType == IOType::Stream) {
      // A dataflow process reads one packet (pixel) per cycle before it computes, and writes one
      // per cycle after: its interval is at least its pixel count, its latency grows by both.
      const long inPixels = static_cast<long>(l.inHeight) * l.inWidth, outPixels = static_cast<long>(l.outHeight) * l.outWidth;
      e.interval = std::max({e.interval, inPixels, outPixels});
      e.latency += inPixels + outPixels;
      e.ff += static_cast<double>(l.inputSize()) * in.width;  // the input buffer
    }
    t.dsp += e.dsp;
    t.lut += e.lut;
    t.ff += e.ff;
    t.bram18 += e.bram18;
    // Each sub-function with a registered output adds one stage at the call boundary.
    latency += e.latency + (e.latency > 0 ? 1 : 0);
    interval = std::max(interval, e.interval);
    if (!kind.reshapeOnly) registerBits += static_cast<double>(l.outputSize()) * l.resultType.width;
    r.layers.push_back(e);
  }
  t.ff += registerBits * model_.registerFfPerBit;
  t.dsp = std::round(t.dsp);
  t.lut = std::round(t.lut);
  t.ff = std::round(t.ff);
  t.bram18 = std::round(t.bram18);
  t.latencyMin = t.latencyMax = latency;
  t.intervalMin = t.intervalMax = interval;
  t.estimatedClockNs = clk * (1 - model_.clockUncertaintyFraction);
  return r;
}

}  // namespace mmlc::hls
