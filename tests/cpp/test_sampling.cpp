// The one sampling plan (si/sampling.hpp): the defaults a model implies, the JSON options, and the
// SDE whose noise stops at eps_until, checked against the exact Gaussian-mixture fields.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "quick.hpp"
#include "si/metrics.hpp"
#include "si/sampling.hpp"
#include "si/session.hpp"

namespace si {
namespace {

using nlohmann::json;

// SI_TEST_QUICK (sanitized builds): a third of the points and a quarter of the likelihood paths;
// the thresholds follow the noise floor (measured on the same sizes) or the standard error.
const int kN = test::full_or_quick(3000, 1000);
const int kPaths = test::full_or_quick(800, 200);

Model tiny_model(const std::string& path, const std::string& fields, json sampling = json()) {
  json cfg = json::parse(R"({"network": {"hidden": [8]}, "training": {"batch": 16, "seed": 2}})");
  cfg["interpolant"] = {{"path", path}};
  cfg["fields"] = fields;
  if (!sampling.is_null()) cfg["sampling"] = sampling;
  TrainingSession s(cfg);
  s.step(1);
  return s.model();
}

GmmFields exact_two_sided() {
  json cfg = json::parse(R"({
    "base": {"type": "gmm", "weights": [0.4, 0.6], "means": [[-1.5, -1.5], [1, 0.5]],
             "covs": [[[0.3, 0.1], [0.1, 0.2]], [[0.15, -0.05], [-0.05, 0.4]]]},
    "target": {"type": "gmm", "weights": [0.3, 0.3, 0.4], "means": [[2, 0], [-1, 1.7], [-1, -1.7]],
               "covs": [[[0.1, 0], [0, 0.1]], [[0.25, 0.12], [0.12, 0.2]], [[0.08, -0.03], [-0.03, 0.3]]]},
    "interpolant": {"path": "linear", "gamma": "brownian"}})");
  return GmmFields::from_config(TrainingConfig::from_json(cfg));
}

TEST(SamplingPlan, DenoiserModelsStopTheNoiseBeforeTheSingularEnd) {
  // b learned with eta: the noise stops at 0.99 and the flow b finishes the run.
  const SamplingDefaults d = sampling_defaults(tiny_model("one-sided-linear", "b+eta"));
  EXPECT_EQ(d.sde.eps_until, 0.99);
  EXPECT_EQ(d.sde.t0, 1e-4);
  EXPECT_EQ(d.sde.t1, 1 - 1e-4);
  // One-sided v + eta: b = v needs no score, so the same.
  EXPECT_EQ(sampling_defaults(tiny_model("one-sided-linear", "v+eta")).sde.eps_until, 0.99);
  // Two-sided v + eta: b = v - gamma gamma' s needs the score, so the SDE itself ends at 0.99.
  const SamplingDefaults v = sampling_defaults(tiny_model("linear", "v+eta"));
  EXPECT_EQ(v.sde.eps_until, 1.0);
  EXPECT_EQ(v.sde.t1, 0.99);
  // A learned score needs nothing: noise on [0, 1].
  const SamplingDefaults s = sampling_defaults(tiny_model("one-sided-linear", "b+s"));
  EXPECT_EQ(s.sde.eps_until, 1.0);
  EXPECT_EQ(s.sde.t0, 0.0);
  EXPECT_EQ(s.sde.t1, 1.0);
  // The config's sampling.sde.eps_until overrides the policy, and comes back in its JSON.
  const Model m = tiny_model("one-sided-linear", "b+eta", {{"sde", {{"eps_until", 0.9}}}});
  EXPECT_EQ(sampling_defaults(m).sde.eps_until, 0.9);
  EXPECT_EQ(m.config().to_json()["sampling"]["sde"]["eps_until"], 0.9);
  EXPECT_EQ(sampling_defaults(m).to_json()["sde"]["epsUntil"], 0.9);
}

TEST(SamplingPlan, OptionsAreReadStrictlyOverTheDefaults) {
  const GmmFields f = exact_two_sided();
  const SamplingDefaults d = sampling_defaults(f);
  const SdePlan p = read_sde_plan(json{{"eps", 2}, {"epsUntil", 0.5}, {"n", 7}, {"seed", 4}}, d, true);
  EXPECT_EQ(p.opt.eps, 2);
  EXPECT_EQ(p.opt.eps_until, 0.5);
  EXPECT_EQ(p.n, 7);
  EXPECT_EQ(p.seed, 4u);
  EXPECT_EQ(p.opt.steps, d.sde.steps);
  auto message = [&](const json& o, bool sde) {
    try {
      if (sde)
        read_sde_plan(o, d, true);
      else
        read_ode_plan(o, d, true);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message(json{{"epsUntil", 1.5}}, true).rfind("sde.epsUntil: must be a number in [0, 1]", 0), 0u);
  EXPECT_EQ(message(json{{"method", "rk45"}}, false).rfind("ode.method: unknown ODE method 'rk45'", 0), 0u);
  EXPECT_EQ(message(json{{"paths", 3}}, true).rfind("sde.paths: unknown option 'paths'", 0), 0u);
  EXPECT_EQ(message(json{{"n", 2.5}}, false).rfind("ode.n: must be an integer", 0), 0u);
}

TEST(SamplingPlan, NoiseOffFromTheStartIsTheHeunFlow) {
  // eps_until at t0: no noise anywhere, so the stochastic Heun step is Heun's ODE method.
  const GmmFields f = exact_two_sided();
  Rng rng(5);
  const MatD x = f.rho0().sample(200, rng);
  SdeSamplerOptions sde;
  sde.eps = 1.0;
  sde.steps = 40;
  sde.eps_until = 0.0;
  Rng noise(6);
  const MatD a = sde_sample(f, x, sde, noise).x;
  OdeSamplerOptions ode;
  ode.method = OdeMethod::Heun;
  ode.steps = 40;
  const MatD b = ode_sample(f, x, ode).x;
  EXPECT_LE((a - b).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(SamplingPlan, SplitSdeKeepsTheMarginalsAndItsSnapshotTimes) {
  // With exact fields every eps gives rho1 at t = 1, also when the noise stops half-way; the
  // snapshots stay equally spaced across both legs.
  const GmmFields f = exact_two_sided();
  const SamplingDefaults d = sampling_defaults(f);
  const SdePlan p =
      read_sde_plan(json{{"eps", 1}, {"epsUntil", 0.5}, {"steps", 200}, {"n", kN}, {"snapshots", 5}}, d, true);
  const Sampled<double> s = run_sde(f, d, p);
  ASSERT_EQ(s.result.times.size(), 5u);
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(s.result.times[k], k / 4.0, 1e-12);
  EXPECT_EQ((s.result.snapshots.back() - s.result.x).cwiseAbs().maxCoeff(), 0.0);
  Rng rng(9);
  const MatD truth = f.rho1().sample(kN, rng), other = f.rho1().sample(kN, rng);
  const double floor = energy_distance<double>(truth, other);
  const double ed = energy_distance<double>(s.result.x, truth);
  EXPECT_LE(ed, 4 * floor + 0.002) << "floor " << floor;
  // A wrong second leg (e.g. the noise left on without its score correction) would not: the
  // base itself is far.
  // (Quick mode: the floor at 1000 points is 3x larger, the base's distance the same: factor 4.)
  EXPECT_GT(energy_distance<double>(s.start, truth), test::full_or_quick(20.0, 4.0) * (4 * floor + 0.002));
}

TEST(SamplingPlan, FramesNeverChangeTheSamples) {
  // 37 steps and 21 frames do not divide: the frames land on the nearest steps instead of splitting
  // them, so the ODE and the SDE (same seed, same noise) give the same samples with and without.
  const GmmFields f = exact_two_sided();
  const SamplingDefaults d = sampling_defaults(f);
  for (const char* method : {"rk4", "heun", "euler"}) {
    const json o = {{"method", method}, {"steps", 37}, {"n", 50}, {"seed", 2}};
    json with = o;
    with["snapshots"] = 21;
    const MatD a = run_ode(f, d, read_ode_plan(o, d, true)).result.x;
    const Sampled<double> b = run_ode(f, d, read_ode_plan(with, d, true));
    EXPECT_EQ(a, b.result.x) << method;
    ASSERT_EQ(b.result.snapshots.size(), 21u);
    EXPECT_EQ(b.result.snapshots.back(), b.result.x);
  }
  for (const double eps_until : {1.0, 0.6}) {
    const json o = {{"eps", 1}, {"steps", 37}, {"n", 50}, {"seed", 4}, {"epsUntil", eps_until}};
    json with = o;
    with["snapshots"] = 21;
    const MatD a = run_sde(f, d, read_sde_plan(o, d, true)).result.x;
    const Sampled<double> b = run_sde(f, d, read_sde_plan(with, d, true));
    EXPECT_EQ(a, b.result.x) << "epsUntil " << eps_until;
    ASSERT_EQ(b.result.snapshots.size(), 21u);
    for (size_t k = 1; k < b.result.times.size(); ++k) EXPECT_GT(b.result.times[k], b.result.times[k - 1]);
  }
}

TEST(SamplingPlan, BackwardSplitSdeStartsFromTheTargetAndReachesTheBase) {
  const GmmFields f = exact_two_sided();
  const SamplingDefaults d = sampling_defaults(f);
  const SdePlan p = read_sde_plan(
      json{{"eps", 1}, {"epsUntil", 0.6}, {"steps", 200}, {"n", kN}, {"t0", 1}, {"t1", 0}, {"seed", 3}}, d, true);
  const Sampled<double> s = run_sde(f, d, p);
  Rng rng(10);
  const MatD base = f.rho0().sample(kN, rng), base2 = f.rho0().sample(kN, rng), target = f.rho1().sample(kN, rng);
  const double floor = energy_distance<double>(base, base2);
  EXPECT_LE(energy_distance<double>(s.start, target), 4 * floor + 0.002);   // started from rho1
  EXPECT_LE(energy_distance<double>(s.result.x, base), 4 * floor + 0.002);  // ended at rho0
}

TEST(SamplingPlan, SplitSdeLikelihoodMatchesTheExactDensity) {
  // The backward ODE from 1 to eps_until, then the backward SDE: still log rho1(x).
  const GmmFields f = exact_two_sided();
  const SamplingDefaults d = sampling_defaults(f);
  Rng rng(12);
  const MatD x = f.rho1().sample(6, rng);
  const SdePlan p = read_sde_plan(json{{"eps", 0.5}, {"epsUntil", 0.7}, {"steps", 200}, {"paths", kPaths}}, d, false);
  const LikelihoodResult<double> r = run_sde_likelihood(f, d, x, p);
  const VecD exact = f.rho1().log_density(x);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    EXPECT_LE(std::abs(r.logp(j) - exact(j)), 3 * r.std_error(j) + 0.01) << "point " << j;
    EXPECT_LE(std::abs(r.logp(j) - exact(j)), test::full_or_quick(0.05, 0.1)) << "point " << j;
  }
}

}  // namespace
}  // namespace si
