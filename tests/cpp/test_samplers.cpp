#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "quick.hpp"
#include "si/gmm_fields.hpp"
#include "si/metrics.hpp"
#include "si/samplers.hpp"

namespace si {
namespace {

// Two small 2-D mixtures with distinct shapes, so a wrong flow shows up in the samples.
GaussianMixture mixture_a() {
  MatD c1(2, 2), c2(2, 2);
  c1 << 0.30, 0.10, 0.10, 0.20;
  c2 << 0.15, -0.05, -0.05, 0.40;
  return GaussianMixture({0.4, 0.6}, {VecD::Constant(2, -1.5), (VecD(2) << 1.0, 0.5).finished()}, {c1, c2});
}

GaussianMixture mixture_b() {
  MatD c1(2, 2), c2(2, 2), c3(2, 2);
  c1 << 0.10, 0.00, 0.00, 0.10;
  c2 << 0.25, 0.12, 0.12, 0.20;
  c3 << 0.08, -0.03, -0.03, 0.30;
  return GaussianMixture(
      {0.3, 0.3, 0.4},
      {(VecD(2) << 2.0, 0.0).finished(), (VecD(2) << -1.0, 1.7).finished(), (VecD(2) << -1.0, -1.7).finished()},
      {c1, c2, c3});
}

GmmFields two_sided() { return GmmFields(mixture_a(), mixture_b(), Interpolant::from_names("linear", "brownian")); }
GmmFields one_sided() {
  return GmmFields(GaussianMixture::standard_normal(2), mixture_b(),
                   Interpolant::from_names("one-sided-linear", "zero"));
}
GmmFields mirror() {
  return GmmFields(GaussianMixture::standard_normal(2), mixture_b(), Interpolant::from_names("mirror", "brownian"));
}

// The samplers' float instantiation, driven by the exact fields.
class FloatFields : public Fields<float> {
 public:
  explicit FloatFields(const GmmFields& f) : f_(f) {}
  int dim() const override { return f_.dim(); }
  void drift(double t, const MatF& x, MatF& out, VecF* div) const override {
    MatD o;
    VecD dv;
    f_.drift(t, x.cast<double>(), o, div ? &dv : nullptr);
    out = o.cast<float>();
    if (div) *div = dv.cast<float>();
  }
  bool has_score() const override { return true; }
  void score(double t, const MatF& x, MatF& out, VecF* div) const override {
    MatD o;
    VecD dv;
    f_.score(t, x.cast<double>(), o, div ? &dv : nullptr);
    out = o.cast<float>();
    if (div) *div = dv.cast<float>();
  }

 private:
  const GmmFields& f_;
};

// The reference code's mirror probability flow, b = +gamma gamma' s: the sign bug of SPEC 9.
class FlippedDrift : public Fields<double> {
 public:
  explicit FlippedDrift(const GmmFields& f) : f_(f) {}
  int dim() const override { return f_.dim(); }
  void drift(double t, const MatD& x, MatD& out, VecD* div) const override {
    f_.drift(t, x, out, div);
    out = -out;
    if (div) *div = -*div;
  }
  bool has_score() const override { return true; }
  void score(double t, const MatD& x, MatD& out, VecD* div) const override { f_.score(t, x, out, div); }

