// Hand-worked values for every ap_fixed quantisation and overflow mode, and a randomised check
// that our ap_fixed.h template header and the FixedPointSim agree bit for bit.
#include <gtest/gtest.h>

#include <random>

#include "hls/FixedPointSim.h"
#include "hls/templates/ap_fixed.h"

using namespace mmlc::hls;

namespace {

double q(double v, FixedType t) { return toDouble(fromDouble(v, t), t); }

struct QuantCase {
  QuantMode mode;
  // Results for 0.625, 0.875, -0.625, -0.875, 0.6, 0.7, -0.7, -0.6 in ap_fixed<4,2> (LSB 0.25).
  double expect[8];
};

}  // namespace

TEST(FixedPointSim, QuantisationModesHandWorked) {
  const double in[8] = {0.625, 0.875, -0.625, -0.875, 0.6, 0.7, -0.7, -0.6};
  // 0.625 and 0.875 are exact ties (2.5 and 3.5 LSBs); 0.6 = 2.4 LSBs, 0.7 = 2.8 LSBs.
  const QuantCase cases[] = {
      {QuantMode::TRN, {0.5, 0.75, -0.75, -1.0, 0.5, 0.5, -0.75, -0.75}},
      {QuantMode::TRN_ZERO, {0.5, 0.75, -0.5, -0.75, 0.5, 0.5, -0.5, -0.5}},
      {QuantMode::RND, {0.75, 1.0, -0.5, -0.75, 0.5, 0.75, -0.75, -0.5}},
      {QuantMode::RND_ZERO, {0.5, 0.75, -0.5, -0.75, 0.5, 0.75, -0.75, -0.5}},
      {QuantMode::RND_INF, {0.75, 1.0, -0.75, -1.0, 0.5, 0.75, -0.75, -0.5}},
      {QuantMode::RND_MIN_INF, {0.5, 0.75, -0.75, -1.0, 0.5, 0.75, -0.75, -0.5}},
      {QuantMode::RND_CONV, {0.5, 1.0, -0.5, -1.0, 0.5, 0.75, -0.75, -0.5}},
  };
  for (const auto& c : cases) {
    const FixedType t = FixedType::fixed(4, 2, c.mode, OverflowMode::WRAP);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(q(in[i], t), c.expect[i]) << quantModeName(c.mode) << " of " << in[i];
  }
}

TEST(FixedPointSim, OverflowModesHandWorked) {
  // ap_fixed<4,2>: raw -8..7, values -2.0..1.75.
  auto t = [](OverflowMode o) { return FixedType::fixed(4, 2, QuantMode::TRN, o); };
  EXPECT_EQ(q(2.0, t(OverflowMode::WRAP)), -2.0);
  EXPECT_EQ(q(2.0, t(OverflowMode::SAT)), 1.75);
  EXPECT_EQ(q(2.0, t(OverflowMode::SAT_ZERO)), 0.0);
  EXPECT_EQ(q(2.0, t(OverflowMode::SAT_SYM)), 1.75);
  EXPECT_EQ(q(-2.25, t(OverflowMode::WRAP)), 1.75);
  EXPECT_EQ(q(-2.25, t(OverflowMode::SAT)), -2.0);
  EXPECT_EQ(q(-2.25, t(OverflowMode::SAT_ZERO)), 0.0);
  EXPECT_EQ(q(-2.25, t(OverflowMode::SAT_SYM)), -1.75);
  EXPECT_EQ(q(5.0, t(OverflowMode::WRAP)), 1.0);  // raw 20 mod 16 = 4
  // The vendor never produces the most negative pattern in AP_SAT_SYM (ap_fixed_base.h: `underflow |= neg_src &&
  // range(0, W-2) == 0`), so the exactly representable -2.0 becomes -max.
  EXPECT_EQ(q(-2.0, t(OverflowMode::SAT_SYM)), -1.75);
  EXPECT_EQ(q(1.75, t(OverflowMode::SAT)), 1.75);
  // Rounding up into overflow: 1.875 = 7.5 LSBs rounds to 8.
  EXPECT_EQ(q(1.875, FixedType::fixed(4, 2, QuantMode::RND, OverflowMode::SAT)), 1.75);
  EXPECT_EQ(q(1.875, FixedType::fixed(4, 2, QuantMode::RND, OverflowMode::WRAP)), -2.0);
  // Unsigned ap_ufixed<4,2>: 0..3.75.
  auto u = [](OverflowMode o) { return FixedType::ufixed(4, 2, QuantMode::TRN, o); };
  EXPECT_EQ(q(-0.5, u(OverflowMode::WRAP)), 3.5);
  EXPECT_EQ(q(-0.5, u(OverflowMode::SAT)), 0.0);
  EXPECT_EQ(q(-0.5, u(OverflowMode::SAT_ZERO)), 0.0);
  EXPECT_EQ(q(-0.5, u(OverflowMode::SAT_SYM)), 0.0);
  EXPECT_EQ(q(4.0, u(OverflowMode::WRAP)), 0.0);
  EXPECT_EQ(q(4.0, u(OverflowMode::SAT)), 3.75);
  EXPECT_EQ(q(1e30, t(OverflowMode::SAT)), 1.75);
  EXPECT_EQ(q(-1e30, t(OverflowMode::SAT)), -2.0);
}

