#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "si/config.hpp"
#include "si/figures.hpp"
#include "si/formula.hpp"
#include "si/gmm_fields.hpp"
#include "si/session.hpp"

namespace si {
namespace {

using nlohmann::json;
constexpr double kPi = 3.14159265358979323846;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Formula, EvaluatesWithThePrecedenceOfTheGrammar) {
  const std::vector<std::tuple<std::string, double, double>> cases = {{"1 - 2 - 3", 0, -4},
                                                                      {"8 / 2 / 2", 0, 2},
                                                                      {"2 ^ 3 ^ 2", 0, 512},
                                                                      {"-t^2", 2, -4},
                                                                      {"2 * -3", 0, -6},
                                                                      {"(1 + t) * 2", 3, 8},
                                                                      {"pi", 0, kPi},
                                                                      {".5e1 + 1E-1", 0, 5.1},
                                                                      {"sqrt(4) + exp(0)", 0, 3},
                                                                      {"log(exp(2))", 0, 2},
                                                                      {"cos(pi) + sin(0)", 0, -1},
                                                                      {"tan(pi / 4)", 0, 1},
                                                                      {"  t  ", 0.25, 0.25},
                                                                      {"+t", 0.5, 0.5},
                                                                      {"2^-1", 0, 0.5}};
  for (const auto& [text, t, want] : cases) EXPECT_NEAR(Formula::parse(text)(t), want, 1e-12) << text;
}

TEST(Formula, ParseErrorsNameTheFieldAndThePosition) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cos(pi*t/2", "alpha: 'cos(pi*t/2' at position 11: expected ')' to close 'cos(' at position 4"},
      {"2*x", "alpha: '2*x' at position 3: unknown name 'x'; allowed: t, pi, sqrt, exp, log, sin, cos, tan"},
      {"", "alpha: '' at position 1: the formula is empty"},
      {"1 +", "alpha: '1 +' at position 4: expected a number, t, pi, a function or '(', got the end"},
      {"sin t", "alpha: 'sin t' at position 5: expected '(' after the function 'sin'"},
      {"t t", "alpha: 't t' at position 3: unexpected 't'"},
      {"(1 - t", "alpha: '(1 - t' at position 7: expected ')' to close the '(' at position 1"},
      {"3e", "alpha: '3e' at position 2: expected the exponent's digits"},
      {"1 * ) ", "alpha: '1 * ) ' at position 5: expected a number, t, pi, a function or '(', got ')'"},
      {"t # 2", "alpha: 't # 2' at position 3: unexpected '#'"}};
  for (const auto& [text, want] : cases) {
    const std::string got = error_of([&text = text] { Formula::parse(text, "alpha"); });
    EXPECT_EQ(got.rfind(want, 0), 0u) << "for '" << text << "' got: " << got;
  }
}

TEST(Formula, DualDerivativesMatchFiniteDifferences) {
  const std::vector<std::string> formulas = {"cos(pi*t/2)",
                                             "sqrt(2*t*(1-t))",
                                             "exp(-t^2)*log(1+t)",
                                             "tan(t/2)/(1+t)",
                                             "t^t",
                                             "2^t",
                                             "sin(pi*t)^2",
                                             "-(1-t)^3 + 4*t",
                                             "1/(2 + sin(3*t))",
                                             "sqrt(1-t*(1-t))*sin(pi*t/2)",
                                             "log(2+t)^(1+t)",
                                             "(1 - t) * t / (1 + t^2)"};
  const double h = 1e-6;
  for (const auto& text : formulas) {
    const Formula f = Formula::parse(text);
    for (double t : {0.05, 0.2, 0.37, 0.5, 0.81, 0.95}) {
      const double fd = (f(t + h) - f(t - h)) / (2 * h);
      EXPECT_NEAR(f.eval(t).d, fd, 1e-7 * (1 + std::abs(fd))) << text << " at t = " << t;
    }
  }
}

TEST(Formula, SquaredKeepsGammaGammaPrimeFiniteWhereGammaPrimeIsNot) {
  const Formula g = Formula::parse("sqrt(2*t*(1-t))");
  EXPECT_FALSE(std::isfinite(g.eval(0).d));  // the derivative of sqrt at 0
  const Formula g2 = g.squared();
  for (double t : {0.0, 0.1, 0.5, 0.9, 1.0}) {
    EXPECT_NEAR(g2(t), 2 * t * (1 - t), 1e-14);
    EXPECT_NEAR(g2.eval(t).d / 2, 1 - 2 * t, 1e-14) << "gamma gamma' at t = " << t;
  }
  // The rewrite rules keep the value: (a b)^2, (a / b)^2, (a^p)^2, (-a)^2, exp(u)^2.
  for (const std::string text : {"-t*sqrt(1-t)/(1+t)", "exp(t)*t^1.5", "(1-t)*t", "sin(t)+1"}) {
    const Formula f = Formula::parse(text), f2 = f.squared();
    for (double t : {0.1, 0.6}) {
      EXPECT_NEAR(f2(t), f(t) * f(t), 1e-13) << text;
      EXPECT_NEAR(f2.eval(t).d, 2 * f(t) * f.eval(t).d, 1e-12) << text;
    }
  }
}

