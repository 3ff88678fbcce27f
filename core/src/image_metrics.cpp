#include "si/image_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace si {

namespace {

// Column-wise softmax of logits (classes x n), stable.
MatD softmax_columns(MatD z) {
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    z.col(j).array() -= z.col(j).maxCoeff();
    z.col(j) = z.col(j).array().exp().matrix();
    z.col(j) /= z.col(j).sum();
  }
  return z;
}

}  // namespace

MatD SoftmaxJudge::probabilities(const MatD& x) const {
  if (x.rows() != w.cols())
    throw ConfigError("images",
                      "the judge reads " + std::to_string(w.cols()) + " pixels, got " + std::to_string(x.rows()));
  return softmax_columns((w * x).colwise() + b);
}

std::vector<int> SoftmaxJudge::predict(const MatD& x) const {
  const MatD p = probabilities(x);
  std::vector<int> out(size_t(p.cols()));
  for (Eigen::Index j = 0; j < p.cols(); ++j) p.col(j).maxCoeff(&out[size_t(j)]);
  return out;
}

SoftmaxJudge train_judge(const MatD& x, const std::vector<std::uint8_t>& labels, int classes, const JudgeOptions& o) {
  const Eigen::Index d = x.rows(), n = x.cols();
  if (n == 0 || Eigen::Index(labels.size()) != n)
    throw ConfigError("labels", "need one label per image (" + std::to_string(n) + ")");
  MatD y = MatD::Zero(classes, n);  // one-hot
  for (Eigen::Index j = 0; j < n; ++j) {
    if (labels[size_t(j)] >= classes)
      throw ConfigError("labels", "a label is outside 0.." + std::to_string(classes - 1));
    y(labels[size_t(j)], j) = 1;
  }
  SoftmaxJudge m{MatD::Zero(classes, d), VecD::Zero(classes)};
  // Adam on (W, b), full batch: a convex problem, so a few hundred steps settle it.
  MatD mw = MatD::Zero(classes, d), vw = mw;
  VecD mb = VecD::Zero(classes), vb = mb;
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  for (int it = 1; it <= o.iterations; ++it) {
    const MatD g = (m.probabilities(x) - y) / double(n);  // d loss / d logits
    const MatD gw = g * x.transpose() + o.l2 * m.w;
    const VecD gb = g.rowwise().sum();
    mw = b1 * mw + (1 - b1) * gw;
    vw = b2 * vw + (1 - b2) * gw.cwiseAbs2();
    mb = b1 * mb + (1 - b1) * gb;
    vb = b2 * vb + (1 - b2) * gb.cwiseAbs2();
    const double c1 = 1 - std::pow(b1, it), c2 = 1 - std::pow(b2, it);
    m.w.array() -= o.lr / c1 * mw.array() / ((vw.array() / c2).sqrt() + eps);
    m.b.array() -= o.lr / c1 * mb.array() / ((vb.array() / c2).sqrt() + eps);
  }
  return m;
}

double accuracy(const SoftmaxJudge& judge, const MatD& x, const std::vector<std::uint8_t>& labels) {
  const std::vector<int> p = judge.predict(x);
  std::int64_t right = 0;
  for (size_t j = 0; j < p.size(); ++j) right += p[j] == labels.at(j);
  return p.empty() ? 0.0 : double(right) / double(p.size());
}

int JudgeVerdict::classes_present() const {
  return int(std::count_if(counts.begin(), counts.end(), [](std::int64_t c) { return c > 0; }));
}

JudgeVerdict judge_images(const SoftmaxJudge& judge, const MatD& x) {
  const MatD p = judge.probabilities(x);
  JudgeVerdict v;
  v.counts.assign(size_t(judge.classes()), 0);
  double sum = 0;
  for (Eigen::Index j = 0; j < p.cols(); ++j) {
    Eigen::Index c = 0;
    sum += p.col(j).maxCoeff(&c);
    ++v.counts[size_t(c)];
  }
  v.confidence = p.cols() ? sum / double(p.cols()) : 0.0;
  return v;
}

GaussianMixture fit_gaussian(const MatD& x, double jitter) {
  if (x.cols() < 2) throw ConfigError("images", "a Gaussian fit needs at least 2 images");
  const VecD mu = x.rowwise().mean();
  const MatD c = x.colwise() - mu;
  MatD cov = c * c.transpose() / double(x.cols() - 1);
  cov.diagonal().array() += jitter;
  return GaussianMixture({1.0}, {mu}, {cov}, "gaussian fit");
}

double bits_per_dim(double mean_logp, int d) { return (-mean_logp + d * std::log(127.5)) / (d * std::log(2.0)); }

MatD dequantise(const std::vector<std::uint8_t>& pixels, int d, std::int64_t first, std::int64_t n, Rng& rng) {
  if (first < 0 || n < 0 || std::size_t((first + n) * d) > pixels.size())
    throw ConfigError("images", "rows outside the image set");
  MatD x(d, n);
  for (std::int64_t j = 0; j < n; ++j)
    for (int i = 0; i < d; ++i) x(i, j) = (pixels[size_t((first + j) * d + i)] + rng.uniform()) / 127.5 - 1.0;
  return x;
}

}  // namespace si
