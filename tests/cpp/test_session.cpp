#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "si/session.hpp"

namespace si {
namespace {

using nlohmann::json;

json small_config() {
  return json::parse(R"({
    "base": {"type": "gaussian"}, "target": {"type": "checkerboard"},
    "interpolant": {"path": "one-sided-linear"}, "fields": "b+s",
    "network": {"hidden": [16, 16], "activation": "relu"},
    "optimizer": {"lr": 0.002}, "training": {"batch": 64, "seed": 42}
  })");
}

TEST(TrainingSession, SameConfigAndSeedGiveIdenticalWeightsTwice) {
  TrainingSession a(small_config()), b(small_config());
  a.step(25);
  b.step(20);
  b.step(5);
  for (const char* n : {"b", "s"}) EXPECT_EQ(a.network(n).params(), b.network(n).params()) << n;
  json other = small_config();
  other["training"]["seed"] = 43;
  TrainingSession c(other);
  c.step(25);
  EXPECT_NE(a.network("b").params(), c.network("b").params());
}

TEST(TrainingSession, ReportsLossesAndLearningRateSchedule) {
  json cfg = small_config();
  cfg["optimizer"]["step_size"] = 3;
  cfg["optimizer"]["decay"] = 0.5;
  TrainingSession s(cfg);
  StepResult r = s.step(3);
  EXPECT_EQ(r.step, 3);
  EXPECT_DOUBLE_EQ(r.lr, 0.002);
  EXPECT_EQ(r.losses.size(), 2u);
  EXPECT_TRUE(std::isfinite(r.losses["b"]));
  EXPECT_TRUE(std::isfinite(r.losses["s"]));
  r = s.step(1);
  EXPECT_DOUBLE_EQ(r.lr, 0.001);
}

TEST(TrainingSession, CosineScheduleFollowsHalfACosineOverTheTrainingSteps) {
  json cfg = small_config();
  cfg["optimizer"]["schedule"] = "cosine";
  cfg["training"]["steps"] = 8;
  TrainingSession s(cfg);
  const double pi = 3.14159265358979323846;
  for (int k = 0; k < 10; ++k) {
    const double expected = 0.002 * 0.5 * (1 + std::cos(pi * std::min(k, 8) / 8.0));
    EXPECT_NEAR(s.step(1).lr, expected, 1e-12) << "step " << k + 1;
  }
  cfg["optimizer"]["schedule"] = "linear";
  try {
    TrainingSession bad(cfg);
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("optimizer.schedule: must be one of step, cosine", 0), 0u) << e.what();
  }
}

TEST(TrainingSession, EmaModelHoldsTheMovingAverageOfTheWeights) {
  // The average does not change the training: the same seed gives the same raw weights, so the
  // average can be recomputed here from a run without it.
  json cfg = small_config();
  TrainingSession raw(cfg);
  cfg["optimizer"]["ema"] = 0.9;
  TrainingSession avg(cfg);
  Vec<float> ema = raw.network("b").params();
  for (int k = 1; k <= 30; ++k) {
    raw.step(1);
    avg.step(1);
    const float d = float(std::min(0.9, (1.0 + k) / (10.0 + k)));
    ema = d * ema + (1.0f - d) * raw.network("b").params();
  }
  EXPECT_EQ(avg.network("b").params(), raw.network("b").params());
  const Vec<float> got = avg.model().networks().at("b").params();
  EXPECT_LT((got - ema).cwiseAbs().maxCoeff(), 1e-6f);
  EXPECT_GT((got - raw.network("b").params()).cwiseAbs().maxCoeff(), 1e-4f);  // not the raw weights
  EXPECT_EQ(raw.model().networks().at("b").params(), raw.network("b").params());
}

TEST(TrainingSession, TrainingLowersTheDriftLoss) {
  TrainingSession s(small_config());
  const double first = s.step(20).losses["b"];
  s.step(300);
  const double later = s.step(20).losses["b"];
  EXPECT_LT(later, first - 0.5);
}

