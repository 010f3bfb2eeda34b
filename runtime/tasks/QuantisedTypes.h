// Quantised models (QONNX, QKeras) on the HLS side: an engine quantiser becomes the result type
// of the layer producing its input, imported weight and bias types replace the task's precision,
// and layers with quantised weights get accumulators wide enough never to round or overflow.
#pragma once

#include <string>
#include <vector>

#include "hls/NetworkDesc.h"
#include "nn/LayerSpec.h"

namespace mmlc::tasks {

/// Sets d's weight and bias types from spec.weightType / spec.biasType (when an importer
/// quantised them); returns whether it set either.
bool applyQuantisedParameterTypes(hls::LayerDesc &d, const nn::LayerSpec &spec);

/// The result type whose cast from a finer type computes the quantiser of a Quant layer exactly.
/// Throws std::invalid_argument naming the layer when none does (a scale that is not a power of
/// two, a zero point, CEIL/UP rounding, narrow unsigned, or bipolar).
hls::FixedType quantiserType(const nn::LayerSpec &spec);

/// Folds a Quant layer of the engine into `desc` as it stands: the result type of its last layer
/// that computes (a Flatten only relabels its input) or, before any, the network's input type.
/// Returns false, changing nothing, when that tensor was quantised already (`quantised` lists the
/// tensors folded so far): the caller then adds a Linear layer of quantiserType(spec), since one
/// cast cannot round twice.
bool foldQuantiser(hls::NetworkDesc &desc, const nn::LayerSpec &spec, std::vector<std::string> &quantised);

/// The accumulator type that sums `terms` products of `in` and `weight` values plus one `bias`
/// exactly (hls4ml casts each product and the bias to accum_t); nullopt-like: returns false when
/// it would need more than 64 bits.
bool exactAccumulator(const hls::FixedType &in, const hls::FixedType &weight, const hls::FixedType &bias,
                      long terms, hls::FixedType &out);

/// The type of the values a layer at `index` reads: the result type of the last computing layer
/// before it, or the network's input type.
const hls::FixedType &inputTypeOf(const hls::NetworkDesc &desc, size_t index);

} // namespace mmlc::tasks