TEST(Formula, CustomGammaHasExactDerivativeAndProductAtTheEnds) {
  const CustomGamma g = formula_gamma("sqrt(2*t*(1-t))");
  const Gamma gamma(g);
  EXPECT_DOUBLE_EQ(gamma.product(0.0), 1.0);
  EXPECT_DOUBLE_EQ(gamma.product(1.0), -1.0);
  const double h = 1e-6;
  for (double t : {0.1, 0.3, 0.7}) {
    EXPECT_NEAR(gamma.deriv(t), (gamma(t + h) - gamma(t - h)) / (2 * h), 1e-7);
    EXPECT_NEAR(gamma.product(t), gamma(t) * gamma.deriv(t), 1e-12);
  }
  // A gamma whose product has no finite limit the duals can find is refused, not guessed.
  EXPECT_NE(error_of([] {
              formula_gamma("sin(sqrt(t*(1-t)))", "gamma_expr");
            }).find("gamma_expr: 'sin(sqrt(t*(1-t)))': gamma gamma' is not finite at t = 0"),
            std::string::npos);
}

// A formula path that spells a built-in one gives the same coefficients and the same exact fields.
void expect_same_interpolant(const Interpolant& a, const Interpolant& b) {
  for (int k = 0; k <= 100; ++k) {
    const double t = k / 100.0;
    const Coefficients x = a.at(t), y = b.at(t);
    EXPECT_NEAR(x.alpha, y.alpha, 1e-12) << t;
    EXPECT_NEAR(x.beta, y.beta, 1e-12) << t;
    EXPECT_NEAR(x.dalpha, y.dalpha, 1e-9) << t;
    EXPECT_NEAR(x.dbeta, y.dbeta, 1e-9) << t;
    EXPECT_NEAR(x.gamma, y.gamma, 1e-12) << t;
    EXPECT_NEAR(x.gamma_dgamma, y.gamma_dgamma, 1e-12) << t;
  }
  for (bool one_d : {true, false}) {
    const GaussianMixture r0 = one_d ? paper_rho0_1d() : paper_random_mixture(2, 2, 5);
    const GaussianMixture r1 = one_d ? paper_rho1_1d() : paper_random_mixture(2, 3, 6);
    const GmmFields fa(r0, r1, a), fb(r0, r1, b);
    Rng rng(3);
    for (double t : {0.0, 0.2, 0.5, 0.8, 1.0}) {
      const MatD x = fa.sample_xt(t, 50, rng);
      const GmmFieldValues u = fa.eval(t, x), v = fb.eval(t, x);
      EXPECT_LE((u.b - v.b).cwiseAbs().maxCoeff(), 1e-8 * (1 + v.b.cwiseAbs().maxCoeff())) << t;
      EXPECT_LE((u.s - v.s).cwiseAbs().maxCoeff(), 1e-8 * (1 + v.s.cwiseAbs().maxCoeff())) << t;
      EXPECT_LE((u.logp - v.logp).cwiseAbs().maxCoeff(), 1e-10) << t;
      EXPECT_LE((u.div_b - v.div_b).cwiseAbs().maxCoeff(), 1e-8 * (1 + v.div_b.cwiseAbs().maxCoeff())) << t;
    }
  }
}

TEST(Formula, TrigPathAsFormulasGivesTheBuiltInExactFields) {
  InterpolantSpec spec{
      "custom", "custom", 1.0, "sqrt(1 - t*(1-t)) * cos(pi*t/2)", "sqrt(1 - t*(1-t)) * sin(pi*t/2)", "sqrt(t*(1-t))"};
  expect_same_interpolant(spec.build(), Interpolant::from_names("trig", "brownian"));
  // gamma = 0: alpha and beta alone.
  spec = InterpolantSpec{"custom", "zero", 1.0, "cos(pi*t/2)", "sin(pi*t/2)", ""};
  expect_same_interpolant(spec.build(), Interpolant::from_names("trig", "zero"));
  // A built-in path with a formula gamma: linear with sin^2(pi t).
  spec = InterpolantSpec{"linear", "custom", 1.0, "", "", "sin(pi*t)^2"};
  expect_same_interpolant(spec.build(), Interpolant::from_names("linear", "sinesquared"));
}

