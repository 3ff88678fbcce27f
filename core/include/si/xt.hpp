// The public batched-array face of the library: xtensor arrays of shape (n, d), row-major, one
// point per row. Internally batches are d x n column-major Eigen matrices, which is the same
// memory layout, so crossing is one copy (or a zero-copy Eigen::Map where the caller owns it).
#pragma once

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "si/distributions.hpp"
#include "si/model.hpp"

namespace si {

template <typename S>
using Points = xt::xtensor<S, 2>;  // (n, d)

template <typename S>
Points<S> to_points(const Mat<S>& m) {
  Points<S> p = Points<S>::from_shape({std::size_t(m.cols()), std::size_t(m.rows())});
  std::copy(m.data(), m.data() + m.size(), p.data());
  return p;
}

template <typename S>
Mat<S> to_matrix(const Points<S>& p) {
  if (p.dimension() != 2) throw ConfigError("points", "must be a 2-D array of shape (n, d)");
  return Eigen::Map<const Mat<S>>(p.data(), Eigen::Index(p.shape(1)), Eigen::Index(p.shape(0)));
}

// n samples of a distribution as an (n, d) array.
inline Points<double> sample_points(const Distribution& dist, std::size_t n, Rng& rng) {
  return to_points<double>(dist.sample(Eigen::Index(n), rng));
}

// log density at each row of an (n, d) array.
inline xt::xtensor<double, 1> log_density(const Distribution& dist, const Points<double>& x) {
  const VecD l = dist.log_density(to_matrix(x));
  return xt::adapt(std::vector<double>(l.data(), l.data() + l.size()), {std::size_t(l.size())});
}

// A model's field at time t at each row of an (n, d) array.
inline Points<float> evaluate(const Model& m, const std::string& field, double t, const Points<float>& x) {
  MatF out;
  m.evaluate(field, t, to_matrix(x), out);
  return to_points(out);
}

}  // namespace si
