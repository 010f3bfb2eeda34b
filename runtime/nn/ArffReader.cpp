// ARFF parsing: header declarations, then comma-separated rows with optional quoting.
#include "nn/ArffReader.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include "nn/Error.h"

namespace mmlc::nn {

namespace {
struct Attribute {
  std::string name;
  bool nominal = false;
  std::vector<std::string> values;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
std::string unquote(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return s;
}
// Splits on commas outside quotes.
std::vector<std::string> splitFields(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (char ch : line) {
    if (quote) {
      if (ch == quote) quote = 0;
      cur += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      cur += ch;
    } else if (ch == ',') {
      out.push_back(unquote(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(unquote(cur));
  return out;
}
}  // namespace

Dataset loadArff(const std::string& path, const std::string& target) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open file");
  std::vector<Attribute> attrs;
  std::string line;
  long lineNo = 0;
  bool inData = false;
  auto where = [&] { return path + ":" + std::to_string(lineNo) + ": "; };
  std::vector<float> values;
  std::vector<std::string> labels;
  int targetAt = -1;
  long rows = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '%') continue;
    if (!inData) {
      const std::string lt = lower(t);
      if (lt.rfind("@relation", 0) == 0) continue;
      if (lt.rfind("@attribute", 0) == 0) {
        std::string rest = trim(t.substr(10));
        Attribute a;
        if (!rest.empty() && (rest[0] == '\'' || rest[0] == '"')) {
          const size_t close = rest.find(rest[0], 1);
          if (close == std::string::npos) throw Error(where() + "unterminated quoted attribute name");
          a.name = rest.substr(1, close - 1);
          rest = trim(rest.substr(close + 1));
        } else {
          const size_t sp = rest.find_first_of(" \t");
          if (sp == std::string::npos) throw Error(where() + "attribute declaration without a type");
          a.name = rest.substr(0, sp);
          rest = trim(rest.substr(sp));
        }
        if (!rest.empty() && rest[0] == '{') {
          const size_t close = rest.find('}');
          if (close == std::string::npos) throw Error(where() + "unterminated nominal value list");
          a.nominal = true;
          a.values = splitFields(rest.substr(1, close - 1));
        } else {
          const std::string type = lower(rest);
          if (type != "numeric" && type != "real" && type != "integer")
            throw Error(where() + "attribute '" + a.name + "' has unsupported type '" + rest + "'");
        }
        attrs.push_back(a);
        continue;
      }
      if (lt.rfind("@data", 0) == 0) {
        if (attrs.empty()) throw Error(where() + "@data before any @attribute");
        targetAt = static_cast<int>(attrs.size()) - 1;
        if (!target.empty()) {
          targetAt = -1;
          for (size_t i = 0; i < attrs.size(); ++i)
            if (attrs[i].name == target) targetAt = static_cast<int>(i);
          if (targetAt < 0) throw Error(path + ": no attribute named '" + target + "'");
        }
        inData = true;
        continue;
      }
      throw Error(where() + "unexpected header line '" + t.substr(0, 40) + "'");
    }
    if (t[0] == '{') throw Error(where() + "sparse ARFF rows are not supported");
    const auto fields = splitFields(t);
    if (fields.size() != attrs.size())
      throw Error(where() + "expected " + std::to_string(attrs.size()) + " values, found " + std::to_string(fields.size()));
    for (size_t i = 0; i < fields.size(); ++i) {
      const Attribute& a = attrs[i];
      if (fields[i] == "?") throw Error(where() + "missing value ('?') for attribute '" + a.name + "'");
      if (static_cast<int>(i) == targetAt) {
        labels.push_back(fields[i]);
        continue;
      }
      if (a.nominal) {
        auto it = std::find(a.values.begin(), a.values.end(), fields[i]);
        if (it == a.values.end()) throw Error(where() + "value '" + fields[i] + "' is not declared for '" + a.name + "'");
        values.push_back(static_cast<float>(it - a.values.begin()));
      } else {
        char* end = nullptr;
        const float v = std::strtof(fields[i].c_str(), &end);
        if (fields[i].empty() || end != fields[i].c_str() + fields[i].size())
          throw Error(where() + "attribute '" + a.name + "' value '" + fields[i] + "' is not a number");
        values.push_back(v);
      }
    }
    ++rows;
  }
  if (!inData) throw Error(path + ": no @data section (file truncated or not ARFF)");
  if (rows == 0) throw Error(path + ": @data section is empty");
  Dataset d;
  for (size_t i = 0; i < attrs.size(); ++i)
    if (static_cast<int>(i) != targetAt) d.featureNames.push_back(attrs[i].name);
  const long nf = static_cast<long>(d.featureNames.size());
  d.x = Eigen::Map<Matrix>(values.data(), rows, nf);
  d.shape = Shape{static_cast<int>(nf)};
  const Attribute& ta = attrs[targetAt];
  if (ta.nominal) {
    try {
      encodeLabels(labels, d, ta.values);
    } catch (const Error& e) {
      throw Error(path + ": target attribute '" + ta.name + "': " + e.what());
    }
  } else {
    d.targets.resize(rows, 1);
    for (long i = 0; i < rows; ++i) d.targets(i, 0) = std::strtof(labels[i].c_str(), nullptr);
  }
  return d;
}

}  // namespace mmlc::nn
