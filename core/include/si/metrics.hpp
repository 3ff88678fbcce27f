// Sample-based comparisons of distributions and summary statistics for the tests and the app.
#pragma once

#include <functional>

#include "si/types.hpp"

namespace si {

// Energy distance between the samples X (d x n) and Y (d x m), columns as points:
//   2 mean_ij |x_i - y_j| - mean_ij |x_i - x_j| - mean_ij |y_i - y_j|
// over all pairs, diagonals included (the V-statistic, always >= 0), Euclidean norm. O(n m d),
// computed in double; a few thousand points take milliseconds.
template <typename S>
double energy_distance(const Mat<S>& X, const Mat<S>& Y);

// Mean of the Euclidean distances |x_i - y_j| over all pairs.
template <typename S>
double mean_pairwise_distance(const Mat<S>& X, const Mat<S>& Y);

// Kolmogorov-Smirnov distance sup_x |F_n(x) - F(x)| between the empirical distribution of the
// samples and a continuous CDF F.
double ks_statistic(const VecD& samples, const std::function<double(double)>& cdf);
// Its asymptotic p-value P(D >= d) for n samples (Kolmogorov's series with Stephens' small-sample
// correction, lambda = (sqrt(n) + 0.12 + 0.11 / sqrt(n)) d).
double ks_p_value(double d, Eigen::Index n);

double mean(const VecD& v);
// Sample standard deviation (n - 1 denominator) over sqrt(n): the standard error of the mean.
// Needs at least 2 values.
double standard_error(const VecD& v);

}  // namespace si