TEST(FixedPointSim, UnusualIntegerBits) {
  // I < 0: ap_fixed<4,-2> has LSB 1/64 and range [-8/64, 7/64].
  EXPECT_EQ(q(0.05, FixedType::fixed(4, -2)), 3.0 / 64);
  EXPECT_EQ(q(0.5, FixedType::fixed(4, -2, QuantMode::TRN, OverflowMode::SAT)), 7.0 / 64);
  // I > W: ap_fixed<4,6> has LSB 4 and range [-32, 28].
  EXPECT_EQ(q(13.0, FixedType::fixed(4, 6)), 12.0);
  EXPECT_EQ(q(14.0, FixedType::fixed(4, 6, QuantMode::RND)), 16.0);
  EXPECT_EQ(q(100.0, FixedType::fixed(4, 6, QuantMode::TRN, OverflowMode::SAT)), 28.0);
  // Integers and wide types.
  EXPECT_EQ(q(-3.7, FixedType::parse("int<8>")), -4.0);
  EXPECT_EQ(q(300.0, FixedType::parse("ap_int<8>")), 44.0);
  EXPECT_EQ(q(0.1, FixedType::fixed(64, 1)), std::ldexp(std::floor(std::ldexp(0.1, 63)), -63));
}

TEST(FixedPointSim, ProductsAndSums) {
  const FixedType a8 = FixedType::fixed(8, 3);
  const FixedValue x = FixedValue::of(1.40625, a8);  // exact: 45/32
  const FixedValue w = FixedValue::of(-0.71875, a8);  // exact: -23/32
  // Exact product -1035/1024 = -1.0107421875; cast to ap_fixed<8,3> (LSB 1/32): TRN -> -33/32.
  EXPECT_EQ(multiplyTo(x, w, a8).toDouble(), -33.0 / 32);
  EXPECT_EQ(multiplyTo(x, w, FixedType::fixed(8, 3, QuantMode::RND)).toDouble(), -32.0 / 32);
  // Sum 1.40625 + 3.0 = 4.40625 overflows ap_fixed<8,3> (max 3.96875).
  const FixedValue three = FixedValue::of(3.0, a8);
  EXPECT_EQ(addTo(x, three, FixedType::fixed(8, 3, QuantMode::TRN, OverflowMode::SAT)).toDouble(), 3.96875);
  EXPECT_EQ(addTo(x, three, a8).toDouble(), 4.40625 - 8.0);
}

TEST(FixedType, ParseAndPrint) {
  EXPECT_EQ(FixedType::parse("fixed<16,6>"), FixedType::fixed(16, 6));
  EXPECT_EQ(FixedType::parse("ap_fixed<18, 8, AP_RND, AP_SAT>"),
            FixedType::fixed(18, 8, QuantMode::RND, OverflowMode::SAT));
  EXPECT_EQ(FixedType::parse("ufixed<8,0,RND_CONV,SAT_SYM>"),
            FixedType::ufixed(8, 0, QuantMode::RND_CONV, OverflowMode::SAT_SYM));
  EXPECT_EQ(FixedType::fixed(16, 6).toCpp(), "ap_fixed<16,6>");
  EXPECT_EQ(FixedType::fixed(18, 8, QuantMode::RND, OverflowMode::SAT).toCpp(), "ap_fixed<18,8,AP_RND,AP_SAT>");
  EXPECT_THROW(FixedType::parse("fixed<16>"), std::invalid_argument);
  EXPECT_THROW(FixedType::parse("fixed<16,6,AP_BOGUS>"), std::invalid_argument);
  EXPECT_THROW(FixedType::parse("float"), std::invalid_argument);
  EXPECT_THROW(FixedType::parse("fixed<100,6>"), std::invalid_argument);
}