TEST(TrainingSession, BlowUpIsReportedAndWeightsBeforeTheStepAreKept) {
  json cfg = small_config();
  cfg["optimizer"]["lr"] = 1e30;
  TrainingSession s(cfg);
  VecF before;
  bool threw = false;
  for (int i = 0; i < 50 && !threw; ++i) {
    before = s.network("b").params();
    try {
      s.step(1);
    } catch (const NumericalError& e) {
      threw = true;
      EXPECT_NE(std::string(e.what()).find("NaN or inf"), std::string::npos);
    }
  }
  ASSERT_TRUE(threw);
  EXPECT_EQ(s.network("b").params(), before);
  EXPECT_TRUE(before.allFinite());
}

TEST(Model, SaveLoadRoundTripIsExact) {
  TrainingSession s(small_config());
  s.step(10);
  const Model m = s.model();
  const std::string text = m.to_json().dump();
  const Model back = Model::from_json(json::parse(text));
  for (const char* n : {"b", "s"}) EXPECT_EQ(back.networks().at(n).params(), m.networks().at(n).params());
  EXPECT_EQ(back.to_json().dump(), text);
  MatF x = MatF::Random(2, 7), y1, y2;
  m.evaluate("b", 0.3, x, y1);
  back.evaluate("b", 0.3, x, y2);
  EXPECT_EQ(y1, y2);
}

TEST(TrainingSession, ContinuesFromASavedModelsWeights) {
  TrainingSession a(small_config());
  a.step(30);
  const Model saved = Model::from_json(json::parse(a.model().to_json().dump()));
  TrainingSession b(small_config());
  b.load_weights(saved);
  for (const char* n : {"b", "s"}) EXPECT_EQ(b.network(n).params(), a.network(n).params());
  EXPECT_EQ(saved.steps_trained(), 30);
  EXPECT_EQ(b.step_count(), 30);
  json sched = small_config();
  sched["optimizer"]["step_size"] = 10;
  sched["optimizer"]["decay"] = 0.5;
  TrainingSession c0(sched);
  c0.load_weights(saved);
  EXPECT_DOUBLE_EQ(c0.step(1).lr, 0.002 * 0.125);  // the schedule goes on from step 30
  const double loss = b.step(20).losses["b"];
  TrainingSession fresh(small_config());
  EXPECT_LT(loss, fresh.step(20).losses["b"]);  // it really goes on from the trained weights

  json other = small_config();
  other["network"]["hidden"] = {8, 8};
  TrainingSession c(other);
  EXPECT_THROW(c.load_weights(saved), ConfigError);
  other = small_config();
  other["fields"] = "b+eta";
  TrainingSession d(other);
  EXPECT_THROW(d.load_weights(saved), ConfigError);
}

TEST(TrainingSession, RetuneKeepsWhatWasLearnedAndAppliesTheNewSettings) {
  // Retuning to the same config is invisible: the run goes on bit for bit as without it (the
  // networks, Adam's moments and step count, the random stream all kept).
  TrainingSession plain(small_config()), tuned(small_config());
  plain.step(20);
  tuned.step(20);
  tuned.retune(TrainingConfig::from_json(small_config()));
  plain.step(15);
  tuned.step(15);
  for (const char* n : {"b", "s"}) EXPECT_EQ(plain.network(n).params(), tuned.network(n).params()) << n;
  EXPECT_EQ(tuned.step_count(), 35);

  // A new learning rate, schedule, batch and step limit apply from the next step; the weights stay.
  json next = small_config();
  next["optimizer"]["lr"] = 0.0005;
  next["optimizer"]["schedule"] = "cosine";
  next["training"]["batch"] = 32;
  next["training"]["steps"] = 70;
  const VecF before = tuned.network("b").params();
  tuned.retune(TrainingConfig::from_json(next));
  EXPECT_EQ(tuned.network("b").params(), before);
  EXPECT_EQ(tuned.config().batch, 32);
  EXPECT_NEAR(tuned.step(1).lr, 0.0005 * 0.5 * (1 + std::cos(M_PI * 35.0 / 70.0)), 1e-12);
  // Unlike a reload (load_weights), which starts Adam's moments afresh: its first update differs.
  TrainingSession reloaded(next);
  TrainingSession again(small_config());
  again.step(35);
  reloaded.load_weights(again.model());
  again.retune(TrainingConfig::from_json(next));
  reloaded.step(1);
  again.step(1);
  EXPECT_NE(reloaded.network("b").params(), again.network("b").params());

  // A moving average switched on starts from the weights as they are.
  next["optimizer"]["ema"] = 0.99;
  tuned.retune(TrainingConfig::from_json(next));
  EXPECT_EQ(tuned.model().networks().at("b").params(), tuned.network("b").params());
  tuned.step(5);
  EXPECT_NE(tuned.model().networks().at("b").params(), tuned.network("b").params());

  // What defines the run cannot change: an error names the key, and nothing changes.
  const VecF kept = tuned.network("b").params();
  const auto refused = [&](const char* key, json cfg) {
    try {
      tuned.retune(TrainingConfig::from_json(cfg));
      ADD_FAILURE() << key << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), key);
    }
  };
  json bad = next;
  bad["network"]["hidden"] = {8, 8};
  refused("network", bad);
  bad = next;
  bad["target"] = {{"type", "moons"}};
  refused("target", bad);
  bad = next;
  bad["interpolant"]["path"] = "linear";
  refused("interpolant", bad);
  bad = next;
  bad["fields"] = "b+eta";
  refused("fields", bad);
  bad = next;
  bad["training"]["seed"] = 7;
  refused("training.seed", bad);
  EXPECT_EQ(tuned.network("b").params(), kept);
  EXPECT_EQ(tuned.config().optimizer.ema, 0.99);
}

