// The `mml` attributes: fixed-point format parsing, printing and checks; parameter domains.
#include "mml/Dialect/MML/MMLAttributes.h"
#include "mml/Dialect/MML/MMLDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mml;

#define GET_ATTRDEF_CLASSES
#include "mml/Dialect/MML/MMLAttributes.cpp.inc"

void MMLDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mml/Dialect/MML/MMLAttributes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// FixedPointAttr
//===----------------------------------------------------------------------===//

static constexpr int64_t kMaxFixedWidth = 1024; // The widest ap_fixed any HLS tool accepts.

bool FixedPointAttr::isQuantizationMode(StringRef mode) {
  return llvm::is_contained({"TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF",
                             "RND_CONV"},
                            mode);
}

bool FixedPointAttr::isOverflowMode(StringRef mode) {
  return llvm::is_contained({"WRAP", "SAT", "SAT_ZERO", "SAT_SYM"}, mode);
}

std::optional<std::string> FixedPointAttr::findProblem(int64_t width, int64_t integerBits,
                                                        bool isSigned, StringRef quantization,
                                                        StringRef overflow) {
  if (width < 1 || width > kMaxFixedWidth)
    return "fixed-point width " + std::to_string(width) +
           " is not accepted by HLS tools (must be 1 to " + std::to_string(kMaxFixedWidth) + ")";
  if (integerBits < -kMaxFixedWidth || integerBits > 2 * kMaxFixedWidth)
    return "fixed-point integer bits " + std::to_string(integerBits) + " out of range";
  if (!isQuantizationMode(quantization))
    return "unknown quantisation mode '" + quantization.str() +
           "' (expected TRN, TRN_ZERO, RND, RND_ZERO, RND_INF, RND_MIN_INF or RND_CONV)";
  if (!isOverflowMode(overflow))
    return "unknown overflow mode '" + overflow.str() +
           "' (expected WRAP, SAT, SAT_ZERO or SAT_SYM)";
  if (!isSigned && overflow == "SAT_SYM")
    return std::string("SAT_SYM needs a signed format");
  return std::nullopt;
}

LogicalResult FixedPointAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t width,
                                     int64_t integerBits, bool isSigned, StringRef quantization,
                                     StringRef overflow) {
  if (std::optional<std::string> problem =
          findProblem(width, integerBits, isSigned, quantization, overflow)) {
    (void)(emitError() << *problem);
    return failure(); // not the diagnostic's conversion: an empty one would mean success
  }
  return success();
}

Attribute FixedPointAttr::parse(AsmParser &parser, Type) {
  int64_t width = 0, integerBits = 0;
  bool isSigned = true;
  std::string quantization = "TRN", overflow = "WRAP";
  if (parser.parseLess() || parser.parseInteger(width) || parser.parseComma() ||
      parser.parseInteger(integerBits))
    return {};
  while (succeeded(parser.parseOptionalComma())) {
    StringRef keyword;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseKeyword(&keyword))
      return {};
    if (keyword == "unsigned")
      isSigned = false;
    else if (isQuantizationMode(keyword))
      quantization = keyword.str();
    else if (isOverflowMode(keyword))
      overflow = keyword.str();
    else {
      parser.emitError(loc) << "expected 'unsigned', a quantisation or an overflow mode";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), width, integerBits, isSigned, quantization, overflow);
}

void FixedPointAttr::print(AsmPrinter &printer) const {
  printer << "<" << getWidth() << ", " << getIntegerBits();
  if (!getIsSigned())
    printer << ", unsigned";
  if (getQuantization() != "TRN")
    printer << ", " << getQuantization();
  if (getOverflow() != "WRAP")
    printer << ", " << getOverflow();
  printer << ">";
}

std::string FixedPointAttr::getHlsTypeName() const {
  std::string s = (getIsSigned() ? "ap_fixed<" : "ap_ufixed<") + std::to_string(getWidth()) +
                  "," + std::to_string(getIntegerBits());
  if (getQuantization() != "TRN" || getOverflow() != "WRAP")
    s += ",AP_" + getQuantization().str();
  if (getOverflow() != "WRAP")
    s += ",AP_" + getOverflow().str();
  return s + ">";
}

std::string FixedPointAttr::getSourceSpelling() const {
  std::string s = (getIsSigned() ? "fixed<" : "ufixed<") + std::to_string(getWidth()) + "," +
                  std::to_string(getIntegerBits());
  if (getQuantization() != "TRN")
    s += "," + getQuantization().str();
  if (getOverflow() != "WRAP")
    s += "," + getOverflow().str();
  return s + ">";
}

//===----------------------------------------------------------------------===//
// ParamAttr
//===----------------------------------------------------------------------===//

static std::optional<double> toNumber(Attribute attr) {
  if (auto f = dyn_cast_or_null<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(attr))
    return static_cast<double>(i.getValue().getSExtValue());
  return std::nullopt;
}

static bool sameConstant(Attribute a, Attribute b) {
  if (a == b)
    return true;
  auto x = toNumber(a), y = toNumber(b);
  return x && y && *x == *y;
}

bool ParamAttr::admits(Attribute value) const {
  if (ArrayAttr choices = getChoices())
    return llvm::any_of(choices, [&](Attribute c) { return sameConstant(c, value); });
  std::optional<double> v = toNumber(value);
  if (!v)
    return true; // Ranges only constrain numbers.
  if (auto lo = toNumber(getLower()))
    if (getLowerOpen() ? !(*v > *lo) : !(*v >= *lo))
      return false;
  if (auto hi = toNumber(getUpper()))
    if (getUpperOpen() ? !(*v < *hi) : !(*v <= *hi))
      return false;
  return true;
}

static std::string spellConstant(Attribute attr) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto str = dyn_cast<StringAttr>(attr))
    os << '"' << str.getValue() << '"';
  else if (auto f = dyn_cast<FloatAttr>(attr))
    os << llvm::format("%g", f.getValueAsDouble());
  else if (auto i = dyn_cast<IntegerAttr>(attr))
    os << i.getValue().getSExtValue();
  else if (auto fx = dyn_cast<FixedPointAttr>(attr))
    os << fx.getSourceSpelling();
  else
    os << attr;
  return s;
}

std::string ParamAttr::describeDomain() const {
  if (ArrayAttr choices = getChoices()) {
    std::string s = "{";
    llvm::interleave(
        choices, [&](Attribute c) { s += spellConstant(c); }, [&] { s += ", "; });
    return s + "}";
  }
  std::string s = getLowerOpen() ? "(" : "[";
  s += getLower() ? spellConstant(getLower()) : "-inf";
  s += ", ";
  s += getUpper() ? spellConstant(getUpper()) : "inf";
  s += getUpperOpen() ? ")" : "]";
  return s;
}
