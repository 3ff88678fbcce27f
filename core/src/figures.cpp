#include "si/figures.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "si/json_reader.hpp"
#include "si/limits.hpp"
#include "si/metrics.hpp"
#include "si/sampling.hpp"
#include "si/session.hpp"

namespace si {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v) { return format_number(v); }

GaussianMixture mixture_1d(std::vector<double> w, std::vector<double> m, std::vector<double> v,
                           const std::string& field) {
  std::vector<VecD> means;
  std::vector<MatD> covs;
  for (size_t i = 0; i < m.size(); ++i) {
    means.push_back(VecD::Constant(1, m[i]));
    covs.push_back(MatD::Constant(1, 1, v[i]));
  }
  return GaussianMixture(std::move(w), std::move(means), std::move(covs), field);
}

// Splits at the commas or pluses outside parentheses.
std::vector<std::pair<size_t, std::string>> split_top(const std::string& s, char sep) {
  std::vector<std::pair<size_t, std::string>> out;
  int depth = 0;
  size_t from = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    const char c = i < s.size() ? s[i] : sep;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    // "1e+3": a plus after an exponent's e belongs to the number.
    const bool exponent = sep == '+' && i > 0 && (s[i - 1] == 'e' || s[i - 1] == 'E') && i > 1 &&
                          std::isdigit(static_cast<unsigned char>(s[i - 2]));
    if ((c == sep && depth == 0 && !exponent) || i == s.size()) {
      out.emplace_back(from, s.substr(from, i - from));
      from = i + 1;
    }
  }
  return out;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

double constant(const std::string& text, const std::string& field, const std::string& what) {
  const double v = Formula::parse(text, field + " (" + what + ")")(0.0);
  if (!std::isfinite(v)) throw ConfigError(field, what + " '" + text + "' is not a finite number");
  return v;
}

}  // namespace

GaussianMixture paper_rho0_1d() { return mixture_1d({0.5, 0.5}, {-3, 3}, {0.25, 0.25}, "rho0"); }
GaussianMixture paper_rho1_1d() {
  return mixture_1d({1.0 / 3, 1.0 / 3, 1.0 / 3}, {-6, 0, 6}, {0.5, 0.33, 0.5}, "rho1");
}

GaussianMixture mixture_from_text(const std::string& text_in, const std::string& field) {
  const std::string text = trim(text_in);
  if (text.empty()) throw ConfigError(field, "empty; e.g. \"1/2 N(-3, 0.25) + 1/2 N(3, 0.25)\"");
  if (text.front() == '{') {
    json j;
    try {
      j = json::parse(text);
    } catch (const json::parse_error& e) {
      throw ConfigError(field, "not valid JSON: " + std::string(e.what()));
    }
    const auto dist = make_distribution(j, field);
    if (!dist->as_mixture()) throw ConfigError(field, "'" + dist->name() + "' is not a Gaussian mixture");
    return *dist->as_mixture();
  }
  std::vector<double> w, m, v;
  for (const auto& [at, raw] : split_top(text, '+')) {
    const std::string term = trim(raw);
    const std::string where = "term '" + term + "' (at position " + std::to_string(at + 1) + ")";
    const size_t n = term.find("N(");
    if (n == std::string::npos || term.back() != ')')
      throw ConfigError(field, where + ": expected [weight] N(mean, variance), e.g. 1/2 N(-3, 0.25)");
    std::string weight = trim(term.substr(0, n));
    if (!weight.empty() && weight.back() == '*') weight = trim(weight.substr(0, weight.size() - 1));
    const auto args = split_top(term.substr(n + 2, term.size() - n - 3), ',');
    if (args.size() != 2) throw ConfigError(field, where + ": N(...) takes a mean and a variance");
    w.push_back(weight.empty() ? kNaN : constant(weight, field, "weight"));
    m.push_back(constant(args[0].second, field, "mean"));
    v.push_back(constant(args[1].second, field, "variance"));
    if (!(v.back() > 0)) throw ConfigError(field, where + ": the variance must be positive");
  }
  const size_t unweighted = size_t(std::count_if(w.begin(), w.end(), [](double x) { return std::isnan(x); }));
  if (unweighted == w.size())
    std::fill(w.begin(), w.end(), 1.0 / double(w.size()));
  else if (unweighted > 0)
    throw ConfigError(field, "give every component a weight, or none (equal weights)");
  return mixture_1d(std::move(w), std::move(m), std::move(v), field);
}

