// One string names a data set for flows: "openml:42468", "fashion-mnist:train", "csv:path#label", ...
#pragma once
#include <string>

#include "nn/Dataset.h"

namespace mmlc::nn {

// Accepted forms (throws Error for anything else, naming the spec):
//   openml:<id>                      OpenML, cached in cacheDir
//   fashion-mnist[:train|:test]      Debian's dataset-fashion-mnist (default train)
//   idx:<images>,<labels>            IDX pair (gzip or plain)
//   csv:<path>#<labelColumn>         CSV with header
//   npy:<x.npy>,<y.npy>              NumPy features and labels/targets
//   arff:<path>[#<target>]           ARFF (default target: last attribute)
Dataset loadDatasetSpec(const std::string& spec, const std::string& cacheDir = ".mmlc-cache/openml",
                        const std::string& fashionMnistDir = "/usr/share/datasets/fashion-mnist");

}  // namespace mmlc::nn
