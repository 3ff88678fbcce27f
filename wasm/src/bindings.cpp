// Embind bindings of the core: a few coarse objects (TrainingSession, Model, ExactFields) and
// batch functions. The raw names here are wrapped by the hand-written ES module (index.js), which
// gives defaults, turns config objects into JSON text (parsed and validated by the core) and is
// the documented API (API.md, index.d.ts). Every entry point runs inside guard() (boundary.hpp).
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "boundary.hpp"
#include "sampling.hpp"
#include "si/config.hpp"
#include "si/datasets.hpp"
#include "si/distributions.hpp"
#include "si/gmm_fields.hpp"
#include "si/integrators.hpp"
#include "si/interpolant.hpp"
#include "si/metrics.hpp"
#include "si/mlp.hpp"
#include "si/model.hpp"
#include "si/samplers.hpp"
#include "si/session.hpp"

namespace si_wasm {

using nlohmann::json;

std::string& error_buffer() {
  static std::string message;
  return message;
}

EM_JS(void, si_throw_error_js, (const char* message), { throw new Error(UTF8ToString(message)); });

void throw_js_error(const char* message) {
  si_throw_error_js(message);
  __builtin_unreachable();
}

namespace {

json parse_json(const val& text, const char* field) {
  const std::string s = to_string(text, field);
  try {
    return json::parse(s);
  } catch (const json::parse_error& e) {
    throw si::ConfigError(field, std::string("is not valid JSON: ") + e.what());
  }
}

// A config restricted to the keys that describe the two ends and the path; the fields default to
// what the path allows, so that the config parser's cross-field checks pass.
si::TrainingConfig ends_config(const json& spec, const char* field) {
  if (!spec.is_object()) throw si::ConfigError(field, "must be an object");
  json cfg = json::object();
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    if (it.key() != "base" && it.key() != "target" && it.key() != "interpolant")
      throw si::ConfigError(it.key(), "unknown field; allowed: base, target, interpolant");
    cfg[it.key()] = it.value();
  }
  const json* interp = cfg.contains("interpolant") ? &cfg["interpolant"] : nullptr;
  if (interp && interp->is_object() && interp->contains("path") && (*interp)["path"] == "mirror") cfg["fields"] = "s";
  return si::TrainingConfig::from_json(cfg);
}

Eigen::Index to_count(double n, const char* field) {
  if (!(n >= 0) || n > 1e8 || std::floor(n) != n) throw si::ConfigError(field, "must be an integer in [0, 1e8]");
  return static_cast<Eigen::Index>(n);
}

si::Interpolant interpolant_from(const json& spec) {
  json cfg = {{"interpolant", spec}};
  if (spec.is_object() && spec.contains("path") && spec["path"] == "mirror") cfg["fields"] = "s";
  return si::TrainingConfig::from_json(cfg).interpolant();
}

template <typename S>
val snapshots_out(const std::vector<si::Mat<S>>& snaps) {
  val out = val::array();
  for (const auto& m : snaps) out.call<void>("push", copy_out_as<float>(m));
  return out;
}

val stats_into(val out, const si::IntegratorStats& st) {
  out.set("nfe", static_cast<double>(st.nfe));
  out.set("accepted", static_cast<double>(st.accepted));
  out.set("rejected", static_cast<double>(st.rejected));
  return out;
}

// Optional start points (a JS array, or undefined/null for draws from the start law).
std::unique_ptr<si::MatD> start_of(const val& start, int d) {
  if (start.isUndefined() || start.isNull()) return nullptr;
  return std::make_unique<si::MatD>(to_points<double>(start, d, "start"));
}

// The samplers, for learned models (S float, F si::Model) and exact fields (S double, F si::GmmFields);
// the conventions are in sampling.hpp.
template <typename S, typename F>
val sample_ode(const F& fields, const val& options, const val& start) {
  const Context ctx = context(fields);
  const OdeCall call = read_ode(parse_json(options, "ode"), ctx, true);
  const auto given = start_of(start, fields.dim());
  const Sampled<S> s = run_ode<S>(fields, ctx, call, given.get());
  val out = val::object();
  out.set("samples", copy_out_as<float>(s.result.x));
  out.set("snapshots", snapshots_out(s.result.snapshots));
  out.set("times", copy_out(s.result.times.data(), s.result.times.size()));
  if (call.opt.with_logp) out.set("logDensity", copy_out(s.logp));
  return stats_into(out, s.result.stats);
}

template <typename S, typename F>
val sample_sde(const F& fields, const val& options, const val& start) {
  const Context ctx = context(fields);
  const SdeCall call = read_sde(parse_json(options, "sde"), ctx, true);
  const auto given = start_of(start, fields.dim());
  const si::SampleResult<S> r = run_sde<S>(fields, ctx, call, given.get());
  val out = val::object();
  out.set("samples", copy_out_as<float>(r.x));
  out.set("snapshots", snapshots_out(r.snapshots));
  out.set("times", copy_out(r.times.data(), r.times.size()));
  return stats_into(out, r.stats);
}

template <typename S, typename F>
val log_likelihood_ode(const F& fields, const val& points, const val& options) {
  const Context ctx = context(fields);
  const OdeCall call = read_ode(parse_json(options, "ode"), ctx, false);
  const si::Mat<S> x = to_points<S>(points, fields.dim(), "points");
  return copy_out(run_log_likelihood_ode<S>(fields, ctx, x, call).logp);
}

template <typename S, typename F>
val log_likelihood_sde(const F& fields, const val& points, const val& options) {
  const Context ctx = context(fields);
  const SdeCall call = read_sde(parse_json(options, "sde"), ctx, false);
  const si::Mat<S> x = to_points<S>(points, fields.dim(), "points");
  const si::LikelihoodResult<S> r = run_log_likelihood_sde<S>(fields, ctx, x, call);
  val out = val::object();
  out.set("mean", copy_out(r.logp));
  out.set("stderr", copy_out(r.std_error));
  return out;
}

}  // namespace

