#include "si/integrators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace si {
namespace {

template <typename T>
std::string str(const T& v) {
  return format_number(static_cast<double>(v));
}

[[noreturn]] void non_finite(const std::string& method, double t) {
  throw NumericalError(method + ": non-finite state (NaN or inf) at t=" + str(t));
}

// Output times in direction-normalised form u = (t - t0) / (t1 - t0) in [0, 1], checked.
std::vector<double> normalised_outputs(const std::vector<double>& times, double t0, double t1) {
  std::vector<double> u;
  const double span = t1 - t0;
  const double slack = 1e-12 * std::max(1.0, std::abs(t0) + std::abs(t1));
  double prev = 0.0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    const double t = times[i];
    const std::string field = "output_times[" + str(i) + "]";
    if (!std::isfinite(t)) throw ConfigError(field, "must be finite, got " + str(t));
    double v = span == 0.0 ? 1.0 : (t - t0) / span;
    if (span == 0.0 ? std::abs(t - t0) > slack : (v < -slack / std::abs(span) || v > 1.0 + slack / std::abs(span)))
      throw ConfigError(field, "must lie between t0=" + str(t0) + " and t1=" + str(t1) + ", got " + str(t));
    v = std::clamp(v, 0.0, 1.0);
    if (v < prev - 1e-12) throw ConfigError(field, "output times must be ordered from t0 towards t1, got " + str(t));
    prev = std::max(prev, v);
    u.push_back(v);
  }
  return u;
}

// The uniform grid of `steps` steps with every output time inserted (a crossing step is split).
// out_index[j] is the grid node of output j.
struct Grid {
  std::vector<double> t;
  std::vector<std::size_t> out_index;
};

Grid make_grid(double t0, double t1, int steps, const std::vector<double>& outputs) {
  const std::vector<double> u = normalised_outputs(outputs, t0, t1);
  // Output times within this distance of a grid node snap to it rather than make a tiny step.
  const double snap = 1e-9 / steps;
  std::vector<double> nodes;
  Grid g;
  std::size_t j = 0;
  for (int k = 0; k <= steps; ++k) {
    const double uk = static_cast<double>(k) / steps;
    for (; j < u.size() && u[j] < uk - snap; ++j) {
      if (nodes.empty() || u[j] > nodes.back() + snap) nodes.push_back(u[j]);
      g.out_index.push_back(nodes.size() - 1);
    }
    nodes.push_back(uk);
    for (; j < u.size() && u[j] <= uk + snap; ++j) g.out_index.push_back(nodes.size() - 1);
  }
  g.t.resize(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) g.t[i] = t0 + (t1 - t0) * nodes[i];
  g.t.back() = t1;
  return g;
}

template <typename S>
struct Counter {
  const OdeRhs<S>& f;
  IntegratorStats& stats;
  void operator()(double t, const Mat<S>& x, Mat<S>& dx) const {
    dx.resize(x.rows(), x.cols());
    f(t, x, dx);
    ++stats.nfe;
  }
};

