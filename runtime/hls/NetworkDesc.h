// Plain description of a quantised network for the HLS backend: ordered layers with shapes,
// float weights and per-layer fixed-point precisions. No Eigen here, so the DNN engine (mmlc::nn)
// can be adapted to it by a small converter.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "hls/FixedType.h"

namespace mmlc::hls {

enum class LayerKind {
  Dense, Conv1D, Conv2D,
  DepthwiseConv1D, DepthwiseConv2D,  // depthwise_conv_1d/2d_cl, depth multiplier 1 (one filter per channel)
  MaxPool, AvgPool, GlobalMaxPool, GlobalAvgPool,  // global: one value per channel
  ZeroPad,                                          // zeropad1d_cl / zeropad2d_cl
  Upsample,                                         // resize_nearest: each value repeated scaleH x scaleW times
  BatchNorm,
  Linear, ReLU, LeakyReLU, HardTanh, Sigmoid, Tanh, Softmax,
  ELU, SELU, Softplus, Softsign, HardSigmoid, Clip,  // layers/ExportedActivations.cpp
  PReLU,     // prelu: x > 0 ? x : a_i * x, one slope per element (LayerDesc::weights)
  Quantize,  // a per-element cast (HGQ's generated quantizer functions): out[i] = T_i(in[i])
  Add, Concatenate,  // merge layers (nnet_merge.h): two inputs, see LayerDesc::inputs
  Flatten  // stays last: kLayerKindCount (hls/LayerKinds.h) counts up to it
};
// hls4ml's softmax implementations (nnet::softmax_implementation).
enum class SoftmaxImpl { Latency, Stable, Legacy, Argmax };
enum class Strategy { Latency, Resource };
enum class IOType { Parallel, Stream };
// Which generation of hls4ml's nnet_utils templates the arithmetic follows where the generations
// compute different things (identified by template content; test/fixtures/hls4ml-projects holds
// one project of each, and TemplateConformanceTest runs their templates):
//  Hls4ml_0_8: jet-16-6-rf1-vivado2019. Pooling has no accum_t: the average of an
//              ap_fixed<W,I> (default modes) window is summed exactly, any other data_T is summed
//              in data_T; pooling1d/2d_cl multiply by a data_T `rescale` afterwards. Softmax as 1.0.
//  Hls4ml_1_0: jet-pruned60-u50-vitis2024 (hls4ml 1.0.0). Pooling sums and divides in accum_t (in
//              io_stream: an adder tree over window values cast to accum_t). Softmax with one
//              table_size, the exp sum in exp_table_t, x - max in ap_fixed<W,I,AP_RND,AP_SAT>.
//  Hls4ml_1_1: conv1d-stream-u250-vitis2024 (its nnet_utils has the later softmax and the
//              distributed-arithmetic wrappers, though its config says Version 1.0.0). Softmax
//              with exp_table_size/inv_table_size, accum_t, inv_inp_t, inp_norm_t (x_max - x,
//              indexing a table of exp(-x * exp_scale)). Pooling as 1.0.
enum class TemplateGeneration { Hls4ml_0_8, Hls4ml_1_0, Hls4ml_1_1 };

const char* layerKindName(LayerKind k);  // the kind's descriptor name (hls/LayerKinds.h)
const char* softmaxImplName(SoftmaxImpl i);  // "latency", "stable", "legacy", "argmax"
bool isActivation(LayerKind k);
bool isDepthwise(LayerKind k);  // DepthwiseConv1D or DepthwiseConv2D

struct LayerDesc {
  std::string name;  // C identifier used in emitted code (e.g. "fc1", "layer2")
  LayerKind kind = LayerKind::Dense;

  // Graph networks: the layers this one reads, by name (NetworkDesc::kInputName: the network
  // input), in the order of the template's arguments. Empty: the previous layer (the network
  // input for the first), a chain. Merge layers (Add, Concatenate) read two.
  std::vector<std::string> inputs;
  // Set by NetworkDesc::resolve(): per input, the producing layer's index (-1: the network input)
  // and its channels (the inputs of a merge share height and width; a Concatenate joins channels).
  std::vector<int> sources;
  std::vector<int> sourceChannels;

