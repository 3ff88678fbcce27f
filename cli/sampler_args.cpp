#include "sampler_args.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace si::cli {

void add_ode_args(CLI::App* app, OdeArgs& a, const std::string& steps_name, const std::string& default_note) {
  app->add_option(
         "--ode-method", a.method,
         "ODE integrator: dopri5 | rk4 | heun | euler (default: " + default_note + "; rk4 when only steps are given)")
      ->check(CLI::IsMember({"dopri5", "rk4", "heun", "euler"}));
  a.steps_opt = app->add_option(steps_name, a.steps, "Fixed ODE steps (rk4, heun, euler)")->check(kPositive);
  a.atol_opt = app->add_option("--atol", a.atol, "dopri5 absolute tolerance")->check(kPositive);
  a.rtol_opt = app->add_option("--rtol", a.rtol, "dopri5 relative tolerance")->check(kPositive);
}

void add_sde_args(CLI::App* app, SdeArgs& a, const std::string& steps_name) {
  app->add_option("--sde-method", a.method, "SDE integrator: heun | euler | heun-karras (default: the config's)")
      ->check(CLI::IsMember({"heun", "euler", "heun-karras"}));
  app->add_option("--eps", a.eps, "SDE noise level eps >= 0 (default: the config's)")->check(kNonNegative);
  if (!steps_name.empty()) app->add_option(steps_name, a.steps, "SDE steps (default: the config's)")->check(kPositive);
  app->add_option("--eps-until", a.eps_until,
                  "Switch the SDE noise off after this time (default: 0.99 for denoiser models, whose score "
                  "-eta/alpha is singular at t = 1; else never)")
      ->check(CLI::Range(0.0, 1.0));
}

OdeSamplerOptions ode_options(const Model& model, const OdeArgs& a, const std::string& fallback_method,
                              int fallback_steps) {
  const OdeDefaults& d = model.config().ode;
  OdeSamplerOptions o;
  std::string method = a.method;
  if (method.empty())
    method = a.steps > 0                ? "rk4"
             : a.atol > 0 || a.rtol > 0 ? "dopri5"
             : !fallback_method.empty() ? fallback_method
                                        : d.method;
  o.method = ode_method_from_name(method, "--ode-method");
  o.steps = a.steps > 0 ? a.steps : fallback_steps > 0 ? fallback_steps : d.steps;
  o.atol = a.atol > 0 ? a.atol : d.atol;
  o.rtol = a.rtol > 0 ? a.rtol : d.rtol;
  const bool adaptive = o.method == OdeMethod::Dopri5;
  if (adaptive && a.steps > 0)
    throw ConfigError(a.steps_opt ? a.steps_opt->get_name() : "--steps",
                      "fixed steps do not apply to dopri5 (use --atol/--rtol, or --ode-method rk4)");
  if (!adaptive && (a.atol > 0 || a.rtol > 0))
    throw ConfigError(a.atol > 0 ? "--atol" : "--rtol", "tolerances apply to dopri5 only, not " + method);
  std::tie(o.t0, o.t1) = model.sampling_interval(false);
  return o;
}

SdePlan sde_plan(const Model& model, const SdeArgs& a) {
  const SdeDefaults& d = model.config().sde;
  SdePlan p;
  SdeSamplerOptions& o = p.sde;
  o.method = sde_method_from_name(a.method.empty() ? d.method : a.method, "--sde-method");
  o.steps = a.steps > 0 ? a.steps : d.steps;
  o.eps = a.eps >= 0 ? a.eps : d.eps;
  if (o.eps > 0 && !model.has_score())
    throw ConfigError("--eps", "this model (fields '" + to_name(model.config().fields) +
                                   "') has no score, so the SDE needs --eps 0 (or use the ODE)");
  std::tie(o.t0, o.t1) = model.sampling_interval(true);
  const auto& nets = model.networks();
  const bool denoiser_score = nets.count("eta") && !nets.count("s");
  if (a.eps_until >= 0)
    p.eps_until = a.eps_until;
  else if (denoiser_score && nets.count("b"))
    p.eps_until = 0.99;
  else if (denoiser_score)
    o.t1 = std::min(o.t1, 0.99);  // b needs the score too: stop where the reference stops
  return p;
}