TEST(Model, DerivedFieldsFollowTheSpecRelations) {
  json cfg = small_config();
  cfg["base"] = {{"type", "random-gmm"}, {"components", 2}};
  cfg["target"] = {{"type", "8gaussians"}};
  cfg["interpolant"] = {{"path", "trig"}, {"gamma", "brownian"}};
  for (const char* fields : {"b+s", "b+eta", "v+s", "v+eta"}) {
    SCOPED_TRACE(fields);
    cfg["fields"] = fields;
    TrainingSession s(cfg);
    s.step(3);
    const Model m = s.model();
    const double t = 0.37;
    const Coefficients c = m.interpolant().at(t);
    MatF x = MatF::Random(2, 5), b, v, sc, eta;
    VecF db, dv, ds;
    m.evaluate("b", t, x, b, &db);
    m.evaluate("v", t, x, v, &dv);
    m.evaluate("s", t, x, sc, &ds);
    m.evaluate("eta", t, x, eta);
    EXPECT_LE((b - (v - float(c.gamma_dgamma) * sc)).norm(), 1e-5 * (1 + b.norm()));
    EXPECT_LE((sc + eta / float(c.gamma)).norm(), 1e-5 * (1 + sc.norm()));
    EXPECT_LE((db - (dv - float(c.gamma_dgamma) * ds)).norm(), 1e-4 * (1 + db.norm()));
  }
}

TEST(Model, DriftOnlyModelHasNoScoreAndSaysWhatItOffers) {
  json cfg = small_config();
  cfg["fields"] = "b";
  TrainingSession s(cfg);
  const Model m = s.model();
  EXPECT_FALSE(m.has_score());
  MatF x = MatF::Zero(2, 1), out;
  try {
    m.evaluate("s", 0.5, x, out);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("offers: b, v"), std::string::npos) << e.what();
  }
}