std::string mixture_label(const GaussianMixture& g) {
  if (g.dim() != 1)
    return g.name() + " (" + std::to_string(g.components()) + " components, d = " + std::to_string(g.dim()) + ")";
  std::string out;
  for (int i = 0; i < g.components(); ++i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%.3g N(%.3g, %.3g)", i ? " + " : "", g.weights()[i], g.means()[i](0),
                  g.covs()[i](0, 0));
    out += buf;
  }
  return out;
}

GaussianMixture paper_random_mixture(int dim, int components, std::uint64_t seed) {
  if (dim < 1) throw ConfigError("dim", "must be >= 1, got " + std::to_string(dim));
  if (components < 1) throw ConfigError("components", "must be >= 1, got " + std::to_string(components));
  Rng rng(seed);
  std::vector<VecD> means;
  std::vector<MatD> covs;
  for (int k = 0; k < components; ++k) means.push_back(3.0 * rng.normal_matrix<double>(dim, 1));
  for (int k = 0; k < components; ++k) {
    const MatD c = rng.normal_matrix<double>(dim, dim);
    covs.push_back(c.transpose() * c + 0.5 * MatD::Identity(dim, dim));
  }
  GaussianMixture g(std::vector<double>(size_t(components), 1.0 / components), std::move(means), std::move(covs),
                    "paper-gmm");
  g.set_name("paper-gmm");
  return g;
}

namespace {

const DatasetRegistration kPaperGmm{
    {"paper-gmm", "the unifying paper's random mixture: means 3 N(0, I), covariances C^T C + 0.5 I", 0, true, true,
     [](JsonReader& spec) -> std::unique_ptr<Distribution> {
       const int k = static_cast<int>(spec.integer("components", 3, 1, limits::kMaxComponents));
       const int d = static_cast<int>(spec.integer("dim", 2, 1, limits::kMaxDim));
       const auto seed = spec.integer("seed", 0, 0, limits::kMaxSeed);
       limits::check_random_mixture(k, d, spec.path());  // before drawing anything
       return std::make_unique<GaussianMixture>(paper_random_mixture(d, k, std::uint64_t(seed)));
     }}};

}  // namespace

GaussianMixture marginal_mixture(const GmmFields& f, double t) {
  const Coefficients c = f.interpolant().at(t);
  const GaussianMixture &r0 = f.rho0(), &r1 = f.rho1();
  const int d = f.dim();
  std::vector<double> w;
  std::vector<VecD> means;
  std::vector<MatD> covs;
  for (int i = 0; i < r0.components(); ++i)
    for (int j = 0; j < r1.components(); ++j) {
      w.push_back(r0.weights()[i] * r1.weights()[j]);
      means.push_back(c.alpha * r0.means()[i] + c.beta * r1.means()[j]);
      covs.push_back(c.alpha * c.alpha * r0.covs()[i] + c.beta * c.beta * r1.covs()[j] +
                     c.gamma * c.gamma * MatD::Identity(d, d));
    }
  try {
    return GaussianMixture(std::move(w), std::move(means), std::move(covs), "rho_t");
  } catch (const ConfigError&) {
    throw NumericalError("rho_t is degenerate at t = " + fmt(t) + " (a covariance of x_t is singular)");
  }
}

double mixture_cdf_1d(const GaussianMixture& m, double x) {
  double p = 0;
  for (int i = 0; i < m.components(); ++i)
    p += m.weights()[i] * 0.5 * std::erfc(-(x - m.means()[i](0)) / std::sqrt(2.0 * m.covs()[i](0, 0)));
  return p;
}

VecD Grid::points() const { return VecD::LinSpaced(n, lo, hi); }

void Grid::validate(const std::string& field) const {
  if (!(n >= 2)) throw ConfigError(field, "needs at least 2 points, got " + std::to_string(n));
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
    throw ConfigError(field, "needs lo < hi, got [" + fmt(lo) + ", " + fmt(hi) + "]");
}

