// Text forms of runtime values and source locations.
#include "flow/Program.h"

#include <sstream>

namespace mmlc::flow {

std::string FixedFormat::spelling() const {
  std::string s = (isSigned ? "fixed<" : "ufixed<") + std::to_string(width) + "," +
                  std::to_string(integerBits);
  if (quantization != "TRN")
    s += "," + quantization;
  if (overflow != "WRAP")
    s += "," + overflow;
  return s + ">";
}

namespace {
struct Describer {
  std::string operator()(std::monostate) const { return "(none)"; }
  std::string operator()(std::int64_t v) const { return std::to_string(v); }
  std::string operator()(double v) const {
    std::ostringstream os;
    os << v;
    return os.str();
  }
  std::string operator()(bool v) const { return v ? "true" : "false"; }
  std::string operator()(const std::string &v) const { return "\"" + v + "\""; }
  std::string operator()(const FixedFormat &v) const { return v.spelling(); }
  std::string operator()(const ScalarList &list) const {
    std::string s = "[";
    for (size_t i = 0; i < list.size(); ++i) {
      if (i)
        s += ", ";
      s += std::visit([this](const auto &e) { return (*this)(e); }, list[i]);
    }
    return s + "]";
  }
  std::string operator()(const Handle &h) const { return h.type + ":" + h.id; }
};
} // namespace

std::string describe(const Value &value) { return std::visit(Describer{}, value); }

std::string SourceLoc::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

} // namespace mmlc::flow
