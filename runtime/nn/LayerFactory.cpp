// Maps a LayerSpec kind to its implementing class.
#include "nn/ActivationLayers.h"
#include "nn/BatchNormLayer.h"
#include "nn/ConvLayer.h"
#include "nn/DenseLayer.h"
#include "nn/DropoutLayer.h"
#include "nn/Error.h"
#include "nn/MergeLayers.h"
#include "nn/PoolLayer.h"
#include "nn/QuantLayer.h"
#include "nn/ShapeLayers.h"
#include "nn/UpsampleLayer.h"

namespace mmlc::nn {

std::unique_ptr<Layer> makeLayer(const LayerSpec& spec) {
  const std::string& k = spec.kind;
  if (k == "Dense") return std::make_unique<DenseLayer>(spec);
  if (isElementwiseActivation(k)) return std::make_unique<ElementwiseActivation>(spec);
  if (k == "Softmax") return std::make_unique<SoftmaxLayer>(spec);
  if (k == "PReLU") return std::make_unique<PReLULayer>(spec);
  if (k == "Upsample") return std::make_unique<UpsampleLayer>(spec);
  if (k == "Dropout") return std::make_unique<DropoutLayer>(spec);
  if (k == "Flatten" || k == "Reshape") return std::make_unique<ReshapeLayer>(spec);
  if (k == "Transpose") return std::make_unique<TransposeLayer>(spec);
  if (k == "Conv1D" || k == "Conv2D") return std::make_unique<ConvLayer>(spec);
  if (k == "MaxPool" || k == "AveragePool") return std::make_unique<PoolLayer>(spec);
  if (k == "BatchNormalization") return std::make_unique<BatchNormLayer>(spec);
  if (k == "Quant" || k == "BipolarQuant") return std::make_unique<QuantLayer>(spec);
  if (k == "Add") return std::make_unique<AddLayer>(spec);
  if (k == "Concatenate") return std::make_unique<ConcatenateLayer>(spec);
  throw Error("unknown layer kind '" + k + "'");
}

}  // namespace mmlc::nn