namespace {

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
void crossCheckHeader(std::mt19937_64& rng) {
  const QuantMode qm[] = {QuantMode::RND, QuantMode::RND_ZERO, QuantMode::RND_MIN_INF, QuantMode::RND_INF,
                          QuantMode::RND_CONV, QuantMode::TRN, QuantMode::TRN_ZERO};
  const OverflowMode om[] = {OverflowMode::SAT, OverflowMode::SAT_ZERO, OverflowMode::SAT_SYM, OverflowMode::WRAP};
  FixedType t;
  t.width = W;
  t.integer = I;
  t.isSigned = S;
  t.quant = qm[Q];
  t.overflow = om[O];
  std::uniform_real_distribution<double> dist(-3.0 * std::ldexp(1.0, I), 3.0 * std::ldexp(1.0, I));
  typedef ap_fixed_base<W, I, S, Q, O> T;
  typedef ap_fixed<12, 4> Src;  // a second type to exercise fixed -> fixed casts
  for (int k = 0; k < 400; ++k) {
    const double v = dist(rng);
    const T x(v);
    ASSERT_EQ(static_cast<Raw>(x.V), fromDouble(v, t)) << t.toCpp() << " from " << v;
    const Src s(v);
    const T y(s);
    ASSERT_EQ(static_cast<Raw>(y.V), quantizeRaw(static_cast<Raw>(s.V), 8, t)) << t.toCpp() << " cast of " << v;
    // Product of two fixed values cast back, as dense layers do.
    const Src s2(dist(rng) / 4);
    const T p = s * s2;
    ASSERT_EQ(static_cast<Raw>(p.V), quantizeRaw(static_cast<WideRaw>(s.V) * static_cast<WideRaw>(s2.V), 16, t));
  }
}

template <ap_q_mode Q>
void crossCheckAllOverflow(std::mt19937_64& rng) {
  crossCheckHeader<8, 3, true, Q, AP_SAT>(rng);
  crossCheckHeader<8, 3, true, Q, AP_SAT_ZERO>(rng);
  crossCheckHeader<8, 3, true, Q, AP_SAT_SYM>(rng);
  crossCheckHeader<8, 3, true, Q, AP_WRAP>(rng);
  crossCheckHeader<6, 2, false, Q, AP_SAT>(rng);
  crossCheckHeader<6, 2, false, Q, AP_WRAP>(rng);
  crossCheckHeader<5, 7, true, Q, AP_WRAP>(rng);
  crossCheckHeader<20, -1, true, Q, AP_SAT_SYM>(rng);
}

}  // namespace

TEST(ApFixedHeader, BitIdenticalToSimulator) {
  std::mt19937_64 rng(42);
  crossCheckAllOverflow<AP_TRN>(rng);
  crossCheckAllOverflow<AP_TRN_ZERO>(rng);
  crossCheckAllOverflow<AP_RND>(rng);
  crossCheckAllOverflow<AP_RND_ZERO>(rng);
  crossCheckAllOverflow<AP_RND_INF>(rng);
  crossCheckAllOverflow<AP_RND_MIN_INF>(rng);
  crossCheckAllOverflow<AP_RND_CONV>(rng);
}

TEST(ApFixedHeader, OperatorsAndSlices) {
  ap_fixed<16, 6> a = 1.5;
  ap_fixed<16, 6> b = -2.25;
  EXPECT_EQ((a + b).to_double(), -0.75);
  EXPECT_EQ((a * b).to_double(), -3.375);
  EXPECT_EQ((a - b).to_double(), 3.75);
  EXPECT_TRUE(a > b);
  EXPECT_TRUE(a > 0);
  EXPECT_FALSE(b > 0);
  EXPECT_EQ((b * 1024 / 16).to_int(), -144);
  ap_fixed<16, 6> c = -0.7;
  EXPECT_EQ((c * 1024 / 16).to_int(), -44);  // truncation toward zero
  a += b;
  EXPECT_EQ(a.to_double(), -0.75);
  // Top 4 bits of -0.75 in ap_fixed<16,6>: raw 0xFD00 -> 0xF.
  EXPECT_EQ(a.range(15, 12).to_uint64(), 0xFu);
  ap_fixed<8, 4> d = 0;
  d.range(7, 4) = 0x9;  // -7 in the integer part
  EXPECT_EQ(d.to_double(), -7.0);
  ap_int<8> i = 100;
  ap_int<8> j = i + i;  // 200 wraps to -56
  EXPECT_EQ(j.to_int(), -56);
}

TEST(FixedPointSim, FastPathsAgreeWithExactPaths) {
  // fromDouble / quantizeRaw64 take 64-bit shortcuts; they must agree with the 128-bit paths.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mag(-30.0, 30.0);
  std::uniform_int_distribution<int> wdist(1, 64), idist(-20, 40), qdist(0, 6), odist(0, 3);
  std::uniform_int_distribution<long long> raw(-(1LL << 40), 1LL << 40);
  for (int k = 0; k < 200000; ++k) {
    FixedType t;
    t.width = wdist(rng);
    t.integer = idist(rng);
    t.isSigned = (k & 1) == 0;
    t.quant = static_cast<QuantMode>(qdist(rng));
    t.overflow = static_cast<OverflowMode>(odist(rng));
    const double v = std::ldexp(mag(rng), static_cast<int>(mag(rng)));
    ASSERT_EQ(fromDouble(v, t), fromDoubleSlow(v, t)) << t.toCpp() << " " << v;
    const Raw x = raw(rng);
    const int srcFrac = idist(rng);
    ASSERT_EQ(quantizeRaw64(x, srcFrac, t), quantizeRaw(x, srcFrac, t)) << t.toCpp() << " " << x << " " << srcFrac;
  }
}
