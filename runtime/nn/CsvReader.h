// CSV loader: header row, numeric feature columns, one label column chosen by name.
#pragma once
#include <string>

#include "nn/Dataset.h"

namespace mmlc::nn {

struct CsvOptions {
  std::string labelColumn;   // required unless regression target columns are given
  char delimiter = ',';
  bool regression = false;   // label column is a numeric target instead of a class
};

// Throws Error naming the file, line and column for missing columns, ragged rows or non-numbers.
Dataset loadCsv(const std::string& path, const CsvOptions& options);

}  // namespace mmlc::nn
