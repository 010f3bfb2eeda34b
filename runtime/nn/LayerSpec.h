// Declarative description of one layer: what model files store and what architecture edits change.
#pragma once
#include <string>
#include <vector>

namespace mmlc::nn {

// One flat struct for every layer kind keeps serialisation and scaling edits trivial;
// each kind reads only the fields it documents in docs/nn.md.
struct LayerSpec {
  std::string kind;        // Dense, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, Dropout, Flatten,
                           // Conv1D, Conv2D, MaxPool, AveragePool, BatchNormalization, Transpose, Reshape,
                           // Add, Concatenate (merge layers: several inputs),
                           // Quant, BipolarQuant (quantisers of QONNX/QKeras models, nn/QuantLayer.h),
                           // ELU, SELU, HardSigmoid,
                           // Clip, Softplus, Softsign, PReLU (per-element slope), Upsample
  int units = 0;           // Dense output width; Conv filters
  int kernelH = 1, kernelW = 1;  // Upsample: the repeat factors
  int strideH = 1, strideW = 1;
  int padH = 0, padW = 0;  // zero padding above/left (and below/right unless set below)
  int padBottom = -1, padRight = -1;  // Conv: zeros below/right when they differ from padH/padW (-1: the same)
  std::string padding;     // "" (padH/padW as given) or "same": output = ceil(input / stride),
                           // zeros split like Keras/TF (the odd one at the bottom/right)
  bool useBias = true;
  float alpha = 0.01f;     // LeakyReLU slope; ELU/SELU alpha, HardSigmoid slope, Clip minimum
  float beta = 0.0f;       // SELU gamma, HardSigmoid offset, Clip maximum
  int groups = 1;          // Conv: channel groups (ONNX `group`; = channels for depthwise)
  float rate = 0.5f;       // Dropout drop probability
  float epsilon = 1e-5f;   // BatchNormalization
  float momentum = 0.9f;   // BatchNormalization running-average momentum (Keras convention)
  std::vector<int> perm;   // Transpose: permutation of the per-sample dims
  std::vector<int> dims;   // Reshape: target per-sample dims
  // Quant: y = (clamp(round(x / scale + zeroPoint)) - zeroPoint) * scale on `bits` bits;
  // BipolarQuant: y = x >= 0 ? scale : -scale.
  int bits = 0;
  float scale = 1.0f;
  float zeroPoint = 0.0f;
  bool isSigned = true;
  bool narrow = false;          // signed: [-2^(b-1)+1, 2^(b-1)-1]; unsigned: [0, 2^b-2]
  std::string rounding;         // QONNX rounding mode; "" = ROUND (half to even)
  // Dense/Conv of an imported quantised model: the exact fixed-point types (hls4ml spelling,
  // e.g. "fixed<6,1,RND_CONV,SAT>") its weights and biases were quantised to; "" = not quantised.
  std::string weightType, biasType;
  std::string name;        // unique within a network, assigned by Network::add when empty
  // Names of the layers this one reads ("input" is the network input). Empty: the previous
  // layer's output (a chain); merge layers (Add, Concatenate) list two or more.
  std::vector<std::string> inputs;
};

// Convenience constructors so network definitions read like Keras code.
namespace layers {
LayerSpec dense(int units, bool useBias = true);
LayerSpec relu();
LayerSpec leakyRelu(float alpha = 0.01f);
LayerSpec sigmoid();
LayerSpec tanh();
LayerSpec softmax();
LayerSpec dropout(float rate);
LayerSpec flatten();
LayerSpec conv1d(int filters, int kernel, int stride = 1, int pad = 0);
LayerSpec conv2d(int filters, int kernel, int stride = 1, int pad = 0);
LayerSpec maxPool(int kernel, int stride = 0);  // stride 0 = kernel (non-overlapping)
LayerSpec averagePool(int kernel, int stride = 0);
LayerSpec maxPool1d(int kernel, int stride = 0);
LayerSpec averagePool1d(int kernel, int stride = 0);
LayerSpec batchNorm(float epsilon = 1e-3f, float momentum = 0.99f);
LayerSpec transpose(std::vector<int> perm);
// Grouped convolution: `groups` divides the input channels and the filters (depthwise: groups =
// channels; a separable convolution is a depthwise one followed by a 1x1 one).
LayerSpec grouped(LayerSpec conv, int groups);
// Nearest-neighbour upsampling of (C,L) by `factorW` or (C,H,W) by factorH x factorW.
LayerSpec upsample(int factorH, int factorW);
LayerSpec reshape(std::vector<int> dims);
// Element-wise sum of inputs of one shape (a residual connection).
LayerSpec add(std::vector<std::string> inputs);
// Joins inputs along the channel axis (dim 0 of the per-sample shape); other dims must match.
LayerSpec concatenate(std::vector<std::string> inputs);
// Returns `spec` reading the given layers instead of the previous one.
LayerSpec from(LayerSpec spec, std::vector<std::string> inputs);
// Returns `spec` (a Conv or pool) with "same" padding.
LayerSpec same(LayerSpec spec);
}  // namespace layers

}  // namespace mmlc::nn
