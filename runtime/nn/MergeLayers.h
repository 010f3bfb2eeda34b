// Merge layers of graph networks: Add (residual connections) and Concatenate (along channels).
#pragma once
#include "nn/Layer.h"

namespace mmlc::nn {

// Shared checks: two or more inputs, all named in spec().inputs.
class MergeLayer : public Layer {
 public:
  using Layer::Layer;
  void forward(const Matrix& x, Matrix& y, bool training) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix& dx) override;

 protected:
  Shape configure(const Shape& input, Random&) override { return input; }
  // Throws unless there are at least two inputs; returns their count.
  size_t checkArity(const std::vector<Shape>& inputs) const;
};

// y = x0 + x1 + ...; every input has the same shape. dL/dx_i = dL/dy.
class AddLayer : public MergeLayer {
 public:
  using MergeLayer::MergeLayer;
  void forwardInputs(const std::vector<const Matrix*>& xs, Matrix& y, bool training) override;
  void backwardInputs(const std::vector<const Matrix*>& xs, const Matrix& y, const Matrix& dy,
                      const std::vector<Matrix*>& dxs) override;
  bool gradientPassesThrough() const override { return true; }

 protected:
  Shape configureInputs(const std::vector<Shape>& inputs, Random&) override;
};

// Joins the inputs along dim 0 of the per-sample shape (channels of (C,H,W) and (C,L), the features
// of a flat input); the other dims must match. In the channels-first C-order layout each sample's
// inputs are consecutive blocks of its output row.
class ConcatenateLayer : public MergeLayer {
 public:
  using MergeLayer::MergeLayer;
  void forwardInputs(const std::vector<const Matrix*>& xs, Matrix& y, bool training) override;
  void backwardInputs(const std::vector<const Matrix*>& xs, const Matrix& y, const Matrix& dy,
                      const std::vector<Matrix*>& dxs) override;

 protected:
  Shape configureInputs(const std::vector<Shape>& inputs, Random&) override;
};

}  // namespace mmlc::nn
