// Structural features, non-negative least-squares fit, prediction and calibration file of the
// per-layer cost model (docs/estimator.md explains each feature).
#include "hls/LayerModel.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "hls/FixedPointSim.h"
#include "hls/LayerKinds.h"
#include "hls/ResourceEstimator.h"

namespace mmlc::hls {

ToolGen toolGenOf(const std::string& toolIn) {
  std::string t = toolIn;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t.rfind("vitis", 0) == 0) return ToolGen::VitisHls;
  if (t.rfind("vivado", 0) == 0) return ToolGen::VivadoHls;
  // A bare version: 2019.x/2020.x are Vivado HLS, 2021+ Vitis HLS (Vivado HLS ended with 2020.1).
  if (t.size() >= 4 && std::isdigit(static_cast<unsigned char>(t[0]))) {
    const int year = std::atoi(t.c_str());
    if (year >= 2015 && year <= 2020) return ToolGen::VivadoHls;
    if (year >= 2021 && year < 2100) return ToolGen::VitisHls;
  }
  throw std::invalid_argument("unknown HLS tool '" + toolIn + "' (expected vivado_hls-YYYY.N or vitis_hls-YYYY.N)");
}

const char* toolGenName(ToolGen g) { return g == ToolGen::VivadoHls ? "vivado" : "vitis"; }

const char* metricName(Metric m) {
  static const char* names[] = {"dsp", "lut", "ff", "bram18", "latency"};
  return names[static_cast<int>(m)];
}

const char* layerClassName(LayerClass c) {
  switch (c) {
    case LayerClass::MacConst: return "mac_const";
    case LayerClass::MacShared: return "mac_shared";
    case LayerClass::Elementwise: return "elementwise";
    case LayerClass::Softmax: return "softmax";
    case LayerClass::Table: return "table";
    case LayerClass::Window: return "window";
    case LayerClass::Glue: return "glue";
  }
  return "?";
}

LayerClass layerClassOf(const LayerQuery& q) {
  switch (q.kind) {
    case LayerKind::Dense:
    case LayerKind::Conv1D:
    case LayerKind::Conv2D:
      // Resource strategy reads weights from memory through ceil(K*n_out/RF) shared multipliers;
      // latency strategy keeps every weight a constant (hls4ml's RF>1 latency only limits the
      // multiplier count, which Vivado/Vitis largely ignore for constant multiplications).
      return q.strategy == Strategy::Resource ? LayerClass::MacShared : LayerClass::MacConst;
    case LayerKind::Softmax: return LayerClass::Softmax;
    case LayerKind::Quantize:
    case LayerKind::Add:           // one adder per element
    case LayerKind::Concatenate:   // wiring and casts
    case LayerKind::Upsample: return LayerClass::Elementwise;  // copies
    default: {
      // The element-wise activations, from their descriptors: lookups when they have tables,
      // comparators and adders otherwise (a new activation needs no case here).
      const LayerKindInfo& info = kindInfo(q.kind);
      if (info.isActivation) return info.hasTable ? LayerClass::Table : LayerClass::Elementwise;
      return LayerClass::Window;
    }
  }
}

namespace {

long ceilDiv(long a, long b) { return (a + b - 1) / b; }
double log2c(double n) { return n <= 1 ? 0.0 : std::ceil(std::log2(n)); }

// How HLS binds a multiplication by a constant that stays a multiplier (3 or more CSD digits:
// fewer become shifts and one adder). Read off the operator tables of the per-function reports
// of Vivado HLS 2019.2 and Vitis HLS 2024.1 (docs/estimator.md): a DSP when the data operand is
// at least 11 bits wide and the constant at least 5 bits (its odd part, signed width for
// negative constants); 16x4, 10x8, 9x7 and 6x6 products are LUT multipliers, 12x6 and 16x5 DSPs.
constexpr int kDspMinDataWidth = 11;
constexpr int kDspMinConstWidth = 5;


int bitLength(long long n) {
  const unsigned long long u = static_cast<unsigned long long>(n < 0 ? -n : n);
  return u == 0 ? 0 : 64 - __builtin_clzll(u);
}

// Width HLS gives a constant operand: its odd part, unsigned when positive, two's complement
// when negative (11 -> 4 bits, -11 -> 5 bits).
int constWidth(long long r) {
  if (r != 0) r >>= __builtin_ctzll(static_cast<unsigned long long>(r));  // the odd part (an exact division)
  return r >= 0 ? bitLength(r) : bitLength(-r - 1) + 1;
}


}  // namespace

ConstWeightStats constWeightStatsOf(const LayerQuery& q) {
  const DeviceInfo& dev = lookupDevice(q.part);
  const long k = q.nIn * q.kernel, n = k * q.nOut;
  std::vector<float> synth;
  const std::vector<float>* w = &q.weights;
  if (static_cast<long>(q.weights.size()) != n) {
    // Untrained layer: Keras glorot-uniform weights, the same every time for the same shape.
    synth.resize(static_cast<size_t>(std::max(0L, n)));
    const double fanIn = static_cast<double>(k), fanOut = static_cast<double>(q.nOut * q.kernel);
    const double limit = std::sqrt(6.0 / std::max(1.0, fanIn + fanOut));
    std::mt19937 rng(static_cast<unsigned>(k * 7919 + q.nOut * 104729 + q.kernel));
    std::uniform_real_distribution<double> u(-limit, limit);
    for (float& v : synth) v = static_cast<float>(u(rng));
    w = &synth;
  }
  ConstWeightStats s;
  // The slices of one DSP multiplier per port-B split of a constant of width cw (0..65 bits),
  // so the pass below does no division per weight.
  std::array<long, 66> portBSplits{};
  for (int cw = 0; cw < static_cast<int>(portBSplits.size()); ++cw) portBSplits[static_cast<size_t>(cw)] = (cw + dev.dspPortB - 1) / dev.dspPortB;
  const DoubleToFixed toWeight(q.weightType);
  // Weights are input-major (kernel tap, input, output): one row of n_out weights per input and tap.
  const long inputs = std::max(1L, q.nIn), rowLength = q.nOut;
  for (long row = 0; row * rowLength < n; ++row) {
    const long input = row % inputs;
    const int dw = static_cast<size_t>(input) < q.inputWidths.size() ? q.inputWidths[input] : q.dataType.width;
    if (dw <= 0) continue;  // the input is the constant 0
    const bool wideData = dw >= kDspMinDataWidth;
    const long portASplits = (dw + dev.dspPortA - 1) / dev.dspPortA;
    const float* weights = w->data() + row * rowLength;
    // The row's sums in integers (exact; added to the statistics' doubles once per row).
    long nz = 0, productBits = 0, shiftAdds = 0, dspMults = 0, dspSlices = 0, dspOperandBits = 0, lutMults = 0,
         lutMultBits = 0;
    // Without branches on the weights' values (random weights made them mispredicted about
    // every other weight): each test is a 0/1 factor; a zero weight has 0 digits and width 0.
    for (long j = 0; j < rowLength; ++j) {
      const Raw r = toWeight(weights[j]);
      const long exists = r != 0;
      const int d = csdDigits(r), cw = constWidth(r);
      const long mult = d >= 3, dsp = mult & static_cast<long>(wideData && cw >= kDspMinConstWidth);
      nz += exists;
      productBits += exists * (dw + cw);
      shiftAdds += d == 2;
      dspMults += dsp;
      dspSlices += dsp * portASplits * portBSplits[static_cast<size_t>(cw)];
      dspOperandBits += dsp * (dw + cw);
      lutMults += mult - dsp;
      lutMultBits += (mult - dsp) * static_cast<long>(dw) * cw;
    }
    s.nz += nz;
    s.productBits += productBits;
    s.shiftAdds += shiftAdds;
    s.shiftAddBits += static_cast<double>(shiftAdds * dw);
    s.dspMults += dspMults;
    s.dspSlices += static_cast<double>(dspSlices);
    s.dspOperandBits += dspOperandBits;
    s.lutMults += lutMults;
    s.lutMultBits += static_cast<double>(lutMultBits);
  }
  return s;
}