// --- Model ------------------------------------------------------------------------------------

class WasmModel {
 public:
  explicit WasmModel(si::Model m) : model_(std::move(m)) {}
  const si::Model& model() const { return model_; }

  static WasmModel* fromJSON(val text) {
    return guard([&] {
      const val t = take(text);
      return new WasmModel(si::Model::from_json(parse_json(t, "model")));
    });
  }

  int dim() const { return model_.dim(); }
  val fieldNames() const {
    return guard([&] { return string_array(model_.field_names()); });
  }
  val configJSON() const {
    return guard([&] { return val(model_.config().to_json().dump()); });
  }
  val toJSON() const {
    return guard([&] { return val(model_.to_json().dump()); });
  }
  val evaluate(val field, double t, val points) const {
    return guard([&] {
      const val f = take(field), p = take(points);
      const si::MatF x = to_points<float>(p, dim(), "points");
      si::MatF out;
      model_.evaluate(to_string(f, "field"), t, x, out);
      return copy_out(out);
    });
  }
  val divergence(val field, double t, val points) const {
    return guard([&] {
      const val f = take(field), p = take(points);
      const si::MatF x = to_points<float>(p, dim(), "points");
      si::MatF out;
      si::VecF div;
      model_.evaluate(to_string(f, "field"), t, x, out, &div);
      return copy_out(div);
    });
  }
  val sampleODE(val options, val start) const {
    return guard([&] {
      const val o = take(options), x = take(start);
      return sample_ode<float>(model_, o, x);
    });
  }
  val sampleSDE(val options, val start) const {
    return guard([&] {
      const val o = take(options), x = take(start);
      return sample_sde<float>(model_, o, x);
    });
  }
  val logLikelihoodODE(val points, val options) const {
    return guard([&] {
      const val p = take(points), o = take(options);
      return log_likelihood_ode<float>(model_, p, o);
    });
  }
  val logLikelihoodSDE(val points, val options) const {
    return guard([&] {
      const val p = take(points), o = take(options);
      return log_likelihood_sde<float>(model_, p, o);
    });
  }

 private:
  si::Model model_;
};

// --- TrainingSession --------------------------------------------------------------------------

