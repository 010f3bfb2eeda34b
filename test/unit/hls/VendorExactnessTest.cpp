// Exactness against the vendor's ap types: a generated program converting every value of chosen
// types (casts, products, sums, doubles) is compiled against the vendor headers
// (test/fixtures/vendor-ap-types) and against mmlc's templates, and every result must equal
// FixedPointSim's bit for bit; the conversion rule of FixedType.h (conversionIsDefined) must match
// where both libraries abort; and networks are widened, never emitted, around undefined conversions.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unistd.h>

#include "hls/CSimHarness.h"
#include "hls/FixedPointSim.h"
#include "hls/HlsProjectEmitter.h"
#include "hls/NetworkSim.h"
#include "hls/TemplateConversions.h"

using namespace mmlc::hls;

namespace {

const QuantMode kQuant[] = {QuantMode::TRN, QuantMode::TRN_ZERO, QuantMode::RND, QuantMode::RND_ZERO,
                            QuantMode::RND_INF, QuantMode::RND_MIN_INF, QuantMode::RND_CONV};
const OverflowMode kOverflow[] = {OverflowMode::WRAP, OverflowMode::SAT, OverflowMode::SAT_ZERO, OverflowMode::SAT_SYM};

FixedType withModes(FixedType t, QuantMode q, OverflowMode o) {
  t.quant = q;
  t.overflow = o;
  return t;
}

// Every C++ spelling carries its modes explicitly (toCpp omits AP_TRN, AP_WRAP).
std::string cpp(const FixedType& t) {
  return std::string(t.isSigned ? "ap_fixed<" : "ap_ufixed<") + std::to_string(t.width) + "," + std::to_string(t.integer) + "," +
         quantModeName(t.quant) + "," + overflowModeName(t.overflow) + ">";
}

unsigned long long bits(Raw r, const FixedType& t) {
  return static_cast<unsigned long long>(r) & (t.width >= 64 ? ~0ULL : ((1ULL << t.width) - 1));
}

struct Conversion {  // every value of `from` cast to `to`
  FixedType from, to;
};
struct Arithmetic {  // every pair of values of a and b, combined by op and assigned to `to`
  FixedType a, b, to;
  char op;
};
struct FromDouble {  // the doubles below assigned to `to`
  FixedType to;
};

// Cases: every quantisation x overflow mode, destinations with negative integer bits, more
// integer bits than width, 1-bit and unsigned types; sources that sit exactly at the rule's
// boundary (the whole source just reaches the rounding bit) and unsigned sources under
// AP_TRN_ZERO, which never read the dropped bits.
struct Cases {
  std::vector<Conversion> conversions;
  std::vector<Arithmetic> arithmetic;
  std::vector<FromDouble> doubles;
  std::vector<double> doubleValues;
};

Cases makeCases() {
  Cases c;
  const FixedType dest[] = {FixedType::fixed(4, -2), FixedType::fixed(3, 6),  FixedType::ufixed(4, -1), FixedType::ufixed(3, 5),
                            FixedType::fixed(1, 0),  FixedType::ufixed(1, 1), FixedType::fixed(5, 2),   FixedType::fixed(6, 9)};
  const FixedType src[] = {FixedType::fixed(8, 3), FixedType::fixed(6, -2), FixedType::ufixed(7, 4), FixedType::fixed(5, 9),
                           FixedType::fixed(9, 1)};
  int k = 0;
  for (QuantMode q : kQuant)
    for (OverflowMode o : kOverflow) {
      const FixedType to = withModes(dest[k % 8], q, o);
      for (int j = 0; j < 5; ++j) {  // the first source (cycling) whose conversion is defined
        const FixedType& from = src[(k + j) % 5];
        if (conversionIsDefined(from, to)) {
          c.conversions.push_back({from, to});
          break;
        }
      }
      c.doubles.push_back({withModes(dest[(k + 3) % 8], q, o)});
      if (k % 2 == 0) {
        const FixedType a = k % 4 == 0 ? FixedType::fixed(5, 2) : FixedType::ufixed(4, -1);
        const FixedType b = k % 3 == 0 ? FixedType::fixed(4, 3) : FixedType::fixed(5, -1);
        const FixedType t = withModes(FixedType::fixed(5, (k % 5) - 1), q, o);
        if (conversionIsDefined(productType(a, b), t)) c.arithmetic.push_back({a, b, t, '*'});
        if (conversionIsDefined(sumType(a, b), t)) c.arithmetic.push_back({a, b, t, '+'});
      }
      ++k;
    }
  // At the boundary: source MSB exactly at the destination's rounding bit (defined).
  for (QuantMode q : {QuantMode::RND, QuantMode::RND_INF, QuantMode::RND_MIN_INF, QuantMode::TRN_ZERO})
    c.conversions.push_back({FixedType::fixed(2, -3), FixedType::fixed(6, 3, q, OverflowMode::SAT)});
  // Unsigned source below the rounding bit under AP_TRN_ZERO: never reads the dropped bits.
  c.conversions.push_back({FixedType::ufixed(3, -4), FixedType::fixed(6, 4, QuantMode::TRN_ZERO, OverflowMode::SAT)});
  // Doubles: quarter-LSB steps of the widest destination grid, ties, extremes, NaN, infinities.
  for (int i = -160; i <= 160; ++i) c.doubleValues.push_back(std::ldexp(static_cast<double>(i), -5) * 3.0);
  for (double v : {1e300, -1e300, 1e-300, -1e-300, 5e-324, 0.0, -0.0, 0.5, -0.5, 0.75, -0.75, 1.25, -1.25})
    c.doubleValues.push_back(v);
  c.doubleValues.push_back(std::numeric_limits<double>::infinity());
  c.doubleValues.push_back(-std::numeric_limits<double>::infinity());
  c.doubleValues.push_back(std::numeric_limits<double>::quiet_NaN());
  c.doubleValues.push_back(-std::numeric_limits<double>::quiet_NaN());
  return c;
}

// The program: one output line per case, "<kind><index> <bits> <bits> ..." in hex; with the
// argument "abort" it performs the conversion of issue 11 that the vendor library aborts on.
std::string program(const Cases& c) {
  std::ostringstream o;
  o << "// Generated by VendorExactnessTest.\n#include <cstdio>\n#include <cstring>\n#include \"ap_fixed.h\"\n\n"
       "template <class T>\nvoid print(const T& x) { std::printf(\" %llx\", (unsigned long long)x.range(T::width - 1, 0).to_uint64()); }\n"
       "template <class From, class To>\nvoid conv(int id, long long lo, long long hi) {\n"
       "  std::printf(\"c%d\", id);\n  for (long long r = lo; r <= hi; ++r) { From s; s.V = r; To d = s; print(d); }\n"
       "  std::printf(\"\\n\");\n}\n"
       "template <class A, class B, class To, int Op>\nvoid arith(int id, long long alo, long long ahi, long long blo, long long bhi) {\n"
       "  std::printf(\"a%d\", id);\n"
       "  for (long long x = alo; x <= ahi; ++x)\n    for (long long y = blo; y <= bhi; ++y) {\n"
       "      A a; a.V = x; B b; b.V = y;\n      To d = Op ? To(a * b) : To(a + b);\n      print(d);\n    }\n"
       "  std::printf(\"\\n\");\n}\n"
       "static const double kValues[] = {";
  char buf[64];
  for (double v : c.doubleValues) {
    if (std::isnan(v)) o << (std::signbit(v) ? "-__builtin_nan(\"\")" : "__builtin_nan(\"\")") << ",";
    else if (std::isinf(v)) o << (v > 0 ? "__builtin_inf()" : "-__builtin_inf()") << ",";
    else {
      std::snprintf(buf, sizeof buf, "%a", v);
      o << buf << ",";
    }
  }
  o << "};\ntemplate <class To>\nvoid dbl(int id) {\n  std::printf(\"d%d\", id);\n"
       "  for (double v : kValues) { To d = v; print(d); }\n  std::printf(\"\\n\");\n}\n\n"
       "int main(int argc, char** argv) {\n"
       "  if (argc > 1 && std::strcmp(argv[1], \"abort\") == 0) {\n"
       "    ap_fixed<2, -3, AP_RND, AP_SAT> bias = 0.03;\n    ap_fixed<6, 4, AP_RND, AP_SAT> acc = bias;\n"
       "    std::printf(\"%g\\n\", acc.to_double());\n    return 0;\n  }\n";
  for (size_t i = 0; i < c.conversions.size(); ++i) {
    const Conversion& v = c.conversions[i];
    o << "  conv<" << cpp(v.from) << ", " << cpp(v.to) << ">(" << i << ", " << v.from.minRaw() << "LL, " << v.from.maxRaw() << "LL);\n";
  }
  for (size_t i = 0; i < c.arithmetic.size(); ++i) {
    const Arithmetic& v = c.arithmetic[i];
    o << "  arith<" << cpp(v.a) << ", " << cpp(v.b) << ", " << cpp(v.to) << ", " << (v.op == '*') << ">(" << i << ", "
      << v.a.minRaw() << "LL, " << v.a.maxRaw() << "LL, " << v.b.minRaw() << "LL, " << v.b.maxRaw() << "LL);\n";
  }
  for (size_t i = 0; i < c.doubles.size(); ++i) o << "  dbl<" << cpp(c.doubles[i].to) << ">(" << i << ");\n";
  o << "  return 0;\n}\n";
  return o.str();
}

// What FixedPointSim computes for each output line of the program.
std::map<std::string, std::vector<unsigned long long>> expected(const Cases& c) {
  std::map<std::string, std::vector<unsigned long long>> e;
  for (size_t i = 0; i < c.conversions.size(); ++i) {
    const Conversion& v = c.conversions[i];
    auto& out = e["c" + std::to_string(i)];
    for (Raw r = v.from.minRaw(); r <= v.from.maxRaw(); ++r) out.push_back(bits(quantizeRaw(r, v.from.frac(), v.to), v.to));
  }
  for (size_t i = 0; i < c.arithmetic.size(); ++i) {
    const Arithmetic& v = c.arithmetic[i];
    auto& out = e["a" + std::to_string(i)];
    for (Raw x = v.a.minRaw(); x <= v.a.maxRaw(); ++x)
      for (Raw y = v.b.minRaw(); y <= v.b.maxRaw(); ++y) {
        const FixedValue a{x, v.a}, b{y, v.b};
        out.push_back(bits((v.op == '*' ? multiplyTo(a, b, v.to) : addTo(a, b, v.to)).raw, v.to));
      }
  }
  for (size_t i = 0; i < c.doubles.size(); ++i) {
    auto& out = e["d" + std::to_string(i)];
    for (double v : c.doubleValues) out.push_back(bits(fromDouble(v, c.doubles[i].to), c.doubles[i].to));
  }
  return e;
}

struct HeaderSet {
  const char* name;
  const char* dir;
};

class VendorExactness : public ::testing::TestWithParam<HeaderSet> {};

TEST_P(VendorExactness, EveryModeBitExactAndTheRuleAbortsWhereTheLibraryDoes) {
  const HeaderSet h = GetParam();
  ASSERT_TRUE(std::filesystem::exists(std::string(h.dir) + "/ap_fixed.h")) << h.dir;
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("mmlc_vendor_exactness_" + std::to_string(::getpid()) + "_" + h.name)).string();
  std::filesystem::create_directories(dir);
  const Cases cases = makeCases();
  std::ofstream(dir + "/exact.cpp") << program(cases);
  std::string out;
  // -isystem, as the C-simulation build does: the vendor headers warn under -Wall -Wextra.
  const std::string build = "g++ -std=c++17 -O0 -Wall -Wextra -Werror -isystem '" + std::string(h.dir) + "' '" + dir +
                            "/exact.cpp' -o '" + dir + "/exact'";
  ASSERT_EQ(runCommand(build, &out), 0) << build << "\n" << out.substr(0, 1500);
  // stderr apart: the vendor warns "assign NaN to fixed point value".
  ASSERT_EQ(runCommand("('" + dir + "/exact' > '" + dir + "/exact.out' 2> '" + dir + "/exact.err')", &out), 0) << out.substr(0, 2000);

