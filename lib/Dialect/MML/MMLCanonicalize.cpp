// Canonicalisation patterns of the `mml` control blocks (run by the builtin `canonicalize`).
#include "mml/Dialect/MML/MMLOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mml;

namespace {
/// Moves the ops of `region` (ending in mml.yield) before `op` and replaces op's results.
void inlineYieldingRegion(PatternRewriter &rewriter, Operation *op, Region &region,
                          ValueRange blockArgs) {
  Block *block = &region.front();
  auto yield = cast<YieldOp>(block->getTerminator());
  SmallVector<Value> results(yield.getResults());
  rewriter.inlineBlockBefore(block, op, blockArgs);
  rewriter.replaceOp(op, results);
  rewriter.eraseOp(yield);
}

/// `mml.if` on a constant condition becomes the branch it takes.
struct FoldConstantIf : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op, PatternRewriter &rewriter) const override {
    BoolAttr condition;
    if (!matchPattern(op.getCondition(), m_Constant(&condition)))
      return failure();
    inlineYieldingRegion(rewriter, op,
                         condition.getValue() ? op.getThenRegion() : op.getElseRegion(), {});
    return success();
  }
};

/// `mml.for` over no values forwards its loop-carried values.
struct EraseEmptyFor : OpRewritePattern<ForOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ForOp op, PatternRewriter &rewriter) const override {
    if (!op.getValues().empty())
      return failure();
    rewriter.replaceOp(op, op.getInits());
    return success();
  }
};
} // namespace

void IfOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<FoldConstantIf>(context);
}

void ForOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<EraseEmptyFor>(context);
}
