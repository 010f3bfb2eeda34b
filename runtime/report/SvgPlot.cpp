// Renders report plots as inline SVG: nice axis ranges and ticks, series, bars and legends.
#include "report/SvgPlot.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "report/HtmlDocument.h"

namespace mmlc::report {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

/// 1, 2, 5 or 10 times a power of ten, near `range` (rounded, or the next one up).
double niceNumber(double range, bool round) {
  double exponent = std::floor(std::log10(range));
  double fraction = range / std::pow(10.0, exponent);
  double nice;
  if (round)
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else
    nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * std::pow(10.0, exponent);
}

std::string fixed1(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

/// Tick labels: nice numbers print short; snapping near-zero values avoids "-2.8e-17".
std::string tickLabel(double v, double step) {
  if (std::abs(v) < std::abs(step) * 1e-9)
    v = 0;
  return formatNumber(v);
}

std::string truncated(const std::string &text, size_t max) {
  if (text.size() <= max)
    return text;
  // Cut on a UTF-8 character boundary.
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut) + "\xE2\x80\xA6"; // …
}

std::string dataAttributes(const std::map<std::string, std::string> &data) {
  std::string out;
  for (const auto &[name, value] : data) {
    std::string clean;
    for (char c : name)
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
        clean += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!clean.empty())
      out += " data-" + clean + "=\"" + escapeMarkup(value) + "\"";
  }
  return out;
}

/// The frame shared by both kinds of plot: the plot area and the text around it.
struct Frame {
  double width, height, left, right, top, bottom;
  double px(double f) const { return left + f * (right - left); }
  double py(double f) const { return bottom - f * (bottom - top); }
};

std::string openSvg(const Frame &f, const std::string &title,
                    const std::map<std::string, std::string> &data) {
  std::string w = std::to_string(static_cast<int>(f.width)),
              h = std::to_string(static_cast<int>(f.height));
  std::string out = "<svg class=\"plot\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " +
                    w + " " + h + "\" role=\"img\"" + dataAttributes(data) +
                    " font-family=\"system-ui, sans-serif\" font-size=\"11\">\n";
  out += "<title>" + escapeMarkup(title) + "</title>\n";
  out += "<text x=\"" + fixed1(f.width / 2) +
         "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\">" +
         escapeMarkup(truncated(title, 90)) + "</text>\n";
  return out;
}

/// Horizontal grid lines, y tick labels and the y axis label.
std::string yAxis(const Frame &f, const AxisScale &s, const std::string &label) {
  std::string out = "<g class=\"y-axis\">\n";
  double step = s.ticks.size() > 1 ? s.ticks[1] - s.ticks[0] : 1;
  for (double t : s.ticks) {
    double y = f.py(s.fraction(t));
    out += "<line x1=\"" + fixed1(f.left) + "\" x2=\"" + fixed1(f.right) + "\" y1=\"" + fixed1(y) +
           "\" y2=\"" + fixed1(y) + "\" stroke=\"#e6e8ee\"/>\n";
    out += "<text x=\"" + fixed1(f.left - 6) + "\" y=\"" + fixed1(y + 4) +
           "\" text-anchor=\"end\">" + escapeMarkup(tickLabel(t, s.log ? t : step)) + "</text>\n";
  }
  double mid = (f.top + f.bottom) / 2;
  out += "<text x=\"14\" y=\"" + fixed1(mid) + "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
         fixed1(mid) + ")\">" + escapeMarkup(truncated(label, 48)) + "</text>\n";
  out += "</g>\n";
  return out;
}

std::string frameBox(const Frame &f) {
  return "<rect x=\"" + fixed1(f.left) + "\" y=\"" + fixed1(f.top) + "\" width=\"" +
         fixed1(f.right - f.left) + "\" height=\"" + fixed1(f.bottom - f.top) +
         "\" fill=\"none\" stroke=\"#9aa1ad\"/>\n";
}

