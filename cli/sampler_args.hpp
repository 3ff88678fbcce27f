// Command-line options for the samplers, shared by sample, eval and plot: each falls back to the
// model config's "sampling" section (configs/SCHEMA.md).
#pragma once

#include <string>

#include "common.hpp"
#include "si/samplers.hpp"

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
  double eps = -1;  // < 0: the config's
};

// steps_name lets eval use --ode-steps while sample uses --steps.
void add_ode_args(CLI::App* app, OdeArgs& a, const std::string& steps_name = "--steps",
                  const std::string& default_note = "the model config's");
void add_sde_args(CLI::App* app, SdeArgs& a, const std::string& steps_name);

// Options for a model: the args over its config's defaults; the interval is the model's default
// (see default_interval) unless t0/t1 are >= 0.
OdeSamplerOptions ode_options(const Model& model, const OdeArgs& a, const std::string& fallback_method = "",
                              int fallback_steps = 0);
SdeSamplerOptions sde_options(const Model& model, const SdeArgs& a);
std::string describe(const OdeSamplerOptions& o);
std::string describe(const SdeSamplerOptions& o);

}  // namespace si::cli