 private:
  const GmmFields& f_;
};

// Fields that blow up after t = 0.5.
class NanFields : public Fields<double> {
 public:
  int dim() const override { return 2; }
  void drift(double t, const MatD& x, MatD& out, VecD* div) const override {
    out = -x;
    if (t > 0.5) out(0, 0) = std::numeric_limits<double>::quiet_NaN();
    if (div) *div = VecD::Constant(x.cols(), -2.0);
  }
  bool has_score() const override { return false; }
  void score(double, const MatD& x, MatD& out, VecD*) const override { out = MatD::Zero(2, x.cols()); }
};

// SI_TEST_QUICK (sanitized builds): 500-point samples, and half the points and a quarter of the
// paths for the SDE likelihoods. The accuracy thresholds are relative to the noise floor or the
// standard error, which grow to match; the power checks ("far from the target") compare a fixed
// distance with the floor, which grows as 1 / kN, so their factor shrinks as kN.
const int kN = test::full_or_quick(2000, 500);
const double kPower = kN / 2000.0;
const double kNatsScale = test::full_or_quick(1.0, 2.0);  // the standard error doubles with 1/4 of the paths
constexpr int kReps = 3;

using Draw = std::function<MatD(Rng&)>;

// Mean energy distance between kN-point samples and fresh direct kN-point samples of the truth,
// one per sample (one energy distance has a long right tail; a mean of kReps is steadier).
double mean_energy_distance(const std::vector<MatD>& samples, const Draw& truth, std::uint64_t seed) {
  Rng rng(seed);
  double sum = 0.0;
  for (const MatD& x : samples) sum += energy_distance<double>(x, truth(rng));
  return sum / samples.size();
}

double mean_energy_distance(const Draw& sampler, const Draw& truth, std::uint64_t seed) {
  Rng rng(seed + 1000);
  std::vector<MatD> samples;
  for (int r = 0; r < kReps; ++r) samples.push_back(sampler(rng));
  return mean_energy_distance(samples, truth, seed);
}

// The mean energy distance between two independent direct samples, over more pairs so that the
// reference is steady: what a perfect sampler reaches on average.
double noise_floor(const Draw& truth, std::uint64_t seed) {
  constexpr int kFloorReps = 10;
  Rng rng(seed);
  double sum = 0.0;
  for (int r = 0; r < kFloorReps; ++r) sum += energy_distance<double>(truth(rng), truth(rng));
  return sum / kFloorReps;
}

Draw direct(const Distribution& rho) {
  return [&rho](Rng& rng) { return rho.sample(kN, rng); };
}

Draw marginal(const GmmFields& f, double t) {
  return [&f, t](Rng& rng) { return f.sample_xt(t, kN, rng); };
}

void report(const std::string& what, double value, double reference) {
  std::printf("  [measured] %-58s %.3e (reference %.3e)\n", what.c_str(), value, reference);
}

TEST(Samplers, OdePushesBaseSamplesOntoTheTarget) {
  for (int which = 0; which < 2; ++which) {
    const GmmFields f = which == 0 ? two_sided() : one_sided();
    const std::string name = which == 0 ? "linear/brownian" : "one-sided-linear";
    SCOPED_TRACE(name);
    OdeSamplerOptions opt;
    opt.atol = opt.rtol = 1e-6;
    const Draw pushed = [&](Rng& rng) { return ode_sample(f, f.rho0().sample(kN, rng), opt).x; };
    const double floor = noise_floor(direct(f.rho1()), 12);
    const double ed = mean_energy_distance(pushed, direct(f.rho1()), 11);
    report("ode " + name + " ED(pushed, rho1)", ed, floor);
    EXPECT_LE(ed, 3 * floor);
    // The test has power: the unpushed base is far from the target.
    EXPECT_GT(mean_energy_distance(direct(f.rho0()), direct(f.rho1()), 13), 30 * kPower * floor);
  }
}

TEST(Samplers, OdeSnapshotsAreEquallySpacedAndFollowRhoT) {
  const GmmFields f = two_sided();
  const double floor = noise_floor(marginal(f, 0.5), 22);
  for (OdeMethod m : {OdeMethod::Dopri5, OdeMethod::Rk4}) {
    OdeSamplerOptions opt;
    opt.method = m;
    opt.steps = 40;
    opt.n_snapshots = 5;
    const Draw mid = [&](Rng& rng) {
      const MatD x0 = f.rho0().sample(kN, rng);
      const SampleResult<double> r = ode_sample(f, x0, opt);
      EXPECT_EQ(r.times, (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
      EXPECT_EQ(r.snapshots.size(), 5u);
      EXPECT_EQ(r.snapshots.front(), x0);
      EXPECT_EQ(r.snapshots.back(), r.x);
      return r.snapshots.at(2);
    };
    const double ed = mean_energy_distance(mid, marginal(f, 0.5), 21);
    report("ode " + to_name(m) + " snapshot t=0.5 vs rho_0.5", ed, floor);
    EXPECT_LE(ed, 3 * floor);
  }
}

TEST(Samplers, OdeLikelihoodMatchesExactLogDensity) {
  for (int which = 0; which < 2; ++which) {
    const GmmFields f = which == 0 ? two_sided() : one_sided();
    const std::string name = which == 0 ? "linear/brownian" : "one-sided-linear";
    SCOPED_TRACE(name);
    Rng rng(31);
    MatD x = f.rho1().sample(200, rng);
    x.rightCols(20) *= 1.8;  // a few points in the tails
    OdeSamplerOptions opt;
    opt.atol = opt.rtol = 1e-8;
    const LikelihoodResult<double> r = ode_log_likelihood(f, f.rho0(), x, opt);
    const double err = (r.logp - f.rho1().log_density(x)).cwiseAbs().maxCoeff();
    report("ode likelihood " + name + " max |logp - exact| (nats)", err, 1e-3);
    EXPECT_LE(err, 1e-3);
    EXPECT_TRUE(r.std_error.isZero());
  }
}

TEST(Samplers, FloatInstantiationMatchesExactLikelihoods) {
  const GmmFields f = two_sided();
  const FloatFields ff(f);
  Rng rng(32);
  const MatD x = f.rho1().sample(100, rng);
  OdeSamplerOptions opt;
  opt.atol = opt.rtol = 1e-5;
  const LikelihoodResult<float> r = ode_log_likelihood<float>(ff, f.rho0(), x.cast<float>(), opt);
  const double err = (r.logp - f.rho1().log_density(x)).cwiseAbs().maxCoeff();
  report("float ode likelihood max |logp - exact|", err, 1e-2);
  EXPECT_LE(err, 1e-2);
  SdeSamplerOptions sde;
  sde.n_paths = 200;
  sde.steps = 200;
  const MatD x4 = x.leftCols(4);
  const LikelihoodResult<float> rs = sde_log_likelihood<float>(ff, f.rho0(), x4.cast<float>(), sde, rng);
  const double err_sde = (rs.logp - f.rho1().log_density(x4)).cwiseAbs().maxCoeff();
  report("float sde likelihood max |logp - exact|", err_sde, 0.1);
  EXPECT_LE(err_sde, 0.1);
}

TEST(Samplers, OdeBackwardThenForwardReturnsToTheStart) {
  const GmmFields f = two_sided();
  Rng rng(41);
  const MatD x1 = f.rho1().sample(500, rng);
  OdeSamplerOptions back;
  back.atol = back.rtol = 1e-8;
  back.t0 = 1.0;
  back.t1 = 0.0;
  back.with_logp = true;
  const SampleResult<double> b = ode_sample(f, x1, back);
  OdeSamplerOptions fwd = back;
  fwd.t0 = 0.0;
  fwd.t1 = 1.0;
  const SampleResult<double> r = ode_sample(f, b.x, fwd);
  const double err = (r.x - x1).cwiseAbs().maxCoeff();
  report("ode backward then forward max |x - x_start|", err, 1e-4);
  EXPECT_LE(err, 1e-4);
  // The log-density changes cancel too.
  EXPECT_LE((r.dlogp + b.dlogp).cwiseAbs().maxCoeff(), 1e-4);
}

TEST(Samplers, SdeForwardSamplesMatchTheTarget) {
  const GmmFields f = two_sided();
  const double floor = noise_floor(direct(f.rho1()), 52);
  for (SdeMethod m : {SdeMethod::Heun, SdeMethod::Euler, SdeMethod::HeunKarras}) {
    SdeSamplerOptions opt;
    opt.method = m;
    opt.eps = 0.5;
    opt.steps = 200;
    opt.n_snapshots = 3;
    const Draw pushed = [&](Rng& rng) {
      const SampleResult<double> r = sde_sample(f, f.rho0().sample(kN, rng), opt, rng);
      EXPECT_EQ(r.times, (std::vector<double>{0.0, 0.5, 1.0}));
      EXPECT_EQ(r.snapshots.back(), r.x);
      return r.x;
    };
    const double ed = mean_energy_distance(pushed, direct(f.rho1()), 51);
    report("sde " + to_name(m) + " eps 0.5 ED(pushed, rho1)", ed, floor);
    EXPECT_LE(ed, 3 * floor) << to_name(m);
  }
}

TEST(Samplers, SdeBackwardSamplesMatchTheBase) {
  const GmmFields f = two_sided();
  SdeSamplerOptions opt;
  opt.eps = 0.5;
  opt.steps = 200;
  opt.t0 = 1.0;
  opt.t1 = 0.0;
  const Draw pulled = [&](Rng& rng) { return sde_sample(f, f.rho1().sample(kN, rng), opt, rng).x; };
  const double floor = noise_floor(direct(f.rho0()), 62);
  const double ed = mean_energy_distance(pulled, direct(f.rho0()), 61);
  report("sde heun backward ED(pulled back, rho0)", ed, floor);
  EXPECT_LE(ed, 3 * floor);
}

// Checks every point against the exact log rho1 and returns the mean standard error.
double check_sde_likelihood(const GmmFields& f, const std::string& name, bool control_variate, int n_points,
                            int n_paths, double max_nats) {
  Rng rng(71);
  if (test::quick()) n_points = std::max(2, n_points / 2);
  const MatD x = f.rho1().sample(n_points, rng);
  SdeSamplerOptions opt;
  opt.eps = 0.5;
  opt.steps = 200;
  opt.n_paths = test::quick() ? n_paths / 4 : n_paths;
  max_nats *= kNatsScale;
  opt.control_variate = control_variate;
  const LikelihoodResult<double> r = sde_log_likelihood(f, f.rho0(), x, opt, rng);
  const VecD exact = f.rho1().log_density(x);
  double worst = 0, worst_z = 0;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double err = std::abs(r.logp(j) - exact(j));
    worst = std::max(worst, err);
    worst_z = std::max(worst_z, err / r.std_error(j));
    EXPECT_LE(err, 3 * r.std_error(j)) << "point " << j;
    EXPECT_LE(err, max_nats) << "point " << j;
  }
  const std::string tag = "sde likelihood " + name + (control_variate ? "" : " (plain)");
  report(tag + " max |logp - exact| (nats)", worst, max_nats);
  report(tag + " max |logp - exact| / stderr", worst_z, 3);
  report(tag + " mean stderr", r.std_error.mean(), 0);
  return r.std_error.mean();
}

TEST(Samplers, SdeLikelihoodMatchesExactLogDensity) {
  check_sde_likelihood(two_sided(), "linear/brownian", true, 8, 1000, 0.05);
  check_sde_likelihood(one_sided(), "one-sided-linear", true, 8, 1000, 0.05);
}

TEST(Samplers, SdeLikelihoodWithoutControlVariateIsUnbiasedButNoisier) {
  // The plain estimator of SPEC 4: right within its (larger) standard error.
  const double plain = check_sde_likelihood(two_sided(), "linear/brownian", false, 6, 1000, 0.5);
  const double controlled = check_sde_likelihood(two_sided(), "linear/brownian", true, 6, 1000, 0.05);
  EXPECT_LT(controlled, plain / 4);
}

TEST(Samplers, MirrorDriftReducesToSpecSdeDrifts) {
  // b = -gamma gamma' s, so b + eps s = (eps - gamma gamma') s and b - eps s = -(eps + gamma gamma') s.
  const GmmFields f = mirror();
  Rng rng(81);
  const MatD x = f.rho1().sample(50, rng);
  for (double t : {0.1, 0.4, 0.77}) {
    MatD b, s;
    f.drift(t, x, b);
    f.score(t, x, s);
    const double gg = f.interpolant().gamma().product(t), eps = 0.5;
    EXPECT_LE(((b + eps * s) - (eps - gg) * s).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_LE(((b - eps * s) + (eps + gg) * s).cwiseAbs().maxCoeff(), 1e-10);
  }
}

// With a gamma symmetric about t = 1/2, b(1 - t) = -b(t), so the exact mirror flow over [0, 1]
// is the identity map and the test must look at t = 1/2 as well, where rho_t is rho1 blurred by
// N(0, gamma^2 I): the flow must reach it, and the reference's flipped sign does not.
TEST(Samplers, ExactMirrorDynamicsKeepTheMixtureInvariant) {
  const GmmFields f = mirror();
  const double floor1 = noise_floor(direct(f.rho1()), 92), floor_mid = noise_floor(marginal(f, 0.5), 93);
  OdeSamplerOptions ode;
  ode.atol = ode.rtol = 1e-7;
  ode.n_snapshots = 3;
  SdeSamplerOptions sde;
  sde.eps = 0.5;
  sde.steps = 200;
  sde.n_snapshots = 3;
  const FlippedDrift flipped(f);
  std::vector<MatD> ode_end, ode_mid, sde_end, sde_mid, bug_mid;
  Rng rng(91);
  for (int r = 0; r < kReps; ++r) {
    const MatD x = f.rho1().sample(kN, rng);
    const SampleResult<double> o = ode_sample(f, x, ode);
    EXPECT_LE((o.x - x).cwiseAbs().maxCoeff(), 1e-4);  // the identity map, see above
    ode_end.push_back(o.x);
    ode_mid.push_back(o.snapshots[1]);
    const SampleResult<double> s = sde_sample(f, x, sde, rng);
    sde_end.push_back(s.x);
    sde_mid.push_back(s.snapshots[1]);
    bug_mid.push_back(ode_sample(flipped, x, ode).snapshots[1]);
  }
  const double ed_ode = mean_energy_distance(ode_end, direct(f.rho1()), 94);
  const double ed_ode_mid = mean_energy_distance(ode_mid, marginal(f, 0.5), 95);
  const double ed_sde = mean_energy_distance(sde_end, direct(f.rho1()), 96);
  const double ed_sde_mid = mean_energy_distance(sde_mid, marginal(f, 0.5), 97);
  const double ed_bug = mean_energy_distance(bug_mid, marginal(f, 0.5), 98);
  report("mirror ode ED(t=1, rho1)", ed_ode, floor1);
  report("mirror ode ED(t=0.5, rho_0.5)", ed_ode_mid, floor_mid);
  report("mirror sde eps 0.5 ED(t=1, rho1)", ed_sde, floor1);
  report("mirror sde eps 0.5 ED(t=0.5, rho_0.5)", ed_sde_mid, floor_mid);
  report("mirror ode, reference's +gamma gamma' s sign, ED(t=0.5)", ed_bug, floor_mid);
  EXPECT_LE(ed_ode, 3 * floor1);
  EXPECT_LE(ed_ode_mid, 3 * floor_mid);
  EXPECT_LE(ed_sde, 3 * floor1);
  EXPECT_LE(ed_sde_mid, 3 * floor_mid);
  EXPECT_GT(ed_bug, 10 * kPower * floor_mid);
}

TEST(Samplers, NonFiniteFieldsThrowNumericalErrorNamingSamplerAndTime) {
  const NanFields f;
  const MatD x = MatD::Ones(2, 4);
  try {
    ode_sample(f, x, OdeSamplerOptions());
    ADD_FAILURE() << "no throw";
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ode_sample"), std::string::npos) << msg;
    EXPECT_NE(msg.find("dopri5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("t="), std::string::npos) << msg;
  }
  SdeSamplerOptions sde;
  sde.eps = 0.0;
  Rng rng(1);
  try {
    sde_sample(f, x, sde, rng);
    ADD_FAILURE() << "no throw";
  } catch (const NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("sde_sample: sde heun"), std::string::npos) << e.what();
  }
}

// The denoising last step: the run stops at u and every point jumps to E[x1 | x_u]. By the tower
// property the jumped points keep the target's mean exactly (x_u itself has mean beta(u) E[x1]
// one-sided, so a skipped jump fails), and their spread is the target's minus E[Cov(x1 | x_u)].
// The field a ConfigError names, or "(no throw)".
template <typename F>
std::string field_of(F&& call) {
  try {
    call();
  } catch (const ConfigError& e) {
    return e.field();
  }
  return "(no throw)";
}

TEST(Samplers, DenoisingStepJumpsToThePosteriorMeanOfTheTarget) {
  for (const GmmFields& f : {one_sided(), two_sided(), mirror()}) {
    SCOPED_TRACE(f.interpolant().path_name());
    const VecD target_mean = [&] {
      VecD m = VecD::Zero(2);
      for (int j = 0; j < f.rho1().components(); ++j) m += f.rho1().weights()[j] * f.rho1().means()[j];
      return m;
    }();
    const double u = 0.6;
    const int n = test::full_or_quick(8000, 2000);
    for (bool sde : {false, true}) {
      SCOPED_TRACE(sde ? "sde" : "ode");
      Rng rng(7);
      const MatD x0 = f.initial().sample(n, rng);
      SampleResult<double> r, plain;
      if (sde) {
        SdeSamplerOptions o;
        o.steps = 40;
        o.n_snapshots = 4;
        o.denoise = u;
        Rng noise(8), noise_again(8);
        r = sde_sample(f, x0, o, noise);
        o.denoise = -1;
        o.t1 = u;
        o.n_snapshots = 3;
        plain = sde_sample(f, x0, o, noise_again);
      } else {
        OdeSamplerOptions o;
        o.method = OdeMethod::Rk4;
        o.steps = 20;
        o.n_snapshots = 4;
        o.denoise = u;
        r = ode_sample(f, x0, o);
        o.denoise = -1;
        o.t1 = u;
        o.n_snapshots = 3;
        plain = ode_sample(f, x0, o);
      }
      // The same path to u, then the jump; frames over [0, u] and the jump's result at t1 = 1.
      EXPECT_LE((r.x - f.x1_mean(u, plain.x)).cwiseAbs().maxCoeff(), 1e-12);
      ASSERT_EQ(r.times.size(), 4u);
      EXPECT_DOUBLE_EQ(r.times[2], u);
      EXPECT_DOUBLE_EQ(r.times[3], 1.0);
      EXPECT_EQ(r.snapshots.back(), r.x);
      const VecD mean = r.x.rowwise().mean();
      const VecD sd = ((r.x.colwise() - mean).rowwise().squaredNorm() / (n - 1)).cwiseSqrt();
      for (int k = 0; k < 2; ++k)
        EXPECT_NEAR(mean(k), target_mean(k), 5 * sd(k) / std::sqrt(double(n))) << "coordinate " << k;
      const MatD target = f.rho1().sample(n, rng);
      const VecD target_sd =
          ((target.colwise() - target.rowwise().mean()).rowwise().squaredNorm() / (n - 1)).cwiseSqrt();
      for (int k = 0; k < 2; ++k) EXPECT_LT(sd(k), target_sd(k)) << "the posterior mean is less spread than x1";
    }
  }
}

// One-sided paths: the score the drift implies is the exact score, so an SDE run on it retraces
// the run on the fields' own score (same noise), and so does the SDE likelihood.
TEST(Samplers, ScoreFromTheDriftRetracesTheExactScoreOnOneSidedPaths) {
  for (const char* path : {"one-sided-linear", "one-sided-trig"}) {
    SCOPED_TRACE(path);
    const GmmFields f(GaussianMixture::standard_normal(2), mixture_b(), Interpolant::from_names(path, "zero"));
    for (double t : {0.05, 0.5, 0.9}) {
      Rng rng(3);
      const MatD x = f.sample_xt(t, 50, rng);
      const Interpolant::Affine k = f.interpolant().score_from_drift(t);
      const MatD s = f.s(t, x);
      EXPECT_LE((k.kb * f.b(t, x) + k.kx * x - s).cwiseAbs().maxCoeff(), 1e-9 * std::max(1.0, s.cwiseAbs().maxCoeff()));
    }
    SdeSamplerOptions o;
    o.eps = 1.0;
    o.steps = 60;
    o.denoise = 0.9;
    Rng start(4);
    const MatD x0 = f.rho0().sample(400, start);
    Rng a(5), b(5);
    const MatD own = sde_sample(f, x0, o, a).x;
    o.score_from_drift = true;
    const MatD derived = sde_sample(f, x0, o, b).x;
    EXPECT_LE((own - derived).cwiseAbs().maxCoeff(), 1e-7);
    // The likelihood, on [0, 0.95].
    SdeSamplerOptions l;
    l.eps = 0.5;
    l.steps = 40;
    l.n_paths = 4;
    l.t1 = 0.95;
    const MatD y = f.sample_xt(0.95, 5, start);
    Rng c(6), d(6);
    const VecD with_own = sde_log_likelihood(f, f.rho0(), y, l, c).logp;
    l.score_from_drift = true;
    const VecD with_derived = sde_log_likelihood(f, f.rho0(), y, l, d).logp;
    EXPECT_LE((with_own - with_derived).cwiseAbs().maxCoeff(), 1e-6);
  }
}

TEST(Samplers, ScoreFromTheDriftIsRefusedWhereItCannotApply) {
  const MatD x = MatD::Zero(2, 3);
  Rng rng(1);
  auto refused = [&](const Fields<double>& f, SdeSamplerOptions o) -> std::string {
    o.score_from_drift = true;
    try {
      sde_sample(f, x, o, rng);
    } catch (const ConfigError& e) {
      return e.field();
    }
    return "(no throw)";
  };
  SdeSamplerOptions o;
  o.denoise = 0.9;
  EXPECT_EQ(refused(two_sided(), o), "sde.score");  // not one-sided
  EXPECT_EQ(refused(NanFields(), o), "sde.score");  // no interpolant
  o.denoise = -1;
  EXPECT_EQ(refused(one_sided(), o), "sde.score");  // the noise reaches t = 1
  o.eps_until = 0.9;
  EXPECT_EQ(refused(one_sided(), o), "(no throw)");
}

TEST(Samplers, DenoisingStepIsRefusedWhereItCannotApply) {
  const GmmFields f = one_sided();
  const MatD x = MatD::Zero(2, 3);
  OdeSamplerOptions ode;
  ode.denoise = 1.0;  // not inside [t0, t1)
  EXPECT_EQ(field_of([&] { ode_sample(f, x, ode); }), "ode.denoise");
  ode.denoise = 0.5;
  ode.t0 = 1;
  ode.t1 = 0;  // backward
  EXPECT_EQ(field_of([&] { ode_sample(f, x, ode); }), "ode.denoise");
  ode = OdeSamplerOptions();
  ode.denoise = 0.5;
  ode.with_logp = true;
  EXPECT_EQ(field_of([&] { ode_sample(f, x, ode); }), "ode.denoise");
  ode.with_logp = false;
  EXPECT_EQ(field_of([&] { ode_log_likelihood(f, f.rho0(), x, ode); }), "ode.denoise");
  // Fields that cannot estimate E[x1 | x_t].
  Rng rng(1);
  SdeSamplerOptions sde;
  sde.eps = 0;
  sde.denoise = 0.5;
  EXPECT_EQ(field_of([&] { sde_sample(NanFields(), x, sde, rng); }), "sde.denoise");
}

TEST(Samplers, InvalidOptionsThrowConfigErrorNamingTheField) {
  const GmmFields f = two_sided();
  const MatD x = MatD::Zero(2, 3);
  Rng rng(2);
  OdeSamplerOptions ode;
  ode.atol = 0;
  EXPECT_EQ(field_of([&] { ode_sample(f, x, ode); }), "ode.atol");
  ode = OdeSamplerOptions();
  ode.t1 = 1.5;
  EXPECT_EQ(field_of([&] { ode_sample(f, x, ode); }), "ode.t1");
  ode = OdeSamplerOptions();
  ode.n_snapshots = -1;
  EXPECT_EQ(field_of([&] { ode_sample(f, x, ode); }), "ode.n_snapshots");
  EXPECT_EQ(field_of([&] { ode_sample(f, MatD(MatD::Zero(3, 2)), OdeSamplerOptions()); }), "x");
  SdeSamplerOptions sde;
  sde.eps = -0.1;
  EXPECT_EQ(field_of([&] { sde_sample(f, x, sde, rng); }), "sde.eps");
  sde = SdeSamplerOptions();
  sde.steps = 0;
  EXPECT_EQ(field_of([&] { sde_sample(f, x, sde, rng); }), "sde.steps");
  sde = SdeSamplerOptions();
  sde.n_paths = 1;
  EXPECT_EQ(field_of([&] { sde_log_likelihood(f, f.rho0(), x, sde, rng); }), "sde.n_paths");
  sde = SdeSamplerOptions();
  sde.t0 = 1.0;
  sde.t1 = 0.0;
  EXPECT_EQ(field_of([&] { sde_log_likelihood(f, f.rho0(), x, sde, rng); }), "sde.t0");
  // eps > 0 needs a score.
  EXPECT_EQ(field_of([&] { sde_sample(NanFields(), x, SdeSamplerOptions(), rng); }), "sde.eps");
  EXPECT_EQ(field_of([] { sde_method_from_name("heun_karras"); }), "sde.method");
}

TEST(Metrics, EnergyDistanceMatchesBruteForceAndIsZeroForIdenticalSamples) {
  Rng rng(3);
  const MatD X = rng.normal_matrix<double>(3, 40), Y = rng.normal_matrix<double>(3, 30).array() + 0.5;
  auto mean_dist = [](const MatD& A, const MatD& B) {
    double s = 0;
    for (Eigen::Index i = 0; i < A.cols(); ++i)
      for (Eigen::Index j = 0; j < B.cols(); ++j) s += (A.col(i) - B.col(j)).norm();
    return s / (A.cols() * B.cols());
  };
  const double brute = 2 * mean_dist(X, Y) - mean_dist(X, X) - mean_dist(Y, Y);
  EXPECT_NEAR(energy_distance<double>(X, Y), brute, 1e-12);
  EXPECT_NEAR(energy_distance<float>(X.cast<float>(), Y.cast<float>()), brute, 1e-5);
  EXPECT_NEAR(energy_distance<double>(X, X), 0.0, 1e-12);
  EXPECT_NEAR(mean_pairwise_distance<double>(X, Y), mean_dist(X, Y), 1e-12);
  const VecD v = (VecD(4) << 1, 2, 3, 4).finished();
  EXPECT_DOUBLE_EQ(mean(v), 2.5);
  EXPECT_NEAR(standard_error(v), std::sqrt(5.0 / 3.0) / 2.0, 1e-15);
  EXPECT_THROW(standard_error(VecD::Ones(1)), ConfigError);
}

}  // namespace
}  // namespace si
