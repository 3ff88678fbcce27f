#include "si/sampling.hpp"

#include <algorithm>
#include <tuple>

#include "si/json_reader.hpp"
#include "si/limits.hpp"

namespace si {

using nlohmann::json;

namespace {

constexpr double kDenoiserNoiseEnd = 0.99;  // see the policy in sampling.hpp

OdeSamplerOptions ode_from(const OdeDefaults& d) {
  OdeSamplerOptions o;
  o.method = ode_method_from_name(d.method, "sampling.ode.method");
  o.steps = d.steps;
  o.atol = d.atol;
  o.rtol = d.rtol;
  o.denoise = d.denoise;
  return o;
}

SdeSamplerOptions sde_from(const SdeDefaults& d) {
  SdeSamplerOptions o;
  o.method = sde_method_from_name(d.method, "sampling.sde.method");
  o.steps = d.steps;
  o.eps = d.eps;
  o.denoise = d.denoise;
  o.score_from_drift = d.score == "drift";
  return o;
}

// The likelihoods' divergence: {"divergence": "exact" | "hutchinson", "probes": P}.
void read_divergence(JsonReader& o, Divergence def, int def_probes, Divergence& divergence, int& probes) {
  divergence = o.choice("divergence", to_name(def), divergence_methods()).value;
  probes = static_cast<int>(o.integer("probes", def_probes, 1, 10000));
}

// "denoise": a time inside the run where the sampler jumps to E[x1 | x_t], or false for none.
// A default (the config's) applies only where it can: inside a forward run without a log-density.
double read_denoise(JsonReader& o, double def, double t0, double t1, bool logp) {
  if (!o.has("denoise")) return def > t0 && def < t1 && !logp ? def : -1;
  if (o.at("denoise").is_boolean()) {
    if (!o.at("denoise").get<bool>()) return -1;
    throw ConfigError(o.key("denoise"), "must be a time in (t0, t1), or false for none; got true");
  }
  return o.number("denoise", def, 0.0, 1.0, true);
}

}  // namespace

SamplingDefaults sampling_defaults(const Model& model) {
  SamplingDefaults d;
  d.initial = &model.initial();
  d.final = &model.target();
  const TrainingConfig& c = model.config();
  d.ode = ode_from(c.ode);
  std::tie(d.ode.t0, d.ode.t1) = model.sampling_interval(false);
  d.sde = sde_from(c.sde);
  std::tie(d.sde.t0, d.sde.t1) = model.sampling_interval(true);
  const auto& nets = model.networks();
  const bool denoiser_score = nets.count("eta") && !nets.count("s");
  const bool drift_needs_score = !nets.count("b") && model.interpolant().two_sided();
  if (c.sde.eps_until >= 0)
    d.sde.eps_until = c.sde.eps_until;
  else if (denoiser_score && !drift_needs_score)
    d.sde.eps_until = kDenoiserNoiseEnd;
  if (denoiser_score && drift_needs_score) d.sde.t1 = std::min(d.sde.t1, kDenoiserNoiseEnd);
  return d;
}

SamplingDefaults sampling_defaults(const GmmFields& fields) {
  SamplingDefaults d;
  d.initial = &fields.initial();
  d.final = &fields.rho1();
  d.ode = ode_from(OdeDefaults{});
  d.sde = sde_from(SdeDefaults{});
  return d;
}

json SamplingDefaults::to_json() const {
  return {{"ode",
           {{"method", to_name(ode.method)},
            {"steps", ode.steps},
            {"atol", ode.atol},
            {"rtol", ode.rtol},
            {"t0", ode.t0},
            {"t1", ode.t1},
            {"denoise", ode.denoise < 0 ? json(false) : json(ode.denoise)}}},
          {"sde",
           {{"method", to_name(sde.method)},
            {"steps", sde.steps},
            {"eps", sde.eps},
            {"epsUntil", sde.eps_until},
            {"t0", sde.t0},
            {"t1", sde.t1},
            {"denoise", sde.denoise < 0 ? json(false) : json(sde.denoise)},
            {"score", sde.score_from_drift ? "drift" : "learned"}}}};
}

OdePlan read_ode_plan(const json& options, const SamplingDefaults& defaults, bool sampling, const std::string& prefix) {
  const OdeSamplerOptions& d = defaults.ode;
  JsonReader o(options, prefix, "option");
  OdePlan p;
  p.opt.method = o.choice("method", to_name(d.method), ode_methods()).value;
  p.opt.steps = static_cast<int>(o.integer("steps", d.steps, 1, limits::kMaxSteps));
  p.opt.atol = o.positive("atol", d.atol);
  p.opt.rtol = o.positive("rtol", d.rtol);
  p.opt.max_steps = static_cast<long>(o.integer("maxSteps", d.max_steps, 1, 100000000));
  p.opt.t0 = o.number("t0", d.t0, 0.0, 1.0);
  p.opt.t1 = o.number("t1", d.t1, 0.0, 1.0);
  p.seed = static_cast<std::uint64_t>(o.integer("seed", 0, 0, limits::kMaxSeed));
  if (sampling) {
    p.n_given = o.has("n");
    p.n = o.integer("n", p.n, 0, limits::kMaxSamples);
    p.opt.n_snapshots = static_cast<int>(o.integer("snapshots", 0, 0, limits::kMaxSnapshots));
    p.opt.with_logp = o.boolean("logDensity", false);
    p.opt.denoise = read_denoise(o, d.denoise, p.opt.t0, p.opt.t1, p.opt.with_logp);
  } else {
    p.opt.denoise = -1;
  }
  read_divergence(o, d.divergence, d.probes, p.opt.divergence, p.opt.probes);
  p.opt.probe_seed = p.seed;
  o.finish();
  return p;
}

SdePlan read_sde_plan(const json& options, const SamplingDefaults& defaults, bool sampling, const std::string& prefix) {
  const SdeSamplerOptions& d = defaults.sde;
  JsonReader o(options, prefix, "option");
  SdePlan p;
  p.opt.method = o.choice("method", to_name(d.method), sde_methods()).value;
  p.opt.eps = o.number("eps", d.eps, 0.0, 1e6);
  p.opt.steps = static_cast<int>(o.integer("steps", d.steps, 1, limits::kMaxSteps));
  p.opt.t0 = o.number("t0", d.t0, 0.0, 1.0);
  p.opt.t1 = o.number("t1", d.t1, 0.0, 1.0);
  p.opt.eps_until = o.number("epsUntil", d.eps_until, 0.0, 1.0);
  p.opt.score_from_drift = read_score_source(o, d.score_from_drift ? "drift" : "learned") == "drift";
  p.seed = static_cast<std::uint64_t>(o.integer("seed", 0, 0, limits::kMaxSeed));
  if (sampling) {
    p.n_given = o.has("n");
    p.n = o.integer("n", p.n, 0, limits::kMaxSamples);
    p.opt.n_snapshots = static_cast<int>(o.integer("snapshots", 0, 0, limits::kMaxSnapshots));
    p.opt.denoise = read_denoise(o, d.denoise, p.opt.t0, p.opt.t1, false);
  } else {
    p.opt.denoise = -1;
    p.opt.n_paths = static_cast<int>(o.integer("paths", 100, 2, 1000000));
    p.opt.control_variate = o.boolean("controlVariate", d.control_variate);
    read_divergence(o, d.divergence, d.probes, p.opt.divergence, p.opt.probes);
    p.opt.probe_seed = p.seed;
  }
  o.finish();
  return p;
}

std::string describe(const OdeSamplerOptions& o) {
  std::string s = "ODE " + to_name(o.method);
  s += ode_methods().of(o.method).adaptive ? " (atol " + format_number(o.atol) + ", rtol " + format_number(o.rtol) + ")"
                                           : " (" + std::to_string(o.steps) + " steps)";
  s += " on [" + format_number(o.t0) + ", " + format_number(o.t1) + "]";
  if (o.denoise >= 0) s += ", denoised from t = " + format_number(o.denoise);
  return o.divergence == Divergence::Hutchinson
             ? s + ", hutchinson divergence (" + std::to_string(o.probes) + " probes)"
             : s;
}

std::string describe(const SdeSamplerOptions& o) {
  const bool split = o.eps > 0 && o.eps_until > std::min(o.t0, o.t1) && o.eps_until < std::max(o.t0, o.t1);
  return "SDE " + to_name(o.method) + " (eps " + format_number(o.eps) + ", " + std::to_string(o.steps) +
         " steps) on [" + format_number(o.t0) + ", " + format_number(o.t1) + "]" +
         (split ? ", noise off after t = " + format_number(o.eps_until) : "") +
         (o.denoise >= 0 ? ", denoised from t = " + format_number(o.denoise) : "") +
         (o.score_from_drift ? ", score from the drift" : "") +
         (o.divergence == Divergence::Hutchinson
              ? ", hutchinson divergence (" + std::to_string(o.probes) + " probe" + (o.probes > 1 ? "s" : "") + ")"
              : "");
}

const Distribution& start_law(const SamplingDefaults& d, double t0, double t1) {
  return t0 <= t1 ? *d.initial : *d.final;
}

namespace {

MatD start_points(const Distribution& law, const MatD* given, Eigen::Index n, bool n_given, int snapshots, Rng& rng,
                  const std::string& prefix) {
  // What the call returns, checked before anything is drawn: n points at each frame and at the end.
  const double points = given ? double(given->cols()) : double(n);
  limits::check_cost(points * law.dim() * (snapshots + 1), limits::kMaxOutputFloats, prefix + ".n",
                     std::to_string(static_cast<long long>(points)) + " points of dimension " +
                         std::to_string(law.dim()) + " at " + std::to_string(snapshots + 1) + " times");
  if (!given) return law.sample(n, rng);
  if (n_given && n != given->cols())
    throw ConfigError(prefix + ".n",
                      "is " + std::to_string(n) + " but " + std::to_string(given->cols()) + " start points were given");
  return *given;
}

}  // namespace

template <typename S>
Sampled<S> run_ode(const Fields<S>& fields, const SamplingDefaults& defaults, const OdePlan& plan, const MatD* start) {
  const Distribution& law = start_law(defaults, plan.opt.t0, plan.opt.t1);
  Rng rng(plan.seed);
  Sampled<S> out;
  out.start = start_points(law, start, plan.n, plan.n_given, plan.opt.n_snapshots, rng, "ode");
  out.result = ode_sample(fields, Mat<S>(out.start.template cast<S>()), plan.opt);
  if (plan.opt.with_logp) out.logp = law.log_density(out.start) + out.result.dlogp.template cast<double>();
  return out;
}

template <typename S>
Sampled<S> run_sde(const Fields<S>& fields, const SamplingDefaults& defaults, const SdePlan& plan, const MatD* start) {
  Rng rng(plan.seed);
  Sampled<S> out;
  out.start = start_points(start_law(defaults, plan.opt.t0, plan.opt.t1), start, plan.n, plan.n_given,
                           plan.opt.n_snapshots, rng, "sde");
  Rng noise = rng.split();
  out.result = sde_sample(fields, Mat<S>(out.start.template cast<S>()), plan.opt, noise);
  return out;
}

template <typename S>
LikelihoodResult<S> run_ode_likelihood(const Fields<S>& fields, const SamplingDefaults& defaults, const Mat<S>& x,
                                       const OdePlan& plan) {
  return ode_log_likelihood(fields, *defaults.initial, x, plan.opt);
}

template <typename S>
LikelihoodResult<S> run_sde_likelihood(const Fields<S>& fields, const SamplingDefaults& defaults, const Mat<S>& x,
                                       const SdePlan& plan) {
  Rng rng(plan.seed);
  return sde_log_likelihood(fields, *defaults.initial, x, plan.opt, rng);
}

#define SI_INSTANTIATE(S)                                                                                      \
  template Sampled<S> run_ode<S>(const Fields<S>&, const SamplingDefaults&, const OdePlan&, const MatD*);      \
  template Sampled<S> run_sde<S>(const Fields<S>&, const SamplingDefaults&, const SdePlan&, const MatD*);      \
  template LikelihoodResult<S> run_ode_likelihood<S>(const Fields<S>&, const SamplingDefaults&, const Mat<S>&, \
                                                     const OdePlan&);                                          \
  template LikelihoodResult<S> run_sde_likelihood<S>(const Fields<S>&, const SamplingDefaults&, const Mat<S>&, \
                                                     const SdePlan&);
SI_INSTANTIATE(float)
SI_INSTANTIATE(double)
#undef SI_INSTANTIATE

}  // namespace si