  const auto want = expected(cases);
  std::ifstream in(dir + "/exact.out");
  std::string line;
  size_t lines = 0, values = 0;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string id;
    ss >> id;
    auto it = want.find(id);
    ASSERT_NE(it, want.end()) << line.substr(0, 80);
    std::vector<unsigned long long> got;
    std::string tok;
    while (ss >> tok) got.push_back(std::stoull(tok, nullptr, 16));
    ASSERT_EQ(got.size(), it->second.size()) << id;
    for (size_t j = 0; j < got.size(); ++j) {
      std::string what;
      const size_t n = std::stoul(id.substr(1));
      if (id[0] == 'c') what = cases.conversions[n].from.toString() + " -> " + cases.conversions[n].to.toString();
      if (id[0] == 'a') what = cases.arithmetic[n].a.toString() + " " + cases.arithmetic[n].op + " " + cases.arithmetic[n].b.toString() + " -> " + cases.arithmetic[n].to.toString();
      if (id[0] == 'd') what = "double " + std::to_string(cases.doubleValues[j]) + " -> " + cases.doubles[n].to.toString();
      EXPECT_EQ(got[j], it->second[j]) << h.name << ": " << what << " (value #" << j << ")";
    }
    ++lines;
    values += got.size();
  }
  EXPECT_EQ(lines, want.size());
  EXPECT_GT(values, 5000u);

  // The conversion of issue 11 (a bias ap_fixed<2,-3> into an AP_RND accumulator ap_fixed<6,4>):
  // undefined by the rule, and both libraries abort on it.
  EXPECT_FALSE(conversionIsDefined(FixedType::fixed(2, -3), FixedType::fixed(6, 4, QuantMode::RND, OverflowMode::SAT)));
  EXPECT_NE(runCommand("'" + dir + "/exact' abort", &out), 0) << out;
  EXPECT_NE(out.find("Attempting to read bit beyond MSB"), std::string::npos) << out;
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(HeaderSets, VendorExactness,
                         ::testing::Values(HeaderSet{"vendor", MMLC_VENDOR_AP_TYPES_DIR}, HeaderSet{"mmlc", MMLC_AP_TEMPLATES_DIR}),
                         [](const ::testing::TestParamInfo<HeaderSet>& i) { return std::string(i.param.name); });

