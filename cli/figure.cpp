// si figure: the papers' figures (SPEC section 10) from the core's computations (si/figures.hpp),
// drawn as SVG with the numbers as CSV. Each figure kind is one entry of the table in
// figure_kinds(): its name, what it shows, its options and how it is drawn.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>
#include <map>

#include "common.hpp"
#include "images.hpp"
#include "png.hpp"
#include "si/figures.hpp"
#include "si/json_reader.hpp"
#include "svg.hpp"

namespace si::cli {

namespace {

const char* kHighlight[] = {"#f97316", "#ef4444", "#ec4899", "#facc15", "#22d3ee"};
const char* kOde = "#2563eb";
const char* kSde = "#dc2626";

std::string num(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

void title(Svg& svg, double width, const std::string& text) {
  svg.text(width / 2, 28, text, 17, "middle", "#0f172a", "font-weight=\"600\"");
}

// ---- Rasters: heatmaps over the (t, x) plane with faint paths blended on top -----------------

class Raster {
 public:
  Raster(int w, int h) : w_(w), h_(h), rgb_(size_t(w) * h * 3, 1.0) {}

  // rho_t(x) from a heat_t x grid matrix: t runs left to right, x bottom to top over [lo, hi]; the
  // colour is viridis of sqrt(rho / vmax), so the low tails between the modes stay visible.
  void heat(const MatD& heat, double vmax) {
    const Eigen::Index nt = heat.rows(), nx = heat.cols();
    for (int i = 0; i < w_; ++i) {
      const Eigen::Index k = std::lround(double(i) / (w_ - 1) * double(nt - 1));
      for (int j = 0; j < h_; ++j) {
        const Eigen::Index c = std::lround((1.0 - double(j) / (h_ - 1)) * double(nx - 1));
        const double v = heat(k, c);
        const Rgb col = std::isnan(v) ? Rgb{229, 231, 235} : viridis(std::sqrt(std::max(0.0, v / vmax)));
        set(i, j, col.r / 255.0, col.g / 255.0, col.b / 255.0);
      }
    }
  }

  // A line from pixel (x0, y0) to (x1, y1), each pixel it crosses blended once with colour c.
  void line(double x0, double y0, double x1, double y1, double alpha) {
    const int n = std::max(1, int(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0)))));
    int last_i = -1, last_j = -1;
    for (int s = 0; s <= n; ++s) {
      const int i = int(std::lround(x0 + (x1 - x0) * s / n)), j = int(std::lround(y0 + (y1 - y0) * s / n));
      if ((i == last_i && j == last_j) || i < 0 || j < 0 || i >= w_ || j >= h_) continue;
      last_i = i;
      last_j = j;
      for (int c = 0; c < 3; ++c) {
        double& v = rgb_[(size_t(j) * w_ + i) * 3 + c];
        v += alpha * (1.0 - v);  // towards white
      }
    }
  }

  std::string png() const {
    std::vector<std::uint8_t> out(rgb_.size());
    for (size_t i = 0; i < rgb_.size(); ++i) out[i] = std::uint8_t(std::lround(std::clamp(rgb_[i], 0.0, 1.0) * 255));
    return encode_png_rgb(w_, h_, out);
  }

 private:
  void set(int i, int j, double r, double g, double b) {
    double* p = &rgb_[(size_t(j) * w_ + i) * 3];
    p[0] = r;
    p[1] = g;
    p[2] = b;
  }
  int w_, h_;
  std::vector<double> rgb_;
};

double finite_max(const MatD& m) {
  double v = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i)
    if (std::isfinite(m.data()[i])) v = std::max(v, m.data()[i]);
  return v > 0 ? v : 1;
}

// A faint path is a line of opacity alpha and this width in pixels (a thin line covers that share
// of each pixel it crosses), so thousands of them leave the density visible between the bundles.
constexpr double kFaintWidth = 0.15;

// Paths x(t) over the density heatmap: every path faint (alpha), a few highlighted as lines.
void path_panel(Svg& svg, const Panel& p, const PathPanel& pp, double vmax, int highlight, double alpha,
                const std::string& title_text) {
  Raster r{int(p.w), int(p.h)};
  r.heat(pp.heat, vmax);
  alpha *= kFaintWidth;
  const double px = (p.w - 1) / (p.x1 - p.x0), py = (p.h - 1) / (p.y1 - p.y0);
  for (Eigen::Index j = 0; j < pp.x.cols(); ++j)
    for (Eigen::Index k = 0; k + 1 < pp.x.rows(); ++k)
      r.line((pp.times[size_t(k)] - p.x0) * px, (p.y1 - pp.x(k, j)) * py, (pp.times[size_t(k + 1)] - p.x0) * px,
             (p.y1 - pp.x(k + 1, j)) * py, alpha);
  svg.png(p.x, p.y, p.w, p.h, r.png());
  p.axes(svg, title_text, "t", "x", false);
  // Highlighted: the paths starting nearest the start draw's quantiles, so they differ.
  std::vector<std::pair<double, Eigen::Index>> starts;
  for (Eigen::Index j = 0; j < pp.x.cols(); ++j) starts.emplace_back(pp.x(0, j), j);
  std::sort(starts.begin(), starts.end());
  p.clip(svg);
  for (int h = 0; h < highlight && !starts.empty(); ++h) {
    const size_t q = size_t((h + 0.5) / highlight * double(starts.size()));
    const Eigen::Index j = starts[std::min(q, starts.size() - 1)].second;
    std::vector<std::pair<double, double>> pts;
    for (Eigen::Index k = 0; k < pp.x.rows(); ++k) pts.emplace_back(p.px(pp.times[size_t(k)]), p.py(pp.x(k, j)));
    svg.polyline(pts, kHighlight[h % 5], 1.6, 1.0, "stroke-linejoin=\"round\"");
  }
  svg.raw("</g>\n");
}

