// si plot: pictures of samples against the target, trajectories, the learned density (from the
// ODE likelihood on a grid, beside the true one when known) and loss curves, as SVG files. 1-D data
// get histograms, (t, x) paths and density curves.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>

#include "common.hpp"
#include "png.hpp"
#include "sampler_args.hpp"
#include "si/datasets.hpp"
#include "svg.hpp"

namespace si::cli {

namespace {

const char* kModelColor = "#2563eb";
const char* kTargetColor = "#ea580c";
// Sample panels and curves; orange is kept for the target.
const std::vector<std::string> kPalette = {"#2563eb", "#16a34a", "#9333ea", "#0891b2", "#dc2626", "#ca8a04"};

std::string stem(const std::string& path) {
  std::string s = path.substr(path.find_last_of('/') + 1);
  const auto dot = s.find_last_of('.');
  return dot == std::string::npos ? s : s.substr(0, dot);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, size_t(q * double(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

// A square window holding most of the points (and all of the checkerboard).
void square_window(const std::vector<const MatD*>& sets, bool checker, double& cx, double& cy, double& half,
                   double tail = 0.005) {
  if (checker) {
    cx = cy = 0;
    half = 4.6;
    return;
  }
  std::vector<double> xs, ys;
  for (const MatD* m : sets)
    for (Eigen::Index j = 0; j < m->cols(); ++j) {
      xs.push_back((*m)(0, j));
      ys.push_back((*m)(1, j));
    }
  const double xl = quantile(xs, tail), xh = quantile(xs, 1 - tail), yl = quantile(ys, tail),
               yh = quantile(ys, 1 - tail);
  cx = (xl + xh) / 2;
  cy = (yl + yh) / 2;
  half = std::max({(xh - xl) / 2, (yh - yl) / 2, 1e-6}) * 1.12;
}

void checkerboard_background(Svg& svg, const Panel& p) {
  for (int i = -2; i < 2; ++i)
    for (int j = -2; j < 2; ++j)
      if (((i + j) % 2 + 2) % 2 == 0)
        svg.rect(p.px(2 * i), p.py(2 * j + 2), p.px(2 * i + 2) - p.px(2 * i), p.py(2 * j) - p.py(2 * j + 2), "#e8eef6");
}

void scatter(Svg& svg, const Panel& p, const MatD& x, const std::string& color, size_t max_points) {
  const Eigen::Index n = std::min<Eigen::Index>(x.cols(), Eigen::Index(max_points));
  const double r = std::clamp(2.2 * std::sqrt(2000.0 / double(std::max<Eigen::Index>(n, 1))), 0.7, 2.6);
  p.clip(svg);
  for (Eigen::Index j = 0; j < n; ++j) svg.circle(p.px(x(0, j)), p.py(x(1, j)), r, color, 0.45);
  svg.raw("</g>\n");
}

std::unique_ptr<Distribution> target_of(const std::string& model, const std::string& config) {
  if (!model.empty()) return load_model(model).config().make_target();
  if (!config.empty()) return load_config(config).make_target();
  return nullptr;
}

// ---- 1-D data: histograms, (t, x) paths and density curves ----

// An x range holding the middle 99.8% of every set, with a margin.
void range_1d(const std::vector<const MatD*>& sets, double& lo, double& hi) {
  std::vector<double> v;
  for (const MatD* m : sets) v.insert(v.end(), m->data(), m->data() + m->size());
  lo = quantile(v, 0.001);
  hi = quantile(v, 0.999);
  const double pad = std::max(1e-6, 0.08 * (hi - lo));
  lo -= pad;
  hi += pad;
}

// The density of dist on n points over [lo, hi] (dist must have a known density).
std::vector<std::pair<double, double>> density_curve(const Distribution& dist, double lo, double hi, int n) {
  const MatD x = VecD::LinSpaced(n, lo, hi).transpose();
  const VecD p = dist.log_density(x).array().exp();
  std::vector<std::pair<double, double>> out;
  for (int j = 0; j < n; ++j) out.emplace_back(x(0, j), p(j));
  return out;
}

void curve(Svg& svg, const Panel& p, const std::vector<std::pair<double, double>>& xy, const std::string& color,
           const std::string& extra = "stroke-linejoin=\"round\"") {
  std::vector<std::pair<double, double>> px;
  for (const auto& [x, y] : xy) px.emplace_back(p.px(x), p.py(std::min(y, p.y1)));
  svg.polyline(px, color, 1.8, 1.0, extra);
}

// Histogram panels of 1-D sample files, each over the target's density when it is known.
int samples_1d(const std::vector<MatD>& sets, const std::vector<std::string>& names, const Distribution* target,
               const std::string& out, const std::string& fig_title) {
  std::vector<const MatD*> ptrs;
  for (const auto& s : sets) ptrs.push_back(&s);
  double lo, hi;
  range_1d(ptrs, lo, hi);
  const int bins = 60;
  const double width_bin = (hi - lo) / bins;
  std::vector<VecD> hist;
  double ymax = 0;
  for (const MatD& s : sets) {
    VecD h = VecD::Zero(bins);
    for (Eigen::Index j = 0; j < s.cols(); ++j) {
      const double u = (s(0, j) - lo) / width_bin;
      if (u >= 0 && u < bins) h(Eigen::Index(u)) += 1;
    }
    h /= double(s.cols()) * width_bin;
    ymax = std::max(ymax, h.maxCoeff());
    hist.push_back(h);
  }
  std::vector<std::pair<double, double>> truth;
  if (target && target->has_log_density()) {
    truth = density_curve(*target, lo, hi, 300);
    for (const auto& [x, y] : truth) ymax = std::max(ymax, y);
  }
  const double pw = 380, ph = 260, gap = 60, left = 60, top = fig_title.empty() ? 50 : 80;
  const double width = left + sets.size() * pw + (sets.size() - 1) * gap + 30;
  Svg svg(width, top + ph + 50);
  if (!fig_title.empty()) svg.text(width / 2, 30, fig_title, 17, "middle", "#0f172a", "font-weight=\"600\"");
  for (size_t i = 0; i < sets.size(); ++i) {
    Panel p{left + i * (pw + gap), top, pw, ph, lo, hi, 0, 1.1 * ymax};
    svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
    p.axes(svg, names[i] + ", n = " + std::to_string(sets[i].cols()), "x", "", false);
    p.clip(svg);
    const bool is_target = target && i + 1 == sets.size();
    for (int b = 0; b < bins; ++b) {
      const double x0 = lo + b * width_bin, top_y = p.py(hist[i](b));
      svg.rect(p.px(x0), top_y, p.px(x0 + width_bin) - p.px(x0), p.y + p.h - top_y, is_target ? "#fdba74" : "#93c5fd");
    }
    if (!truth.empty()) curve(svg, p, truth, kTargetColor);
    svg.raw("</g>\n");
  }
  write_text_file(out, svg.str(), "--out");
  std::cerr << "wrote " << out << "\n";
  return kOk;
}

// Paths of a 1-D trajectory file (path,frame,t,x0) as lines over (t, x).
int trajectories_1d(const CsvTable& t, size_t cp, size_t ct, size_t cx, long max_paths, const std::string& file,
                    const std::string& out, const std::string& fig_title) {
  std::map<long, std::vector<std::pair<double, double>>> paths;
  double tlo = 1e300, thi = -1e300;
  std::vector<double> xs;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    try {
      const long p = std::stol(row.at(cp));
      const double tt = std::stod(row.at(ct)), x = std::stod(row.at(cx));
      paths[p].emplace_back(tt, x);
      tlo = std::min(tlo, tt);
      thi = std::max(thi, tt);
      xs.push_back(x);
    } catch (const std::exception&) {
      throw ConfigError("--trajectories", "'" + file + "' row " + std::to_string(r + 2) + ": not numbers");
    }
  }
  if (paths.empty() || !(thi > tlo))
    throw ConfigError("--trajectories", "'" + file + "' needs at least 2 frames of at least 1 path");
  double lo = quantile(xs, 0.0005), hi = quantile(xs, 0.9995);
  const double pad = std::max(1e-6, 0.06 * (hi - lo));
  const double top = fig_title.empty() ? 50 : 80;
  Svg svg(60 + 760 + 30, top + 400 + 80);
  if (!fig_title.empty()) svg.text(425, 30, fig_title, 17, "middle", "#0f172a", "font-weight=\"600\"");
  Panel p{60, top, 760, 400, std::min(tlo, thi), std::max(tlo, thi), lo - pad, hi + pad};
  svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
  p.axes(svg, "paths x(t) (" + std::to_string(std::min<long>(max_paths, long(paths.size()))) + ")", "t", "x");
  p.clip(svg);
  long drawn = 0;
  for (auto& [id, pts] : paths) {
    if (drawn++ >= max_paths) break;
    std::sort(pts.begin(), pts.end());
    std::vector<std::pair<double, double>> px;
    for (const auto& [tt, x] : pts) px.emplace_back(p.px(tt), p.py(x));
    svg.polyline(px, "#475569", 0.8, 0.35, "stroke-linejoin=\"round\"");
    svg.circle(px.front().first, px.front().second, 1.8, kModelColor, 0.8);
    svg.circle(px.back().first, px.back().second, 1.8, kTargetColor, 0.9);
  }
  svg.raw("</g>\n");
  write_text_file(out, svg.str(), "--out");
  std::cerr << "wrote " << out << "\n";
  return kOk;
}

// ---- samples ----

struct SamplesOptions {
  std::vector<std::string> samples, labels;
  std::string model, config, out = "samples.svg", title;
  long max_points = 5000;
  long long seed = 1;
};

int run_samples(const SamplesOptions& o) {
  if (!o.labels.empty() && o.labels.size() != o.samples.size())
    throw ConfigError("--label", "give one label per --samples file (" + std::to_string(o.samples.size()) + ")");
  std::vector<MatD> sets;
  std::vector<std::string> names;
  for (size_t i = 0; i < o.samples.size(); ++i) {
    sets.push_back(read_points_csv(o.samples[i], "--samples"));
    const Eigen::Index d = sets.back().rows(), d0 = sets.front().rows();
    if ((d != 1 && d != 2) || d != d0)
      throw ConfigError("--samples", "'" + o.samples[i] + "' has " + std::to_string(d) +
                                         " columns; plots are of 1-D or 2-D points, all of one dimension");
    names.push_back(o.labels.empty() ? stem(o.samples[i]) : o.labels[i]);
  }
  check_writable(o.out, "--out");
  const auto target = target_of(o.model, o.config);
  if (sets.front().rows() == 1) {
    if (target) {
      if (target->dim() != 1) throw ConfigError("--model", "the target is not 1-D like the samples");
      Rng rng(std::uint64_t(o.seed));
      sets.push_back(target->sample(std::min<long>(o.max_points, long(sets[0].cols())), rng));
      names.push_back("target (" + target->name() + ")");
    }
    return samples_1d(sets, names, target.get(), o.out, o.title);
  }
  bool checker = false;
  if (target) {
    if (target->dim() != 2) throw ConfigError("--model", "the target is not 2-D");
    Rng rng(std::uint64_t(o.seed));
    sets.push_back(target->sample(std::min<long>(o.max_points, long(sets[0].cols())), rng));
    names.push_back("target (" + target->name() + ")");
    checker = target->name() == "checkerboard";
  }
  double cx, cy, half;
  std::vector<const MatD*> ptrs;
  for (const auto& s : sets) ptrs.push_back(&s);
  square_window(ptrs, checker, cx, cy, half);
  const double side = 380, gap = 70, left = 60, top = o.title.empty() ? 50 : 80;
  const double width = left + sets.size() * side + (sets.size() - 1) * gap + 30;
  Svg svg(width, top + side + 50);
  if (!o.title.empty()) svg.text(width / 2, 30, o.title, 17, "middle", "#0f172a", "font-weight=\"600\"");
  for (size_t i = 0; i < sets.size(); ++i) {
    Panel p{left + i * (side + gap), top, side, side, cx - half, cx + half, cy - half, cy + half};
    std::string title = names[i] + ", n = " + std::to_string(std::min<long>(long(sets[i].cols()), o.max_points));
    if (checker) {
      char buf[64];
      std::snprintf(buf, sizeof buf, ", %.1f%% on support", 100 * checkerboard_support_share(sets[i]));
      title += buf;
    }
    svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
    if (checker) checkerboard_background(svg, p);
    p.axes(svg, title, "", "", !checker);
    const bool is_target = target && i + 1 == sets.size();
    scatter(svg, p, sets[i], is_target ? kTargetColor : kPalette[i % kPalette.size()], size_t(o.max_points));
  }
  write_text_file(o.out, svg.str(), "--out");
  std::cerr << "wrote " << o.out << "\n";
  return kOk;
}

// ---- trajectories ----

struct TrajOptions {
  std::string trajectories, out = "trajectories.svg", title;
  long paths = 300;
};

int run_trajectories(const TrajOptions& o) {
  const CsvTable t = read_csv_table(o.trajectories, "--trajectories");
  auto col = [&](const std::string& name) -> size_t {
    for (size_t i = 0; i < t.header.size(); ++i)
      if (t.header[i] == name) return i;
    throw ConfigError("--trajectories", "'" + o.trajectories + "' has no column '" + name +
                                            "' (expected the header path,frame,t,x,y of si sample --trajectories)");
  };
  const bool one_d = std::find(t.header.begin(), t.header.end(), "x0") != t.header.end() &&
                     std::find(t.header.begin(), t.header.end(), "x1") == t.header.end();
  if (one_d) {
    check_writable(o.out, "--out");
    return trajectories_1d(t, col("path"), col("t"), col("x0"), o.paths, o.trajectories, o.out, o.title);
  }
  const size_t cp = col("path"), cf = col("frame"), ct = col("t"), cx = col("x"), cy = col("y");
  check_writable(o.out, "--out");
  std::map<long, std::vector<std::pair<double, double>>> paths;  // path -> points in frame order
  std::map<long, double> frame_t;
  std::map<long, std::vector<std::pair<double, double>>> frames;  // frame -> points
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    if (row.size() != t.header.size())
      throw ConfigError("--trajectories", "'" + o.trajectories + "' row " + std::to_string(r + 2) + " has " +
                                              std::to_string(row.size()) + " cells, expected " +
                                              std::to_string(t.header.size()));
    try {
      const long p = std::stol(row[cp]), f = std::stol(row[cf]);
      const double x = std::stod(row[cx]), y = std::stod(row[cy]);
      paths[p].emplace_back(x, y);
      frames[f].emplace_back(x, y);
      frame_t[f] = std::stod(row[ct]);
    } catch (const std::exception&) {
      throw ConfigError("--trajectories", "'" + o.trajectories + "' row " + std::to_string(r + 2) + ": not numbers");
    }
  }
  if (paths.empty() || frames.size() < 2)
    throw ConfigError("--trajectories", "'" + o.trajectories + "' needs at least 2 frames of at least 1 path");
  // The window holds (nearly) every start and end point; the paths run between them.
  MatD ends(2, 0);
  for (const long f : {frames.begin()->first, frames.rbegin()->first}) {
    const auto& pts = frames[f];
    const Eigen::Index at = ends.cols();
    ends.conservativeResize(2, at + Eigen::Index(pts.size()));
    for (size_t j = 0; j < pts.size(); ++j) ends.col(at + Eigen::Index(j)) << pts[j].first, pts[j].second;
  }
  double cx0, cy0, half;
  square_window({&ends}, false, cx0, cy0, half, 0.001);
  const double top = o.title.empty() ? 50 : 80, big = 460, small = 195, gap = 70;
  const double width = 60 + big + gap + 2 * small + 55 + 30;
  Svg svg(width, top + big + 50);
  if (!o.title.empty()) svg.text(width / 2, 30, o.title, 17, "middle", "#0f172a", "font-weight=\"600\"");
  Panel main{60, top, big, big, cx0 - half, cx0 + half, cy0 - half, cy0 + half};
  svg.rect(main.x, main.y, main.w, main.h, "#fbfcfe");
  main.axes(svg, "paths (" + std::to_string(std::min<long>(o.paths, long(paths.size()))) + ")");
  main.clip(svg);
  long drawn = 0;
  for (const auto& [id, pts] : paths) {
    if (drawn++ >= o.paths) break;
    std::vector<std::pair<double, double>> px;
    for (const auto& [x, y] : pts) px.emplace_back(main.px(x), main.py(y));
    svg.polyline(px, "#475569", 0.8, 0.35, "stroke-linejoin=\"round\"");
  }
  drawn = 0;
  for (const auto& [id, pts] : paths) {
    if (drawn++ >= o.paths) break;
    svg.circle(main.px(pts.front().first), main.py(pts.front().second), 1.8, kModelColor, 0.8);
    svg.circle(main.px(pts.back().first), main.py(pts.back().second), 1.8, kTargetColor, 0.9);
  }
  svg.raw("</g>\n");
  svg.circle(main.x + 10, main.y + main.h + 30, 4, kModelColor);
  svg.text(main.x + 18, main.y + main.h + 34, "start", 12);
  svg.circle(main.x + 70, main.y + main.h + 30, 4, kTargetColor);
  svg.text(main.x + 78, main.y + main.h + 34, "end", 12);
  // Four snapshots at about t0, 1/3, 2/3 and t1 of the frames.
  std::vector<long> ids;
  for (const auto& kv : frames) ids.push_back(kv.first);
  for (int k = 0; k < 4; ++k) {
    const long f = ids[size_t(std::lround(k * (ids.size() - 1) / 3.0))];
    const MatD pts = [&] {
      MatD m(2, Eigen::Index(frames[f].size()));
      for (size_t j = 0; j < frames[f].size(); ++j) m.col(Eigen::Index(j)) << frames[f][j].first, frames[f][j].second;
      return m;
    }();
    Panel p{60 + big + gap + (k % 2) * (small + 55),
            top + (k / 2) * (small + 70),
            small,
            small,
            cx0 - half,
            cx0 + half,
            cy0 - half,
            cy0 + half};
    char title[64];
    std::snprintf(title, sizeof title, "t = %.3g", frame_t[f]);
    svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
    p.axes(svg, title);
    scatter(svg, p, pts, viridis(k / 3.0 * 0.85).hex(), 5000);
  }
  write_text_file(o.out, svg.str(), "--out");
  std::cerr << "wrote " << o.out << "\n";
  return kOk;
}

// ---- density ----

struct DensityOptions {
  std::string model, out = "density.svg", title;
  int grid = 100;
  double range = 0;
  OdeArgs ode;
};

std::string heatmap_png(const VecD& p, int g, double vmax) {
  std::vector<std::uint8_t> rgb(size_t(g) * g * 3);
  for (int row = 0; row < g; ++row)
    for (int c = 0; c < g; ++c) {
      const int iy = g - 1 - row;  // PNG rows run from the top, y upwards
      const Rgb col = viridis(p(iy * g + c) / vmax);
      const size_t at = (size_t(row) * g + c) * 3;
      rgb[at] = col.r;
      rgb[at + 1] = col.g;
      rgb[at + 2] = col.b;
    }
  return encode_png_rgb(g, g, rgb);
}

// The model's density curve (backward ODE likelihood on a grid) beside the true one when known.
int density_1d(const Model& model, const DensityOptions& o) {
  double lo, hi;
  if (o.range > 0) {
    lo = -o.range;
    hi = o.range;
  } else {
    Rng rng(1);
    const MatD y = model.target().sample(4000, rng);
    range_1d({&y}, lo, hi);
  }
  const int g = std::max(o.grid, 200);
  const MatF pts = VecF::LinSpaced(g, float(lo), float(hi)).transpose();
  OdeSamplerOptions ode = ode_options(model, o.ode, "rk4", 100);
  std::cerr << "density: log-likelihood of " << g << " grid points by the backward " << describe(ode) << " ...\n";
  const VecD p = ode_log_likelihood<float>(model, model.initial(), pts, ode).logp.array().exp();
  std::vector<std::pair<double, double>> learned, truth;
  for (int j = 0; j < g; ++j) learned.emplace_back(pts(0, j), p(j));
  double ymax = p.maxCoeff();
  if (model.target().has_log_density()) {
    truth = density_curve(model.target(), lo, hi, g);
    for (const auto& [x, y] : truth) ymax = std::max(ymax, y);
  }
  const double top = o.title.empty() ? 50 : 80;
  Svg svg(60 + 640 + 30, top + 380 + 60);
  if (!o.title.empty()) svg.text(365, 30, o.title, 17, "middle", "#0f172a", "font-weight=\"600\"");
  Panel pn{60, top, 640, 380, lo, hi, 0, 1.1 * ymax};
  svg.rect(pn.x, pn.y, pn.w, pn.h, "#fbfcfe");
  pn.axes(svg, "model density (" + to_name(ode.method) + " likelihood)" + (truth.empty() ? "" : " and the true one"),
          "x", "p(x)");
  pn.clip(svg);
  if (!truth.empty()) curve(svg, pn, truth, kTargetColor, "stroke-dasharray=\"6 4\"");
  curve(svg, pn, learned, kModelColor);
  svg.raw("</g>\n");
  write_text_file(o.out, svg.str(), "--out");
  std::cerr << "wrote " << o.out << "\n";
  return kOk;
}

int run_density(const DensityOptions& o) {
  const Model model = load_model(o.model);
  if (model.dim() != 1 && model.dim() != 2) throw ConfigError("--model", "density plots are of 1-D and 2-D models");
  check_writable(o.out, "--out");
  const Distribution& start = model.initial();
  if (!start.has_log_density())
    throw ConfigError("--model",
                      "the likelihood needs a start distribution with a known density, got '" + start.name() + "'");
  if (model.dim() == 1) return density_1d(model, o);
  const bool checker = model.target().name() == "checkerboard";
  double half = o.range;
  double cx = 0, cy = 0;
  if (half <= 0) {
    Rng rng(1);
    const MatD y = model.target().sample(4000, rng);
    square_window({&y}, checker, cx, cy, half);
  }
  const int g = o.grid;
  MatF pts(2, g * g);
  for (int iy = 0; iy < g; ++iy)
    for (int ix = 0; ix < g; ++ix)
      pts.col(iy * g + ix) << float(cx - half + (ix + 0.5) * 2 * half / g),
          float(cy - half + (iy + 0.5) * 2 * half / g);
  OdeSamplerOptions ode = ode_options(model, o.ode, "rk4", 100);
  std::cerr << "density: log-likelihood of " << g * g << " grid points by the backward " << describe(ode) << " ...\n";
  const VecD logp = ode_log_likelihood<float>(model, start, pts, ode).logp;
  const VecD p = logp.array().exp();

  const bool truth = model.target().has_log_density();
  VecD q;
  if (truth) q = model.target().log_density(pts.cast<double>()).array().exp();
  std::vector<double> pv(p.data(), p.data() + p.size());
  // One colour scale for both panels; a model that over-concentrates saturates only its top 1%.
  double vmax = std::max(truth ? q.maxCoeff() * 1.15 : 0.0, quantile(pv, 0.99));
  if (!(vmax > 0) || !std::isfinite(vmax)) vmax = std::max(1e-12, p.maxCoeff());

  const double side = 400, gap = 70, top = o.title.empty() ? 50 : 80;
  const int panels = truth ? 2 : 1;
  const double width = 60 + panels * side + (panels - 1) * gap + 110;
  Svg svg(width, top + side + 50);
  if (!o.title.empty()) svg.text(width / 2, 30, o.title, 17, "middle", "#0f172a", "font-weight=\"600\"");
  for (int k = 0; k < panels; ++k) {
    Panel pn{60 + k * (side + gap), top, side, side, cx - half, cx + half, cy - half, cy + half};
    svg.png(pn.x, pn.y, pn.w, pn.h, heatmap_png(k == 0 ? p : q, g, vmax));
    pn.axes(svg,
            k == 0 ? "model density (" + to_name(ode.method) + " likelihood)"
                   : "true density (" + model.target().name() + ")",
            "", "", false);
  }
  colour_bar(svg, 60 + panels * side + (panels - 1) * gap + 25, top, 16, side, 0, vmax, "p(x)");
  write_text_file(o.out, svg.str(), "--out");
  std::cerr << "wrote " << o.out << "\n";
  return kOk;
}

// ---- loss ----

struct LossOptions {
  std::vector<std::string> logs, labels;
  std::string out = "loss.svg", title;
};

int run_loss(const LossOptions& o) {
  if (!o.labels.empty() && o.labels.size() != o.logs.size())
    throw ConfigError("--label", "give one label per --log file (" + std::to_string(o.logs.size()) + ")");
  struct Run {
    std::string name;
    std::vector<double> step, lr;
    std::map<std::string, std::vector<double>> loss;
  };
  std::vector<Run> runs;
  std::vector<std::string> columns;  // loss columns in first-seen order
  for (size_t i = 0; i < o.logs.size(); ++i) {
    const CsvTable t = read_csv_table(o.logs[i], "--log");
    Run run;
    run.name = o.labels.empty() ? stem(o.logs[i]) : o.labels[i];
    long cs = -1, cl = -1;
    for (size_t c = 0; c < t.header.size(); ++c) {
      if (t.header[c] == "step") cs = long(c);
      if (t.header[c] == "lr") cl = long(c);
      if (t.header[c].rfind("loss_", 0) == 0 && std::find(columns.begin(), columns.end(), t.header[c]) == columns.end())
        columns.push_back(t.header[c]);
    }
    if (cs < 0 || t.rows.empty())
      throw ConfigError("--log",
                        "'" + o.logs[i] + "' is not a loss log of si train --log (needs a step column and rows)");
    for (size_t r = 0; r < t.rows.size(); ++r) {
      const auto& row = t.rows[r];
      if (row.size() != t.header.size())
        throw ConfigError("--log",
                          "'" + o.logs[i] + "' row " + std::to_string(r + 2) + " has the wrong number of cells");
      try {
        run.step.push_back(std::stod(row[size_t(cs)]));
        if (cl >= 0) run.lr.push_back(std::stod(row[size_t(cl)]));
        for (size_t c = 0; c < t.header.size(); ++c)
          if (t.header[c].rfind("loss_", 0) == 0) run.loss[t.header[c]].push_back(std::stod(row[c]));
      } catch (const std::exception&) {
        throw ConfigError("--log", "'" + o.logs[i] + "' row " + std::to_string(r + 2) + ": not numbers");
      }
    }
    runs.push_back(std::move(run));
  }
  if (columns.empty()) throw ConfigError("--log", "no loss_* columns found");
  check_writable(o.out, "--out");
  const double pw = 440, ph = 300, gap = 90, top = o.title.empty() ? 50 : 80;
  const double width = 80 + columns.size() * pw + (columns.size() - 1) * gap + 30;
  Svg svg(width, top + ph + 60 + (runs.size() > 1 ? 20 : 0));
  if (!o.title.empty()) svg.text(width / 2, 30, o.title, 17, "middle", "#0f172a", "font-weight=\"600\"");
  for (size_t c = 0; c < columns.size(); ++c) {
    double xmax = 0;
    std::vector<double> all;
    for (const Run& r : runs)
      if (r.loss.count(columns[c])) {
        xmax = std::max(xmax, r.step.back());
        const auto& v = r.loss.at(columns[c]);
        all.insert(all.end(), v.begin() + long(v.size() / 50), v.end());  // skip the first transient
      }
    double lo = quantile(all, 0.01), hi = quantile(all, 0.995);
    const double pad = std::max(1e-9, (hi - lo) * 0.08);
    lo -= pad;
    hi += pad;
    Panel p{80 + c * (pw + gap), top, pw, ph, 0, std::max(1.0, xmax), lo, hi};
    svg.rect(p.x, p.y, p.w, p.h, "#fbfcfe");
    p.axes(svg, "loss " + columns[c].substr(5), "step", "loss");
    p.clip(svg);
    // Learning-rate drops of the first run as dashed lines.
    const Run& r0 = runs[0];
    for (size_t k = 1; k < r0.lr.size(); ++k)
      if (r0.lr[k] != r0.lr[k - 1])
        svg.line(p.px(r0.step[k]), p.y, p.px(r0.step[k]), p.y + p.h, "#cbd5e1", 1, "stroke-dasharray=\"4 3\"");
    for (size_t i = 0; i < runs.size(); ++i) {
      const Run& r = runs[i];
      if (!r.loss.count(columns[c])) continue;
      const auto& v = r.loss.at(columns[c]);
      const std::string color = kPalette[i % kPalette.size()];
      std::vector<std::pair<double, double>> raw, smooth;
      const double a = 2.0 / (1.0 + std::max<double>(1.0, double(v.size()) / 40.0));
      double ema = v[0];
      for (size_t k = 0; k < v.size(); ++k) {
        ema = k == 0 ? v[0] : ema + a * (v[k] - ema);
        raw.emplace_back(p.px(r.step[k]), p.py(v[k]));
        smooth.emplace_back(p.px(r.step[k]), p.py(ema));
      }
      svg.polyline(raw, color, 0.8, 0.25);
      svg.polyline(smooth, color, 2.0, 1.0, "stroke-linejoin=\"round\"");
    }
    svg.raw("</g>\n");
  }
  if (runs.size() > 1)
    for (size_t i = 0; i < runs.size(); ++i) {
      const double lx = 80 + i * 160, ly = top + ph + 58;
      svg.line(lx, ly - 4, lx + 22, ly - 4, kPalette[i % kPalette.size()], 3);
      svg.text(lx + 28, ly, runs[i].name, 12);
    }
  write_text_file(o.out, svg.str(), "--out");
  std::cerr << "wrote " << o.out << "\n";
  return kOk;
}

}  // namespace

Command add_plot(CLI::App& root) {
  CLI::App* app = root.add_subcommand("plot", "Draw SVG pictures: samples vs target, trajectories, density, losses");
  app->require_subcommand(1, 1);
  app->footer(
      "Examples:\n"
      "  si plot samples --samples ode.csv --samples sde.csv --model model.json --out samples.svg\n"
      "  si plot trajectories --trajectories traj.csv --out trajectories.svg\n"
      "  si plot density --model model.json --grid 120 --out density.svg\n"
      "  si plot loss --log losses.csv --out loss.svg");

  auto so = std::make_shared<SamplesOptions>();
  CLI::App* s = app->add_subcommand("samples", "Scatter plots of sample files beside the model's target");
  s->add_option("--samples,-s", so->samples, "Sample CSV (si sample); repeat for more panels")->required();
  s->add_option("--label", so->labels, "Panel title per --samples file (default: the file name)");
  s->add_option("--model,-m", so->model, "Draw the target of this model in a last panel");
  s->add_option("--config,-c", so->config, "... or the target of this config");
  s->add_option("--max-points", so->max_points, "Points drawn per panel")->capture_default_str()->check(kPositive);
  s->add_option("--seed", so->seed, "Seed of the target samples")->capture_default_str()->check(kSeed);
  s->add_option("--title", so->title, "Figure title");
  s->add_option("--out,-o", so->out, "Output SVG")->capture_default_str();

  auto to = std::make_shared<TrajOptions>();
  CLI::App* t = app->add_subcommand("trajectories", "Paths and snapshots from si sample --trajectories");
  t->add_option("--trajectories,-t", to->trajectories, "Trajectory CSV (path,frame,t,x,y)")->required();
  t->add_option("--paths", to->paths, "Paths drawn")->capture_default_str()->check(kPositive);
  t->add_option("--title", to->title, "Figure title");
  t->add_option("--out,-o", to->out, "Output SVG")->capture_default_str();

  auto d = std::make_shared<DensityOptions>();
  CLI::App* dn = app->add_subcommand("density", "Heatmap of the model's density (ODE likelihood on a grid)");
  dn->add_option("--model,-m", d->model, "Model file")->required();
  dn->add_option("--grid", d->grid, "Grid cells per side")->capture_default_str()->check(in_range(4, 1000));
  dn->add_option("--range", d->range, "Half-width of the square window (default: from the target)")->check(kPositive);
  add_ode_args(dn, d->ode, "--steps", "rk4 with 100 steps");
  dn->add_option("--title", d->title, "Figure title");
  dn->add_option("--out,-o", d->out, "Output SVG")->capture_default_str();

  auto l = std::make_shared<LossOptions>();
  CLI::App* ls = app->add_subcommand("loss", "Loss curves from si train --log (raw and smoothed)");
  ls->add_option("--log,-l", l->logs, "Loss CSV; repeat to compare runs")->required();
  ls->add_option("--label", l->labels, "Legend entry per --log file (default: the file name)");
  ls->add_option("--title", l->title, "Figure title");
  ls->add_option("--out,-o", l->out, "Output SVG")->capture_default_str();

  return {app, [=] {
            if (s->parsed()) return run_samples(*so);
            if (t->parsed()) return run_trajectories(*to);
            if (dn->parsed()) return run_density(*d);
            return run_loss(*l);
          }};
}

}  // namespace si::cli
