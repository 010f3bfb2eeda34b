// Which rounding conversions each layer template performs, and the widening that makes a
// network's conversions defined in the vendor's ap_fixed.
#include "hls/TemplateConversions.h"

#include "hls/LayerKinds.h"

#include <stdexcept>

namespace mmlc::hls {

namespace {

using Template = LayerTypes::Template;

// A C integer operand (`res[i] = 0;`) converts as the vendor's ap_fixed_base<32, 32, true>.
FixedType intLiteralType() { return FixedType::fixed(32, 32); }

}  // namespace

std::vector<TemplateConversion> templateConversions(const LayerTypes& l) {
  std::vector<TemplateConversion> out;
  auto add = [&](const char* what, const std::optional<FixedType>& from, const std::optional<FixedType>& to,
                 const char* widen) {
    const bool intoAccum = l.kind == Template::Mac && std::string(widen) != "accum";
    if (from && to) out.push_back(TemplateConversion{what, *from, *to, widen, intoAccum ? "accum" : "result"});
  };
  switch (l.kind) {
    case Template::Mac:
      // nnet_dense.h / nnet_conv.h (and hls4ml's dense_latency/resource): acc = (accum_t)bias;
      // accum_t mult = data * weight; acc += mult (same fractional bits: nothing dropped);
      // res = (res_T)acc.
      add("bias to accumulator", l.bias, l.accum, "bias");
      if (l.input && l.weight) add("input x weight product to accumulator", productType(*l.input, *l.weight), l.accum, "weight");
      add("accumulator to result", l.accum, l.result, "accum");
      break;
    case Template::BatchNorm:
      // nnet_batchnorm.h: res = data * scale + bias, exact, cast once.
      if (l.input && l.weight && l.bias)
        add("input x scale + bias to result", sumType(productType(*l.input, *l.weight), *l.bias), l.result, "weight");
      break;
    case Template::ReLU:
      add("input to result", l.input, l.result, "input");
      add("literal 0 to result", intLiteralType(), l.result, "");
      break;
    case Template::Copy:  // linear, max pooling, zero padding (its zeros are exact)
      add("input to result", l.input, l.result, "input");
      break;
    case Template::LeakyReLU:  // res = x > 0 ? x : alpha * x, alpha in param_t
      add("input to result", l.input, l.result, "input");
      if (l.input && l.param) add("alpha x input product to result", productType(*l.param, *l.input), l.result, "input");
      break;
    case Template::PReLU:  // res = x > 0 ? x : alpha[i] * x, the slopes in weight_t
      add("input to result", l.input, l.result, "input");
      if (l.input && l.weight) add("slope x input product to result", productType(*l.weight, *l.input), l.result, "input");
      break;
    case Template::AvgPool:
      // nnet_pooling.h: an exact ap_fixed<W+16, I+16> sum divided by an int (the quotient keeps
      // the fractional bits and has at least one more integer bit).
      if (l.input) {
        FixedType sum = FixedType::fixed(l.input->width + 17, l.input->integer + 17);
        add("window average to result", sum, l.result, "input");
      }
      break;
    case Template::Table:
      add("table entry to result", l.table, l.result, "table");
      break;
    case Template::Softmax:
      if (l.expTable && l.invTable) add("exp x 1/sum product to result", productType(*l.expTable, *l.invTable), l.result, "exp_table");
      break;
    case Template::Sum:  // nnet_merge.h add: res = data1 + data2, the sum exact
      if (l.input && l.input2) add("sum of the inputs to result", sumType(*l.input, *l.input2), l.result, "input");
      break;
    case Template::Join:  // nnet_merge.h concatenate: each input copied to the result
      add("first input to result", l.input, l.result, "input");
      add("second input to result", l.input2, l.result, "input2");
      break;
    case Template::None: break;
  }
  return out;
}

LayerTypes layerTypes(const NetworkDesc& net, size_t k) {
  const LayerDesc& l = net.layers.at(k);
  LayerTypes t;
  t.input = net.inputTypeOf(k);
  if (l.sources.size() > 1) t.input2 = net.inputTypeOf(k, 1);
  t.result = l.resultType;
  // Which conversions the kind's template performs is its descriptor's (runtime/hls/layers).
  t.kind = kindInfo(l.kind).conversions;
  switch (t.kind) {
    case Template::Mac:
      t.weight = l.weightType;
      t.bias = l.biasType;
      t.accum = l.accumType;
      break;
    case Template::BatchNorm:
      t.weight = l.weightType;
      t.bias = l.biasType;
      break;
    case Template::LeakyReLU: t.param = l.paramType; break;
    case Template::PReLU: t.weight = l.weightType; break;
    case Template::Table: t.table = l.tableType; break;
    case Template::Softmax:
      // The product of an exp value and the inverse of their sum (hls4ml's later 1.x form keeps
      // the exp values in accum_t); argmax writes exact 0s and 1s.
      if (l.softmaxImpl == SoftmaxImpl::Argmax) {
        t.kind = Template::None;
      } else {
        t.expTable = net.generation == TemplateGeneration::Hls4ml_1_1 ? l.accumType : l.expTableType;
        t.invTable = l.invTableType;
      }
      break;
    case Template::Copy:
    case Template::ReLU:
    case Template::AvgPool:
    case Template::Sum:
    case Template::Join:
    case Template::None: break;
  }
  return t;
}

std::string firstUndefinedConversion(const NetworkDesc& net) {
  for (size_t k = 0; k < net.layers.size(); ++k)
    for (const TemplateConversion& c : templateConversions(layerTypes(net, k)))
      if (!conversionIsDefined(c.from, c.to)) return "layer " + net.layers[k].name + ": " + c.what + ": " + conversionProblem(c.from, c.to);
  return "";
}

std::vector<std::string> widenToDefinedConversions(NetworkDesc& net) {
  std::vector<std::string> notes;
  // A batch-norm sum grows by less than its scale when the bias dominates: repeat until stable.
  for (int round = 0; round < 8; ++round) {
    bool changed = false;
    for (size_t k = 0; k < net.layers.size(); ++k) {
      for (const TemplateConversion& c : templateConversions(layerTypes(net, k))) {
        if (conversionIsDefined(c.from, c.to)) continue;
        LayerDesc& l = net.layers[k];
        if (c.widen.empty())
          throw std::invalid_argument("layer " + l.name + ": " + c.what + ": " + conversionProblem(c.from, c.to));
        FixedType* target = nullptr;
        std::string owner = l.name + " " + c.widen;
        if (c.widen == "bias") target = &l.biasType;
        else if (c.widen == "weight") target = &l.weightType;
        else if (c.widen == "accum") target = &l.accumType;
        else if (c.widen == "table") target = &l.tableType;
        else if (c.widen == "exp_table") target = net.generation == TemplateGeneration::Hls4ml_1_1 ? &l.accumType : &l.expTableType;
        else {  // an input: the result of the layer producing it (past reshaping Flattens)
          int src = l.sources.at(c.widen == "input2" ? 1 : 0);
          while (src >= 0 && net.layers[static_cast<size_t>(src)].kind == LayerKind::Flatten)
            src = net.layers[static_cast<size_t>(src)].sources.at(0);
          target = src < 0 ? &net.inputType : &net.layers[static_cast<size_t>(src)].resultType;
          owner = src < 0 ? std::string("network input") : net.layers[static_cast<size_t>(src)].name + " result";
        }
        const int delta = widenedToConvert(c.from, c.to).integer - c.from.integer;
        const FixedType before = *target;
        target->integer += delta;
        target->width += delta;
        if (target->width > 64)
          throw std::invalid_argument("layer " + l.name + ": " + c.what + ": " + conversionProblem(c.from, c.to) +
                                      " (widening " + owner + " would exceed 64 bits)");
        notes.push_back(owner + ": " + before.toString() + " -> " + target->toString() + " (" + c.what +
                        " is undefined in the vendor's ap_fixed otherwise)");
        changed = true;
        net.resolve();
      }
    }
    if (!changed) return notes;
  }
  const std::string left = firstUndefinedConversion(net);
  if (!left.empty()) throw std::invalid_argument(left);
  return notes;
}

}  // namespace mmlc::hls
