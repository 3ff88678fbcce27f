// The losses learn the right thing: small networks trained with each loss approach the exact
// Gaussian-mixture fields (SPEC section 5), measured by the relative L2 error over samples of
// rho_t for t in [0.1, 0.9].
#include <gtest/gtest.h>

#include "quick.hpp"
#include "si/gmm_fields.hpp"
#include "si/session.hpp"

namespace si {
namespace {

using nlohmann::json;

// SI_TEST_QUICK (sanitized builds): 400 steps of batch 256 instead of 5000 of 1000, so every loss,
// its training step and the derived fields still run. Measured there: relative errors 0.16-0.34
// (an untrained network: 0.95-0.99), hence 0.5; the 10% accuracy is the full mode's claim.
const long kSteps = test::full_or_quick(5000L, 400L);
const int kBatch = test::full_or_quick(1000, 256);
const double kTol = test::full_or_quick(0.10, 0.5);

const json kTwoSidedEnds = json::parse(R"({
  "base": {"type": "gmm", "weights": [0.5, 0.5], "means": [[-1.5, 0.0], [1.5, 0.5]],
           "covs": [[[0.3, 0.1], [0.1, 0.4]], [[0.4, -0.1], [-0.1, 0.3]]]},
  "target": {"type": "gmm", "weights": [0.3, 0.7], "means": [[0.0, 2.0], [0.5, -1.5]],
             "covs": [[[0.5, 0.0], [0.0, 0.2]], [[0.3, 0.1], [0.1, 0.5]]]}
})");

json config(const std::string& path, const std::string& gamma, const std::string& fields, long steps) {
  json c = kTwoSidedEnds;
  if (path.rfind("one-sided", 0) == 0 || path == "mirror") c["base"] = {{"type", "gaussian"}};
  c["interpolant"] = {{"path", path}, {"gamma", gamma}};
  c["fields"] = fields;
  c["network"] = {{"hidden", {64, 64, 64}}, {"activation", "silu"}};
  c["optimizer"] = {{"lr", 3e-3}, {"step_size", steps / 3}, {"decay", 0.4}};
  c["training"] = {{"steps", steps}, {"batch", kBatch}, {"seed", 1}, {"t_lo", 0.02}, {"t_hi", 0.02}};
  return c;
}

// sqrt( sum |learned - exact|^2 / sum |exact|^2 ) over x ~ rho_t, t = 0.1, 0.2, ..., 0.9.
double relative_l2_error(const Model& m, const GmmFields& exact, const std::string& field) {
  Rng rng(99);
  double num = 0, den = 0;
  for (int k = 1; k <= 9; ++k) {
    const double t = k / 10.0;
    const MatD x = exact.sample_xt(t, 1000, rng);
    const GmmFieldValues e = exact.eval(t, x);
    const MatD& truth = field == "b" ? e.b : field == "s" ? e.s : field == "eta" ? e.eta : e.v;
    MatF out;
    m.evaluate(field, t, x.cast<float>(), out);
    num += (out.cast<double>() - truth).squaredNorm();
    den += truth.squaredNorm();
  }
  return std::sqrt(num / den);
}

void train_and_check(const json& cfg, const std::vector<std::string>& fields, double tol = kTol) {
  TrainingSession s(cfg);
  s.step(int(cfg["training"]["steps"]));
  const Model m = s.model();
  const auto* r0 = m.base().as_mixture();
  const auto* r1 = m.target().as_mixture();
  ASSERT_TRUE(r0 && r1);
  const GmmFields exact(*r0, *r1, m.interpolant());
  for (const auto& f : fields) {
    const double err = relative_l2_error(m, exact, f);
    ::testing::Test::RecordProperty("rel_l2_" + f, std::to_string(err));
    std::printf("    %s: relative L2 error of %s = %.4f\n", cfg["fields"].get<std::string>().c_str(), f.c_str(), err);
    EXPECT_LE(err, tol) << f;
  }
}

TEST(Learning, TwoSidedDriftAndScoreLossesLearnTheExactFields) {
  train_and_check(config("linear", "brownian", "b+s", kSteps), {"b", "s"});
}

TEST(Learning, TwoSidedDenoiserLossLearnsEtaAndItsScore) {
  train_and_check(config("linear", "brownian", "b+eta", kSteps), {"eta", "s"});
}

TEST(Learning, TwoSidedVelocityLossLearnsV) {
  train_and_check(config("linear", "brownian", "v+s", kSteps), {"v", "b"});
}

TEST(Learning, OneSidedLossesLearnDriftScoreAndDenoiser) {
  train_and_check(config("one-sided-linear", "zero", "b+s", kSteps), {"b", "s"});
  train_and_check(config("one-sided-trig", "zero", "b+eta", kSteps), {"b", "eta"});
}

TEST(Learning, MirrorLossLearnsTheScore) { train_and_check(config("mirror", "brownian", "s", kSteps), {"s", "b"}); }

}  // namespace
}  // namespace si