MatD density_grid(const GmmFields& f, const std::vector<double>& times, const VecD& x) {
  if (f.dim() != 1) throw ConfigError("rho0", "density grids are of 1-D mixtures, got d = " + std::to_string(f.dim()));
  MatD out(Eigen::Index(times.size()), x.size());
  const MatD pts = x.transpose();
  for (size_t k = 0; k < times.size(); ++k) {
    try {
      out.row(Eigen::Index(k)) = f.log_density(times[k], pts).array().exp().matrix().transpose();
    } catch (const NumericalError&) {
      out.row(Eigen::Index(k)).setConstant(kNaN);  // a point mass: no density to draw
    }
  }
  return out;
}

namespace {

void check_1d(const GaussianMixture& rho0, const GaussianMixture& rho1) {
  if (rho0.dim() != 1) throw ConfigError("rho0", "must be 1-D, got d = " + std::to_string(rho0.dim()));
  if (rho1.dim() != 1) throw ConfigError("rho1", "must be 1-D, got d = " + std::to_string(rho1.dim()));
}

void check_time_list(const std::vector<double>& times, const std::string& field) {
  if (times.empty()) throw ConfigError(field, "needs at least one time");
  for (double t : times)
    if (!(t >= 0 && t <= 1)) throw ConfigError(field, "times must lie in [0, 1], got " + fmt(t));
}

void check_interpolants(const std::vector<InterpolantSpec>& specs) {
  if (specs.empty()) throw ConfigError("interpolant", "needs at least one interpolant");
  for (const auto& s : specs) s.build();  // throws naming the bad key
}

std::vector<double> unit_times(int n) { return equally_spaced_times(0.0, 1.0, n); }

void check_count(long v, long lo, const std::string& field) {
  if (v < lo) throw ConfigError(field, "must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
}

}  // namespace

std::vector<InterpolantSpec> DensityFigureOptions::figure_a_interpolants() {
  return {InterpolantSpec::named("trig", "zero"), InterpolantSpec::named("trig", "brownian"),
          InterpolantSpec::named("encoding-decoding", "sinesquared")};
}

void DensityFigureOptions::validate() const {
  check_1d(rho0, rho1);
  check_interpolants(interpolants);
  check_time_list(times, "times");
  x.validate("x");
  check_count(heat_times, 2, "heat_times");
}

DensityFigure density_figure(const DensityFigureOptions& o) {
  o.validate();
  DensityFigure out;
  out.x = o.x.points();
  out.times = o.times;
  out.heat_t = unit_times(o.heat_times);
  for (const InterpolantSpec& spec : o.interpolants) {
    const GmmFields f(o.rho0, o.rho1, spec.build());
    DensityRow row;
    row.interpolant = spec;
    const MatD curves = density_grid(f, o.times, out.x);
    for (Eigen::Index k = 0; k < curves.rows(); ++k) row.curves.push_back(curves.row(k).transpose());
    row.heat = density_grid(f, out.heat_t, out.x);
    out.rows.push_back(std::move(row));
  }
  return out;
}

PathPanel path_panel(const GmmFields& f, const InterpolantSpec& spec, const MatD& start, double eps, int steps,
                     std::uint64_t seed, const std::vector<double>& check_times, int bins, const Grid& grid) {
  if (f.dim() != 1) throw ConfigError("rho0", "path figures are of 1-D mixtures");
  const SamplingDefaults defaults = sampling_defaults(f);
  PathPanel p;
  p.interpolant = spec;
  p.eps = eps;
  SampleResult<double> r;
  if (eps == 0) {
    const OdePlan plan = read_ode_plan(
        json{{"method", "rk4"}, {"steps", steps}, {"snapshots", steps + 1}, {"seed", seed}}, defaults, true);
    p.sampler = describe(plan.opt);
    r = run_ode<double>(f, defaults, plan, &start).result;
  } else {
    const SdePlan plan = read_sde_plan(
        json{{"method", "heun"}, {"eps", eps}, {"steps", steps}, {"snapshots", steps + 1}, {"seed", seed}}, defaults,
        true);
    p.sampler = describe(plan.opt);
    r = run_sde<double>(f, defaults, plan, &start).result;
  }
  p.times = r.times;
  p.x.resize(Eigen::Index(r.snapshots.size()), start.cols());
  for (size_t k = 0; k < r.snapshots.size(); ++k) p.x.row(Eigen::Index(k)) = r.snapshots[k].row(0);
  const VecD edges = VecD::LinSpaced(bins + 1, grid.lo, grid.hi);
  const double width = (grid.hi - grid.lo) / bins;
  for (double t : check_times) {
    Marginal m;
    const Eigen::Index k = std::lround(t * (double(p.times.size()) - 1));
    m.t = p.times[size_t(k)];
    m.edges = edges;
    m.density = VecD::Zero(bins);
    const VecD xs = p.x.row(k).transpose();
    for (Eigen::Index j = 0; j < xs.size(); ++j) {
      const double u = (xs(j) - grid.lo) / width;
      if (u >= 0 && u < bins)
        m.density(Eigen::Index(u)) += 1;
      else
        ++m.outside;
    }
    m.density /= double(xs.size()) * width;
    const MatD centres = (edges.head(bins) + edges.tail(bins)).transpose() / 2;
    m.exact = density_grid(f, {m.t}, centres.transpose()).row(0).transpose();
    try {
      const GaussianMixture rho_t = marginal_mixture(f, m.t);
      m.ks = ks_statistic(xs, [&](double x) { return mixture_cdf_1d(rho_t, x); });
      m.p_value = ks_p_value(m.ks, xs.size());
    } catch (const NumericalError&) {
      m.ks = m.p_value = kNaN;
    }
    p.marginals.push_back(std::move(m));
  }
  return p;
}

std::vector<InterpolantSpec> TrajectoryFigureOptions::figure_b_interpolants() {
  return {InterpolantSpec::named("trig", "zero"), InterpolantSpec::named("trig", "brownian"),
          InterpolantSpec::named("encoding-decoding", "brownian")};
}

void TrajectoryFigureOptions::validate() const {
  check_1d(rho0, rho1);
  check_interpolants(interpolants);
  if (eps.empty()) throw ConfigError("eps", "needs at least one noise level");
  for (double e : eps)
    if (!(e >= 0) || !std::isfinite(e)) throw ConfigError("eps", "noise levels must be >= 0, got " + fmt(e));
  check_count(paths, 1, "paths");
  check_count(steps, 1, "steps");
  check_count(bins, 1, "bins");
  check_time_list(check_times, "times");
  x.validate("x");
  check_count(heat_times, 2, "heat_times");
}

namespace {

PathFigure path_figure_frame(const Grid& grid, int heat_times) {
  PathFigure fig;
  fig.x = grid.points();
  fig.heat_t = unit_times(heat_times);
  return fig;
}

std::string eps_label(double eps) { return eps == 0 ? "ODE (eps = 0)" : "SDE, eps = " + fmt(eps); }

}  // namespace

PathFigure trajectory_figure(const TrajectoryFigureOptions& o) {
  o.validate();
  PathFigure fig = path_figure_frame(o.x, o.heat_times);
  fig.rows = int(o.eps.size());
  fig.cols = int(o.interpolants.size());
  Rng rng(o.seed);
  const MatD start = o.rho0.sample(o.paths, rng);
  std::vector<GmmFields> fields;
  for (const auto& spec : o.interpolants) {
    fields.emplace_back(o.rho0, o.rho1, spec.build());
    fig.col_labels.push_back(spec.label());
  }
  for (double e : o.eps) fig.row_labels.push_back(eps_label(e));
  for (int r = 0; r < fig.rows; ++r)
    for (int c = 0; c < fig.cols; ++c) {
      // The noise of a panel comes from the seed, its column and its eps, not from the row's place: a row
      // is the same whatever the other rows (so a page can recompute only the row whose eps moved). 53 bits:
      // a seed of the sampling plan is at most limits::kMaxSeed.
      std::uint64_t eps_bits = 0;
      std::memcpy(&eps_bits, &o.eps[size_t(r)], sizeof eps_bits);
      const std::uint64_t seed = Rng(Rng(o.seed + 1 + std::uint64_t(c)).next_u64() ^ eps_bits).next_u64() >> 11;
      PathPanel p = path_panel(fields[size_t(c)], o.interpolants[size_t(c)], start, o.eps[size_t(r)], o.steps, seed,
                               o.check_times, o.bins, o.x);
      p.heat = density_grid(fields[size_t(c)], fig.heat_t, fig.x);
      fig.panels.push_back(std::move(p));
    }
  return fig;
}

void GammaFigureOptions::validate() const {
  check_1d(rho0, rho1);
  check_interpolants({interpolant});
  if (!(eps > 0) || !std::isfinite(eps)) throw ConfigError("eps", "the SDE row needs eps > 0, got " + fmt(eps));
  check_count(paths, 1, "paths");
  check_count(steps, 1, "steps");
  check_count(bins, 1, "bins");
  check_time_list(times, "times");
  x.validate("x");
  check_count(heat_times, 2, "heat_times");
}

PathFigure gamma_figure(const GammaFigureOptions& o) {
  o.validate();
  PathFigure fig = path_figure_frame(o.x, o.heat_times);
  InterpolantSpec zero = o.interpolant;
  zero.gamma = "zero";
  zero.gamma_expr.clear();
  const std::vector<std::pair<InterpolantSpec, double>> rows = {
      {o.interpolant, o.eps}, {o.interpolant, 0.0}, {zero, 0.0}};
  fig.rows = int(rows.size());
  fig.cols = 1;
  fig.col_labels = {"trajectories and histograms"};
  Rng rng(o.seed);
  const MatD start = o.rho0.sample(o.paths, rng);
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& [spec, eps] = rows[r];
    const GmmFields f(o.rho0, o.rho1, spec.build());
    fig.row_labels.push_back(eps_label(eps) + ": " + spec.label());
    PathPanel p = path_panel(f, spec, start, eps, o.steps, o.seed + 1 + r, o.times, o.bins, o.x);
    p.heat = density_grid(f, fig.heat_t, fig.x);
    fig.panels.push_back(std::move(p));
  }
  return fig;
}

