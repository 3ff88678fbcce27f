#include "si/model.hpp"

#include <algorithm>
#include <cmath>

#include "si/json_reader.hpp"
#include "si/limits.hpp"

namespace si {

using nlohmann::json;

Model::Model(TrainingConfig config, std::map<std::string, Mlp<float>> nets)
    : config_(std::move(config)),
      interp_(config_.interpolant()),
      base_(config_.make_base()),
      target_(config_.make_target()),
      nets_(std::move(nets)) {
  for (const auto& [name, loss] : config_.networks()) {
    (void)loss;
    if (!nets_.count(name))
      throw ConfigError("networks." + name, "missing: fields '" + to_name(config_.fields) + "' need it");
  }
}

std::pair<double, double> Model::sampling_interval(bool sde) const {
  const bool drift_is_network = nets_.count("b") > 0 && (!sde || nets_.count("s") > 0);
  if (drift_is_network || interp_.mirror()) return {0.0, 1.0};
  return {config_.t_lo, 1.0 - config_.t_hi};
}

int Model::dim() const { return base_->dim(); }

void Model::net(const std::string& name, double t, const MatF& x, MatF& out, VecF* div) const {
  const Mlp<float>& m = nets_.at(name);
  MatF in;
  stack_time(float(t), x, in);
  out = div ? m.eval_with_divergence(in, *div, 1) : m.eval(in);
}

void Model::net(const std::string& name, double t, const MatF& x, MatF& out, Jvp* jvp) const {
  const Mlp<float>& m = nets_.at(name);
  MatF in;
  stack_time(float(t), x, in);
  out = jvp ? m.eval_with_jvp(in, *jvp->e, jvp->value, 1) : m.eval(in);
}

std::vector<std::string> Model::field_names() const {
  std::vector<std::string> out;
  for (const char* f : {"b", "s", "eta", "v"})
    if (has_field(f)) out.push_back(f);
  return out;
}

bool Model::has_field(const std::string& f) const {
  const bool score = nets_.count("s") || nets_.count("eta");
  if (f == "b") return nets_.count("b") || score || interp_.one_sided();
  if (f == "s" || f == "eta") return score;
  if (f == "v") return nets_.count("v") || (nets_.count("b") && (score || !interp_.two_sided())) || interp_.mirror();
  return false;
}

// div is the divergence (T = VecF) or a Jacobian-vector product (T = Jvp): every derived field is
// a combination of network outputs with coefficients in t, so both follow the same algebra.
template <typename T>
void Model::derive(const std::string& f, double t, const MatF& x, MatF& out, T* div) const {
  if (!has_field(f)) {
    std::string offered;
    for (const auto& n : field_names()) offered += (offered.empty() ? "" : ", ") + n;
    throw ConfigError("field", "this model (fields '" + to_name(config_.fields) + "') cannot evaluate '" + f +
                                   "'; it offers: " + offered);
  }
  if (x.rows() != dim())
    throw ConfigError("points", "must have dimension " + std::to_string(dim()) + ", got " + std::to_string(x.rows()));
  if (!(t >= 0.0 && t <= 1.0)) throw ConfigError("t", "must be a time in [0, 1], got " + format_number(t));
  if (nets_.count(f)) return net(f, t, x, out, div);
  // A derived field divides by gamma or alpha or multiplies by gamma', which are 0 or infinite at the
  // ends; there it takes the value at the nearest end of the training range [t_lo, 1 - t_hi].
  {
    const Coefficients c = interp_.at(t);
    const double gg = interp_.mirror() ? interp_.gamma().product(t) : c.gamma_dgamma;
    if (c.noise == 0.0 || !std::isfinite(c.noise) || !std::isfinite(gg) || !std::isfinite(c.dgamma))
      t = std::clamp(t, config_.t_lo, 1.0 - config_.t_hi);
  }
  const Coefficients c = interp_.at(t);
  // gamma gamma' of the latent term (two-sided) or of the mirror's gamma.
  const double gg = interp_.mirror() ? interp_.gamma().product(t) : c.gamma_dgamma;
  MatF tmp;
  T tdiv = blank_like(div);
  T* tdivp = div ? &tdiv : nullptr;
  if (f == "s") {  // s = -eta / noise
    net("eta", t, x, out, div);
    const float k = float(-1.0 / c.noise);
    out *= k;
    if (div) *div *= k;
  } else if (f == "eta") {  // eta = -noise s
    net("s", t, x, out, div);
    const float k = float(-c.noise);
    out *= k;
    if (div) *div *= k;
  } else if (f == "b") {
    if (interp_.mirror()) {  // b = -gamma gamma' s
      evaluate("s", t, x, out, div);
      out *= float(-gg);
      if (div) *div *= float(-gg);
    } else {  // b = v - gamma gamma' s (one-sided: gamma = 0, b = v)
      net("v", t, x, out, div);
      if (interp_.two_sided() && gg != 0.0) {
        evaluate("s", t, x, tmp, tdivp);
        out -= float(gg) * tmp;
        if (div) *div -= float(gg) * tdiv;
      }
    }
  } else if (f == "v") {
    if (interp_.mirror()) return evaluate("b", t, x, out, div);
    net("b", t, x, out, div);  // v = b + gamma gamma' s
    if (interp_.two_sided() && gg != 0.0) {
      evaluate("s", t, x, tmp, tdivp);
      out += float(gg) * tmp;
      if (div) *div += float(gg) * tdiv;
    }
  }
}

void Model::evaluate(const std::string& f, double t, const MatF& x, MatF& out, VecF* div) const {
  derive(f, t, x, out, div);
}
void Model::evaluate(const std::string& f, double t, const MatF& x, MatF& out, Jvp* jvp) const {
  derive(f, t, x, out, jvp);
}
void Model::evaluate_jvp(const std::string& f, double t, const MatF& x, const MatF& e, MatF& out, MatF& jvp) const {
  if (e.rows() != x.rows() || e.cols() != x.cols())
    throw ConfigError("e", "the directions of a Jacobian-vector product must be d x n like the points");
  Jvp j{&e, {}};
  evaluate(f, t, x, out, &j);
  jvp = std::move(j.value);
}
void Model::drift_jvp(double t, const MatF& x, const MatF& e, MatF& out, MatF& jvp) const {
  evaluate_jvp("b", t, x, e, out, jvp);
}
void Model::score_jvp(double t, const MatF& x, const MatF& e, MatF& out, MatF& jvp) const {
  evaluate_jvp("s", t, x, e, out, jvp);
}

void Model::drift(double t, const MatF& x, MatF& out, VecF* div) const { evaluate("b", t, x, out, div); }
bool Model::has_score() const { return has_field("s"); }
void Model::score(double t, const MatF& x, MatF& out, VecF* div) const { evaluate("s", t, x, out, div); }

bool Model::has_target_mean() const {
  const Interpolant::Needs needs = interp_.target_mean_needs();
  return (!needs.b || has_field("b")) && (!needs.s || has_field("s"));
}

void Model::target_mean(double t, const MatF& x, MatF& out) const {
  if (!has_target_mean())
    throw ConfigError("denoise", "this model (fields '" + to_name(config_.fields) + "', path " + interp_.path_name() +
                                     ") cannot estimate E[x1 | x_t]: it needs a score");
  const Interpolant::Needs needs = interp_.target_mean_needs();
  MatF b, s;
  if (needs.b) drift(t, x, b);
  if (needs.s) score(t, x, s);
  out = interp_.target_mean<float>(t, x, needs.b ? &b : nullptr, needs.s ? &s : nullptr);
}

json Model::to_json() const {
  json nets = json::object();
  for (const auto& [name, m] : nets_) {
    const auto& p = m.params();
    nets[name] = {{"in", m.shape().in},
                  {"out", m.shape().out},
                  {"hidden", m.shape().hidden},
                  {"activation", to_name(m.shape().activation)},
                  {"params", std::vector<float>(p.data(), p.data() + p.size())}};
  }
  return json{{"format", "stochastic-interpolants-model"},
              {"version", kFormatVersion},
              {"config", config_.to_json()},
              {"steps", steps_trained_},
              {"networks", nets}};
}

Model Model::from_json(const json& j) {
  if (!j.is_object() || !j.contains("format") || j["format"] != "stochastic-interpolants-model")
    throw ConfigError("format",
                      "not a stochastic-interpolants model file (expected \"format\": "
                      "\"stochastic-interpolants-model\")");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != kFormatVersion)
    throw ConfigError("version", "unsupported model file version " +
                                     (j.contains("version") ? describe_json(j["version"]) : std::string("(missing)")) +
                                     "; this build reads version " + std::to_string(kFormatVersion));
  if (!j.contains("config")) throw ConfigError("config", "missing");
  TrainingConfig config = TrainingConfig::from_json(j["config"]);
  if (!j.contains("networks") || !j["networks"].is_object()) throw ConfigError("networks", "missing or not an object");
  const int d = config.make_base()->dim();
  std::map<std::string, Mlp<float>> nets;
  for (const auto& [name, loss] : config.networks()) {
    (void)loss;
    const std::string f = "networks." + name;
    if (!j["networks"].contains(name)) throw ConfigError(f, "missing");
    // Every size is read strictly and checked against the config before anything is allocated.
    JsonReader n(j["networks"][name], f);
    MlpShape shape;
    n.require("in", "the input size (1 + the dimension)");
    n.require("out", "the output size (the dimension)");
    shape.in = static_cast<int>(n.integer("in", -1, d + 1, d + 1));
    shape.out = static_cast<int>(n.integer("out", -1, d, d));
    const json& hidden = n.require("hidden", "the hidden layer widths");
    if (!hidden.is_array() || hidden.empty() || static_cast<std::int64_t>(hidden.size()) > limits::kMaxLayers)
      throw ConfigError(n.key("hidden"), "must be a list of 1 to " + std::to_string(limits::kMaxLayers) + " widths");
    for (size_t l = 0; l < hidden.size(); ++l) {
      if (!hidden[l].is_number_integer() || hidden[l] < 1 || hidden[l] > limits::kMaxWidth)
        throw ConfigError(n.key("hidden"), "width " + std::to_string(l) + " must be an integer in [1, " +
                                               std::to_string(limits::kMaxWidth) + "], got " +
                                               describe_json(hidden[l]));
      shape.hidden.push_back(hidden[l].get<int>());
    }
    if (shape.hidden != config.hidden) throw ConfigError(n.key("hidden"), "differs from the config's network.hidden");
    shape.activation = n.choice("activation", "", activations()).value;
    if (shape.activation != config.activation)
      throw ConfigError(n.key("activation"), "'" + to_name(shape.activation) + "' differs from the config's '" +
                                                 to_name(config.activation) + "'");
    Mlp<float> m(shape);
    const json& p = n.require("params", "the parameters, a list of numbers");
    if (!p.is_array() || static_cast<Eigen::Index>(p.size()) != m.num_params())
      throw ConfigError(n.key("params"), "has " + (p.is_array() ? std::to_string(p.size()) : describe_json(p)) +
                                             " numbers, the network needs " + std::to_string(m.num_params()));
    for (Eigen::Index i = 0; i < m.num_params(); ++i) {
      const json& v = p[static_cast<size_t>(i)];
      if (!v.is_number()) throw ConfigError(n.key("params"), "entry " + std::to_string(i) + " is not a number");
      const double x = v.get<double>();
      if (!std::isfinite(x) || std::abs(x) > 3.4e38)
        throw ConfigError(n.key("params"), "entry " + std::to_string(i) + " is NaN, inf or out of float range");
      m.params()(i) = static_cast<float>(x);
    }
    n.finish();
    nets.emplace(name, std::move(m));
  }
  Model m(std::move(config), std::move(nets));
  if (j.contains("steps")) {
    JsonReader top(j, "");
    m.set_steps_trained(top.integer("steps", 0, 0, limits::kMaxTrainingSteps));
  }
  return m;
}

}  // namespace si
