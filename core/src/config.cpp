#include "si/config.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "si/json_reader.hpp"
#include "si/limits.hpp"

namespace si {

using nlohmann::json;

Registry<FieldSetDef>& field_sets() {
  using Sd = Sidedness;
  // name, value, networks (each learned by loss_for(network, the path's sidedness)), paths it fits
  static Registry<FieldSetDef> table("field set",
                                     {
                                         {"b+s", FieldSet::BS, {"b", "s"}, {Sd::TwoSided, Sd::OneSided}},
                                         {"b+eta", FieldSet::BEta, {"b", "eta"}, {Sd::TwoSided, Sd::OneSided}},
                                         {"v+s", FieldSet::VS, {"v", "s"}, {Sd::TwoSided, Sd::OneSided}},
                                         {"v+eta", FieldSet::VEta, {"v", "eta"}, {Sd::TwoSided, Sd::OneSided}},
                                         {"b", FieldSet::B, {"b"}, {Sd::TwoSided, Sd::OneSided}},
                                         {"s", FieldSet::S, {"s"}, {Sd::Mirror}},
                                     });
  return table;
}

bool FieldSetDef::fits(Sidedness s) const { return std::find(paths.begin(), paths.end(), s) != paths.end(); }

std::vector<std::string> field_set_names() { return field_sets().names(); }
FieldSet field_set_from_name(const std::string& name, const std::string& field) {
  return field_sets().at(name, field).value;
}
std::string to_name(FieldSet f) { return field_sets().of(f).name; }

namespace {

// sampling.{ode,sde}.denoise: a time in (0, 1) where the samplers jump to E[x1 | x_t].
double read_denoise(JsonReader& r, double def) {
  const double u = r.number("denoise", def, 0, 1, true);
  if (u >= 1)
    throw ConfigError(r.key("denoise"), "must be a time in (0, 1) (the sampler jumps to E[x1 | x_t] there), got 1");
  return u;
}

}  // namespace

std::string read_score_source(JsonReader& r, const std::string& def) {
  const std::string s = r.string("score", def);
  if (s != "learned" && s != "drift")
    throw ConfigError(r.key("score"),
                      "must be 'learned' (the model's own score) or 'drift' (derived from b on "
                      "one-sided paths), got '" +
                          printable(s) + "'");
  return s;
}

namespace {

std::string fitting_field_sets(Sidedness side) {
  std::string out;
  for (const FieldSetDef* d : field_sets().entries())
    if (d->fits(side)) out += (out.empty() ? "" : ", ") + d->name;
  return out;
}

}  // namespace

TrainingConfig TrainingConfig::from_json(const json& j) {
  TrainingConfig c;
  JsonReader r(j, "");
  if (r.has("base")) c.base = r.at("base");
  if (r.has("target")) c.target = r.at("target");
  if (r.has("interpolant")) {
    JsonReader ri(r.at("interpolant"), "interpolant");
    c.set_interpolant(InterpolantSpec::read(ri, c.path));
    ri.finish();
  }
  const PathDef& path = path_def(c.path, "interpolant.path");
  if (c.gamma.empty()) c.gamma = path.default_gamma;
  // The first field set that fits the path is the default (b+s; s for the mirror path).
  std::string default_fields;
  for (const FieldSetDef* d : field_sets().entries())
    if (default_fields.empty() && d->fits(path.sidedness)) default_fields = d->name;
  c.fields = r.choice("fields", default_fields, field_sets()).value;
  if (r.has("network")) {
    JsonReader rn(r.at("network"), "network");
    if (rn.has("hidden")) {
      const json& h = rn.at("hidden");
      if (!h.is_array() || h.empty() || static_cast<std::int64_t>(h.size()) > limits::kMaxLayers)
        throw ConfigError("network.hidden", "must be a list of 1 to " + std::to_string(limits::kMaxLayers) +
                                                " layer widths, e.g. [256, 256]");
      c.hidden.clear();
      for (const auto& w : h) {
        if (!w.is_number_integer() || w.get<std::int64_t>() < 1 || w.get<std::int64_t>() > limits::kMaxWidth)
          throw ConfigError("network.hidden", "every width must be an integer in [1, " +
                                                  std::to_string(limits::kMaxWidth) + "], got " + describe_json(w));
        c.hidden.push_back(w.get<int>());
      }
    }
    c.activation = rn.choice("activation", to_name(c.activation), activations()).value;
    rn.finish();
  }
  if (r.has("optimizer")) {
    JsonReader ro(r.at("optimizer"), "optimizer");
    c.optimizer.lr = ro.number("lr", c.optimizer.lr);
    c.optimizer.beta1 = ro.number("beta1", c.optimizer.beta1);
    c.optimizer.beta2 = ro.number("beta2", c.optimizer.beta2);
    c.optimizer.eps = ro.number("eps", c.optimizer.eps);
    c.optimizer.step_size = ro.integer("step_size", c.optimizer.step_size, 0, std::int64_t(1) << 40);
    c.optimizer.decay = ro.number("decay", c.optimizer.decay);
    c.optimizer.clip = ro.number("clip", c.optimizer.clip);
    c.optimizer.schedule = ro.string("schedule", c.optimizer.schedule);
    c.optimizer.ema = ro.number("ema", c.optimizer.ema, 0.0, 1.0);
    ro.finish();
  }
  if (r.has("training")) {
    JsonReader rt(r.at("training"), "training");
    c.steps = rt.integer("steps", c.steps, 0, limits::kMaxTrainingSteps);
    c.batch = static_cast<int>(rt.integer("batch", c.batch, 1, limits::kMaxBatch));
    c.seed = static_cast<std::uint64_t>(rt.integer("seed", 0, 0, limits::kMaxSeed));
    c.t_lo = rt.number("t_lo", c.t_lo, 0, 0.5);
    c.t_hi = rt.number("t_hi", c.t_hi, 0, 0.5);
    c.antithetic = rt.boolean("antithetic", c.antithetic);
    rt.finish();
  }
  c.optimizer.horizon = c.steps;  // the cosine schedule's length
  c.optimizer.validate("optimizer");
  if (r.has("sampling")) {
    JsonReader rs(r.at("sampling"), "sampling");
    if (rs.has("ode")) {
      JsonReader ro(rs.at("ode"), "sampling.ode");
      c.ode.method = ro.choice("method", c.ode.method, ode_methods()).name;
      c.ode.atol = ro.number("atol", c.ode.atol, 0, 1, true);
      c.ode.rtol = ro.number("rtol", c.ode.rtol, 0, 1, true);
      c.ode.steps = static_cast<int>(ro.integer("steps", c.ode.steps, 1, 100000));
      c.ode.denoise = read_denoise(ro, c.ode.denoise);
      ro.finish();
    }
    if (rs.has("sde")) {
      JsonReader rd(rs.at("sde"), "sampling.sde");
      c.sde.method = rd.choice("method", c.sde.method, sde_methods()).name;
      c.sde.eps = rd.number("eps", c.sde.eps, 0, 100);
      c.sde.steps = static_cast<int>(rd.integer("steps", c.sde.steps, 1, 100000));
      c.sde.eps_until = rd.number("eps_until", c.sde.eps_until, 0, 1);
      c.sde.denoise = read_denoise(rd, c.sde.denoise);
      c.sde.score = read_score_source(rd, c.sde.score);
      rd.finish();
    }
    rs.finish();
  }
  r.finish();

  // Cross-field checks: build what the config describes once, so every problem surfaces here.
  const Interpolant I = c.interpolant();
  const auto base = c.make_base();
  const auto target = c.make_target();
  if (base->dim() != target->dim())
    throw ConfigError("target", "dimension " + std::to_string(target->dim()) + " differs from the base's " +
                                    std::to_string(base->dim()));
  // The work and memory of one step: each network's parameters, and its activations for a batch
  // (twice for antithetic pairs).
  double params = 0, width_sum = 0;
  for (size_t l = 0; l <= c.hidden.size(); ++l) {
    const double in = l == 0 ? base->dim() + 1 : c.hidden[l - 1], out = l < c.hidden.size() ? c.hidden[l] : base->dim();
    params += in * out + out;
    width_sum += out;
  }
  limits::check_cost(params, limits::kMaxParams, "network.hidden", "a network of these widths");
  limits::check_cost(2.0 * c.batch * (base->dim() + 1 + width_sum), limits::kMaxBatchFloats, "training.batch",
                     "a batch of " + std::to_string(c.batch) + " through these layers");
  if (!I.two_sided()) {
    const GaussianMixture* g = base->as_mixture();
    if (!g || !g->is_standard_normal())
      throw ConfigError("base", "the " + c.path +
                                    " path uses x0 ~ N(0, I) as its noise: base must be "
                                    "{\"type\": \"gaussian\"} with mean 0 and identity covariance");
  }
  if (!field_sets().of(c.fields).fits(path.sidedness))
    throw ConfigError("fields",
                      "'" + to_name(c.fields) + "' does not fit the " + to_name(path.sidedness) + " path '" + c.path +
                          "'; allowed here: " + fitting_field_sets(path.sidedness) +
                          (path.sidedness == Sidedness::Mirror ? " (the mirror path learns the score only)" : ""));
  // A two-sided path with gamma = 0 has no noise z: the score's and the denoiser's losses divide by gamma.
  if (I.two_sided() && c.fields != FieldSet::B) {
    bool zero = true;
    for (const double t : {0.1, 0.3, 0.5, 0.7, 0.9}) zero = zero && I.at(t).gamma == 0.0;
    if (zero)
      throw ConfigError("fields", "'" + to_name(c.fields) + "' needs a score, and the two-sided path '" + c.path +
                                      "' with gamma = 0 has no noise to learn it from (its loss divides by gamma); "
                                      "learn 'b' only (the ODE) or choose a gamma > 0, e.g. 'brownian'");
  }
  return c;
}

json TrainingConfig::to_json() const {
  return json{{"base", base},
              {"target", target},
              {"interpolant", interpolant_spec().to_json()},
              {"fields", to_name(fields)},
              {"network", {{"hidden", hidden}, {"activation", to_name(activation)}}},
              {"optimizer",
               {{"lr", optimizer.lr},
                {"beta1", optimizer.beta1},
                {"beta2", optimizer.beta2},
                {"eps", optimizer.eps},
                {"step_size", optimizer.step_size},
                {"decay", optimizer.decay},
                {"clip", optimizer.clip},
                {"schedule", optimizer.schedule},
                {"ema", optimizer.ema}}},
              {"training",
               {{"steps", steps},
                {"batch", batch},
                {"seed", seed},
                {"t_lo", t_lo},
                {"t_hi", t_hi},
                {"antithetic", antithetic}}},
              {"sampling", {{"ode", ode.to_json()}, {"sde", sde.to_json()}}}};
}

nlohmann::json OdeDefaults::to_json() const {
  json j = {{"method", method}, {"atol", atol}, {"rtol", rtol}, {"steps", steps}};
  if (denoise >= 0) j["denoise"] = denoise;
  return j;
}

nlohmann::json SdeDefaults::to_json() const {
  json j = {{"method", method}, {"eps", eps}, {"steps", steps}};
  if (eps_until >= 0) j["eps_until"] = eps_until;
  if (denoise >= 0) j["denoise"] = denoise;
  if (score != "learned") j["score"] = score;
  return j;
}

Interpolant TrainingConfig::interpolant() const {
  try {
    return interpolant_spec().build();
  } catch (const ConfigError& e) {
    // Report interpolant errors under the config's own field names.
    throw ConfigError("interpolant." + e.field(), std::string(e.what()).substr(e.field().size() + 2));
  }
}

InterpolantSpec TrainingConfig::interpolant_spec() const {
  return InterpolantSpec{path, gamma, gamma_a, alpha, beta, gamma_expr};
}

void TrainingConfig::set_interpolant(const InterpolantSpec& s) {
  std::tie(path, gamma, gamma_a, alpha, beta, gamma_expr) =
      std::tie(s.path, s.gamma, s.gamma_a, s.alpha, s.beta, s.gamma_expr);
}

std::unique_ptr<Distribution> TrainingConfig::make_base() const { return make_distribution(base, "base"); }
std::unique_ptr<Distribution> TrainingConfig::make_target() const { return make_distribution(target, "target"); }

std::vector<std::pair<std::string, LossKind>> TrainingConfig::networks() const {
  const Sidedness side = path_def(path, "interpolant.path").sidedness;
  std::vector<std::pair<std::string, LossKind>> out;
  for (const std::string& net : field_sets().of(fields).networks) out.emplace_back(net, loss_for(net, side));
  return out;
}

}  // namespace si
