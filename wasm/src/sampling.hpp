// The samplers' calling conventions, shared by the wasm bindings and the native reference program
// (tests/wasm/native_reference.cpp) so that both run the same logic: options objects with the JS
// names (API.md) validated field by field, defaults from the fields, and the start points drawn
// from Rng(seed) (the SDE's noise continues that stream). Plain C++17: no Emscripten here.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "si/config.hpp"
#include "si/distributions.hpp"
#include "si/fields.hpp"
#include "si/gmm_fields.hpp"
#include "si/integrators.hpp"
#include "si/model.hpp"
#include "si/rng.hpp"
#include "si/samplers.hpp"
#include "si/types.hpp"

namespace si_wasm {

using nlohmann::json;

inline std::uint64_t to_seed(double seed, const char* field) {
  if (!(seed >= 0) || seed > 9007199254740991.0 || std::floor(seed) != seed)
    throw si::ConfigError(field, "must be a non-negative integer (at most 2^53 - 1)");
  return static_cast<std::uint64_t>(seed);
}

// Reads a sampler's options object: typed getters with ranges, and unknown keys are errors. Error
// messages name "<prefix>.<key>" with the JS option names (e.g. "ode.snapshots").
class Options {
 public:
  Options(const json& j, std::string prefix) : j_(j), prefix_(std::move(prefix)) {
    if (!j_.is_object()) throw si::ConfigError(prefix_, "options must be an object");
  }
  std::string key(const std::string& k) const { return prefix_ + "." + k; }
  bool has(const std::string& k) {
    seen_.push_back(k);
    return j_.contains(k) && !j_.at(k).is_null();
  }
  double number(const std::string& k, double def, double lo, double hi) {
    if (!has(k)) return def;
    const json& v = j_.at(k);
    if (!v.is_number()) throw si::ConfigError(key(k), "must be a number, got " + v.dump());
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi))
      throw si::ConfigError(key(k), "must be in [" + fmt(lo) + ", " + fmt(hi) + "], got " + v.dump());
    return x;
  }
  double positive(const std::string& k, double def) {
    const double x = number(k, def, 0, 1e300);
    if (!(x > 0)) throw si::ConfigError(key(k), "must be a positive number, got " + fmt(x));
    return x;
  }
  long integer(const std::string& k, long def, long lo, long hi) {
    const double x = number(k, static_cast<double>(def), static_cast<double>(lo), static_cast<double>(hi));
    if (std::floor(x) != x) throw si::ConfigError(key(k), "must be an integer, got " + j_.at(k).dump());
    return static_cast<long>(x);
  }
  std::uint64_t seed(const std::string& k) {
    if (!has(k)) return 0;
    const json& v = j_.at(k);
    if (!v.is_number()) throw si::ConfigError(key(k), "must be a non-negative integer, got " + v.dump());
    return to_seed(v.get<double>(), key(k).c_str());
  }
  bool boolean(const std::string& k, bool def) {
    if (!has(k)) return def;
    const json& v = j_.at(k);
    if (!v.is_boolean()) throw si::ConfigError(key(k), "must be true or false, got " + v.dump());
    return v.get<bool>();
  }
  std::string string(const std::string& k, const std::string& def) {
    if (!has(k)) return def;
    const json& v = j_.at(k);
    if (!v.is_string()) throw si::ConfigError(key(k), "must be a string, got " + v.dump());
    return v.get<std::string>();
  }
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end()) {
        std::string allowed;
        for (const auto& k : seen_) allowed += (allowed.empty() ? "" : ", ") + k;
        throw si::ConfigError(key(it.key()), "unknown option; allowed: " + allowed);
      }
  }

 private:
  static std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }
  const json& j_;
  std::string prefix_;
  std::vector<std::string> seen_;
};

// What a sampler call needs besides the fields: its options, the number of points and the seed.
struct OdeCall {
  si::OdeSamplerOptions opt;
  Eigen::Index n = 1000;
  bool n_given = false;
  std::uint64_t seed = 0;
};
struct SdeCall {
  si::SdeSamplerOptions opt;
  Eigen::Index n = 1000;
  bool n_given = false;
  std::uint64_t seed = 0;
};

// What the fields imply for a sampler call: where paths start (the law of x_t at t = 0: the base,
// or the target for the mirror path), the default options (a model's config sampling.ode /
// sampling.sde, else the schema's) and the default time interval (a model's sampling_interval:
// [t_lo, 1 - t_hi] when its drift or score is derived through 1/gamma or 1/alpha, else [0, 1]).
struct Context {
  const si::Distribution& initial;  // the law of x_t at t = 0
  const si::Distribution& final;    // the law of x_t at t = 1 (the target)
  si::OdeDefaults ode;
  si::SdeDefaults sde;
  std::pair<double, double> ode_interval{0.0, 1.0}, sde_interval{0.0, 1.0};
};

inline Context context(const si::Model& m) {
  return {
      m.initial(), m.target(), m.config().ode, m.config().sde, m.sampling_interval(false), m.sampling_interval(true)};
}
inline Context context(const si::GmmFields& f) { return {f.initial(), f.rho1(), {}, {}}; }

