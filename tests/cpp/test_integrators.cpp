#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "si/integrators.hpp"

namespace si {
namespace {

// dx/dt = -t x + J x with J the rotation generator: x(t) = exp(-(t^2 - t0^2)/2) R(t - t0) x(t0),
// R(a) = [[cos a, sin a], [-sin a, cos a]]. Time-dependent, so it also checks where stages sit.
template <typename S>
void rhs(double t, const Mat<S>& x, Mat<S>& dx) {
  dx.row(0) = static_cast<S>(-t) * x.row(0) + x.row(1);
  dx.row(1) = static_cast<S>(-t) * x.row(1) - x.row(0);
}

MatD exact(const MatD& x0, double t0, double t) {
  const double a = t - t0, decay = std::exp(-(t * t - t0 * t0) / 2);
  Eigen::Matrix2d R;
  R << std::cos(a), std::sin(a), -std::sin(a), std::cos(a);
  return decay * R * x0;
}

MatD start() {
  MatD x0(2, 3);
  x0 << 1.0, -0.5, 2.0, 0.5, 1.5, -1.0;
  return x0;
}

double max_err(const MatD& a, const MatD& b) { return (a - b).cwiseAbs().maxCoeff(); }

// Least-squares slope of log(error) against log(h).
double fitted_order(OdeMethod method, const std::vector<int>& steps) {
  const double t0 = 0.0, t1 = 2.0;
  const MatD x0 = start(), truth = exact(x0, t0, t1);
  std::vector<double> lx, ly;
  for (int n : steps) {
    OdeOptions opt;
    opt.method = method;
    opt.steps = n;
    const auto sol = integrate_ode<double>(rhs<double>, x0, t0, t1, opt);
    lx.push_back(std::log((t1 - t0) / n));
    ly.push_back(std::log(max_err(sol.x, truth)));
  }
  const double n = lx.size();
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < lx.size(); ++i) {
    sx += lx[i];
    sy += ly[i];
    sxx += lx[i] * lx[i];
    sxy += lx[i] * ly[i];
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

TEST(Integrators, EulerConvergesAtFirstOrder) {
  const double p = fitted_order(OdeMethod::Euler, {40, 80, 160, 320, 640});
  EXPECT_NEAR(p, 1.0, 0.1);
}

TEST(Integrators, HeunConvergesAtSecondOrder) {
  const double p = fitted_order(OdeMethod::Heun, {20, 40, 80, 160, 320});
  EXPECT_NEAR(p, 2.0, 0.1);
}

TEST(Integrators, Rk4ConvergesAtFourthOrder) {
  const double p = fitted_order(OdeMethod::Rk4, {10, 20, 40, 80, 160});
  EXPECT_NEAR(p, 4.0, 0.15);
}

TEST(Integrators, EveryFixedStepMethodOfTheTableHasItsStatedOrder) {
  // The table's order is what the docs and the page show: it must be the measured one.
  int checked = 0;
  for (const OdeMethodDef* m : ode_methods().entries()) {
    if (m->adaptive) continue;
    SCOPED_TRACE(m->name);
    EXPECT_NEAR(fitted_order(m->value, {20, 40, 80, 160, 320}), m->order, 0.15 * m->order);
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

TEST(Integrators, Dopri5MeetsToleranceAndTakesFewerStepsWhenLooser) {
  const MatD x0 = start(), truth = exact(x0, 0.0, 2.0);
  long prev_steps = 0;
  for (double tol : {1e-10, 1e-8, 1e-6, 1e-4, 1e-3}) {
    OdeOptions opt;
    opt.atol = opt.rtol = tol;
    const auto sol = integrate_ode<double>(rhs<double>, x0, 0.0, 2.0, opt);
    const double err = max_err(sol.x, truth);
    EXPECT_LE(err, 10 * tol) << "tol " << tol;
    if (prev_steps > 0) EXPECT_LT(sol.stats.accepted, prev_steps) << "tol " << tol;
    prev_steps = sol.stats.accepted;
    EXPECT_GE(sol.stats.nfe, 6 * sol.stats.accepted);
  }
}

TEST(Integrators, Dopri5DenseOutputMatchesExactSolution) {
  const MatD x0 = start();
  OdeOptions opt;
  opt.atol = opt.rtol = 1e-9;
  const std::vector<double> times = {0.0, 0.05, 0.37, 0.5, 1.234, 1.9, 2.0};
  const auto sol = integrate_ode<double>(rhs<double>, x0, 0.0, 2.0, opt, times);
  ASSERT_EQ(sol.snapshots.size(), times.size());
  for (std::size_t i = 0; i < times.size(); ++i)
    EXPECT_LE(max_err(sol.snapshots[i], exact(x0, 0.0, times[i])), 1e-8) << "t=" << times[i];
  EXPECT_EQ(max_err(sol.snapshots.back(), sol.x), 0.0);
}

TEST(Integrators, FixedStepSnapshotsLandExactlyOnRequestedTimes) {
  const MatD x0 = start();
  OdeOptions opt;
  opt.method = OdeMethod::Rk4;
  opt.steps = 200;
  // 0.303 is not a grid node: the step crossing it is split.
  const std::vector<double> times = equally_spaced_times(0.0, 2.0, 5);
  const std::vector<double> odd = {0.303, 1.0};
  const auto sol = integrate_ode<double>(rhs<double>, x0, 0.0, 2.0, opt, times);
  const auto sol2 = integrate_ode<double>(rhs<double>, x0, 0.0, 2.0, opt, odd);
  ASSERT_EQ(sol.snapshots.size(), 5u);
  EXPECT_EQ(sol.stats.accepted, 200);
  EXPECT_EQ(sol2.stats.accepted, 201);
  for (std::size_t i = 0; i < times.size(); ++i) EXPECT_LE(max_err(sol.snapshots[i], exact(x0, 0.0, times[i])), 1e-9);
  EXPECT_LE(max_err(sol2.snapshots[0], exact(x0, 0.0, 0.303)), 1e-9);
}

TEST(Integrators, BackwardIntegrationRecoversTheStart) {
  const MatD x0 = start(), x2 = exact(x0, 0.0, 2.0);
  for (OdeMethod m : {OdeMethod::Rk4, OdeMethod::Dopri5}) {
    OdeOptions opt;
    opt.method = m;
    opt.steps = 200;
    opt.atol = opt.rtol = 1e-10;
    const auto sol = integrate_ode<double>(rhs<double>, x2, 2.0, 0.0, opt, {1.5, 0.5});
    EXPECT_LE(max_err(sol.x, x0), 1e-8) << to_name(m);
    EXPECT_LE(max_err(sol.snapshots[0], exact(x0, 0.0, 1.5)), 1e-8) << to_name(m);
    EXPECT_LE(max_err(sol.snapshots[1], exact(x0, 0.0, 0.5)), 1e-8) << to_name(m);
  }
}

TEST(Integrators, FloatInstantiationIsAccurateToSinglePrecision) {
  const MatD x0 = start(), truth = exact(x0, 0.0, 2.0);
  for (OdeMethod m : {OdeMethod::Rk4, OdeMethod::Dopri5}) {
    OdeOptions opt;
    opt.method = m;
    opt.atol = opt.rtol = 1e-5;
    const auto sol = integrate_ode<float>(rhs<float>, x0.cast<float>(), 0.0, 2.0, opt);
    EXPECT_LE(max_err(sol.x.cast<double>(), truth), 1e-4) << to_name(m);
  }
}

TEST(Integrators, ErrorControlCoversAugmentedRows) {
  // Row 2 integrates a fast oscillation that rows 0-1 do not see: a tolerance met only on
  // rows 0-1 would leave its quadrature error far above tol.
  const double tol = 1e-7;
  OdeRhs<double> f = [](double t, const MatD& x, MatD& dx) {
    rhs<double>(t, x.topRows(2), dx);
    dx.conservativeResize(3, x.cols());
    dx.row(2).setConstant(20 * std::cos(20 * t));
  };
  MatD x0 = MatD::Zero(3, 3);
  x0.topRows(2) = start();
  OdeOptions opt;
  opt.atol = opt.rtol = tol;
  const auto sol = integrate_ode<double>(f, x0, 0.0, 2.0, opt);
  EXPECT_LE(std::abs(sol.x(2, 0) - std::sin(40.0)), 10 * tol);
}

TEST(Integrators, NonFiniteStateThrowsNumericalErrorNamingMethodAndTime) {
  OdeRhs<double> f = [](double t, const MatD& x, MatD& dx) {
    dx = x;
    if (t > 0.5) dx(0, 0) = std::numeric_limits<double>::quiet_NaN();
  };
  for (OdeMethod m : {OdeMethod::Euler, OdeMethod::Heun, OdeMethod::Rk4, OdeMethod::Dopri5}) {
    OdeOptions opt;
    opt.method = m;
    try {
      integrate_ode<double>(f, start(), 0.0, 1.0, opt);
      ADD_FAILURE() << "no throw for " << to_name(m);
    } catch (const NumericalError& e) {
      EXPECT_NE(std::string(e.what()).find(to_name(m)), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("t="), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("non-finite"), std::string::npos) << e.what();
    }
  }
}

TEST(Integrators, Dopri5ThrowsWhenMaxStepsExceeded) {
  OdeOptions opt;
  opt.atol = opt.rtol = 1e-12;
  opt.max_steps = 5;
  EXPECT_THROW(integrate_ode<double>(rhs<double>, start(), 0.0, 2.0, opt), NumericalError);
}

TEST(Integrators, InvalidOptionsThrowConfigErrorNamingTheField) {
  OdeOptions opt;
  opt.atol = -1;
  try {
    opt.validate();
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "ode.atol");
  }
  opt = OdeOptions();
  opt.method = OdeMethod::Rk4;
  opt.steps = 0;
  EXPECT_THROW(opt.validate(), ConfigError);
  SdeOptions sopt;
  sopt.sigma = -1;
  EXPECT_THROW(sopt.validate(), ConfigError);
  try {
    ode_method_from_name("rk45");
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "ode.method");
    EXPECT_NE(std::string(e.what()).find("dopri5"), std::string::npos);
  }
  EXPECT_EQ(sde_method_from_name("heun-karras"), SdeMethod::HeunKarras);
  EXPECT_THROW(sde_method_from_name("milstein"), ConfigError);
  EXPECT_THROW(integrate_ode<double>(rhs<double>, start(), 0.0, 1.0, OdeOptions(), {1.5}), ConfigError);
  EXPECT_THROW(integrate_ode<double>(rhs<double>, start(), 0.0, 1.0, OdeOptions(), {0.6, 0.4}), ConfigError);
}

TEST(Integrators, SdeWithZeroNoiseHeunIsSecondOrderAndKarrasVariantFirstOrder) {
  const MatD x0 = start(), truth = exact(x0, 0.0, 2.0);
  auto err = [&](SdeMethod m, int n) {
    SdeOptions opt;
    opt.method = m;
    opt.steps = n;
    opt.sigma = 0.0;
    Rng rng(1);
    return max_err(integrate_sde<double>(rhs<double>, x0, 0.0, 2.0, opt, rng, 2).x, truth);
  };
  EXPECT_NEAR(std::log2(err(SdeMethod::Heun, 100) / err(SdeMethod::Heun, 200)), 2.0, 0.1);
  EXPECT_NEAR(std::log2(err(SdeMethod::Euler, 400) / err(SdeMethod::Euler, 800)), 1.0, 0.1);
  EXPECT_NEAR(std::log2(err(SdeMethod::HeunKarras, 400) / err(SdeMethod::HeunKarras, 800)), 1.0, 0.1);
}

// Ornstein-Uhlenbeck dX = -X dt + sigma dW from X_0 = 1: X_1 ~ N(e^-1, sigma^2 (1 - e^-2) / 2).
// The third row is a noise-free accumulator of int X dt, whose mean is 1 - e^-1.
TEST(Integrators, SdeMomentsMatchOrnsteinUhlenbeck) {
  OdeRhs<double> f = [](double, const MatD& x, MatD& dx) {
    dx.resize(2, x.cols());
    dx.row(0) = -x.row(0);
    dx.row(1) = x.row(0);
  };
  const double sigma = 0.8, mean = std::exp(-1.0), var = sigma * sigma * (1 - std::exp(-2.0)) / 2;
  const int n = 20000;
  for (SdeMethod m : {SdeMethod::Euler, SdeMethod::Heun, SdeMethod::HeunKarras}) {
    MatD x0(2, n);
    x0.row(0).setOnes();
    x0.row(1).setZero();
    SdeOptions opt;
    opt.method = m;
    opt.steps = 200;
    opt.sigma = sigma;
    Rng rng(7);
    const auto sol = integrate_sde<double>(f, x0, 0.0, 1.0, opt, rng, 1, equally_spaced_times(0.0, 1.0, 5));
    const double mu = sol.x.row(0).mean();
    const double v = (sol.x.row(0).array() - mu).square().sum() / (n - 1);
    EXPECT_NEAR(mu, mean, 4 * std::sqrt(var / n) + 0.01) << to_name(m);
    EXPECT_NEAR(v, var, 0.05 * var) << to_name(m);
    EXPECT_NEAR(sol.x.row(1).mean(), 1 - mean, 0.01) << to_name(m);
    ASSERT_EQ(sol.snapshots.size(), 5u);
    EXPECT_EQ(sol.snapshots[0], x0);
    EXPECT_EQ(sol.snapshots[4], sol.x);
    EXPECT_EQ(sol.stats.accepted, 200);
  }
}

TEST(Integrators, SdeBackwardUsesTimeReversedSteps) {
  // dX = -t dt backwards from t = 1 to 0 with no noise: X_0 = X_1 + 1/2.
  OdeRhs<double> f = [](double t, const MatD& x, MatD& dx) { dx.setConstant(x.rows(), x.cols(), -t); };
  SdeOptions opt;
  opt.sigma = 0;
  Rng rng(3);
  const auto sol = integrate_sde<double>(f, MatD::Zero(2, 4), 1.0, 0.0, opt, rng, 2);
  EXPECT_NEAR(sol.x(0, 0), 0.5, 1e-12);
}

}  // namespace
}  // namespace si
