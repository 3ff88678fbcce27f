#include "sampler_args.hpp"

#include <map>

namespace si::cli {

using nlohmann::json;

void add_ode_args(CLI::App* app, OdeArgs& a, const std::string& steps_name, const std::string& default_note) {
  app->add_option("--ode-method", a.method,
                  "ODE integrator: " + join(ode_method_names(), " | ") + " (default: " + default_note +
                      "; rk4 when only steps are given)")
      ->check(CLI::IsMember(ode_method_names()));
  a.steps_opt = app->add_option(steps_name, a.steps, "Fixed ODE steps (rk4, heun, euler)")->check(kPositive);
  a.atol_opt = app->add_option("--atol", a.atol, "dopri5 absolute tolerance")->check(kPositive);
  a.rtol_opt = app->add_option("--rtol", a.rtol, "dopri5 relative tolerance")->check(kPositive);
}

void add_sde_args(CLI::App* app, SdeArgs& a, const std::string& steps_name) {
  app->add_option("--sde-method", a.method,
                  "SDE integrator: " + join(sde_method_names(), " | ") + " (default: the config's)")
      ->check(CLI::IsMember(sde_method_names()));
  app->add_option("--eps", a.eps, "SDE noise level eps >= 0 (default: the config's)")->check(kNonNegative);
  if (!steps_name.empty()) app->add_option(steps_name, a.steps, "SDE steps (default: the config's)")->check(kPositive);
  app->add_option("--eps-until", a.eps_until,
                  "Switch the SDE noise off after this time (default: 0.99 for denoiser models, whose score "
                  "-eta/alpha is singular at t = 1; else never)")
      ->check(kUnitInterval);
  app->add_option("--score", a.score,
                  "The SDE's score: learned (the model's own) or drift (derived from b, one-sided paths; needs the "
                  "noise to end before t = 1, e.g. --denoise 0.9). Default: the config's")
      ->check(CLI::IsMember({"learned", "drift"}));
}

json ode_options_json(const Model& model, const OdeArgs& a, const std::string& fallback_method, int fallback_steps) {
  std::string method = a.method;
  if (method.empty())
    method = a.steps > 0                ? "rk4"
             : a.atol > 0 || a.rtol > 0 ? "dopri5"
             : !fallback_method.empty() ? fallback_method
                                        : model.config().ode.method;
  const bool adaptive = ode_methods().at(method, "--ode-method").adaptive;
  if (adaptive && a.steps > 0)
    throw ConfigError(a.steps_opt ? a.steps_opt->get_name() : "--steps",
                      "fixed steps do not apply to " + method + " (use --atol/--rtol, or --ode-method rk4)");
  if (!adaptive && (a.atol > 0 || a.rtol > 0))
    throw ConfigError(a.atol > 0 ? "--atol" : "--rtol", "tolerances apply to dopri5 only, not " + method);
  json o = {{"method", method}};
  if (a.steps > 0)
    o["steps"] = a.steps;
  else if (fallback_steps > 0)
    o["steps"] = fallback_steps;
  if (a.atol > 0) o["atol"] = a.atol;
  if (a.rtol > 0) o["rtol"] = a.rtol;
  return o;
}

json sde_options_json(const Model& model, const SdeArgs& a) {
  json o = json::object();
  if (!a.method.empty()) o["method"] = a.method;
  if (a.steps > 0) o["steps"] = a.steps;
  if (a.eps >= 0) o["eps"] = a.eps;
  if (a.eps_until >= 0) o["epsUntil"] = a.eps_until;
  if (!a.score.empty()) o["score"] = a.score;
  const double eps = a.eps >= 0 ? a.eps : model.config().sde.eps;
  const std::string score = a.score.empty() ? model.config().sde.score : a.score;
  if (eps > 0 && !model.has_score() && score != "drift")
    throw ConfigError("--eps", "this model (fields '" + to_name(model.config().fields) +
                                   "') has no score, so the SDE needs --eps 0 (or use the ODE)");
  return o;
}

OdeSamplerOptions ode_options(const Model& model, const OdeArgs& a, const std::string& fallback_method,
                              int fallback_steps) {
  return with_flag_names([&] {
    OdeSamplerOptions o =
        read_ode_plan(ode_options_json(model, a, fallback_method, fallback_steps), sampling_defaults(model), false).opt;
    o.validate();
    return o;
  });
}

SdeSamplerOptions sde_options(const Model& model, const SdeArgs& a) {
  return with_flag_names([&] {
    SdeSamplerOptions o = read_sde_plan(sde_options_json(model, a), sampling_defaults(model), false).opt;
    o.validate();
    return o;
  });
}

std::string flag_of(const std::string& field) {
  // The plan's option names and the samplers' own field names, for both samplers.
  static const std::map<std::string, std::string> flags = {{"steps", "--steps"},
                                                           {"n", "--n"},
                                                           {"seed", "--seed"},
                                                           {"snapshots", "--frames"},
                                                           {"t0", "--t0"},
                                                           {"t1", "--t1"},
                                                           {"eps", "--eps"},
                                                           {"epsUntil", "--eps-until"},
                                                           {"denoise", "--denoise"},
                                                           {"score", "--score"},
                                                           {"eps_until", "--eps-until"},
                                                           {"atol", "--atol"},
                                                           {"rtol", "--rtol"},
                                                           {"n_snapshots", "--frames"},
                                                           {"n_paths", "--sde-nll-paths"},
                                                           {"paths", "--sde-nll-paths"}};
  for (const char* prefix : {"ode.", "sde."}) {
    if (field.rfind(prefix, 0) != 0) continue;
    const std::string option = field.substr(4);
    if (option == "method") return prefix[0] == 'o' ? "--ode-method" : "--sde-method";
    const auto it = flags.find(option);
    if (it != flags.end()) return it->second;
  }
  return field;
}

}  // namespace si::cli