void histogram_panel(Svg& svg, const Panel& p, const Marginal& m) {
  svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
  p.axes(svg, "t = " + num(m.t) + (std::isnan(m.p_value) ? "" : ", KS p = " + num(m.p_value, 2)), "x", "", false);
  p.clip(svg);
  const Eigen::Index bins = m.density.size();
  for (Eigen::Index b = 0; b < bins; ++b) {
    const double top = p.py(std::min(m.density(b), p.y1));
    svg.rect(p.px(m.edges(b)), top, p.px(m.edges(b + 1)) - p.px(m.edges(b)), p.y + p.h - top, "#93c5fd");
  }
  std::vector<std::pair<double, double>> curve;
  for (Eigen::Index b = 0; b < bins; ++b)
    if (std::isfinite(m.exact(b)))
      curve.emplace_back(p.px((m.edges(b) + m.edges(b + 1)) / 2), p.py(std::min(m.exact(b), p.y1)));
  svg.polyline(curve, "#dc2626", 1.6, 1.0, "stroke-linejoin=\"round\"");
  svg.raw("</g>\n");
}

// A row's label, rotated, on two lines when it has a ", gamma = ..." part.
void row_label(Svg& svg, double x, double y, const std::string& text) {
  const size_t cut = text.find(", gamma");
  const std::vector<std::string> lines = cut == std::string::npos
                                             ? std::vector<std::string>{text}
                                             : std::vector<std::string>{text.substr(0, cut), text.substr(cut + 2)};
  for (size_t i = 0; i < lines.size(); ++i) {
    const double lx = x + 16 * (double(i) - 0.5 * double(lines.size() - 1));
    const std::string t = "transform=\"rotate(-90 " + num(lx, 6) + " " + num(y, 6) + ")\"";
    svg.text(lx, y, lines[i], 12, "middle", "#0f172a", "font-weight=\"600\" " + t);
  }
}

void wrote(const std::string& what, const std::string& out, const std::string& csv) {
  std::cerr << "wrote " << out << (csv.empty() ? "" : " and " + csv) << " (" << what << ")\n";
}

// ---- Options shared by the 1-D figures ---------------------------------------------------------

struct OneDArgs {
  std::string rho0 = "1/2 N(-3, 0.25) + 1/2 N(3, 0.25)";
  std::string rho1 = "1/3 N(-6, 0.5) + 1/3 N(0, 0.33) + 1/3 N(6, 0.5)";
  std::vector<std::string> interpolants;
  double xmin = -10, xmax = 10;
  int grid = 150, heat_times = 101;
  std::string out, csv, title;
};

void add_one_d(CLI::App* app, OneDArgs& a, const std::string& interpolant_note) {
  app->add_option("--rho0", a.rho0, "Base: a 1-D mixture \"w N(mean, variance) + ...\" or a JSON mixture spec")
      ->capture_default_str();
  app->add_option("--rho1", a.rho1, "Target, likewise")->capture_default_str();
  app->add_option("--interpolant", a.interpolants,
                  "Interpolant: a path, path/gamma (trig/zero), or a config's JSON \"interpolant\" object with "
                  "formulas; repeat for several (default: " +
                      interpolant_note + ")");
  app->add_option("--xmin", a.xmin, "Left end of the x range")->capture_default_str();
  app->add_option("--xmax", a.xmax, "Right end of the x range")->capture_default_str();
  app->add_option("--grid", a.grid, "Points of the x grid")->capture_default_str()->check(CLI::Range(2, 100000));
  app->add_option("--heat-times", a.heat_times, "Times of the (t, x) heatmap, 0 to 1")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  app->add_option("--out,-o", a.out, "Output SVG")->required();
  app->add_option("--csv", a.csv, "Also write the figure's numbers as CSV");
  app->add_option("--title", a.title, "Figure title (default: what it shows)");
}

// The flags as the JSON options of core's figure readers (read_*_figure_options), so the CLI and
// the package compute the same figure from the same values.
nlohmann::json one_d_json(const OneDArgs& a) {
  nlohmann::json j = {{"rho0", a.rho0}, {"rho1", a.rho1}, {"xmin", a.xmin},
                      {"xmax", a.xmax}, {"grid", a.grid}, {"heatTimes", a.heat_times}};
  if (!a.interpolants.empty()) j["interpolants"] = a.interpolants;
  return j;
}

void check_outputs(const OneDArgs& a) {
  check_writable(a.out, "--out");
  if (!a.csv.empty()) check_writable(a.csv, "--csv");
}

// ---- Figure A: densities ----------------------------------------------------------------------

struct DensityArgs {
  OneDArgs common;
  std::vector<double> times = {0, 0.25, 0.5, 0.75, 1};
};

