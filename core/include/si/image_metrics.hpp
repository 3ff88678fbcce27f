// Yardsticks for generated images (SPEC 11.3): a classifier judge (softmax regression on pixels),
// the Gaussian baseline (the training set's mean and covariance), and bits per dimension.
#pragma once

#include <cstdint>
#include <vector>

#include "si/distributions.hpp"
#include "si/types.hpp"

namespace si {

// Multinomial logistic regression p(c | x) = softmax(W x + b)_c on pixels, fitted by full-batch
// Adam on the mean cross-entropy plus l2 |W|^2 / 2.
struct SoftmaxJudge {
  MatD w;  // classes x d
  VecD b;  // classes
  int classes() const { return int(b.size()); }
  // classes x n probabilities of the columns of x (d x n).
  MatD probabilities(const MatD& x) const;
  // The most probable class of each column.
  std::vector<int> predict(const MatD& x) const;
};
struct JudgeOptions {
  int iterations = 300;
  double lr = 0.05, l2 = 1e-4;
};
SoftmaxJudge train_judge(const MatD& x, const std::vector<std::uint8_t>& labels, int classes,
                         const JudgeOptions& o = {});
double accuracy(const SoftmaxJudge& judge, const MatD& x, const std::vector<std::uint8_t>& labels);

// What the judge says of a set of images: its mean max-probability (confidence) and how many it
// puts in each class.
struct JudgeVerdict {
  double confidence = 0;
  std::vector<std::int64_t> counts;
  int classes_present() const;
};
JudgeVerdict judge_images(const SoftmaxJudge& judge, const MatD& x);

// N(mean, covariance + jitter I) of the columns of x: the pixel-space baseline a model must beat.
GaussianMixture fit_gaussian(const MatD& x, double jitter = 1e-3);

// Bits per dimension in the 8-bit convention: images are bytes y in {0..255}, shown to the model as
// x = (y + u) / 127.5 - 1 with u ~ U[0, 1) (uniform dequantisation), so
//   bpd = (-log p_x(x) + d log 127.5) / (d log 2),
// an upper bound on the discrete model's code length. logp is log p_x at the dequantised points.
double bits_per_dim(double mean_logp, int d);
// The dequantised points of the bytes of images first..first+n (d x n), noise from rng.
MatD dequantise(const std::vector<std::uint8_t>& pixels, int d, std::int64_t first, std::int64_t n, Rng& rng);

}  // namespace si
