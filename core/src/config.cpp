#include "si/config.hpp"

#include <cmath>
#include <set>

namespace si {

using nlohmann::json;

const std::vector<std::string>& field_set_names() {
  static const std::vector<std::string> names = {"b+s", "b+eta", "v+s", "v+eta", "b", "s"};
  return names;
}

FieldSet field_set_from_name(const std::string& name, const std::string& field) {
  const auto& n = field_set_names();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<FieldSet>(i);
  throw ConfigError(field, "unknown field set '" + name + "'; allowed: b+s, b+eta, v+s, v+eta, b, s (s: mirror)");
}

std::string to_name(FieldSet f) { return field_set_names()[static_cast<size_t>(f)]; }

namespace {

std::string type_name(const json& j) { return j.type_name(); }

// Reads the fields of one JSON object, rejecting keys it was not asked about.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw ConfigError(path_.empty() ? "config" : path_, "must be an object, got " + type_name(j_));
  }
  ~ObjectReader() noexcept(false) = default;

  std::string key(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }
  bool has(const std::string& k) {
    seen_.insert(k);
    return j_.contains(k) && !j_.at(k).is_null();
  }
  const json& at(const std::string& k) { return j_.at(k); }

  double number(const std::string& k, double def) {
    if (!has(k)) return def;
    const json& v = j_.at(k);
    if (!v.is_number()) throw ConfigError(key(k), "must be a number, got " + type_name(v));
    const double x = v.get<double>();
    if (!std::isfinite(x)) throw ConfigError(key(k), "must be finite");
    return x;
  }
  std::int64_t integer(const std::string& k, std::int64_t def, std::int64_t lo, std::int64_t hi) {
    if (!has(k)) return def;
    const json& v = j_.at(k);
    if (!v.is_number()) throw ConfigError(key(k), "must be an integer, got " + type_name(v));
    const double x = v.get<double>();
    if (!std::isfinite(x) || x != std::floor(x) || x < double(lo) || x > double(hi))
      throw ConfigError(key(k), "must be an integer in [" + std::to_string(static_cast<long long>(lo)) + ", " +
                                    std::to_string(static_cast<long long>(hi)) + "], got " + v.dump());
    return static_cast<std::int64_t>(x);
  }
  std::string string(const std::string& k, const std::string& def) {
    if (!has(k)) return def;
    const json& v = j_.at(k);
    if (!v.is_string()) throw ConfigError(key(k), "must be a string, got " + type_name(v));
    return v.get<std::string>();
  }
  bool boolean(const std::string& k, bool def) {
    if (!has(k)) return def;
    const json& v = j_.at(k);
    if (!v.is_boolean()) throw ConfigError(key(k), "must be true or false, got " + type_name(v));
    return v.get<bool>();
  }
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) throw ConfigError(key(it.key()), "unknown field; allowed: " + allowed());
  }

 private:
  std::string allowed() const {
    std::string s;
    for (const auto& k : seen_) s += (s.empty() ? "" : ", ") + k;
    return s;
  }
  const json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

double in_range(double x, double lo, double hi, const std::string& field, bool lo_open = false) {
  if ((lo_open ? x <= lo : x < lo) || x > hi)
    throw ConfigError(field, "must be in " + std::string(lo_open ? "(" : "[") + format_number(lo) + ", " +
                                 format_number(hi) + "], got " + format_number(x));
  return x;
}

}  // namespace

