// A self-contained HTML page (inline CSS, no scripts, nothing fetched) built from escaped parts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mmlc::report {

/// `text` safe inside HTML/SVG/XML text and attribute values (& < > " ' escaped; control
/// characters other than tab and newline, invalid in XML, become U+FFFD).
std::string escapeMarkup(std::string_view text);

/// A number as reports print it: up to 6 significant digits ("0.8125", "12", "2.5e+06"),
/// "n/a" when it is not finite.
std::string formatNumber(double value);

/// One table cell: text (escaped), an optional relative link and an optional tooltip.
struct Cell {
  std::string text;
  std::string href;
  std::string tip;
  bool numeric = false; // right-aligned
  Cell() = default;
  Cell(std::string text) : text(std::move(text)) {} // NOLINT: a cell is usually just text
  Cell(const char *text) : text(text) {}              // NOLINT
  static Cell number(double value) {
    Cell c(formatNumber(value));
    c.numeric = true;
    return c;
  }
};

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<Cell>> rows;
  std::string cssClass; // e.g. "flow", "params"
};

/// The page: headings (level 2 ones are listed in a contents line at the top), paragraphs,
/// tables, figures (trusted SVG from renderSvg) and collapsible details. The result is also
/// well-formed XML, so it can be checked with any XML parser.
class HtmlDocument {
public:
  explicit HtmlDocument(std::string title);

  void heading(int level, const std::string &text, const std::string &anchor = "");
  void paragraph(const std::string &text);
  /// A paragraph with a relative link (e.g. "report.md"); links with a scheme are refused.
  void link(const std::string &before, const std::string &text, const std::string &href);
  void table(const Table &table);
  /// Trusted markup produced by this library (an <svg> from renderSvg).
  void figure(const std::string &svg);
  void beginFigures(); // a row of figures that wraps
  void endFigures();
  void beginDetails(const std::string &summary);
  void endDetails();

  std::string str() const;

private:
  std::string title_, body_;
  std::vector<std::pair<std::string, std::string>> contents_; // anchor, text
  int openFigures_ = 0, openDetails_ = 0;
};

/// A relative link target made safe: refuses absolute URLs (with a scheme or starting with
/// "//"), so that a report never points outside the run directory; returns "" when refused.
std::string relativeHref(const std::string &href);

} // namespace mmlc::report
