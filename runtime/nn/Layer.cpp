// Layer input handling and LayerSpec convenience constructors (the factory is LayerFactory.cpp).
#include "nn/Layer.h"

#include "nn/Error.h"

namespace mmlc::nn {

Shape Layer::configureInputs(const std::vector<Shape>& inputs, Random& rng) {
  if (inputs.size() != 1)
    throw Error(spec_.kind + " layer '" + spec_.name + "' takes one input, got " + std::to_string(inputs.size()));
  return configure(inputs.front(), rng);
}

void Layer::forwardFusedRelu(const Matrix&, Matrix&, bool) {
  throw Error(spec_.kind + " layer '" + spec_.name + "' cannot apply a ReLU itself");
}
void Layer::backwardFusedRelu(const Matrix&, const Matrix&, const Matrix&, Matrix&) {
  throw Error(spec_.kind + " layer '" + spec_.name + "' cannot apply a ReLU itself");
}

}  // namespace mmlc::nn

namespace mmlc::nn::layers {

static LayerSpec kind(const char* k) {
  LayerSpec s;
  s.kind = k;
  return s;
}
LayerSpec dense(int units, bool useBias) {
  LayerSpec s = kind("Dense");
  s.units = units;
  s.useBias = useBias;
  return s;
}
LayerSpec relu() { return kind("ReLU"); }
LayerSpec leakyRelu(float alpha) {
  LayerSpec s = kind("LeakyReLU");
  s.alpha = alpha;
  return s;
}
LayerSpec sigmoid() { return kind("Sigmoid"); }
LayerSpec tanh() { return kind("Tanh"); }
LayerSpec softmax() { return kind("Softmax"); }
LayerSpec dropout(float rate) {
  LayerSpec s = kind("Dropout");
  s.rate = rate;
  return s;
}
LayerSpec flatten() { return kind("Flatten"); }
LayerSpec conv1d(int filters, int kernel, int stride, int pad) {
  LayerSpec s = kind("Conv1D");
  s.units = filters;
  s.kernelW = kernel;
  s.strideW = stride;
  s.padW = pad;
  return s;
}
LayerSpec conv2d(int filters, int kernel, int stride, int pad) {
  LayerSpec s = kind("Conv2D");
  s.units = filters;
  s.kernelH = s.kernelW = kernel;
  s.strideH = s.strideW = stride;
  s.padH = s.padW = pad;
  return s;
}
static LayerSpec pool(const char* k, int kernel, int stride, bool twoD) {
  LayerSpec s = kind(k);
  s.kernelW = kernel;
  s.strideW = stride ? stride : kernel;
  if (twoD) {
    s.kernelH = kernel;
    s.strideH = s.strideW;
  }
  return s;
}
LayerSpec maxPool(int kernel, int stride) { return pool("MaxPool", kernel, stride, true); }
LayerSpec averagePool(int kernel, int stride) { return pool("AveragePool", kernel, stride, true); }
LayerSpec maxPool1d(int kernel, int stride) { return pool("MaxPool", kernel, stride, false); }
LayerSpec averagePool1d(int kernel, int stride) { return pool("AveragePool", kernel, stride, false); }
LayerSpec batchNorm(float epsilon, float momentum) {
  LayerSpec s = kind("BatchNormalization");
  s.epsilon = epsilon;
  s.momentum = momentum;
  return s;
}
LayerSpec transpose(std::vector<int> perm) {
  LayerSpec s = kind("Transpose");
  s.perm = std::move(perm);
  return s;
}
LayerSpec reshape(std::vector<int> dims) {
  LayerSpec s = kind("Reshape");
  s.dims = std::move(dims);
  return s;
}

LayerSpec add(std::vector<std::string> inputs) {
  LayerSpec s = kind("Add");
  s.inputs = std::move(inputs);
  return s;
}
LayerSpec concatenate(std::vector<std::string> inputs) {
  LayerSpec s = kind("Concatenate");
  s.inputs = std::move(inputs);
  return s;
}
LayerSpec from(LayerSpec spec, std::vector<std::string> inputs) {
  spec.inputs = std::move(inputs);
  return spec;
}
LayerSpec grouped(LayerSpec conv, int groups) {
  conv.groups = groups;
  return conv;
}
LayerSpec upsample(int factorH, int factorW) {
  LayerSpec s = kind("Upsample");
  s.kernelH = factorH;
  s.kernelW = factorW;
  return s;
}
LayerSpec same(LayerSpec spec) {
  spec.padding = "same";
  spec.padH = spec.padW = 0;
  return spec;
}

}  // namespace mmlc::nn::layers
