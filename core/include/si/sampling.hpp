// One sampling plan for every caller (the CLI, the wasm package, the page through the package):
// the defaults a model implies, one JSON form of the options, and run_ode / run_sde / the two
// likelihoods. So the same model, options and seed give the same samples everywhere.
//
// The JSON form (the package's option names, wasm/API.md):
//   ODE: {method, steps, atol, rtol, maxSteps, t0, t1, n, seed, snapshots, logDensity, divergence, probes}
//   SDE: {method, steps, eps, epsUntil, t0, t1, n, seed, snapshots, paths, controlVariate, divergence, probes}
// n and snapshots apply to sampling, paths and controlVariate to the SDE likelihood; divergence
// ("exact" or "hutchinson") and probes to the log-densities, whose Hutchinson probes are drawn
// from Rng(seed).
//
// Defaults from a model (Model::config().sampling and its fields):
//   - method, steps, tolerances and eps from the config's "sampling" section;
//   - the interval [0, 1], or the training range [t_lo, 1 - t_hi] when the drift (or, for SDEs,
//     the score) is derived through 1/gamma, 1/alpha or gamma' (Model::sampling_interval);
//   - for a score derived from a denoiser (eta learned, s not): the noise stops at epsUntil = 0.99
//     when the drift needs no score (b learned, or one-sided v where b = v); otherwise (two-sided
//     v + eta, where b = v - gamma gamma' s) the SDE ends at t1 = min(t1, 0.99). A config's
//     sampling.sde.eps_until overrides the first.
// Exact Gaussian-mixture fields default to the schema's defaults on [0, 1].
//
// Seeds: the start points are n draws from Rng(seed) of the law at t0 (the initial law forward in
// time, the target backward); the SDE's noise comes from that generator's split() after them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "si/gmm_fields.hpp"
#include "si/model.hpp"
#include "si/samplers.hpp"

namespace si {

// What the fields imply for a sampler call: where paths start and the default options.
struct SamplingDefaults {
  const Distribution* initial = nullptr;  // the law of x_t at t = 0 (the target for the mirror path)
  const Distribution* final = nullptr;    // the law of x_t at t = 1 (the target)
  OdeSamplerOptions ode;
  SdeSamplerOptions sde;
  // The defaults as JSON: {"ode": {...}, "sde": {...}} in the plan's option names.
  nlohmann::json to_json() const;
};
SamplingDefaults sampling_defaults(const Model& model);
SamplingDefaults sampling_defaults(const GmmFields& fields);

struct OdePlan {
  OdeSamplerOptions opt;
  Eigen::Index n = 1000;
  bool n_given = false;
  std::uint64_t seed = 0;
};
struct SdePlan {
  SdeSamplerOptions opt;
  Eigen::Index n = 1000;
  bool n_given = false;
  std::uint64_t seed = 0;
};

// Reads options over the defaults, each checked (ConfigError naming "<prefix>.<option>"); unknown
// options are errors. sampling: the call draws samples (n, seed, snapshots, logDensity) rather
// than evaluating a likelihood (paths, controlVariate; the SDE likelihood takes a seed too).
OdePlan read_ode_plan(const nlohmann::json& options, const SamplingDefaults& defaults, bool sampling,
                      const std::string& prefix = "ode");
SdePlan read_sde_plan(const nlohmann::json& options, const SamplingDefaults& defaults, bool sampling,
                      const std::string& prefix = "sde");
// One line for logs: "SDE heun (eps 0.5, 100 steps) on [0, 1], noise off after t = 0.99".
std::string describe(const OdeSamplerOptions& o);
std::string describe(const SdeSamplerOptions& o);

// The law paths from t0 to t1 start from: the initial law forward in time, the target backward.
const Distribution& start_law(const SamplingDefaults& defaults, double t0, double t1);

template <typename S>
struct Sampled {
  MatD start;              // the start points
  SampleResult<S> result;  // the paths
  VecD logp;               // opt.with_logp: log rho_t1 at the samples (start density + the change)
};

// Paths from the given start points (their number must match an explicit n) or from n draws of
// the start law with Rng(seed).
template <typename S>
Sampled<S> run_ode(const Fields<S>& fields, const SamplingDefaults& defaults, const OdePlan& plan,
                   const MatD* start = nullptr);
template <typename S>
Sampled<S> run_sde(const Fields<S>& fields, const SamplingDefaults& defaults, const SdePlan& plan,
                   const MatD* start = nullptr);
// log rho_t1(x) with rho_t0 the initial law; the SDE's noise from Rng(plan.seed).
template <typename S>
LikelihoodResult<S> run_ode_likelihood(const Fields<S>& fields, const SamplingDefaults& defaults, const Mat<S>& x,
                                       const OdePlan& plan);
template <typename S>
LikelihoodResult<S> run_sde_likelihood(const Fields<S>& fields, const SamplingDefaults& defaults, const Mat<S>& x,
                                       const SdePlan& plan);

}  // namespace si
