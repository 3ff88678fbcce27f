// The fields a generative model exposes to the samplers (SPEC section 2 and 4): the probability
// flow drift b and the score s, each optionally with its exact divergence in x or with
// Jacobian-vector products. Implemented by
// learned models (model.hpp) and by the exact Gaussian-mixture fields (gmm_fields.hpp).
#pragma once

#include "si/types.hpp"

namespace si {

class Interpolant;

template <typename S>
class Fields {
 public:
  virtual ~Fields() = default;
  virtual int dim() const = 0;
  // b(t, x) for every column of x (d x n) into out (resized); if div is not null, also the exact
  // divergence of b in x at each column.
  virtual void drift(double t, const Mat<S>& x, Mat<S>& out, Vec<S>* div = nullptr) const = 0;
  // Whether score() is available (a model trained without s or eta has none).
  virtual bool has_score() const = 0;
  // s(t, x) = grad log rho_t(x); if div is not null, also its divergence.
  virtual void score(double t, const Mat<S>& x, Mat<S>& out, Vec<S>* div = nullptr) const = 0;

  // E[x1 | x_t = x], the target each point heads for on average (Interpolant::target_mean), for
  // the samplers' denoising last step (sampling.hpp). Fields without it say so here.
  // The interpolant the fields belong to, if they know it (the samplers derive a score from the
  // drift on one-sided paths through it: SdeSamplerOptions::score_from_drift).
  virtual const Interpolant* interpolant_of() const { return nullptr; }
  virtual bool has_target_mean() const { return false; }
  virtual void target_mean(double, const Mat<S>&, Mat<S>&) const {
    throw ConfigError("denoise", "these fields cannot estimate E[x1 | x_t]");
  }
  // Jacobian-vector products, for Hutchinson's divergence estimator e . (db/dx) e (samplers.hpp):
  // the field into out and (d field / dx) e_j at each column j into jvp, e being d x n (one
  // direction per point). One forward tangent instead of d. Fields without them say so here.
  virtual bool has_jvp() const { return false; }
  virtual void drift_jvp(double, const Mat<S>&, const Mat<S>&, Mat<S>&, Mat<S>&) const { no_jvp(); }
  virtual void score_jvp(double, const Mat<S>&, const Mat<S>&, Mat<S>&, Mat<S>&) const { no_jvp(); }

 private:
  [[noreturn]] static void no_jvp() {
    throw ConfigError("divergence", "these fields offer no Jacobian-vector products; use the exact divergence");
  }
};

}  // namespace si
