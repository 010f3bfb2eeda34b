// Keras import: an architecture JSON plus HDF5 weights (`model.to_json()` + `save_weights`), or a
// whole-model HDF5 file (`model.save("m.h5")`), into the engine (docs/nn.md, "Keras models").
#pragma once
#include <string>

#include "nn/Network.h"

namespace mmlc::nn {

// Sequential models, and functional models whose layers form a chain. Layers: InputLayer, Dense,
// Activation, ReLU, LeakyReLU, Softmax, BatchNormalization, Dropout, Flatten, Conv1D, Conv2D
// ("valid" or "same" padding), MaxPooling1D/2D, AveragePooling1D/2D; activations relu, sigmoid,
// tanh, softmax, linear. Convolutional models are imported in the engine's channels-first layout:
// the imported network takes its inputs channels-first (as mmlc's data sets and ONNX do), with
// the kernels and the Dense layer after a Flatten permuted so that it computes what the Keras
// model computes on the same samples in channels-last order. Throws Error naming the file and the
// layer for anything it cannot import (QKeras layers, branches, unsupported options).
Network importKeras(const std::string& jsonPath, const std::string& weightsPath);
// A whole-model file: Keras 2 HDF5 (the architecture in its `model_config` attribute, the weights
// under `model_weights`), or a Keras 3 `.keras` archive (recognised by its ZIP signature).
Network importKerasModel(const std::string& h5Path);
// A Keras 3 `.keras` archive (model.save("m.keras")): a ZIP of config.json and model.weights.h5.
Network importKerasArchive(const std::string& path);

}  // namespace mmlc::nn