int run_densities(const DensityArgs& a) {
  nlohmann::json j = one_d_json(a.common);
  j["times"] = a.times;
  const DensityFigureOptions o = read_density_figure_options(j);
  check_outputs(a.common);
  const DensityFigure fig = density_figure(o);

  // Columns: the first and last times once (rho0, rho1, centred on the rows), the others per row,
  // then the (t, x) heatmap.
  const size_t nt = fig.times.size(), nr = fig.rows.size();
  const bool ends = nt >= 2 && fig.times.front() == 0.0 && fig.times.back() == 1.0;
  std::vector<size_t> inner;
  for (size_t k = 0; k < nt; ++k)
    if (!ends || (k != 0 && k + 1 != nt)) inner.push_back(k);
  const double pw = 180, ph = 120, gx = 40, gy = 62, left = 100, top = 70, hw = 260;
  const int cols = int(inner.size()) + (ends ? 2 : 0);
  const double width = left + cols * (pw + gx) + hw + 110;
  const double height = top + nr * (ph + gy) + 10;
  Svg svg(width, height);
  title(svg, width, a.common.title.empty() ? "Figure A: exact densities rho_t of three interpolants" : a.common.title);
  double vmax = 0;
  for (const auto& r : fig.rows) vmax = std::max(vmax, finite_max(r.heat));
  auto curve_panel = [&](double x, double y, const VecD& c, const std::string& t) {
    Panel p{x, y, pw, ph, fig.x(0), fig.x(fig.x.size() - 1), 0, 1};
    svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
    p.axes(svg, t, "x", "", true);
    if (!c.allFinite()) {
      svg.text(p.x + p.w / 2, p.y + p.h / 2, "degenerate: a point mass", 12, "middle");
      return;
    }
    std::vector<std::pair<double, double>> pts;
    for (Eigen::Index j = 0; j < c.size(); ++j) pts.emplace_back(p.px(fig.x(j)), p.py(std::min(c(j), 1.0)));
    p.clip(svg);
    svg.polyline(pts, "#2563eb", 1.8, 1.0, "stroke-linejoin=\"round\"");
    svg.raw("</g>\n");
  };
  const double mid_y = top + (nr - 1) * (ph + gy) / 2;
  if (ends) {
    curve_panel(left, mid_y, fig.rows[0].curves.front(), "rho0 (t = 0)");
    curve_panel(left + (cols - 1) * (pw + gx), mid_y, fig.rows[0].curves.back(), "rho1 (t = 1)");
  }
  for (size_t r = 0; r < nr; ++r) {
    const double y = top + r * (ph + gy);
    row_label(svg, 30, y + ph / 2, fig.rows[r].interpolant.label());
    for (size_t i = 0; i < inner.size(); ++i)
      curve_panel(left + (i + (ends ? 1 : 0)) * (pw + gx), y, fig.rows[r].curves[inner[i]],
                  "t = " + num(fig.times[inner[i]]));
    Panel h{left + cols * (pw + gx) + 20, y, hw, ph, 0, 1, fig.x(0), fig.x(fig.x.size() - 1)};
    Raster ras{int(hw), int(ph)};
    ras.heat(fig.rows[r].heat, vmax);
    svg.png(h.x, h.y, h.w, h.h, ras.png());
    h.axes(svg, "rho_t(x) over (t, x)", "t", "", false);
  }
  colour_bar(svg, left + cols * (pw + gx) + 20 + hw + 20, top, 14, nr * (ph + gy) - gy, 0, std::sqrt(vmax),
             "sqrt(rho)");
  write_text_file(a.common.out, svg.str(), "--out");
  if (!a.common.csv.empty()) {
    std::string csv = "kind,interpolant,t,x,density\n";
    for (const auto& r : fig.rows) {
      const std::string name = "\"" + r.interpolant.label() + "\"";
      for (size_t k = 0; k < nt; ++k)
        for (Eigen::Index j = 0; j < fig.x.size(); ++j)
          csv += "curve," + name + "," + format_number(fig.times[k]) + "," + format_number(fig.x(j)) + "," +
                 format_number(r.curves[k](j)) + "\n";
      for (size_t k = 0; k < fig.heat_t.size(); ++k)
        for (Eigen::Index j = 0; j < fig.x.size(); ++j)
          csv += "heat," + name + "," + format_number(fig.heat_t[k]) + "," + format_number(fig.x(j)) + "," +
                 format_number(r.heat(Eigen::Index(k), j)) + "\n";
    }
    write_text_file(a.common.csv, csv, "--csv");
  }
  wrote("figure A: densities", a.common.out, a.common.csv);
  return kOk;
}

// ---- Figure B: trajectories -------------------------------------------------------------------

struct TrajectoryArgs {
  OneDArgs common;
  std::vector<double> eps = {0, 0.5, 5};
  std::vector<double> times = {0, 0.25, 0.5, 0.75, 1};
  int paths = 2500, steps = 200, highlight = 3, csv_paths = 100;
  long long seed = 0;
  double alpha = 0.15;
};

void report_marginals(const PathFigure& fig) {
  for (const PathPanel& p : fig.panels) {
    std::cerr << "  " << p.sampler << ", " << p.interpolant.label() << ": KS p-values vs rho_t at t =";
    for (const Marginal& m : p.marginals) std::cerr << " " << num(m.t) << ":" << num(m.p_value, 2);
    std::cerr << "\n";
  }
}

int run_trajectories(const TrajectoryArgs& a) {
  nlohmann::json j = one_d_json(a.common);
  j.update({{"eps", a.eps}, {"paths", a.paths}, {"steps", a.steps}, {"seed", a.seed}, {"times", a.times}});
  const TrajectoryFigureOptions o = read_trajectory_figure_options(j);
  check_outputs(a.common);
  const PathFigure fig = trajectory_figure(o);
  report_marginals(fig);

  const double pw = 320, ph = 200, gx = 60, gy = 70, left = 100, top = 90;
  const double width = left + fig.cols * (pw + gx) + 90, height = top + fig.rows * (ph + gy);
  Svg svg(width, height);
  title(svg, width,
        a.common.title.empty()
            ? "Figure B: " + std::to_string(a.paths) + " paths x(t) from one draw of rho0, over rho_t(x)"
            : a.common.title);
  double vmax = 0;
  for (const auto& p : fig.panels) vmax = std::max(vmax, finite_max(p.heat));
  for (int c = 0; c < fig.cols; ++c)
    svg.text(left + c * (pw + gx) + pw / 2, top - 34, fig.col_labels[size_t(c)], 13, "middle", "#0f172a",
             "font-weight=\"600\"");
  for (int r = 0; r < fig.rows; ++r) {
    const double y = top + r * (ph + gy);
    row_label(svg, 34, y + ph / 2, fig.row_labels[size_t(r)]);
    for (int c = 0; c < fig.cols; ++c) {
      const PathPanel& pp = fig.at(r, c);
      Panel p{left + c * (pw + gx), y, pw, ph, 0, 1, o.x.lo, o.x.hi};
      path_panel(svg, p, pp, vmax, a.highlight, a.alpha, pp.eps == 0 ? "RK4 ODE" : "stochastic Heun SDE");
    }
  }
  colour_bar(svg, left + fig.cols * (pw + gx) + 10, top, 14, fig.rows * (ph + gy) - gy, 0, std::sqrt(vmax),
             "sqrt(rho)");
  write_text_file(a.common.out, svg.str(), "--out");
  if (!a.common.csv.empty()) {
    std::string csv = "eps,interpolant,path,t,x\n";
    for (const PathPanel& p : fig.panels) {
      const std::string head = format_number(p.eps) + ",\"" + p.interpolant.label() + "\",";
      for (Eigen::Index j = 0; j < std::min<Eigen::Index>(a.csv_paths, p.x.cols()); ++j)
        for (Eigen::Index k = 0; k < p.x.rows(); ++k)
          csv += head + std::to_string(j) + "," + format_number(p.times[size_t(k)]) + "," + format_number(p.x(k, j)) +
                 "\n";
    }
    write_text_file(a.common.csv, csv, "--csv");
  }
  wrote("figure B: trajectories", a.common.out, a.common.csv);
  return kOk;
}