std::string legend(const Frame &f, const std::vector<Series> &series, bool bars) {
  std::string out = "<g class=\"legend\">\n";
  double x = f.right + 12, y = f.top + 6;
  for (size_t i = 0; i < series.size(); ++i, y += 18) {
    const Series &s = series[i];
    std::string colour = seriesColour(i);
    out += "<g><title>" + escapeMarkup(s.name) + "</title>";
    if (bars) {
      out += "<rect x=\"" + fixed1(x) + "\" y=\"" + fixed1(y - 5) +
             "\" width=\"14\" height=\"10\" fill=\"" + colour + "\"/>";
    } else {
      if (s.style != SeriesStyle::Points)
        out += "<line x1=\"" + fixed1(x) + "\" x2=\"" + fixed1(x + 18) + "\" y1=\"" + fixed1(y) +
               "\" y2=\"" + fixed1(y) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
               (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
      if (s.style == SeriesStyle::Points || s.style == SeriesStyle::LinePoints)
        out += "<circle cx=\"" + fixed1(x + 9) + "\" cy=\"" + fixed1(y) + "\" r=\"3.5\" fill=\"" +
               (s.hollow ? std::string("#fff") : colour) + "\" stroke=\"" + colour + "\"/>";
    }
    out += "<text x=\"" + fixed1(x + 24) + "\" y=\"" + fixed1(y + 4) + "\">" +
           escapeMarkup(truncated(s.name, 20)) + "</text></g>\n";
  }
  out += "</g>\n";
  return out;
}

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

AxisScale scaleFor(double lo, double hi, const Axis &axis) {
  if (axis.min)
    lo = std::min(lo, *axis.min);
  if (axis.max)
    hi = std::max(hi, *axis.max);
  if (axis.log) {
    if (!(lo > 0) || !std::isfinite(lo) || !std::isfinite(hi))
      return logScale(1, 10);
    return logScale(lo, hi);
  }
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return linearScale(0, 1);
  if (axis.integer && lo == hi) { // one count: a unit around it, not a fraction
    lo -= 1;
    hi += 1;
  }
  return linearScale(lo, hi, 6, axis.integer);
}

std::string noData(const Frame &f) {
  return "<text x=\"" + fixed1((f.left + f.right) / 2) + "\" y=\"" + fixed1((f.top + f.bottom) / 2) +
         "\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n";
}
} // namespace

double AxisScale::fraction(double value) const {
  if (log)
    return (std::log10(value) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  return (value - lo) / (hi - lo);
}

AxisScale linearScale(double lo, double hi, int maxTicks, bool integer) {
  AxisScale s;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo > hi)
    std::swap(lo, hi);
  if (lo == hi) { // one value: widen around it
    double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  maxTicks = std::max(maxTicks, 2);
  double step = niceNumber(niceNumber(hi - lo, false) / (maxTicks - 1), true);
  if (integer)
    step = std::max(step, 1.0);
  // Rounding can leave a few more ticks than asked: take the next step up until they fit.
  auto span = [&](double st) {
    return std::ceil(hi / st - 1e-9) - std::floor(lo / st + 1e-9);
  };
  for (int guard = 0; guard < 8 && span(step) > maxTicks - 1; ++guard)
    step = niceNumber(step * 1.5, false);
  double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  s.lo = first * step;
  s.hi = last * step;
  for (double k = first; k <= last + 1e-9; k += 1)
    s.ticks.push_back(k * step);
  return s;
}

AxisScale logScale(double lo, double hi) {
  AxisScale s;
  s.log = true;
  if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 1;
    hi = 10;
  }
  if (lo > hi)
    std::swap(lo, hi);
  int e0 = static_cast<int>(std::floor(std::log10(lo) + 1e-12));
  int e1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-12));
  if (e1 <= e0)
    e1 = e0 + 1;
  s.lo = std::pow(10.0, e0);
  s.hi = std::pow(10.0, e1);
  for (int e = e0; e <= e1; ++e) {
    double p = std::pow(10.0, e);
    s.ticks.push_back(p);
    if (e1 - e0 <= 2 && e < e1) {
      s.ticks.push_back(2 * p);
      s.ticks.push_back(5 * p);
    }
  }
  return s;
}

const char *seriesColour(size_t index) {
  static const char *palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return palette[index % 10];
}

