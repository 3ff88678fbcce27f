// The figures of SPEC 10 against truth: 1-D exact fields, the marginals of ODE and SDE paths
// against the exact rho_t, the likelihoods of figure D against log rho1, figure E's KL estimates.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "si/figures.hpp"
#include "si/metrics.hpp"

namespace si {
namespace {

// Every interpolant of figures A-C.
std::vector<InterpolantSpec> one_d_interpolants() {
  return {InterpolantSpec::named("trig", "zero"),
          InterpolantSpec::named("trig", "brownian"),
          InterpolantSpec::named("encoding-decoding", "sinesquared"),
          InterpolantSpec::named("encoding-decoding", "brownian"),
          InterpolantSpec::named("linear", "brownian"),
          InterpolantSpec::named("linear", "zero")};
}

TEST(Figures, PaperMixturesAndTypedMixtures) {
  const GaussianMixture r1 = paper_rho1_1d();
  ASSERT_EQ(r1.components(), 3);
  EXPECT_DOUBLE_EQ(r1.covs()[1](0, 0), 0.33);
  const GaussianMixture typed = mixture_from_text("1/3 N(-6, 0.5) + 1/3*N(0, 0.33) + 1/3 N(6, 1/2)", "rho1");
  const MatD x = VecD::LinSpaced(41, -10, 10).transpose();
  EXPECT_LE((typed.log_density(x) - r1.log_density(x)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(mixture_from_text("N(-1, 2) + N(1, 2)", "rho0").weights()[0], 0.5);
  EXPECT_EQ(mixture_label(paper_rho0_1d()), "0.5 N(-3, 0.25) + 0.5 N(3, 0.25)");
  EXPECT_EQ(mixture_from_text(R"({"type": "gmm", "means": [[1]], "covs": [[[2]]]})", "rho0").dim(), 1);
  auto message = [](const std::string& text) {
    try {
      mixture_from_text(text, "--rho0");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(message("1/2 N(0, 1) + N(1, 1)").rfind("--rho0: give every component a weight, or none", 0), 0u);
  EXPECT_EQ(message("1/2 M(0, 1)").rfind("--rho0: term '1/2 M(0, 1)' (at position 1): expected [weight] N(mean", 0),
            0u);
  EXPECT_EQ(message("N(0, -1)").rfind("--rho0: term 'N(0, -1)' (at position 1): the variance must be positive", 0), 0u);
  EXPECT_EQ(message("0.3 N(0, 1) + 0.3 N(1, 1)").rfind("--rho0.weights: weights must sum to 1", 0), 0u);
  EXPECT_NE(message("N(0, 1, 2)").find("N(...) takes a mean and a variance"), std::string::npos);
  EXPECT_NE(message("N(x, 1)").find("unknown name 'x'"), std::string::npos);
}

// 1-D exact fields: rho_t integrates to 1, s = d/dx log rho_t, d rho_t/dt + d(b rho_t)/dx = 0.
TEST(Figures, OneDimensionalExactFieldsAreADensityItsScoreAndItsFlow) {
  const VecD x = VecD::LinSpaced(30001, -16, 16);
  const double dx = x(1) - x(0);
  for (const InterpolantSpec& spec : one_d_interpolants()) {
    SCOPED_TRACE(spec.label());
    const GmmFields f(paper_rho0_1d(), paper_rho1_1d(), spec.build());
    for (double t : {0.0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0}) {
      const MatD row = density_grid(f, {t}, x);
      const VecD p = row.row(0).transpose();
      const double mass = dx * (p.sum() - 0.5 * (p(0) + p(p.size() - 1)));  // trapezoid
      EXPECT_NEAR(mass, 1.0, 1e-6) << "t = " << t;
      const MatD pts = VecD::LinSpaced(60, -9, 9).transpose();
      const double h = 1e-5;
      const VecD fd = (f.log_density(t, pts.array() + h) - f.log_density(t, pts.array() - h)) / (2 * h);
      const MatD s = f.s(t, pts);
      for (Eigen::Index j = 0; j < pts.cols(); ++j)
        EXPECT_NEAR(s(0, j), fd(j), 1e-6 * std::max(1.0, std::abs(fd(j)))) << "t = " << t << ", x = " << pts(0, j);
      if (t == 0.0 || t == 1.0 || (spec.path == "encoding-decoding" && t == 0.5)) continue;  // one-sided or a kink
      // The continuity equation, by finite differences of rho_t and b rho_t.
      const double ht = 1e-5;
      const VecD dp_dt =
          ((f.log_density(t + ht, pts).array().exp() - f.log_density(t - ht, pts).array().exp()) / (2 * ht)).matrix();
      auto flux = [&](double shift) {
        const MatD y = pts.array() + shift;
        return VecD(f.b(t, y).row(0).transpose().cwiseProduct(f.log_density(t, y).array().exp().matrix()));
      };
      const VecD dflux = (flux(h) - flux(-h)) / (2 * h);
      for (Eigen::Index j = 0; j < pts.cols(); ++j) {
        const double size = 1e-3 + std::abs(dp_dt(j)) + std::abs(dflux(j));
        EXPECT_LE(std::abs(dp_dt(j) + dflux(j)) / size, 1e-5) << "t = " << t << ", x = " << pts(0, j);
      }
    }
  }
}

TEST(Figures, DensityFigureHasTheRowsTimesAndEnds) {
  const DensityFigure fig = density_figure(DensityFigureOptions{});
  ASSERT_EQ(fig.rows.size(), 3u);
  ASSERT_EQ(fig.x.size(), 150);
  const MatD x = fig.x.transpose();
  const VecD p0 = paper_rho0_1d().log_density(x).array().exp(), p1 = paper_rho1_1d().log_density(x).array().exp();
  for (const DensityRow& row : fig.rows) {
    ASSERT_EQ(row.curves.size(), 5u);
    EXPECT_LE((row.curves.front() - p0).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LE((row.curves.back() - p1).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_EQ(row.heat.rows(), 101);
    EXPECT_LE((row.heat.row(50).transpose() - row.curves[2]).cwiseAbs().maxCoeff(), 1e-12);  // t = 1/2
  }
  // Encoding-decoding passes through pure noise N(0, gamma^2) = N(0, 1) at t = 1/2.
  const VecD noise = (-0.5 * fig.x.array().square()).exp() / std::sqrt(2 * M_PI);
  EXPECT_LE((fig.rows[2].curves[2] - noise).cwiseAbs().maxCoeff(), 1e-12);
}

// The level of every Kolmogorov-Smirnov check: 1e-3 per (panel, time), so over the 45 checks of
// figure B the chance of a false alarm with correct samplers is below 5%; the seeds are fixed.
constexpr double kLevel = 1e-3;

void expect_marginals_match(const PathFigure& fig, const std::string& what) {
  double worst = 1;
  for (const PathPanel& p : fig.panels)
    for (const Marginal& m : p.marginals) {
      EXPECT_GT(m.p_value, kLevel) << what << ": " << p.interpolant.label() << ", eps " << p.eps << ", t " << m.t
                                   << ": KS " << m.ks;
      worst = std::min(worst, m.p_value);
      // The histogram is a density estimate of the same rho_t: the mean absolute gap is small.
      EXPECT_LE((m.density - m.exact).cwiseAbs().mean(), 0.02) << what << ", t " << m.t;
    }
  std::printf("  [measured] %s: %zu panels x %zu times, smallest KS p-value %.3g (level %.0e)\n", what.c_str(),
              fig.panels.size(), fig.panels[0].marginals.size(), worst, kLevel);
}

TEST(Figures, TrajectoryMarginalsMatchTheExactDensityForEveryEps) {
  const TrajectoryFigureOptions o;  // 2,500 paths, 200 steps, eps 0, 0.5, 5, three interpolants
  const PathFigure fig = trajectory_figure(o);
  ASSERT_EQ(fig.panels.size(), 9u);
  EXPECT_EQ(fig.at(0, 0).x.rows(), 201);
  EXPECT_EQ(fig.at(0, 0).x.cols(), 2500);
  // Every panel starts from the same draw.
  for (const PathPanel& p : fig.panels) EXPECT_EQ(p.x.row(0), fig.at(0, 0).x.row(0));
  expect_marginals_match(fig, "figure B");
  // The check has power: the SDE samples at t = 1 are not distributed as rho_{1/2}.
  const GmmFields f(o.rho0, o.rho1, o.interpolants[1].build());
  const GaussianMixture half = marginal_mixture(f, 0.5);
  const VecD end = fig.at(2, 1).x.row(200).transpose();
  EXPECT_LT(ks_p_value(ks_statistic(end, [&](double x) { return mixture_cdf_1d(half, x); }), end.size()), 1e-6);
  // Larger eps mixes more: paths cross between the modes, so x(1) depends less on x(0).
  auto correlation = [](const PathPanel& p) {
    const VecD a = p.x.row(0).transpose(), b = p.x.row(p.x.rows() - 1).transpose();
    const VecD ca = a.array() - a.mean(), cb = b.array() - b.mean();
    return ca.dot(cb) / std::sqrt(ca.squaredNorm() * cb.squaredNorm());
  };
  EXPECT_GT(correlation(fig.at(0, 1)), correlation(fig.at(2, 1)) + 0.2);
}

TEST(Figures, ATrajectoryRowDoesNotDependOnTheOtherRows) {
  TrajectoryFigureOptions o;
  o.paths = 50;
  o.steps = 20;
  o.eps = {0, 0.5, 5};
  const PathFigure all = trajectory_figure(o);
  o.eps = {5};
  const PathFigure one = trajectory_figure(o);
  for (int c = 0; c < all.cols; ++c) EXPECT_EQ(all.at(2, c).x, one.at(0, c).x);
  // Two columns, or two noise levels, do not share their noise.
  EXPECT_NE(all.at(1, 1).x.row(20), all.at(2, 1).x.row(20));
}

TEST(Figures, OptionReadersTakeTheSpecDefaultsAndNameBadOptions) {
  const DensityFigureOptions a = read_density_figure_options(nlohmann::json::object());
  EXPECT_EQ(a.x.n, 150);
  EXPECT_EQ(a.interpolants.size(), 3u);
  const TrajectoryFigureOptions b =
      read_trajectory_figure_options({{"eps", 2}, {"interpolants", {"linear/brownian", {{"path", "trig"}}}}});
  EXPECT_EQ(b.eps, std::vector<double>{2});
  EXPECT_EQ(b.interpolants.at(1).path, "trig");
  EXPECT_EQ(b.paths, 2500);
  const GammaFigureOptions c = read_gamma_figure_options({{"rho0", "N(0, 1)"}});
  EXPECT_EQ(c.rho0.components(), 1);
  EXPECT_EQ(c.paths, 5000);
  const LikelihoodFigureOptions d = read_likelihood_figure_options({{"components", 4}});
  EXPECT_EQ(d.components1, 4);
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([] { read_density_figure_options({{"bins", 3}}); }).rfind("bins: unknown option 'bins'", 0), 0u);
  EXPECT_EQ(message([] {
              read_trajectory_figure_options({{"times", {0.5, -1}}});
            }),
            "times[1]: must be a number in [0, 1], got -1");
  EXPECT_EQ(
      message([] {
        read_density_figure_options({{"interpolants", {{{"path", "custom"}, {"alpha", "1-t"}, {"beta", "t*t*"}}}}});
      }).rfind("interpolants[0].beta: ", 0),
      0u);
  EXPECT_NE(message([] {
              read_likelihood_figure_options({{"dim", 4096}, {"components", 10000}});
            }).find("components: "),
            std::string::npos);
}

TEST(Figures, GammaFigureMarginalsMatchTheirOwnExactDensities) {
  const GammaFigureOptions o;  // 5,000 paths, 100 steps, SDE eps = 5, ODE, ODE with gamma = 0
  const PathFigure fig = gamma_figure(o);
  ASSERT_EQ(fig.panels.size(), 3u);
  EXPECT_EQ(fig.panels[2].interpolant.gamma, "zero");
  expect_marginals_match(fig, "figure C");
  // gamma = 0 has other marginals than gamma = sqrt(t (1 - t)): the test tells them apart.
  const GmmFields brownian(o.rho0, o.rho1, o.interpolant.build());
  const GaussianMixture half = marginal_mixture(brownian, 0.5);
  const VecD mid = fig.panels[2].x.row(50).transpose();
  EXPECT_LT(ks_p_value(ks_statistic(mid, [&](double x) { return mixture_cdf_1d(half, x); }), mid.size()), 1e-6);
}

TEST(Figures, LikelihoodColouredSamplesMatchTheExactLogDensity) {
  LikelihoodFigureOptions o;
  o.n = 3000;  // the figure's 10,000 take a few seconds more; the estimators are the same
  const LikelihoodFigure fig = likelihood_figure(o);
  ASSERT_EQ(fig.panels.size(), 3u);
  EXPECT_EQ(fig.rho0.components(), 1);
  EXPECT_EQ(fig.rho1.components(), 3);
  const ColouredPoints &target = fig.panels[0], &sde = fig.panels[1], &ode = fig.panels[2];
  EXPECT_EQ(target.logp, target.exact);
  // SDE likelihood of the SDE samples: the mean error within 3 standard errors of the mean.
  const VecD err = sde.logp - sde.exact;
  const double se = std::sqrt(sde.std_error.squaredNorm()) / double(err.size());
  std::printf(
      "  [measured] figure D: SDE likelihood mean error %.4f (SE %.4f, mean per-point SE %.3f); ODE max "
      "error %.2e; colour scale [%.2f, %.2f]\n",
      err.mean(), se, sde.std_error.mean(), (ode.logp - ode.exact).cwiseAbs().maxCoeff(), fig.lo, fig.hi);
  EXPECT_LE(std::abs(err.mean()), 3 * se);
  EXPECT_LE((ode.logp - ode.exact).cwiseAbs().maxCoeff(), 1e-3);
  // The samplers' points follow rho1 (their mean log-density is the target's, within a few SE).
  EXPECT_NEAR(sde.exact.mean(), target.exact.mean(), 5 * standard_error(target.exact));
  EXPECT_NEAR(ode.exact.mean(), target.exact.mean(), 5 * standard_error(target.exact));
  double lo = 1e300, hi = -1e300;
  for (const auto& p : fig.panels) {
    lo = std::min(lo, p.logp.minCoeff());
    hi = std::max(hi, p.logp.maxCoeff());
  }
  EXPECT_DOUBLE_EQ(fig.lo, 0.9 * lo);
  EXPECT_DOUBLE_EQ(fig.hi, 0.9 * hi);
}

HighDimOptions short_high_dim() {
  HighDimOptions o;
  o.dim = 4;
  o.steps = 400;
  o.every = 100;
  o.batch = 256;
  o.hidden = {64, 64};
  o.lr = 3e-3;
  o.kl_points = 300;
  o.ode_steps = 20;
  o.sde_steps = 20;
  o.sde_paths = 3;
  return o;
}

TEST(Figures, HighDimensionalKlOfTheExactFieldsIsZeroAndTheLearnedOneFalls) {
  const HighDimOptions o = short_high_dim();
  const HighDimResult r = high_dim_experiment(o);
  ASSERT_EQ(r.records.size(), 5u);
  for (const HighDimRecord& rec : r.records)
    std::printf("  [measured] step %4lld: KL ODE %.3f +- %.3f, SDE %.3f +- %.3f; errors v %.3f, s %.3f\n",
                (long long)rec.step, rec.kl_ode, rec.kl_ode_se, rec.kl_sde, rec.kl_sde_se, rec.err_v, rec.err_s);
  std::printf("  [measured] exact fields: KL ODE %.2e +- %.1e, SDE %.2e +- %.1e\n", r.exact_kl_ode, r.exact_kl_ode_se,
              r.exact_kl_sde, r.exact_kl_sde_se);
  // Exact fields: the ODE likelihood (exact divergence) is exact up to RK4's error, the SDE
  // likelihood unbiased: their KLs are 0 within their standard errors (or 1e-3 of discretisation).
  EXPECT_LE(std::abs(r.exact_kl_ode), std::max(3 * r.exact_kl_ode_se, 1e-3));
  EXPECT_LE(std::abs(r.exact_kl_sde), 3 * r.exact_kl_sde_se + 1e-3);
  // The learned model improves: KLs and field errors fall well beyond their noise.
  const HighDimRecord &first = r.records.front(), &last = r.records.back();
  EXPECT_GT(first.kl_ode - last.kl_ode, 3 * (first.kl_ode_se + last.kl_ode_se));
  EXPECT_GT(first.kl_sde - last.kl_sde, 3 * (first.kl_sde_se + last.kl_sde_se));
  EXPECT_LT(last.err_v, 0.7 * first.err_v);
  EXPECT_LT(last.err_s, 0.7 * first.err_s);
  EXPECT_GT(r.train_seconds, 0.0);
}

TEST(Figures, HighDimensionalKlWithHutchinsonProbesIsZeroForExactFields) {
  // The same estimator the learned model uses at d = 400, on the exact fields at d = 4.
  HighDimOptions o = short_high_dim();
  const GmmFields f(paper_random_mixture(4, 2, 0), paper_random_mixture(4, 3, 1), o.interpolant.build());
  Rng rng(3);
  const MatD x = f.rho1().sample(300, rng);
  const VecD exact = f.rho1().log_density(x);
  OdeSamplerOptions ode;
  ode.method = OdeMethod::Rk4;
  ode.steps = 20;
  ode.divergence = Divergence::Hutchinson;
  ode.probes = 2;
  const KlEstimate kl = kl_estimate(exact, ode_log_likelihood(f, f.rho0(), x, ode).logp);
  std::printf("  [measured] exact fields, hutchinson ODE likelihood: KL %.4f +- %.4f\n", kl.kl, kl.se);
  EXPECT_GT(kl.se, 1e-3);
  EXPECT_LE(std::abs(kl.kl), 3 * kl.se);
}

}  // namespace
}  // namespace si
