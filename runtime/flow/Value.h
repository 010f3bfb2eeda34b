// Runtime values of a flow: scalars, strings, fixed-point formats, lists and model-space handles.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mmlc::flow {

/// A fixed-point format, the value of `fixed<W,I,Q,O>` (mirrors #mml.fixed).
struct FixedFormat {
  int width = 16, integerBits = 6;
  bool isSigned = true;
  std::string quantization = "TRN", overflow = "WRAP";
  bool operator==(const FixedFormat &o) const {
    return width == o.width && integerBits == o.integerBits && isSigned == o.isSigned &&
           quantization == o.quantization && overflow == o.overflow;
  }
  std::string spelling() const; // fixed<16,6> / ufixed<8,0,RND,SAT>
};

/// Something produced by a task and kept by the runtime: a model of some level, a data set, a
/// device or a metrics record. `type` is the language type (`dnn`, `hls`, ...), `id` is the
/// task runner's key for it (e.g. a model-space hash).
struct Handle {
  std::string type, id;
  bool operator==(const Handle &o) const { return type == o.type && id == o.id; }
};

using Scalar = std::variant<std::int64_t, double, bool, std::string, FixedFormat>;
using ScalarList = std::vector<Scalar>;

/// std::monostate is "no value" (an optional parameter nobody gave, a flow without result).
using Value = std::variant<std::monostate, std::int64_t, double, bool, std::string, FixedFormat,
                           ScalarList, Handle>;

/// Arguments of a call by parameter name, in the task's parameter order.
using NamedArgs = std::vector<std::pair<std::string, Value>>;

/// The value as text, for logs and error messages.
std::string describe(const Value &value);

} // namespace mmlc::flow