// ---- Figure D -----------------------------------------------------------------------------------

void LikelihoodFigureOptions::validate() const {
  check_count(dim, 1, "dim");
  check_count(components0, 1, "components0");
  check_count(components1, 1, "components1");
  check_interpolants({interpolant});
  check_count(n, 1, "n");
  if (!(eps > 0) || !std::isfinite(eps)) throw ConfigError("eps", "the SDE needs eps > 0, got " + fmt(eps));
  check_count(sde_steps, 1, "sde_steps");
  check_count(ode_steps, 1, "ode_steps");
  check_count(sde_paths, 2, "sde_paths");
}

LikelihoodFigure likelihood_figure(const LikelihoodFigureOptions& o) {
  o.validate();
  LikelihoodFigure fig{paper_random_mixture(o.dim, o.components0, o.mixture_seed),
                       paper_random_mixture(o.dim, o.components1, o.mixture_seed + 1),
                       {},
                       0,
                       0};
  const GmmFields f(fig.rho0, fig.rho1, o.interpolant.build());
  const SamplingDefaults defaults = sampling_defaults(f);
  // The target, coloured by its exact log-density.
  Rng rng(o.seed);
  ColouredPoints target{"target (exact log rho1)", fig.rho1.sample(o.n, rng), {}, {}, {}};
  target.logp = target.exact = fig.rho1.log_density(target.x);
  target.std_error = VecD::Zero(o.n);
  // SDE samples, coloured by the SDE likelihood of each (paths per point, the same steps).
  const SdePlan sample_plan =
      read_sde_plan(json{{"method", "heun"}, {"eps", o.eps}, {"steps", o.sde_steps}, {"n", o.n}, {"seed", o.seed + 1}},
                    defaults, true);
  ColouredPoints sde{"SDE, eps = " + fmt(o.eps) + " (SDE likelihood, " + std::to_string(o.sde_paths) + " paths)",
                     run_sde<double>(f, defaults, sample_plan).result.x,
                     {},
                     {},
                     {}};
  const SdePlan like_plan = read_sde_plan(
      json{{"method", "heun"}, {"eps", o.eps}, {"steps", o.sde_steps}, {"paths", o.sde_paths}, {"seed", o.seed + 2}},
      defaults, false);
  const LikelihoodResult<double> sl = run_sde_likelihood<double>(f, defaults, sde.x, like_plan);
  sde.logp = sl.logp;
  sde.std_error = sl.std_error;
  sde.exact = fig.rho1.log_density(sde.x);
  // ODE samples with the log-density along the flow (exact divergence).
  const OdePlan ode_plan = read_ode_plan(
      json{{"method", "rk4"}, {"steps", o.ode_steps}, {"n", o.n}, {"seed", o.seed + 3}, {"logDensity", true}}, defaults,
      true);
  const Sampled<double> os = run_ode<double>(f, defaults, ode_plan);
  ColouredPoints ode{"ODE, RK4 (exact-divergence likelihood)", os.result.x, os.logp, VecD::Zero(o.n), {}};
  ode.exact = fig.rho1.log_density(ode.x);
  fig.panels = {std::move(target), std::move(sde), std::move(ode)};
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& p : fig.panels) {
    lo = std::min(lo, p.logp.minCoeff());
    hi = std::max(hi, p.logp.maxCoeff());
  }
  fig.lo = 0.9 * lo;
  fig.hi = 0.9 * hi;
  if (!(fig.hi > fig.lo)) std::swap(fig.lo, fig.hi);
  return fig;
}

