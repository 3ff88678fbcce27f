// A learned generative model: its networks plus the interpolant and the two ends they were trained
// for. It offers b, s, eta and v (whichever follow from what was learned, SPEC section 2) with
// exact divergences, and saves to / loads from a versioned JSON file.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/config.hpp"
#include "si/fields.hpp"
#include "si/mlp.hpp"

namespace si {

class Model : public Fields<float> {
 public:
  static constexpr int kFormatVersion = 1;

  Model(TrainingConfig config, std::map<std::string, Mlp<float>> nets);

  const TrainingConfig& config() const { return config_; }
  const Interpolant& interpolant() const { return interp_; }
  const Distribution& base() const { return *base_; }
  const Distribution& target() const { return *target_; }
  // Where samplers start, the law of x_t at t = 0: the base, or the target for the mirror path
  // (x_0 = x1 there; its x0 ~ N(0, I) is only the noise).
  const Distribution& initial() const { return interp_.mirror() ? *target_ : *base_; }
  // The time interval samplers should integrate over: [0, 1] when the drift (and, for SDEs, the
  // score) is a network output; otherwise [t_lo, 1 - t_hi], the training range, because fields
  // derived through 1/gamma, 1/alpha or gamma' (s = -eta/gamma, b = v - gamma gamma' s) are
  // singular at the ends.
  std::pair<double, double> sampling_interval(bool sde) const;
  const std::map<std::string, Mlp<float>>& networks() const { return nets_; }
  // Training steps behind these weights (saved as "steps"; 0 when unknown).
  std::int64_t steps_trained() const { return steps_trained_; }
  void set_steps_trained(std::int64_t s) { steps_trained_ = s; }

  // The fields this model can evaluate, among "b", "s", "eta", "v".
  std::vector<std::string> field_names() const;
  bool has_field(const std::string& name) const;
  // One field at time t for every column of x; div (if not null) gets its exact divergence.
  // Throws ConfigError("field", ...) for a field the model does not offer.
  void evaluate(const std::string& field, double t, const MatF& x, MatF& out, VecF* div = nullptr) const;
  // One field and its Jacobian-vector products (d field / dx) e, one direction per column of e.
  void evaluate_jvp(const std::string& field, double t, const MatF& x, const MatF& e, MatF& out, MatF& jvp) const;

  int dim() const override;
  void drift(double t, const MatF& x, MatF& out, VecF* div = nullptr) const override;
  bool has_score() const override;
  void score(double t, const MatF& x, MatF& out, VecF* div = nullptr) const override;
  // One-sided paths from b; two-sided from b and s; the mirror from s (Interpolant::target_mean).
  const Interpolant* interpolant_of() const override { return &interp_; }
  bool has_target_mean() const override;
  void target_mean(double t, const MatF& x, MatF& out) const override;
  bool has_jvp() const override { return true; }
  void drift_jvp(double t, const MatF& x, const MatF& e, MatF& out, MatF& jvp) const override;
  void score_jvp(double t, const MatF& x, const MatF& e, MatF& out, MatF& jvp) const override;

  // {"format": "stochastic-interpolants-model", "version": 1, "config": {...},
  //  "steps": 7000, "networks": {"b": {"in", "out", "hidden", "activation", "params": [...]}, ...}}
  // Other top-level keys are ignored (apps may add their own).
  nlohmann::json to_json() const;
  static Model from_json(const nlohmann::json& j);

 private:
  // A Jacobian-vector product under way: the directions e and (d field / dx) e. It combines like a
  // divergence (scaled, added), so evaluate() derives both the same way.
  struct Jvp {
    const MatF* e = nullptr;
    MatF value;
    Jvp& operator*=(float k) {
      value *= k;
      return *this;
    }
    Jvp& operator+=(const Jvp& o) {
      value += o.value;
      return *this;
    }
    Jvp& operator-=(const Jvp& o) {
      value -= o.value;
      return *this;
    }
    friend Jvp operator*(float k, const Jvp& j) { return {j.e, k * j.value}; }
  };
  static VecF blank_like(const VecF*) { return {}; }
  static Jvp blank_like(const Jvp* j) { return {j ? j->e : nullptr, {}}; }
  template <typename T>
  void derive(const std::string& field, double t, const MatF& x, MatF& out, T* div) const;
  void evaluate(const std::string& field, double t, const MatF& x, MatF& out, Jvp* jvp) const;
  // The raw network output for `name` at time t (and its divergence or Jacobian-vector product).
  void net(const std::string& name, double t, const MatF& x, MatF& out, VecF* div) const;
  void net(const std::string& name, double t, const MatF& x, MatF& out, Jvp* jvp) const;

  TrainingConfig config_;
  Interpolant interp_;
  std::shared_ptr<const Distribution> base_, target_;
  std::map<std::string, Mlp<float>> nets_;
  std::int64_t steps_trained_ = 0;
};

}  // namespace si