std::string renderSvg(const XyPlot &plot) {
  bool withLegend = std::any_of(plot.series.begin(), plot.series.end(),
                                [](const Series &s) { return !s.name.empty(); });
  Frame f{static_cast<double>(plot.width), static_cast<double>(plot.height), 64,
          plot.width - 12.0 - (withLegend ? 150 : 0), 34, plot.height - 44.0};
  double xlo = kInf, xhi = -kInf, ylo = kInf, yhi = -kInf;
  size_t points = 0;
  for (const Series &s : plot.series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (usable(s.x[i], plot.x.log) && usable(s.y[i], plot.y.log)) {
        xlo = std::min(xlo, s.x[i]);
        xhi = std::max(xhi, s.x[i]);
        ylo = std::min(ylo, s.y[i]);
        yhi = std::max(yhi, s.y[i]);
        ++points;
      }
  AxisScale xs = scaleFor(xlo, xhi, plot.x), ys = scaleFor(ylo, yhi, plot.y);

  std::string out = openSvg(f, plot.title, plot.data);
  out += yAxis(f, ys, plot.y.label);
  out += "<g class=\"x-axis\">\n";
  double xstep = xs.ticks.size() > 1 ? xs.ticks[1] - xs.ticks[0] : 1;
  for (double t : xs.ticks) {
    double x = f.px(xs.fraction(t));
    out += "<line x1=\"" + fixed1(x) + "\" x2=\"" + fixed1(x) + "\" y1=\"" + fixed1(f.top) +
           "\" y2=\"" + fixed1(f.bottom) + "\" stroke=\"#f0f1f5\"/>\n";
    out += "<text x=\"" + fixed1(x) + "\" y=\"" + fixed1(f.bottom + 15) +
           "\" text-anchor=\"middle\">" + escapeMarkup(tickLabel(t, xs.log ? t : xstep)) +
           "</text>\n";
  }
  out += "<text x=\"" + fixed1((f.left + f.right) / 2) + "\" y=\"" + fixed1(f.height - 8) +
         "\" text-anchor=\"middle\">" + escapeMarkup(truncated(plot.x.label, 60)) + "</text>\n";
  out += "</g>\n";
  out += frameBox(f);
  if (points == 0)
    out += noData(f);

  for (size_t k = 0; k < plot.series.size(); ++k) {
    const Series &s = plot.series[k];
    std::string colour = seriesColour(k);
    out += "<g class=\"series\" data-series=\"" + escapeMarkup(s.name) + "\">\n";
    std::vector<std::pair<double, double>> segment; // pixel coordinates of a line piece
    std::string markers;
    auto flush = [&]() {
      if (segment.size() >= 2 && s.style != SeriesStyle::Points) {
        std::string pts;
        for (size_t i = 0; i < segment.size(); ++i) {
          if (s.style == SeriesStyle::Steps && i > 0)
            pts += fixed1(segment[i].first) + "," + fixed1(segment[i - 1].second) + " ";
          pts += fixed1(segment[i].first) + "," + fixed1(segment[i].second) + " ";
        }
        pts.pop_back();
        out += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
               (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + " points=\"" + pts + "\"/>\n";
      }
      segment.clear();
    };
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!usable(s.x[i], plot.x.log) || !usable(s.y[i], plot.y.log)) {
        flush();
        continue;
      }
      double px = f.px(xs.fraction(s.x[i])), py = f.py(ys.fraction(s.y[i]));
      segment.emplace_back(px, py);
      if (s.style == SeriesStyle::Points || s.style == SeriesStyle::LinePoints) {
        bool hollowPoint = i < s.hollowAt.size() ? s.hollowAt[i] : s.hollow;
        std::string tip = i < s.tips.size() && !s.tips[i].empty()
                              ? s.tips[i]
                              : (s.name.empty() ? "" : s.name + ": ") + formatNumber(s.x[i]) +
                                    ", " + formatNumber(s.y[i]);
        markers += "<circle class=\"point\" cx=\"" + fixed1(px) + "\" cy=\"" + fixed1(py) +
                   "\" r=\"3.5\" fill=\"" + (hollowPoint ? std::string("#fff") : colour) +
                   "\" stroke=\"" + colour + "\" stroke-width=\"1.5\"><title>" +
                   escapeMarkup(tip) + "</title></circle>\n";
      }
    }
    flush();
    out += markers;
    out += "</g>\n";
  }
  if (withLegend)
    out += legend(f, plot.series, false);
  out += "</svg>";
  return out;
}

