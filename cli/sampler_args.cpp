#include "sampler_args.hpp"

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
  default_interval(model, false, o.t0, o.t1);
  return o;
}

SdeSamplerOptions sde_options(const Model& model, const SdeArgs& a) {
  const SdeDefaults& d = model.config().sde;
  SdeSamplerOptions o;
  o.method = sde_method_from_name(a.method.empty() ? d.method : a.method, "--sde-method");
  o.steps = a.steps > 0 ? a.steps : d.steps;
  o.eps = a.eps >= 0 ? a.eps : d.eps;
  if (o.eps > 0 && !model.has_score())
    throw ConfigError("--eps", "this model (fields '" + to_name(model.config().fields) +
                                   "') has no score, so the SDE needs --eps 0 (or use the ODE)");
  default_interval(model, true, o.t0, o.t1);
  return o;
}

std::string describe(const OdeSamplerOptions& o) {
  std::string s = "ODE " + to_name(o.method);
  s += o.method == OdeMethod::Dopri5 ? " (atol " + format_number(o.atol) + ", rtol " + format_number(o.rtol) + ")"
                                     : " (" + std::to_string(o.steps) + " steps)";
  return s + " on [" + format_number(o.t0) + ", " + format_number(o.t1) + "]";
}

std::string describe(const SdeSamplerOptions& o) {
  return "SDE " + to_name(o.method) + " (eps " + format_number(o.eps) + ", " + std::to_string(o.steps) +
         " steps) on [" + format_number(o.t0) + ", " + format_number(o.t1) + "]";
}

}  // namespace si::cli
