// Embind bindings of the core: a few coarse objects (TrainingSession, Model, ExactFields) and
// batch functions. The raw names here are wrapped by the hand-written ES module (index.js), which
// gives defaults, turns config objects into JSON text (parsed and validated by the core) and is
// the documented API (API.md, index.d.ts). Every entry point runs inside guard() (boundary.hpp).
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "boundary.hpp"
#include "si/config.hpp"
#include "si/datasets.hpp"
#include "si/distributions.hpp"
#include "si/figures.hpp"
#include "si/gmm_fields.hpp"
#include "si/image_figures.hpp"
#include "si/images.hpp"
#include "si/integrators.hpp"
#include "si/interpolant.hpp"
#include "si/json_reader.hpp"
#include "si/limits.hpp"
#include "si/metrics.hpp"
#include "si/mlp.hpp"
#include "si/model.hpp"
#include "si/parallel.hpp"
#include "si/samplers.hpp"
#include "si/sampling.hpp"
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

json parse_json(const val& text, const char* field) { return si::parse_json(to_string(text, field), field); }

// A config restricted to the keys that describe the two ends and the path (the fields default to
// what the path allows).
si::TrainingConfig ends_config(const json& spec, const char* field) {
  if (!spec.is_object()) throw si::ConfigError(field, "must be an object");
  for (auto it = spec.begin(); it != spec.end(); ++it)
    if (it.key() != "base" && it.key() != "target" && it.key() != "interpolant")
      throw si::ConfigError(it.key(), "unknown field '" + it.key() + "'; allowed: base, target, interpolant");
  return si::TrainingConfig::from_json(spec);
}

std::uint64_t to_seed(double seed, const char* field) {
  if (!(seed >= 0) || seed > 9007199254740991.0 || std::floor(seed) != seed)
    throw si::ConfigError(field, "must be a non-negative integer (at most 2^53 - 1)");
  return static_cast<std::uint64_t>(seed);
}

Eigen::Index to_count(double n, const char* field) {
  if (!(n >= 0) || n > 1e8 || std::floor(n) != n) throw si::ConfigError(field, "must be an integer in [0, 1e8]");
  return static_cast<Eigen::Index>(n);
}

// A thread count from JS: an integer in [1, limits::kMaxThreads] (ConfigError naming `field` otherwise).
int to_threads(double threads, const char* field) {
  if (!(threads >= 1) || threads > double(si::limits::kMaxThreads) || std::floor(threads) != threads)
    throw si::ConfigError(field, "must be an integer in [1, " + std::to_string(si::limits::kMaxThreads) + "]");
  return static_cast<int>(threads);
}

si::Interpolant interpolant_from(const json& spec) {
  return si::TrainingConfig::from_json({{"interpolant", spec}}).interpolant();
}

template <typename S>
val snapshots_out(const std::vector<si::Mat<S>>& snaps) {
  val out = val::array();
  for (const auto& m : snaps) out.call<void>("push", copy_out_as<float>(m));
  return out;
}

template <typename S>
val result_out(const si::SampleResult<S>& r) {
  val out = val::object();
  out.set("samples", copy_out_as<float>(r.x));
  out.set("snapshots", snapshots_out(r.snapshots));
  out.set("times", copy_out(r.times.data(), r.times.size()));
  out.set("nfe", static_cast<double>(r.stats.nfe));
  out.set("accepted", static_cast<double>(r.stats.accepted));
  out.set("rejected", static_cast<double>(r.stats.rejected));
  return out;
}

// Optional start points (a JS array, or undefined/null for draws from the start law).
std::unique_ptr<si::MatD> start_of(const val& start, int d) {
  if (start.isUndefined() || start.isNull()) return nullptr;
  return std::make_unique<si::MatD>(to_points<double>(start, d, "start"));
}

// The methods Model and ExactFields share, written once: W is WasmModel or WasmExactFields, whose
// fields() is a si::Fields<W::Scalar> with evaluate(name, t, x, out, div). The samplers follow
// core's sampling plan (si/sampling.hpp), as `si sample` does.
template <typename W>
val fields_evaluate(const W& w, val field, double t, val points) {
  return guard([&] {
    const val f = take(field), p = take(points);
    const auto x = to_points<typename W::Scalar>(p, w.fields().dim(), "points");
    si::Mat<typename W::Scalar> out;
    w.fields().evaluate(to_string(f, "field"), t, x, out);
    return copy_out(out);
  });
}

