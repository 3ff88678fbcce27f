// The options of figures A-D from JSON: the one reader behind the package's si.figure(kind, options)
// and `si figure` (which turns its flags into the same JSON), so both compute the same numbers.
// Keys are camelCase; unknown keys are rejected, numbers range-checked against si/limits.hpp and
// the cost of the whole figure checked before anything is computed.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "si/figures.hpp"
#include "si/json_reader.hpp"
#include "si/limits.hpp"

namespace si {

using nlohmann::json;

namespace {

// A 1-D mixture as text ("1/2 N(-3, 0.25) + 1/2 N(3, 0.25)") or a distribution spec object.
GaussianMixture read_mixture(JsonReader& r, const std::string& k, const GaussianMixture& def) {
  if (!r.has(k)) return def;
  const json& v = r.at(k);
  if (v.is_string()) return mixture_from_text(v.get<std::string>(), r.key(k));
  if (!v.is_object())
    throw ConfigError(r.key(k), "must be a mixture as text, e.g. \"1/2 N(-3, 0.25) + 1/2 N(3, 0.25)\", or a spec");
  const auto dist = make_distribution(v, r.key(k));
  if (!dist->as_mixture()) throw ConfigError(r.key(k), "'" + dist->name() + "' is not a Gaussian mixture");
  return *dist->as_mixture();
}

// One interpolant: "trig", "trig/zero" or an object as in a config ({"path": "custom", "alpha": ...}),
// built once here so a bad formula is named by its place ("interpolants[1].alpha").
InterpolantSpec read_interpolant(const json& v, const std::string& field) {
  InterpolantSpec s;
  if (v.is_string()) {
    s = InterpolantSpec::parse(v.get<std::string>(), field);
  } else if (v.is_object()) {
    JsonReader r(v, field);
    s = InterpolantSpec::read(r);
    r.finish();
  } else {
    throw ConfigError(field,
                      "must be a path name such as \"trig/zero\" or an interpolant object, got " + describe_json(v));
  }
  try {
    s.build();
  } catch (const ConfigError& e) {
    if (e.field().rfind(field, 0) == 0) throw;
    throw ConfigError(field + "." + e.field(), std::string(e.what()).substr(e.field().size() + 2));
  }
  return s;
}

const json& read_list(JsonReader& r, const std::string& k) {
  const json& v = r.at(k);
  if (!v.is_array()) throw ConfigError(r.key(k), "must be an array, got " + describe_json(v));
  if (v.empty()) throw ConfigError(r.key(k), "must not be empty");
  if (v.size() > size_t(limits::kMaxFigureRows))
    throw ConfigError(r.key(k), "has " + std::to_string(v.size()) + " entries, more than the limit of " +
                                    std::to_string(limits::kMaxFigureRows));
  return v;
}

std::vector<InterpolantSpec> read_interpolants(JsonReader& r, const std::string& k, std::vector<InterpolantSpec> def) {
  if (!r.has(k)) return def;
  const json& v = read_list(r, k);
  std::vector<InterpolantSpec> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(read_interpolant(v[i], r.key(k) + "[" + std::to_string(i) + "]"));
  return out;
}

// A list of numbers in [lo, hi]; a single number counts as a list of one when `scalar_ok`.
std::vector<double> read_numbers(JsonReader& r, const std::string& k, std::vector<double> def, double lo, double hi,
                                 bool scalar_ok = false) {
  if (!r.has(k)) return def;
  if (scalar_ok && r.at(k).is_number()) return {r.number(k, 0, lo, hi)};
  const json& v = read_list(r, k);
  std::vector<double> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string field = r.key(k) + "[" + std::to_string(i) + "]";
    const double x = json_number(v[i], field);
    if (!(x >= lo && x <= hi))
      throw ConfigError(
          field, "must be a number in [" + format_number(lo) + ", " + format_number(hi) + "], got " + format_number(x));
    out.push_back(x);
  }
  return out;
}

int read_int(JsonReader& r, const std::string& k, int def, std::int64_t lo, std::int64_t hi) {
  return static_cast<int>(r.integer(k, def, lo, hi));
}

std::uint64_t read_seed(JsonReader& r, const std::string& k, std::uint64_t def) {
  return static_cast<std::uint64_t>(r.integer(k, std::int64_t(def), 0, limits::kMaxSeed));
}

Grid read_grid(JsonReader& r, const Grid& def) {
  Grid g;
  g.lo = r.number("xmin", def.lo, -1e6, 1e6);
  g.hi = r.number("xmax", def.hi, -1e6, 1e6);
  g.n = read_int(r, "grid", def.n, 2, limits::kMaxFigureGrid);
  if (!(g.hi > g.lo))
    throw ConfigError(r.key("xmax"),
                      "must be greater than xmin (" + format_number(g.lo) + "), got " + format_number(g.hi));
  return g;
}

// The exact densities cost components0 * components1 Gaussians at each of the points.
void check_density_cost(const GaussianMixture& rho0, const GaussianMixture& rho1, double points,
                        const std::string& field) {
  limits::check_cost(double(rho0.components()) * rho1.components() * points, limits::kMaxMixtureCost, field,
                     "the exact densities (" + std::to_string(rho0.components() * rho1.components()) +
                         " pairs of components at " + format_number(points) + " points)");
}

}  // namespace