// Each bad config throws a ConfigError whose message starts with the field's path.
struct BadCase {
  const char* patch;  // JSON merged into the small config
  const char* field;  // expected start of the message
};

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, IsRejectedNamingTheField) {
  json cfg = small_config();
  cfg.merge_patch(json::parse(GetParam().patch));
  try {
    TrainingSession s(cfg);
    FAIL() << "accepted " << GetParam().patch;
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(GetParam().field, 0), 0u) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BadConfig,
    ::testing::Values(
        BadCase{R"({"optimizer": {"lr": -1}})", "optimizer.lr"}, BadCase{R"({"optimizer": {"lr": 0}})", "optimizer.lr"},
        BadCase{R"({"optimizer": {"decay": 1.5}})", "optimizer.decay"},
        BadCase{R"({"optimizer": {"clip": -1}})", "optimizer.clip"},
        BadCase{R"({"optimizer": {"momentum": 0.9}})", "optimizer.momentum"},
        BadCase{R"({"training": {"batch": 0}})", "training.batch"},
        BadCase{R"({"training": {"batch": 2.5}})", "training.batch"},
        BadCase{R"({"training": {"seed": -3}})", "training.seed"},
        BadCase{R"({"training": {"t_lo": 0.7}})", "training.t_lo"},
        BadCase{R"({"training": {"antithetic": "yes"}})", "training.antithetic"},
        BadCase{R"({"network": {"hidden": [16, 0]}})", "network.hidden"},
        BadCase{R"({"network": {"hidden": []}})", "network.hidden"},
        BadCase{R"({"network": {"activation": "swish"}})", "network.activation"},
        BadCase{R"({"interpolant": {"path": "zigzag"}})", "interpolant.path"},
        BadCase{R"({"interpolant": {"path": "linear", "gamma": "wiggly"}})", "interpolant.gamma"},
        BadCase{R"({"interpolant": {"path": "trig", "gamma": "a-brownian", "gamma_a": 4.5}})", "interpolant.gamma"},
        BadCase{R"({"interpolant": {"path": "linear", "gamma": "a-brownian", "gamma_a": -1}})", "interpolant.gamma_a"},
        BadCase{R"({"interpolant": {"path": "one-sided-linear", "gamma": "brownian"}})", "interpolant.gamma"},
        BadCase{R"({"fields": "b+q"})", "fields"},
        BadCase{R"({"interpolant": {"path": "mirror"}, "fields": "b+s"})", "fields"},
        BadCase{R"({"base": {"type": "gaussian", "mean": [1, 0]}})", "base"},
        BadCase{R"({"target": {"type": "gmm", "weights": [0.5, 0.6], "means": [[0, 0], [1, 1]],
                    "covs": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}})",
                "target.weights"},
        BadCase{R"({"target": {"type": "gaussian", "cov": [[1, 2], [2, 1]]}})", "target.cov"},
        BadCase{R"({"target": {"type": "donut"}})", "target.type"},
        BadCase{R"({"sampling": {"ode": {"method": "rk45"}}})", "sampling.ode.method"},
        BadCase{R"({"sampling": {"sde": {"eps": -0.1}}})", "sampling.sde.eps"},
        BadCase{R"({"learning_rate": 0.1})", "learning_rate"}),
    [](const auto& info) {
      std::string n = std::to_string(info.index) + "_" + info.param.field;
      for (auto& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(BadConfig, NanIsRejected) {
  json cfg = small_config();
  cfg["optimizer"]["lr"] = std::nan("");  // serialises as null: treated as absent, so use the C++ struct
  TrainingConfig c = TrainingConfig::from_json(small_config());
  c.optimizer.lr = std::nan("");
  EXPECT_THROW(TrainingSession{c}, ConfigError);
  json target = small_config();
  target["target"] = json::parse(R"({"type": "gaussian", "mean": [0, 0]})");
  target["target"]["mean"][1] = std::nan("");
  EXPECT_THROW(TrainingSession{target}, ConfigError);
}

}  // namespace
}  // namespace si

namespace si {
namespace {

TEST(Model, DerivedScoreStaysFiniteAtTheEndsAndMirrorStartsFromTheTarget) {
  json cfg = small_config();
  cfg["fields"] = "b+eta";
  TrainingSession s(cfg);
  s.step(2);
  const Model m = s.model();
  MatF x = MatF::Random(2, 4), out;
  for (double t : {0.0, 1.0}) {
    m.evaluate("s", t, x, out);
    EXPECT_TRUE(out.allFinite()) << "t = " << t;
  }
  EXPECT_EQ(m.sampling_interval(true), std::make_pair(1e-4, 1.0 - 1e-4));
  EXPECT_EQ(m.initial().name(), "gaussian");

  json mir = small_config();
  mir["interpolant"] = {{"path", "mirror"}, {"gamma", "brownian"}};
  mir["fields"] = "s";
  TrainingSession ms(mir);
  EXPECT_EQ(ms.model().initial().name(), "checkerboard");
  EXPECT_EQ(ms.model().sampling_interval(true), std::make_pair(0.0, 1.0));
}

}  // namespace
}  // namespace si