// Where paths from t0 to t1 start: the law at t = 0 forward in time, at t = 1 backward.
inline const si::Distribution& start_law(const Context& ctx, double t0, double t1) {
  return t0 <= t1 ? ctx.initial : ctx.final;
}

// The start points: the caller's (their number must match an explicit n) or n draws from the start
// law with rng.
inline si::MatD start_points(const si::Distribution& law, const si::MatD* given, Eigen::Index n, bool n_given,
                             si::Rng& rng, const std::string& prefix) {
  if (!given) return law.sample(n, rng);
  if (n_given && n != given->cols())
    throw si::ConfigError(prefix + ".n", "is " + std::to_string(n) + " but " + std::to_string(given->cols()) +
                                             " start points were given");
  return *given;
}

inline OdeCall read_ode(const json& j, const Context& ctx, bool sampling) {
  const si::OdeDefaults& d = ctx.ode;
  Options o(j, "ode");
  OdeCall c;
  c.opt.method = si::ode_method_from_name(o.string("method", d.method), o.key("method"));
  c.opt.steps = static_cast<int>(o.integer("steps", d.steps, 1, 1000000));
  c.opt.atol = o.positive("atol", d.atol);
  c.opt.rtol = o.positive("rtol", d.rtol);
  c.opt.max_steps = o.integer("maxSteps", c.opt.max_steps, 1, 100000000);
  c.opt.t0 = o.number("t0", ctx.ode_interval.first, 0.0, 1.0);
  c.opt.t1 = o.number("t1", ctx.ode_interval.second, 0.0, 1.0);
  if (sampling) {
    c.n_given = o.has("n");
    c.n = o.integer("n", 1000, 0, 100000000);
    c.seed = o.seed("seed");
    c.opt.n_snapshots = static_cast<int>(o.integer("snapshots", 0, 0, 100000));
    c.opt.with_logp = o.boolean("logDensity", false);
  }
  o.finish();
  return c;
}

inline SdeCall read_sde(const json& j, const Context& ctx, bool sampling) {
  const si::SdeDefaults& d = ctx.sde;
  Options o(j, "sde");
  SdeCall c;
  c.opt.method = si::sde_method_from_name(o.string("method", d.method), o.key("method"));
  c.opt.eps = o.number("eps", d.eps, 0.0, 1e6);
  c.opt.steps = static_cast<int>(o.integer("steps", d.steps, 1, 1000000));
  c.opt.t0 = o.number("t0", ctx.sde_interval.first, 0.0, 1.0);
  c.opt.t1 = o.number("t1", ctx.sde_interval.second, 0.0, 1.0);
  c.seed = o.seed("seed");
  if (sampling) {
    c.n_given = o.has("n");
    c.n = o.integer("n", 1000, 0, 100000000);
    c.opt.n_snapshots = static_cast<int>(o.integer("snapshots", 0, 0, 100000));
  } else {
    c.opt.n_paths = static_cast<int>(o.integer("paths", 100, 2, 1000000));
  }
  o.finish();
  return c;
}

// Paths from t0 to t1 (backward if t1 < t0) starting at the given points or at draws from the law
// at t0 (see start_law) with Rng(seed). logp (if asked) is log rho_t1 at the samples: the start
// law's log density plus the integrated change.
template <typename S>
struct Sampled {
  si::SampleResult<S> result;
  si::VecD logp;
};

template <typename S>
Sampled<S> run_ode(const si::Fields<S>& fields, const Context& ctx, const OdeCall& c, const si::MatD* given = nullptr) {
  const si::Distribution& law = start_law(ctx, c.opt.t0, c.opt.t1);
  si::Rng rng(c.seed);
  const si::MatD start = start_points(law, given, c.n, c.n_given, rng, "ode");
  Sampled<S> out{si::ode_sample(fields, si::Mat<S>(start.cast<S>()), c.opt), {}};
  if (c.opt.with_logp) out.logp = law.log_density(start) + out.result.dlogp.template cast<double>();
  return out;
}

// As run_ode; the noise comes from a generator split off after the start points are drawn (the
// command-line tool's `si sample` convention, so a seed gives the same samples there).
template <typename S>
si::SampleResult<S> run_sde(const si::Fields<S>& fields, const Context& ctx, const SdeCall& c,
                            const si::MatD* given = nullptr) {
  si::Rng rng(c.seed);
  const si::MatD start = start_points(start_law(ctx, c.opt.t0, c.opt.t1), given, c.n, c.n_given, rng, "sde");
  si::Rng noise = rng.split();
  return si::sde_sample(fields, si::Mat<S>(start.cast<S>()), c.opt, noise);
}

template <typename S>
si::LikelihoodResult<S> run_log_likelihood_ode(const si::Fields<S>& fields, const Context& ctx, const si::Mat<S>& x,
                                               const OdeCall& c) {
  return si::ode_log_likelihood(fields, ctx.initial, x, c.opt);
}

template <typename S>
si::LikelihoodResult<S> run_log_likelihood_sde(const si::Fields<S>& fields, const Context& ctx, const si::Mat<S>& x,
                                               const SdeCall& c) {
  si::Rng rng(c.seed);
  return si::sde_log_likelihood(fields, ctx.initial, x, c.opt, rng);
}

}  // namespace si_wasm
