#include "svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "png.hpp"

namespace si::cli {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

int clip_counter = 0;

}  // namespace

std::string Rgb::hex() const {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

Rgb viridis(double u) {
  static const Rgb stops[] = {{68, 1, 84},    {72, 40, 120},  {62, 73, 137},  {49, 104, 142}, {38, 130, 142},
                              {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {181, 222, 43}, {253, 231, 37}};
  if (!(u > 0)) u = 0;
  if (u > 1) u = 1;
  const double f = u * 9;
  const int i = std::min(8, int(f));
  const double a = f - i;
  auto mix = [a](std::uint8_t p, std::uint8_t q) { return std::uint8_t(std::lround(p + a * (q - p))); };
  return {mix(stops[i].r, stops[i + 1].r), mix(stops[i].g, stops[i + 1].g), mix(stops[i].b, stops[i + 1].b)};
}

std::vector<double> nice_ticks(double lo, double hi, int approx) {
  std::vector<double> out;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
  const double raw = (hi - lo) / std::max(1, approx);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
    out.push_back(std::abs(v) < 1e-12 * step ? 0.0 : v);
  return out;
}

std::string tick_label(double v, double step) {
  const int decimals = std::max(0, int(std::ceil(-std::log10(step) - 1e-9)));
  char buf[32];
  if (std::abs(v) >= 1e5 || (std::abs(v) < 1e-3 && v != 0))
    std::snprintf(buf, sizeof buf, "%.1e", v);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Svg::Svg(double width, double height) : w_(width), h_(height) {}

void Svg::rect(double x, double y, double w, double h, const std::string& fill, const std::string& extra) {
  body_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
           "\" fill=\"" + fill + "\"" + (extra.empty() ? "" : " " + extra) + "/>\n";
}

void Svg::line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
               const std::string& extra) {
  body_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
           "\" stroke=\"" + stroke + "\" stroke-width=\"" + num(width) + "\"" + (extra.empty() ? "" : " " + extra) +
           "/>\n";
}

void Svg::circle(double cx, double cy, double r, const std::string& fill, double opacity) {
  body_ += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\" fill=\"" + fill + "\"" +
           (opacity < 1 ? " fill-opacity=\"" + num(opacity) + "\"" : "") + "/>\n";
}

void Svg::polyline(const std::vector<std::pair<double, double>>& pts, const std::string& stroke, double width,
                   double opacity, const std::string& extra) {
  if (pts.size() < 2) return;
  body_ += "<polyline fill=\"none\" stroke=\"" + stroke + "\" stroke-width=\"" + num(width) + "\"" +
           (opacity < 1 ? " stroke-opacity=\"" + num(opacity) + "\"" : "") + (extra.empty() ? "" : " " + extra) +
           " points=\"";
  for (const auto& [x, y] : pts) body_ += num(x) + "," + num(y) + " ";
  body_ += "\"/>\n";
}

void Svg::text(double x, double y, const std::string& s, double size, const std::string& anchor,
               const std::string& fill, const std::string& extra) {
  body_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(size) + "\" text-anchor=\"" + anchor +
           "\" fill=\"" + fill + "\"" + (extra.empty() ? "" : " " + extra) + ">" + escape_xml(s) + "</text>\n";
}

void Svg::png(double x, double y, double w, double h, const std::string& bytes) {
  body_ += "<image x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
           "\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64," +
           base64(bytes) + "\"/>\n";
}

std::string Svg::str() const {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w_) + "\" height=\"" + num(h_) +
         "\" viewBox=\"0 0 " + num(w_) + " " + num(h_) +
         "\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
         body_ + "</svg>\n";
}

void Panel::axes(Svg& svg, const std::string& title, const std::string& xlabel, const std::string& ylabel,
                 bool grid) const {
  const auto xt = nice_ticks(x0, x1, std::max(5, int(w / 70)));
  std::vector<double> yt = nice_ticks(y0, y1, std::max(5, int(h / 60)));
  double ys = yt.size() > 1 ? yt[1] - yt[0] : 1;
  std::vector<std::string> ylabels;
  if (log_y) {  // powers of ten, and 2 and 5 times them when the range spans few decades
    yt.clear();
    const bool fine = y1 - y0 < 2.5;
    for (int k = int(std::floor(y0)); k <= int(std::ceil(y1)); ++k)
      for (double m : {1.0, 2.0, 5.0}) {
        const double v = k + std::log10(m);
        if ((m == 1.0 || fine) && v >= y0 - 1e-9 && v <= y1 + 1e-9) {
          yt.push_back(v);
          ylabels.push_back(tick_label(std::pow(10.0, v), std::pow(10.0, k)));
        }
      }
  }
  for (size_t i = ylabels.size(); i < yt.size(); ++i) ylabels.push_back(tick_label(yt[i], ys));
  const double xs = xt.size() > 1 ? xt[1] - xt[0] : 1;
  const std::string tick = "#64748b";
  for (double v : xt) {
    if (grid) svg.line(px(v), y, px(v), y + h, "#e2e8f0", 1);
    svg.line(px(v), y + h, px(v), y + h + 4, tick, 1);
    svg.text(px(v), y + h + 16, tick_label(v, xs), 11, "middle", tick);
  }
  for (size_t i = 0; i < yt.size(); ++i) {
    const double v = yt[i];
    if (grid) svg.line(x, py(v), x + w, py(v), "#e2e8f0", 1);
    svg.line(x - 4, py(v), x, py(v), tick, 1);
    svg.text(x - 7, py(v) + 4, ylabels[i], 11, "end", tick);
  }
  svg.rect(x, y, w, h, "none", "stroke=\"#94a3b8\" stroke-width=\"1\"");
  if (!title.empty()) svg.text(x + w / 2, y - 10, title, 14, "middle", "#0f172a", "font-weight=\"600\"");
  if (!xlabel.empty()) svg.text(x + w / 2, y + h + 34, xlabel, 12, "middle");
  if (!ylabel.empty()) {
    const std::string cx = num(x - 42), cy = num(y + h / 2);
    svg.text(x - 42, y + h / 2, ylabel, 12, "middle", "#334155", "transform=\"rotate(-90 " + cx + " " + cy + ")\"");
  }
}

void colour_bar(Svg& svg, double x, double y, double w, double h, double lo, double hi, const std::string& label) {
  const int levels = 128;
  std::vector<std::uint8_t> bar(size_t(levels) * 3);
  for (int i = 0; i < levels; ++i) {
    const Rgb c = viridis(1.0 - (i + 0.5) / levels);
    bar[size_t(i) * 3] = c.r;
    bar[size_t(i) * 3 + 1] = c.g;
    bar[size_t(i) * 3 + 2] = c.b;
  }
  svg.png(x, y, w, h, encode_png_rgb(1, levels, bar));
  svg.rect(x, y, w, h, "none", "stroke=\"#94a3b8\"");
  const auto ticks = nice_ticks(lo, hi, 5);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : hi - lo;
  for (double v : ticks) {
    const double ty = y + h - (v - lo) / (hi - lo) * h;
    svg.line(x + w, ty, x + w + 4, ty, "#64748b");
    svg.text(x + w + 7, ty + 4, tick_label(v, step), 11, "start", "#64748b");
  }
  svg.text(x + w / 2, y - 10, label, 12, "middle");
}

void Panel::clip(Svg& svg) const {
  const std::string id = "clip" + std::to_string(++clip_counter);
  svg.raw("<clipPath id=\"" + id + "\"><rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) +
          "\" height=\"" + num(h) + "\"/></clipPath>\n<g clip-path=\"url(#" + id + ")\">\n");
}

}  // namespace si::cli