// ---- Figure C: gamma = 0 against gamma > 0 ----------------------------------------------------

struct GammaArgs {
  OneDArgs common;
  double eps = 5;
  std::vector<double> times = {0, 0.25, 0.5, 0.75, 1};
  int paths = 5000, steps = 100, bins = 100, highlight = 3;
  long long seed = 0;
  double alpha = 0.15;
};

int run_linear_gamma(const GammaArgs& a) {
  if (a.common.interpolants.size() > 1) throw ConfigError("--interpolant", "give one (the gamma > 0 rows)");
  nlohmann::json j = one_d_json(a.common);
  j.erase("interpolants");
  if (!a.common.interpolants.empty()) j["interpolant"] = a.common.interpolants.front();
  j.update(
      {{"eps", a.eps}, {"paths", a.paths}, {"steps", a.steps}, {"seed", a.seed}, {"times", a.times}, {"bins", a.bins}});
  const GammaFigureOptions o = read_gamma_figure_options(j);
  check_outputs(a.common);
  const PathFigure fig = gamma_figure(o);
  report_marginals(fig);

  const size_t nt = o.times.size();
  const double tw = 300, ph = 170, hw = 170, gx = 34, gy = 78, left = 110, top = 95;
  const double width = left + tw + 50 + nt * (hw + gx) + 20, height = top + fig.rows * (ph + gy);
  Svg svg(width, height);
  title(svg, width,
        a.common.title.empty() ? "Figure C: gamma = 0 against gamma > 0, trajectories and histograms over rho_t"
                               : a.common.title);
  double vmax = 0;
  for (const auto& p : fig.panels) vmax = std::max(vmax, finite_max(p.heat));
  for (int r = 0; r < fig.rows; ++r) {
    const PathPanel& pp = fig.panels[size_t(r)];
    const double y = top + r * (ph + gy);
    svg.text(left, y - 30, fig.row_labels[size_t(r)], 13, "start", "#0f172a", "font-weight=\"600\"");
    row_label(svg, 34, y + ph / 2, pp.eps == 0 ? "ODE" : "SDE, eps = " + num(pp.eps));
    path_panel(svg, Panel{left, y, tw, ph, 0, 1, o.x.lo, o.x.hi}, pp, vmax, a.highlight, a.alpha, "paths");
    double ymax = 0;
    for (const Marginal& m : pp.marginals)
      ymax = std::max({ymax, m.density.maxCoeff(), m.exact.allFinite() ? m.exact.maxCoeff() : 0.0});
    for (size_t k = 0; k < pp.marginals.size(); ++k)
      histogram_panel(svg, Panel{left + tw + 50 + k * (hw + gx), y, hw, ph, o.x.lo, o.x.hi, 0, 1.1 * ymax},
                      pp.marginals[k]);
  }
  write_text_file(a.common.out, svg.str(), "--out");
  if (!a.common.csv.empty()) {
    std::string csv = "row,eps,interpolant,t,bin_lo,bin_hi,density,exact,ks,p_value\n";
    for (int r = 0; r < fig.rows; ++r) {
      const PathPanel& p = fig.panels[size_t(r)];
      for (const Marginal& m : p.marginals)
        for (Eigen::Index b = 0; b < m.density.size(); ++b)
          csv += std::to_string(r) + "," + format_number(p.eps) + ",\"" + p.interpolant.label() + "\"," +
                 format_number(m.t) + "," + format_number(m.edges(b)) + "," + format_number(m.edges(b + 1)) + "," +
                 format_number(m.density(b)) + "," + format_number(m.exact(b)) + "," + format_number(m.ks) + "," +
                 format_number(m.p_value) + "\n";
    }
    write_text_file(a.common.csv, csv, "--csv");
  }
  wrote("figure C: linear interpolant, gamma = 0 against gamma > 0", a.common.out, a.common.csv);
  return kOk;
}

// ---- Figure D: likelihood-coloured samples ----------------------------------------------------

struct LikelihoodArgs {
  LikelihoodFigureOptions o;
  std::string interpolant = "linear/brownian";
  long long seed = 0, mixture_seed = 0;
  std::string out, csv, title;
};

