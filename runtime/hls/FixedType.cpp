// Parsing and printing of fixed-point type descriptions.
#include "hls/FixedType.h"

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace mmlc::hls {

const char* quantModeName(QuantMode q) {
  switch (q) {
    case QuantMode::TRN: return "AP_TRN";
    case QuantMode::TRN_ZERO: return "AP_TRN_ZERO";
    case QuantMode::RND: return "AP_RND";
    case QuantMode::RND_ZERO: return "AP_RND_ZERO";
    case QuantMode::RND_INF: return "AP_RND_INF";
    case QuantMode::RND_MIN_INF: return "AP_RND_MIN_INF";
    case QuantMode::RND_CONV: return "AP_RND_CONV";
  }
  return "AP_TRN";
}

const char* overflowModeName(OverflowMode o) {
  switch (o) {
    case OverflowMode::WRAP: return "AP_WRAP";
    case OverflowMode::SAT: return "AP_SAT";
    case OverflowMode::SAT_ZERO: return "AP_SAT_ZERO";
    case OverflowMode::SAT_SYM: return "AP_SAT_SYM";
  }
  return "AP_WRAP";
}

std::string FixedType::toCpp() const {
  std::string s = isSigned ? "ap_fixed<" : "ap_ufixed<";
  s += std::to_string(width) + "," + std::to_string(integer);
  if (quant != QuantMode::TRN || overflow != OverflowMode::WRAP) {
    s += std::string(",") + quantModeName(quant) + "," + overflowModeName(overflow);
  }
  return s + ">";
}

std::string FixedType::toString() const {
  std::string s = isSigned ? "fixed<" : "ufixed<";
  s += std::to_string(width) + "," + std::to_string(integer);
  if (quant != QuantMode::TRN || overflow != OverflowMode::WRAP) {
    s += std::string(",") + (quantModeName(quant) + 3) + "," + (overflowModeName(overflow) + 3);
  }
  return s + ">";
}

double FixedType::maxValue() const { return std::ldexp(static_cast<double>(maxRaw()), -frac()); }
double FixedType::minValue() const { return std::ldexp(static_cast<double>(minRaw()), -frac()); }

namespace {

std::string stripSpaces(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

QuantMode parseQuant(const std::string& s, const std::string& whole) {
  std::string k = s.rfind("AP_", 0) == 0 ? s.substr(3) : s;
  if (k == "TRN") return QuantMode::TRN;
  if (k == "TRN_ZERO") return QuantMode::TRN_ZERO;
  if (k == "RND") return QuantMode::RND;
  if (k == "RND_ZERO") return QuantMode::RND_ZERO;
  if (k == "RND_INF") return QuantMode::RND_INF;
  if (k == "RND_MIN_INF") return QuantMode::RND_MIN_INF;
  if (k == "RND_CONV") return QuantMode::RND_CONV;
  throw std::invalid_argument("unknown quantisation mode '" + s + "' in type '" + whole + "'");
}

OverflowMode parseOverflow(const std::string& s, const std::string& whole) {
  std::string k = s.rfind("AP_", 0) == 0 ? s.substr(3) : s;
  if (k == "WRAP") return OverflowMode::WRAP;
  if (k == "SAT") return OverflowMode::SAT;
  if (k == "SAT_ZERO") return OverflowMode::SAT_ZERO;
  if (k == "SAT_SYM") return OverflowMode::SAT_SYM;
  throw std::invalid_argument("unknown overflow mode '" + s + "' in type '" + whole + "'");
}

int parseInt(const std::string& s, const std::string& whole) {
  try {
    size_t pos = 0;
    int v = std::stoi(s, &pos);
    if (pos != s.size()) throw std::invalid_argument("");
    return v;
  } catch (const std::exception&) {
    throw std::invalid_argument("bad number '" + s + "' in type '" + whole + "'");
  }
}

}  // namespace

FixedType FixedType::parse(const std::string& text) {
  const std::string s = stripSpaces(text);
  auto lt = s.find('<');
  if (lt == std::string::npos || s.back() != '>')
    throw std::invalid_argument("cannot parse fixed-point type '" + text + "' (expected e.g. fixed<16,6>)");
  std::string head = s.substr(0, lt);
  if (head.rfind("ap_", 0) == 0) head = head.substr(3);
  std::vector<std::string> args;
  std::string cur;
  for (size_t i = lt + 1; i + 1 < s.size(); ++i) {
    if (s[i] == ',') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  args.push_back(cur);
  FixedType t;
  if (head == "fixed" || head == "ufixed") {
    if (args.size() < 2 || args.size() > 5)
      throw std::invalid_argument("fixed-point type '" + text + "' needs 2 to 5 parameters");
    t.isSigned = head == "fixed";
    t.width = parseInt(args[0], text);
    t.integer = parseInt(args[1], text);
    if (args.size() > 2) t.quant = parseQuant(args[2], text);
    if (args.size() > 3) t.overflow = parseOverflow(args[3], text);
    if (args.size() > 4 && parseInt(args[4], text) != 0)
      throw std::invalid_argument("saturation bits N != 0 are not supported in '" + text + "'");
  } else if (head == "int" || head == "uint") {
    if (args.size() != 1) throw std::invalid_argument("integer type '" + text + "' needs 1 parameter");
    t.isSigned = head == "int";
    t.width = parseInt(args[0], text);
    t.integer = t.width;
  } else {
    throw std::invalid_argument("unknown type family '" + head + "' in '" + text + "'");
  }
  if (t.width < 1 || t.width > 64)
    throw std::invalid_argument("width of '" + text + "' must be in 1..64 (wider types are not supported)");
  return t;
}

namespace {

// Whether the destination's quantisation mode reads the dropped bits (every mode but AP_TRN, and
// AP_TRN_ZERO only for a signed source: `_AP_Q != AP_TRN && !(_AP_Q == AP_TRN_ZERO && !_AP_S2)`).
bool readsDroppedBits(const FixedType& from, const FixedType& to) {
  return to.quant != QuantMode::TRN && !(to.quant == QuantMode::TRN_ZERO && !from.isSigned);
}

// Bits that `from` lacks above its MSB for the conversion to `to` to be defined (0 when defined).
int missingIntegerBits(const FixedType& from, const FixedType& to) {
  if (!readsDroppedBits(from, to)) return 0;
  const int shortBy = -(from.integer + to.frac());  // from.frac() - to.frac() - from.width
  return shortBy > 0 ? shortBy : 0;
}

}  // namespace

bool conversionIsDefined(const FixedType& from, const FixedType& to) { return missingIntegerBits(from, to) == 0; }

std::string conversionProblem(const FixedType& from, const FixedType& to) {
  const int missing = missingIntegerBits(from, to);
  if (missing == 0) return "";
  const int shift = from.frac() - to.frac();
  return "converting " + from.toCpp() + " to " + to.toCpp() + " is undefined in the vendor's ap_fixed: every bit of " +
         from.toCpp() + " lies below the rounding bit of " + to.toCpp() + ", and its " + quantModeName(to.quant) +
         " rounding reads bit " + std::to_string(shift - 1) + " of the " + std::to_string(from.width) +
         "-bit value (ap_private::get_bit asserts \"Attempting to read bit beyond MSB\"); give the source at least " +
         std::to_string(from.integer + missing) + " integer bits, fewer fractional bits in the destination, or AP_TRN";
}

FixedType widenedToConvert(const FixedType& from, const FixedType& to) {
  FixedType t = from;
  const int missing = missingIntegerBits(from, to);
  t.integer += missing;
  t.width += missing;
  return t;
}

FixedType productType(const FixedType& a, const FixedType& b) {
  FixedType t = FixedType::fixed(a.width + b.width, a.integer + b.integer);
  t.isSigned = a.isSigned || b.isSigned;
  return t;
}

FixedType sumType(const FixedType& a, const FixedType& b) {
  const bool s = a.isSigned || b.isSigned;
  // An unsigned operand next to a signed one needs one more integer bit for its sign.
  const int ia = a.integer + (s && !a.isSigned ? 1 : 0), ib = b.integer + (s && !b.isSigned ? 1 : 0);
  const int i = (ia > ib ? ia : ib) + 1;
  const int f = a.frac() > b.frac() ? a.frac() : b.frac();
  FixedType t = FixedType::fixed(i + f, i);
  t.isSigned = s;
  return t;
}

}  // namespace mmlc::hls
