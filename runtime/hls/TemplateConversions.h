// The rounding fixed-point conversions that hls4ml-style layer templates perform (mmlc's
// nnet_utils and hls4ml's own), checked against the vendor rule of FixedType.h
// (conversionIsDefined), so that mmlc never emits a design the vendor's C simulation aborts on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hls/FixedType.h"
#include "hls/NetworkDesc.h"

namespace mmlc::hls {

// The types of one layer by role, as a NetworkDesc layer or a parsed project's layer knows them.
struct LayerTypes {
  // Sum: nnet::add (the exact sum of both inputs to the result); Join: nnet::concatenate (each
  // input to the result).
  enum class Template { Mac, BatchNorm, Copy, ReLU, LeakyReLU, PReLU, Table, AvgPool, Softmax, Sum, Join, None };
  Template kind = Template::None;
  std::optional<FixedType> input, weight, bias, accum, result, table, expTable, invTable, param;
  std::optional<FixedType> input2;  // a merge layer's second input
};

// One conversion a template performs: `from` (an exact intermediate or a declared type) to `to`.
struct TemplateConversion {
  std::string what;   // e.g. "bias to accumulator", "input x weight product to accumulator"
  FixedType from, to;
  std::string widen;  // the role whose widening (FixedType widenedToConvert) makes it defined;
                      // empty when none can (a literal); "input2": a merge's second input
  std::string into;   // the role converted to ("accum", "result")
};

// The conversions into a type with a rounding mode that the layer's template performs, in order.
std::vector<TemplateConversion> templateConversions(const LayerTypes& l);

// The roles of layer k of a resolved network (its input: the previous layer's result).
LayerTypes layerTypes(const NetworkDesc& net, size_t k);

// The first conversion of a resolved network that the vendor's ap_fixed cannot perform, as
// "layer fc1: bias to accumulator: converting ...", or empty when every conversion is defined.
std::string firstUndefinedConversion(const NetworkDesc& net);

// Widens the types of a resolved network until every conversion is defined: the source of each
// undefined conversion (a bias, weight, scale, accumulator, table or a previous result) gets the
// integer bits it lacks, with as many more bits of width, so its values keep their bits and the
// conversion's result (0: the source lies below the destination's rounding bit) is unchanged; a
// widened accumulator or result can only differ where the narrower one would have overflowed.
// Returns one note per change ("fc1 bias: fixed<2,-3> -> fixed<3,-2>"); throws
// std::invalid_argument when a conversion cannot be made defined this way. Resolves `net` again.
std::vector<std::string> widenToDefinedConversions(NetworkDesc& net);

}  // namespace mmlc::hls