int run_gmm_likelihood(LikelihoodArgs a) {
  const LikelihoodFigureOptions o = read_likelihood_figure_options({{"dim", a.o.dim},
                                                                    {"baseComponents", a.o.components0},
                                                                    {"components", a.o.components1},
                                                                    {"mixtureSeed", a.mixture_seed},
                                                                    {"interpolant", a.interpolant},
                                                                    {"n", a.o.n},
                                                                    {"eps", a.o.eps},
                                                                    {"sdeSteps", a.o.sde_steps},
                                                                    {"odeSteps", a.o.ode_steps},
                                                                    {"sdePaths", a.o.sde_paths},
                                                                    {"seed", a.seed}});
  check_writable(a.out, "--out");
  if (!a.csv.empty()) check_writable(a.csv, "--csv");
  const LikelihoodFigure fig = likelihood_figure(o);
  for (const auto& p : fig.panels) {
    const VecD err = p.logp - p.exact;
    std::cerr << "  " << p.label << ": mean log-likelihood " << num(p.logp.mean(), 4) << ", mean error vs exact "
              << num(err.mean(), 2) << " (SE " << num(std::sqrt(p.std_error.squaredNorm()) / double(err.size()), 2)
              << ")\n";
  }
  // A square window on the first two coordinates holding 99.5% of the target's points.
  const MatD& tx = fig.panels[0].x;
  auto q = [](std::vector<double> v, double f) {
    std::nth_element(v.begin(), v.begin() + long(f * double(v.size() - 1)), v.end());
    return v[size_t(f * double(v.size() - 1))];
  };
  std::vector<double> xs(tx.row(0).data(), tx.row(0).data() + tx.cols()), ys;
  for (Eigen::Index j = 0; j < tx.cols(); ++j) ys.push_back(tx.rows() > 1 ? tx(1, j) : 0.0);
  const double cx = (q(xs, 0.0025) + q(xs, 0.9975)) / 2, cy = (q(ys, 0.0025) + q(ys, 0.9975)) / 2;
  const double half = 1.08 * std::max({(q(xs, 0.9975) - q(xs, 0.0025)) / 2, (q(ys, 0.9975) - q(ys, 0.0025)) / 2, 1e-6});
  const double side = 380, gap = 60, left = 60, top = 80;
  const double width = left + 3 * side + 2 * gap + 100;
  Svg svg(width, top + side + 50);
  title(svg, width, a.title.empty() ? "Figure D: samples coloured by log-likelihood (one colour scale)" : a.title);
  for (size_t i = 0; i < fig.panels.size(); ++i) {
    const ColouredPoints& cp = fig.panels[i];
    Panel p{left + i * (side + gap), top, side, side, cx - half, cx + half, cy - half, cy + half};
    svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
    p.axes(svg, cp.label, "", "", false);
    // Low likelihoods first, so the dense middle is drawn on top.
    std::vector<Eigen::Index> order(size_t(cp.x.cols()));
    for (size_t j = 0; j < order.size(); ++j) order[j] = Eigen::Index(j);
    std::sort(order.begin(), order.end(), [&](Eigen::Index u, Eigen::Index v) { return cp.logp(u) < cp.logp(v); });
    p.clip(svg);
    for (const Eigen::Index j : order) {
      const double y = cp.x.rows() > 1 ? cp.x(1, j) : 0.0;
      svg.circle(p.px(cp.x(0, j)), p.py(y), 1.3, viridis((cp.logp(j) - fig.lo) / (fig.hi - fig.lo)).hex(), 0.9);
    }
    svg.raw("</g>\n");
  }
  colour_bar(svg, left + 3 * side + 2 * gap + 10, top, 14, side, fig.lo, fig.hi, "log p");
  write_text_file(a.out, svg.str(), "--out");
  if (!a.csv.empty()) {
    const int d = int(fig.rho1.dim());
    std::string csv = "panel";
    for (const auto& c : coordinate_names(d)) csv += "," + c;
    csv += ",logp,logp_se,exact_logp\n";
    const char* names[] = {"target", "sde", "ode"};
    for (size_t i = 0; i < fig.panels.size(); ++i) {
      const ColouredPoints& cp = fig.panels[i];
      for (Eigen::Index j = 0; j < cp.x.cols(); ++j) {
        csv += names[i];
        for (int k = 0; k < d; ++k) csv += "," + format_number(cp.x(k, j));
        csv += "," + format_number(cp.logp(j)) + "," + format_number(cp.std_error(j)) + "," +
               format_number(cp.exact(j)) + "\n";
      }
    }
    write_text_file(a.csv, csv, "--csv");
  }
  wrote("figure D: likelihood-coloured samples", a.out, a.csv);
  return kOk;
}

// ---- Figure E: high-dimensional mixtures --------------------------------------------------------

struct HighDimArgs {
  HighDimOptions o;
  std::string interpolant = "linear/brownian", divergence = "auto", activation;
  long long seed = 0, mixture_seed = 0;
  bool no_reference = false;
  std::string out, csv, title;
};

// A curve panel over the records; log_y plots log10 of the values (<= 0 clipped to the bottom).
struct Curve {
  std::string label, color;
  std::vector<double> y, se;  // se empty: no band
  bool dashed = false;
};

void curves_panel(Svg& svg, Panel p, const std::vector<double>& x, const std::vector<Curve>& curves,
                  const std::string& panel_title, const std::string& ylabel) {
  double lo = 1e300, hi = -1e300;
  for (const Curve& c : curves)
    for (size_t i = 0; i < c.y.size() && !c.dashed; ++i)  // references are drawn where they fall
      if (std::isfinite(c.y[i]) && (!p.log_y || c.y[i] > 0)) {
        lo = std::min(lo, c.y[i]);
        hi = std::max(hi, c.y[i]);
      }
  if (!(hi >= lo)) lo = 0.1, hi = 1;
  if (p.log_y) {
    p.y0 = std::floor(std::log10(lo) * 4) / 4;
    p.y1 = std::ceil(std::log10(hi) * 4) / 4;
    if (p.y1 <= p.y0) p.y1 = p.y0 + 0.5;
  } else {
    const double pad = std::max(1e-9, 0.08 * (hi - lo));
    p.y0 = std::min(0.0, lo - pad);
    p.y1 = hi + pad;
  }
  auto Y = [&](double v) { return p.log_y ? p.py(std::log10(std::max(v, std::pow(10.0, p.y0)))) : p.py(v); };
  svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
  p.axes(svg, panel_title, "training step", ylabel);
  p.clip(svg);
  for (const Curve& c : curves) {
    if (!c.se.empty()) {  // +- 1 standard error band
      std::string pts;
      for (size_t i = 0; i < x.size(); ++i) pts += num(p.px(x[i]), 7) + "," + num(Y(c.y[i] + c.se[i]), 7) + " ";
      for (size_t i = x.size(); i-- > 0;) pts += num(p.px(x[i]), 7) + "," + num(Y(c.y[i] - c.se[i]), 7) + " ";
      svg.raw("<polygon points=\"" + pts + "\" fill=\"" + c.color + "\" fill-opacity=\"0.15\"/>\n");
    }
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < x.size(); ++i) {
      const double v = p.log_y ? std::log10(c.y[i]) : c.y[i];
      // A reference outside the axes (a KL of ~0 on a log scale) is named in the legend only.
      if (std::isfinite(c.y[i]) && (!c.dashed || (std::isfinite(v) && v >= p.y0 && v <= p.y1)))
        pts.emplace_back(p.px(x[i]), Y(c.y[i]));
    }
    svg.polyline(pts, c.color, 2, 1, c.dashed ? "stroke-dasharray=\"5 4\"" : "stroke-linejoin=\"round\"");
    if (!c.dashed)
      for (const auto& [cx, cy] : pts) svg.circle(cx, cy, 2.4, c.color);
  }
  svg.raw("</g>\n");
  for (size_t i = 0; i < curves.size(); ++i) {
    const double lx = p.x + p.w - 250, ly = p.y + 18 + 17 * double(i);
    svg.line(lx, ly - 4, lx + 20, ly - 4, curves[i].color, 2.5, curves[i].dashed ? "stroke-dasharray=\"5 4\"" : "");
    svg.text(lx + 26, ly, curves[i].label, 11);
  }
}