// ---- Figure E -----------------------------------------------------------------------------------

void HighDimOptions::validate() const {
  check_count(dim, 1, "dim");
  check_count(components0, 1, "components0");
  check_count(components1, 1, "components1");
  check_interpolants({interpolant});
  if (!interpolant.build().two_sided()) throw ConfigError("interpolant", "figure E learns v and s of a two-sided path");
  check_count(long(steps), 0, "steps");
  check_count(long(every), 0, "every");
  check_count(batch, 1, "batch");
  if (!(lr > 0)) throw ConfigError("lr", "must be > 0, got " + fmt(lr));
  check_count(kl_points, 2, "kl_points");
  check_count(ode_steps, 1, "ode_steps");
  check_count(sde_steps, 1, "sde_steps");
  check_count(sde_paths, 2, "sde_paths");
  if (!(eps > 0) || !std::isfinite(eps)) throw ConfigError("eps", "the SDE likelihood needs eps > 0, got " + fmt(eps));
  check_count(probes, divergence == Divergence::Hutchinson ? 2 : 1, "probes");
  check_count(field_times, 1, "field_times");
  check_count(field_points, 1, "field_points");
}

KlEstimate kl_estimate(const VecD& exact, const VecD& model) {
  const VecD diff = exact - model;
  return {diff.mean(), standard_error(diff)};
}