bool needsConstWeightStats(const LayerQuery& q) { return layerClassOf(q) == LayerClass::MacConst; }

namespace {

// DSP slices of one data x weight product on the query's part (operands split over the ports).
double dspsPerMult(const LayerQuery& q, int wBits) {
  const DeviceInfo& dev = lookupDevice(q.part);
  return static_cast<double>(ceilDiv(std::max(q.dataType.width, 1), dev.dspPortA) * ceilDiv(std::max(wBits, 1), dev.dspPortB));
}

}  // namespace

long intervalOf(const LayerQuery& q) {
  const LayerClass c = layerClassOf(q);
  long ii = c == LayerClass::MacShared || (c == LayerClass::MacConst && q.reuse > 1) ? q.reuse : 1;
  if (q.io == IOType::Stream) ii = std::max(ii, q.seqLen * (c == LayerClass::MacShared ? q.reuse : 1));
  return ii;
}

Features featuresOf(const LayerQuery& q, Metric m) { return featuresOf(q, m, nullptr); }

Features featuresOf(const LayerQuery& q, Metric m, const ConstWeightStats* stats) {
  Features f;
  featureValuesOf(q, m, stats, f.x, &f.names);
  return f;
}

void featureValuesOf(const LayerQuery& q, Metric m, const ConstWeightStats* stats, std::vector<double>& x,
                     std::vector<std::string>* names) {
  x.clear();
  if (names) names->clear();
  auto add = [&](const char* name, double v) {
    if (names) names->emplace_back(name);
    x.push_back(v);
  };
  const bool stream = q.io == IOType::Stream;
  const int dw = q.dataType.width, ww = q.weightType.width, aw = q.accumType.width, rw = q.resultType.width;
  const double K = static_cast<double>(q.nIn * q.kernel);  // products per output
  // io_parallel conv is unrolled over output pixels; io_stream computes one pixel at a time.
  const double copies = stream ? 1.0 : static_cast<double>(q.seqLen);
  const double pixels = static_cast<double>(q.seqLen);
  const bool wide = dw >= kDspMinDataWidth;  // narrower data operands are multiplied in LUTs
  switch (layerClassOf(q)) {
    case LayerClass::MacConst: {
      ConstWeightStats computed;
      if (!stats) computed = constWeightStatsOf(q);
      const ConstWeightStats& s = stats ? *stats : computed;
      // A register stage after the multipliers: Vitis instantiates every multiplier (DSP or LUT)
      // as a one-stage operator; Vivado HLS 2019 keeps them as combinational expressions and its
      // timing-driven scheduler put a stage after DSP multipliers at 5 ns, none after LUT ones
      // (jet-qkeras6's 6-bit layers: latency 0, no FF). Only shifts and adders: combinational.
      const bool lutMultStage = q.tool == ToolGen::VitisHls;
      const double staged = s.dspMults > 0 || (lutMultStage && s.lutMults > 0) ? 1.0 : 0.0;
      switch (m) {
        case Metric::Dsp: add("dsp_mult_slices", copies * s.dspSlices); break;
        case Metric::Lut:
          add("shift_add_bits", copies * s.shiftAddBits);
          add("lut_mult_bits", copies * s.lutMultBits);
          add("accum_adder_bits", copies * s.nz * aw);
          add("dsp_glue", copies * s.dspMults);
          add("output_bits", copies * q.nOut * rw);
          add("stream_buffer_bits", stream ? K * dw : 0);
          add("const", 1);
          break;
        case Metric::Ff:
          add("staged_output_accum_bits", copies * staged * q.nOut * aw);
          add("staged_dsp_operand_bits", copies * staged * s.dspOperandBits);
          // Values crossing the stage: products built in the fabric (shifts, shift-adds, LUT
          // multipliers) are registered at their width; DSPs keep theirs in the slice.
          add("staged_fabric_product_bits", copies * staged * (s.productBits - s.dspOperandBits));
          add("stream_buffer_bits", stream ? K * dw : 0);
          add("stream_const", stream ? 1 : 0);
          break;
        case Metric::Bram:
          add("stream_line_buffer_kb", stream && q.kernel > 1 ? std::ceil(K * dw / 18432.0) : 0);
          break;
        case Metric::Latency:
          add("mult_stage", staged);
          add("adder_tree_depth", staged * log2c(K + 1) * 5.0 / q.clockNs);
          add("reuse_steps", q.reuse - 1);
          add("stream_pixels", stream ? pixels : 0);
          add("stream_const", stream ? 1 : 0);
          break;
      }
      break;
    }
    case LayerClass::MacShared: {
      // hls4ml resource strategy: block_factor = ceil(K*n_out/RF) multipliers, the weights
      // reshaped into RF words of block_factor weights. With RF < K (dense_resource_rf_leq_nin)
      // multiplier m reads input ir + (m mod K/RF)*RF at reuse step ir: an RF:1 mux per
      // multiplier, K/RF products per output summed each step; with RF >= K every multiplier
      // reads data[ir mod K]: one shared K:1 mux, one product per output per step.
      const double mults = static_cast<double>(ceilDiv(static_cast<long>(K) * q.nOut, q.reuse));
      const double rf = q.reuse;
      const double steps = std::min(rf, K * q.nOut);  // reuse steps actually taken
      const bool leqIn = rf < K;
      const double perOutput = std::max(1.0, std::floor(mults / std::max(1L, q.nOut)));  // products per output per step
      switch (m) {
        case Metric::Dsp:
          add("mult_dsps", wide ? mults * dspsPerMult(q, ww) : 0);
          add("mult_narrow", wide ? 0 : mults);
          break;
        case Metric::Lut:
          add("accum_bits_rf_lt_k", leqIn ? mults * aw : 0);
          add("accum_bits_rf_ge_k", leqIn ? 0 : mults * aw);
          // Mux inputs: RF per multiplier below K, one shared K-input mux from K on.
          add("input_mux_bits", (leqIn ? mults * steps : K) * dw);
          add("mux_select_bits", mults * dw * log2c(rf));
          add("lutrom_weight_bits", rf < 64 ? K * q.nOut * ww / 64.0 : 0);
          add("output_accum_bits", q.nOut * aw * log2c(rf));
          // The adder tree of the products of one output (K/RF of them below K).
          add("output_tree_bits", q.nOut * aw * log2c(perOutput));
          // Below K, each multiplier's product is steered to its output's accumulator: the LUTs
          // grow with multipliers x outputs (N-TORC's dense layers: ~290 + 4 n_out LUT per
          // multiplier for n_in <= 256). In dense_resource_rf_leq_nin the target of multiplier m
          // is in fact fixed (acc[m / (K/RF)]); B*acc*log2(n_out), tried in its place, bounds the
          // extrapolation better (1024x64 at RF 64: 373 k vs 398 k LUT, real 313 k) but lost 0.9
          // points on N-TORC's held-out dense LUT (9.3 -> 10.2 %), so this term stays; with a
          // fitted coefficient (0.08 LUT per bit) it does not blow up (docs/estimator.md).
          add("accum_steer_bits", leqIn ? mults * q.nOut * aw : 0);
          add("input_bits", K * dw);
          add("const", 1);
          break;
        case Metric::Ff:
          add("accum_bits_rf_lt_k", leqIn ? mults * aw : 0);
          add("accum_bits_rf_ge_k", leqIn ? 0 : mults * aw);
          add("output_accum_bits", q.nOut * aw);
          // One register level per adder-tree level of each output's products.
          add("output_tree_bits", q.nOut * aw * log2c(perOutput));
          add("input_bits", K * dw);
          add("const", 1);
          break;
        case Metric::Bram: {
          // The reshaped weights: a ROM of RF words of block_factor weights. Read off N-TORC's
          // Vivado HLS 2019.1 rows: the word is cut into 36-bit BRAM18 columns (512 deep) and a
          // leftover of at most 8 bits goes to distributed RAM; a ROM of at most 1 Kbit is all
          // distributed; ROMs 256 words deep or more take about one BRAM18 more.
          const double width = mults * ww, depth = steps, bits = width * depth;
          const long w = static_cast<long>(width);
          const double columns = bits <= 1024 ? 0.0 : static_cast<double>(w / 36 + (w % 36 > 8 ? 1 : 0)) * std::ceil(depth / 512.0);
          add("weight_rom_bram18", columns);
          add("deep_weight_rom", bits > 1024 && depth >= 256 ? 1.0 : 0.0);
          add("stream_line_buffer_kb", stream && q.kernel > 1 ? std::ceil(K * dw / 18432.0) : 0);
          break;
        }
        case Metric::Latency:
          // Steps actually taken: hls4ml cannot reuse a multiplier more often than there are products.
          add("const", 1);
          add("reuse_steps", steps);
          add("stream_inputs", stream ? K : 0);
          add("adder_tree_depth", log2c(K / rf + 1));
          add("stream_pixels_x_reuse", stream ? pixels * rf : 0);
          add("stream_pixels", stream ? pixels : 0);
          break;
      }
      break;
    }
    case LayerClass::Elementwise: {
      const double n = static_cast<double>(q.nIn) * copies;
      const bool mult = q.kind == LayerKind::LeakyReLU || q.kind == LayerKind::PReLU || q.kind == LayerKind::HardTanh;
      const double bits = q.kind == LayerKind::Quantize && q.elementBits > 0 ? static_cast<double>(q.elementBits) : n * rw;
      switch (m) {
        case Metric::Dsp: add("multipliers", mult && wide ? n : 0); break;
        case Metric::Lut:
          add("result_bits", bits);
          add("input_bits", n * dw);
          // A result type that rounds needs an adder per result; one that saturates compares the
          // integer bits it drops and muxes the limit (QKeras' ufixed<6,0,RND_CONV,SAT> ReLUs).
          add("rounding_bits", q.resultType.quant != QuantMode::TRN && q.resultType.quant != QuantMode::TRN_ZERO ? n * rw : 0);
          add("saturation_bits", q.resultType.overflow != OverflowMode::WRAP ? n * (std::max(0, q.dataType.integer - q.resultType.integer) + rw) : 0);
          break;
        case Metric::Ff:
          add("result_bits", stream ? bits : 0);
          add("const", stream ? 1 : 0);
          break;
        case Metric::Bram: break;
        case Metric::Latency:
          add("const", stream ? 1 : 0);
          add("stream_pixels", stream ? pixels : 0);
          break;
      }
      break;
    }
    case LayerClass::Softmax: {
      const double n = static_cast<double>(q.nIn);
      const double tableKb = std::ceil(static_cast<double>(q.tableSize) * q.expWidth / 18432.0);
      switch (m) {
        case Metric::Dsp: add("inv_products", q.expWidth >= 10 ? n : 0); break;
        case Metric::Lut:
          add("exp_bits", n * q.expWidth);
          add("input_bits", n * dw);
          add("const", 1);
          break;
        case Metric::Ff:
          add("exp_bits", n * q.expWidth);
          add("input_bits", n * dw);
          add("const", 1);
          break;
        case Metric::Bram:
          add("exp_table_copies", std::ceil(n / 2.0) * tableKb);
          add("inv_table", std::ceil(static_cast<double>(q.tableSize) * q.invWidth / 18432.0));
          break;
        case Metric::Latency:
          add("const", 1);
          add("adder_tree_depth", log2c(n));
          add("stream_pixels", stream ? pixels : 0);
          break;
      }
      break;
    }
    case LayerClass::Table: {
      const double n = static_cast<double>(q.nIn) * copies;
      switch (m) {
        case Metric::Dsp: break;
        case Metric::Lut: add("index_bits", n * dw); break;
        case Metric::Ff: add("result_bits", n * rw); break;
        case Metric::Bram: add("table_copies", std::ceil(n / 2.0) * std::ceil(q.tableSize * static_cast<double>(rw) / 18432.0)); break;
        case Metric::Latency:
          add("const", 1);
          add("stream_pixels", stream ? pixels : 0);
          break;
      }
      break;
    }
    case LayerClass::Window: {
      const double n = static_cast<double>(q.nOut) * copies;
      switch (m) {
        case Metric::Dsp: add("scale_products", q.kind == LayerKind::BatchNorm && wide ? n : 0); break;
        case Metric::Lut:
          add("window_bits", n * q.kernel * dw);
          add("result_bits", n * rw);
          add("const", 1);
          break;
        case Metric::Ff:
          add("result_bits", n * rw);
          add("const", 1);
          break;
        case Metric::Bram: break;
        case Metric::Latency:
          add("const", 1);
          add("stream_pixels", stream ? pixels : 0);
          break;
      }
      break;
    }
    case LayerClass::Glue: break;  // top-level glue is modelled by the network estimator
  }
}