int run_high_dim(HighDimArgs a) {
  HighDimOptions& o = a.o;
  o.interpolant = InterpolantSpec::parse(a.interpolant, "--interpolant");
  o.seed = std::uint64_t(a.seed);
  o.mixture_seed = std::uint64_t(a.mixture_seed);
  o.exact_reference = !a.no_reference;
  if (!a.activation.empty()) o.activation = activation_from_name(a.activation, "--activation");
  o.divergence = a.divergence == "auto" ? (o.dim <= 16 ? Divergence::Exact : Divergence::Hutchinson)
                                        : divergence_methods().at(a.divergence, "--divergence").value;
  if (o.divergence == Divergence::Hutchinson) o.probes = std::max(o.probes, 2);
  o.validate();
  check_writable(a.out, "--out");
  check_writable(a.csv, "--csv");
  std::cerr << "figure E: d = " << o.dim << ", " << o.components0 << " -> " << o.components1
            << " components, learning v and s (" << o.interpolant.label() << ") for " << o.steps << " steps x batch "
            << o.batch << "; KL by the ODE and SDE likelihoods (" << to_name(o.divergence) << " divergence) of "
            << o.kl_points << " held-out points\n";
  const HighDimResult r = high_dim_experiment(o, [&](const HighDimRecord& rec) {
    std::cerr << "  step " << rec.step << "/" << o.steps << ": KL ODE " << num(rec.kl_ode) << " +- "
              << num(rec.kl_ode_se, 2) << ", SDE " << num(rec.kl_sde) << " +- " << num(rec.kl_sde_se, 2)
              << "; rel. errors v " << num(rec.err_v) << ", s " << num(rec.err_s) << "; per-point SE ODE "
              << num(rec.ode_point_se, 2) << ", SDE " << num(rec.sde_point_se, 2) << " (training "
              << format_duration(rec.train_seconds) << ")\n";
  });
  std::cerr << "  exact fields: KL ODE " << num(r.exact_kl_ode) << " +- " << num(r.exact_kl_ode_se, 2) << ", SDE "
            << num(r.exact_kl_sde) << " +- " << num(r.exact_kl_sde_se, 2) << "\n  likelihoods: " << r.ode_sampler
            << "; " << r.sde_sampler << "\n  training " << format_duration(r.train_seconds) << ", evaluation "
            << format_duration(r.eval_seconds) << "\n";
  const HighDimRecord& last = r.records.back();
  std::cerr << "  final: KL ODE " << num(last.kl_ode) << " +- " << num(last.kl_ode_se, 2) << ", SDE "
            << num(last.kl_sde) << " +- " << num(last.kl_sde_se, 2) << ": the "
            << (last.kl_sde < last.kl_ode ? "SDE" : "ODE") << " gives the lower KL by "
            << num(std::abs(last.kl_ode - last.kl_sde), 2) << " +- " << num(last.kl_diff_se, 2)
            << " (paired over the points)\n";

  std::vector<double> x, kl_ode, kl_ode_se, kl_sde, kl_sde_se, ev, es, lv, ls;
  for (const auto& rec : r.records) {
    x.push_back(double(rec.step));
    kl_ode.push_back(rec.kl_ode);
    kl_ode_se.push_back(rec.kl_ode_se);
    kl_sde.push_back(rec.kl_sde);
    kl_sde_se.push_back(rec.kl_sde_se);
    ev.push_back(rec.err_v);
    es.push_back(rec.err_s);
    lv.push_back(rec.step == 0 ? NAN : rec.loss_v);
    ls.push_back(rec.step == 0 ? NAN : rec.loss_s);
  }
  const double pw = 420, ph = 300, gap = 90, left = 80, top = 80;
  const double width = left + 3 * pw + 2 * gap + 30;
  Svg svg(width, top + ph + 70);
  title(svg, width,
        a.title.empty() ? "Figure E: d = " + std::to_string(o.dim) + ", learned v and s, ODE against SDE" : a.title);
  std::vector<Curve> kl = {{"KL through the ODE likelihood", kOde, kl_ode, kl_ode_se},
                           {"KL through the SDE likelihood (eps " + num(o.eps) + ")", kSde, kl_sde, kl_sde_se}};
  if (o.exact_reference) {
    kl.push_back({"exact fields, ODE: " + num(r.exact_kl_ode, 2) + " +- " + num(r.exact_kl_ode_se, 1),
                  kOde,
                  std::vector<double>(x.size(), r.exact_kl_ode),
                  {},
                  true});
    kl.push_back({"exact fields, SDE: " + num(r.exact_kl_sde, 2) + " +- " + num(r.exact_kl_sde_se, 1),
                  kSde,
                  std::vector<double>(x.size(), r.exact_kl_sde),
                  {},
                  true});
  }
  const double xmax = std::max(1.0, x.back());
  Panel p1{left, top, pw, ph, 0, xmax, 0, 1};
  p1.log_y = true;
  curves_panel(svg, p1, x, kl, "KL(rho1 || model), nats", "KL");
  Panel p2{left + pw + gap, top, pw, ph, 0, xmax, 0, 1};
  p2.log_y = true;
  curves_panel(svg, p2, x, {{"|v - v_hat| / |v|", "#16a34a", ev, {}}, {"|s - s_hat| / |s|", "#9333ea", es, {}}},
               "relative L2 errors of the fields", "error");
  curves_panel(svg, Panel{left + 2 * (pw + gap), top, pw, ph, 0, xmax, 0, 1}, x,
               {{"loss v", "#16a34a", lv, {}}, {"loss s", "#9333ea", ls, {}}}, "training losses", "loss");
  svg.text(left, top + ph + 60,
           "training " + format_duration(r.train_seconds) + "; " + r.ode_sampler + "; " + r.sde_sampler, 11);
  write_text_file(a.out, svg.str(), "--out");
  std::string csv =
      "step,train_seconds,loss_v,loss_s,kl_ode,kl_ode_se,kl_sde,kl_sde_se,kl_diff_se,err_v,err_s,exact_kl_ode,"
      "exact_kl_sde,ode_point_se,sde_point_se\n";
  for (const auto& rec : r.records) {
    const double loss_v = rec.step == 0 ? NAN : rec.loss_v, loss_s = rec.step == 0 ? NAN : rec.loss_s;
    csv += std::to_string(rec.step);
    for (double v :
         {rec.train_seconds, loss_v, loss_s, rec.kl_ode, rec.kl_ode_se, rec.kl_sde, rec.kl_sde_se, rec.kl_diff_se,
          rec.err_v, rec.err_s, r.exact_kl_ode, r.exact_kl_sde, rec.ode_point_se, rec.sde_point_se})
      csv += "," + format_number(v);
    csv += "\n";
  }
  write_text_file(a.csv, csv, "--csv");
  wrote("figure E: high-dimensional mixtures", a.out, a.csv);
  return kOk;
}