// ---- the rule itself

TEST(VendorRule, RejectsTheAbortingConversionAndAcceptsItsNeighbours) {
  const FixedType bias = FixedType::fixed(2, -3);
  const FixedType acc = FixedType::fixed(6, 4, QuantMode::RND, OverflowMode::SAT);
  EXPECT_FALSE(conversionIsDefined(bias, acc));
  const std::string why = conversionProblem(bias, acc);
  EXPECT_NE(why.find("reads bit 2 of the 2-bit value"), std::string::npos) << why;
  EXPECT_NE(why.find("at least -2 integer bits"), std::string::npos) << why;
  // One more integer bit (the MSB reaches the rounding bit), a finer accumulator, or truncation.
  EXPECT_TRUE(conversionIsDefined(FixedType::fixed(2, -2), acc));
  EXPECT_TRUE(conversionIsDefined(FixedType::fixed(3, -2), acc));
  EXPECT_TRUE(conversionIsDefined(bias, FixedType::fixed(6, 3, QuantMode::RND, OverflowMode::SAT)));
  EXPECT_TRUE(conversionIsDefined(bias, FixedType::fixed(6, 4, QuantMode::TRN, OverflowMode::SAT)));
  EXPECT_FALSE(conversionIsDefined(bias, FixedType::fixed(6, 5, QuantMode::RND_CONV, OverflowMode::WRAP)));
  // AP_TRN_ZERO reads the dropped bits only for a signed source.
  EXPECT_FALSE(conversionIsDefined(bias, FixedType::fixed(6, 4, QuantMode::TRN_ZERO)));
  EXPECT_TRUE(conversionIsDefined(FixedType::ufixed(2, -3), FixedType::fixed(6, 4, QuantMode::TRN_ZERO)));
  EXPECT_FALSE(conversionIsDefined(FixedType::ufixed(2, -3), FixedType::ufixed(6, 4, QuantMode::RND)));
  // Widening keeps the fractional bits and adds exactly the missing integer bits.
  EXPECT_EQ(widenedToConvert(bias, acc), FixedType::fixed(3, -2));
  EXPECT_EQ(widenedToConvert(FixedType::fixed(3, -2), acc), FixedType::fixed(3, -2));
  // Products and sums have the vendor's exact types.
  EXPECT_EQ(productType(FixedType::fixed(8, 2), FixedType::ufixed(4, -1)), FixedType::fixed(12, 1));
  EXPECT_EQ(sumType(FixedType::fixed(8, 2), FixedType::ufixed(4, -1)), FixedType::fixed(9, 3));
}

