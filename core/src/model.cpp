#include "si/model.hpp"

#include <algorithm>
#include <cmath>

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
  if (!j.is_object() || j.value("format", "") != "stochastic-interpolants-model")
    throw ConfigError("format",
                      "not a stochastic-interpolants model file (expected \"format\": "
                      "\"stochastic-interpolants-model\")");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != kFormatVersion)
    throw ConfigError("version",
                      "unsupported model file version; this build reads version " + std::to_string(kFormatVersion));
  if (!j.contains("config")) throw ConfigError("config", "missing");
  TrainingConfig config = TrainingConfig::from_json(j["config"]);
  if (!j.contains("networks") || !j["networks"].is_object()) throw ConfigError("networks", "missing or not an object");
  std::map<std::string, Mlp<float>> nets;
  for (const auto& [name, loss] : config.networks()) {
    (void)loss;
    const std::string f = "networks." + name;
    if (!j["networks"].contains(name)) throw ConfigError(f, "missing");
    const json& n = j["networks"][name];
    try {
      MlpShape shape;
      shape.in = n.at("in").get<int>();
      shape.out = n.at("out").get<int>();
      shape.hidden = n.at("hidden").get<std::vector<int>>();
      shape.activation = activation_from_name(n.at("activation").get<std::string>(), f + ".activation");
      if (shape.in != config.make_base()->dim() + 1 || shape.out != config.make_base()->dim())
        throw ConfigError(f, "input/output sizes do not match the data's dimension");
      Mlp<float> m(shape);
      const auto p = n.at("params").get<std::vector<float>>();
      if (Eigen::Index(p.size()) != m.num_params())
        throw ConfigError(f + ".params", "has " + std::to_string(p.size()) + " numbers, the network needs " +
                                             std::to_string(m.num_params()));
      if (!std::all_of(p.begin(), p.end(), [](float v) { return std::isfinite(v); }))
        throw ConfigError(f + ".params", "contains NaN or inf");
      m.params() = Eigen::Map<const VecF>(p.data(), Eigen::Index(p.size()));
      nets.emplace(name, std::move(m));
    } catch (const json::exception& e) {
      throw ConfigError(f, std::string("malformed network: ") + e.what());
    }
  }
  Model m(std::move(config), std::move(nets));
  if (j.contains("steps")) {
    if (!j["steps"].is_number_integer() || j["steps"].get<std::int64_t>() < 0)
      throw ConfigError("steps", "must be a non-negative integer (training steps behind the weights)");
    m.set_steps_trained(j["steps"].get<std::int64_t>());
  }
  return m;
}

}  // namespace si