template <typename W>
val fields_divergence(const W& w, val field, double t, val points) {
  return guard([&] {
    const val f = take(field), p = take(points);
    const auto x = to_points<typename W::Scalar>(p, w.fields().dim(), "points");
    si::Mat<typename W::Scalar> out;
    si::Vec<typename W::Scalar> div;
    w.fields().evaluate(to_string(f, "field"), t, x, out, &div);
    return copy_out(div);
  });
}

template <typename W>
val fields_sample_ode(const W& w, val options, val start) {
  return guard([&] {
    const val o = take(options), x = take(start);
    const si::SamplingDefaults d = si::sampling_defaults(w.fields());
    const si::OdePlan plan = si::read_ode_plan(parse_json(o, "ode"), d, true);
    const auto given = start_of(x, w.fields().dim());
    const si::Sampled<typename W::Scalar> r = si::run_ode(w.fields(), d, plan, given.get());
    val out = result_out(r.result);
    if (plan.opt.with_logp) out.set("logDensity", copy_out(r.logp));
    return out;
  });
}

template <typename W>
val fields_sample_sde(const W& w, val options, val start) {
  return guard([&] {
    const val o = take(options), x = take(start);
    const si::SamplingDefaults d = si::sampling_defaults(w.fields());
    const si::SdePlan plan = si::read_sde_plan(parse_json(o, "sde"), d, true);
    const auto given = start_of(x, w.fields().dim());
    return result_out(si::run_sde(w.fields(), d, plan, given.get()).result);
  });
}

template <typename W>
val fields_log_likelihood_ode(const W& w, val points, val options) {
  return guard([&] {
    const val p = take(points), o = take(options);
    const si::SamplingDefaults d = si::sampling_defaults(w.fields());
    const si::OdePlan plan = si::read_ode_plan(parse_json(o, "ode"), d, false);
    const auto x = to_points<typename W::Scalar>(p, w.fields().dim(), "points");
    return copy_out(si::run_ode_likelihood(w.fields(), d, x, plan).logp);
  });
}

template <typename W>
val fields_log_likelihood_sde(const W& w, val points, val options) {
  return guard([&] {
    const val p = take(points), o = take(options);
    const si::SamplingDefaults d = si::sampling_defaults(w.fields());
    const si::SdePlan plan = si::read_sde_plan(parse_json(o, "sde"), d, false);
    const auto x = to_points<typename W::Scalar>(p, w.fields().dim(), "points");
    const auto r = si::run_sde_likelihood(w.fields(), d, x, plan);
    val out = val::object();
    out.set("mean", copy_out(r.logp));
    out.set("stderr", copy_out(r.std_error));
    return out;
  });
}

template <typename W>
val fields_sampling_defaults(const W& w) {
  return guard([&] { return val(si::sampling_defaults(w.fields()).to_json().dump()); });
}

template <typename W>
void bind_fields(emscripten::class_<W>& c) {
  c.function("evaluate", &fields_evaluate<W>, emscripten::allow_raw_pointers())
      .function("divergence", &fields_divergence<W>, emscripten::allow_raw_pointers())
      .function("sampleODE", &fields_sample_ode<W>, emscripten::allow_raw_pointers())
      .function("sampleSDE", &fields_sample_sde<W>, emscripten::allow_raw_pointers())
      .function("logLikelihoodODE", &fields_log_likelihood_ode<W>, emscripten::allow_raw_pointers())
      .function("logLikelihoodSDE", &fields_log_likelihood_sde<W>, emscripten::allow_raw_pointers())
      .function("samplingDefaultsJSON", &fields_sampling_defaults<W>, emscripten::allow_raw_pointers());
}

}  // namespace

// --- Model ------------------------------------------------------------------------------------

