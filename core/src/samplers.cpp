#include "si/samplers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "si/interpolant.hpp"

namespace si {
namespace {

template <typename T>
std::string str(const T& v) {
  return format_number(static_cast<double>(v));
}

void check_time(const std::string& field, double t) {
  if (!(t >= 0.0 && t <= 1.0)) throw ConfigError(field, "must be in [0, 1], got " + str(t));
}

// A denoising time: < 0 (none) or strictly inside a forward run.
void check_denoise(const std::string& field, double u, double t0, double t1) {
  if (u < 0) return;
  if (!(u > t0 && u < t1))
    throw ConfigError(field, "must be a time strictly between t0 and t1 of a forward run (t0 < t1), got " + str(u) +
                                 " on [" + str(t0) + ", " + str(t1) + "]");
}

template <typename S>
void check_points(const Fields<S>& fields, const Mat<S>& x) {
  if (x.rows() != fields.dim())
    throw ConfigError("x",
                      "points must have the fields' dimension " + str(fields.dim()) + " as rows, got " + str(x.rows()));
}

// Runs an integration, prefixing a NumericalError with the sampler that hit it.
template <typename F>
auto named(const std::string& who, F&& run) -> decltype(run()) {
  try {
    return run();
  } catch (const NumericalError& e) {
    throw NumericalError(who + ": " + e.what());
  }
}

// d x n Rademacher entries (+-1), 64 of them per draw.
template <typename S>
Mat<S> rademacher(Eigen::Index d, Eigen::Index n, Rng& rng) {
  Mat<S> e(d, n);
  std::uint64_t bits = 0;
  int left = 0;
  for (Eigen::Index i = 0; i < e.size(); ++i) {
    if (left == 0) {
      bits = rng.next_u64();
      left = 64;
    }
    e.data()[i] = (bits & 1) ? S(1) : S(-1);
    bits >>= 1;
    --left;
  }
  return e;
}

// Hutchinson's quadratic forms e . (d field / dx) e for `probes` fresh Rademacher vectors e per
// point, as a probes x n matrix, from one call on the points repeated `probes` times (one setup of
// the fields per time for all probes); the field at the points goes into out.
template <typename S>
Mat<S> quadratic_forms(const Fields<S>& fields, bool drift, double t, const Mat<S>& x, const Mat<S>& e, int probes,
                       Mat<S>& out) {
  const Eigen::Index n = x.cols();
  const Mat<S> xr = probes == 1 ? x : Mat<S>(x.replicate(1, probes));
  Mat<S> f, jvp;
  if (drift)
    fields.drift_jvp(t, xr, e, f, jvp);
  else
    fields.score_jvp(t, xr, e, f, jvp);
  out = f.leftCols(n);
  const RowVec<S> q = e.cwiseProduct(jvp).colwise().sum();
  return Eigen::Map<const Mat<S>>(q.data(), n, probes).transpose();
}

// Per point (column), the variance of the mean of its probes' estimates (rows).
template <typename S>
VecD variance_of_probe_mean(const Mat<S>& per_probe) {
  const MatD q = per_probe.template cast<double>();
  const double p = double(q.rows());
  return ((q.rowwise() - q.colwise().mean()).colwise().squaredNorm() / (p - 1) / p).transpose();
}

void check_jvp(bool has_jvp, const std::string& field) {
  if (!has_jvp)
    throw ConfigError(field, "hutchinson needs Jacobian-vector products, which these fields do not offer; use 'exact'");
}

// dx/dt = b, plus the row d/dt logp = -div b when with_logp: one row, or with Hutchinson probes one
// row per probe, -e . (db/dx) e with e drawn afresh from *rng at every evaluation (the estimates
// of the steps average out, so a path's estimate has far less variance than with one fixed e).
template <typename S>
OdeRhs<S> flow_rhs(const Fields<S>& fields, bool with_logp, int probes = 0, Rng* rng = nullptr) {
  if (!with_logp) return [&fields](double t, const Mat<S>& x, Mat<S>& dx) { fields.drift(t, x, dx); };
  const Eigen::Index d = fields.dim();
  if (probes > 0)
    return [&fields, d, probes, rng](double t, const Mat<S>& xa, Mat<S>& dx) {
      const Mat<S> x = xa.topRows(d);
      const Mat<S> e = rademacher<S>(d, x.cols() * probes, *rng);
      Mat<S> b;
      const Mat<S> q = quadratic_forms(fields, true, t, x, e, probes, b);
      dx.resize(d + probes, xa.cols());
      dx.topRows(d) = b;
      dx.bottomRows(probes) = -q;
    };
  return [&fields, d](double t, const Mat<S>& xa, Mat<S>& dx) {
    const Mat<S> x = xa.topRows(d);
    Mat<S> b;
    Vec<S> div;
    fields.drift(t, x, b, &div);
    dx.resize(d + 1, xa.cols());
    dx.topRows(d) = b;
    dx.row(d) = -div.transpose();
  };
}

// b + sign eps s: sign = +1 forward in time (b_F), -1 backward (b_B).
template <typename S>
OdeRhs<S> sde_drift(const Fields<S>& fields, double eps, double sign) {
  if (eps == 0.0) return [&fields](double t, const Mat<S>& x, Mat<S>& dx) { fields.drift(t, x, dx); };
  const S c = static_cast<S>(sign * eps);
  return [&fields, c](double t, const Mat<S>& x, Mat<S>& dx) {
    Mat<S> s;
    fields.drift(t, x, dx);
    fields.score(t, x, s);
    dx += c * s;
  };
}

// Backward drift b - eps s on rows 0..d-1 and, on row d, the likelihood integrand
// div b_F + eps |s|^2 = div b + eps div s + eps |s|^2; with probes > 0 the divergences are the mean
// of e . (db/dx + eps ds/dx) e over that many fresh probes e per path and evaluation.
template <typename S>
OdeRhs<S> likelihood_rhs(const Fields<S>& fields, double eps, int probes = 0, Rng* rng = nullptr) {
  const Eigen::Index d = fields.dim();
  const S e = static_cast<S>(eps);
  if (probes > 0)
    return [&fields, d, e, probes, rng](double t, const Mat<S>& xa, Mat<S>& dx) {
      const Mat<S> x = xa.topRows(d);
      const Mat<S> u = rademacher<S>(d, x.cols() * probes, *rng);
      Mat<S> b, s;
      RowVec<S> div = quadratic_forms(fields, true, t, x, u, probes, b).colwise().mean();
      dx.resize(d + 1, xa.cols());
      if (e != S(0)) {
        div += e * quadratic_forms(fields, false, t, x, u, probes, s).colwise().mean();
        dx.topRows(d) = b - e * s;
        dx.row(d) = div + e * s.colwise().squaredNorm();
      } else {
        dx.topRows(d) = b;
        dx.row(d) = div;
      }
    };
  return [&fields, d, e](double t, const Mat<S>& xa, Mat<S>& dx) {
    const Mat<S> x = xa.topRows(d);
    Mat<S> b, s;
    Vec<S> div_b, div_s;
    fields.drift(t, x, b, &div_b);
    dx.resize(d + 1, xa.cols());
    if (e == S(0)) {
      dx.topRows(d) = b;
      dx.row(d) = div_b.transpose();
      return;
    }
    fields.score(t, x, s, &div_s);
    dx.topRows(d) = b - e * s;
    dx.row(d) = (div_b + e * div_s + e * s.colwise().squaredNorm().transpose()).transpose();
  };
}

template <typename S>
VecD base_log_density(const Distribution& base, const Mat<S>& x, const std::string& who) {
  if (!base.has_log_density())
    throw ConfigError("base", who + " needs a base distribution with a known density, got \"" + base.name() + "\"");
  if (base.dim() != x.rows())
    throw ConfigError("base", "dimension " + str(base.dim()) + " does not match the fields' " + str(x.rows()));
  return base.log_density(x.template cast<double>());
}

// Frame times moved to the nearest node of the uniform grid of `steps` steps from t0 to t1, so that
// asking for frames never splits a step: the samples are the same with or without them.
std::vector<double> on_grid(std::vector<double> times, double t0, double t1, int steps) {
  if (t1 == t0) return times;
  for (double& t : times) {
    const double node = std::round((t - t0) / (t1 - t0) * steps);
    t = node >= steps ? t1 : node <= 0 ? t0 : t0 + (t1 - t0) * node / steps;  // the ends exactly
  }
  return times;
}

// -inf is a legitimate answer (a base density that vanishes there); NaN and +inf are not.
void check_finite(const VecD& v, const std::string& who, double t) {
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (std::isnan(v(i)) || v(i) == std::numeric_limits<double>::infinity())
      throw NumericalError(who + ": log-likelihood is " + str(v(i)) + " for point " + str(i) + " at t=" + str(t));
}

}  // namespace

Registry<DivergenceDef>& divergence_methods() {
  static Registry<DivergenceDef> table(
      "divergence", {
                        {"exact", Divergence::Exact, "the trace of the Jacobian: closed form or d forward tangents"},
                        {"hutchinson", Divergence::Hutchinson,
                         "e . (db/dx) e with Rademacher probes e: one forward tangent each, unbiased"},
                    });
  return table;
}

std::string to_name(Divergence d) { return divergence_methods().of(d).name; }

void OdeSamplerOptions::validate(const std::string& prefix) const {
  integrator().validate(prefix);
  const std::string p = prefix.empty() ? "" : prefix + ".";
  check_time(p + "t0", t0);
  check_time(p + "t1", t1);
  if (n_snapshots < 0) throw ConfigError(p + "n_snapshots", "must be >= 0, got " + str(n_snapshots));
  if (probes < 1) throw ConfigError(p + "probes", "must be >= 1, got " + str(probes));
  check_denoise(p + "denoise", denoise, t0, t1);
  if (denoise >= 0 && with_logp)
    throw ConfigError(p + "denoise",
                      "the jump to E[x1 | x_t] has no log-density: leave out one of denoise and logDensity");
}

OdeOptions OdeSamplerOptions::integrator() const {
  OdeOptions o;
  o.method = method;
  o.steps = steps;
  o.atol = atol;
  o.rtol = rtol;
  o.max_steps = max_steps;
  return o;
}

void SdeSamplerOptions::validate(const std::string& prefix) const {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  SdeOptions o;
  o.method = method;
  o.steps = steps;
  o.validate(prefix);
  if (!(eps >= 0) || !std::isfinite(eps)) throw ConfigError(p + "eps", "must be >= 0, got " + str(eps));
  check_time(p + "t0", t0);
  check_time(p + "t1", t1);
  if (n_snapshots < 0) throw ConfigError(p + "n_snapshots", "must be >= 0, got " + str(n_snapshots));
  if (n_paths < 1) throw ConfigError(p + "n_paths", "must be >= 1, got " + str(n_paths));
  check_time(p + "eps_until", eps_until);
  if (probes < 1) throw ConfigError(p + "probes", "must be >= 1, got " + str(probes));
  check_denoise(p + "denoise", denoise, t0, t1);
}

namespace {

// The probability flow from opt.t0 to opt.t1, naming `who` in errors. With the log-density and
// Hutchinson probes, per_probe (if not null) gets each probe's change of log-density (probes x n);
// dlogp is their mean.
template <typename S>
SampleResult<S> run_flow(const Fields<S>& fields, const Mat<S>& x, const OdeSamplerOptions& opt, const std::string& who,
                         Mat<S>* per_probe = nullptr) {
  opt.validate();
  check_points(fields, x);
  const Eigen::Index d = x.rows();
  const bool hutch = opt.with_logp && opt.divergence == Divergence::Hutchinson;
  if (hutch) check_jvp(fields.has_jvp(), "ode.divergence");
  if (hutch && ode_methods().of(opt.method).adaptive)
    throw ConfigError("ode.method",
                      "hutchinson draws fresh probes at every evaluation, which adaptive steps cannot control: "
                      "use a fixed-step method (rk4, heun, euler)");
  Rng probe_rng(opt.probe_seed);
  const Eigen::Index rows = opt.with_logp ? (hutch ? Eigen::Index(opt.probes) : 1) : 0;
  Mat<S> start = x;
  if (rows) {
    start.conservativeResize(d + rows, Eigen::NoChange);
    start.bottomRows(rows).setZero();
  }
  std::vector<double> times = equally_spaced_times(opt.t0, opt.t1, opt.n_snapshots);
  if (!ode_methods().of(opt.method).adaptive) times = on_grid(times, opt.t0, opt.t1, opt.steps);
  OdeSolution<S> sol = named(who, [&] {
    return integrate_ode<S>(flow_rhs(fields, opt.with_logp, hutch ? opt.probes : 0, &probe_rng), start, opt.t0, opt.t1,
                            opt.integrator(), times);
  });
  SampleResult<S> out;
  out.x = sol.x.topRows(d);
  if (rows) out.dlogp = sol.x.bottomRows(rows).colwise().mean().transpose();
  if (rows && per_probe) *per_probe = sol.x.bottomRows(rows);
  out.times = times;
  for (auto& snap : sol.snapshots) out.snapshots.push_back(snap.topRows(d));
  out.stats = sol.stats;
  return out;
}

}  // namespace

namespace {

// The denoising last step (OdeSamplerOptions::denoise) around a sampler run(t_end, frames) from t0.
template <typename S, typename Run>
SampleResult<S> denoised(const Fields<S>& fields, double t1, double u, int frames, const std::string& field, Run run) {
  if (u < 0) return run(t1, frames);
  if (!fields.has_target_mean())
    throw ConfigError(field,
                      "these fields cannot estimate E[x1 | x_t] for a denoising step (two-sided and mirror "
                      "paths need a learned score)");
  SampleResult<S> r = run(u, frames > 1 ? frames - 1 : 0);
  Mat<S> m;
  named(field, [&] { fields.target_mean(u, r.x, m); });
  r.x = std::move(m);
  if (!r.x.allFinite())
    throw NumericalError(field + ": E[x1 | x_t] at t = " + format_number(u) + " is not finite for some points");
  if (frames > 0) {
    r.times.push_back(t1);
    r.snapshots.push_back(r.x);
  }
  return r;
}

}  // namespace

template <typename S>
SampleResult<S> ode_sample(const Fields<S>& fields, const Mat<S>& x, const OdeSamplerOptions& opt) {
  opt.validate();
  return denoised(fields, opt.t1, opt.denoise, opt.n_snapshots, "ode.denoise", [&](double t_end, int frames) {
    OdeSamplerOptions o = opt;
    o.t1 = t_end;
    o.n_snapshots = frames;
    o.denoise = -1;
    return run_flow(fields, x, o, "ode_sample");
  });
}

template <typename S>
LikelihoodResult<S> ode_log_likelihood(const Fields<S>& fields, const Distribution& base, const Mat<S>& x,
                                       const OdeSamplerOptions& opt) {
  if (opt.denoise >= 0)
    throw ConfigError("ode.denoise", "applies to sampling: a likelihood follows the flow to the end");
  opt.validate();
  const bool hutch = opt.divergence == Divergence::Hutchinson;
  if (hutch && opt.probes < 2)
    throw ConfigError("ode.probes",
                      "the Hutchinson likelihood needs >= 2 probes per point (their spread is its standard "
                      "error), got " +
                          str(opt.probes));
  OdeSamplerOptions back = opt;
  back.t0 = opt.t1;
  back.t1 = opt.t0;
  back.with_logp = true;
  back.n_snapshots = 0;
  // Along the flow from t1 back to t0, dlogp = log rho_t0(X_t0) - log rho_t1(x).
  Mat<S> per_probe;
  const SampleResult<S> r = run_flow(fields, x, back, "ode_log_likelihood", &per_probe);
  LikelihoodResult<S> out;
  out.logp = base_log_density(base, r.x, "ode_log_likelihood") - r.dlogp.template cast<double>();
  check_finite(out.logp, "ode_log_likelihood", opt.t0);
  out.std_error = VecD::Zero(x.cols());
  if (hutch) {
    out.std_error = variance_of_probe_mean(per_probe).cwiseSqrt();
  }
  out.x0 = r.x;
  out.stats = r.stats;
  return out;
}

namespace {

// One SDE leg from opt.t0 to opt.t1 at noise level opt.eps, with snapshots at `times`.
template <typename S>
SampleResult<S> sde_leg(const Fields<S>& fields, const Mat<S>& x, const SdeSamplerOptions& opt,
                        const std::vector<double>& times, Rng& rng) {
  SdeOptions so;
  so.method = opt.method;
  so.steps = opt.steps;
  so.sigma = std::sqrt(2 * opt.eps);
  const double sign = opt.t1 >= opt.t0 ? 1.0 : -1.0;
  OdeSolution<S> sol = named("sde_sample", [&] {
    return integrate_sde<S>(sde_drift(fields, opt.eps, sign), x, opt.t0, opt.t1, so, rng, x.rows(), times);
  });
  SampleResult<S> out;
  out.x = std::move(sol.x);
  out.times = times;
  out.snapshots = std::move(sol.snapshots);
  out.stats = sol.stats;
  return out;
}

// The SDE likelihood with noise over the whole of [opt.t0, opt.t1].
template <typename S>
LikelihoodResult<S> sde_likelihood_leg(const Fields<S>& fields, const Distribution& base, const Mat<S>& x,
                                       const SdeSamplerOptions& opt, Rng& rng) {
  const std::string who = "sde_log_likelihood";
  SdeOptions so;
  so.method = opt.method;
  so.steps = opt.steps;
  so.sigma = std::sqrt(2 * opt.eps);
  const bool hutch = opt.divergence == Divergence::Hutchinson;
  if (hutch) check_jvp(fields.has_jvp(), "sde.divergence");
  Rng probe_rng(opt.probe_seed);
  const OdeRhs<S> rhs = likelihood_rhs(fields, opt.eps, hutch ? opt.probes : 0, &probe_rng);
  const Eigen::Index d = x.rows(), n = x.cols(), paths = opt.n_paths;
  // Bounds memory: points are processed in chunks of about kMaxColumns paths.
  constexpr Eigen::Index kMaxColumns = 1 << 16;
  const Eigen::Index chunk = std::max<Eigen::Index>(1, kMaxColumns / paths);
  LikelihoodResult<S> out;
  out.logp.resize(n);
  out.std_error.resize(n);
  out.x0.resize(d, n);
  for (Eigen::Index first = 0; first < n; first += chunk) {
    const Eigen::Index m = std::min(chunk, n - first);
    // Column j * paths + p is path p of point first + j; the last row accumulates the integral.
    Mat<S> start = Mat<S>::Zero(d + 1, m * paths);
    for (Eigen::Index j = 0; j < m; ++j) start.block(0, j * paths, d, paths) = x.col(first + j).replicate(1, paths);
    VecD martingale = VecD::Zero(m * paths);
    NoiseObserver<S> observer;
    if (opt.control_variate && opt.eps > 0)
      observer = [&](double t, const Mat<S>& xa, const Mat<S>& noise) {
        Mat<S> s;
        fields.score(t, Mat<S>(xa.topRows(d)), s);
        martingale += s.cwiseProduct(noise).colwise().sum().transpose().template cast<double>();
      };
    OdeSolution<S> sol =
        named(who, [&] { return integrate_sde<S>(rhs, start, opt.t1, opt.t0, so, rng, d, {}, observer); });
    // The accumulator ran from t1 down to t0, so it holds -int_t0^t1 (div b_F + eps |s|^2) dt.
    const VecD per_path = base_log_density(base, Mat<S>(sol.x.topRows(d)), who) +
                          sol.x.row(d).transpose().template cast<double>() - martingale;
    check_finite(per_path, who, opt.t0);
    for (Eigen::Index j = 0; j < m; ++j) {
      const auto v = per_path.segment(j * paths, paths);
      const double mu = v.mean();
      out.logp(first + j) = mu;
      out.std_error(first + j) = std::sqrt((v.array() - mu).square().sum() / (paths - 1) / paths);
      out.x0.col(first + j) = sol.x.block(0, j * paths, d, 1);
    }
    out.stats.nfe += sol.stats.nfe;
    out.stats.accepted += sol.stats.accepted;
    out.stats.rejected += sol.stats.rejected;
  }
  return out;
}

// How the noise-free tail splits an SDE run from t0 to t1: the time u where the noise stops and
// the steps before it (in the direction of time), or none.
struct Split {
  bool noisy = true;    // false: no noise anywhere (eps = 0, or eps_until before the whole run)
  bool split = false;   // the run has a noisy and a noise-free leg
  double u = 0;         // the time between them
  int noisy_steps = 0;  // steps of the noisy leg
  int quiet_steps = 0;  // steps of the noise-free leg
};

Split split_of(const SdeSamplerOptions& o) {
  Split s;
  const double lo = std::min(o.t0, o.t1), hi = std::max(o.t0, o.t1);
  if (o.eps == 0.0 || o.eps_until <= lo) {
    s.noisy = o.eps > 0.0 && o.eps_until >= hi;
    return s;
  }
  if (o.eps_until >= hi) return s;
  s.split = true;
  s.u = o.eps_until;
  const double frac = (s.u - lo) / (hi - lo);  // share of the run where the noise acts
  s.noisy_steps = std::clamp(int(std::lround(o.steps * frac)), 1, std::max(1, o.steps - 1));
  s.quiet_steps = std::max(1, o.steps - s.noisy_steps);
  return s;
}

void check_sde(const SdeSamplerOptions& opt, bool has_score) {
  opt.validate();
  if (opt.eps > 0 && !has_score)
    throw ConfigError("sde.eps", "eps > 0 needs a score, and these fields have none (use eps = 0 or the ODE)");
}

// SdeSamplerOptions::score_from_drift: the fields with their score replaced by the drift's.
template <typename S>
class ScoreFromDrift : public Fields<S> {
 public:
  ScoreFromDrift(const Fields<S>& f, const Interpolant& interp) : f_(f), interp_(interp) {}
  int dim() const override { return f_.dim(); }
  void drift(double t, const Mat<S>& x, Mat<S>& out, Vec<S>* div) const override { f_.drift(t, x, out, div); }
  bool has_score() const override { return true; }
  void score(double t, const Mat<S>& x, Mat<S>& out, Vec<S>* div) const override {
    const Interpolant::Affine k = interp_.score_from_drift(t);
    f_.drift(t, x, out, div);
    out = S(k.kb) * out + S(k.kx) * x;
    if (div) *div = (S(k.kb) * div->array() + S(k.kx * x.rows())).matrix();
  }
  const Interpolant* interpolant_of() const override { return &interp_; }
  bool has_target_mean() const override { return f_.has_target_mean(); }
  void target_mean(double t, const Mat<S>& x, Mat<S>& out) const override { f_.target_mean(t, x, out); }
  bool has_jvp() const override { return f_.has_jvp(); }
  void drift_jvp(double t, const Mat<S>& x, const Mat<S>& e, Mat<S>& out, Mat<S>& jvp) const override {
    f_.drift_jvp(t, x, e, out, jvp);
  }
  void score_jvp(double t, const Mat<S>& x, const Mat<S>& e, Mat<S>& out, Mat<S>& jvp) const override {
    const Interpolant::Affine k = interp_.score_from_drift(t);
    f_.drift_jvp(t, x, e, out, jvp);
    out = S(k.kb) * out + S(k.kx) * x;
    jvp = S(k.kb) * jvp + S(k.kx) * e;
  }