class WasmTrainingSession {
 public:
  static WasmTrainingSession* create(val config) {
    return guard([&] {
      const val c = take(config);
      return new WasmTrainingSession(si::TrainingConfig::from_json(parse_json(c, "config")));
    });
  }

  int dim() const { return session_.base().dim(); }
  double stepCount() const { return static_cast<double>(session_.step_count()); }
  val configJSON() const {
    return guard([&] { return val(session_.config().to_json().dump()); });
  }
  val step(double k) {
    return guard([&] {
      if (!(k >= 1) || k > 1e6 || std::floor(k) != k) throw si::ConfigError("k", "must be an integer in [1, 1e6]");
      const si::StepResult r = session_.step(static_cast<int>(k));
      val losses = val::object();
      for (const auto& [name, loss] : r.losses) losses.set(name, loss);
      val out = val::object();
      out.set("step", static_cast<double>(r.step));
      out.set("lr", r.lr);
      out.set("losses", losses);
      return out;
    });
  }
  WasmModel* model() const {
    return guard([&] { return new WasmModel(session_.model()); });
  }
  val loadWeights(const WasmModel& m) {
    return guard([&] {
      session_.load_weights(m.model());
      return val::undefined();
    });
  }

 private:
  explicit WasmTrainingSession(si::TrainingConfig config) : session_(std::move(config)) {}
  si::TrainingSession session_;
};

// --- Exact Gaussian-mixture fields --------------------------------------------------------------

class WasmExactFields {
 public:
  static WasmExactFields* create(val spec) {
    return guard([&] {
      const val s = take(spec);
      const si::TrainingConfig c = ends_config(parse_json(s, "spec"), "spec");
      const auto base = c.make_base();
      const auto target = c.make_target();
      const si::GaussianMixture* g0 = base->as_mixture();
      const si::GaussianMixture* g1 = target->as_mixture();
      if (!g0)
        throw si::ConfigError("base",
                              "exact fields need a Gaussian mixture (gaussian, gmm, random-gmm, "
                              "8gaussians, points), got " +
                                  base->name());
      if (!g1)
        throw si::ConfigError("target",
                              "exact fields need a Gaussian mixture (gaussian, gmm, random-gmm, "
                              "8gaussians, points), got " +
                                  target->name());
      return new WasmExactFields(si::GmmFields(*g0, *g1, c.interpolant()));
    });
  }

  int dim() const { return fields_.dim(); }
  val evaluate(val field, double t, val points) const {
    return guard([&] {
      const val f = take(field), p = take(points);
      const std::string name = to_string(f, "field");
      const si::MatD x = to_points<double>(p, dim(), "points");
      if (name == "b") return copy_out(fields_.b(t, x));
      if (name == "s") return copy_out(fields_.s(t, x));
      if (name == "eta") return copy_out(fields_.eta(t, x));
      if (name == "v") return copy_out(fields_.v(t, x));
      throw si::ConfigError("field", "unknown field '" + name + "'; allowed: b, s, eta, v");
    });
  }
  val divergence(val field, double t, val points) const {
    return guard([&] {
      const val f = take(field), p = take(points);
      const std::string name = to_string(f, "field");
      const si::MatD x = to_points<double>(p, dim(), "points");
      si::MatD out;
      si::VecD div;
      if (name == "b")
        fields_.drift(t, x, out, &div);
      else if (name == "s")
        fields_.score(t, x, out, &div);
      else
        throw si::ConfigError("field", "exact divergences exist for 'b' and 's', got '" + name + "'");
      return copy_out(div);
    });
  }
  val logDensity(double t, val points) const {
    return guard([&] {
      const val p = take(points);
      return copy_out(fields_.log_density(t, to_points<double>(p, dim(), "points")));
    });
  }
  val sampleXt(double t, double n, double seed) const {
    return guard([&] {
      si::Rng rng(to_seed(seed, "seed"));
      return copy_out(fields_.sample_xt(t, to_count(n, "n"), rng));
    });
  }
  val sampleODE(val options, val start) const {
    return guard([&] {
      const val o = take(options), x = take(start);
      return sample_ode<double>(fields_, o, x);
    });
  }
  val sampleSDE(val options, val start) const {
    return guard([&] {
      const val o = take(options), x = take(start);
      return sample_sde<double>(fields_, o, x);
    });
  }
  val logLikelihoodODE(val points, val options) const {
    return guard([&] {
      const val p = take(points), o = take(options);
      return log_likelihood_ode<double>(fields_, p, o);
    });
  }
  val logLikelihoodSDE(val points, val options) const {
    return guard([&] {
      const val p = take(points), o = take(options);
      return log_likelihood_sde<double>(fields_, p, o);
    });
  }

