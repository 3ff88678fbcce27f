// Exact fields between Gaussian mixtures (SPEC section 5): for x_t = alpha x0 + beta x1 + gamma z
// with rho0 = sum_i p0_i N(mu0_i, C0_i), rho1 = sum_j p1_j N(mu1_j, C1_j), rho_t is the mixture over
// pairs (i, j) of N(m_ij, K_ij) and every conditional expectation is closed-form. Computed in double
// and in log space (log-sum-exp). The ground truth for the tests of losses, samplers, likelihoods.
#pragma once

#include "si/config.hpp"
#include "si/distributions.hpp"
#include "si/fields.hpp"
#include "si/interpolant.hpp"

namespace si {

struct GmmFieldValues {
  MatD b;      // drift of the probability flow
  MatD v;      // E[dI/dt | x_t = x]
  MatD s;      // score grad log rho_t
  MatD eta;    // denoiser E[noise | x_t = x] (z two-sided, x0 one-sided and mirror)
  MatD x1;     // E[x1 | x_t = x]
  VecD logp;   // log rho_t(x)
  VecD div_b;  // exact divergence of b in x
  VecD div_s;  // exact divergence of s in x
  MatD jvp_b;  // (db/dx) e and (ds/dx) e for the directions e of drift_jvp / score_jvp
  MatD jvp_s;
};

class GmmFields : public Fields<double> {
 public:
  // One-sided and mirror paths need rho0 = N(0, I) (throws ConfigError naming "base" otherwise).
  GmmFields(GaussianMixture rho0, GaussianMixture rho1, Interpolant interpolant);
  // The exact fields of a config whose base and target are both Gaussian mixtures (throws
  // ConfigError naming "base" or "target" otherwise, listing the mixture types).
  static GmmFields from_config(const TrainingConfig& config);

  // Every field at once; the single-field accessors below compute only their own field.
  GmmFieldValues eval(double t, const MatD& x) const;
  MatD b(double t, const MatD& x) const { return compute(t, x, kB).b; }
  MatD v(double t, const MatD& x) const { return compute(t, x, kV).v; }
  MatD s(double t, const MatD& x) const { return compute(t, x, kS).s; }
  MatD eta(double t, const MatD& x) const { return compute(t, x, kEta).eta; }
  // E[x1 | x_t = x] from each Gaussian pair's posterior (not through b and s).
  MatD x1_mean(double t, const MatD& x) const { return compute(t, x, kX1).x1; }
  VecD log_density(double t, const MatD& x) const { return compute(t, x, 0).logp; }
  // One field by name ("b", "s", "eta", "v") into out; div (if not null) gets its exact
  // divergence (b and s only). Throws ConfigError("field", ...) otherwise, as Model::evaluate.
  void evaluate(const std::string& field, double t, const MatD& x, MatD& out, VecD* div = nullptr) const;
  static std::vector<std::string> field_names() { return {"b", "s", "eta", "v"}; }
  // Samples of x_t itself (draws x0, x1, z and interpolates): the truth for rho_t.
  MatD sample_xt(double t, Eigen::Index n, Rng& rng) const;

  int dim() const override;
  void drift(double t, const MatD& x, MatD& out, VecD* div = nullptr) const override;
  bool has_score() const override { return true; }
  void score(double t, const MatD& x, MatD& out, VecD* div = nullptr) const override;
  const Interpolant* interpolant_of() const override { return &interp_; }
  bool has_target_mean() const override { return true; }
  void target_mean(double t, const MatD& x, MatD& out) const override { out = x1_mean(t, x); }
  bool has_jvp() const override { return true; }
  void drift_jvp(double t, const MatD& x, const MatD& e, MatD& out, MatD& jvp) const override;
  void score_jvp(double t, const MatD& x, const MatD& e, MatD& out, MatD& jvp) const override;

  const GaussianMixture& rho0() const { return rho0_; }
  const GaussianMixture& rho1() const { return rho1_; }
  // Where samplers start, the law of x_t at t = 0: rho0, or rho1 for the mirror path.
  const GaussianMixture& initial() const { return interp_.mirror() ? rho1_ : rho0_; }
  const Interpolant& interpolant() const { return interp_; }

 private:
  // Bits of what compute() fills in; logp is always filled.
  enum Want : unsigned {
    kB = 1,
    kV = 2,
    kS = 4,
    kEta = 8,
    kDivB = 16,
    kDivS = 32,
    kAll = 63,
    kJvpB = 64,
    kJvpS = 128,
    kX1 = 256
  };
  // probe: the directions e of the Jacobian-vector products (kJvpB, kJvpS).
  GmmFieldValues compute(double t, const MatD& x, unsigned want, const MatD* probe = nullptr) const;

  GaussianMixture rho0_, rho1_;
  Interpolant interp_;
};

}  // namespace si
