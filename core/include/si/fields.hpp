// The fields a generative model exposes to the samplers (SPEC section 2 and 4): the probability
// flow drift b and the score s, each optionally with its exact divergence in x. Implemented by
// learned models (model.hpp) and by the exact Gaussian-mixture fields (gmm_fields.hpp).
#pragma once

#include "si/types.hpp"

namespace si {

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
};

}  // namespace si
