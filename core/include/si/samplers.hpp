// Generative dynamics on a model's fields (SPEC section 4): the probability-flow ODE dX = b dt, the
// forward SDE dX = (b + eps s) dt + sqrt(2 eps) dW and the backward SDE dY = (b - eps s) dt +
// sqrt(2 eps) dW run from t = 1 down to 0, with exact log-likelihoods through either.
//
// Time interval: every sampler runs on [t0, t1] (default [0, 1]). A learned score s = -eta/gamma is
// singular where gamma (or alpha) vanishes, so for learned models an interval such as
// [1e-3, 1 - 1e-3] avoids evaluating it at the ends; the samples are then approximately rho_{t1},
// and likelihoods use the base density at t0 as if it were rho_{t0}. The exact Gaussian-mixture
// fields are finite everywhere, so [0, 1] works for them.
//
// Mirror models need nothing special: their drift() returns b = -gamma gamma' s, so the SDE drifts
// b +- eps s reduce to SPEC's (eps - gamma gamma') s and -(eps + gamma gamma') s.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "si/distributions.hpp"
#include "si/fields.hpp"
#include "si/integrators.hpp"
#include "si/rng.hpp"
#include "si/types.hpp"

namespace si {

// How the likelihoods take the divergence of a field (SPEC 4 and 10.5): exactly (closed form, or d
// forward tangents of a network) or by Hutchinson's estimator div b ~ e . (db/dx) e with Rademacher
// probes e (E[e e^T] = I, so it is unbiased), one forward tangent each (Fields::drift_jvp). One
// probe's variance is (1/2) sum_{i != j} (J_ij + J_ji)^2; the likelihoods report it in their
// standard error (ODE: over the probes of each point; SDE: it joins the spread over paths).
enum class Divergence { Exact, Hutchinson };
struct DivergenceDef {
  std::string name;
  Divergence value;
  std::string description;
};
Registry<DivergenceDef>& divergence_methods();  // exact, hutchinson
std::string to_name(Divergence d);

struct OdeSamplerOptions {
  OdeMethod method = OdeMethod::Dopri5;
  int steps = 100;                  // fixed-step methods
  double atol = 1e-5, rtol = 1e-5;  // dopri5 (applies to the log-density row too)
  long max_steps = 100000;
  double t0 = 0.0, t1 = 1.0;  // integrate from t0 to t1 (either order, both in [0, 1])
  // Frames from t0 to t1, ends included: equally spaced for dopri5 (dense output), at the step
  // nearest to each equally spaced time for the fixed-step methods, so frames never change the samples.
  int n_snapshots = 0;
  bool with_logp = false;  // also integrate d/dt log rho_t(X_t) = -div b
  // A denoising last step (< 0: none): the paths stop at t = denoise (t0 < denoise < t1, forward)
  // and jump to E[x1 | x_t] there (Fields::target_mean), the target each point heads for on
  // average. It removes what the last stretch of the path would have to resolve (for images, the
  // pixel noise the networks leave). Snapshots: n_snapshots - 1 frames over [t0, denoise], then
  // the jump's result at t1. Sampling only (the likelihoods refuse it).
  double denoise = -1;
  // The divergence in the log-density; Hutchinson draws `probes` Rademacher vectors per point
  // from Rng(probe_seed) afresh at every evaluation (so it needs a fixed-step method), integrates
  // one log-density row per probe and averages them.
  Divergence divergence = Divergence::Exact;
  int probes = 4;
  std::uint64_t probe_seed = 0;
  // Throws ConfigError naming "<prefix>.<field>".
  void validate(const std::string& prefix = "ode") const;
  OdeOptions integrator() const;
};

struct SdeSamplerOptions {
  SdeMethod method = SdeMethod::Heun;
  double eps = 0.5;           // noise level: diffusion sqrt(2 eps); 0 gives the probability-flow ODE
  int steps = 100;            // uniform steps over [t0, t1]
  double t0 = 0.0, t1 = 1.0;  // sde_sample: forward drift b + eps s if t1 > t0, else b - eps s
  // The noise acts only where t <= eps_until; after it the paths follow the probability flow b.
  // A score derived from a denoiser (s = -eta/alpha, -eta/gamma) is singular at t = 1 and
  // amplifies the network's error there without bound, so such models switch the noise off just
  // before the end (sampling.hpp has the policy). The steps are shared between the two legs in
  // proportion to their lengths; the likelihood takes the noise-free leg by the backward ODE (RK4).
  double eps_until = 1.0;
  double denoise = -1;  // a denoising last step, as OdeSamplerOptions::denoise
  // One-sided paths: take the score from the drift (Interpolant::score_from_drift) instead of the
  // fields' own. For a learned model that replaces a score network by its drift network, usually
  // the better learned of the two (the drift's loss has no 1/alpha in it); it also gives models
  // without a score an SDE. It is singular at t = 1, so the noise must end before (denoise,
  // eps_until or t1 below 1).
  bool score_from_drift = false;
  int n_snapshots = 0;
  int n_paths = 100;  // sde_log_likelihood: backward paths per point (>= 2)
  // sde_log_likelihood: subtract from each path the Ito sum sqrt(2 eps) sum_k s(t_k, Y_k) . dW_k.
  // It has mean zero, so the expectation is unchanged, and it is the martingale part of
  // log rho_t(Y_t) (Ito), so with exact fields it cancels the estimator's noise up to
  // discretisation error: far fewer paths for the same standard error.
  bool control_variate = true;
  // sde_log_likelihood: the divergences of b and s (as OdeSamplerOptions::divergence); Hutchinson
  // averages `probes` fresh Rademacher vectors per path and evaluation, from Rng(probe_seed).
  Divergence divergence = Divergence::Exact;
  int probes = 1;
  std::uint64_t probe_seed = 0;
  void validate(const std::string& prefix = "sde") const;
};

template <typename S>
struct SampleResult {
  Mat<S> x;                       // points at t1, d x n
  Vec<S> dlogp;                   // with_logp: log rho_t1(X_t1) - log rho_t0(X_t0); else empty
  std::vector<double> times;      // snapshot times (t0 ... t1)
  std::vector<Mat<S>> snapshots;  // d x n each
  IntegratorStats stats;
};

template <typename S>
struct LikelihoodResult {
  VecD logp;       // estimate of log rho_t1(x) per point
  VecD std_error;  // standard error of logp (SDE: over paths; ODE: over Hutchinson probes, else zeros)
  Mat<S> x0;       // where the points land at t0 (SDE: the first path's endpoints)
  IntegratorStats stats;
};

// Probability flow from t0 to t1 (backward if t1 < t0) starting at x (d x n).
template <typename S>
SampleResult<S> ode_sample(const Fields<S>& fields, const Mat<S>& x, const OdeSamplerOptions& opt);

// log rho_t1(x) = log rho_t0(X_t0) - int_t0^t1 div b(t, X_t) dt, integrating (x, logp) from t1
// back to t0 with the divergence opt.divergence; base gives log rho_t0. opt.with_logp is implied.
template <typename S>
LikelihoodResult<S> ode_log_likelihood(const Fields<S>& fields, const Distribution& base, const Mat<S>& x,
                                       const OdeSamplerOptions& opt);

// SDE from t0 to t1 with drift b + eps s forward in time, b - eps s backward; noise from rng.
template <typename S>
SampleResult<S> sde_sample(const Fields<S>& fields, const Mat<S>& x, const SdeSamplerOptions& opt, Rng& rng);

// Needs t0 < t1. For each point x, n_paths backward paths Y from Y_t1 = x to t0 with drift
// b - eps s, each giving log rho_t0(Y_t0) - int_t0^t1 (div b_F + eps |s|^2)(t, Y_t) dt with
// b_F = b + eps s (minus the control variate if enabled); logp is their mean, std_error its
// standard error. Derivation (Ito on L = log rho_t(Y_t) along the reversed path, tau = 1 - t):
// dL = (div b + eps div s + eps |s|^2) dtau + sqrt(2 eps) s . dW, so
// log rho_0(Y_0) - log rho_1(x) = int (div b_F + eps |s|^2) dt + (a zero-mean Ito integral).
template <typename S>
LikelihoodResult<S> sde_log_likelihood(const Fields<S>& fields, const Distribution& base, const Mat<S>& x,
                                       const SdeSamplerOptions& opt, Rng& rng);

}  // namespace si