template <typename S>
OdeSolution<S> integrate_fixed(const OdeRhs<S>& rhs, const Mat<S>& x0, double t0, double t1, const OdeOptions& opt,
                               const std::vector<double>& outputs) {
  OdeSolution<S> sol;
  sol.times = outputs;
  const Grid grid = make_grid(t0, t1, opt.steps, outputs);
  const std::string name = to_name(opt.method);
  Counter<S> f{rhs, sol.stats};
  Mat<S> x = x0, k1, k2, k3, k4, tmp;
  std::size_t next_out = 0;
  auto save = [&](std::size_t node) {
    for (; next_out < grid.out_index.size() && grid.out_index[next_out] == node; ++next_out) sol.snapshots.push_back(x);
  };
  save(0);
  for (std::size_t i = 0; i + 1 < grid.t.size(); ++i) {
    const double t = grid.t[i], h = grid.t[i + 1] - t;
    const S hs = static_cast<S>(h);
    if (h == 0.0) {
      save(i + 1);
      continue;
    }
    switch (opt.method) {
      case OdeMethod::Euler:
        f(t, x, k1);
        x += hs * k1;
        break;
      case OdeMethod::Heun:
        f(t, x, k1);
        tmp = x + hs * k1;
        f(t + h, tmp, k2);
        x += (hs / 2) * (k1 + k2);
        break;
      case OdeMethod::Rk4:
        f(t, x, k1);
        tmp = x + (hs / 2) * k1;
        f(t + h / 2, tmp, k2);
        tmp = x + (hs / 2) * k2;
        f(t + h / 2, tmp, k3);
        tmp = x + hs * k3;
        f(t + h, tmp, k4);
        x += (hs / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
        break;
      case OdeMethod::Dopri5:
        throw std::logic_error("integrate_fixed: dopri5 is adaptive");
    }
    if (!x.allFinite()) non_finite(name, grid.t[i + 1]);
    ++sol.stats.accepted;
    save(i + 1);
  }
  sol.x = std::move(x);
  return sol;
}

// Dormand-Prince 5(4) tableau; the solution uses the 5th-order weights (row 7, FSAL).
constexpr double kC[7] = {0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
constexpr double kA[7][6] = {{0, 0, 0, 0, 0, 0},
                             {1.0 / 5, 0, 0, 0, 0, 0},
                             {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
                             {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
                             {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
                             {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0},
                             {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
// b (5th order) minus bhat (4th order): the local error estimate is h * sum E_i k_i.
constexpr double kE[7] = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};
// Continuous extension (Shampine's 4th-order dense output, as in Hairer's DOPRI5 and SciPy):
// x(t + th h) = x + h sum_i k_i sum_p P[i][p] th^(p+1).
constexpr double kP[7][4] = {
    {1, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608, -12715105075.0 / 11282082432},
    {0, 0, 0, 0},
    {0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933, 87487479700.0 / 32700410799},
    {0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304, -10690763975.0 / 1880347072},
    {0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408, 701980252875.0 / 199316789632},
    {0, -282668133.0 / 205662961, 2019193451.0 / 616988883, -1453857185.0 / 822651844},
    {0, 40617522.0 / 29380423, -110615467.0 / 29380423, 69997945.0 / 29380423}};

constexpr double kSafety = 0.9, kMinFactor = 0.2, kMaxFactor = 10.0;

// RMS over all entries of v / (atol + rtol max(|a|, |b|)), accumulated in double.
template <typename S>
double error_norm(const Mat<S>& v, const Mat<S>& a, const Mat<S>& b, double atol, double rtol) {
  const Eigen::Index n = v.size();
  if (n == 0) return 0.0;
  const S *pv = v.data(), *pa = a.data(), *pb = b.data();
  double sum = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double sc = atol + rtol * std::max(std::abs(double(pa[i])), std::abs(double(pb[i])));
    const double r = double(pv[i]) / sc;
    sum += r * r;
  }
  return std::sqrt(sum / n);
}

// Hairer, Norsett & Wanner, Solving ODEs I, II.4: a first step whose Euler error is about tol.
template <typename S>
double initial_step(const Counter<S>& f, const Mat<S>& x0, const Mat<S>& f0, double t0, double dir, double span,
                    const OdeOptions& opt) {
  const double d0 = error_norm<S>(x0, x0, x0, opt.atol, opt.rtol);
  const double d1 = error_norm<S>(f0, x0, x0, opt.atol, opt.rtol);
  double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  h0 = std::min(h0, span);
  const Mat<S> x1 = x0 + static_cast<S>(dir * h0) * f0;
  Mat<S> f1;
  f(t0 + dir * h0, x1, f1);
  const Mat<S> df = f1 - f0;
  const double d2 = error_norm<S>(df, x0, x0, opt.atol, opt.rtol) / h0;
  const double dmax = std::max(d1, d2);
  const double h1 = dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / 5);
  return std::min({100 * h0, h1, span});
}

template <typename S>
OdeSolution<S> integrate_dopri5(const OdeRhs<S>& rhs, const Mat<S>& x0, double t0, double t1, const OdeOptions& opt,
                                const std::vector<double>& outputs) {
  OdeSolution<S> sol;
  sol.times = outputs;
  const std::vector<double> u = normalised_outputs(outputs, t0, t1);
  Counter<S> f{rhs, sol.stats};
  const double span = std::abs(t1 - t0), dir = t1 > t0 ? 1.0 : -1.0;
  std::size_t next_out = 0;
  // Outputs at t0 are the initial state.
  for (; next_out < u.size() && u[next_out] == 0.0; ++next_out) sol.snapshots.push_back(x0);
  if (span == 0.0) {
    for (; next_out < u.size(); ++next_out) sol.snapshots.push_back(x0);
    sol.x = x0;
    return sol;
  }
  Mat<S> x = x0, xn, err, tmp;
  Mat<S> k[7];
  f(t0, x, k[0]);
  if (!k[0].allFinite()) non_finite("dopri5", t0);
  double h = opt.first_step > 0 ? std::min(opt.first_step, span) : initial_step(f, x, k[0], t0, dir, span, opt);
  double t = t0;
  bool last_rejected = false, last_non_finite = false;
  while (dir * (t1 - t) > 0) {
    if (sol.stats.accepted + sol.stats.rejected >= opt.max_steps)
      throw NumericalError("dopri5: exceeded max_steps=" + str(opt.max_steps) + " at t=" + str(t) + " (step " + str(h) +
                           ")");
    const double h_min = 16 * std::numeric_limits<double>::epsilon() * std::max(std::abs(t), span);
    if (h < h_min) {
      // Shrinking never got rid of the NaN/inf: the right-hand side itself produces them here.
      if (last_non_finite) non_finite("dopri5", t);
      throw NumericalError("dopri5: step size underflow (" + str(h) + ") at t=" + str(t));
    }
    const bool final_step = h >= dir * (t1 - t) * (1 - 1e-12);
    if (final_step) h = dir * (t1 - t);
    const double hs = dir * h;
    for (int s = 1; s < 7; ++s) {
      tmp = x;
      for (int j = 0; j < s; ++j)
        if (kA[s][j] != 0.0) tmp += static_cast<S>(hs * kA[s][j]) * k[j];
      if (s == 6) xn = tmp;
      f(t + kC[s] * hs, tmp, k[s]);
    }
    err = static_cast<S>(hs * kE[0]) * k[0];
    for (int s = 2; s < 7; ++s) err += static_cast<S>(hs * kE[s]) * k[s];
    double en = error_norm<S>(err, x, xn, opt.atol, opt.rtol);
    last_non_finite = !std::isfinite(en) || !k[6].allFinite();
    if (last_non_finite) en = std::numeric_limits<double>::infinity();
    if (en > 1.0) {
      ++sol.stats.rejected;
      h *= std::isfinite(en) ? std::max(kMinFactor, kSafety * std::pow(en, -0.2)) : kMinFactor;
      last_rejected = true;
      continue;
    }
    const double t_new = final_step ? t1 : t + hs;
    // Dense output for every requested time in (t, t_new].
    const double u_new = final_step ? 1.0 : (t_new - t0) / (t1 - t0);
    for (; next_out < u.size() && u[next_out] <= u_new; ++next_out) {
      const double th = std::clamp((t0 + u[next_out] * (t1 - t0) - t) / hs, 0.0, 1.0);
      Mat<S> y = x;
      for (int s = 0; s < 7; ++s) {
        const double w = th * (kP[s][0] + th * (kP[s][1] + th * (kP[s][2] + th * kP[s][3])));
        if (w != 0.0) y += static_cast<S>(hs * w) * k[s];
      }
      sol.snapshots.push_back(final_step && u[next_out] >= 1.0 ? xn : y);
    }
    ++sol.stats.accepted;
    x.swap(xn);
    k[0].swap(k[6]);
    t = t_new;
    double factor = en == 0.0 ? kMaxFactor : std::min(kMaxFactor, kSafety * std::pow(en, -0.2));
    // After a rejection, do not grow the step straight away (Hairer's controller).
    if (last_rejected) factor = std::min(1.0, factor);
    last_rejected = false;
    h *= factor;
  }
  sol.x = std::move(x);
  return sol;
}

}  // namespace

Registry<OdeMethodDef>& ode_methods() {
  static Registry<OdeMethodDef> table("ODE method", {
                                                        {"euler", OdeMethod::Euler, false, 1},
                                                        {"heun", OdeMethod::Heun, false, 2},
                                                        {"rk4", OdeMethod::Rk4, false, 4},
                                                        {"dopri5", OdeMethod::Dopri5, true, 5},
                                                    });
  return table;
}

Registry<SdeMethodDef>& sde_methods() {
  static Registry<SdeMethodDef> table("SDE method", {
                                                        {"euler", SdeMethod::Euler, 1},
                                                        {"heun", SdeMethod::Heun, 2},
                                                        {"heun-karras", SdeMethod::HeunKarras, 1},
                                                    });
  return table;
}

std::vector<std::string> ode_method_names() { return ode_methods().names(); }
std::vector<std::string> sde_method_names() { return sde_methods().names(); }

OdeMethod ode_method_from_name(const std::string& name, const std::string& field) {
  return ode_methods().at(name, field).value;
}
SdeMethod sde_method_from_name(const std::string& name, const std::string& field) {
  return sde_methods().at(name, field).value;
}

std::string to_name(OdeMethod m) { return ode_methods().of(m).name; }
std::string to_name(SdeMethod m) { return sde_methods().of(m).name; }

void OdeOptions::validate(const std::string& prefix) const {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  if (method != OdeMethod::Dopri5 && steps < 1)
    throw ConfigError(p + "steps", "must be an integer >= 1, got " + str(steps));
  // Below 1e-12 the error norm's scale underflows against double (and float) rounding: no step
  // could ever meet it, and the step-size control would only produce NaN.
  if (!(atol >= 1e-12) || !(atol <= 1)) throw ConfigError(p + "atol", "must be in [1e-12, 1], got " + str(atol));
  if (!(rtol == 0 || (rtol >= 1e-12 && rtol <= 1)))
    throw ConfigError(p + "rtol", "must be 0 or in [1e-12, 1], got " + str(rtol));
  if (!(first_step >= 0) || !std::isfinite(first_step))
    throw ConfigError(p + "first_step", "must be >= 0 (0 = automatic), got " + str(first_step));
  if (max_steps < 1) throw ConfigError(p + "max_steps", "must be >= 1, got " + str(max_steps));
}

void SdeOptions::validate(const std::string& prefix) const {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  if (steps < 1) throw ConfigError(p + "steps", "must be an integer >= 1, got " + str(steps));
  if (!(sigma >= 0) || !std::isfinite(sigma)) throw ConfigError(p + "sigma", "must be >= 0, got " + str(sigma));
}

std::vector<double> equally_spaced_times(double t0, double t1, int n) {
  std::vector<double> out;
  if (n == 1) out.push_back(t1);
  for (int i = 0; n > 1 && i < n; ++i) out.push_back(i == n - 1 ? t1 : t0 + (t1 - t0) * i / (n - 1));
  return out;
}

template <typename S>
OdeSolution<S> integrate_ode(const OdeRhs<S>& f, const Mat<S>& x0, double t0, double t1, const OdeOptions& opt,
                             const std::vector<double>& output_times) {
  opt.validate();
  if (!std::isfinite(t0) || !std::isfinite(t1))
    throw ConfigError("ode.t0", "t0 and t1 must be finite, got " + str(t0) + ", " + str(t1));
  if (!x0.allFinite()) non_finite(to_name(opt.method), t0);
  if (opt.method == OdeMethod::Dopri5) return integrate_dopri5(f, x0, t0, t1, opt, output_times);
  return integrate_fixed(f, x0, t0, t1, opt, output_times);
}

template <typename S>
OdeSolution<S> integrate_sde(const OdeRhs<S>& rhs, const Mat<S>& x0, double t0, double t1, const SdeOptions& opt,
                             Rng& rng, Eigen::Index noise_rows, const std::vector<double>& output_times,
                             const NoiseObserver<S>& observer) {
  opt.validate();
  if (!std::isfinite(t0) || !std::isfinite(t1))
    throw ConfigError("sde.t0", "t0 and t1 must be finite, got " + str(t0) + ", " + str(t1));
  if (noise_rows < 0 || noise_rows > x0.rows())
    throw ConfigError("noise_rows", "must be in [0, " + str(x0.rows()) + "], got " + str(noise_rows));
  const std::string name = "sde " + to_name(opt.method);
  if (!x0.allFinite()) non_finite(name, t0);
  OdeSolution<S> sol;
  sol.times = output_times;
  const Grid grid = make_grid(t0, t1, opt.steps, output_times);
  Counter<S> f{rhs, sol.stats};
  Mat<S> x = x0, k1, k2, xp, noise;
  std::size_t next_out = 0;
  auto save = [&](std::size_t node) {
    for (; next_out < grid.out_index.size() && grid.out_index[next_out] == node; ++next_out) sol.snapshots.push_back(x);
  };
  save(0);
  const Eigen::Index n = x0.cols();
  for (std::size_t i = 0; i + 1 < grid.t.size(); ++i) {
    const double t = grid.t[i], h = grid.t[i + 1] - t;
    const S hs = static_cast<S>(h);
    if (h == 0.0) {
      save(i + 1);
      continue;
    }
    // One Brownian increment per step, N(0, |h| I), shared by both stages of the Heun methods.
    const bool noisy = opt.sigma > 0 && noise_rows > 0;
    if (noisy) {
      noise = static_cast<S>(opt.sigma * std::sqrt(std::abs(h))) * rng.normal_matrix<S>(noise_rows, n);
      if (observer) observer(t, x, noise);
    }
    switch (opt.method) {
      case SdeMethod::Euler:
        f(t, x, k1);
        x += hs * k1;
        if (noisy) x.topRows(noise_rows) += noise;
        break;
      case SdeMethod::Heun:
        f(t, x, k1);
        xp = x + hs * k1;
        if (noisy) xp.topRows(noise_rows) += noise;
        f(t + h, xp, k2);
        x += (hs / 2) * (k1 + k2);
        if (noisy) x.topRows(noise_rows) += noise;
        break;
      case SdeMethod::HeunKarras:
        if (noisy) x.topRows(noise_rows) += noise;
        f(t + h, x, k1);
        xp = x + hs * k1;
        f(t + h, xp, k2);
        x += (hs / 2) * (k1 + k2);
        break;
    }
    if (!x.allFinite()) non_finite(name, grid.t[i + 1]);
    ++sol.stats.accepted;
    save(i + 1);
  }
  sol.x = std::move(x);
  return sol;
}

#define SI_INSTANTIATE(S)                                                                                            \
  template OdeSolution<S> integrate_ode<S>(const OdeRhs<S>&, const Mat<S>&, double, double, const OdeOptions&,       \
                                           const std::vector<double>&);                                              \
  template OdeSolution<S> integrate_sde<S>(const OdeRhs<S>&, const Mat<S>&, double, double, const SdeOptions&, Rng&, \
                                           Eigen::Index, const std::vector<double>&, const NoiseObserver<S>&);
SI_INSTANTIATE(float)
SI_INSTANTIATE(double)
#undef SI_INSTANTIATE

}  // namespace si
