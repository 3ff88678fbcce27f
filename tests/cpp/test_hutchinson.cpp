// Jacobian-vector products (Mlp, GmmFields, Model) and Hutchinson's divergence estimator against
// the exact divergences: closed form for the mixtures, d forward tangents for networks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "si/figures.hpp"
#include "si/gmm_fields.hpp"
#include "si/mlp.hpp"
#include "si/samplers.hpp"
#include "si/session.hpp"

namespace si {
namespace {

GmmFields mixture_fields(int d) {
  return GmmFields(paper_random_mixture(d, 2, 11), paper_random_mixture(d, 3, 12),
                   Interpolant::from_names("linear", "brownian"));
}

// e (d x n) with +-1 entries.
MatD rademacher(Eigen::Index d, Eigen::Index n, Rng& rng) {
  MatD e(d, n);
  for (Eigen::Index i = 0; i < e.size(); ++i) e.data()[i] = rng.uniform() < 0.5 ? -1.0 : 1.0;
  return e;
}

// The divergence as the trace of d unit-vector Jacobian-vector products: forward mode done by hand.
template <typename F>
VecD trace_by_tangents(Eigen::Index d, Eigen::Index n, const F& jvp) {
  VecD tr = VecD::Zero(n);
  for (Eigen::Index k = 0; k < d; ++k) {
    MatD e = MatD::Zero(d, n);
    e.row(k).setOnes();
    tr += jvp(e).row(k).transpose();
  }
  return tr;
}

// Mean of `probes` Hutchinson estimates e . J e per point and its standard error; jvp(X, E) gives
// J E at the points X (the n points repeated `probes` times, so one call serves every probe).
template <typename F>
std::pair<VecD, VecD> hutchinson_mean(Eigen::Index d, const MatD& x, int probes, std::uint64_t seed, const F& jvp) {
  const Eigen::Index n = x.cols();
  Rng rng(seed);
  const MatD e = rademacher(d, n * probes, rng);
  const RowVec<double> all = e.cwiseProduct(jvp(MatD(x.replicate(1, probes)), e)).colwise().sum();
  const MatD q = Eigen::Map<const MatD>(all.data(), n, probes).transpose();
  const VecD mean = q.colwise().mean().transpose();
  const VecD se = ((q.rowwise() - mean.transpose()).colwise().squaredNorm() / (probes - 1) / probes).cwiseSqrt();
  return {mean, se};
}

// The mean error over the points in units of its standard error.
double pooled_z(const VecD& err, const VecD& se) { return err.sum() / std::sqrt(se.squaredNorm()); }

TEST(Jvp, MlpForwardTangentMatchesFiniteDifferencesAndItsTraceTheDivergence) {
  MlpShape shape;
  shape.in = 6;
  shape.out = 5;
  shape.hidden = {16, 12};
  shape.activation = Activation::Tanh;
  Mlp<double> m(shape);
  Rng rng(1);
  m.init(rng);
  const MatD X = rng.normal_matrix<double>(6, 7), E = rng.normal_matrix<double>(5, 7);
  MatD jvp;
  const MatD y = m.eval_with_jvp(X, E, jvp);
  EXPECT_LE((y - m.eval(X)).cwiseAbs().maxCoeff(), 1e-14);
  const double h = 1e-6;
  MatD Xp = X, Xm = X;
  Xp.bottomRows(5) += h * E;
  Xm.bottomRows(5) -= h * E;
  const MatD fd = (m.eval(Xp) - m.eval(Xm)) / (2 * h);
  EXPECT_LE((jvp - fd).cwiseAbs().maxCoeff(), 1e-8);
  VecD div;
  m.eval_with_divergence(X, div);
  const VecD tr = trace_by_tangents(5, 7, [&](const MatD& e) {
    MatD j;
    m.eval_with_jvp(X, e, j);
    return j;
  });
  EXPECT_LE((tr - div).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(Jvp, MixtureJacobianVectorProductsMatchFiniteDifferencesAndTheirTracesTheClosedForms) {
  const GmmFields f = mixture_fields(3);
  Rng rng(2);
  for (double t : {0.0, 0.3, 0.7, 1.0}) {
    const MatD x = f.sample_xt(t, 9, rng), e = rng.normal_matrix<double>(3, 9);
    MatD b, jb, s, js;
    f.drift_jvp(t, x, e, b, jb);
    f.score_jvp(t, x, e, s, js);
    const double h = 1e-6;
    const MatD fdb = (f.b(t, x + h * e) - f.b(t, x - h * e)) / (2 * h);
    const MatD fds = (f.s(t, x + h * e) - f.s(t, x - h * e)) / (2 * h);
    EXPECT_LE((jb - fdb).cwiseAbs().maxCoeff(), 1e-6 * (1 + fdb.cwiseAbs().maxCoeff())) << t;
    EXPECT_LE((js - fds).cwiseAbs().maxCoeff(), 1e-6 * (1 + fds.cwiseAbs().maxCoeff())) << t;
    EXPECT_LE((b - f.b(t, x)).cwiseAbs().maxCoeff(), 1e-12);
    const GmmFieldValues v = f.eval(t, x);
    const VecD trb = trace_by_tangents(3, 9, [&](const MatD& u) {
      MatD o, j;
      f.drift_jvp(t, x, u, o, j);
      return j;
    });
    const VecD trs = trace_by_tangents(3, 9, [&](const MatD& u) {
      MatD o, j;
      f.score_jvp(t, x, u, o, j);
      return j;
    });
    EXPECT_LE((trb - v.div_b).cwiseAbs().maxCoeff(), 1e-9 * (1 + v.div_b.cwiseAbs().maxCoeff())) << t;
    EXPECT_LE((trs - v.div_s).cwiseAbs().maxCoeff(), 1e-9 * (1 + v.div_s.cwiseAbs().maxCoeff())) << t;
  }
}

// The derived drift b = v - gamma gamma' s of a v + s model: its Jacobian-vector products follow
// the same algebra as its divergence.
TEST(Jvp, ModelDerivedDriftTangentsTraceToItsExactDivergence) {
  TrainingSession session(nlohmann::json{{"base", {{"type", "paper-gmm"}, {"components", 2}, {"dim", 3}}},
                                         {"target", {{"type", "paper-gmm"}, {"dim", 3}, {"seed", 1}}},
                                         {"interpolant", {{"path", "linear"}}},
                                         {"fields", "v+s"},
                                         {"network", {{"hidden", {32, 32}}, {"activation", "silu"}}},
                                         {"training", {{"batch", 64}}}});
  session.step(5);
  const Model m = session.model();
  Rng rng(4);
  const MatF x = rng.normal_matrix<float>(3, 6);
  for (const char* field : {"b", "s", "v", "eta"}) {
    VecF div;
    MatF out, out2;
    m.evaluate(field, 0.4, x, out, std::string(field) == "eta" ? nullptr : &div);
    const VecD tr = trace_by_tangents(3, 6, [&](const MatD& e) {
      MatF j;
      m.evaluate_jvp(field, 0.4, x, e.cast<float>(), out2, j);
      return MatD(j.cast<double>());
    });
    EXPECT_LE((out2 - out).cwiseAbs().maxCoeff(), 1e-6) << field;
    if (std::string(field) != "eta")
      EXPECT_LE((tr - div.cast<double>()).cwiseAbs().maxCoeff(), 1e-4 * (1 + div.cwiseAbs().maxCoeff())) << field;
  }
}

// Hutchinson is unbiased: the mean of many probes lies within 3 standard errors of the exact
// divergence (pooled over the points; 4 per point) at d = 4 and d = 400, for the mixture's b and s
// (closed-form divergences) and for a network (its exact forward-mode divergence, d tangents).
TEST(Hutchinson, UnbiasedWithinThreeStandardErrorsAtDimensionsFourAndFourHundred) {
  for (int d : {4, 400}) {
    const GmmFields f = mixture_fields(d);
    Rng rng(5);
    const double t = 0.4;
    const int n = 8, probes = d == 4 ? 400 : 200;
    const MatD x = f.sample_xt(t, n, rng);
    const GmmFieldValues v = f.eval(t, x);
    auto [hb, seb] = hutchinson_mean(d, x, probes, 6, [&](const MatD& xr, const MatD& e) {
      MatD o, j;
      f.drift_jvp(t, xr, e, o, j);
      return j;
    });
    auto [hs, ses] = hutchinson_mean(d, x, probes, 7, [&](const MatD& xr, const MatD& e) {
      MatD o, j;
      f.score_jvp(t, xr, e, o, j);
      return j;
    });
    const VecD zb = (hb - v.div_b).cwiseQuotient(seb), zs = (hs - v.div_s).cwiseQuotient(ses);
    std::printf(
        "  [measured] d = %d: z of the mean over %d points: b %.2f, s %.2f; max |z| per point b %.2f, s %.2f; "
        "SD of one probe, b %.3g (|div b| %.3g)\n",
        d, n, pooled_z(hb - v.div_b, seb), pooled_z(hs - v.div_s, ses), zb.cwiseAbs().maxCoeff(),
        zs.cwiseAbs().maxCoeff(), seb(0) * std::sqrt(probes), std::abs(v.div_b(0)));
    EXPECT_LE(std::abs(pooled_z(hb - v.div_b, seb)), 3.0) << "d = " << d;
    EXPECT_LE(std::abs(pooled_z(hs - v.div_s, ses)), 3.0) << "d = " << d;
    EXPECT_LE(zb.cwiseAbs().maxCoeff(), 4.0) << "d = " << d;
    EXPECT_LE(zs.cwiseAbs().maxCoeff(), 4.0) << "d = " << d;
    // A network: Hutchinson against its exact forward-mode divergence (d tangents).
    MlpShape shape;
    shape.in = d + 1;
    shape.out = d;
    shape.hidden = {64, 64};
    shape.activation = Activation::SiLU;
    Mlp<double> m(shape);
    m.init(rng);
    MatD X(d + 1, n);
    X.row(0).setConstant(t);
    X.bottomRows(d) = rng.normal_matrix<double>(d, n);
    VecD div;
    m.eval_with_divergence(X, div);
    auto [hm, sem] = hutchinson_mean(d, X, probes, 8, [&](const MatD& Xr, const MatD& e) {
      MatD j;
      m.eval_with_jvp(Xr, e, j);
      return j;
    });
    EXPECT_LE(std::abs(pooled_z(hm - div, sem)), 3.0) << "network, d = " << d;
    EXPECT_LE((hm - div).cwiseQuotient(sem).cwiseAbs().maxCoeff(), 4.0) << "network, d = " << d;
  }
}

// The likelihoods with Hutchinson probes: unbiased against the exact log-density (the mean error
// within 3 standard errors of the mean), with a nonzero standard error; d = 4.
TEST(Hutchinson, OdeAndSdeLikelihoodsWithProbesMatchTheExactDensity) {
  const GmmFields f = mixture_fields(4);
  Rng rng(9);
  const MatD x = f.rho1().sample(300, rng);
  const VecD exact = f.rho1().log_density(x);
  OdeSamplerOptions ode;
  ode.method = OdeMethod::Rk4;
  ode.steps = 60;
  ode.divergence = Divergence::Hutchinson;
  ode.probes = 4;
  ode.probe_seed = 3;
  const LikelihoodResult<double> lo = ode_log_likelihood(f, f.rho0(), x, ode);
  const VecD err = lo.logp - exact;
  const double se = std::sqrt(lo.std_error.squaredNorm()) / x.cols();
  std::printf("  [measured] ODE hutchinson: mean error %.4f, its SE %.4f, mean per-point SE %.3f\n", err.mean(), se,
              lo.std_error.mean());
  EXPECT_GT(lo.std_error.minCoeff(), 0.0);
  EXPECT_LE(std::abs(err.mean()), 3 * se);
  ode.divergence = Divergence::Exact;
  EXPECT_LE((ode_log_likelihood(f, f.rho0(), x, ode).logp - exact).cwiseAbs().maxCoeff(), 1e-3);

  SdeSamplerOptions sde;
  sde.eps = 1;
  sde.steps = 60;
  sde.n_paths = 6;
  sde.divergence = Divergence::Hutchinson;
  Rng noise(10);
  const LikelihoodResult<double> ls = sde_log_likelihood(f, f.rho0(), x, sde, noise);
  const VecD serr = ls.logp - exact;
  const double sse = std::sqrt(ls.std_error.squaredNorm()) / x.cols();
  std::printf("  [measured] SDE hutchinson: mean error %.4f, its SE %.4f\n", serr.mean(), sse);
  EXPECT_LE(std::abs(serr.mean()), 3 * sse);
  // Fields without Jacobian-vector products are told to use the exact divergence.
  struct NoJvp : Fields<double> {
    int dim() const override { return 1; }
    void drift(double, const MatD& x, MatD& out, VecD* div) const override {
      out = -x;
      if (div) *div = VecD::Constant(x.cols(), -1);
    }
    bool has_score() const override { return false; }
    void score(double, const MatD& x, MatD& out, VecD*) const override { out = x; }
  } nojvp;
  ode.divergence = Divergence::Hutchinson;
  try {
    ode_log_likelihood<double>(nojvp, GaussianMixture::standard_normal(1), MatD::Zero(1, 2), ode);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("ode.divergence: hutchinson needs Jacobian-vector products", 0), 0u)
        << e.what();
  }
  ode.probes = 1;
  EXPECT_THROW(ode_log_likelihood(f, f.rho0(), x, ode), ConfigError);  // no standard error from one probe
}

}  // namespace
}  // namespace si
