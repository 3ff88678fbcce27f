#include <gtest/gtest.h>

#include "si/gradcheck.hpp"
#include "si/losses.hpp"

namespace si {
namespace {

struct Case {
  LossKind loss;
  const char* path;
  const char* gamma;
};

std::vector<Case> all_losses() {
  return {{LossKind::B, "linear", "brownian"},
          {LossKind::V, "trig", "brownian"},
          {LossKind::S, "linear", "sinesquared"},
          {LossKind::Eta, "encoding-decoding", "brownian"},
          {LossKind::OneSidedB, "one-sided-linear", "zero"},
          {LossKind::OneSidedV, "one-sided-trig", "zero"},
          {LossKind::OneSidedS, "one-sided-linear", "zero"},
          {LossKind::OneSidedEta, "one-sided-trig", "zero"},
          {LossKind::Mirror, "mirror", "brownian"}};
}

Batch<double> random_batch(Rng& rng, int d, int n) {
  Batch<double> b;
  b.t.resize(n);
  for (int j = 0; j < n; ++j) b.t(j) = rng.uniform(0.05, 0.95);
  b.x0 = rng.normal_matrix<double>(d, n);
  b.x1 = rng.normal_matrix<double>(d, n).array() + 1.5;
  b.z = rng.normal_matrix<double>(d, n);
  return b;
}

Batch<float> to_float(const Batch<double>& b) {
  return {b.t.cast<float>(), b.x0.cast<float>(), b.x1.cast<float>(), b.z.cast<float>()};
}

class LossGradient : public ::testing::TestWithParam<Case> {};

TEST_P(LossGradient, GradientMatchesFiniteDifferences) {
  const Case c = GetParam();
  const Interpolant I = Interpolant::from_names(c.path, c.gamma);
  ASSERT_TRUE(loss_fits(c.loss, I));
  Rng rng(17);
  Mlp<double> net(MlpShape{3, 2, {7, 6}, Activation::Tanh});
  net.init(rng);
  for (bool anti : {false, true}) {
    SCOPED_TRACE(anti ? "antithetic" : "single");
    const Batch<double> batch = random_batch(rng, 2, 9);
    const LossPoints<double> lp = loss_points(c.loss, I, batch, anti);
    MlpCache<double> cache;
    VecD grad = VecD::Zero(net.num_params());
    loss_and_grad(net, lp, &grad, cache);
    auto f = [&](const VecD& p) {
      Mlp<double> m = net;
      m.params() = p;
      MlpCache<double> cc;
      return loss_and_grad<double>(m, lp, nullptr, cc);
    };
    const auto r = check_gradient(f, net.params(), grad, rng, 1000, 1e-6, 1e-3);
    EXPECT_LE(r.max_rel_error, 1e-5) << "parameter " << r.worst_index;
  }
}

// The loss value is the SPEC section 3 per-sample formula, computed here directly per sample.
TEST_P(LossGradient, ValueIsTheSpecFormula) {
  const Case c = GetParam();
  const Interpolant I = Interpolant::from_names(c.path, c.gamma);
  Rng rng(23);
  Mlp<double> net(MlpShape{3, 2, {5}, Activation::SiLU});
  net.init(rng);
  const Batch<double> B = random_batch(rng, 2, 6);
  auto f = [&](double t, const VecD& x) {
    VecD in(3);
    in << t, x;
    return VecD(net.eval(in));
  };
  for (bool anti : {false, true}) {
    double expected = 0;
    for (int j = 0; j < 6; ++j) {
      const double t = B.t(j);
      const Coefficients k = I.at(t);
      const VecD x0 = B.x0.col(j), x1 = B.x1.col(j), z = B.z.col(j);
      const VecD dI = k.dalpha * x0 + k.dbeta * x1, Ic = k.alpha * x0 + k.beta * x1;
      auto q = [&](const VecD& x, const VecD& cc) { return 0.5 * f(t, x).squaredNorm() - cc.dot(f(t, x)); };
      switch (c.loss) {
        case LossKind::B:
          expected += q(Ic + k.gamma * z, dI + k.dgamma * z);
          if (anti) expected += q(Ic - k.gamma * z, dI - k.dgamma * z);
          break;
        case LossKind::V:
          expected += q(Ic + k.gamma * z, dI);
          break;
        case LossKind::S:
          expected += 0.5 * f(t, Ic + k.gamma * z).squaredNorm() + z.dot(f(t, Ic + k.gamma * z)) / k.gamma;
          if (anti) expected += 0.5 * f(t, Ic - k.gamma * z).squaredNorm() - z.dot(f(t, Ic - k.gamma * z)) / k.gamma;
          break;
        case LossKind::Eta:
          expected += q(Ic + k.gamma * z, z);
          break;
        case LossKind::OneSidedB:
        case LossKind::OneSidedV:
          expected += q(Ic, dI);
          break;
        case LossKind::OneSidedS: {
          const VecD xp = k.beta * x1 + k.alpha * x0, xm = k.beta * x1 - k.alpha * x0;
          expected += 0.5 * f(t, xp).squaredNorm() + x0.dot(f(t, xp)) / k.alpha;
          if (anti) expected += 0.5 * f(t, xm).squaredNorm() - x0.dot(f(t, xm)) / k.alpha;
          break;
        }
        case LossKind::OneSidedEta:
          expected += q(Ic, x0);
          break;
        case LossKind::Mirror: {
          const double g = I.gamma()(t);
          expected += 0.5 * f(t, x1 + g * x0).squaredNorm() + x0.dot(f(t, x1 + g * x0)) / g;
          break;
        }
      }
    }
    expected /= 6;
    MlpCache<double> cache;
    EXPECT_NEAR(loss_and_grad<double>(net, loss_points(c.loss, I, B, anti), nullptr, cache), expected,
                1e-12 * (1 + std::abs(expected)));
  }
}

INSTANTIATE_TEST_SUITE_P(AllLosses, LossGradient, ::testing::ValuesIn(all_losses()), [](const auto& info) {
  std::string n = to_name(info.param.loss);
  for (auto& ch : n)
    if (ch == '-') ch = '_';
  return n;
});

TEST_P(LossGradient, PointsIntoReusedMemoryOnThreadsAreTheSamePoints) {
  // d = 50, 300 entries: three ranges of entries on three threads, into memory of a previous batch.
  const Case c = GetParam();
  const Interpolant I = Interpolant::from_names(c.path, c.gamma);
  Rng rng(23);
  for (bool anti : {false, true}) {
    LossPoints<float> reused;
    loss_points(c.loss, I, to_float(random_batch(rng, 50, 300)), anti, reused, 2);
    const Batch<float> batch = to_float(random_batch(rng, 50, 300));
    const LossPoints<float> fresh = loss_points(c.loss, I, batch, anti);
    loss_points(c.loss, I, batch, anti, reused, 3);
    EXPECT_EQ(reused.inputs, fresh.inputs) << (anti ? "antithetic" : "single");
    EXPECT_EQ(reused.targets, fresh.targets) << (anti ? "antithetic" : "single");
    EXPECT_EQ(reused.scale, fresh.scale);
  }
}

TEST(Losses, EveryLossFitsOnlyItsSidedness) {
  const auto two = Interpolant::from_names("linear", "brownian");
  const auto one = Interpolant::from_names("one-sided-linear", "zero");
  const auto mir = Interpolant::from_names("mirror", "brownian");
  EXPECT_TRUE(loss_fits(LossKind::S, two));
  EXPECT_FALSE(loss_fits(LossKind::S, one));
  EXPECT_TRUE(loss_fits(LossKind::OneSidedS, one));
  EXPECT_FALSE(loss_fits(LossKind::OneSidedS, mir));
  EXPECT_TRUE(loss_fits(LossKind::Mirror, mir));
  EXPECT_THROW(loss_from_name("score"), ConfigError);
  EXPECT_EQ(loss_from_name("one-sided-eta"), LossKind::OneSidedEta);
}

}  // namespace
}  // namespace si