 private:
  explicit WasmExactFields(si::GmmFields f) : fields_(std::move(f)) {}
  si::GmmFields fields_;
};

// --- Functions ----------------------------------------------------------------------------------

val names(val kind) {
  return guard([&] {
    const std::string k = to_string(take(kind), "kind");
    if (k == "path") {
      std::vector<std::string> out;
      for (const auto& n : si::path_names())
        if (n != "custom") out.push_back(n);
      return string_array(out);
    }
    if (k == "gamma") {
      std::vector<std::string> out;
      for (const auto& n : si::gamma_names())
        if (n != "custom") out.push_back(n);
      return string_array(out);
    }
    if (k == "activation") return string_array(si::activation_names());
    if (k == "distribution") return string_array(si::distribution_types());
    if (k == "fieldSet") return string_array(si::field_set_names());
    if (k == "odeMethod") return string_array(si::ode_method_names());
    if (k == "sdeMethod") return string_array(si::sde_method_names());
    throw si::ConfigError("kind", "unknown name list '" + k + "'");
  });
}

val sampleDistribution(val spec, double n, double seed) {
  return guard([&] {
    const val s = take(spec);
    const auto dist = si::make_distribution(parse_json(s, "spec"), "spec");
    si::Rng rng(to_seed(seed, "seed"));
    const si::MatD x = dist->sample(to_count(n, "n"), rng);
    val out = val::object();
    out.set("dim", dist->dim());
    out.set("data", copy_out_as<float>(x));
    return out;
  });
}

val logDensity(val spec, val points) {
  return guard([&] {
    const val s = take(spec), p = take(points);
    const auto dist = si::make_distribution(parse_json(s, "spec"), "spec");
    if (!dist->has_log_density())
      throw si::ConfigError("spec", "the density of '" + dist->name() + "' is not known in closed form");
    return copy_out(dist->log_density(to_points<double>(p, dist->dim(), "points")));
  });
}

val interpolantCoefficients(val spec, val ts) {
  return guard([&] {
    const val s = take(spec), tv = take(ts);
    const si::Interpolant I = interpolant_from(parse_json(s, "interpolant"));
    const std::vector<double> t = to_vector<double>(tv, "ts");
    const std::size_t n = t.size();
    std::vector<double> a(n), b(n), g(n), da(n), db(n), dg(n);
    for (std::size_t i = 0; i < n; ++i) {
      const si::Coefficients c = I.at(t[i]);
      a[i] = c.alpha;
      b[i] = c.beta;
      da[i] = c.dalpha;
      db[i] = c.dbeta;
      // The path's own gamma: the latent term's (two-sided) or the mirror's noise scale.
      g[i] = I.mirror() ? I.gamma()(t[i]) : c.gamma;
      dg[i] = I.mirror() ? I.gamma().deriv(t[i]) : c.dgamma;
    }
    val out = val::object();
    out.set("alpha", copy_out(a.data(), n));
    out.set("beta", copy_out(b.data(), n));
    out.set("gamma", copy_out(g.data(), n));
    out.set("dalpha", copy_out(da.data(), n));
    out.set("dbeta", copy_out(db.data(), n));
    out.set("dgamma", copy_out(dg.data(), n));
    return out;
  });
}

