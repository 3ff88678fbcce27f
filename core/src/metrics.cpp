#include "si/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace si {
namespace {

// Row-major so that each coordinate of all points is contiguous and the inner loop over points
// vectorises.
using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// sum over j >= j0 of |a_i - b_j|, with a_i the i-th column of A.
double distance_sum(const RowMajorD& A, Eigen::Index i, const RowMajorD& B, Eigen::Index j0, std::vector<double>& buf) {
  const Eigen::Index m = B.cols() - j0, d = B.rows();
  if (m <= 0) return 0.0;
  buf.assign(static_cast<std::size_t>(m), 0.0);
  double* acc = buf.data();
  for (Eigen::Index k = 0; k < d; ++k) {
    const double a = A(k, i);
    const double* b = B.row(k).data() + j0;
    for (Eigen::Index j = 0; j < m; ++j) {
      const double diff = b[j] - a;
      acc[j] += diff * diff;
    }
  }
  for (Eigen::Index j = 0; j < m; ++j) acc[j] = std::sqrt(acc[j]);
  return Eigen::Map<const Eigen::VectorXd>(acc, m).sum();
}

double cross_mean(const RowMajorD& A, const RowMajorD& B) {
  std::vector<double> buf;
  double total = 0.0;
  for (Eigen::Index i = 0; i < A.cols(); ++i) total += distance_sum(A, i, B, 0, buf);
  return total / (static_cast<double>(A.cols()) * B.cols());
}

// Mean over all n^2 ordered pairs of one sample, from the pairs j > i.
double self_mean(const RowMajorD& A) {
  std::vector<double> buf;
  double total = 0.0;
  for (Eigen::Index i = 0; i + 1 < A.cols(); ++i) total += distance_sum(A, i, A, i + 1, buf);
  return 2.0 * total / (static_cast<double>(A.cols()) * A.cols());
}

template <typename S>
RowMajorD checked(const Mat<S>& X, const char* name) {
  if (X.cols() == 0) throw ConfigError(name, "needs at least one point");
  return X.template cast<double>();
}

}  // namespace

template <typename S>
double energy_distance(const Mat<S>& X, const Mat<S>& Y) {
  if (X.rows() != Y.rows())
    throw ConfigError("Y", "dimension " + std::to_string(Y.rows()) + " differs from X's " + std::to_string(X.rows()));
  const RowMajorD A = checked(X, "X"), B = checked(Y, "Y");
  return 2.0 * cross_mean(A, B) - self_mean(A) - self_mean(B);
}

template <typename S>
double mean_pairwise_distance(const Mat<S>& X, const Mat<S>& Y) {
  if (X.rows() != Y.rows())
    throw ConfigError("Y", "dimension " + std::to_string(Y.rows()) + " differs from X's " + std::to_string(X.rows()));
  return cross_mean(checked(X, "X"), checked(Y, "Y"));
}

double mean(const VecD& v) {
  if (v.size() == 0) throw ConfigError("v", "mean of no values");
  return v.mean();
}

double standard_error(const VecD& v) {
  const Eigen::Index n = v.size();
  if (n < 2) throw ConfigError("v", "standard error needs at least 2 values, got " + std::to_string(n));
  const double mu = v.mean();
  return std::sqrt((v.array() - mu).square().sum() / (n - 1) / n);
}

template double energy_distance<float>(const Mat<float>&, const Mat<float>&);
template double energy_distance<double>(const Mat<double>&, const Mat<double>&);
template double mean_pairwise_distance<float>(const Mat<float>&, const Mat<float>&);
template double mean_pairwise_distance<double>(const Mat<double>&, const Mat<double>&);

double ks_statistic(const VecD& samples, const std::function<double(double)>& cdf) {
  std::vector<double> x(samples.data(), samples.data() + samples.size());
  std::sort(x.begin(), x.end());
  const double n = double(x.size());
  double d = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, (double(i) + 1) / n - f, f - double(i) / n});
  }
  return d;
}

double ks_p_value(double d, Eigen::Index n) {
  const double sn = std::sqrt(double(n)), lambda = (sn + 0.12 + 0.11 / sn) * d;
  if (lambda < 0.2) return 1.0;
  double sum = 0.0, sign = 1.0;
  for (int j = 1; j <= 100; ++j) {
    const double term = sign * std::exp(-2.0 * j * j * lambda * lambda);
    sum += term;
    if (std::abs(term) < 1e-12 * std::abs(sum)) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

}  // namespace si
