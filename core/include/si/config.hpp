// The training config (configs/SCHEMA.md): parsed from JSON, validated field by field, defaults
// filled in. Every error is a ConfigError naming the field's path and what is allowed.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/distributions.hpp"
#include "si/formula.hpp"
#include "si/integrators.hpp"
#include "si/interpolant.hpp"
#include "si/losses.hpp"
#include "si/mlp.hpp"
#include "si/optim.hpp"

namespace si {

// Which networks are learned, and so which fields the model offers.
enum class FieldSet { BS, BEta, VS, VEta, B, S };

// A field set and what it trains (the table in config.cpp).
struct FieldSetDef {
  std::string name;
  FieldSet value;
  std::vector<std::string> networks;  // one network per field; its loss is loss_for(field, sidedness)
  std::vector<Sidedness> paths;       // the kinds of path it fits
  bool fits(Sidedness s) const;
};
Registry<FieldSetDef>& field_sets();

std::vector<std::string> field_set_names();
FieldSet field_set_from_name(const std::string& name, const std::string& field = "fields");
std::string to_name(FieldSet f);

struct OdeDefaults {
  std::string method = "dopri5";
  double atol = 1e-5, rtol = 1e-5;
  int steps = 200;
  double denoise = -1;  // a denoising last step from this time (samplers.hpp); < 0: none
  nlohmann::json to_json() const;
};
struct SdeDefaults {
  std::string method = "heun";
  double eps = 0.5;
  int steps = 100;
  // Noise switched off after this time (the rest follows the probability flow); < 0: the model's
  // own policy (see sampling.hpp).
  double eps_until = -1;
  double denoise = -1;            // as OdeDefaults::denoise
  std::string score = "learned";  // or "drift" (one-sided paths; SdeSamplerOptions::score_from_drift)
  nlohmann::json to_json() const;
};

class JsonReader;
// sampling.sde.score and the samplers' "score" option: "learned" or "drift", checked.
std::string read_score_source(JsonReader& r, const std::string& def);

struct TrainingConfig {
  nlohmann::json base = {{"type", "gaussian"}};
  nlohmann::json target = {{"type", "checkerboard"}};
  std::string path = "one-sided-linear";
  std::string gamma;  // empty: "zero" for one-sided paths, "brownian" otherwise
  double gamma_a = 1.0;
  std::string alpha, beta;  // path "custom": formulas of t (si/formula.hpp)
  std::string gamma_expr;   // gamma "custom": a formula of t
  FieldSet fields = FieldSet::BS;
  std::vector<int> hidden = {256, 256, 256, 256};
  Activation activation = Activation::ReLU;
  AdamOptions optimizer;
  std::int64_t steps = 7000;
  int batch = 2000;
  std::uint64_t seed = 0;
  double t_lo = 1e-4, t_hi = 1e-4;
  bool antithetic = true;
  OdeDefaults ode;
  SdeDefaults sde;

  // Parses and validates; unknown keys anywhere are errors.
  static TrainingConfig from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;

  Interpolant interpolant() const;
  // The interpolant fields above as one object (the config's "interpolant" section).
  InterpolantSpec interpolant_spec() const;
  void set_interpolant(const InterpolantSpec& spec);
  std::unique_ptr<Distribution> make_base() const;
  std::unique_ptr<Distribution> make_target() const;
  // The network names and the loss each is trained with, e.g. {"b", B}, {"s", S}.
  std::vector<std::pair<std::string, LossKind>> networks() const;
};

}  // namespace si