namespace {

// The two likelihood plans of figure E's records, for any fields.
struct KlPlans {
  OdePlan ode;
  SdePlan sde;
};

KlPlans kl_plans(const HighDimOptions& o, const SamplingDefaults& defaults, Divergence divergence) {
  const std::string div = to_name(divergence);
  return {read_ode_plan(json{{"method", "rk4"},
                             {"steps", o.ode_steps},
                             {"divergence", div},
                             {"probes", std::max(2, o.probes)},
                             {"seed", o.seed + 3000}},
                        defaults, false),
          read_sde_plan(json{{"method", "heun"},
                             {"steps", o.sde_steps},
                             {"eps", o.eps},
                             {"paths", o.sde_paths},
                             {"divergence", div},
                             {"probes", o.probes},
                             {"seed", o.seed + 4000}},
                        defaults, false)};
}

struct Kls {
  KlEstimate ode, sde;
  double diff_se;                     // of ode.kl - sde.kl, paired over the points
  double ode_point_se, sde_point_se;  // root mean square of the per-point standard errors
};

double rms(const VecD& v) { return std::sqrt(v.squaredNorm() / double(v.size())); }

template <typename S>
Kls kls(const Fields<S>& fields, const SamplingDefaults& defaults, const KlPlans& plans, const MatD& x,
        const VecD& exact) {
  const Mat<S> xs = x.cast<S>();
  const LikelihoodResult<S> ode = run_ode_likelihood<S>(fields, defaults, xs, plans.ode);
  const LikelihoodResult<S> sde = run_sde_likelihood<S>(fields, defaults, xs, plans.sde);
  return {kl_estimate(exact, ode.logp), kl_estimate(exact, sde.logp), standard_error(sde.logp - ode.logp),
          rms(ode.std_error), rms(sde.std_error)};
}

}  // namespace

