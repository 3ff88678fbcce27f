// The tables of core (si/registry.hpp): an entry added anywhere is offered everywhere. The extra
// data set and gamma below are registered from this file only, as CONTRIBUTING.md's recipes say.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "si/config.hpp"
#include "si/distributions.hpp"
#include "si/gmm_fields.hpp"
#include "si/json_reader.hpp"
#include "si/session.hpp"

namespace si {
namespace {

using nlohmann::json;

// A test-only data set: points on a circle of the given radius, blurred by a little noise.
class TestCircle : public Distribution {
 public:
  explicit TestCircle(double radius) : radius_(radius) {}
  int dim() const override { return 2; }
  std::string name() const override { return "test-circle"; }
  MatD sample(Eigen::Index n, Rng& rng) const override {
    MatD x(2, n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const double a = 6.283185307179586 * rng.uniform();
      x(0, j) = radius_ * std::cos(a) + 0.05 * rng.normal();
      x(1, j) = radius_ * std::sin(a) + 0.05 * rng.normal();
    }
    return x;
  }

 private:
  double radius_;
};

const DatasetRegistration kTestCircle{{"test-circle", "a circle (test only): radius", 2, false, false,
                                       [](JsonReader& spec) -> std::unique_ptr<Distribution> {
                                         return std::make_unique<TestCircle>(spec.positive("radius", 3.0));
                                       }}};

// A test-only gamma: 2 t (1 - t), registered with its formulas and nothing else.
const GammaDef& test_gamma() {
  static const GammaDef& def = gammas().add({"test-double-bsquared", GammaKind::Custom, "2 t (1 - t)", false, false,
                                             [](double t, double) { return 2 * t * (1 - t); },
                                             [](double t, double) { return 2 - 4 * t; }, nullptr});
  return def;
}

json small_config() { return json::parse(R"({"network": {"hidden": [16]}, "training": {"batch": 32, "seed": 3}})"); }

std::string error_of(const json& config) {
  try {
    TrainingConfig::from_json(config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Registry, DataSetRegisteredInAnotherFileIsOfferedByTheConfigReader) {
  const auto types = distribution_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "test-circle"), types.end());
  // The allowed list of the config reader's message comes from the same table.
  json bad = small_config();
  bad["target"] = {{"type", "teapot"}};
  const std::string message = error_of(bad);
  EXPECT_NE(message.find("target.type: unknown type 'teapot'"), std::string::npos) << message;
  EXPECT_NE(message.find("test-circle"), std::string::npos) << message;
  EXPECT_NE(message.find("checkerboard"), std::string::npos) << message;

  // It trains, and its own keys are read strictly.
  json cfg = small_config();
  cfg["target"] = {{"type", "test-circle"}, {"radius", 2.0}};
  TrainingSession s(cfg);
  EXPECT_TRUE(std::isfinite(s.step(2).losses.at("b")));
  cfg["target"] = {{"type", "test-circle"}, {"radius", 2.0}, {"colour", "red"}};
  const std::string unknown = error_of(cfg);
  EXPECT_NE(unknown.find("target.colour: unknown key 'colour' for type 'test-circle'; allowed: type, radius"),
            std::string::npos)
      << unknown;
  cfg["target"] = {{"type", "test-circle"}, {"radius", -1.0}};
  EXPECT_NE(error_of(cfg).find("target.radius: must be a positive number"), std::string::npos) << error_of(cfg);
}

TEST(Registry, GammaAddedAsOneEntryWorksInConfigsAndExactFields) {
  const GammaDef& g = test_gamma();
  const auto names = gamma_names();
  EXPECT_NE(std::find(names.begin(), names.end(), g.name), names.end());
  json bad = small_config();
  bad["interpolant"] = {{"path", "linear"}, {"gamma", "wiggly"}};
  EXPECT_NE(error_of(bad).find(g.name), std::string::npos) << error_of(bad);

  json cfg = small_config();
  cfg["base"] = {{"type", "8gaussians"}};
  cfg["target"] = {{"type", "random-gmm"}, {"components", 2}};
  cfg["interpolant"] = {{"path", "trig"}, {"gamma", g.name}};
  const TrainingConfig c = TrainingConfig::from_json(cfg);
  const Interpolant I = c.interpolant();
  EXPECT_EQ(I.gamma().name(), g.name);
  // gamma gamma' without a closed form of its own is gamma(t) * gamma'(t).
  EXPECT_DOUBLE_EQ(I.gamma().product(0.3), 2 * 0.3 * 0.7 * (2 - 4 * 0.3));
  // The trig path's |gamma| < 1 check applies to it too: max 2 t (1 - t) = 1/2.
  const GmmFields f = GmmFields::from_config(c);
  const MatD x = MatD::Random(2, 5);
  EXPECT_TRUE(f.b(0.4, x).allFinite());
  TrainingSession s(cfg);
  EXPECT_TRUE(std::isfinite(s.step(1).losses.at("s")));
}

TEST(Registry, EveryNameRoundTripsThroughItsValue) {
  for (const auto& n : path_names()) EXPECT_EQ(to_name(path_from_name(n)), n);
  for (const auto& n : loss_names()) EXPECT_EQ(to_name(loss_from_name(n)), n);
  for (const auto& n : field_set_names()) EXPECT_EQ(to_name(field_set_from_name(n)), n);
  for (const auto& n : activation_names()) EXPECT_EQ(to_name(activation_from_name(n)), n);
  for (const auto& n : ode_method_names()) EXPECT_EQ(to_name(ode_method_from_name(n)), n);
  for (const auto& n : sde_method_names()) EXPECT_EQ(to_name(sde_method_from_name(n)), n);
  for (const GammaDef* g : gammas().entries())
    if (g->value != GammaKind::Custom) EXPECT_EQ(to_name(g->value), g->name);
}

TEST(Registry, UnknownNamesListExactlyTheTable) {
  try {
    activation_from_name("swish", "network.activation");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "network.activation: unknown activation 'swish'; allowed: " + activations().allowed());
  }
  EXPECT_THROW(datasets().add({"checkerboard", "a second one", 2, false, false, nullptr}), std::logic_error);
}

TEST(Registry, EachFieldSetTrainsOneLossPerNetworkOfThePathsSidedness) {
  // The losses follow from the field set and the path's sidedness, through the two tables.
  for (const PathDef* p : paths().entries())
    for (const FieldSetDef* f : field_sets().entries()) {
      if (!f->fits(p->sidedness)) continue;
      json cfg = small_config();
      cfg["interpolant"] = {{"path", p->name}};
      cfg["fields"] = f->name;
      const TrainingConfig c = TrainingConfig::from_json(cfg);
      const auto nets = c.networks();
      ASSERT_EQ(nets.size(), f->networks.size()) << p->name << " " << f->name;
      for (size_t i = 0; i < nets.size(); ++i) {
        const LossDef& l = losses().of(nets[i].second);
        EXPECT_EQ(l.field, f->networks[i]);
        EXPECT_EQ(l.sidedness, p->sidedness) << p->name << " " << l.name;
      }
    }
  // A field set that does not fit names the ones that do.
  json cfg = small_config();
  cfg["interpolant"] = {{"path", "mirror"}};
  cfg["fields"] = "b+s";
  EXPECT_NE(error_of(cfg).find("allowed here: s"), std::string::npos) << error_of(cfg);
}

}  // namespace
}  // namespace si