  // Dense: nIn -> nOut. Conv/pool/batch-norm/activations: channels-last tensors
  // (height x width x channels; Conv1D and 1-D pooling use height 1). Set by NetworkDesc::resolve().
  int nIn = 0, nOut = 0;
  int inHeight = 1, inWidth = 1, inChannels = 1;
  int outHeight = 1, outWidth = 1, outChannels = 1;

  // Conv / pooling geometry (pool size is kernelH x kernelW).
  int nFilters = 0;
  int kernelH = 1, kernelW = 1, strideH = 1, strideW = 1;
  int padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  // Upsample: the whole factors of nearest-neighbour upsampling (resize_nearest's new_height /
  // height and new_width / width; a 1-D map has scaleH 1).
  int scaleH = 1, scaleW = 1;

  // Dense: nIn x nOut input-major. Conv: kernelH x kernelW x inChannels x nFilters (Keras order).
  // Depthwise conv: kernelH x kernelW x inChannels (Keras order with depth multiplier 1), one bias
  // per channel; nFilters is the channel count.
  // BatchNorm: weights = per-channel scale, biases = per-channel shift.
  // PReLU: weights = one slope per element (channels-last, hls4ml's alpha[n_in]), in weightType; no biases.
  std::vector<float> weights, biases;

  // hls4ml config types: weight_t, bias_t (batch-norm: scale_t, bias_t), accum_t (dense, conv
  // mult_config, pooling; softmax of Hls4ml_1_1) and the layer's result type (res_T).
  FixedType weightType, biasType, accumType, resultType;
  int reuseFactor = 1;
  Strategy strategy = Strategy::Latency;

  // Lookup tables of sigmoid/tanh (tableType) and softmax (expTableType, invTableType).
  // tableSize is table_size (sigmoid/tanh, softmax before Hls4ml_1_1) or exp_table_size;
  // invTableSize is Hls4ml_1_1's inv_table_size (0: the same as tableSize; earlier templates have
  // one table_size for both). tableType is table_t (also the legacy softmax's two tables),
  // expTableType exp_table_t, invTableType inv_table_t; softmaxImpl is `implementation`.
  int tableSize = 1024;
  int invTableSize = 0;
  FixedType tableType = FixedType::fixed(18, 8);
  FixedType expTableType = FixedType::fixed(18, 8, QuantMode::RND, OverflowMode::SAT);
  FixedType invTableType = FixedType::fixed(18, 8, QuantMode::RND, OverflowMode::SAT);
  SoftmaxImpl softmaxImpl = SoftmaxImpl::Stable;
  // LeakyReLU: the slope alpha (the call's argument), held in paramType: param_T in hls4ml 1.x,
  // data_T (the layer's input type) in 0.8, whose leaky_relu takes `data_T alpha`.
  double alpha = 0.3;
  FixedType paramType = FixedType::fixed(18, 8);
  // HardTanh: 2 * clamp(slope * x + shift, 0, 1) - 1 in full precision (hls4ml's hard_tanh),
  // with slope and shift held in their config types (slope_t, shift_t).
  double slope = 0.5, shift = 0.5;  // also HardSigmoid's (hls4ml's hard_sigmoid)
  // Clip: the bounds (mmlc's nnet::clip; ELU's alpha is `alpha`, in paramType).
  double clipMin = 0, clipMax = 6;
  FixedType slopeType = FixedType::fixed(16, 6), shiftType = FixedType::fixed(16, 6);
  // Quantize: one type per element (its size is the layer's input size); the result of element
  // i is resultType(elementTypes[i](x_i)); an element type of width 0 stands for the constant 0
  // (HGQ writes `out[i] = 0;` for elements it pruned).
  std::vector<FixedType> elementTypes;

  // Softmax of Hls4ml_1_1 (the config fields of the same names): the exp sum is accumulated in
  // accumType (accum_t), read as invInpType (inv_inp_t) to index the inverse table; the stable
  // variant indexes the exp table by x_max - x held in inpNormType (inp_norm_t), and the exp table
  // holds exp(-v * expScale) (exp_scale). Earlier generations use expTableType for all three.
  FixedType invInpType = FixedType::fixed(18, 8, QuantMode::RND, OverflowMode::SAT);
  FixedType inpNormType = FixedType::ufixed(15, 5);
  double expScale = 1.0;

