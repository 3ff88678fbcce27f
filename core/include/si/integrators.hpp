// Time integrators for batched ODEs dx/dt = f(t, x) and SDEs with additive noise (SPEC section 4).
// The state is a rows x n matrix, one column per point. Extra rows carry quantities integrated
// along each path (e.g. the log-density, d/dt logp = -div b): they are part of the state, so the
// adaptive error control covers them too, and the SDE steppers leave them noise-free.
// Time runs forward (t0 < t1) or backward (t0 > t1); times are double whatever the scalar S.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "si/registry.hpp"
#include "si/rng.hpp"
#include "si/types.hpp"

namespace si {

enum class OdeMethod { Euler, Heun, Rk4, Dopri5 };
// "heun" is the stochastic Heun (predictor-corrector) step of SPEC 4; "heun-karras" is the
// reference code's variant (noise first, both stages at t + h), only first order at eps = 0.
enum class SdeMethod { Euler, Heun, HeunKarras };

struct OdeMethodDef {
  std::string name;
  OdeMethod value;
  bool adaptive;  // error-controlled steps (atol, rtol) instead of a fixed number
  int order;
};
struct SdeMethodDef {
  std::string name;
  SdeMethod value;
  int order;  // at eps = 0 (the ODE it reduces to)
};
// The tables in integrators.cpp (the steps themselves are in integrate_ode / integrate_sde).
Registry<OdeMethodDef>& ode_methods();
Registry<SdeMethodDef>& sde_methods();
std::vector<std::string> ode_method_names();  // euler, heun, rk4, dopri5
std::vector<std::string> sde_method_names();  // euler, heun, heun-karras
// Throw ConfigError(field, "must be one of ..., got ...") for an unknown name.
OdeMethod ode_method_from_name(const std::string& name, const std::string& field = "ode.method");
SdeMethod sde_method_from_name(const std::string& name, const std::string& field = "sde.method");
std::string to_name(OdeMethod m);
std::string to_name(SdeMethod m);

// dxdt = f(t, x); dxdt arrives sized like x (callers may resize it) and must be fully written.
template <typename S>
using OdeRhs = std::function<void(double t, const Mat<S>& x, Mat<S>& dxdt)>;

struct IntegratorStats {
  long nfe = 0;       // right-hand-side evaluations (one per batch)
  long accepted = 0;  // steps taken
  long rejected = 0;  // adaptive steps thrown away (error too large or non-finite)
};

struct OdeOptions {
  OdeMethod method = OdeMethod::Dopri5;
  int steps = 100;     // fixed-step methods: uniform steps over [t0, t1]
  double atol = 1e-6;  // dopri5 tolerances
  double rtol = 1e-6;
  double first_step = 0.0;  // dopri5 initial |h|; 0 picks it by Hairer's heuristic
  long max_steps = 100000;  // dopri5: accepted + rejected steps before NumericalError
  // Throws ConfigError naming e.g. "ode.atol" (prefix "ode").
  void validate(const std::string& prefix = "ode") const;
};

template <typename S>
struct OdeSolution {
  Mat<S> x;                       // state at t1
  std::vector<double> times;      // the requested output times
  std::vector<Mat<S>> snapshots;  // state at each output time
  IntegratorStats stats;
};

// Integrates from t0 to t1. output_times must lie in the closed interval and be ordered in the
// direction of integration; fixed-step methods land exactly on them (the step that crosses one is
// split), dopri5 uses its 4th-order dense output. Throws NumericalError (naming the method and
// time) on NaN/inf or when dopri5 exceeds max_steps or its step underflows.
template <typename S>
OdeSolution<S> integrate_ode(const OdeRhs<S>& f, const Mat<S>& x0, double t0, double t1, const OdeOptions& opt,
                             const std::vector<double>& output_times = {});

// SDE dX = f(t, X) dt + sigma dW on the first noise_rows rows (the rest, e.g. a log-density
// accumulator, get no noise), from t0 to t1 in `steps` uniform steps; backward when t0 > t1 (the
// increments then have variance |h|). As for the fixed-step ODE methods, a step that crosses an
// output time is split there, so snapshots are exact states of the chain.
struct SdeOptions {
  SdeMethod method = SdeMethod::Heun;
  int steps = 100;
  double sigma = 1.0;  // sqrt(2 eps) for the interpolant SDEs
  void validate(const std::string& prefix = "sde") const;
};

// Sees every step's noise before the step is taken: x is the state at the step's start time t and
// noise the increment sigma dW (noise_rows x n) that the step adds. Lets a caller accumulate Ito
// integrals such as sum_k g(t_k, x_k) . dW_k (e.g. a control variate for the SDE likelihood).
template <typename S>
using NoiseObserver = std::function<void(double t, const Mat<S>& x, const Mat<S>& noise)>;

template <typename S>
OdeSolution<S> integrate_sde(const OdeRhs<S>& f, const Mat<S>& x0, double t0, double t1, const SdeOptions& opt,
                             Rng& rng, Eigen::Index noise_rows, const std::vector<double>& output_times = {},
                             const NoiseObserver<S>& observer = nullptr);

// n equally spaced times from t0 to t1 inclusive (n = 1 gives {t1}; n = 0 gives none).
std::vector<double> equally_spaced_times(double t0, double t1, int n);

}  // namespace si
