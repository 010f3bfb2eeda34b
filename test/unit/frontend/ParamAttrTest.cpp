// Unit tests of #mml.param domains (ranges, open bounds, sets) and of the metric tables.
#include "mml/Dialect/MML/MMLOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mml;

namespace {
class ParamAttrTest : public ::testing::Test {
protected:
  ParamAttrTest() : builder(&context) { context.loadDialect<MMLDialect>(); }
  ParamAttr range(double lo, double hi, bool loOpen, bool hiOpen) {
    return ParamAttr::get(&context, builder.getStringAttr("t"), builder.getF64Type(), {},
                          builder.getF64FloatAttr(lo), builder.getF64FloatAttr(hi), loOpen,
                          hiOpen, {}, false, {}, false);
  }
  mlir::MLIRContext context;
  mlir::Builder builder;
};

TEST_F(ParamAttrTest, ClosedAndOpenRanges) {
  ParamAttr closed = range(0, 1, false, false);
  EXPECT_TRUE(closed.admits(builder.getF64FloatAttr(0)));
  EXPECT_TRUE(closed.admits(builder.getF64FloatAttr(1)));
  EXPECT_FALSE(closed.admits(builder.getF64FloatAttr(1.0001)));
  EXPECT_EQ(closed.describeDomain(), "[0, 1]");
  ParamAttr halfOpen = range(0, 1, true, false);
  EXPECT_FALSE(halfOpen.admits(builder.getF64FloatAttr(0)));
  EXPECT_TRUE(halfOpen.admits(builder.getI64IntegerAttr(1))); // ints compare as numbers
  EXPECT_EQ(halfOpen.describeDomain(), "(0, 1]");
}

TEST_F(ParamAttrTest, Sets) {
  auto set = ParamAttr::get(&context, builder.getStringAttr("s"), StringType::get(&context), {},
                            {}, {}, false, false,
                            builder.getArrayAttr({builder.getStringAttr("latency"),
                                                  builder.getStringAttr("resource")}),
                            false, {}, false);
  EXPECT_TRUE(set.admits(builder.getStringAttr("resource")));
  EXPECT_FALSE(set.admits(builder.getStringAttr("fast")));
  EXPECT_EQ(set.describeDomain(), "{\"latency\", \"resource\"}");
  EXPECT_TRUE(set.hasDomain());
  EXPECT_TRUE(set.isRequired());
}

TEST_F(ParamAttrTest, MetricsPerLevel) {
  auto has = [](mlir::Type t, llvm::StringRef m) {
    return llvm::is_contained(getMetricNames(t), m);
  };
  EXPECT_TRUE(has(DnnType::get(&context), "accuracy"));
  EXPECT_FALSE(has(DnnType::get(&context), "dsp"));
  EXPECT_TRUE(has(HlsType::get(&context), "dsp"));
  EXPECT_TRUE(has(RtlType::get(&context), "estimated"));
  EXPECT_TRUE(has(HlsType::get(&context), "clock_ns")); // produced, so the compiler admits it
  EXPECT_TRUE(has(HlsType::get(&context), "fits"));
  EXPECT_FALSE(has(DataType::get(&context), "dsp"));
  EXPECT_TRUE(has(DeviceType::get(&context), "clock_ns"));
  EXPECT_EQ(getMetricNames(HlsType::get(&context)).vec(), getMetricNames(RtlType::get(&context)).vec());
  EXPECT_TRUE(getMetricNames(builder.getI64Type()).empty());
  EXPECT_EQ(getSourceTypeName(ListType::get(builder.getF64Type())), "float[]");
  EXPECT_EQ(getSourceTypeName(builder.getI1Type()), "bool");
}
} // namespace
