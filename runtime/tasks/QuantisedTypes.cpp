// Quantised models on the HLS side: folding quantisers into result types, imported parameter
// types, exact accumulators (see QuantisedTypes.h and docs/nn.md, "Quantised models").
#include "tasks/QuantisedTypes.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "hls/LayerKinds.h"
#include "nn/QuantLayer.h"

namespace mmlc::tasks {

namespace {

[[noreturn]] void cannot(const nn::LayerSpec &spec, const std::string &why) {
  throw std::invalid_argument("quantiser '" + spec.name + "' " + why);
}

// Layers that only relabel their input (no cast to a result type of their own).
bool relabels(const hls::LayerDesc &d) { return d.kind == hls::LayerKind::Flatten; }

// Bits of a signed type that holds every value of t (an unsigned type gains a sign bit).
int signedInteger(const hls::FixedType &t) { return t.isSigned ? t.integer : t.integer + 1; }

// The type a copy (keepsInputType) at `k` of a network under construction passes on: its
// producer's result type (past other copies), or the network input's.
const hls::FixedType &copiedType(const hls::NetworkDesc &desc, size_t k) {
  for (;;) {
    const hls::LayerDesc &l = desc.layers[k];
    const std::string from = !l.inputs.empty() ? l.inputs[0] : k > 0 ? desc.layers[k - 1].name : hls::NetworkDesc::kInputName;
    const auto it = std::find_if(desc.layers.begin(), desc.layers.begin() + static_cast<long>(k),
                                 [&](const hls::LayerDesc &p) { return p.name == from; });
    if (it == desc.layers.begin() + static_cast<long>(k)) return desc.inputType;
    if (!hls::kindInfo(it->kind).keepsInputType) return it->resultType;
    k = static_cast<size_t>(it - desc.layers.begin());
  }
}

} // namespace

bool applyQuantisedParameterTypes(hls::LayerDesc &d, const nn::LayerSpec &spec) {
  auto parse = [&](const std::string &text, const char *what) {
    try {
      return hls::FixedType::parse(text);
    } catch (const std::invalid_argument &e) {
      throw std::invalid_argument("layer '" + spec.name + "' has an invalid quantised " + what +
                                  " type '" + text + "': " + e.what());
    }
  };
  if (!spec.weightType.empty()) d.weightType = parse(spec.weightType, "weight");
  if (!spec.biasType.empty()) d.biasType = parse(spec.biasType, "bias");
  return !spec.weightType.empty() || !spec.biasType.empty();
}

const hls::FixedType &inputTypeOf(const hls::NetworkDesc &desc, size_t index) {
  for (size_t i = index; i-- > 0;)
    if (!relabels(desc.layers[i])) return desc.layers[i].resultType;
  return desc.inputType;
}

hls::FixedType quantiserType(const nn::LayerSpec &spec) {
  if (spec.kind == "BipolarQuant")
    cannot(spec, "is bipolar (x >= 0 ? s : -s), which no ap_fixed cast computes; binary activations are not "
                 "supported on the HLS side (binary weights are)");
  std::string why;
  const std::string text = nn::fixedTypeOf(nn::IntQuantiser::of(spec), &why);
  if (text.empty()) cannot(spec, why + ", so no fixed-point type computes it exactly");
  return hls::FixedType::parse(text);
}

bool foldQuantiser(hls::NetworkDesc &desc, const nn::LayerSpec &spec, std::vector<std::string> &quantised) {
  const hls::FixedType type = quantiserType(spec);
  size_t target = desc.layers.size();
  while (target > 0 && relabels(desc.layers[target - 1])) --target;
  const std::string owner = target == 0 ? std::string("input") : desc.layers[target - 1].name;
  if (std::find(quantised.begin(), quantised.end(), owner) != quantised.end()) return false;
  // A copy with one data_T (resize_nearest) keeps its input's type: a quantiser after it folds
  // only when it changes nothing, else it is a cast of its own.
  if (target > 0 && hls::kindInfo(desc.layers[target - 1].kind).keepsInputType)
    return copiedType(desc, target - 1) == type;
  quantised.push_back(owner);
  (target == 0 ? desc.inputType : desc.layers[target - 1].resultType) = type;
  return true;
}

bool exactAccumulator(const hls::FixedType &in, const hls::FixedType &weight, const hls::FixedType &bias,
                      long terms, hls::FixedType &out) {
  const int frac = std::max(in.frac() + weight.frac(), bias.frac());
  int growth = 0;
  while ((1L << growth) < terms + 1) ++growth;
  const int integer = std::max(signedInteger(in) + signedInteger(weight), signedInteger(bias)) + growth;
  if (integer + frac > 64 || integer + frac < 1) return false;
  out = hls::FixedType::fixed(integer + frac, integer);
  return true;
}

} // namespace mmlc::tasks