bool isInlinedKind(LayerKind k) { return k == LayerKind::Quantize || k == LayerKind::Linear || k == LayerKind::Flatten; }

Features glueFeaturesOf(const GlueQuery& g, Metric m) {
  Features f;
  auto add = [&](const char* name, double v) {
    f.names.emplace_back(name);
    f.x.push_back(v);
  };
  switch (m) {
    case Metric::Dsp: break;
    case Metric::Lut:
      add("inlined_bits", g.inlinedBits);
      add("const", 1);
      break;
    case Metric::Ff:
      // Casts synthesis inlines are combinational: only the registers between calls.
      add("register_bits", g.registerBits);
      break;
    case Metric::Bram: break;
    case Metric::Latency:
      // The top function registers between calls to meet timing: about one stage per call.
      add("calls", g.calls);
      add("const", 1);
      break;
  }
  return f;
}

std::vector<std::vector<bool>> constantOutputMasks(const NetworkDesc& net) {
  // A dense output whose weights from every non-constant input are zero is its bias; element-wise
  // layers, casts and flatten pass constants on (a quantizer element of width 0 is the constant
  // 0); other layers are taken as non-constant.
  std::vector<std::vector<bool>> masks(net.layers.size());
  if (net.ioType != IOType::Parallel) return masks;
  const std::vector<bool> inputMask(static_cast<size_t>(std::max(0, net.inputSize())), false);
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const LayerDesc& l = net.layers[k];
    // What the layer reads (graphs: its first input; a merge's result is taken as non-constant).
    const int src = l.sources.empty() ? static_cast<int>(k) - 1 : l.sources[0];
    const std::vector<bool>& c = src < 0 ? inputMask : masks[static_cast<size_t>(src)];
    const size_t outN = static_cast<size_t>(std::max(0, l.outputSize()));
    std::vector<bool> out(outN, false);
    const bool elementwise = (isActivation(l.kind) && l.kind != LayerKind::Softmax) || l.kind == LayerKind::Flatten ||
                             l.kind == LayerKind::Quantize || l.kind == LayerKind::Linear;
    if (l.kind == LayerKind::Dense && c.size() == static_cast<size_t>(l.nIn) &&
        l.weights.size() == static_cast<size_t>(l.nIn) * static_cast<size_t>(l.nOut)) {
      out.assign(outN, true);
      for (size_t i = 0; i < c.size(); ++i) {
        if (c[i]) continue;
        for (size_t j = 0; j < outN; ++j)
          if (out[j] && fromDouble(l.weights[i * outN + j], l.weightType) != 0) out[j] = false;
      }
    } else if (elementwise && c.size() == outN) {
      out = c;
      if (l.kind == LayerKind::Quantize && l.elementTypes.size() == outN)
        for (size_t i = 0; i < outN; ++i) out[i] = out[i] || l.elementTypes[i].width <= 0;
    }
    if (l.sources.size() > 1) out.assign(outN, false);
    masks[k] = std::move(out);
  }
  return masks;
}