TrainingConfig TrainingConfig::from_json(const json& j) {
  TrainingConfig c;
  ObjectReader r(j, "");
  if (r.has("base")) c.base = r.at("base");
  if (r.has("target")) c.target = r.at("target");
  if (r.has("interpolant")) {
    ObjectReader ri(r.at("interpolant"), "interpolant");
    c.path = ri.string("path", c.path);
    path_from_name(c.path, "interpolant.path");
    c.gamma = ri.string("gamma", "");
    if (!c.gamma.empty()) gamma_from_name(c.gamma, "interpolant.gamma");
    c.gamma_a = ri.number("gamma_a", c.gamma_a);
    ri.finish();
  }
  if (c.gamma.empty()) {
    const PathKind p = path_from_name(c.path, "interpolant.path");
    c.gamma = (p == PathKind::OneSidedLinear || p == PathKind::OneSidedTrig) ? "zero" : "brownian";
  }
  const bool mirror = c.path == "mirror";
  c.fields = field_set_from_name(r.string("fields", mirror ? "s" : "b+s"), "fields");
  if (r.has("network")) {
    ObjectReader rn(r.at("network"), "network");
    if (rn.has("hidden")) {
      const json& h = rn.at("hidden");
      if (!h.is_array() || h.empty() || h.size() > 16)
        throw ConfigError("network.hidden", "must be a list of 1 to 16 layer widths, e.g. [256, 256]");
      c.hidden.clear();
      for (const auto& w : h) {
        if (!w.is_number_integer() || w.get<std::int64_t>() < 1 || w.get<std::int64_t>() > 4096)
          throw ConfigError("network.hidden", "every width must be an integer in [1, 4096], got " + w.dump());
        c.hidden.push_back(w.get<int>());
      }
    }
    c.activation = activation_from_name(rn.string("activation", to_name(c.activation)), "network.activation");
    rn.finish();
  }
  if (r.has("optimizer")) {
    ObjectReader ro(r.at("optimizer"), "optimizer");
    c.optimizer.lr = ro.number("lr", c.optimizer.lr);
    c.optimizer.beta1 = ro.number("beta1", c.optimizer.beta1);
    c.optimizer.beta2 = ro.number("beta2", c.optimizer.beta2);
    c.optimizer.eps = ro.number("eps", c.optimizer.eps);
    c.optimizer.step_size = ro.integer("step_size", c.optimizer.step_size, 0, std::int64_t(1) << 40);
    c.optimizer.decay = ro.number("decay", c.optimizer.decay);
    c.optimizer.clip = ro.number("clip", c.optimizer.clip);
    ro.finish();
  }
  c.optimizer.validate("optimizer");
  if (r.has("training")) {
    ObjectReader rt(r.at("training"), "training");
    c.steps = rt.integer("steps", c.steps, 0, std::int64_t(1) << 40);
    c.batch = static_cast<int>(rt.integer("batch", c.batch, 1, 1 << 20));
    c.seed = static_cast<std::uint64_t>(rt.integer("seed", 0, 0, (std::int64_t(1) << 53)));
    c.t_lo = in_range(rt.number("t_lo", c.t_lo), 0, 0.5, "training.t_lo");
    c.t_hi = in_range(rt.number("t_hi", c.t_hi), 0, 0.5, "training.t_hi");
    c.antithetic = rt.boolean("antithetic", c.antithetic);
    rt.finish();
  }
  if (r.has("sampling")) {
    ObjectReader rs(r.at("sampling"), "sampling");
    if (rs.has("ode")) {
      ObjectReader ro(rs.at("ode"), "sampling.ode");
      c.ode.method = ro.string("method", c.ode.method);
      if (c.ode.method != "euler" && c.ode.method != "heun" && c.ode.method != "rk4" && c.ode.method != "dopri5")
        throw ConfigError("sampling.ode.method",
                          "unknown method '" + c.ode.method + "'; allowed: euler, heun, rk4, dopri5");
      c.ode.atol = in_range(ro.number("atol", c.ode.atol), 0, 1, "sampling.ode.atol", true);
      c.ode.rtol = in_range(ro.number("rtol", c.ode.rtol), 0, 1, "sampling.ode.rtol", true);
      c.ode.steps = static_cast<int>(ro.integer("steps", c.ode.steps, 1, 100000));
      ro.finish();
    }
    if (rs.has("sde")) {
      ObjectReader rd(rs.at("sde"), "sampling.sde");
      c.sde.method = rd.string("method", c.sde.method);
      if (c.sde.method != "euler" && c.sde.method != "heun" && c.sde.method != "heun-karras")
        throw ConfigError("sampling.sde.method",
                          "unknown method '" + c.sde.method + "'; allowed: euler, heun, heun-karras");
      c.sde.eps = in_range(rd.number("eps", c.sde.eps), 0, 100, "sampling.sde.eps");
      c.sde.steps = static_cast<int>(rd.integer("steps", c.sde.steps, 1, 100000));
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
  if (!I.two_sided()) {
    const GaussianMixture* g = base->as_mixture();
    if (!g || !g->is_standard_normal())
      throw ConfigError("base", "the " + c.path +
                                    " path uses x0 ~ N(0, I) as its noise: base must be "
                                    "{\"type\": \"gaussian\"} with mean 0 and identity covariance");
  }
  if (I.mirror() != (c.fields == FieldSet::S))
    throw ConfigError("fields", I.mirror() ? "the mirror path learns the score only: fields must be 's'"
                                           : "fields 's' (score only) is for the mirror path; allowed here: "
                                             "b+s, b+eta, v+s, v+eta, b");
  return c;
}

json TrainingConfig::to_json() const {
  return json{{"base", base},
              {"target", target},
              {"interpolant", {{"path", path}, {"gamma", gamma}, {"gamma_a", gamma_a}}},
              {"fields", to_name(fields)},
              {"network", {{"hidden", hidden}, {"activation", to_name(activation)}}},
              {"optimizer",
               {{"lr", optimizer.lr},
                {"beta1", optimizer.beta1},
                {"beta2", optimizer.beta2},
                {"eps", optimizer.eps},
                {"step_size", optimizer.step_size},
                {"decay", optimizer.decay},
                {"clip", optimizer.clip}}},
              {"training",
               {{"steps", steps},
                {"batch", batch},
                {"seed", seed},
                {"t_lo", t_lo},
                {"t_hi", t_hi},
                {"antithetic", antithetic}}},
              {"sampling",
               {{"ode", {{"method", ode.method}, {"atol", ode.atol}, {"rtol", ode.rtol}, {"steps", ode.steps}}},
                {"sde", {{"method", sde.method}, {"eps", sde.eps}, {"steps", sde.steps}}}}}};
}

Interpolant TrainingConfig::interpolant() const {
  const GammaKind g = gamma_from_name(gamma, "interpolant.gamma");
  if (g == GammaKind::ABrownian && !(gamma_a > 0))
    throw ConfigError("interpolant.gamma_a", "a-brownian needs gamma_a > 0, got " + format_number(gamma_a));
  try {
    return Interpolant(path_from_name(path, "interpolant.path"), Gamma(g, gamma_a));
  } catch (const ConfigError& e) {
    // Report interpolant errors under the config's own field names.
    throw ConfigError("interpolant." + e.field(), std::string(e.what()).substr(e.field().size() + 2));
  }
}

std::unique_ptr<Distribution> TrainingConfig::make_base() const { return make_distribution(base, "base"); }
std::unique_ptr<Distribution> TrainingConfig::make_target() const { return make_distribution(target, "target"); }

std::vector<std::pair<std::string, LossKind>> TrainingConfig::networks() const {
  const PathKind p = path_from_name(path);
  const bool one = p == PathKind::OneSidedLinear || p == PathKind::OneSidedTrig;
  const LossKind b = one ? LossKind::OneSidedB : LossKind::B, v = one ? LossKind::OneSidedV : LossKind::V,
                 s = one ? LossKind::OneSidedS : LossKind::S, eta = one ? LossKind::OneSidedEta : LossKind::Eta;
  switch (fields) {
    case FieldSet::BS:
      return {{"b", b}, {"s", s}};
    case FieldSet::BEta:
      return {{"b", b}, {"eta", eta}};
    case FieldSet::VS:
      return {{"v", v}, {"s", s}};
    case FieldSet::VEta:
      return {{"v", v}, {"eta", eta}};
    case FieldSet::B:
      return {{"b", b}};
    case FieldSet::S:
      return {{"s", LossKind::Mirror}};
  }
  return {};
}

}  // namespace si
