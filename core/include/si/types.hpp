// Shared numeric types. A batch of points is a d x n column-major matrix: one column per point,
// which is the same memory as an (n, d) row-major array (the public xtensor layout, see xt.hpp).
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace si {

template <typename S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <typename S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;
template <typename S>
using RowVec = Eigen::Matrix<S, 1, Eigen::Dynamic>;

using MatD = Mat<double>;
using VecD = Vec<double>;
using MatF = Mat<float>;
using VecF = Vec<float>;

// Whether every entry is finite, in one vectorised pass: x * 0 is 0 for a finite x and NaN for inf or
// NaN, so the sum is 0 exactly when all are finite (allFinite() compares entry by entry, several
// times slower; this is for the training step's hot passes over every weight).
template <typename Derived>
bool all_finite_fast(const Eigen::ArrayBase<Derived>& x) {
  using S = typename Derived::Scalar;
  return (x * S(0)).sum() == S(0);
}

// A number as people write it in messages: "-1", "0.002", "1e+30", "NaN".
inline std::string format_number(double x) {
  if (std::isnan(x)) return "NaN";
  std::ostringstream os;
  os.precision(10);
  os << x;
  return os.str();
}

// Every invalid input (a config field, an argument) throws this; the message names the field and
// what is allowed, e.g. "optimizer.lr: must be a positive number, got -1".
class ConfigError : public std::invalid_argument {
 public:
  ConfigError(const std::string& field, const std::string& what)
      : std::invalid_argument(field + ": " + what), field_(field) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

// A numerical blow-up (NaN or inf) found while training or sampling.
class NumericalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace si