std::string renderSvg(const BarChart &chart) {
  bool withLegend = chart.series.size() > 1;
  size_t longest = 0;
  for (const std::string &c : chart.categories)
    longest = std::max(longest, c.size());
  bool rotate = longest > 10 || chart.categories.size() > 8;
  // A label rotated by 35 degrees reaches about 3.6 px down per character.
  double bottomMargin = rotate ? 26 + 3.6 * static_cast<double>(std::min<size_t>(longest, 18)) : 44;
  Frame f{static_cast<double>(chart.width), static_cast<double>(chart.height), 64,
          chart.width - 12.0 - (withLegend ? 150 : 0), 34, chart.height - bottomMargin};

  double lo = kInf, hi = -kInf;
  for (const Series &s : chart.series)
    for (double v : s.y)
      if (usable(v, chart.y.log)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  bool any = std::isfinite(lo);
  if (!chart.y.log && any) // bars start at zero
    lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  AxisScale ys = scaleFor(lo, hi, chart.y);

  std::string out = openSvg(f, chart.title, chart.data);
  out += yAxis(f, ys, chart.y.label);
  out += frameBox(f);
  if (!any || chart.categories.empty())
    out += noData(f);
  double groups = static_cast<double>(std::max<size_t>(chart.categories.size(), 1));
  double groupWidth = (f.right - f.left) / groups;
  double barWidth = groupWidth * 0.8 / static_cast<double>(std::max<size_t>(chart.series.size(), 1));
  double base = f.py(std::clamp(ys.log ? 0.0 : ys.fraction(0), 0.0, 1.0));
  bool valueLabels = chart.categories.size() * chart.series.size() <= 24;

  out += "<g class=\"x-axis\">\n";
  for (size_t c = 0; c < chart.categories.size(); ++c) {
    double x = f.left + (c + 0.5) * groupWidth, y = f.bottom + 14;
    std::string label = escapeMarkup(truncated(chart.categories[c], 18));
    if (rotate)
      out += "<text x=\"" + fixed1(x) + "\" y=\"" + fixed1(y) + "\" text-anchor=\"end\" transform=\"rotate(-35 " +
             fixed1(x) + " " + fixed1(y) + ")\"><title>" + escapeMarkup(chart.categories[c]) +
             "</title>" + label + "</text>\n";
    else
      out += "<text x=\"" + fixed1(x) + "\" y=\"" + fixed1(y) + "\" text-anchor=\"middle\"><title>" +
             escapeMarkup(chart.categories[c]) + "</title>" + label + "</text>\n";
  }
  out += "</g>\n";

  for (size_t k = 0; k < chart.series.size(); ++k) {
    const Series &s = chart.series[k];
    out += "<g class=\"series\" data-series=\"" + escapeMarkup(s.name) + "\">\n";
    for (size_t c = 0; c < chart.categories.size(); ++c) {
      double x = f.left + c * groupWidth + groupWidth * 0.1 + k * barWidth;
      double v = c < s.y.size() ? s.y[c] : std::numeric_limits<double>::quiet_NaN();
      std::string tip = chart.categories[c] + (s.name.empty() ? "" : " / " + s.name) + ": " +
                        formatNumber(v);
      if (!usable(v, chart.y.log)) {
        out += "<text class=\"missing\" x=\"" + fixed1(x + barWidth / 2) + "\" y=\"" +
               fixed1(base - 3) + "\" text-anchor=\"middle\" fill=\"#888\" font-size=\"9\">n/a</text>\n";
        continue;
      }
      double top = f.py(std::clamp(ys.fraction(v), 0.0, 1.0));
      double y = std::min(top, base), height = std::abs(base - top);
      out += "<rect class=\"bar\" data-category=\"" + escapeMarkup(chart.categories[c]) +
             "\" x=\"" + fixed1(x) + "\" y=\"" + fixed1(y) + "\" width=\"" + fixed1(barWidth * 0.95) +
             "\" height=\"" + fixed1(std::max(height, 0.5)) + "\" fill=\"" + seriesColour(k) +
             "\"><title>" + escapeMarkup(tip) + "</title></rect>\n";
      if (valueLabels)
        out += "<text x=\"" + fixed1(x + barWidth / 2) + "\" y=\"" + fixed1(y - 3) +
               "\" text-anchor=\"middle\" font-size=\"9\">" + escapeMarkup(formatNumber(v)) +
               "</text>\n";
    }
    out += "</g>\n";
  }
  if (withLegend)
    out += legend(f, chart.series, true);
  out += "</svg>";
  return out;
}

} // namespace mmlc::report
