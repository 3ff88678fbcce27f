// Command-line options for the samplers, shared by sample, eval and plot. The flags become the
// options of core's sampling plan (si/sampling.hpp) over the model's defaults (its config's
// "sampling" section and its policy for denoiser scores), so `si sample` and the wasm package
// sample the same way.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common.hpp"
#include "si/sampling.hpp"

namespace si::cli {

struct OdeArgs {
  std::string method;  // empty: rk4 if steps are given, dopri5 if tolerances are, else the default
  int steps = 0;       // 0: the config's
  double atol = 0, rtol = 0;
  CLI::Option *steps_opt = nullptr, *atol_opt = nullptr, *rtol_opt = nullptr;
};

struct SdeArgs {
  std::string method;
  int steps = 0;
  double eps = -1;        // < 0: the config's
  double eps_until = -1;  // < 0: the model's default (si/sampling.hpp)
  std::string score;      // empty: the config's ("learned" or "drift")
};

// steps_name lets eval use --ode-steps while sample uses --steps.
void add_ode_args(CLI::App* app, OdeArgs& a, const std::string& steps_name = "--steps",
                  const std::string& default_note = "the model config's");
void add_sde_args(CLI::App* app, SdeArgs& a, const std::string& steps_name);

// The plan's JSON options for the flags given (the rest stay the model's defaults).
// fallback_method / fallback_steps replace the config's method and steps when no flag sets them.
nlohmann::json ode_options_json(const Model& model, const OdeArgs& a, const std::string& fallback_method = "",
                                int fallback_steps = 0);
nlohmann::json sde_options_json(const Model& model, const SdeArgs& a);

// The options as the plan reads them (sampling.hpp), for a likelihood or a caller's own start points.
OdeSamplerOptions ode_options(const Model& model, const OdeArgs& a, const std::string& fallback_method = "",
                              int fallback_steps = 0);
SdeSamplerOptions sde_options(const Model& model, const SdeArgs& a);

// Runs f(); a ConfigError about a sampler option ("ode.steps", "sde.epsUntil", ...) comes out named
// by the command-line flag that sets it ("--steps", "--eps-until").
template <typename F>
auto with_flag_names(F&& f) -> decltype(f());
std::string flag_of(const std::string& option_field);

template <typename F>
auto with_flag_names(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ConfigError& e) {
    const std::string flag = flag_of(e.field());
    if (flag == e.field()) throw;
    throw ConfigError(flag, std::string(e.what()).substr(e.field().size() + 2));
  }
}

}  // namespace si::cli