  int inverseTableSize() const { return invTableSize > 0 ? invTableSize : tableSize; }

  // One input's size (a Concatenate: all of them, inChannels being their sum).
  int inputSize() const { return kind == LayerKind::Dense ? nIn : inHeight * inWidth * inChannels; }
  // What the simulation and reference hooks receive: every input's values, one after the other.
  int inputValues() const {
    return kind == LayerKind::Add ? inputSize() * static_cast<int>(std::max<size_t>(1, sources.size())) : inputSize();
  }
  int outputSize() const { return kind == LayerKind::Dense ? nOut : outHeight * outWidth * outChannels; }
  int nonZeroWeights() const;
};

struct NetworkDesc {
  // The name by which LayerDesc::inputs refers to the network input (no layer may have it).
  static constexpr const char* kInputName = "input";
  std::string name = "myproject";  // top function name
  FixedType inputType = FixedType::fixed(16, 6);
  int inputHeight = 1, inputWidth = 1, inputChannels = 1;  // flat inputs: width = size
  std::vector<LayerDesc> layers;
  IOType ioType = IOType::Parallel;
  // mmlc's own templates (runtime/hls/templates) compute hls4ml 1.0's arithmetic.
  TemplateGeneration generation = TemplateGeneration::Hls4ml_1_0;
  std::string part = "xcu250-figd2104-2L-e";
  double clockPeriodNs = 5.0;

  int inputSize() const { return inputHeight * inputWidth * inputChannels; }
  // Valid after resolve() (layer output shapes are computed there).
  int outputSize() const { return layers.empty() ? inputSize() : layers.back().outputSize(); }
  // Propagates shapes from the input through the layers and checks weights sizes, names and
  // precisions. Throws std::invalid_argument naming the offending layer. In a graph, a layer may
  // only read the network input or earlier layers (the list is in evaluation order: reading a
  // later layer is a cycle or an unsorted graph), every name must exist (no dangling input), the
  // inputs of a merge must fit (same shape for Add; same height and width for Concatenate), and
  // every layer but the last (the network's output) must be read by some layer.
  void resolve();
  // After resolve(): whether every layer reads exactly the one before it.
  bool isChain() const;
  // After resolve(): the type of the values input j of layer k reads (the producer's result
  // type, or the network input type), and the layers reading layer k's output, ascending.
  const FixedType& inputTypeOf(size_t k, size_t j = 0) const;
  const FixedType& sourceType(int source) const { return source < 0 ? inputType : layers[static_cast<size_t>(source)].resultType; }
  std::vector<int> consumers(size_t k) const;
  // What the real hls4ml templates of `generation` cannot compute for this description (so there
  // is no vendor result to simulate): 0.8/1.0 pooling windows other than their stride-sized ones,
  // softmax tables addressed by a type narrower than log2(table size) bits (the vendor library
  // slices below bit 0). The simulator still computes the intended arithmetic; importers and
  // emitters should refuse these. Empty when everything is computable.
  std::vector<std::string> templateIssues() const;
};

// Reads an hls4ml-style fixture folder: hls4ml_config.yml plus weights/wN.txt, bN.txt
// (comma-separated, input-major) describing a chain of Dense layers. Hidden Dense layers get
// `hiddenActivation`, the last one `outputActivation`. Per-layer overrides from
// HLSConfig/LayerName/<layerN>/{Precision,ReuseFactor,Strategy} are honoured.
NetworkDesc loadHls4mlFixture(const std::string& dir, LayerKind hiddenActivation = LayerKind::ReLU,
                              LayerKind outputActivation = LayerKind::Softmax);

// The generation of the nnet_utils folder of a project (by template content: mmlc's own library
// computes 1.0, 1.1's softmax has inp_norm_t, 1.0's pool_op takes an accum_t, anything older is 0.8). Throws std::runtime_error
// naming the folder when nnet_activation.h or nnet_pooling.h cannot be read.
TemplateGeneration detectTemplateGeneration(const std::string& nnetUtilsDir);
const char* templateGenerationName(TemplateGeneration g);  // "hls4ml 0.8", "hls4ml 1.0", "hls4ml 1.1"

// Reads comma/whitespace-separated floats; throws with file and line on a bad number.
std::vector<float> readFloatList(const std::string& path);

}  // namespace mmlc::hls