HighDimResult high_dim_experiment(const HighDimOptions& o, const std::function<void(const HighDimRecord&)>& on_record) {
  o.validate();
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); };
  const std::int64_t every = o.every > 0 ? o.every : std::max<std::int64_t>(1, o.steps / 12);
  const json base = {{"type", "paper-gmm"}, {"components", o.components0}, {"dim", o.dim}, {"seed", o.mixture_seed}};
  const json target = {
      {"type", "paper-gmm"}, {"components", o.components1}, {"dim", o.dim}, {"seed", o.mixture_seed + 1}};
  const json config = {{"base", base},
                       {"target", target},
                       {"interpolant", o.interpolant.to_json()},
                       {"fields", "v+s"},
                       {"network", {{"hidden", o.hidden}, {"activation", to_name(o.activation)}}},
                       {"optimizer",
                        {{"lr", o.lr},
                         {"step_size", o.lr_step > 0 ? o.lr_step : std::max<std::int64_t>(1, o.steps / 3)},
                         {"decay", o.lr_decay}}},
                       {"training", {{"steps", o.steps}, {"batch", o.batch}, {"seed", o.seed}}}};
  TrainingSession session(config);
  const GmmFields exact = GmmFields::from_config(session.config());
  HighDimResult out{exact.rho0(), exact.rho1(), {}, kNaN, kNaN, kNaN, kNaN, 0, 0, "", ""};
  const auto eval_start = Clock::now();

  // The fixed evaluation sets: x_t at field_times times for the field errors, x ~ rho1 for the KLs.
  Rng rng(o.seed + 1000);
  std::vector<double> ts;
  std::vector<MatD> xt, v_exact, s_exact;
  for (int k = 0; k < o.field_times; ++k) {
    ts.push_back((k + 0.5) / o.field_times);
    xt.push_back(exact.sample_xt(ts.back(), o.field_points, rng));
    v_exact.push_back(exact.v(ts.back(), xt.back()));
    s_exact.push_back(exact.s(ts.back(), xt.back()));
  }
  const MatD x1 = exact.rho1().sample(o.kl_points, rng);
  const VecD logp1 = exact.rho1().log_density(x1);
  if (o.exact_reference) {
    const SamplingDefaults d = sampling_defaults(exact);
    const Kls k = kls<double>(exact, d, kl_plans(o, d, Divergence::Exact), x1, logp1);
    out.exact_kl_ode = k.ode.kl;
    out.exact_kl_ode_se = k.ode.se;
    out.exact_kl_sde = k.sde.kl;
    out.exact_kl_sde_se = k.sde.se;
  }
  out.eval_seconds += seconds(eval_start);

  HighDimRecord rec;
  for (std::int64_t step = 0;; step += every) {
    step = std::min(step, o.steps);
    if (step > session.step_count()) {
      const auto t0 = Clock::now();
      const StepResult r = session.step(int(step - session.step_count()));
      out.train_seconds += seconds(t0);
      rec.loss_v = r.losses.at("v");
      rec.loss_s = r.losses.at("s");
    }
    const auto t0 = Clock::now();
    const Model model = session.model();
    const SamplingDefaults d = sampling_defaults(model);
    const KlPlans plans = kl_plans(o, d, o.divergence);
    out.ode_sampler = describe(plans.ode.opt);
    out.sde_sampler = describe(plans.sde.opt);
    const Kls k = kls<float>(model, d, plans, x1, logp1);
    double dv = 0, nv = 0, ds = 0, ns = 0;
    for (size_t k = 0; k < ts.size(); ++k) {
      MatF f;
      const MatF x = xt[k].cast<float>();
      model.evaluate("v", ts[k], x, f);
      dv += (f.cast<double>() - v_exact[k]).squaredNorm();
      nv += v_exact[k].squaredNorm();
      model.evaluate("s", ts[k], x, f);
      ds += (f.cast<double>() - s_exact[k]).squaredNorm();
      ns += s_exact[k].squaredNorm();
    }
    rec.step = step;
    rec.train_seconds = out.train_seconds;
    rec.kl_ode = k.ode.kl;
    rec.kl_ode_se = k.ode.se;
    rec.kl_sde = k.sde.kl;
    rec.kl_sde_se = k.sde.se;
    rec.kl_diff_se = k.diff_se;
    rec.ode_point_se = k.ode_point_se;
    rec.sde_point_se = k.sde_point_se;
    rec.err_v = std::sqrt(dv / nv);
    rec.err_s = std::sqrt(ds / ns);
    out.records.push_back(rec);
    out.eval_seconds += seconds(t0);
    if (on_record) on_record(rec);
    if (step >= o.steps) break;
  }
  return out;
}

}  // namespace si