GlueQuery glueQueryOf(const NetworkDesc& net, ToolGen tool, const std::vector<double>& layerLatency) {
  return glueQueryOf(net, tool, layerLatency, constantOutputMasks(net));
}

GlueQuery glueQueryOf(const NetworkDesc& net, ToolGen tool, const std::vector<double>& layerLatency,
                      const std::vector<std::vector<bool>>& constant) {
  GlueQuery g;
  g.tool = tool;
  g.io = net.ioType;
  // io_parallel registers whole layer outputs between calls; io_stream passes one pixel at a
  // time through FIFOs, so only a pixel's worth of bits is held per connection.
  const bool stream = net.ioType == IOType::Stream;
  auto pixelsOf = [&](const LayerDesc& l) { return stream ? std::max(1L, static_cast<long>(l.outHeight) * l.outWidth) : 1L; };
  g.registerBits = static_cast<double>(net.inputSize()) * net.inputType.width /
                   (stream ? std::max(1.0, static_cast<double>(net.inputHeight) * net.inputWidth) : 1.0);
  for (size_t k = 0; k < net.layers.size(); ++k) {
    const LayerDesc& l = net.layers[k];
    double bits = static_cast<double>(l.outputSize()) * l.resultType.width / static_cast<double>(pixelsOf(l));
    if (l.kind == LayerKind::Flatten) continue;  // wiring: no logic, no register of its own
    if (k < constant.size())  // constant outputs are not registered
      bits -= static_cast<double>(std::count(constant[k].begin(), constant[k].end(), true)) * l.resultType.width;
    if (isInlinedKind(l.kind)) {
      g.inlinedBits += bits;
      continue;
    }
    g.registerBits += bits;
    g.calls += 1;
    if (k < layerLatency.size() && layerLatency[k] > 0) g.registeredCalls += 1;
  }
  return g;
}

double combinedLatency(IOType io, const std::vector<double>& latency, const std::vector<double>& interval) {
  if (io == IOType::Parallel) {
    double sum = 0;
    for (double l : latency) sum += l;
    return sum;
  }
  double slowest = 0, fill = 0;
  size_t argmax = 0;
  for (size_t k = 0; k < latency.size(); ++k)
    if (latency[k] > slowest) {
      slowest = latency[k];
      argmax = k;
    }
  for (size_t k = 0; k < latency.size(); ++k)
    if (k != argmax) fill += std::max(0.0, latency[k] - (k < interval.size() ? interval[k] : 0.0));
  return slowest + fill;
}

LayerQuery queryOf(const NetworkDesc& net, size_t k, ToolGen tool) { return queryOf(net, k, tool, constantOutputMasks(net)); }

