// The C++ API's bad-input table: every row is an input that once crashed, hung, blew up memory or
// was silently wrong (or is a close relative of one), and must now be a ConfigError (or, for a
// numerical blow-up, a NumericalError) that names the field, within a bounded time, after which the
// library keeps working.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "si/json_reader.hpp"
#include "si/limits.hpp"
#include "si/sampling.hpp"
#include "si/session.hpp"

namespace si {
namespace {

using nlohmann::json;

json small() { return json::parse(R"({"network": {"hidden": [8]}, "training": {"batch": 16, "seed": 1}})"); }

json with(json j, const std::string& key, json value) {
  j[key] = std::move(value);
  return j;
}

std::string deep(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

// A model file of the small config, edited by f.
std::string model_text(const std::function<void(json&)>& f) {
  TrainingSession s(small());
  json j = s.model().to_json();
  f(j);
  return j.dump();
}

struct Row {
  std::string what;
  std::function<void()> run;
  std::string field;  // e.what() must start with "<field>: "
  std::string words;  // and contain these
};

void config(const json& j) { TrainingConfig::from_json(j); }
void config_text(const std::string& text) { TrainingConfig::from_json(parse_json(text, "config")); }
void model(const std::string& text) { Model::from_json(parse_json(text, "model")); }
void dist(const json& spec) { make_distribution(spec, "target"); }

const SamplingDefaults& exact_defaults() {
  static const GmmFields f = GmmFields::from_config(
      TrainingConfig::from_json(json::parse(R"({"target": "8gaussians", "interpolant": {"path": "linear"}})")));
  static const SamplingDefaults d = sampling_defaults(f);
  return d;
}

std::vector<Row> rows() {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  return {
      // A score with no noise to learn it from (NaN losses and "lower the learning rate" before)
      {"linear path, gamma zero, b+s",
       [] {
         config(with(small(), "interpolant", {{"path", "linear"}, {"gamma", "zero"}}));
       },
       "fields", "gamma = 0"},
      {"trig path, gamma formula 0, b+eta",
       [] {
         json j = with(small(), "interpolant", {{"path", "trig"}, {"gamma", "custom"}, {"gamma_expr", "0*t"}});
         config(with(j, "fields", "b+eta"));
       },
       "fields", "no noise"},
      // Nesting, sizes and costs (crashes, hangs and memory blow-ups before)
      {"config nested 100,000 deep", [] { config_text(R"({"base": )" + deep(100000) + "}"); }, "config", "nested"},
      {"model nested 20,000 deep", [] { model(R"({"config": )" + deep(20000) + "}"); }, "model", "nested"},
      {"random-gmm 10000 x 4096",
       [] {
         dist({{"type", "random-gmm"}, {"components", 10000}, {"dim", 4096}});
       },
       "target", "limit"},
      {"random-gmm 100 x 2048",
       [] {
         dist({{"type", "random-gmm"}, {"components", 100}, {"dim", 2048}});
       },
       "target", "limit"},
      {"paper-gmm 100 x 2048",
       [] {
         dist({{"type", "paper-gmm"}, {"components", 100}, {"dim", 2048}});
       },
       "target", "limit"},
      {"gaussian mean of 50,000",
       [] {
         dist({{"type", "gaussian"}, {"mean", std::vector<double>(50000, 0.0)}});
       },
       "target.mean", "limit"},
      {"gaussian dim 5000",
       [] {
         dist({{"type", "gaussian"}, {"dim", 5000}});
       },
       "target.dim", "[1, 4096]"},
      {"points 200,000",
       [] {
         dist({{"type", "points"}, {"points", std::vector<std::vector<double>>(200000, {0, 0})}});
       },
       "target.points", "limit"},
      {"batch 2^21",
       [] {
         config(with(small(), "training", {{"batch", 1 << 21}}));
       },
       "training.batch", "[1, 1048576]"},
      {"batch x widths too large",
       [] {
         config(with(with(small(), "training", {{"batch", 1 << 20}}), "network", {{"hidden", {4096, 4096}}}));
       },
       "training.batch", "limit"},
      {"16 layers of 4096",
       [] {
         config(with(small(), "network", {{"hidden", std::vector<int>(16, 4096)}}));
       },
       "network.hidden", "limit"},
      {"17 layers",
       [] {
         config(with(small(), "network", {{"hidden", std::vector<int>(17, 8)}}));
       },
       "network.hidden", "1 to 16"},
      {"width 5000",
       [] {
         config(with(small(), "network", {{"hidden", {5000}}}));
       },
       "network.hidden", "[1, 4096]"},
      {"steps 2^62",
       [] {
         config(with(small(), "training", {{"steps", std::int64_t(1) << 62}}));
       },
       "training.steps", "integer in"},
      {"batch 4294967312 (no truncation)",
       [] {
         config(with(small(), "training", {{"batch", 4294967312LL}}));
       },
       "training.batch", "integer in"},
      {"seed 2^64 - 1",
       [] {
         config(with(small(), "training", {{"seed", ~std::uint64_t(0)}}));
       },
       "training.seed", "integer in"},
      // Model files
      {"model hidden [100000, 100000]",
       [] { model(model_text([](json& j) {
              j["networks"]["b"]["hidden"] = {100000, 100000};
            })); }, "networks.b.hidden",
       "[1, 4096]"},
      {"model in 1e20", [] { model(model_text([](json& j) { j["networks"]["b"]["in"] = 1e20; })); }, "networks.b.in",
       "integer in [3, 3]"},
      {"model out -1", [] { model(model_text([](json& j) { j["networks"]["s"]["out"] = -1; })); }, "networks.s.out",
       "integer in [2, 2]"},
      {"model hidden [-3]", [] { model(model_text([](json& j) { j["networks"]["b"]["hidden"] = {-3}; })); },
       "networks.b.hidden", "width 0"},
      {"model hidden differs from config",
       [] { model(model_text([](json& j) { j["networks"]["b"]["hidden"] = {9}; })); }, "networks.b.hidden",
       "differs from the config"},
      {"model activation differs",
       [] { model(model_text([](json& j) { j["networks"]["b"]["activation"] = "tanh"; })); }, "networks.b.activation",
       "differs from the config"},
      {"model version 4294967297", [] { model(model_text([](json& j) { j["version"] = 4294967297LL; })); }, "version",
       "unsupported"},
      {"model version 1.5", [] { model(model_text([](json& j) { j["version"] = 1.5; })); }, "version", "unsupported"},
      {"model steps 2^63 - 1",
       [] { model(model_text([](json& j) { j["steps"] = std::numeric_limits<std::int64_t>::max(); })); }, "steps",
       "integer in"},
      {"model params too few", [] { model(model_text([](json& j) {
                                      j["networks"]["b"]["params"] = {1.0, 2.0};
                                    })); },
       "networks.b.params", "the network needs"},
      {"model params with a string", [] { model(model_text([](json& j) { j["networks"]["b"]["params"][0] = "x"; })); },
       "networks.b.params", "not a number"},
      {"model params 1e300 (float overflow)",
       [] { model(model_text([](json& j) { j["networks"]["b"]["params"][3] = 1e300; })); }, "networks.b.params",
       "out of float range"},
      {"model unknown network key", [] { model(model_text([](json& j) { j["networks"]["b"]["bias"] = 1; })); },
       "networks.b.bias", "unknown field"},
      // Numbers read strictly
      {"lr NaN",
       [=] {
         config(with(small(), "optimizer", {{"lr", nan}}));
       },
       "optimizer.lr", "finite"},
      {"lr inf",
       [=] {
         config(with(small(), "optimizer", {{"lr", inf}}));
       },
       "optimizer.lr", "finite"},
      {"t_lo NaN",
       [=] {
         config(with(small(), "training", {{"t_lo", nan}}));
       },
       "training.t_lo", "finite"},
      {"eps_until 2",
       [] {
         config(with(small(), "sampling", {{"sde", {{"eps_until", 2}}}}));
       },
       "sampling.sde.eps_until", "[0, 1]"},
      {"gamma_a NaN",
       [=] {
         config(with(small(), "interpolant", {{"path", "linear"}, {"gamma_a", nan}}));
       },
       "interpolant.gamma_a", "finite"},
      // Messages name what the user wrote
      {"points bandwidth 1e-200",
       [] {
         dist({{"type", "points"}, {"points", {{0.0, 0.0}, {1.0, 1.0}}}, {"bandwidth", 1e-200}});
       },
       "target.bandwidth", "bandwidth^2 I is not positive definite"},
      {"8gaussians noise 1e-200",
       [] {
         dist({{"type", "8gaussians"}, {"noise", 1e-200}});
       },
       "target.noise", "noise^2 I is not positive definite"},
      {"a number beyond a double (found by fuzzing)", [] { config_text(R"({"optimizer": {"lr": 7.7E777}})"); },
       "config", "numbers must fit a double"},
      {"binary garbage is not echoed", [] { config_text(std::string("\x89PNG\r\n\x1a\n", 8)); }, "config",
       "not valid JSON"},
      // Sampler options
      {"atol 1e-300",
       [] {
         read_ode_plan({{"atol", 1e-300}, {"method", "dopri5"}}, exact_defaults(), true).opt.validate("ode");
       },
       "ode.atol", "[1e-12, 1]"},
      {"steps 1e9",
       [] {
         read_sde_plan({{"steps", 1e9}}, exact_defaults(), true);
       },
       "sde.steps", "[1, 1000000]"},
      {"n x snapshots too large",
       [] {
         read_ode_plan({{"n", 10000}, {"snapshots", 100000}}, exact_defaults(), true);
         run_ode<double>(GmmFields::from_config(TrainingConfig::from_json(
                             json::parse(R"({"target": "8gaussians", "interpolant": {"path": "linear"}})"))),
                         exact_defaults(),
                         read_ode_plan({{"n", 10000}, {"snapshots", 100000}}, exact_defaults(), true));
       },
       "ode.n", "limit"},
      {"n NaN (as null: absent) but 1.5",
       [] {
         read_ode_plan({{"n", 1.5}}, exact_defaults(), true);
       },
       "ode.n", "integer"},
      {"unknown option listed once",
       [] {
         read_ode_plan({{"n", 1}, {"nn", 1}}, exact_defaults(), true);
       },
       "ode.nn",
       "allowed: method, steps, atol, rtol, maxSteps, t0, t1, seed, n, snapshots, logDensity, denoise, divergence, "
       "probes"},
      {"seed 2^53",
       [] {
         read_sde_plan({{"seed", 9007199254740992.0}}, exact_defaults(), true);
       },
       "sde.seed", "integer in"},
      // Evaluation
      {"evaluate at t = 2",
       [] {
         TrainingSession s(small());
         MatF out;
         s.model().evaluate("b", 2.0, MatF::Zero(2, 3), out);
       },
       "t", "[0, 1]"},
      {"evaluate at t = NaN",
       [=] {
         TrainingSession s(small());
         MatF out;
         s.model().evaluate("b", nan, MatF::Zero(2, 3), out);
       },
       "t", "[0, 1]"},
  };
}

TEST(BadInputs, EveryRowIsAClearErrorNamingTheFieldWithoutHanging) {
  const auto table = rows();
  EXPECT_GE(table.size(), 40u);
  for (const Row& r : table) {
    SCOPED_TRACE(r.what);
    const auto t0 = std::chrono::steady_clock::now();
    try {
      r.run();
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      const std::string m = e.what();
      EXPECT_EQ(m.rfind(r.field + ": ", 0), 0u) << m;
      EXPECT_NE(m.find(r.words), std::string::npos) << m;
      for (const unsigned char c : m) EXPECT_TRUE(c >= 32 && c < 127) << "unprintable byte in: " << m;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(s, 10.0) << "took " << s << " s";  // a hang bound (these once ran for minutes), not a speed test
  }
  // And the library still works.
  TrainingSession s(small());
  EXPECT_TRUE(std::isfinite(s.step(2).losses.at("b")));
}

TEST(BadInputs, AHugeLearningRateIsUndoneAndReported) {
  // 1e300 makes every weight inf from finite gradients in one update: the step is undone.
  TrainingSession s(with(small(), "optimizer", {{"lr", 1e300}}));
  const VecF before = s.network("b").params();
  EXPECT_THROW(s.step(1), NumericalError);
  EXPECT_EQ(s.network("b").params(), before);
  EXPECT_EQ(s.step_count(), 0);
  EXPECT_TRUE(s.model().to_json().dump().find("null") == std::string::npos);
}

}  // namespace
}  // namespace si