class WasmModel {
 public:
  using Scalar = float;
  explicit WasmModel(si::Model m) : model_(std::move(m)) {}
  const si::Model& model() const { return model_; }
  const si::Model& fields() const { return model_; }

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
  val retune(val config) {
    return guard([&] {
      const val c = take(config);
      session_.retune(si::TrainingConfig::from_json(parse_json(c, "config")));
      return val::undefined();
    });
  }
  int threads() const { return session_.threads(); }
  val setThreads(double threads) {
    return guard([&] {
      session_.set_threads(to_threads(threads, "threads"));
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
  using Scalar = double;
  static WasmExactFields* create(val spec) {
    return guard([&] {
      const val s = take(spec);
      return new WasmExactFields(si::GmmFields::from_config(ends_config(parse_json(s, "spec"), "spec")));
    });
  }

  int dim() const { return fields_.dim(); }
  const si::GmmFields& fields() const { return fields_; }
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

 private:
  explicit WasmExactFields(si::GmmFields f) : fields_(std::move(f)) {}
  si::GmmFields fields_;
};

// --- The paper's figures A-D (si/figures.hpp): core reads the options and computes -------------

namespace {

// A (rows x cols) matrix as a row-major Float64Array (Eigen stores column-major).
val rows_out(const si::MatD& m) {
  const si::MatD t = m.transpose();
  return copy_out(t);
}

val vector_out(const std::vector<double>& v) { return copy_out(v.data(), v.size()); }

val interpolant_out(const si::InterpolantSpec& s) {
  return val::global("JSON").call<val>("parse", val(s.to_json().dump()));
}

// A JS object from its keys and values.
val object(std::initializer_list<std::pair<const char*, val>> members) {
  val o = val::object();
  for (const auto& [k, v] : members) o.set(k, v);
  return o;
}

val density_figure_out(const si::DensityFigure& f) {
  val rows = val::array();
  for (const si::DensityRow& r : f.rows) {
    si::MatD curves(static_cast<Eigen::Index>(r.curves.size()), f.x.size());
    for (std::size_t k = 0; k < r.curves.size(); ++k)
      curves.row(static_cast<Eigen::Index>(k)) = r.curves[k].transpose();
    rows.call<void>("push", object({{"interpolant", interpolant_out(r.interpolant)},
                                    {"label", val(r.interpolant.label())},
                                    {"curves", rows_out(curves)},
                                    {"heat", rows_out(r.heat)}}));
  }
  return object(
      {{"x", copy_out(f.x)}, {"times", vector_out(f.times)}, {"heatT", vector_out(f.heat_t)}, {"rows", rows}});
}

val path_figure_out(const si::PathFigure& f) {
  val panels = val::array();
  for (const si::PathPanel& p : f.panels) {
    val marginals = val::array();
    for (const si::Marginal& m : p.marginals)
      marginals.call<void>("push", object({{"t", val(m.t)},
                                           {"edges", copy_out(m.edges)},
                                           {"density", copy_out(m.density)},
                                           {"exact", copy_out(m.exact)},
                                           {"ks", val(m.ks)},
                                           {"pValue", val(m.p_value)},
                                           {"outside", val(static_cast<double>(m.outside))}}));
    panels.call<void>("push", object({{"interpolant", interpolant_out(p.interpolant)},
                                      {"label", val(p.interpolant.label())},
                                      {"eps", val(p.eps)},
                                      {"sampler", val(p.sampler)},
                                      {"times", vector_out(p.times)},
                                      {"nPaths", val(static_cast<double>(p.x.cols()))},
                                      // times x paths, column-major: path after path
                                      {"paths", copy_out(p.x)},
                                      {"heat", rows_out(p.heat)},
                                      {"marginals", marginals}}));
  }
  return object({{"rows", val(f.rows)},
                 {"cols", val(f.cols)},
                 {"rowLabels", string_array(f.row_labels)},
                 {"colLabels", string_array(f.col_labels)},
                 {"x", copy_out(f.x)},
                 {"heatT", vector_out(f.heat_t)},
                 {"panels", panels}});
}

val likelihood_figure_out(const si::LikelihoodFigure& f) {
  val panels = val::array();
  for (const si::ColouredPoints& p : f.panels)
    panels.call<void>("push", object({{"label", val(p.label)},
                                      {"points", copy_out(p.x)},  // d x n column-major: point after point
                                      {"logp", copy_out(p.logp)},
                                      {"stdError", copy_out(p.std_error)},
                                      {"exact", copy_out(p.exact)}}));
  return object({{"dim", val(f.rho0.dim())}, {"lo", val(f.lo)}, {"hi", val(f.hi)}, {"panels", panels}});
}

// Figure kinds by the names of `si figure`: each reads its options in core and computes there.
struct FigureKind {
  const char* name;
  val (*run)(const json& options);
};
const FigureKind kFigureKinds[] = {
    {"densities",
     [](const json& o) { return density_figure_out(si::density_figure(si::read_density_figure_options(o))); }},
    {"trajectories",
     [](const json& o) { return path_figure_out(si::trajectory_figure(si::read_trajectory_figure_options(o))); }},
    {"linear-gamma", [](const json& o) { return path_figure_out(si::gamma_figure(si::read_gamma_figure_options(o))); }},
    {"gmm-likelihood",
     [](const json& o) { return likelihood_figure_out(si::likelihood_figure(si::read_likelihood_figure_options(o))); }},
};

std::vector<std::string> figure_kinds() {
  std::vector<std::string> out;
  for (const FigureKind& k : kFigureKinds) out.emplace_back(k.name);
  return out;
}

}  // namespace

val figure(val kind, val options) {
  return guard([&] {
    const std::string k = to_string(take(kind), "kind");
    const json o = parse_json(take(options), "options");
    for (const FigureKind& f : kFigureKinds)
      if (k == f.name) {
        val out = f.run(o);
        out.set("kind", k);
        return out;
      }
    std::string allowed;
    for (const auto& n : figure_kinds()) allowed += (allowed.empty() ? "" : ", ") + n;
    throw si::ConfigError("kind", "unknown figure '" + si::printable(k) + "'; allowed: " + allowed);
  });
}

// --- Images (si/images.hpp, si/image_figures.hpp): bytes in, the core's figures out ------------

namespace {

std::vector<std::uint8_t> to_bytes(const val& v, const char* field) {
  if (!v.instanceof (val::global("Uint8Array")))
    throw si::ConfigError(field, "must be a Uint8Array of pixel bytes (0..255)");
  const std::size_t n = js_length(v, field);
  std::vector<std::uint8_t> out(n);
  if (n > 0) val(emscripten::typed_memory_view(n, out.data())).call<void>("set", v);
  return out;
}

int to_side(double v, const char* field) {
  if (!(v >= 1) || v > si::limits::kMaxDim || std::floor(v) != v)
    throw si::ConfigError(field, "must be a whole number from 1 to " + std::to_string(si::limits::kMaxDim));
  return static_cast<int>(v);
}

si::ImageSet stored_or_throw(const std::string& name, const std::string& split) {
  const si::ImageSet* s = si::stored_image_set(name, split);
  if (!s)
    throw si::ConfigError("name", "no image set '" + si::printable(name, 60) + "/" + si::printable(split, 20) +
                                      "' is stored (add it with addImages)");
  return *s;
}

val strip_out(const si::ImageStrip& s, const std::string& kind) {
  val rows = val::array();
  for (const si::MatD& r : s.rows) rows.call<void>("push", copy_out_as<float>(r));  // frame after frame
  return object({{"kind", val(kind)},
                 {"rowLabels", string_array(s.row_labels)},
                 {"rowEps", vector_out(s.row_eps)},
                 {"times", vector_out(s.times)},
                 {"rows", rows}});
}

}  // namespace

val addImages(val name, val split, val rows, val cols, val pixels, val labels) {
  return guard([&] {
    const std::string n = to_string(take(name), "name"), sp = to_string(take(split), "split");
    if (n.empty() || n.size() > 100) throw si::ConfigError("name", "must be a string of 1 to 100 characters");
    if (sp != "train" && sp != "test") throw si::ConfigError("split", "must be one of train, test");
    const val r = take(rows), c = take(cols), p = take(pixels), l = take(labels);
    if (!r.isNumber()) throw si::ConfigError("rows", "must be a number");
    if (!c.isNumber()) throw si::ConfigError("cols", "must be a number");
    const int nr = to_side(r.as<double>(), "rows"), nc = to_side(c.as<double>(), "cols");
    const std::vector<std::uint8_t> px = to_bytes(p, "pixels");
    const bool has_labels = !l.isUndefined() && !l.isNull();
    const std::vector<std::uint8_t> lb = has_labels ? to_bytes(l, "labels") : std::vector<std::uint8_t>();
    si::ImageSet s =
        si::images_from_bytes(px.data(), px.size(), has_labels ? lb.data() : nullptr, lb.size(), nr, nc, "");
    const double count = static_cast<double>(s.size());
    si::store_image_set(n, sp, std::move(s));
    return val(count);
  });
}

val storedImages() {
  return guard([&] { return string_array(si::stored_image_sets()); });
}

// Images first..first+n of a stored set in [-1, 1] (the core's conversion), image after image.
val imagePoints(val name, val split, double first, double n) {
  return guard([&] {
    const std::string nm = to_string(take(name), "name"), sp = to_string(take(split), "split");
    const si::ImageSet s = stored_or_throw(nm, sp);
    const Eigen::Index f = to_count(first, "first"), k = to_count(n, "n");
    if (f + k > s.size())
      throw si::ConfigError("n", "first + n = " + std::to_string(f + k) + " exceeds the " + std::to_string(s.size()) +
                                     " images of '" + nm + "/" + sp + "'");
    return copy_out_as<float>(s.to_matrix(f, k));
  });
}

val imageFigure(val kind, const WasmModel& m, val options, val image) {
  return guard([&] {
    const std::string k = to_string(take(kind), "kind");
    const json opts = parse_json(take(options), "options");
    if (!opts.is_object()) throw si::ConfigError("options", "must be an object");
    si::JsonReader o(opts, "", "option");
    const val im = take(image);
    const si::Model& model = m.model();
    si::image_side(model.dim(), "model");
    if (k == "eps-grid") {
      si::EpsGridOptions e;
      if (o.has("eps")) {
        const si::VecD v = o.at("eps").is_array() ? si::json_vector(o.at("eps"), "eps")
                                                  : si::VecD::Constant(1, si::json_number(o.at("eps"), "eps"));
        e.eps.assign(v.data(), v.data() + v.size());
      }
      e.frames = static_cast<int>(o.integer("frames", e.frames, 2, 50));
      e.steps = static_cast<int>(o.integer("steps", e.steps, 1, 100000));
      e.seed = static_cast<std::uint64_t>(o.integer("seed", 0, 0, si::limits::kMaxSeed));
      o.finish();
      return strip_out(si::eps_grid(model, e), k);
    }
    if (k == "mirror") {
      si::MirrorOptions e;
      e.eps = o.number("eps", e.eps, 1e-6, 1e6);
      e.frames = static_cast<int>(o.integer("frames", e.frames, 2, 50));
      e.steps = static_cast<int>(o.integer("steps", e.steps, 1, 100000));
      e.rows = static_cast<int>(o.integer("rows", e.rows, 1, 20));
      e.seed = static_cast<std::uint64_t>(o.integer("seed", 0, 0, si::limits::kMaxSeed));
      o.finish();
      if (im.isUndefined() || im.isNull())
        throw si::ConfigError("image", "the mirror strip needs an image: " + std::to_string(model.dim()) +
                                           " values in [-1, 1] (e.g. from imagePoints)");
      const si::MatD x1 = to_points<double>(im, model.dim(), "image");
      if (x1.cols() != 1)
        throw si::ConfigError("image", "must be one image of " + std::to_string(model.dim()) + " values");
      return strip_out(si::mirror_strip(model, x1, e), k);
    }
    throw si::ConfigError("kind", "unknown image figure '" + si::printable(k) + "'; allowed: eps-grid, mirror");
  });
}

// --- Functions ----------------------------------------------------------------------------------

val names(val kind) {
  return guard([&] {
    const std::string k = to_string(take(kind), "kind");
    if (k == "path") return string_array(si::path_names());
    if (k == "gamma") return string_array(si::gamma_names());
    if (k == "activation") return string_array(si::activation_names());
    if (k == "distribution") return string_array(si::distribution_types());
    if (k == "fieldSet") return string_array(si::field_set_names());
    if (k == "odeMethod") return string_array(si::ode_method_names());
    if (k == "sdeMethod") return string_array(si::sde_method_names());
    if (k == "figure") return string_array(figure_kinds());
    throw si::ConfigError("kind", "unknown name list '" + k +
                                      "'; allowed: path, gamma, activation, distribution, fieldSet, odeMethod, "
                                      "sdeMethod, figure");
  });
}

// Every table of the core with its traits, as JSON text (API.md: catalog).
val catalogJSON() {
  return guard([&] {
    json c;
    for (const si::PathDef* p : si::paths().entries())
      c["path"].push_back({{"name", p->name},
                           {"sidedness", si::to_name(p->sidedness)},
                           {"defaultGamma", p->default_gamma},
                           {"alpha", p->alpha},
                           {"beta", p->beta}});
    for (const si::GammaDef* g : si::gammas().entries())
      c["gamma"].push_back({{"name", g->name}, {"formula", g->formula}, {"hasParam", g->has_param}});
    for (const si::FieldSetDef* f : si::field_sets().entries()) {
      json paths = json::array();
      for (si::Sidedness s : f->paths) paths.push_back(si::to_name(s));
      c["fieldSet"].push_back({{"name", f->name}, {"networks", f->networks}, {"paths", paths}});
    }
    for (const si::LossDef* l : si::losses().entries())
      c["loss"].push_back({{"name", l->name},
                           {"field", l->field},
                           {"sidedness", si::to_name(l->sidedness)},
                           {"clippedTime", l->clipped_time},
                           {"antithetic", l->antithetic}});
    for (const si::ActivationDef* a : si::activations().entries()) c["activation"].push_back({{"name", a->name}});
    for (const si::OdeMethodDef* m : si::ode_methods().entries())
      c["odeMethod"].push_back({{"name", m->name}, {"adaptive", m->adaptive}, {"order", m->order}});
    for (const si::SdeMethodDef* m : si::sde_methods().entries())
      c["sdeMethod"].push_back({{"name", m->name}, {"order", m->order}});
    for (const si::DatasetDef* d : si::datasets().entries()) {
      bool plain = true;  // {"type": name} alone builds it
      try {
        si::make_distribution(json{{"type", d->name}}, "spec");
      } catch (const std::exception&) {
        plain = false;
      }
      c["distribution"].push_back({{"name", d->name},
                                   {"description", d->description},
                                   {"dim", d->dim},
                                   {"mixture", d->mixture},
                                   {"density", d->density},
                                   {"needsParameters", !plain}});
    }
    namespace L = si::limits;
    c["limits"] = {{"jsonDepth", L::kMaxJsonDepth},
                   {"dim", L::kMaxDim},
                   {"components", L::kMaxComponents},
                   {"mixtureCost", L::kMaxMixtureCost},
                   {"points", L::kMaxPoints},
                   {"batch", L::kMaxBatch},
                   {"width", L::kMaxWidth},
                   {"layers", L::kMaxLayers},
                   {"params", L::kMaxParams},
                   {"batchFloats", L::kMaxBatchFloats},
                   {"trainingSteps", L::kMaxTrainingSteps},
                   {"samples", L::kMaxSamples},
                   {"steps", L::kMaxSteps},
                   {"snapshots", L::kMaxSnapshots},
                   {"outputFloats", L::kMaxOutputFloats},
                   {"seed", L::kMaxSeed}};
    return val(c.dump());
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

// The process-wide thread count (si/parallel.hpp): sampling, likelihoods, figures and new sessions.
int threads() { return si::threads(); }
val setThreads(double threads) {
  return guard([&] {
    si::set_threads(to_threads(threads, "threads"));
    return val::undefined();
  });
}
int hardwareThreads() { return si::hardware_threads(); }

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

  auto model = class_<WasmModel>("Model");
  model.class_function("fromJSON", &WasmModel::fromJSON, allow_raw_pointers())
      .property("dim", &WasmModel::dim)
      .function("fieldNames", &WasmModel::fieldNames)
      .function("configJSON", &WasmModel::configJSON)
      .function("toJSON", &WasmModel::toJSON);
  bind_fields(model);

  class_<WasmTrainingSession>("TrainingSession")
      .constructor(&WasmTrainingSession::create)
      .property("dim", &WasmTrainingSession::dim)
      .function("stepCount", &WasmTrainingSession::stepCount)
      .function("configJSON", &WasmTrainingSession::configJSON)
      .function("step", &WasmTrainingSession::step)
      .function("model", &WasmTrainingSession::model, allow_raw_pointers())
      .function("loadWeights", &WasmTrainingSession::loadWeights)
      .function("retune", &WasmTrainingSession::retune)
      .function("threads", &WasmTrainingSession::threads)
      .function("setThreads", &WasmTrainingSession::setThreads);

  auto exact = class_<WasmExactFields>("ExactFields");
  exact.constructor(&WasmExactFields::create)
      .property("dim", &WasmExactFields::dim)
      .function("logDensity", &WasmExactFields::logDensity)
      .function("sampleXt", &WasmExactFields::sampleXt);
  bind_fields(exact);

  function("names", &names);
  function("catalogJSON", &catalogJSON);
  function("sampleDistribution", &sampleDistribution);
  function("logDensity", &logDensity);
  function("interpolantCoefficients", &interpolantCoefficients);
  function("sampleXt", &sampleXt);
  function("checkerboardSupportShare", &checkerboardSupportShare);
  function("energyDistance", &energyDistance);
  function("figure", &figure);
  function("memoryStats", &memoryStats);
  function("threads", &threads);
  function("setThreads", &setThreads);
  function("hardwareThreads", &hardwareThreads);

  function("addImages", &addImages);
  function("storedImages", &storedImages);
  function("imagePoints", &imagePoints);
  function("imageFigure", &imageFigure);
}