val sampleXt(val spec, double t, double n, double seed) {
  return guard([&] {
    const val s = take(spec);
    const si::TrainingConfig c = ends_config(parse_json(s, "config"), "config");
    if (!(t >= 0 && t <= 1)) throw si::ConfigError("t", "must be in [0, 1]");
    const si::Interpolant I = c.interpolant();
    const auto base = c.make_base();
    const auto target = c.make_target();
    const Eigen::Index count = to_count(n, "n");
    si::Rng rng(to_seed(seed, "seed"));
    const si::MatD x0 = base->sample(count, rng);
    const si::MatD x1 = target->sample(count, rng);
    const si::MatD z = rng.normal_matrix<double>(base->dim(), count);
    const si::VecD tv = si::VecD::Constant(count, t);
    val out = val::object();
    out.set("dim", base->dim());
    out.set("data", copy_out_as<float>(I.xt(tv, x0, x1, z)));
    return out;
  });
}

val checkerboardSupportShare(val points) {
  return guard([&] {
    const val p = take(points);
    return val(si::checkerboard_support_share(to_points<double>(p, 2, "points")));
  });
}

val energyDistance(val a, val b, double d) {
  return guard([&] {
    const val x = take(a), y = take(b);
    if (!(d >= 1) || d > 4096 || std::floor(d) != d) throw si::ConfigError("d", "must be an integer in [1, 4096]");
    const int dim = static_cast<int>(d);
    return val(si::energy_distance<double>(to_points<double>(x, dim, "a"), to_points<double>(y, dim, "b")));
  });
}

// Bytes of the wasm heap: its size and what malloc holds (for leak tests and diagnostics).
val memoryStats() {
  const struct mallinfo mi = mallinfo();
  val out = val::object();
  out.set("heapSize", static_cast<double>(emscripten_get_heap_size()));
  out.set("allocated", static_cast<double>(mi.uordblks));
  return out;
}

}  // namespace si_wasm

EMSCRIPTEN_BINDINGS(stochastic_interpolants) {
  using namespace emscripten;
  using namespace si_wasm;

  class_<WasmModel>("Model")
      .class_function("fromJSON", &WasmModel::fromJSON, allow_raw_pointers())
      .property("dim", &WasmModel::dim)
      .function("fieldNames", &WasmModel::fieldNames)
      .function("configJSON", &WasmModel::configJSON)
      .function("toJSON", &WasmModel::toJSON)
      .function("evaluate", &WasmModel::evaluate)
      .function("divergence", &WasmModel::divergence)
      .function("sampleODE", &WasmModel::sampleODE)
      .function("sampleSDE", &WasmModel::sampleSDE)
      .function("logLikelihoodODE", &WasmModel::logLikelihoodODE)
      .function("logLikelihoodSDE", &WasmModel::logLikelihoodSDE);

  class_<WasmTrainingSession>("TrainingSession")
      .constructor(&WasmTrainingSession::create)
      .property("dim", &WasmTrainingSession::dim)
      .function("stepCount", &WasmTrainingSession::stepCount)
      .function("configJSON", &WasmTrainingSession::configJSON)
      .function("step", &WasmTrainingSession::step)
      .function("model", &WasmTrainingSession::model, allow_raw_pointers())
      .function("loadWeights", &WasmTrainingSession::loadWeights);

  class_<WasmExactFields>("ExactFields")
      .constructor(&WasmExactFields::create)
      .property("dim", &WasmExactFields::dim)
      .function("evaluate", &WasmExactFields::evaluate)
      .function("divergence", &WasmExactFields::divergence)
      .function("sampleODE", &WasmExactFields::sampleODE)
      .function("sampleSDE", &WasmExactFields::sampleSDE)
      .function("logLikelihoodODE", &WasmExactFields::logLikelihoodODE)
      .function("logLikelihoodSDE", &WasmExactFields::logLikelihoodSDE)
      .function("logDensity", &WasmExactFields::logDensity)
      .function("sampleXt", &WasmExactFields::sampleXt);

  function("names", &names);
  function("sampleDistribution", &sampleDistribution);
  function("logDensity", &logDensity);
  function("interpolantCoefficients", &interpolantCoefficients);
  function("sampleXt", &sampleXt);
  function("checkerboardSupportShare", &checkerboardSupportShare);
  function("energyDistance", &energyDistance);
  function("memoryStats", &memoryStats);
}
