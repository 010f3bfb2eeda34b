// A strict little XML well-formedness check for the unit tests of the report's SVG and HTML.
#pragma once

#include <cctype>
#include <string>
#include <vector>

namespace mmlc::report::testing {

/// "" when `text` is well-formed XML (balanced tags, quoted attributes, only the predefined
/// and numeric entities, no raw '<' or '&' in text); otherwise what is wrong and where.
inline std::string xmlProblem(const std::string &text) {
  std::vector<std::string> open;
  size_t i = 0;
  auto entityAt = [&](size_t at) -> bool {
    size_t semi = text.find(';', at);
    if (semi == std::string::npos || semi - at > 10)
      return false;
    std::string name = text.substr(at + 1, semi - at - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos")
      return true;
    if (name.size() > 1 && name[0] == '#')
      return name.find_first_not_of("0123456789", 1) == std::string::npos ||
             (name[1] == 'x' && name.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos);
    return false;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '&') {
      if (!entityAt(i))
        return "bad entity at " + std::to_string(i);
      ++i;
      continue;
    }
    if (c != '<') {
      ++i;
      continue;
    }
    if (text.compare(i, 9, "<!DOCTYPE") == 0) {
      i = text.find('>', i) + 1;
      continue;
    }
    size_t end = text.find('>', i);
    if (end == std::string::npos)
      return "unterminated tag at " + std::to_string(i);
    std::string tag = text.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos)
      return "'<' inside a tag at " + std::to_string(i);
    if (!tag.empty() && tag[0] == '/') {
      std::string name = tag.substr(1);
      if (open.empty() || open.back() != name)
        return "</" + name + "> does not close <" + (open.empty() ? "" : open.back()) + "> at " +
               std::to_string(i);
      open.pop_back();
    } else {
      bool selfClosing = !tag.empty() && tag.back() == '/';
      size_t nameEnd = 0;
      while (nameEnd < tag.size() && !std::isspace(static_cast<unsigned char>(tag[nameEnd])) &&
             tag[nameEnd] != '/')
        ++nameEnd;
      std::string name = tag.substr(0, nameEnd);
      if (name.empty())
        return "empty tag name at " + std::to_string(i);
      // Attributes: name="value" pairs with quoted values.
      size_t a = nameEnd;
      std::vector<std::string> seen;
      while (true) {
        while (a < tag.size() && std::isspace(static_cast<unsigned char>(tag[a])))
          ++a;
        if (a >= tag.size() || (tag[a] == '/' && a + 1 == tag.size()))
          break;
        size_t eq = tag.find('=', a);
        if (eq == std::string::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"')
          return "unquoted attribute in <" + name + "> at " + std::to_string(i);
        std::string attr = tag.substr(a, eq - a);
        for (const std::string &s : seen)
          if (s == attr)
            return "duplicate attribute " + attr + " at " + std::to_string(i);
        seen.push_back(attr);
        size_t close = tag.find('"', eq + 2);
        if (close == std::string::npos)
          return "unterminated attribute in <" + name + ">";
        std::string value = tag.substr(eq + 2, close - eq - 2);
        for (size_t k = 0; k < value.size(); ++k)
          if (value[k] == '&' && !entityAt(i + 1 + eq + 2 + k))
            return "bad entity in attribute at " + std::to_string(i);
        a = close + 1;
      }
      if (!selfClosing)
        open.push_back(name);
    }
    i = end + 1;
  }
  if (!open.empty())
    return "<" + open.back() + "> is never closed";
  return "";
}

inline size_t occurrences(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

} // namespace mmlc::report::testing
