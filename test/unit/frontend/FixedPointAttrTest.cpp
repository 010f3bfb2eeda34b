// Unit tests of #mml.fixed: validity limits, printing, parsing and the HLS type spelling.
#include "mml/Dialect/MML/MMLOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mml;

namespace {
class FixedPointAttrTest : public ::testing::Test {
protected:
  FixedPointAttrTest() { context.loadDialect<MMLDialect>(); }
  std::string print(mlir::Attribute a) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << a;
    return s;
  }
  mlir::MLIRContext context;
};

TEST_F(FixedPointAttrTest, WidthLimitsAreThoseOfHlsTools) {
  EXPECT_FALSE(FixedPointAttr::findProblem(1, 1, true, "TRN", "WRAP"));
  EXPECT_FALSE(FixedPointAttr::findProblem(1024, 10, true, "TRN", "WRAP"));
  EXPECT_TRUE(FixedPointAttr::findProblem(0, 0, true, "TRN", "WRAP"));
  EXPECT_TRUE(FixedPointAttr::findProblem(1025, 0, true, "TRN", "WRAP"));
  EXPECT_TRUE(FixedPointAttr::findProblem(-3, 0, true, "TRN", "WRAP"));
}

TEST_F(FixedPointAttrTest, IntegerBitsMayExceedWidthOrBeNegative) {
  EXPECT_FALSE(FixedPointAttr::findProblem(8, 12, true, "TRN", "WRAP"));
  EXPECT_FALSE(FixedPointAttr::findProblem(8, -4, true, "TRN", "WRAP"));
}

TEST_F(FixedPointAttrTest, ModesAreChecked) {
  for (const char *q : {"TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"})
    EXPECT_FALSE(FixedPointAttr::findProblem(16, 6, true, q, "WRAP")) << q;
  for (const char *o : {"WRAP", "SAT", "SAT_ZERO", "SAT_SYM"})
    EXPECT_FALSE(FixedPointAttr::findProblem(16, 6, true, "TRN", o)) << o;
  EXPECT_TRUE(FixedPointAttr::findProblem(16, 6, true, "ROUND", "WRAP"));
  EXPECT_TRUE(FixedPointAttr::findProblem(16, 6, true, "TRN", "CLAMP"));
  EXPECT_TRUE(FixedPointAttr::findProblem(16, 6, false, "TRN", "SAT_SYM"));
}

TEST_F(FixedPointAttrTest, SpellingsForHlsAndTheLanguage) {
  auto plain = FixedPointAttr::get(&context, 16, 6, true, "TRN", "WRAP");
  EXPECT_EQ(plain.getHlsTypeName(), "ap_fixed<16,6>");
  EXPECT_EQ(plain.getSourceSpelling(), "fixed<16,6>");
  auto modes = FixedPointAttr::get(&context, 8, 0, false, "RND", "SAT");
  EXPECT_EQ(modes.getHlsTypeName(), "ap_ufixed<8,0,AP_RND,AP_SAT>");
  EXPECT_EQ(modes.getSourceSpelling(), "ufixed<8,0,RND,SAT>");
  auto roundOnly = FixedPointAttr::get(&context, 10, 4, true, "RND_CONV", "WRAP");
  EXPECT_EQ(roundOnly.getHlsTypeName(), "ap_fixed<10,4,AP_RND_CONV>");
}

TEST_F(FixedPointAttrTest, PrintsAndParsesBack) {
  for (const char *text : {"#mml.fixed<16, 6>", "#mml.fixed<8, 0, unsigned>",
                           "#mml.fixed<18, 8, RND, SAT>", "#mml.fixed<4, -2, unsigned, RND_CONV>"}) {
    mlir::Attribute a = mlir::parseAttribute(text, &context);
    ASSERT_TRUE(a) << text;
    EXPECT_EQ(print(a), text);
  }
}
} // namespace