LayerQuery queryOf(const NetworkDesc& net, size_t k, ToolGen tool, const std::vector<std::vector<bool>>& constant) {
  const LayerDesc& l = net.layers.at(k);
  LayerQuery q;
  q.kind = l.kind;
  q.dataType = net.inputTypeOf(k);
  const int src = l.sources.empty() ? static_cast<int>(k) - 1 : l.sources[0];  // the (first) producer
  q.weightType = l.weightType;
  q.accumType = l.accumType;
  q.resultType = l.resultType;
  q.reuse = std::max(1, l.reuseFactor);
  q.strategy = l.strategy;
  q.io = net.ioType;
  q.tool = tool;
  q.clockNs = net.clockPeriodNs;
  q.part = net.part;
  const long inPix = static_cast<long>(l.inHeight) * l.inWidth, outPix = static_cast<long>(l.outHeight) * l.outWidth;
  // After a per-element quantizer each input has its own width (synthesis sees the narrower of
  // the element type and the result type; an element of width 0 is the constant 0).
  if (src >= 0 && net.layers[static_cast<size_t>(src)].kind == LayerKind::Quantize &&
      (l.kind == LayerKind::Dense || l.kind == LayerKind::Conv1D || l.kind == LayerKind::Conv2D)) {
    const LayerDesc& qz = net.layers[static_cast<size_t>(src)];
    const long channels = l.kind == LayerKind::Dense ? l.nIn : l.inChannels;
    if (channels > 0 && !qz.elementTypes.empty() && static_cast<long>(qz.elementTypes.size()) % channels == 0) {
      q.inputWidths.assign(static_cast<size_t>(channels), 0);
      for (size_t i = 0; i < qz.elementTypes.size(); ++i) {
        const FixedType& e = qz.elementTypes[i];
        const FixedType& r = qz.resultType;
        // A truncating element type is a bit slice the tool sees through; a rounding one is an
        // adder whose result keeps the declared width (HGQ's RND input quantizers: the reports
        // show the full result width at the next layer's multipliers, TRN ones the slice).
        const int sliced = std::clamp(std::min(e.integer, r.integer) + std::min(e.frac(), r.frac()), 0, r.width);
        const int bits = e.width <= 0 ? 0 : e.quant == QuantMode::TRN ? sliced : r.width;
        int& slot = q.inputWidths[i % static_cast<size_t>(channels)];
        slot = std::max(slot, bits);
      }
    }
  }
  // Inputs that are constants (io_parallel): their products fold into the bias, and element-wise
  // layers spend nothing on them.
  std::vector<bool> constantIn;
  if (src >= 0 && static_cast<size_t>(src) < constant.size()) constantIn = constant[static_cast<size_t>(src)];
  const long constantInputs = static_cast<long>(std::count(constantIn.begin(), constantIn.end(), true));
  switch (l.kind) {
    case LayerKind::Dense:
      q.nIn = l.nIn;
      q.nOut = l.nOut;
      q.weights = l.weights;
      if (constantInputs > 0 && constantIn.size() == static_cast<size_t>(l.nIn)) {
        if (q.inputWidths.empty()) q.inputWidths.assign(static_cast<size_t>(l.nIn), q.dataType.width);
        for (size_t i = 0; i < constantIn.size(); ++i)
          if (constantIn[i]) q.inputWidths[i] = 0;
      }
      break;
    case LayerKind::Conv1D:
    case LayerKind::Conv2D:
      q.nIn = l.inChannels;
      q.nOut = l.nFilters;
      q.kernel = static_cast<long>(l.kernelH) * l.kernelW;
      q.seqLen = outPix;
      q.weights = l.weights;
      break;
    case LayerKind::DepthwiseConv1D:
    case LayerKind::DepthwiseConv2D:
      // One kernel-long dot product per channel: a convolution of one input channel per filter,
      // whose weights (kernel x channels) are laid out as the convolution's (kernel x 1 x channels).
      q.kind = l.kind == LayerKind::DepthwiseConv1D ? LayerKind::Conv1D : LayerKind::Conv2D;
      q.nIn = 1;
      q.nOut = l.inChannels;
      q.kernel = static_cast<long>(l.kernelH) * l.kernelW;
      q.seqLen = outPix;
      q.weights = l.weights;
      break;
    case LayerKind::Softmax:
      q.nIn = q.nOut = l.inputSize();
      q.tableSize = l.tableSize;
      q.expWidth = l.expTableType.width;
      q.invWidth = l.invTableType.width;
      break;
    case LayerKind::Sigmoid:
    case LayerKind::Tanh:
      q.nIn = q.nOut = net.ioType == IOType::Stream ? l.inChannels : l.inputSize() - constantInputs;
      q.seqLen = net.ioType == IOType::Stream ? inPix : 1;
      q.tableSize = l.tableSize;
      break;
    default:
      if (isActivation(l.kind) || l.kind == LayerKind::Quantize) {
        // Element-wise: io_stream handles one pixel (inChannels values) per step.
        q.nIn = q.nOut = net.ioType == IOType::Stream ? l.inChannels : l.inputSize() - constantInputs;
        q.seqLen = net.ioType == IOType::Stream ? inPix : 1;
        for (size_t i = 0; i < l.elementTypes.size(); ++i)
          if (i >= constantIn.size() || !constantIn[i]) q.elementBits += l.elementTypes[i].width;
      } else {
        q.nIn = l.inChannels;
        q.nOut = l.outChannels;
        q.kernel = static_cast<long>(l.kernelH) * l.kernelW;
        // Global pooling reduces the whole input: unrolled with io_parallel; with io_stream one
        // pixel per step into one running result per channel.
        if (l.kind == LayerKind::GlobalMaxPool || l.kind == LayerKind::GlobalAvgPool) q.kernel = net.ioType == IOType::Stream ? 1 : inPix;
        q.seqLen = std::max(inPix, outPix);
        if (net.ioType == IOType::Parallel) {
          q.nOut = l.outputSize();
          q.seqLen = 1;
        }
      }
  }
  return q;
}

