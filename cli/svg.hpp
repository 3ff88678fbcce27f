// A small SVG plotting kit for `si plot`: a document of absolute-positioned elements and panels
// that map data coordinates to pixels and draw their own frame, ticks and labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace si::cli {

struct Rgb {
  std::uint8_t r, g, b;
  std::string hex() const;
};
// The viridis colour map at u in [0, 1] (clamped).
Rgb viridis(double u);

// Evenly spaced "nice" tick values (steps of 1, 2 or 5 times a power of ten) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int approx_count);
std::string tick_label(double v, double step);

class Svg {
 public:
  Svg(double width, double height);
  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& extra = "");
  void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1,
            const std::string& extra = "");
  void circle(double cx, double cy, double r, const std::string& fill, double opacity = 1);
  void polyline(const std::vector<std::pair<double, double>>& pts, const std::string& stroke, double width,
                double opacity = 1, const std::string& extra = "");
  // anchor: start | middle | end.
  void text(double x, double y, const std::string& s, double size = 12, const std::string& anchor = "start",
            const std::string& fill = "#334155", const std::string& extra = "");
  // An embedded PNG stretched over the box (smooth scaling off, so cells stay crisp).
  void png(double x, double y, double w, double h, const std::string& png_bytes);
  // Raw markup (groups, clip paths).
  void raw(const std::string& s) { body_ += s; }
  std::string str() const;

 private:
  double w_, h_;
  std::string body_;
};

// A plotting area at (x, y) of size w x h pixels showing [x0, x1] x [y0, y1].
struct Panel {
  double x, y, w, h;
  double x0, x1, y0, y1;
  // y0, y1 and the values given to py() are log10 of the data: ticks at powers of ten.
  bool log_y = false;
  double px(double v) const { return x + (v - x0) / (x1 - x0) * w; }
  double py(double v) const { return y + h - (v - y0) / (y1 - y0) * h; }
  bool inside(double vx, double vy) const { return vx >= x0 && vx <= x1 && vy >= y0 && vy <= y1; }
  // Background, grid lines at the ticks, frame, tick labels, title and axis labels.
  void axes(Svg& svg, const std::string& title, const std::string& xlabel = "", const std::string& ylabel = "",
            bool grid = true) const;
  // Starts a group clipped to the panel (end it with svg.raw("</g>")).
  void clip(Svg& svg) const;
};

// A vertical viridis colour bar over [lo, hi] with ticks on its right and a label above.
void colour_bar(Svg& svg, double x, double y, double w, double h, double lo, double hi, const std::string& label);

std::string escape_xml(const std::string& s);

}  // namespace si::cli
