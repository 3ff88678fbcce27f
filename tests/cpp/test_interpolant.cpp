#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "si/interpolant.hpp"

namespace si {
namespace {

struct Pair {
  std::string path;
  std::string gamma;
  double a;
};

// Every path of the table with every gamma it accepts (from the tables, so a new entry is tested
// by itself): one-sided paths take gamma zero, the mirror a nonzero gamma; the trig path rejects a
// gamma that reaches 1 (sinesquared).
std::vector<Pair> all_valid_pairs() {
  std::vector<Pair> out;
  for (const PathDef* p : paths().entries())
    for (const GammaDef* g : gammas().entries()) {
      const double a = p->sidedness == Sidedness::Mirror ? 0.5 : 2.0;
      try {
        Interpolant::from_names(p->name, g->name, a);
      } catch (const ConfigError&) {
        continue;
      }
      out.push_back({p->name, g->name, a});
    }
  // The known rejections, so the loop above cannot silently drop everything.
  EXPECT_GE(out.size(), 24u);
  return out;
}

double rel_err(double exact, double approx) { return std::abs(exact - approx) / std::max(1.0, std::abs(exact)); }

TEST(Interpolant, EveryPathAndGammaDerivativeMatchesFiniteDifference) {
  const double h = 1e-6;
  for (const auto& pr : all_valid_pairs()) {
    SCOPED_TRACE(pr.path + " / " + pr.gamma);
    const Interpolant I = Interpolant::from_names(pr.path, pr.gamma, pr.a);
    for (int k = 1; k < 40; ++k) {
      const double t = k / 40.0;
      if (pr.path == "encoding-decoding" && std::abs(t - 0.5) < 2 * h) continue;
      const Coefficients c = I.at(t), cp = I.at(t + h), cm = I.at(t - h);
      EXPECT_LE(rel_err(c.dalpha, (cp.alpha - cm.alpha) / (2 * h)), 1e-6) << "alpha' at t=" << t;
      EXPECT_LE(rel_err(c.dbeta, (cp.beta - cm.beta) / (2 * h)), 1e-6) << "beta' at t=" << t;
      EXPECT_LE(rel_err(c.dgamma, (cp.gamma - cm.gamma) / (2 * h)), 1e-6) << "gamma' at t=" << t;
      // gamma gamma' = (1/2) d/dt gamma^2, independent of how gamma' and the product are computed.
      EXPECT_LE(rel_err(c.gamma_dgamma, (cp.gamma * cp.gamma - cm.gamma * cm.gamma) / (4 * h)), 1e-6)
          << "gamma gamma' at t=" << t;
      const Gamma& g = I.gamma();
      EXPECT_LE(rel_err(g.deriv(t), (g(t + h) - g(t - h)) / (2 * h)), 1e-6) << "Gamma::deriv at t=" << t;
    }
  }
}

// Every gamma kind: Gamma::product against (1/2) d/dt gamma(t)^2 by central differences inside
// (0, 1), and at t = 0 and 1 (where brownian gammas have an infinite gamma' but gamma^2 is smooth)
// against the one-sided second-order difference (-3 f(0) + 4 f(h) - f(2h)) / (2h) of f = gamma^2 / 2.
TEST(Interpolant, GammaProductIsHalfTheDerivativeOfGammaSquared) {
  // A user's gamma = t - t^3 with its own product: the library must hand it through unchanged.
  const CustomGamma custom{[](double t) { return t - t * t * t; }, [](double t) { return 1 - 3 * t * t; },
                           [](double t) { return (t - t * t * t) * (1 - 3 * t * t); }};
  std::vector<std::pair<std::string, Gamma>> gammas;
  for (const auto& name : gamma_names())
    if (name != "custom") gammas.emplace_back(name, Gamma::from_name(name, 1.0));
  gammas.emplace_back("a-brownian a=0.3", Gamma(GammaKind::ABrownian, 0.3));
  gammas.emplace_back("a-brownian a=3", Gamma(GammaKind::ABrownian, 3.0));
  gammas.emplace_back("custom", Gamma(custom));
  for (const auto& [name, g] : gammas) {
    SCOPED_TRACE(name);
    // [&g = g]: C++17 lambdas cannot capture a structured binding (clang rejects [&]).
    auto half_sq = [&g = g](double t) { return 0.5 * g(t) * g(t); };
    const double h = 1e-5;
    for (int k = 1; k < 80; ++k) {
      const double t = k / 80.0;
      EXPECT_LE(rel_err(g.product(t), (half_sq(t + h) - half_sq(t - h)) / (2 * h)), 1e-7) << "t=" << t;
    }
    const double at0 = (-3 * half_sq(0) + 4 * half_sq(h) - half_sq(2 * h)) / (2 * h);
    const double at1 = -(-3 * half_sq(1) + 4 * half_sq(1 - h) - half_sq(1 - 2 * h)) / (2 * h);
    EXPECT_LE(rel_err(g.product(0.0), at0), 1e-6) << "t=0";
    EXPECT_LE(rel_err(g.product(1.0), at1), 1e-6) << "t=1";
  }
}

TEST(Interpolant, BoundaryValuesAtBothEnds) {
  for (const auto& pr : all_valid_pairs()) {
    SCOPED_TRACE(pr.path + " / " + pr.gamma);
    const Interpolant I = Interpolant::from_names(pr.path, pr.gamma, pr.a);
    const Coefficients c0 = I.at(0.0), c1 = I.at(1.0);
    EXPECT_NEAR(c0.gamma, 0.0, 1e-12);
    EXPECT_NEAR(c1.gamma, 0.0, 1e-12);
    EXPECT_NEAR(I.gamma()(0.0), 0.0, 1e-12);
    EXPECT_NEAR(I.gamma()(1.0), 0.0, 1e-12);
    EXPECT_TRUE(std::isfinite(c0.gamma_dgamma));
    EXPECT_TRUE(std::isfinite(c1.gamma_dgamma));
    if (I.mirror()) {
      EXPECT_NEAR(c0.alpha, 0.0, 1e-12);  // x_0 = x1 + gamma(0) x0 = x1
      EXPECT_NEAR(c1.alpha, 0.0, 1e-12);
      EXPECT_EQ(c0.beta, 1.0);
    } else {
      EXPECT_NEAR(c0.alpha, 1.0, 1e-12);
      EXPECT_NEAR(c0.beta, 0.0, 1e-12);
      EXPECT_NEAR(c1.alpha, 0.0, 1e-12);
      EXPECT_NEAR(c1.beta, 1.0, 1e-12);
    }
  }
}

TEST(Interpolant, BrownianProductIsFiniteWhereDerivativeBlowsUp) {
  const Gamma g(GammaKind::Brownian);
  EXPECT_FALSE(std::isfinite(g.deriv(0.0)));
  EXPECT_DOUBLE_EQ(g.product(0.0), 0.5);
  EXPECT_DOUBLE_EQ(g.product(1.0), -0.5);
  const Gamma a(GammaKind::ABrownian, 3.0);  // the parameter is really used (reference bug)
  EXPECT_DOUBLE_EQ(a(0.5), std::sqrt(3.0 * 0.25));
  EXPECT_DOUBLE_EQ(a.product(0.25), 3.0 * 0.5 / 2.0);
}

TEST(Interpolant, BatchedXtAndDerivativeUsePerSampleTime) {
  const Interpolant I = Interpolant::from_names("trig", "brownian");
  VecD t(3);
  t << 0.1, 0.5, 0.9;
  MatD x0 = MatD::Random(2, 3), x1 = MatD::Random(2, 3), z = MatD::Random(2, 3);
  const MatD xt = I.xt(t, x0, x1, z), dI = I.dIdt(t, x0, x1);
  for (int j = 0; j < 3; ++j) {
    const Coefficients c = I.at(t(j));
    EXPECT_LE((xt.col(j) - (c.alpha * x0.col(j) + c.beta * x1.col(j) + c.gamma * z.col(j))).norm(), 1e-14);
    EXPECT_LE((dI.col(j) - (c.dalpha * x0.col(j) + c.dbeta * x1.col(j))).norm(), 1e-14);
  }
}

TEST(Interpolant, CustomPathIsUsedAndItsBoundaryConditionsChecked) {
  CustomPath p{[](double t) { return 1 - t * t; }, [](double t) { return t * t; }, [](double t) { return -2 * t; },
               [](double t) { return 2 * t; }};
  const Interpolant I(p, Gamma(GammaKind::Brownian));
  EXPECT_DOUBLE_EQ(I.at(0.5).alpha, 0.75);
  EXPECT_DOUBLE_EQ(I.at(0.5).dbeta, 1.0);
  CustomPath bad = p;
  bad.alpha = [](double t) { return 0.9 - t; };
  EXPECT_THROW(Interpolant(bad, Gamma(GammaKind::Brownian)), ConfigError);
  CustomPath wrong_deriv = p;
  wrong_deriv.dbeta = [](double t) { return t; };
  EXPECT_THROW(Interpolant(wrong_deriv, Gamma(GammaKind::Brownian)), ConfigError);
  CustomGamma g{[](double t) { return t * (1 - t); }, [](double t) { return 1 - 2 * t; },
                [](double t) { return t * (1 - t) * (1 - 2 * t); }};
  EXPECT_DOUBLE_EQ(Interpolant(p, Gamma(g)).at(0.5).gamma, 0.25);
  CustomGamma g_bad = g;
  g_bad.gamma = [](double t) { return 0.1 + t; };
  EXPECT_THROW(Gamma{g_bad}, ConfigError);
}

TEST(Interpolant, InvalidPairsAreRejectedWithTheFieldName) {
  auto msg = [](auto f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg([] { Interpolant::from_names("zigzag", "brownian"); }).find("path: unknown path 'zigzag'"),
            std::string::npos);
  EXPECT_NE(msg([] { Interpolant::from_names("linear", "wiggly"); }).find("gamma: unknown gamma"), std::string::npos);
  EXPECT_NE(msg([] { Interpolant::from_names("trig", "a-brownian", 4.5); }).find("trig path needs |gamma(t)| < 1"),
            std::string::npos);
  EXPECT_NE(msg([] { Interpolant::from_names("trig", "sinesquared"); }).find("gamma(0.5) = 1"), std::string::npos);
  EXPECT_NE(msg([] { Interpolant::from_names("one-sided-linear", "brownian"); }).find("gamma: one-sided"),
            std::string::npos);
  EXPECT_NE(msg([] { Interpolant::from_names("mirror", "zero"); }).find("gamma: the mirror path"), std::string::npos);
  EXPECT_NE(msg([] { Interpolant::from_names("linear", "a-brownian", -1.0); }).find("gamma_a"), std::string::npos);
  EXPECT_NE(msg([] { Interpolant::from_names("linear", "a-brownian", std::nan("")); }).find("gamma_a"),
            std::string::npos);
}

}  // namespace
}  // namespace si