std::vector<double> nnls(const std::vector<std::vector<double>>& rowsA, const std::vector<double>& yv) {
  const int m = static_cast<int>(rowsA.size()), n = rowsA.empty() ? 0 : static_cast<int>(rowsA[0].size());
  if (n == 0) return {};
  Eigen::MatrixXd A(m, n);
  Eigen::VectorXd y(m);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) A(i, j) = rowsA[i][j];
    y(i) = yv[i];
  }
  // Scale columns to unit norm: features span many orders of magnitude.
  Eigen::VectorXd scale(n);
  for (int j = 0; j < n; ++j) {
    const double c = A.col(j).norm();
    scale(j) = c > 0 ? 1.0 / c : 0.0;
    A.col(j) *= scale(j);
  }
  // Lawson-Hanson active set.
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  std::vector<bool> passive(n, false);
  const double tol = 1e-10 * std::max(1.0, y.norm());
  for (int outer = 0; outer < 3 * n + 10; ++outer) {
    Eigen::VectorXd w = A.transpose() * (y - A * x);
    int best = -1;
    double bestW = tol;
    for (int j = 0; j < n; ++j)
      if (!passive[j] && scale(j) > 0 && w(j) > bestW) {
        bestW = w(j);
        best = j;
      }
    if (best < 0) break;
    passive[best] = true;
    for (int inner = 0; inner < 3 * n + 10; ++inner) {
      std::vector<int> idx;
      for (int j = 0; j < n; ++j)
        if (passive[j]) idx.push_back(j);
      Eigen::MatrixXd Ap(m, static_cast<int>(idx.size()));
      for (size_t k = 0; k < idx.size(); ++k) Ap.col(static_cast<int>(k)) = A.col(idx[k]);
      const Eigen::VectorXd z = Ap.colPivHouseholderQr().solve(y);
      bool feasible = true;
      for (int k = 0; k < z.size(); ++k) feasible = feasible && z(k) > 0;
      if (feasible) {
        x.setZero();
        for (size_t k = 0; k < idx.size(); ++k) x(idx[k]) = z(static_cast<int>(k));
        break;
      }
      // Step back to the boundary and drop the variables that hit zero.
      double alpha = 1.0;
      for (size_t k = 0; k < idx.size(); ++k)
        if (z(static_cast<int>(k)) <= 0) {
          const double xi = x(idx[k]);
          alpha = std::min(alpha, xi / std::max(1e-300, xi - z(static_cast<int>(k))));
        }
      for (size_t k = 0; k < idx.size(); ++k) {
        const int j = idx[k];
        x(j) += alpha * (z(static_cast<int>(k)) - x(j));
        if (x(j) <= 1e-12) {
          x(j) = 0;
          passive[j] = false;
        }
      }
    }
  }
  std::vector<double> out(n);
  for (int j = 0; j < n; ++j) out[j] = x(j) * scale(j);
  return out;
}

namespace {

// Dense and convolution MAC blocks stream differently (one vector vs one pixel per step), so
// they get their own coefficients.
// Dense and convolution MAC blocks stream differently (one vector vs one pixel per step), so
// they get their own coefficients.
std::string classKey(LayerClass c, LayerKind k) {
  std::string s = layerClassName(c);
  if (c == LayerClass::MacConst || c == LayerClass::MacShared) s += k == LayerKind::Dense ? "_dense" : "_conv";
  return s;
}

// A coefficient set's key, "class/tool/io/metric", written into `out` reusing its storage
// (predictLayer looks up several keys per metric).
void assignKey(std::string& out, const std::string& c, ToolGen t, IOType io, Metric m) {
  out.assign(c).append("/").append(toolGenName(t)).append("/").append(io == IOType::Stream ? "stream" : "parallel");
  out.append("/").append(metricName(m));
}

std::string keyOf(const std::string& c, ToolGen t, IOType io, Metric m) {
  std::string key;
  assignKey(key, c, t, io, m);
  return key;
}

// Where a key without data borrows its coefficients, in order. A constant-multiplier block is one
// unrolled dense kernel per output pixel in every I/O style (hls4ml's dense_latency, called per
// pixel by io_stream convolutions), bound by the tool: its resources come first from the same
// tool with the other I/O style; its latency is the streaming's, so first from the same I/O
// style with the other tool. Other classes: the other tool first (their structure is the I/O's).
std::array<std::pair<ToolGen, IOType>, 4> fallbackOrder(LayerClass c, Metric m, ToolGen tool, IOType io) {
  const ToolGen other = tool == ToolGen::VivadoHls ? ToolGen::VitisHls : ToolGen::VivadoHls;
  const IOType otherIo = io == IOType::Stream ? IOType::Parallel : IOType::Stream;
  if (c == LayerClass::MacConst && m != Metric::Latency) return {{{tool, io}, {tool, otherIo}, {other, io}, {other, otherIo}}};
  return {{{tool, io}, {other, io}, {tool, otherIo}, {other, otherIo}}};
}

}  // namespace

// Metrics whose features are counts of what synthesis builds, used with coefficient 1 and not
// fitted: the DSPs of constant multipliers (the binding rule above reproduces the reports'
// operator tables; a fitted scale would only learn the few layers it was fitted on).
bool isStructuralMetric(LayerClass c, Metric m) { return c == LayerClass::MacConst && m == Metric::Dsp; }

namespace {

// Relative-error floor per metric: a 2-LUT layer that is off by 3 LUTs is not a 150% miss.
double weightFloor(Metric m) {
  switch (m) {
    case Metric::Dsp: return 4;
    case Metric::Lut: return 200;
    case Metric::Ff: return 200;
    case Metric::Bram: return 2;
    case Metric::Latency: return 4;
  }
  return 1;
}

}  // namespace

std::string measuredStructureKey(const LayerQuery& q) {
  const bool conv = q.kind == LayerKind::Conv1D || q.kind == LayerKind::Conv2D || q.kind == LayerKind::DepthwiseConv1D ||
                    q.kind == LayerKind::DepthwiseConv2D;
  if (!conv || q.io != IOType::Stream) return "";
  // The constants enter as a hash (FNV-1a of the floats' bits); none known: Keras's initialiser.
  std::uint64_t h = 1469598103934665603ull;
  for (float w : q.weights) {
    std::uint32_t bits;
    std::memcpy(&bits, &w, sizeof bits);
    for (int b = 0; b < 4; ++b) h = (h ^ ((bits >> (8 * b)) & 0xffu)) * 1099511628211ull;
  }
  std::ostringstream k;
  k << layerKindName(q.kind) << "/" << q.nIn << "/" << q.nOut << "/k" << q.kernel << "/rf" << q.reuse << "/"
    << (q.strategy == Strategy::Resource ? "resource" : "latency") << "/" << q.dataType.toString() << "/" << q.weightType.toString()
    << "/" << q.accumType.toString() << "/" << q.resultType.toString() << "/w";
  if (q.weights.empty()) k << "glorot";
  else k << std::hex << h << std::dec;
  for (int w : q.inputWidths) k << "," << w;
  k << "/" << toolGenName(q.tool) << "/" << q.part << "/" << q.clockNs << "ns";
  return k.str();
}

