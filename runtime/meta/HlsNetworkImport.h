// HLS project → hls::NetworkDesc: what `hls_import` turns a read project into, and how a rewritten
// project's values are carried back into a model's description. Plain interface: no Clang headers.
#pragma once

#include <string>
#include <vector>

#include "hls/NetworkDesc.h"
#include "meta/HlsProject.h"

namespace mmlc::meta {

// The layer calls the converter understands (callee without "nnet::"), for messages and docs.
const std::vector<std::string>& importableLayerKinds();

// The network a project computes, as the bit-exact simulator and the estimator see it:
//  - layers from the top function's calls: dense (nnet::dense and mmlc's unrolled dense_<layer>),
//    conv_2d_cl / conv_1d_cl, pooling2d_cl (max or average from pool_type/pool_op), normalize
//    (batch norm), relu, sigmoid, tanh, softmax, and mmlc's io_stream Flatten process;
//  - sizes, reuse factor and strategy from the config structs; weights and biases from the
//    initialisers of the weight arrays (a resource-strategy dense array is output-major and is
//    transposed back); precisions from the typedefs (the first layer's input type is the
//    network's input type); tables from table_size and the table typedefs;
//  - the top function's name; io_stream when the top has a DATAFLOW pragma.
// The part and clock are left at their defaults (the caller knows the device).
// Throws HlsMetaError at the layer call (or the array declaration) for a layer kind it does not
// know, a missing config field, a non-ap precision, weights that are not literal lists, or
// sizes that do not chain (config n_in against the previous layer's output).
hls::NetworkDesc networkFromProject(const HlsProject& project);

// Carries a (rewritten) project's values into `desc`, a description of the same network (the
// one it was emitted from or imported as): the top function's name, the input type, and for
// every layer of desc its precisions, reuse factor, strategy, tables, weights and biases as the
// project now has them. Layers the project does not show (an io_parallel Flatten) keep theirs;
// a desc layer missing from the project is an HlsMetaError.
void syncNetworkWithProject(hls::NetworkDesc& desc, const HlsProject& project);

}  // namespace mmlc::meta