// ---- The table of figure kinds ------------------------------------------------------------------

struct FigureKind {
  std::string name;
  std::string description;
  // Adds the kind's options to its subcommand and returns what runs it.
  std::function<std::function<int()>(CLI::App*)> add;
};

std::vector<FigureKind> figure_kinds() {
  std::vector<FigureKind> kinds = {
      {"densities", "Figure A (SPEC 10.1): exact rho_t at t = 0, 1/4, 1/2, 3/4, 1 and over (t, x), per interpolant",
       [](CLI::App* app) -> std::function<int()> {
         auto a = std::make_shared<DensityArgs>();
         add_one_d(app, a->common, "trig/zero, trig/brownian, encoding-decoding/sinesquared");
         app->add_option("--times", a->times, "Times of the curves")->delimiter(',')->capture_default_str();
         return [a] { return run_densities(*a); };
       }},
      {"trajectories",
       "Figure B (SPEC 10.2): paths from one draw of rho0 by the ODE (eps 0) and SDEs, over the density",
       [](CLI::App* app) -> std::function<int()> {
         auto a = std::make_shared<TrajectoryArgs>();
         add_one_d(app, a->common, "trig/zero, trig/brownian, encoding-decoding/brownian");
         app->add_option("--eps", a->eps, "Noise levels, one row each (0: RK4 ODE)")
             ->delimiter(',')
             ->capture_default_str();
         app->add_option("--paths", a->paths, "Paths")->capture_default_str()->check(CLI::Range(1, 1000000));
         app->add_option("--steps", a->steps, "Steps on [0, 1]")->capture_default_str()->check(CLI::Range(1, 100000));
         app->add_option("--seed", a->seed, "Seed of the start draw and the noise")->capture_default_str();
         app->add_option("--times", a->times, "Times of the KS checks against rho_t")
             ->delimiter(',')
             ->capture_default_str();
         app->add_option("--highlight", a->highlight, "Highlighted paths")
             ->capture_default_str()
             ->check(CLI::Range(0, 5));
         app->add_option("--alpha", a->alpha, "Opacity of each faint path")
             ->capture_default_str()
             ->check(CLI::Range(0.0, 1.0));
         app->add_option("--csv-paths", a->csv_paths, "Paths per panel in the CSV")->capture_default_str();
         return [a] { return run_trajectories(*a); };
       }},
      {"linear-gamma",
       "Figure C (SPEC 10.3): linear interpolant, SDE and ODE with gamma > 0 and the ODE with gamma = 0, "
       "histograms over rho_t",
       [](CLI::App* app) -> std::function<int()> {
         auto a = std::make_shared<GammaArgs>();
         add_one_d(app, a->common, "linear/brownian; the third row takes its path with gamma zero");
         app->add_option("--eps", a->eps, "Noise level of the SDE row")->capture_default_str()->check(kPositive);
         app->add_option("--paths", a->paths, "Paths")->capture_default_str()->check(CLI::Range(1, 1000000));
         app->add_option("--steps", a->steps, "Steps on [0, 1]")->capture_default_str()->check(CLI::Range(1, 100000));
         app->add_option("--seed", a->seed, "Seed of the start draw and the noise")->capture_default_str();
         app->add_option("--times", a->times, "Times of the histograms")->delimiter(',')->capture_default_str();
         app->add_option("--bins", a->bins, "Histogram bins over the x range")
             ->capture_default_str()
             ->check(CLI::Range(1, 10000));
         app->add_option("--alpha", a->alpha, "Opacity of each faint path")
             ->capture_default_str()
             ->check(CLI::Range(0.0, 1.0));
         return [a] { return run_linear_gamma(*a); };
       }},
      {"gmm-likelihood",
       "Figure D (SPEC 10.4): target, SDE and ODE samples of a 2-D mixture, coloured by log-likelihood",
       [](CLI::App* app) -> std::function<int()> {
         auto a = std::make_shared<LikelihoodArgs>();
         auto& o = a->o;
         app->add_option("--dim", o.dim, "Dimension (the first two coordinates are drawn)")
             ->capture_default_str()
             ->check(CLI::Range(1, 4096));
         app->add_option("--base-components", o.components0, "Components of rho0")->capture_default_str();
         app->add_option("--components", o.components1, "Components of rho1")->capture_default_str();
         app->add_option("--mixture-seed", a->mixture_seed, "Seed of the random mixtures")->capture_default_str();
         app->add_option("--interpolant", a->interpolant, "Interpolant (path/gamma or JSON)")->capture_default_str();
         app->add_option("--n", o.n, "Samples per panel")->capture_default_str()->check(CLI::Range(1, 10000000));
         app->add_option("--eps", o.eps, "SDE noise level")->capture_default_str()->check(kPositive);
         app->add_option("--sde-steps", o.sde_steps, "SDE steps (sampling and likelihood)")->capture_default_str();
         app->add_option("--ode-steps", o.ode_steps, "RK4 steps of the ODE")->capture_default_str();
         app->add_option("--sde-paths", o.sde_paths, "SDE likelihood paths per point")->capture_default_str();
         app->add_option("--seed", a->seed, "Seed of the samples and the noise")->capture_default_str();
         app->add_option("--out,-o", a->out, "Output SVG")->required();
         app->add_option("--csv", a->csv, "Also write the points and their log-likelihoods");
         app->add_option("--title", a->title, "Figure title");
         return [a] { return run_gmm_likelihood(*a); };
       }},
      {"high-dim",
       "Figure E (SPEC 10.5): learn v and s between random mixtures in dimension d; KL through the ODE and SDE "
       "likelihoods and field errors during training",
       [](CLI::App* app) -> std::function<int()> {
         auto a = std::make_shared<HighDimArgs>();
         auto& o = a->o;
         app->add_option("--dim", o.dim, "Dimension d")->capture_default_str()->check(CLI::Range(1, 4096));
         app->add_option("--steps", o.steps, "Training steps")->capture_default_str()->check(CLI::Range(0, 100000000));
         app->add_option("--every", o.every, "A record every K steps (default: 12 intervals)");
         app->add_option("--batch", o.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 1000000));
         app->add_option("--hidden", o.hidden, "Hidden widths, e.g. 256,256,256")
             ->delimiter(',')
             ->capture_default_str();
         app->add_option("--activation", a->activation,
                         "Activation: " + join(activation_names(), " | ") + " (default silu)")
             ->check(CLI::IsMember(activation_names()));
         app->add_option("--lr", o.lr, "Adam learning rate (StepLR halves it every steps/3)")
             ->capture_default_str()
             ->check(kPositive);
         app->add_option("--seed", a->seed, "Seed of training and evaluation")->capture_default_str();
         app->add_option("--mixture-seed", a->mixture_seed, "Seed of the random mixtures")->capture_default_str();
         app->add_option("--base-components", o.components0, "Components of rho0")->capture_default_str();
         app->add_option("--components", o.components1, "Components of rho1")->capture_default_str();
         app->add_option("--interpolant", a->interpolant, "A two-sided interpolant (path/gamma or JSON)")
             ->capture_default_str();
         app->add_option("--kl-n", o.kl_points, "Held-out points of the KL")->capture_default_str();
         app->add_option("--ode-steps", o.ode_steps, "RK4 steps of the ODE likelihood")->capture_default_str();
         app->add_option("--sde-steps", o.sde_steps, "Heun steps of the SDE likelihood")->capture_default_str();
         app->add_option("--sde-paths", o.sde_paths, "SDE likelihood paths per point")->capture_default_str();
         app->add_option("--eps", o.eps, "SDE likelihood noise level")->capture_default_str()->check(kPositive);
         app->add_option("--divergence", a->divergence,
                         "exact | hutchinson | auto (exact up to d = 16: d tangents per evaluation)")
             ->capture_default_str()
             ->check(CLI::IsMember({"auto", "exact", "hutchinson"}));
         app->add_option("--probes", o.probes, "Hutchinson probes per point (ODE) or path (SDE)")
             ->capture_default_str()
             ->check(CLI::Range(1, 10000));
         app->add_option("--field-times", o.field_times, "Times of the field errors")->capture_default_str();
         app->add_option("--field-points", o.field_points, "Points per time of the field errors")
             ->capture_default_str();
         app->add_flag("--no-exact-reference", a->no_reference, "Skip the KLs of the exact fields");
         app->add_option("--out,-o", a->out, "Output SVG")->required();
         app->add_option("--csv", a->csv, "The records: a column per curve")->required();
         app->add_option("--title", a->title, "Figure title");
         return [a] { return run_high_dim(*a); };
       }},
  };
  for (auto& k : image_figure_kinds()) kinds.push_back({k.name, k.description, k.add});  // cli/images.cpp
  return kinds;
}