 private:
  const Fields<S>& f_;
  const Interpolant& interp_;
};

// The interpolant behind score_from_drift, checked: one-sided, and the noise ends before t = 1.
template <typename S>
const Interpolant& drift_score_interpolant(const Fields<S>& fields, const SdeSamplerOptions& opt, bool sampling) {
  const Interpolant* interp = fields.interpolant_of();
  if (!interp || !interp->one_sided())
    throw ConfigError("sde.score", "'drift' derives the score from b on one-sided paths only" +
                                       std::string(interp ? " (this model's path is " + interp->path_name() + ")"
                                                          : " (these fields name no interpolant)"));
  double end = std::min(std::max(opt.t0, opt.t1), opt.eps_until);
  if (sampling && opt.denoise >= 0) end = std::min(end, opt.denoise);
  if (opt.eps > 0 && end >= 1.0)
    throw ConfigError("sde.score",
                      "'drift' gives a score that is infinite at t = 1 (alpha = 0): end the noise before it with "
                      "denoise (e.g. 0.9), epsUntil or t1 below 1");
  return *interp;
}

}  // namespace

namespace {

// The SDE from opt.t0 to opt.t1 (checked), its noise-free tail included.
template <typename S>
SampleResult<S> sde_run(const Fields<S>& fields, const Mat<S>& x, const SdeSamplerOptions& opt, Rng& rng) {
  const std::vector<double> times = equally_spaced_times(opt.t0, opt.t1, opt.n_snapshots);
  const Split sp = split_of(opt);
  if (!sp.split) {
    SdeSamplerOptions o = opt;
    if (!sp.noisy) o.eps = 0.0;
    return sde_leg(fields, x, o, on_grid(times, o.t0, o.t1, o.steps), rng);
  }
  // Forward in time the noisy leg comes first; backward (from t0 > u) the noise-free one does.
  const bool forward = opt.t1 > opt.t0;
  SdeSamplerOptions first = opt, second = opt;
  first.t1 = second.t0 = sp.u;
  first.steps = forward ? sp.noisy_steps : sp.quiet_steps;
  second.steps = forward ? sp.quiet_steps : sp.noisy_steps;
  (forward ? second : first).eps = 0.0;
  std::vector<double> t_first, t_second;
  for (double t : times) ((t - sp.u) * (forward ? 1 : -1) <= 0 ? t_first : t_second).push_back(t);
  SampleResult<S> a = sde_leg(fields, x, first, on_grid(t_first, first.t0, first.t1, first.steps), rng);
  SampleResult<S> b = sde_leg(fields, a.x, second, on_grid(t_second, second.t0, second.t1, second.steps), rng);
  a.x = std::move(b.x);
  a.times.insert(a.times.end(), b.times.begin(), b.times.end());
  for (auto& m : b.snapshots) a.snapshots.push_back(std::move(m));
  a.stats.nfe += b.stats.nfe;
  a.stats.accepted += b.stats.accepted;
  a.stats.rejected += b.stats.rejected;
  return a;
}

}  // namespace

template <typename S>
SampleResult<S> sde_sample(const Fields<S>& fields, const Mat<S>& x, const SdeSamplerOptions& opt, Rng& rng) {
  if (opt.score_from_drift) {
    SdeSamplerOptions o = opt;
    o.score_from_drift = false;
    return sde_sample(ScoreFromDrift<S>(fields, drift_score_interpolant(fields, opt, true)), x, o, rng);
  }
  check_sde(opt, fields.has_score());
  check_points(fields, x);
  return denoised(fields, opt.t1, opt.denoise, opt.n_snapshots, "sde.denoise", [&](double t_end, int frames) {
    SdeSamplerOptions o = opt;
    o.t1 = t_end;
    o.n_snapshots = frames;
    o.denoise = -1;
    return sde_run(fields, x, o, rng);
  });
}

template <typename S>
LikelihoodResult<S> sde_log_likelihood(const Fields<S>& fields, const Distribution& base, const Mat<S>& x,
                                       const SdeSamplerOptions& opt, Rng& rng) {
  if (opt.denoise >= 0)
    throw ConfigError("sde.denoise", "applies to sampling: a likelihood follows the paths to the end");
  if (opt.score_from_drift) {
    SdeSamplerOptions o = opt;
    o.score_from_drift = false;
    return sde_log_likelihood(ScoreFromDrift<S>(fields, drift_score_interpolant(fields, opt, false)), base, x, o, rng);
  }
  check_sde(opt, fields.has_score());
  check_points(fields, x);
  if (!(opt.t0 < opt.t1))
    throw ConfigError("sde.t0", "the likelihood needs t0 < t1, got t0=" + str(opt.t0) + ", t1=" + str(opt.t1));
  if (opt.n_paths < 2)
    throw ConfigError("sde.n_paths", "the likelihood needs >= 2 paths per point, got " + str(opt.n_paths));
  const Split sp = split_of(opt);
  if (!sp.split) {
    SdeSamplerOptions o = opt;
    if (!sp.noisy) o.eps = 0.0;
    return sde_likelihood_leg(fields, base, x, o, rng);
  }
  // log rho_t1(x) = log rho_u(X_u) - dlogp, dlogp = log rho_u(X_u) - log rho_t1(x) along the
  // backward flow from t1 to u; then the backward SDE from u to t0 gives log rho_u(X_u).
  OdeSamplerOptions back;
  back.method = OdeMethod::Rk4;
  back.steps = sp.quiet_steps;
  back.t0 = opt.t1;
  back.t1 = sp.u;
  back.with_logp = true;
  back.divergence = opt.divergence;
  back.probes = std::max(2, opt.probes);
  back.probe_seed = opt.probe_seed + 1;
  Mat<S> per_probe;
  const SampleResult<S> flow = run_flow(fields, x, back, "sde_log_likelihood", &per_probe);
  SdeSamplerOptions noisy = opt;
  noisy.t1 = sp.u;
  noisy.steps = sp.noisy_steps;
  LikelihoodResult<S> r = sde_likelihood_leg(fields, base, flow.x, noisy, rng);
  r.logp -= flow.dlogp.template cast<double>();
  if (opt.divergence == Divergence::Hutchinson) {  // the flow leg's probe noise adds in quadrature
    r.std_error = (r.std_error.array().square() + variance_of_probe_mean(per_probe).array()).sqrt().matrix();
  }
  r.stats.nfe += flow.stats.nfe;
  r.stats.accepted += flow.stats.accepted;
  return r;
}

#define SI_INSTANTIATE(S)                                                                                  \
  template SampleResult<S> ode_sample<S>(const Fields<S>&, const Mat<S>&, const OdeSamplerOptions&);       \
  template LikelihoodResult<S> ode_log_likelihood<S>(const Fields<S>&, const Distribution&, const Mat<S>&, \
                                                     const OdeSamplerOptions&);                            \
  template SampleResult<S> sde_sample<S>(const Fields<S>&, const Mat<S>&, const SdeSamplerOptions&, Rng&); \
  template LikelihoodResult<S> sde_log_likelihood<S>(const Fields<S>&, const Distribution&, const Mat<S>&, \
                                                     const SdeSamplerOptions&, Rng&);
SI_INSTANTIATE(float)
SI_INSTANTIATE(double)
#undef SI_INSTANTIATE

}  // namespace si