Calibration fitCalibration(const std::vector<CostRow>& rows, const std::vector<GlueRow>& glue) {
  Calibration cal;
  // Measured resources of length-independent layers, per structure (medians).
  std::map<std::string, std::array<std::vector<double>, 4>> measured;
  for (const CostRow& r : rows) {
    const std::string key = measuredStructureKey(r.q);
    if (key.empty()) continue;
    auto& m = measured[key];
    for (int mi = 0; mi < 4; ++mi)
      if (std::isfinite(r.y[mi])) m[mi].push_back(r.y[mi]);
  }
  for (auto& [key, m] : measured) {
    MeasuredLayer ml;
    for (int mi = 0; mi < 4; ++mi) {
      std::vector<double>& v = m[mi];
      ml.rows = std::max<long>(ml.rows, static_cast<long>(v.size()));
      if (v.empty()) {
        ml.resources[mi] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      std::sort(v.begin(), v.end());
      ml.resources[mi] = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    }
    if (ml.rows > 0) cal.measured[key] = ml;
  }
  struct Acc {
    std::vector<std::vector<double>> a;
    std::vector<double> y;
    std::vector<std::string> group;
    Metric metric = Metric::Dsp;
    int minReuse = 0, maxReuse = 0;  // of the layer rows (glue rows have none)
  };
  std::map<std::string, Acc> acc;
  for (const CostRow& r : rows)
    for (int mi = 0; mi < kMetrics; ++mi) {
      const Metric m = static_cast<Metric>(mi);
      if (!std::isfinite(r.y[mi])) continue;
      const LayerClass c = layerClassOf(r.q);
      if (isStructuralMetric(c, m)) continue;
      Features f = featuresOf(r.q, m);
      if (f.x.empty()) continue;
      Acc& a = acc[keyOf(classKey(c, r.q.kind), r.q.tool, r.q.io, m)];
      a.metric = m;
      const int reuse = std::max(1, r.q.reuse);
      a.minReuse = a.minReuse == 0 ? reuse : std::min(a.minReuse, reuse);
      a.maxReuse = std::max(a.maxReuse, reuse);
      a.a.push_back(std::move(f.x));
      a.y.push_back(r.y[mi]);
      a.group.push_back(r.group);
    }
  for (const GlueRow& r : glue)
    for (int mi = 0; mi < kMetrics; ++mi) {
      const Metric m = static_cast<Metric>(mi);
      Features f = glueFeaturesOf(r.g, m);
      if (f.x.empty() || !std::isfinite(r.y[mi])) continue;
      Acc& a = acc[keyOf(layerClassName(LayerClass::Glue), r.g.tool, r.g.io, m)];
      a.metric = m;
      a.a.push_back(std::move(f.x));
      a.y.push_back(r.y[mi]);
      a.group.push_back(r.group);
    }
  for (auto& [key, a] : acc) {
    const Metric m = a.metric;
    // Each group (design / configuration) weighs as much in total as sqrt(its rows): many
    // duplicated N-TORC rows of one configuration do not outvote a design.
    std::map<std::string, int> perGroup;
    for (const std::string& g : a.group) ++perGroup[g];
    for (size_t i = 0; i < a.y.size(); ++i) {
      const double w = 1.0 / std::max(std::abs(a.y[i]), weightFloor(m)) / std::sqrt(static_cast<double>(perGroup[a.group[i]]));
      for (double& v : a.a[i]) v *= w;
      a.y[i] *= w;
    }
    CoefficientSet s;
    s.beta = nnls(a.a, a.y);
    s.rows = static_cast<long>(a.y.size());
    s.minReuse = a.minReuse;
    s.maxReuse = a.maxReuse;
    cal.sets[key] = std::move(s);
  }
  cal.description = "fit on " + std::to_string(rows.size()) + " layers";
  return cal;
}

std::array<double, kMetrics> predictLayer(const Calibration& cal, const LayerQuery& q) { return predictLayer(cal, q, nullptr); }

bool coversReuse(const CoefficientSet& s, int reuse) {
  if (s.minReuse <= 0) return true;  // not recorded
  return reuse <= 1 ? s.minReuse <= 1 : s.maxReuse > 1;
}

bool calibrationCoversReuse(const Calibration& cal, const LayerQuery& q) {
  // A calibration that records no reuse range covers everything.
  bool recorded = false;
  for (auto it = cal.sets.begin(); it != cal.sets.end() && !recorded; ++it) recorded = it->second.minReuse > 0;
  if (!recorded) return true;
  // The sets of one class are the keys from "class/" on (the map is sorted): only those are
  // read (`allocate` asks this for every layer and reuse class; a scan compared every key).
  auto covers = [&](const std::string& prefix) {
    for (auto it = cal.sets.lower_bound(prefix); it != cal.sets.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      if (it->second.minReuse > 0 && coversReuse(it->second, q.reuse)) return true;
    return false;
  };
  const LayerClass c = layerClassOf(q);
  if (covers(classKey(c, q.kind) + "/")) return true;
  return c == LayerClass::MacConst && q.kind != LayerKind::Dense && covers(classKey(c, LayerKind::Dense) + "/");
}

std::array<double, kMetrics> predictLayer(const Calibration& cal, const LayerQuery& q, const ConstWeightStats* stats) {
  return predictLayer(cal, q, stats, nullptr);
}

std::array<double, kMetrics> predictLayer(const Calibration& cal, const LayerQuery& q, const ConstWeightStats* stats,
                                          CoefficientChoices* choices) {
  std::array<double, kMetrics> out{};
  const LayerClass c = layerClassOf(q);
  // One pass over the weights for all five metrics.
  ConstWeightStats computed;
  if (!stats && needsConstWeightStats(q)) {
    computed = constWeightStatsOf(q);
    stats = &computed;
  }
  std::string cls, denseCls, key;  // built when a key is looked up
  // The feature values only (no names): one vector for the five metrics. predictLayer runs once
  // per layer and estimate, and once per candidate of every allocatable layer in `allocate`.
  std::vector<double> x;
  x.reserve(8);
  for (int mi = 0; mi < kMetrics; ++mi) {
    const Metric m = static_cast<Metric>(mi);
    featureValuesOf(q, m, stats, x, nullptr);
    if (x.empty()) continue;
    const CoefficientSet* s = nullptr;
    const size_t ci = static_cast<size_t>(c);
    const bool remembered = choices && ci < CoefficientChoices::kClasses && choices->known[ci][mi];
    if (remembered) s = choices->set[ci][mi];
    if (!remembered && !isStructuralMetric(c, m) && cls.empty()) {
      cls = classKey(c, q.kind);
      denseCls = classKey(c, LayerKind::Dense);
    }
    for (const auto& [t, io] : fallbackOrder(c, m, q.tool, q.io)) {
      if (remembered || isStructuralMetric(c, m)) break;
      // A constant-multiplier convolution without data of its own borrows the dense kernel's.
      assignKey(key, cls, t, io, m);
      auto it = cal.sets.find(key);
      if (it == cal.sets.end() && c == LayerClass::MacConst) {
        assignKey(key, denseCls, t, io, m);
        it = cal.sets.find(key);
      }
      if (it != cal.sets.end() && it->second.beta.size() == x.size()) {
        s = &it->second;
        break;
      }
    }
    // The feature count of a class and metric is fixed, so the choice holds for every setting.
    if (choices && !remembered && ci < CoefficientChoices::kClasses) {
      choices->set[ci][mi] = s;
      choices->known[ci][mi] = true;
    }
    // A class no calibration row covers: the structural prior, one unit (LUT, FF, cycle) per
    // feature unit (a LUT per bit of logic, a register per bit, a cycle per stage).
    double v = 0;
    for (size_t j = 0; j < x.size(); ++j) v += (s ? s->beta[j] : 1.0) * x[j];
    out[mi] = std::max(0.0, v);
  }
  // Resources measured on a layer of the same structure (another length) are what it costs.
  if (!cal.measured.empty()) {
    const auto it = cal.measured.find(measuredStructureKey(q));
    if (it != cal.measured.end())
      for (int mi = 0; mi < 4; ++mi)
        if (std::isfinite(it->second.resources[mi])) out[mi] = it->second.resources[mi];
  }
  out[static_cast<int>(Metric::Dsp)] = std::round(out[static_cast<int>(Metric::Dsp)]);
  out[static_cast<int>(Metric::Bram)] = std::round(out[static_cast<int>(Metric::Bram)]);
  out[static_cast<int>(Metric::Latency)] = std::round(out[static_cast<int>(Metric::Latency)]);
  return out;
}

std::array<double, kMetrics> predictGlue(const Calibration& cal, const GlueQuery& g) {
  std::array<double, kMetrics> out{};
  const ToolGen other = g.tool == ToolGen::VivadoHls ? ToolGen::VitisHls : ToolGen::VivadoHls;
  const IOType otherIo = g.io == IOType::Stream ? IOType::Parallel : IOType::Stream;
  for (int mi = 0; mi < kMetrics; ++mi) {
    const Features f = glueFeaturesOf(g, static_cast<Metric>(mi));
    if (f.x.empty()) continue;
    for (const auto& [t, io] : {std::pair{g.tool, g.io}, std::pair{other, g.io}, std::pair{g.tool, otherIo}, std::pair{other, otherIo}}) {
      auto it = cal.sets.find(keyOf(layerClassName(LayerClass::Glue), t, io, static_cast<Metric>(mi)));
      if (it == cal.sets.end() || it->second.beta.size() != f.x.size()) continue;
      for (size_t j = 0; j < f.x.size(); ++j) out[mi] += it->second.beta[j] * f.x[j];
      break;
    }
  }
  return out;
}

void Calibration::write(std::ostream& os) const {
  os.precision(17);
  os << "# mmlc estimator calibration: per-layer coefficients (docs/estimator.md)\n";
  os << "description " << description << "\n";
  os << "bram_threshold_rf " << bramThresholdRf << "\n";
  for (int mi = 0; mi < kMetrics; ++mi)
    os << "band " << metricName(static_cast<Metric>(mi)) << " " << bandLo[mi] << " " << bandHi[mi] << "\n";
  for (const auto& [key, s] : sets) {
    os << "coef " << key << " " << s.rows;
    for (double b : s.beta) os << " " << b;
    os << "\n";
  }
  for (const auto& [key, s] : sets)
    if (s.minReuse > 0) os << "reuse_range " << key << " " << s.minReuse << " " << s.maxReuse << "\n";
  for (const auto& [key, m] : measured) {
    os << "measured " << key << " " << m.rows;
    for (double v : m.resources) {
      if (std::isfinite(v)) os << " " << v;
      else os << " nan";
    }
    os << "\n";
  }
}

Calibration Calibration::read(std::istream& is, const std::string& source) {
  Calibration cal;
  std::string line;
  int lineNo = 0;
  while (std::getline(is, line)) {
    ++lineNo;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    auto fail = [&](const std::string& what) { throw std::runtime_error(source + ":" + std::to_string(lineNo) + ": " + what); };
    if (tag == "description") {
      std::getline(ls >> std::ws, cal.description);
    } else if (tag == "bram_threshold_rf") {
      if (!(ls >> cal.bramThresholdRf)) fail("expected a number after bram_threshold_rf");
    } else if (tag == "band") {
      std::string metric;
      double lo, hi;
      if (!(ls >> metric >> lo >> hi)) fail("expected 'band METRIC LO HI'");
      int mi = 0;
      while (mi < kMetrics && metric != metricName(static_cast<Metric>(mi))) ++mi;
      if (mi == kMetrics) fail("unknown metric '" + metric + "'");
      cal.bandLo[mi] = lo;
      cal.bandHi[mi] = hi;
    } else if (tag == "coef") {
      std::string key;
      CoefficientSet s;
      if (!(ls >> key >> s.rows)) fail("expected 'coef KEY ROWS BETA...'");
      double b;
      while (ls >> b) s.beta.push_back(b);
      if (!ls.eof()) fail("bad number in coefficients of " + key);
      cal.sets[key] = std::move(s);
    } else if (tag == "reuse_range") {
      std::string key;
      int lo = 0, hi = 0;
      if (!(ls >> key >> lo >> hi) || lo < 1 || hi < lo) fail("expected 'reuse_range KEY MIN MAX' (1 <= MIN <= MAX)");
      auto it = cal.sets.find(key);
      if (it == cal.sets.end()) fail("reuse_range for '" + key + "', which has no coef line before it");
      it->second.minReuse = lo;
      it->second.maxReuse = hi;
    } else if (tag == "measured") {
      std::string key;
      MeasuredLayer m;
      if (!(ls >> key >> m.rows)) fail("expected 'measured KEY ROWS DSP LUT FF BRAM18'");
      for (double& v : m.resources) {
        std::string tok;
        if (!(ls >> tok)) fail("expected four resources (dsp lut ff bram18, or nan) after measured " + key);
        char* end = nullptr;
        v = tok == "nan" ? std::numeric_limits<double>::quiet_NaN() : std::strtod(tok.c_str(), &end);
        if (tok != "nan" && (end == tok.c_str() || *end)) fail("bad number '" + tok + "' in measured " + key);
      }
      cal.measured[key] = m;
    } else {
      fail("unknown entry '" + tag + "'");
    }
  }
  return cal;
}

Calibration Calibration::readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open calibration file " + path);
  return read(in, path);
}

const Calibration& defaultCalibration() {
  static const Calibration cal = [] {
    const char* env = std::getenv("MMLC_ESTIMATOR_CALIBRATION");
    return Calibration::readFile(env && *env ? env : MMLC_HLS_CALIBRATION_FILE);
  }();
  return cal;
}

}  // namespace mmlc::hls
