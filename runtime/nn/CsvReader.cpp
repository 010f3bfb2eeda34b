// CSV parsing with quoted fields (RFC 4180 style, no embedded newlines).
#include "nn/CsvReader.h"

#include <cstdlib>
#include <fstream>

#include "nn/Error.h"

namespace mmlc::nn {

static std::vector<std::string> splitCsvLine(const std::string& line, char delim) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (ch == '"') quoted = false;
      else cur += ch;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == delim) {
      out.push_back(cur);
      cur.clear();
    } else if (ch != '\r') {
      cur += ch;
    }
  }
  out.push_back(cur);
  for (auto& s : out) {  // trim spaces around unquoted values
    const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  }
  return out;
}

Dataset loadCsv(const std::string& path, const CsvOptions& opt) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open file");
  std::string line;
  if (!std::getline(in, line)) throw Error(path + ": file is empty (expected a header row)");
  const auto header = splitCsvLine(line, opt.delimiter);
  int labelAt = -1;
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == opt.labelColumn) labelAt = static_cast<int>(i);
  if (labelAt < 0) throw Error(path + ": no column named '" + opt.labelColumn + "' in the header");
  Dataset d;
  for (size_t i = 0; i < header.size(); ++i)
    if (static_cast<int>(i) != labelAt) d.featureNames.push_back(header[i]);
  const long nf = static_cast<long>(d.featureNames.size());
  std::vector<float> values;
  std::vector<std::string> labels;
  long lineNo = 1;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = splitCsvLine(line, opt.delimiter);
    if (fields.size() != header.size())
      throw Error(path + ":" + std::to_string(lineNo) + ": expected " + std::to_string(header.size()) +
                  " fields, found " + std::to_string(fields.size()));
    for (size_t i = 0; i < fields.size(); ++i) {
      if (static_cast<int>(i) == labelAt) {
        labels.push_back(fields[i]);
        continue;
      }
      char* end = nullptr;
      const float v = std::strtof(fields[i].c_str(), &end);
      if (fields[i].empty() || end != fields[i].c_str() + fields[i].size())
        throw Error(path + ":" + std::to_string(lineNo) + ": column '" + header[i] + "' value '" + fields[i] +
                    "' is not a number");
      values.push_back(v);
    }
  }
  if (labels.empty()) throw Error(path + ": no data rows after the header");
  const long n = static_cast<long>(labels.size());
  d.x = Eigen::Map<Matrix>(values.data(), n, nf);
  d.shape = Shape{static_cast<int>(nf)};
  if (opt.regression) {
    d.targets.resize(n, 1);
    for (long i = 0; i < n; ++i) {
      char* end = nullptr;
      d.targets(i, 0) = std::strtof(labels[i].c_str(), &end);
      if (labels[i].empty() || end != labels[i].c_str() + labels[i].size())
        throw Error(path + ": target '" + labels[i] + "' in row " + std::to_string(i + 1) + " is not a number");
    }
  } else {
    encodeLabels(labels, d);
  }
  return d;
}

}  // namespace mmlc::nn