// The core names the JSON options ("heatTimes", "interpolants[0].alpha", "eps[1]") or an options
// struct's fields ("heat_times"); here they are the command's options ("--heat-times",
// "--interpolant.alpha", "--eps").
int with_option_names(const std::function<int()>& run) {
  try {
    return run();
  } catch (const ConfigError& e) {
    static const std::map<std::string, std::string> options = {
        {"x", "--xmin/--xmax"},  {"components0", "--base-components"}, {"components1", "--components"},
        {"kl_points", "--kl-n"}, {"check_times", "--times"},           {"interpolants", "--interpolant"}};
    const std::string& f = e.field();
    if (f.rfind("--", 0) == 0) throw;
    const size_t dot = f.find('.');
    std::string head = f.substr(0, dot), rest = dot == std::string::npos ? "" : f.substr(dot);
    if (head.find('[') != std::string::npos) head = head.substr(0, head.find('['));  // one flag per list
    for (const char* k : {"path", "gamma", "gamma_a", "alpha", "beta", "gamma_expr"})
      if (f == k) head = "interpolant", rest = std::string(".") + k;  // a formula or name of no valid interpolant
    if (!rest.empty() && head != "interpolants" && head != "interpolant") throw;
    std::string name = "--";
    for (char c : head) {
      if (std::isupper(static_cast<unsigned char>(c))) name += '-';
      name += c == '_' ? '-' : char(std::tolower(static_cast<unsigned char>(c)));
    }
    if (options.count(head)) name = options.at(head);
    if (name == "--interpolants") name = "--interpolant";
    throw ConfigError(name + rest, std::string(e.what()).substr(f.size() + 2));
  }
}

}  // namespace

Command add_figure(CLI::App& root) {
  CLI::App* app = root.add_subcommand("figure", "The papers' figures (SPEC section 10) as SVG and CSV");
  app->require_subcommand(1, 1);
  std::string kinds;
  auto runners = std::make_shared<std::vector<std::pair<CLI::App*, std::function<int()>>>>();
  for (const FigureKind& k : figure_kinds()) {
    CLI::App* sub = app->add_subcommand(k.name, k.description);
    runners->emplace_back(sub, [run = k.add(sub)] { return with_option_names(run); });
    kinds += "  si figure " + k.name + (k.name == "eps-grid" || k.name == "mirror" ? " --model M" : "") + " --out " +
             k.name + ".svg" + (k.name == "high-dim" ? " --csv e.csv" : "") + "\n";
  }
  app->footer("Defaults are the SPEC's parameters; options change them. Examples:\n" + kinds +
              "  si figure high-dim --dim 400 --steps 4000 --out e400.svg --csv e400.csv");
  return {app, [runners] {
            for (const auto& [sub, run] : *runners)
              if (sub->parsed()) return run();
            return int(kUsageError);
          }};
}

}  // namespace si::cli
