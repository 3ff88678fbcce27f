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
  double eps = -1;        // < 0: the config's
  double eps_until = -1;  // < 0: the model's default (see SdePlan)
};

// The SDE as the command line runs it. A score derived from a denoiser (s = -eta / alpha one-sided,
// -eta / gamma two-sided) is singular at t = 1 and amplifies the network's error there without
// bound, so for such models (when b is a network of its own) the noise is switched off after
// eps_until = 0.99 and the last steps follow the probability flow b alone; the reference code
// stops its denoiser SDE at 0.99 instead. Likelihoods then go through the backward ODE from t1 to
// eps_until and the backward SDE from there.
struct SdePlan {
  SdeSamplerOptions sde;
  double eps_until = -1;  // < 0 or >= sde.t1: noise over the whole interval
  bool split() const { return eps_until > sde.t0 && eps_until < sde.t1; }
};

// steps_name lets eval use --ode-steps while sample uses --steps.
void add_ode_args(CLI::App* app, OdeArgs& a, const std::string& steps_name = "--steps",
                  const std::string& default_note = "the model config's");
void add_sde_args(CLI::App* app, SdeArgs& a, const std::string& steps_name);

// Options for a model: the args over its config's defaults; the interval is the model's default
// (see Model::sampling_interval) unless t0/t1 are >= 0.
OdeSamplerOptions ode_options(const Model& model, const OdeArgs& a, const std::string& fallback_method = "",
                              int fallback_steps = 0);
SdePlan sde_plan(const Model& model, const SdeArgs& a);
std::string describe(const OdeSamplerOptions& o);
std::string describe(const SdePlan& p);

// Forward SDE samples by the plan (snapshots: n_snapshots of plan.sde, spread over both legs).
SampleResult<float> run_sde(const Model& model, const MatF& x0, const SdePlan& plan, Rng& rng);
// SDE log-likelihood of the points x (d x n) by the plan, start = the density at t0.
LikelihoodResult<float> run_sde_likelihood(const Model& model, const Distribution& start, const MatF& x,
                                           const SdePlan& plan, Rng& rng);

}  // namespace si::cli