// A dense layer with tiny biases and a coarse rounding accumulator: the network as the search
// might choose it. It is never emitted; widened, it computes exactly what it did.
NetworkDesc tinyBiasNet() {
  NetworkDesc n;
  n.name = "tinybias";
  n.inputType = FixedType::fixed(8, 3);
  n.inputWidth = 4;
  LayerDesc d;
  d.name = "fc1";
  d.kind = LayerKind::Dense;
  d.nOut = 3;
  d.weights = {0.5f, -0.25f, 0.75f, 1.0f, 0.125f, -0.5f, -1.0f, 0.25f, 0.5f, 0.375f, -0.75f, 0.0f};
  d.biases = {0.03f, -0.02f, 0.01f};
  d.weightType = FixedType::fixed(6, 1, QuantMode::RND, OverflowMode::SAT);
  d.biasType = FixedType::fixed(2, -3, QuantMode::RND, OverflowMode::SAT);
  d.accumType = FixedType::fixed(6, 4, QuantMode::RND, OverflowMode::SAT);
  d.resultType = FixedType::fixed(8, 4, QuantMode::RND, OverflowMode::SAT);
  n.layers.push_back(d);
  n.resolve();
  return n;
}

TEST(VendorRule, NetworksAreWidenedNotEmittedAroundUndefinedConversions) {
  NetworkDesc net = tinyBiasNet();
  const std::string why = firstUndefinedConversion(net);
  EXPECT_NE(why.find("layer fc1: bias to accumulator"), std::string::npos) << why;
  try {
    HlsProjectEmitter(net).emit((std::filesystem::temp_directory_path() / ("mmlc_never_" + std::to_string(::getpid()))).string());
    ADD_FAILURE() << "an undefined conversion was emitted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bias to accumulator"), std::string::npos) << e.what();
  }
  std::vector<float> x;
  for (int i = 0; i < 64 * 4; ++i) x.push_back(static_cast<float>((i * 37) % 29 - 14) / 4.0f);
  std::vector<double> before(64 * 3), after(64 * 3);
  NetworkSim(net).run(x.data(), 64, before.data());
  const auto notes = widenToDefinedConversions(net);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("fc1 bias: fixed<2,-3,RND,SAT> -> fixed<3,-2,RND,SAT>"), std::string::npos) << notes[0];
  EXPECT_EQ(firstUndefinedConversion(net), "");
  NetworkSim(net).run(x.data(), 64, after.data());
  EXPECT_EQ(before, after);
  // A product below the accumulator's rounding bit widens the weight; a table the result's.
  NetworkDesc p = tinyBiasNet();
  p.layers[0].biasType = FixedType::fixed(4, 0);
  p.layers[0].weightType = FixedType::fixed(3, -6);
  p.layers[0].weights.assign(12, 0.004f);
  p.resolve();
  EXPECT_NE(firstUndefinedConversion(p).find("input x weight product to accumulator"), std::string::npos);
  widenToDefinedConversions(p);
  EXPECT_EQ(p.layers[0].weightType, FixedType::fixed(4, -5));
}

}  // namespace
