// ONNX import into and export from the engine (opset 13 on export; sequential graphs on import).
#pragma once
#include <string>

#include "nn/Network.h"

namespace mmlc::nn {

// Supported operators: Gemm, MatMul(+Add), Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Conv, MaxPool,
// AveragePool, Flatten, Reshape, BatchNormalization, Transpose, Identity, Dropout. The graph must
// be a chain from its single non-initializer input to its output. Throws Error naming the file and
// the operator for anything unsupported.
Network importOnnx(const std::string& path);
// Dense -> Gemm, Conv1D/2D -> Conv, pools, BN, activations, Flatten/Reshape/Transpose, Dropout.
// Weights are copied bit for bit, so export followed by import reproduces outputs exactly.
void exportOnnx(Network& net, const std::string& path);

}  // namespace mmlc::nn
