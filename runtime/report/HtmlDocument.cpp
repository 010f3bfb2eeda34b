// The self-contained HTML page of a report: escaping, tables, figures, inline style sheet.
#include "report/HtmlDocument.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace mmlc::report {

std::string escapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
        out += "\xEF\xBF\xBD"; // not allowed in XML 1.0 (\r is normalised away: replaced too)
      else
        out += c;
    }
  }
  return out;
}

std::string formatNumber(double value) {
  if (!std::isfinite(value))
    return "n/a";
  if (value == 0)
    return "0"; // also -0
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string relativeHref(const std::string &href) {
  if (href.empty() || href.rfind("//", 0) == 0 || href.front() == '/' || href.front() == '\\')
    return "";
  // A scheme is letters, digits, + - . before the first ':' that comes before any '/'.
  size_t colon = href.find(':');
  if (colon != std::string::npos && href.find('/') > colon)
    return "";
  return href;
}

namespace {
std::string anchorFor(const std::string &text) {
  std::string a;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      a += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!a.empty() && a.back() != '-')
      a += '-';
  }
  while (!a.empty() && a.back() == '-')
    a.pop_back();
  return a.empty() ? "section" : a;
}

const char *kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330;
       margin: 0 auto; padding: 16px 24px 48px; max-width: 1400px; background: #fff; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d8dce4; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
nav { color: #555; margin: 6px 0 12px; }
nav a { margin-right: 12px; }
a { color: #1f5fbf; text-decoration: none; }
a:hover { text-decoration: underline; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { border: 1px solid #d8dce4; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f1f3f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
code, td.key { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
svg.plot { border: 1px solid #e3e6ec; border-radius: 4px; background: #fff; }
details { margin: 6px 0 12px; }
summary { cursor: pointer; color: #444; }
)css";
} // namespace

HtmlDocument::HtmlDocument(std::string title) : title_(std::move(title)) {}

void HtmlDocument::heading(int level, const std::string &text, const std::string &anchor) {
  level = std::clamp(level, 1, 4);
  std::string id = anchor.empty() ? anchorFor(text) : anchorFor(anchor);
  // Anchors must be unique in the page.
  std::string unique = id;
  for (int n = 2; body_.find("id=\"" + unique + "\"") != std::string::npos; ++n)
    unique = id + "-" + std::to_string(n);
  std::string tag = "h" + std::to_string(level);
  body_ += "<" + tag + " id=\"" + unique + "\">" + escapeMarkup(text) + "</" + tag + ">\n";
  if (level == 2)
    contents_.emplace_back(unique, text);
}

void HtmlDocument::paragraph(const std::string &text) {
  body_ += "<p>" + escapeMarkup(text) + "</p>\n";
}

void HtmlDocument::link(const std::string &before, const std::string &text,
                        const std::string &href) {
  std::string target = relativeHref(href);
  body_ += "<p>" + escapeMarkup(before);
  if (target.empty())
    body_ += escapeMarkup(text);
  else
    body_ += "<a href=\"" + escapeMarkup(target) + "\">" + escapeMarkup(text) + "</a>";
  body_ += "</p>\n";
}

void HtmlDocument::table(const Table &t) {
  body_ += t.cssClass.empty() ? "<table>\n" : "<table class=\"" + escapeMarkup(t.cssClass) + "\">\n";
  if (!t.headers.empty()) {
    body_ += "<thead><tr>";
    for (const std::string &h : t.headers)
      body_ += "<th>" + escapeMarkup(h) + "</th>";
    body_ += "</tr></thead>\n";
  }
  body_ += "<tbody>\n";
  for (const std::vector<Cell> &row : t.rows) {
    body_ += "<tr>";
    for (const Cell &c : row) {
      body_ += c.numeric ? "<td class=\"num\"" : "<td";
      if (!c.tip.empty())
        body_ += " title=\"" + escapeMarkup(c.tip) + "\"";
      body_ += ">";
      std::string target = relativeHref(c.href);
      if (!target.empty())
        body_ += "<a href=\"" + escapeMarkup(target) + "\">" + escapeMarkup(c.text) + "</a>";
      else
        body_ += escapeMarkup(c.text);
      body_ += "</td>";
    }
    body_ += "</tr>\n";
  }
  body_ += "</tbody></table>\n";
}

void HtmlDocument::figure(const std::string &svg) { body_ += svg + "\n"; }

void HtmlDocument::beginFigures() {
  body_ += "<div class=\"figures\">\n";
  ++openFigures_;
}

void HtmlDocument::endFigures() {
  if (openFigures_ == 0)
    throw std::logic_error("endFigures without beginFigures");
  body_ += "</div>\n";
  --openFigures_;
}

void HtmlDocument::beginDetails(const std::string &summary) {
  body_ += "<details><summary>" + escapeMarkup(summary) + "</summary>\n";
  ++openDetails_;
}

void HtmlDocument::endDetails() {
  if (openDetails_ == 0)
    throw std::logic_error("endDetails without beginDetails");
  body_ += "</details>\n";
  --openDetails_;
}

std::string HtmlDocument::str() const {
  if (openFigures_ || openDetails_)
    throw std::logic_error("HtmlDocument: a figure row or details block is still open");
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                    "<title>" +
                    escapeMarkup(title_) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>" + escapeMarkup(title_) + "</h1>\n";
  if (!contents_.empty()) {
    out += "<nav>";
    for (const auto &[anchor, text] : contents_)
      out += "<a href=\"#" + escapeMarkup(anchor) + "\">" + escapeMarkup(text) + "</a>";
    out += "</nav>\n";
  }
  out += body_;
  out += "</body>\n</html>\n";
  return out;
}

} // namespace mmlc::report
