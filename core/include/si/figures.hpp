// The papers' figures as numbers (SPEC section 10): each function takes its parameters (by default
// those of the SPEC) and returns plain structs - density grids, paths, histograms with their exact
// curves and Kolmogorov-Smirnov checks, likelihood-coloured points, training curves - which `si
// figure` draws and writes as CSV, and which the package can hand to the page. Everything is
// seeded: the same options give the same numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/formula.hpp"
#include "si/gmm_fields.hpp"
#include "si/mlp.hpp"
#include "si/samplers.hpp"

namespace si {

// ---- Shared pieces ---------------------------------------------------------------------------

// The 1-D mixtures of figures A-C (variances): rho0 = 1/2 N(-3, 0.25) + 1/2 N(3, 0.25) and
// rho1 = 1/3 N(-6, 0.5) + 1/3 N(0, 0.33) + 1/3 N(6, 0.5).
GaussianMixture paper_rho0_1d();
GaussianMixture paper_rho1_1d();
// A mixture typed in: "1/2 N(-3, 0.25) + 1/2 N(3, 0.25)" (1-D; N(mean, variance); weights are
// numbers or fractions, all given or all left out for equal weights), or a JSON distribution spec of
// any Gaussian-mixture type ({"type": "gmm", ...}, any dimension). Errors name `field`.
GaussianMixture mixture_from_text(const std::string& text, const std::string& field);
// "1/2 N(-3, 0.25) + 1/2 N(3, 0.25)" for a 1-D mixture; "gmm (3 components, d = 2)" otherwise.
std::string mixture_label(const GaussianMixture& m);

// Figures D and E's random mixture in dimension d (SPEC 10.4): k equal-weight components with means
// 3 N(0, I) and covariances C^T C + 0.5 I, C ~ N(0, 1)^{d x d}, drawn from Rng(seed). Also a data
// set: {"type": "paper-gmm", "components": 3, "dim": 2, "seed": 0}.
GaussianMixture paper_random_mixture(int dim, int components, std::uint64_t seed);

// rho_t itself as a mixture over the pairs (i, j): weights p0_i p1_j, means m_ij, covariances K_ij
// (SPEC 5). Throws NumericalError where some K_ij is singular (x_t is then degenerate).
GaussianMixture marginal_mixture(const GmmFields& fields, double t);
// The CDF of a 1-D mixture.
double mixture_cdf_1d(const GaussianMixture& m, double x);

// Equally spaced points from lo to hi, ends included (n >= 2).
struct Grid {
  double lo = -10, hi = 10;
  int n = 150;
  VecD points() const;
  void validate(const std::string& field) const;
};

// rho_t(x) on a (t, x) grid: rows are the times, columns the points; NaN where x_t is degenerate.
MatD density_grid(const GmmFields& fields, const std::vector<double>& times, const VecD& x);

// ---- Figure A: densities (SPEC 10.1) ----------------------------------------------------------

struct DensityFigureOptions {
  GaussianMixture rho0 = paper_rho0_1d(), rho1 = paper_rho1_1d();
  // Rows: trig gamma = 0, trig gamma = sqrt(t (1 - t)), encoding-decoding gamma = sin^2(pi t).
  std::vector<InterpolantSpec> interpolants = figure_a_interpolants();
  std::vector<double> times = {0, 0.25, 0.5, 0.75, 1};
  Grid x;
  int heat_times = 101;  // rows of the (t, x) heatmap, t from 0 to 1
  static std::vector<InterpolantSpec> figure_a_interpolants();
  void validate() const;
};

struct DensityRow {
  InterpolantSpec interpolant;
  std::vector<VecD> curves;  // rho_t(x) at each of the times, on the grid
  MatD heat;                 // heat_times x grid points: rho_t(x)
};

struct DensityFigure {
  VecD x;                      // the grid
  std::vector<double> times;   // of the curves
  std::vector<double> heat_t;  // of the heatmap's rows
  std::vector<DensityRow> rows;
};

DensityFigure density_figure(const DensityFigureOptions& o);

// ---- Figures B and C: paths (SPEC 10.2, 10.3) -------------------------------------------------

// A histogram of the paths at one time against the exact rho_t, with a Kolmogorov-Smirnov check.
struct Marginal {
  double t = 0;
  VecD edges;    // bins + 1 bin edges over the grid's range
  VecD density;  // counts / (n * width): comparable with rho_t
  VecD exact;    // rho_t at the bin centres
  double ks = 0, p_value = 1;
  Eigen::Index outside = 0;  // samples beyond the histogram's range
};

struct PathPanel {
  InterpolantSpec interpolant;
  double eps = 0;
  std::string sampler;        // describe() of the sampler, e.g. "ODE rk4 (200 steps) on [0, 1]"
  std::vector<double> times;  // every step's time, 0 to 1
  MatD x;                     // times x paths: x(t_k) of every path
  std::vector<Marginal> marginals;
  MatD heat;  // rho_t(x) of this interpolant on the figure's heat_t x grid
};

struct PathFigure {
  int rows = 0, cols = 0;  // panels are stored row by row
  std::vector<std::string> row_labels, col_labels;
  VecD x;  // the grid of the heatmaps and exact curves
  std::vector<double> heat_t;
  std::vector<PathPanel> panels;
  const PathPanel& at(int r, int c) const { return panels.at(size_t(r * cols + c)); }
};

// The paths from a start draw (1 x n) of one interpolant at noise level eps: RK4 for eps = 0,
// stochastic Heun with b + eps s otherwise, `steps` uniform steps on [0, 1] and a snapshot at
// every step; marginals at check_times with `bins` bins over the grid.
PathPanel path_panel(const GmmFields& fields, const InterpolantSpec& spec, const MatD& start, double eps, int steps,
                     std::uint64_t seed, const std::vector<double>& check_times, int bins, const Grid& grid);

struct TrajectoryFigureOptions {
  GaussianMixture rho0 = paper_rho0_1d(), rho1 = paper_rho1_1d();
  // Columns: trig gamma = 0, trig gamma = sqrt(t (1 - t)), encoding-decoding gamma = sqrt(t (1 - t)).
  std::vector<InterpolantSpec> interpolants = figure_b_interpolants();
  std::vector<double> eps = {0, 0.5, 5};  // rows
  int paths = 2500, steps = 200;
  std::uint64_t seed = 0;
  std::vector<double> check_times = {0, 0.25, 0.5, 0.75, 1};
  int bins = 100;
  Grid x;
  int heat_times = 101;
  static std::vector<InterpolantSpec> figure_b_interpolants();
  void validate() const;
};
// Every panel starts from the same draw of rho0 (Rng(seed)); each SDE has its own noise, drawn from the
// seed, the panel's column and its eps: a row does not depend on the other rows.
PathFigure trajectory_figure(const TrajectoryFigureOptions& o);

struct GammaFigureOptions {
  GaussianMixture rho0 = paper_rho0_1d(), rho1 = paper_rho1_1d();
  InterpolantSpec interpolant = InterpolantSpec::named("linear", "brownian");  // the gamma > 0 rows
  double eps = 5;
  int paths = 5000, steps = 100;
  std::uint64_t seed = 0;
  std::vector<double> times = {0, 0.25, 0.5, 0.75, 1};
  int bins = 100;
  Grid x;
  int heat_times = 101;
  void validate() const;
};
// Rows: the SDE at eps, the ODE, and the ODE of the same path with gamma = 0 (one column each).
PathFigure gamma_figure(const GammaFigureOptions& o);

// ---- Figure D: samples coloured by likelihood (SPEC 10.4) -------------------------------------

struct LikelihoodFigureOptions {
  int dim = 2;
  int components0 = 1, components1 = 3;
  std::uint64_t mixture_seed = 0;  // rho0 from Rng(mixture_seed), rho1 from Rng(mixture_seed + 1)
  InterpolantSpec interpolant = InterpolantSpec::named("linear", "brownian");
  int n = 10000;
  double eps = 2;
  int sde_steps = 100, ode_steps = 100;
  int sde_paths = 5;  // SDE likelihood paths per point
  std::uint64_t seed = 0;
  void validate() const;
};

struct ColouredPoints {
  std::string label;  // "target (exact log rho1)", ...
  MatD x;             // d x n
  VecD logp;          // the colour
  VecD std_error;     // of logp (zeros where it is exact)
  VecD exact;         // the exact log rho1 at x, for comparison
};

struct LikelihoodFigure {
  GaussianMixture rho0, rho1;
  std::vector<ColouredPoints> panels;  // target, SDE, ODE
  double lo = 0, hi = 0;               // the shared colour scale: 0.9 x min and 0.9 x max over all
};

LikelihoodFigure likelihood_figure(const LikelihoodFigureOptions& o);

// ---- Options from JSON (core/src/figure_options.cpp) ------------------------------------------

// The one reader of figures A-D's options, for the package's si.figure(kind, options) and `si
// figure` alike: a JSON object with camelCase keys, each optional (default: the SPEC's value).
//   A densities:      rho0, rho1 (a 1-D mixture as text, see mixture_from_text, or a mixture spec),
//                     interpolants (["trig/zero", {"path": "custom", "alpha": "1-t", ...}]), times,
//                     xmin, xmax, grid, heatTimes
//   B trajectories:   rho0, rho1, interpolants, eps (a number or a list: the rows), paths, steps, seed,
//                     times (of the histograms), bins, xmin, xmax, grid, heatTimes
//   C linear-gamma:   the same with one interpolant (the gamma > 0 rows) and one eps > 0
//   D gmm-likelihood: dim, baseComponents, components, mixtureSeed, interpolant, n, eps, sdeSteps,
//                     odeSteps, sdePaths, seed
// Unknown keys are rejected, numbers range-checked (si/limits.hpp) and the figure's whole cost
// checked before anything is computed; a ConfigError names the key ("interpolants[1].alpha").
DensityFigureOptions read_density_figure_options(const nlohmann::json& options, const std::string& prefix = "");
TrajectoryFigureOptions read_trajectory_figure_options(const nlohmann::json& options, const std::string& prefix = "");
GammaFigureOptions read_gamma_figure_options(const nlohmann::json& options, const std::string& prefix = "");
LikelihoodFigureOptions read_likelihood_figure_options(const nlohmann::json& options, const std::string& prefix = "");

// ---- Figure E: high-dimensional mixtures, ODE against SDE (SPEC 10.5) --------------------------

struct HighDimOptions {
  int dim = 4;
  int components0 = 2, components1 = 3;
  std::uint64_t mixture_seed = 0;
  InterpolantSpec interpolant = InterpolantSpec::named("linear", "brownian");
  // Training of v and s.
  std::int64_t steps = 3000;
  std::int64_t every = 0;  // a record every K steps (0: about 13 records)
  int batch = 1000;
  std::vector<int> hidden = {256, 256, 256};
  Activation activation = Activation::SiLU;
  double lr = 1e-3;
  std::int64_t lr_step = 0;  // StepLR period (0: steps / 3)
  double lr_decay = 0.5;
  std::uint64_t seed = 0;
  // Evaluation at each record.
  int kl_points = 500;  // held-out x ~ rho1
  int ode_steps = 50;   // RK4 of the ODE likelihood
  int sde_steps = 50, sde_paths = 4;
  double eps = 1;  // of the SDE likelihood
  Divergence divergence = Divergence::Exact;
  int probes = 2;       // Hutchinson probes per point (ODE) or per path (SDE)
  int field_times = 8;  // errors of v and s at t = (k + 1/2) / field_times
  int field_points = 250;
  bool exact_reference = true;  // also the KLs of the exact fields: the discretisation floor
  void validate() const;
};

struct HighDimRecord {
  std::int64_t step = 0;
  double train_seconds = 0;       // training time so far (evaluations excluded)
  double loss_v = 0, loss_s = 0;  // mean over the steps since the last record
  double kl_ode = 0, kl_ode_se = 0, kl_sde = 0, kl_sde_se = 0;
  // The standard error of kl_ode - kl_sde, paired over the same points (far below either SE).
  double kl_diff_se = 0;
  // The estimators' own noise per point, root mean square over the points: the ODE likelihood's
  // over Hutchinson probes (0 with the exact divergence), the SDE likelihood's over its paths.
  double ode_point_se = 0, sde_point_se = 0;
  double err_v = 0, err_s = 0;  // relative L2 errors sqrt(sum |f_hat - f|^2 / sum |f|^2)
};

struct HighDimResult {
  GaussianMixture rho0, rho1;
  std::vector<HighDimRecord> records;
  // With exact_reference: the same KL estimators on the exact fields (NaN otherwise).
  double exact_kl_ode = 0, exact_kl_ode_se = 0, exact_kl_sde = 0, exact_kl_sde_se = 0;
  double train_seconds = 0, eval_seconds = 0;
  std::string ode_sampler, sde_sampler;  // describe() of the two likelihoods
};

// KL(rho1 || model) = E_{x ~ rho1}[log rho1(x) - log rho_model(x)] over the points, and its
// standard error (the spread over the points, which includes the estimators' own noise).
struct KlEstimate {
  double kl = 0, se = 0;
};
KlEstimate kl_estimate(const VecD& exact_logp, const VecD& model_logp);

// Calls on_record after each record (for progress); throws NumericalError if training blows up.
HighDimResult high_dim_experiment(const HighDimOptions& o,
                                  const std::function<void(const HighDimRecord&)>& on_record = {});

}  // namespace si
