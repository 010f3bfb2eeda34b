// Layer kind Softmax (hls4ml Softmax, nnet::softmax): the latency and stable variants through an
// exp table and an inverse table (hls4ml 1.0's arithmetic; 0.8's and 1.1's are simulated for
// imported projects), legacy and argmax for imported projects.
#include "hls/NetworkSim.h"
#include "hls/layers/SimKernels.h"

namespace mmlc::hls {

namespace {

int log2Exact(int n) {
  int b = 0;
  while ((1 << b) < n) ++b;
  return b;
}

}  // namespace

FixedType softmaxDiffType(const FixedType& in) { return FixedType::fixed(in.width, in.integer, QuantMode::RND, OverflowMode::SAT); }

unsigned softmaxTableIndex(Raw raw, const FixedType& t, int tableSize) {
  const int n = log2Exact(tableSize);
  std::uint64_t bits = static_cast<std::uint64_t>(raw);
  if (t.width < 64) bits &= (std::uint64_t{1} << t.width) - 1;
  return static_cast<unsigned>(t.width >= n ? bits >> (t.width - n) : bits << (n - t.width));
}

double softmaxTableValue(unsigned index, const FixedType& t, int tableSize) {
  const int n = log2Exact(tableSize);
  std::uint64_t bits = t.width >= n ? static_cast<std::uint64_t>(index) << (t.width - n)
                                    : static_cast<std::uint64_t>(index) >> (n - t.width);
  long long v = static_cast<long long>(bits);
  if (t.isSigned && t.width < 64 && ((bits >> (t.width - 1)) & 1)) v -= static_cast<long long>(std::uint64_t{1} << t.width);
  return std::ldexp(static_cast<double>(v), -t.frac());
}

namespace {

void prepare(const SimLayer& s, PreparedLayer& p) {
  const LayerDesc& l = s.l;
  const FixedType& in = s.in;
  const int n = l.tableSize;
  // hls4ml fills its tables in float (a float in_val, exp_fcn_float = std::exp(float), 1 / float),
  // so the entries are what those float expressions give, then converted to the table type.
  if (l.softmaxImpl == SoftmaxImpl::Legacy) {
    // init_exp_table_legacy over [-8, 8) and init_invert_table_legacy over [0, 64), in table_t.
    const int ni = invTableSize(l, s.net.generation);
    p.table.resize(n);
    p.table2.resize(ni);
    for (int ii = 0; ii < n; ++ii) {
      const float inVal = static_cast<float>(2 * 8.0 * (ii - float(n) / 2.0) / float(n));
      p.table[ii] = fromDouble(std::exp(inVal), l.tableType);
    }
    for (int ii = 0; ii < ni; ++ii) {
      const float inVal = static_cast<float>(64.0 * ii / float(ni));
      p.table2[ii] = inVal > 0.0 ? fromDouble(1.0 / inVal, l.tableType) : 0;
    }
    return;
  }
  // init_exp_table / init_invert_table: the value a table index stands for is the index as the
  // top bits of the addressing type. Hls4ml_1_1's stable variant addresses by x_max - x in
  // inp_norm_t and tabulates exp(-v * exp_scale); earlier ones address by data_T.
  const bool g11 = s.net.generation == TemplateGeneration::Hls4ml_1_1;
  const bool negative = g11 && l.softmaxImpl == SoftmaxImpl::Stable;
  const FixedType& idxType = negative ? l.inpNormType : in;
  const FixedType& invIdxType = g11 ? l.invInpType : l.expTableType;
  const int ni = invTableSize(l, s.net.generation);
  p.table.resize(n);
  p.table2.resize(ni);
  for (int ii = 0; ii < n; ++ii) {
    float x = static_cast<float>(softmaxTableValue(static_cast<unsigned>(ii), idxType, n));
    if (g11) x = x * static_cast<float>(l.expScale);
    if (negative) x = -x;
    p.table[ii] = fromDouble(std::exp(x), l.expTableType);
  }
  for (int ii = 0; ii < ni; ++ii) {
    const float x = static_cast<float>(softmaxTableValue(static_cast<unsigned>(ii), invIdxType, ni));
    p.table2[ii] = fromDouble(1 / x, l.invTableType);
  }
}

void simulate(const SimLayer& sl, const PreparedLayer& p, const Raw* in, Raw* out, SimScratch& s) {
  const LayerDesc& l = sl.l;
  const FixedType& inT = sl.in;
  const int n = l.inputSize(), fin = inT.frac();
  const bool g11 = sl.net.generation == TemplateGeneration::Hls4ml_1_1;
  if (l.softmaxImpl == SoftmaxImpl::Argmax) {
    // softmax_argmax: res_T(1) at the first maximum, res_T(0) elsewhere.
    const int best = static_cast<int>(std::max_element(in, in + n) - in);
    std::fill(out, out + n, Raw{0});
    out[best] = fromDouble(1.0, l.resultType);
    return;
  }
  if (l.softmaxImpl == SoftmaxImpl::Legacy) {
    // softmax_legacy: exp_res[i] = sum_j exp_table[(x_j - x_i) * N / 16 + N / 2] in table_t (1 for
    // j == i), then res = invert_table[exp_res * N_inv / 64]; indices truncate toward zero.
    const int ne = l.tableSize, ni = invTableSize(l, sl.net.generation);
    const FixedType& tt = l.tableType;
    const Raw one = fromDouble(1.0, tt);
    for (int i = 0; i < n; ++i) {
      Raw acc = 0;
      for (int j = 0; j < n; ++j) {
        Raw e = one;
        if (i != j) {
          const WideRaw q = (static_cast<WideRaw>(in[j]) - in[i]) * ne / 16;
          long long index = static_cast<long long>(static_cast<int>(truncShift(q, fin))) + 8 * ne / 16;
          e = p.table[static_cast<size_t>(std::clamp<long long>(index, 0, ne - 1))];
        }
        acc = quantizeRaw(static_cast<WideRaw>(acc) + e, tt.frac(), tt);
      }
      const WideRaw q = static_cast<WideRaw>(acc) * ni / 64;
      const long long index = std::clamp<long long>(static_cast<int>(truncShift(q, tt.frac())), 0, ni - 1);
      out[i] = quantizeRaw(p.table2[static_cast<size_t>(index)], tt.frac(), l.resultType);
    }
    return;
  }
  // Latency and stable: exp_res in accum_t (Hls4ml_1_1; exp_table_t before), summed by nnet::reduce,
  // the sum read as inv_inp_t (exp_table_t before) to index the inverse table.
  const FixedType& accT = g11 ? l.accumType : l.expTableType;
  const FixedType& sumT = g11 ? l.invInpType : l.expTableType;
  const int fe = l.expTableType.frac(), fa = accT.frac();
  s.expRes.resize(n);
  const Raw xMax = *std::max_element(in, in + n);
  const FixedType diffType = softmaxDiffType(inT);
  for (int i = 0; i < n; ++i) {
    unsigned idx;
    if (l.softmaxImpl != SoftmaxImpl::Stable) {
      idx = softmaxTableIndex(in[i], inT, l.tableSize);
    } else if (g11) {  // d = x_max - x in inp_norm_t
      idx = softmaxTableIndex(quantizeRaw64(xMax - in[i], fin, l.inpNormType), l.inpNormType, l.tableSize);
    } else {
      // d = x - x_max in ap_fixed<W, I, AP_RND, AP_SAT>, then passed to softmax_idx_from_real_val
      // as data_T: the same bits, except that an unsigned saturating data_T clips d (<= 0) to 0.
      const Raw d = quantizeRaw64(in[i] - xMax, fin, diffType);
      idx = softmaxTableIndex(quantizeRaw64(d, fin, inT), inT, l.tableSize);
    }
    s.expRes[i] = quantizeRaw64(p.table[idx], fe, accT);
  }
  const Raw sum = quantizeRaw64(reduceAdd(s.expRes.data(), n, accT), fa, sumT);
  const Raw inv = p.table2[softmaxTableIndex(sum, sumT, invTableSize(l, sl.net.generation))];
  const int fp = fa + l.invTableType.frac();
  for (int i = 0; i < n; ++i) out[i] = quantizeRaw(static_cast<WideRaw>(s.expRes[i]) * inv, fp, l.resultType);
}

void reference(const LayerDesc& l, const double* in, double* out, RangeProbe&) {
  const int n = l.inputSize();
  const double top = *std::max_element(in, in + n);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += out[i] = std::exp(in[i] - top);
  for (int i = 0; i < n; ++i) out[i] /= sum;
}

std::string emitConfig(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  if (l.softmaxImpl != SoftmaxImpl::Stable && l.softmaxImpl != SoftmaxImpl::Latency)
    throw std::invalid_argument("layer '" + l.name + "': mmlc emits the stable and latency softmax, not '" +
                                softmaxImplName(l.softmaxImpl) + "'");
  if (e.net.generation == TemplateGeneration::Hls4ml_1_1)
    throw std::invalid_argument("layer '" + l.name +
                                "': mmlc's softmax template computes hls4ml 1.0's softmax, not 1.1's (inp_norm_t, inv_inp_t)");
  const FixedType& in = e.in;
  std::string s = "struct config_" + l.name + " : nnet::softmax_config {\n";
  s += configUnsigned("n_in", l.inputSize()) + configUnsigned("table_size", l.tableSize) + configUnsigned("reuse_factor", l.reuseFactor);
  s += "  static const int in_width = " + std::to_string(in.width) + ";\n";
  s += "  static const int in_frac = " + std::to_string(in.frac()) + ";\n";
  // Both variants address the exp table as data_T (the stable one by x - max with data_T's bits).
  s += std::string("  static const bool in_signed = ") + (in.isSigned ? "true" : "false") + ";\n";
  s += std::string("  static const bool stable = ") + ((l.softmaxImpl == SoftmaxImpl::Stable) ? "true" : "false") + ";\n";
  s += std::string("  static const bool exp_signed = ") + (l.expTableType.isSigned ? "true" : "false") + ";\n";
  s += "  typedef " + l.name + "_exp_table_t exp_table_t;\n  typedef " + l.name + "_inv_table_t inv_table_t;\n};\n";
  return s;
}

std::string emitTypedefs(const EmitLayer& e) {
  const LayerDesc& l = e.l;
  return "typedef " + l.expTableType.toCpp() + " " + l.name + "_exp_table_t;\n" + "typedef " + l.invTableType.toCpp() + " " +
         l.name + "_inv_table_t;\n";
}

std::string emitCall(const EmitLayer& e, const std::string& in, const std::string& out) {
  return "nnet::softmax<" + e.inType + ", " + e.outType + ", config_" + e.l.name + ">(" + in + ", " + out + ");";
}

}  // namespace

void addSoftmaxKind(std::vector<const LayerKindInfo*>& kinds) {
  static const LayerKindInfo softmax = [] {
    LayerKindInfo k;
    k.kind = LayerKind::Softmax;
    k.name = "Softmax";
    k.nnKind = "Softmax";
    k.mmlName = "softmax";
    k.nnetCalls = {"softmax"};
    k.configStruct = "softmax_config";
    // hls4ml 1.1's variant (inp_norm_t, inv_inp_t, accum_t, exp_scale) is read when the config
    // has both inp_norm_t and inv_inp_t.
    k.configFields = {sizeField("n_in", "elements", FieldSize::Elements),
                      countField("table_size", "exp table entries", &LayerDesc::tableSize, false),
                      importOnly(countField("exp_table_size", "exp table entries (hls4ml 1.1)", &LayerDesc::tableSize, false)),
                      importOnly(countField("inv_table_size", "inverse table entries (hls4ml 1.1)", &LayerDesc::invTableSize, false)),
                      keywordField("reuse_factor", "reuse factor"),
                      {"in_width", "input width (mmlc's template)"},
                      {"in_frac", "input fraction bits (mmlc's template)"},
                      {"in_signed", "input signedness (mmlc's template)"},
                      keywordField("stable", "stable (x - max) or latency variant"),
                      importOnly(keywordField("implementation", "latency, stable, legacy or argmax (hls4ml 1.x)")),
                      importOnly(keywordField("n_slice", "elements per softmax (only n_in is modelled)")),
                      {"exp_signed", "exp table signedness"},
                      typeField("exp_table_t", "exp table type", &LayerDesc::expTableType, false),
                      typeField("inv_table_t", "inverse table type", &LayerDesc::invTableType, false)};
    k.isActivation = true;
    k.hasTable = true;
    k.resultSign = ResultSign::NonNegative;
    k.estimate = EstimateFamily::Activation;
    k.conversions = LayerTypes::Template::Softmax;
    k.prepare = prepare;
    k.simulate = simulate;
    k.reference = reference;
    k.emitConfig = emitConfig;
    k.emitTypedefs = emitTypedefs;
    k.emitCall = emitCall;
    return k;
  }();
  kinds.push_back(&softmax);
}

}  // namespace mmlc::hls