TEST(Formula, ConfigsTakeFormulaInterpolantsAndNameTheBadField) {
  const json good = {
      {"base", {{"type", "gaussian"}}},
      {"target", {{"type", "gmm"}, {"means", {{2, 0}, {-2, 1}}}, {"covs", {{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}}}}},
      {"interpolant",
       {{"path", "custom"},
        {"alpha", "cos(pi*t/2)"},
        {"beta", "sin(pi*t/2)"},
        {"gamma", "custom"},
        {"gamma_expr", "sqrt(2*t*(1-t))"}}},
      {"network", {{"hidden", {16}}}},
      {"training", {{"batch", 64}}}};
  const TrainingConfig c = TrainingConfig::from_json(good);
  EXPECT_EQ(c.interpolant().path_name(), "custom");
  EXPECT_EQ(c.interpolant().gamma().name(), "custom");
  EXPECT_EQ(TrainingConfig::from_json(c.to_json()).to_json(), c.to_json());  // formulas survive a round trip
  // Training and the model file work with it.
  TrainingSession session(c);
  session.step(3);
  const Model m = Model::from_json(session.model().to_json());
  EXPECT_EQ(m.interpolant().path_name(), "custom");
  // Exact fields of the config.
  EXPECT_NO_THROW(GmmFields::from_config(c).eval(0.5, MatD::Zero(2, 3)));

  auto bad = [&](const json& interp) {
    json j = good;
    j["interpolant"] = interp;
    return error_of([&] { TrainingConfig::from_json(j); });
  };
  auto starts = [](const std::string& msg, const std::string& want) { EXPECT_EQ(msg.rfind(want, 0), 0u) << msg; };
  starts(bad({{"path", "custom"}, {"alpha", "cos(pi*t/2"}, {"beta", "t"}}),
         "interpolant.alpha: 'cos(pi*t/2' at position 11: expected ')'");
  starts(bad({{"path", "custom"}, {"alpha", "1-t"}, {"beta", "t*y"}}), "interpolant.beta: 't*y' at position 3");
  starts(bad({{"path", "custom"}, {"alpha", "1-t/2"}, {"beta", "t"}}),
         "interpolant.alpha: '1-t/2' must be 1 at t = 0 and 0 at t = 1 (a path runs from x0 to x1), got alpha(0) = "
         "1, alpha(1) = 0.5");
  starts(bad({{"path", "custom"}, {"alpha", "1-t"}}), "interpolant.beta: required");
  starts(bad({{"path", "custom"}, {"alpha", "1-t"}, {"beta", "sqrt(t)"}}),
         "interpolant.beta: 'sqrt(t)': the derivative of beta at t = 0 is inf");
  starts(bad({{"path", "custom"}, {"alpha", "1-t"}, {"beta", "t"}, {"gamma", "custom"}, {"gamma_expr", "t"}}),
         "interpolant.gamma_expr: 't' must vanish at both ends, got gamma(0) = 0, gamma(1) = 1");
  starts(bad({{"path", "custom"}, {"alpha", "1-t"}, {"beta", "t"}, {"gamma", "custom"}}),
         "interpolant.gamma_expr: required");
  starts(bad({{"path", "linear"}, {"alpha", "1-t"}}), "interpolant.alpha: applies to path 'custom' only");
  starts(bad({{"path", "linear"}, {"gamma_expr", "t*(1-t)"}}), "interpolant.gamma_expr: applies to gamma 'custom'");
  starts(bad({{"path", "zigzag"}}), "interpolant.path: unknown path 'zigzag'; allowed: linear, trig");
  starts(bad({{"path", "linear"}, {"gamma", "wiggly"}}), "interpolant.gamma: unknown gamma 'wiggly'");
  // The trig path needs |gamma| < 1, a formula gamma too.
  starts(bad({{"path", "trig"}, {"gamma", "custom"}, {"gamma_expr", "5*t*(1-t)"}}),
         "interpolant.gamma: the trig path needs |gamma(t)| < 1");
  starts(bad({{"path", "custom"}, {"alpha", "1-t"}, {"beta", "t"}, {"gamma", "custom"}, {"gamma_expr", "log(t)"}}),
         "interpolant.gamma_expr: 'log(t)': gamma(0) = -inf is not finite");
}

TEST(Formula, InterpolantSpecParsesNamesPairsAndJson) {
  EXPECT_EQ(InterpolantSpec::parse("trig", "--interpolant").build().path_name(), "trig");
  const InterpolantSpec s = InterpolantSpec::parse("encoding-decoding/sinesquared", "--interpolant");
  EXPECT_EQ(s.build().gamma().name(), "sinesquared");
  EXPECT_EQ(s.label(), "encoding-decoding, gamma = sin^2(pi t)");
  const InterpolantSpec c = InterpolantSpec::parse(
      R"j({"path": "custom", "alpha": "1-t", "beta": "t", "gamma": "custom", "gamma_expr": "t*(1-t)"})j",
      "--interpolant");
  EXPECT_EQ(c.label(), "alpha = 1-t, beta = t, gamma = t*(1-t)");
  EXPECT_EQ(error_of([] {
              InterpolantSpec::parse("linear/wiggly", "--interpolant");
            }).rfind("--interpolant.gamma: unknown gamma 'wiggly'", 0),
            0u);
  EXPECT_EQ(error_of([] {
              InterpolantSpec::parse(R"j({"path": "linear", "x": 1})j", "--interpolant");
            }).rfind("--interpolant.x: unknown field 'x'", 0),
            0u);
}

}  // namespace
}  // namespace si
