// ONNX import into and export from the engine (opset 13 on export; chains and DAGs with Add/Concat).
#pragma once
#include <string>

#include "nn/Network.h"

namespace mmlc::nn {

// Supported operators: Gemm, MatMul(+Add), Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Conv, MaxPool,
// AveragePool, Flatten, Reshape, BatchNormalization, Transpose, Identity, Dropout, and Add of two
// data tensors / Concat on axis 1 as merge layers. Nodes must be in topological order, from the
// single non-initializer input to the single output (the last layer's). Throws Error naming the
// file and the node for anything unsupported, a dangling input, a cycle or a merge shape mismatch.
Network importOnnx(const std::string& path);
// Dense -> Gemm, Conv1D/2D -> Conv, pools, BN, activations, Flatten/Reshape/Transpose, Dropout,
// Add -> Add, Concatenate -> Concat (axis 1); "same" padding -> explicit pads.
// Weights are copied bit for bit, so export followed by import reproduces outputs exactly.
void exportOnnx(Network& net, const std::string& path);

}  // namespace mmlc::nn
