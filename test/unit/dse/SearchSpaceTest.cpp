// Tests of search-space validation, encoding, rounding and decoding.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "dse/GridSearch.h"
#include "dse/SearchSpace.h"

using namespace mmlc::dse;

TEST(SearchSpace, RejectsBadDomainsWithClearErrors) {
  EXPECT_THROW(Parameter::real("a", 1, 1), SearchError);
  EXPECT_THROW(Parameter::real("a", 2, 1), SearchError);
  EXPECT_THROW(Parameter::real("a", 0, 1, Scale::Log), SearchError);
  EXPECT_THROW(Parameter::real("a", 0, INFINITY), SearchError);
  EXPECT_THROW(Parameter::integer("a", 5, 4), SearchError);
  EXPECT_THROW(Parameter::ordinal("a", {}), SearchError);
  EXPECT_THROW(Parameter::ordinal("a", {1, 1}), SearchError);
  EXPECT_THROW(Parameter::categorical("a", {}), SearchError);
  EXPECT_THROW(Parameter::categorical("a", {"x", "x"}), SearchError);
  SearchSpace s({Parameter::real("a", 0, 1)});
  EXPECT_THROW(s.add(Parameter::real("a", 0, 2)), SearchError);
  try {
    Parameter::integer("reuse", 9, 3);
    FAIL();
  } catch (const SearchError& e) {
    EXPECT_NE(std::string(e.what()).find("reuse"), std::string::npos);
  }
}

TEST(SearchSpace, EncodesAndRoundsEveryKind) {
  SearchSpace s({Parameter::real("lr", 1e-4, 1e-1, Scale::Log), Parameter::integer("n", 1, 5),
                 Parameter::ordinal("bits", {4, 8, 16}), Parameter::categorical("c", {"a", "b", "c"}),
                 Parameter::integer("w", 1, 1024, Scale::Log)});
  std::vector<double> e = {0.5, 0.4, 0.7, 1.6, 0.5};
  s.snap(e);
  EXPECT_DOUBLE_EQ(e[0], 0.5);
  EXPECT_DOUBLE_EQ(e[1], 0.5);   // 1 + 0.4 * 4 = 2.6 -> 3 -> (3 - 1) / 4
  EXPECT_DOUBLE_EQ(e[2], 0.5);   // index round(0.7 * 2) = 1
  EXPECT_DOUBLE_EQ(e[3], 2.0);
  Config c = s.decode(e);
  EXPECT_NEAR(c.values[0], std::sqrt(1e-4 * 1e-1), 1e-12);
  EXPECT_EQ(c.values[1], 3);
  EXPECT_EQ(c.values[2], 8);
  EXPECT_EQ(c.values[3], 2);
  EXPECT_EQ(c.values[4], 32);  // log-uniform midpoint of [1, 1024]
  EXPECT_EQ(s.label(c, 3), "c");
  // Snapping is idempotent: the model only ever sees evaluable points.
  std::vector<double> again = c.encoded;
  s.snap(again);
  EXPECT_EQ(again, c.encoded);
  // fromValues is the inverse of decode.
  Config back = s.fromValues(c.values);
  for (std::size_t i = 0; i < s.size(); ++i) EXPECT_NEAR(back.encoded[i], c.encoded[i], 1e-12);
  EXPECT_THROW(s.fromValues({1e-3, 2.5, 8, 0, 4}), SearchError);  // 2.5 is not an integer
  EXPECT_THROW(s.fromValues({1e-3, 2, 9, 0, 4}), SearchError);    // 9 not in the value set
  EXPECT_THROW(s.fromValues({1e-3, 2, 8}), SearchError);
}

TEST(SearchSpace, UnitSamplesCoverDiscreteValuesUniformly) {
  SearchSpace s({Parameter::integer("n", 0, 3), Parameter::categorical("c", {"a", "b"})});
  std::set<std::pair<double, double>> seen;
  for (int i = 0; i < 8; ++i) {
    auto e = s.fromUnit({(i % 4 + 0.5) / 4.0, (i / 4 + 0.5) / 2.0});
    Config c = s.decode(e);
    seen.insert({c.values[0], c.values[1]});
  }
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(s.discreteCount(), 8u);
}

TEST(SearchSpace, GridEnumeratesLevels) {
  SearchSpace s({Parameter::integer("n", 2, 4), Parameter::real("x", 0, 10)});
  Parameter p = Parameter::real("y", 0, 1);
  p.gridPoints = 2;
  s.add(p);
  auto levels = gridLevels(s);
  ASSERT_EQ(gridSize(levels), 3u * 5u * 2u);
  std::set<std::vector<double>> points;
  for (std::uint64_t i = 0; i < gridSize(levels); ++i) points.insert(s.decode(gridPoint(s, levels, i)).values);
  EXPECT_EQ(points.size(), 30u);
  EXPECT_TRUE(points.count({4, 10, 1}));
  EXPECT_TRUE(points.count({2, 0, 0}));
}
