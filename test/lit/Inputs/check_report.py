# Checks a report.html written by the `report` task (used by test/lit/Run/report*.mml).
"""The page must be well-formed XML and parse as HTML, must not reference anything outside the run
directory (no scripts, no URLs with a scheme), and its plots are counted by their data-plot
(and data-event) attributes:
  --svg PLOT[:EVENT]=N            N <svg> plots of that kind
  --points PLOT[:EVENT][:SERIES]=N  the first such plot has N points (in SERIES, else in all)
  --bars PLOT=N                   the first such bar chart has N bars
  --rows CLASS=N                  the first <table class=CLASS> has N body rows
  --text STRING                   the page's text contains STRING
"""
import argparse
import html.parser
import re
import sys
import xml.etree.ElementTree as ET


def fail(message):
    print("check_report: " + message, file=sys.stderr)
    sys.exit(1)


def plots(root, spec):
    parts = spec.split(":")
    kind, event = parts[0], parts[1] if len(parts) > 1 and parts[1] else None
    found = []
    for svg in root.iter("svg"):
        if svg.get("data-plot") == kind and (event is None or svg.get("data-event") == event):
            found.append(svg)
    return found, parts[2] if len(parts) > 2 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("html")
    parser.add_argument("--svg", action="append", default=[])
    parser.add_argument("--points", action="append", default=[])
    parser.add_argument("--bars", action="append", default=[])
    parser.add_argument("--rows", action="append", default=[])
    parser.add_argument("--text", action="append", default=[])
    args = parser.parse_args()

    text = open(args.html, encoding="utf-8").read()
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        fail("not well-formed: %s" % e)
    html.parser.HTMLParser().feed(text)  # raises nothing on valid pages; kept as a second reader

    for element in root.iter():
        if element.tag in ("script", "link", "iframe", "object", "embed", "img", "base"):
            fail("<%s> found: the page must be self-contained" % element.tag)
        for name, value in element.attrib.items():
            if name in ("src", "href", "xlink:href", "action") and re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|//)", value):
                fail("external reference %s=%r" % (name, value))
    if re.search(r"https?://|url\(", text):
        fail("a URL or url() in the page")
    if root.find("head/style") is None:
        fail("no inline style sheet")

    for spec in args.svg:
        kind, expected = spec.rsplit("=", 1)
        found, _ = plots(root, kind)
        if len(found) != int(expected):
            fail("%d <svg data-plot=%s>, expected %s" % (len(found), kind, expected))
    for spec in args.points:
        kind, expected = spec.rsplit("=", 1)
        found, series = plots(root, kind)
        if not found:
            fail("no plot %s" % kind)
        groups = [g for g in found[0].iter("g") if g.get("class") == "series"
                  and (series is None or g.get("data-series") == series)]
        if series is not None and not groups:
            fail("plot %s has no series %s" % (kind, series))
        count = sum(1 for g in groups for c in g.iter("circle") if c.get("class") == "point")
        if count != int(expected):
            fail("plot %s has %d points, expected %s" % (kind, count, expected))
    for spec in args.bars:
        kind, expected = spec.rsplit("=", 1)
        found, _ = plots(root, kind)
        if not found:
            fail("no chart %s" % kind)
        count = sum(1 for r in found[0].iter("rect") if r.get("class") == "bar")
        if count != int(expected):
            fail("chart %s has %d bars, expected %s" % (kind, count, expected))
    for spec in args.rows:
        cls, expected = spec.rsplit("=", 1)
        tables = [t for t in root.iter("table") if t.get("class") == cls]
        if not tables:
            fail("no table of class %s" % cls)
        rows = tables[0].findall("tbody/tr")
        if len(rows) != int(expected):
            fail("table %s has %d rows, expected %s" % (cls, len(rows), expected))
    plain = "".join(root.itertext())
    for wanted in args.text:
        if wanted not in plain:
            fail("text %r not found" % wanted)


if __name__ == "__main__":
    main()
