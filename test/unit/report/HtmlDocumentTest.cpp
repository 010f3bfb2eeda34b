// Unit tests of the HTML page: escaping, number format, relative links only, well-formed output.
#include "report/HtmlDocument.h"

#include <gtest/gtest.h>

#include <limits>

#include "XmlCheck.h"

namespace mmlc::report {
namespace {
using testing::occurrences;
using testing::xmlProblem;

TEST(HtmlDocument, EscapesMarkupCharactersAndControlCharacters) {
  EXPECT_EQ(escapeMarkup("a<b>&\"c\"'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;");
  EXPECT_EQ(escapeMarkup("tab\tnew\nline"), "tab\tnew\nline");
  EXPECT_EQ(escapeMarkup(std::string("bell\x07")), "bell\xEF\xBF\xBD");
  EXPECT_EQ(escapeMarkup("x \xC3\xA9"), "x \xC3\xA9"); // UTF-8 passes through
}

TEST(HtmlDocument, FormatsNumbersShortly) {
  EXPECT_EQ(formatNumber(0.8125), "0.8125");
  EXPECT_EQ(formatNumber(12), "12");
  EXPECT_EQ(formatNumber(-0.0), "0");
  EXPECT_EQ(formatNumber(123456789), "1.23457e+08");
  EXPECT_EQ(formatNumber(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(formatNumber(std::numeric_limits<double>::infinity()), "n/a");
}

TEST(HtmlDocument, OnlyRelativeLinks) {
  EXPECT_EQ(relativeHref("report.md"), "report.md");
  EXPECT_EQ(relativeHref("../models/abc/step.json"), "../models/abc/step.json");
  EXPECT_EQ(relativeHref("#flow"), "#flow");
  EXPECT_EQ(relativeHref("http://example.com/x.js"), "");
  EXPECT_EQ(relativeHref("https://example.com"), "");
  EXPECT_EQ(relativeHref("//cdn.example.com/x.js"), "");
  EXPECT_EQ(relativeHref("javascript:alert(1)"), "");
  EXPECT_EQ(relativeHref("/etc/passwd"), "");
  EXPECT_EQ(relativeHref(""), "");
}

TEST(HtmlDocument, APageIsWellFormedAndSelfContained) {
  HtmlDocument doc("Report <1> & more");
  doc.heading(2, "Flow");
  doc.paragraph("3 < 4 & \"quotes\"");
  Table t;
  t.headers = {"a", "b<"};
  Cell linked("step");
  linked.href = "../models/k/step.json";
  linked.tip = "full \"key\"";
  Cell external("bad");
  external.href = "https://evil.example/";
  t.rows = {{Cell("x&y"), Cell::number(0.5)}, {linked, external}};
  doc.table(t);
  doc.heading(2, "Flow"); // same text twice: anchors stay unique
  doc.beginFigures();
  doc.figure("<svg class=\"plot\"></svg>");
  doc.endFigures();
  doc.beginDetails("events <all>");
  doc.paragraph("inside");
  doc.endDetails();
  doc.link("See ", "report.md", "report.md");
  std::string html = doc.str();
  EXPECT_EQ(xmlProblem(html), "") << html;
  EXPECT_NE(html.find("<title>Report &lt;1&gt; &amp; more</title>"), std::string::npos);
  EXPECT_NE(html.find("3 &lt; 4 &amp; &quot;quotes&quot;"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"../models/k/step.json\">step</a>"), std::string::npos);
  EXPECT_EQ(html.find("evil.example"), std::string::npos);
  EXPECT_NE(html.find("id=\"flow\""), std::string::npos);
  EXPECT_NE(html.find("id=\"flow-2\""), std::string::npos);
  EXPECT_EQ(occurrences(html, "<td class=\"num\">0.5</td>"), 1u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
}

TEST(HtmlDocument, UnbalancedBlocksAreProgrammingErrors) {
  HtmlDocument doc("x");
  EXPECT_THROW(doc.endFigures(), std::logic_error);
  doc.beginDetails("open");
  EXPECT_THROW(doc.str(), std::logic_error);
}

} // namespace
} // namespace mmlc::report