DensityFigureOptions read_density_figure_options(const json& j, const std::string& prefix) {
  JsonReader r(j, prefix, "option", "for figure 'densities'");
  DensityFigureOptions o;
  o.rho0 = read_mixture(r, "rho0", o.rho0);
  o.rho1 = read_mixture(r, "rho1", o.rho1);
  o.interpolants = read_interpolants(r, "interpolants", o.interpolants);
  o.times = read_numbers(r, "times", o.times, 0, 1);
  o.x = read_grid(r, o.x);
  o.heat_times = read_int(r, "heatTimes", o.heat_times, 2, limits::kMaxFigureGrid);
  r.finish();
  const double points = double(o.interpolants.size()) * double(o.times.size() + size_t(o.heat_times)) * o.x.n;
  limits::check_cost(points, limits::kMaxOutputFloats, r.key("grid"), "the density grids");
  check_density_cost(o.rho0, o.rho1, points, r.key("grid"));
  o.validate();
  return o;
}

namespace {

// What figures B and C share: the ends, paths, steps, seed, histogram times and bins, the grid.
template <typename O>
void read_paths(JsonReader& r, O& o, std::vector<double>& times, double panels) {
  o.rho0 = read_mixture(r, "rho0", o.rho0);
  o.rho1 = read_mixture(r, "rho1", o.rho1);
  o.paths = read_int(r, "paths", o.paths, 1, limits::kMaxSamples);
  o.steps = read_int(r, "steps", o.steps, 1, limits::kMaxSteps);
  o.seed = read_seed(r, "seed", o.seed);
  times = read_numbers(r, "times", times, 0, 1);
  o.bins = read_int(r, "bins", o.bins, 1, limits::kMaxFigureGrid);
  o.x = read_grid(r, o.x);
  o.heat_times = read_int(r, "heatTimes", o.heat_times, 2, limits::kMaxFigureGrid);
  r.finish();
  limits::check_cost(panels * o.paths * (o.steps + 1.0), limits::kMaxOutputFloats, r.key("paths"),
                     std::to_string(o.paths) + " paths of " + std::to_string(o.steps + 1) + " points in " +
                         format_number(panels) + " panels");
  check_density_cost(o.rho0, o.rho1, panels * (double(o.heat_times) * o.x.n + double(times.size()) * o.bins),
                     r.key("grid"));
  // The paths: at most 4 field evaluations (RK4) of every pair of components per path and step.
  limits::check_cost(panels * o.paths * o.steps * 4.0 * o.rho0.components() * o.rho1.components(),
                     limits::kMaxMixtureCost, r.key("paths"),
                     "the paths (" + std::to_string(o.paths) + " paths x " + std::to_string(o.steps) + " steps x " +
                         format_number(panels) + " panels x " +
                         std::to_string(o.rho0.components() * o.rho1.components()) + " pairs of components)");
}

}  // namespace

TrajectoryFigureOptions read_trajectory_figure_options(const json& j, const std::string& prefix) {
  JsonReader r(j, prefix, "option", "for figure 'trajectories'");
  TrajectoryFigureOptions o;
  o.interpolants = read_interpolants(r, "interpolants", o.interpolants);
  o.eps = read_numbers(r, "eps", o.eps, 0, 1e6, true);
  read_paths(r, o, o.check_times, double(o.eps.size() * o.interpolants.size()));
  o.validate();
  return o;
}

GammaFigureOptions read_gamma_figure_options(const json& j, const std::string& prefix) {
  JsonReader r(j, prefix, "option", "for figure 'linear-gamma'");
  GammaFigureOptions o;
  if (r.has("interpolant")) o.interpolant = read_interpolant(r.at("interpolant"), r.key("interpolant"));
  o.eps = r.number("eps", o.eps, 0, 1e6, true);
  read_paths(r, o, o.times, 3);
  o.validate();
  return o;
}

LikelihoodFigureOptions read_likelihood_figure_options(const json& j, const std::string& prefix) {
  JsonReader r(j, prefix, "option", "for figure 'gmm-likelihood'");
  LikelihoodFigureOptions o;
  o.dim = read_int(r, "dim", o.dim, 1, limits::kMaxDim);
  o.components0 = read_int(r, "baseComponents", o.components0, 1, limits::kMaxComponents);
  o.components1 = read_int(r, "components", o.components1, 1, limits::kMaxComponents);
  o.mixture_seed = read_seed(r, "mixtureSeed", o.mixture_seed);
  if (r.has("interpolant")) o.interpolant = read_interpolant(r.at("interpolant"), r.key("interpolant"));
  o.n = read_int(r, "n", o.n, 1, limits::kMaxSamples);
  o.eps = r.number("eps", o.eps, 0, 1e6, true);
  o.sde_steps = read_int(r, "sdeSteps", o.sde_steps, 1, limits::kMaxSteps);
  o.ode_steps = read_int(r, "odeSteps", o.ode_steps, 1, limits::kMaxSteps);
  o.sde_paths = read_int(r, "sdePaths", o.sde_paths, 2, 100000);
  o.seed = read_seed(r, "seed", o.seed);
  r.finish();
  limits::check_random_mixture(o.components0, o.dim, r.key("baseComponents"));
  limits::check_random_mixture(o.components1, o.dim, r.key("components"));
  limits::check_cost(double(o.n) * o.dim * 3, limits::kMaxOutputFloats, r.key("n"),
                     std::to_string(o.n) + " points of dimension " + std::to_string(o.dim) + " in 3 panels");
  // Field evaluations (the exact divergence in closed form included) cost pairs x d^2 per point: the SDE
  // likelihood's paths x steps of them and the ODE likelihood's 4 x odeSteps (RK4).
  const double d = o.dim;
  limits::check_cost(
      double(o.n) * o.components0 * o.components1 * d * d * (double(o.sde_paths) * o.sde_steps + 4.0 * o.ode_steps),
      limits::kMaxMixtureCost, r.key("n"),
      "the likelihoods (n x pairs of components x d^2 x (sdePaths x sdeSteps + 4 odeSteps))");
  o.validate();
  return o;
}

}  // namespace si