namespace {

SdeSamplerOptions leg(const SdeSamplerOptions& o, double t0, double t1, int steps, double eps, int frames) {
  SdeSamplerOptions l = o;
  l.t0 = t0;
  l.t1 = t1;
  l.steps = std::max(1, steps);
  l.eps = eps;
  l.n_snapshots = frames;
  return l;
}

}  // namespace

SampleResult<float> run_sde(const Model& model, const MatF& x0, const SdePlan& plan, Rng& rng) {
  const SdeSamplerOptions& o = plan.sde;
  if (!plan.split()) return sde_sample<float>(model, x0, o, rng);
  const double frac = (plan.eps_until - o.t0) / (o.t1 - o.t0);
  const int s1 = std::clamp(int(std::lround(o.steps * frac)), 1, std::max(1, o.steps - 1));
  const int f1 = o.n_snapshots > 0 ? std::max(2, o.n_snapshots - 1) : 0;
  SampleResult<float> a = sde_sample<float>(model, x0, leg(o, o.t0, plan.eps_until, s1, o.eps, f1), rng);
  SampleResult<float> b =
      sde_sample<float>(model, a.x, leg(o, plan.eps_until, o.t1, o.steps - s1, 0.0, f1 ? 2 : 0), rng);
  // The second leg's first frame is the first leg's last.
  for (size_t k = 1; k < b.snapshots.size(); ++k) {
    a.times.push_back(b.times[k]);
    a.snapshots.push_back(std::move(b.snapshots[k]));
  }
  a.x = std::move(b.x);
  a.stats.nfe += b.stats.nfe;
  a.stats.accepted += b.stats.accepted;
  a.stats.rejected += b.stats.rejected;
  return a;
}

LikelihoodResult<float> run_sde_likelihood(const Model& model, const Distribution& start, const MatF& x,
                                           const SdePlan& plan, Rng& rng) {
  const SdeSamplerOptions& o = plan.sde;
  if (!plan.split()) return sde_log_likelihood<float>(model, start, x, o, rng);
  // log rho_t1(x) = log rho_u(X_u) - dlogp, with dlogp = log rho_u(X_u) - log rho_t1(x) along the
  // backward flow from t1 to u = eps_until (RK4 in as many steps as the SDE takes there).
  const double frac = (plan.eps_until - o.t0) / (o.t1 - o.t0);
  const int s1 = std::clamp(int(std::lround(o.steps * frac)), 1, std::max(1, o.steps - 1));
  OdeSamplerOptions back;
  back.method = OdeMethod::Rk4;
  back.steps = std::max(1, o.steps - s1);
  back.t0 = o.t1;
  back.t1 = plan.eps_until;
  back.with_logp = true;
  const SampleResult<float> flow = ode_sample<float>(model, x, back);
  LikelihoodResult<float> r =
      sde_log_likelihood<float>(model, start, flow.x, leg(o, o.t0, plan.eps_until, s1, o.eps, 0), rng);
  r.logp -= flow.dlogp.cast<double>();
  r.stats.nfe += flow.stats.nfe;
  r.stats.accepted += flow.stats.accepted;
  return r;
}

std::string describe(const OdeSamplerOptions& o) {
  std::string s = "ODE " + to_name(o.method);
  s += o.method == OdeMethod::Dopri5 ? " (atol " + format_number(o.atol) + ", rtol " + format_number(o.rtol) + ")"
                                     : " (" + std::to_string(o.steps) + " steps)";
  return s + " on [" + format_number(o.t0) + ", " + format_number(o.t1) + "]";
}

std::string describe(const SdePlan& p) {
  const SdeSamplerOptions& o = p.sde;
  return "SDE " + to_name(o.method) + " (eps " + format_number(o.eps) + ", " + std::to_string(o.steps) +
         " steps) on [" + format_number(o.t0) + ", " + format_number(o.t1) + "]" +
         (p.split() ? ", noise off after t = " + format_number(p.eps_until) : "");
}

}  // namespace si::cli
