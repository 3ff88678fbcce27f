#include "si/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "si/datasets.hpp"
#include "si/json_reader.hpp"
#include "si/limits.hpp"
#include "si/parallel.hpp"

namespace si {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

void check_x_rows(const MatD& x, int d) {
  if (x.rows() != d)
    throw ConfigError("x", "expected " + std::to_string(d) + " rows (the dimension), got " + std::to_string(x.rows()));
}

// Symmetric (1e-9 relative to the largest entry), finite and positive definite; `what` names the
// matrix in messages ("covariance 2", "the covariance"). Returns its lower Cholesky factor (the one
// factorisation of the matrix).
MatD checked_cholesky(const MatD& c, int d, const std::string& field, const std::string& what) {
  if (c.rows() != d || c.cols() != d)
    throw ConfigError(field, what + " must be " + std::to_string(d) + " x " + std::to_string(d) + ", got " +
                                 std::to_string(c.rows()) + " x " + std::to_string(c.cols()));
  if (!c.allFinite()) throw ConfigError(field, what + " contains a non-finite number (NaN or inf)");
  const double scale = c.cwiseAbs().maxCoeff();
  if ((c - c.transpose()).cwiseAbs().maxCoeff() > 1e-9 * scale) throw ConfigError(field, what + " is not symmetric");
  Eigen::LLT<MatD> llt(0.5 * (c + c.transpose()));
  MatD L = llt.matrixL();
  if (llt.info() != Eigen::Success || !(L.diagonal().array() > 0.0).all() ||
      !std::isfinite(L.diagonal().array().log().sum()))
    throw ConfigError(field,
                      what + " is not positive definite" +
                          (scale < 1e-150 ? " (its entries underflow to 0: a scale that small is not usable)" : ""));
  return L;
}

}  // namespace

VecD Distribution::log_density(const MatD&) const {
  throw std::logic_error("the density of '" + name() + "' is not known (has_log_density() is false)");
}

GaussianMixture::GaussianMixture(std::vector<double> weights, std::vector<VecD> means, std::vector<MatD> covs,
                                 const std::string& field, const std::string& cov_field, const std::string& cov_what)
    : weights_(std::move(weights)), means_(std::move(means)), covs_(std::move(covs)) {
  const size_t k = weights_.size();
  if (k == 0) throw ConfigError(field + ".weights", "needs at least one component");
  if (static_cast<std::int64_t>(k) > limits::kMaxComponents)
    throw ConfigError(field + ".weights", "has " + std::to_string(k) + " components, more than the limit of " +
                                              std::to_string(limits::kMaxComponents));
  double sum = 0.0;
  for (size_t i = 0; i < k; ++i) {
    if (!std::isfinite(weights_[i]) || !(weights_[i] > 0.0))
      throw ConfigError(field + ".weights", "weights must be positive finite numbers, got weight " + std::to_string(i) +
                                                " = " + fmt(weights_[i]));
    sum += weights_[i];
  }
  if (std::abs(sum - 1.0) > 1e-6)
    throw ConfigError(field + ".weights", "weights must sum to 1 (within 1e-6), got " + fmt(sum));
  // Renormalise so the mixture is exactly a probability distribution.
  for (auto& w : weights_) w /= sum;

  if (means_.size() != k)
    throw ConfigError(field + ".means", "expected " + std::to_string(k) + " means (one per weight), got " +
                                            std::to_string(means_.size()));
  const Eigen::Index d = means_[0].size();
  if (d < 1) throw ConfigError(field + ".means", "means must have dimension >= 1");
  if (d > limits::kMaxDim)
    throw ConfigError(field + ".means", "dimension " + std::to_string(d) + " is more than the limit of " +
                                            std::to_string(limits::kMaxDim));
  limits::check_cost(double(k) * d * d * d, limits::kMaxMixtureCost, field, "factorising the covariances");
  for (size_t i = 0; i < k; ++i) {
    if (means_[i].size() != d)
      throw ConfigError(field + ".means", "mean " + std::to_string(i) + " has dimension " +
                                              std::to_string(means_[i].size()) + ", expected " + std::to_string(d));
    if (!means_[i].allFinite())
      throw ConfigError(field + ".means", "mean " + std::to_string(i) + " contains a non-finite number (NaN or inf)");
  }
  if (covs_.size() != k)
    throw ConfigError(field + ".covs", "expected " + std::to_string(k) + " covariances (one per weight), got " +
                                           std::to_string(covs_.size()));
  chol_.resize(k);
  log_norm_.resize(k);
  for (size_t i = 0; i < k; ++i) {
    chol_[i] = checked_cholesky(covs_[i], static_cast<int>(d), cov_field.empty() ? field + ".covs" : cov_field,
                                cov_what.empty() ? "covariance " + std::to_string(i) : cov_what);
    covs_[i] = 0.5 * (covs_[i] + covs_[i].transpose());  // exactly symmetric from here on
    log_norm_[i] = std::log(weights_[i]) - chol_[i].diagonal().array().log().sum() - 0.5 * d * kLog2Pi;
  }
  exactly_standard_ = k == 1 && means_[0].isZero(0.0) && chol_[0].isIdentity(0.0);
}

GaussianMixture GaussianMixture::standard_normal(int d) {
  if (d < 1) throw ConfigError("dim", "must be an integer >= 1, got " + std::to_string(d));
  GaussianMixture g({1.0}, {VecD::Zero(d)}, {MatD::Identity(d, d)});
  return g;
}

std::string GaussianMixture::name() const {
  if (!name_.empty()) return name_;
  return components() == 1 ? "gaussian" : "gmm";
}

int GaussianMixture::dim() const { return static_cast<int>(means_[0].size()); }

bool GaussianMixture::is_standard_normal() const {
  if (components() != 1) return false;
  const int d = dim();
  return means_[0].cwiseAbs().maxCoeff() <= 1e-12 && (covs_[0] - MatD::Identity(d, d)).cwiseAbs().maxCoeff() <= 1e-12;
}

MatD GaussianMixture::sample_on_threads(Eigen::Index n, Rng& rng, int threads) const {
  if (n < 0) throw ConfigError("n", "must be >= 0, got " + std::to_string(n));
  const int d = dim(), k = components();
  std::vector<double> cdf(k);
  double acc = 0.0;
  for (int i = 0; i < k; ++i) cdf[i] = (acc += weights_[i]);
  // The draws in the generator's order, serially (one uniform per point picks the component by
  // inverse CDF, then d normals); then the arithmetic, by ranges of the points, on the threads.
  std::vector<int> component(size_t(n), 0);
  DeferredNormals& z = DeferredNormals::scratch();
  for (Eigen::Index j = 0; j < n; ++j) {
    if (k > 1) {
      const double u = rng.uniform();
      const int c = static_cast<int>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
      component[size_t(j)] = std::min(c, k - 1);  // rounding can leave cdf.back() a hair below 1
    }
    z.take(rng, d);
  }
  z.compute(threads);
  const Eigen::Map<const MatD> normals(z.data(), d, n);
  MatD out(d, n);
  if (exactly_standard_) {  // 0 + I z is z
    out = normals;
    z.release_if_large();
    return out;
  }
  by_ranges(n, threads, std::max<std::int64_t>(1, 50'000 / (std::int64_t(d) * d)),
            [&](Eigen::Index begin, Eigen::Index end) {
              for (Eigen::Index j = begin; j < end; ++j) {
                const int c = component[size_t(j)];
                out.col(j).noalias() = means_[c] + chol_[c].triangularView<Eigen::Lower>() * normals.col(j);
              }
            });
  z.release_if_large();
  return out;
}

VecD GaussianMixture::log_density(const MatD& x) const {
  const int d = dim();
  check_x_rows(x, d);
  const Eigen::Index n = x.cols();
  // Streaming log-sum-exp over components: running max m and sum of exp(l - m), so far tails
  // (every component's density underflowing) still give the right finite value.
  VecD m = VecD::Constant(n, -std::numeric_limits<double>::infinity());
  VecD acc = VecD::Zero(n);
  for (int i = 0; i < components(); ++i) {
    MatD r = x.colwise() - means_[i];
    chol_[i].triangularView<Eigen::Lower>().solveInPlace(r);
    const VecD l = (log_norm_[i] - 0.5 * r.colwise().squaredNorm().array()).transpose();
    for (Eigen::Index j = 0; j < n; ++j) {
      // A component with density 0 here adds nothing (and exp(-inf - -inf) would be NaN).
      if (l(j) == -std::numeric_limits<double>::infinity()) continue;
      if (l(j) > m(j)) {
        acc(j) = acc(j) * std::exp(m(j) - l(j)) + 1.0;
        m(j) = l(j);
      } else {
        acc(j) += std::exp(l(j) - m(j));
      }
    }
  }
  return m.array() + acc.array().log();
}

// ---------------------------------------------------------------------------------------------
// JSON specs: the mixtures registered here, the other data sets in datasets.cpp.

namespace {

using nlohmann::json;

std::unique_ptr<Distribution> make_gaussian(JsonReader& spec) {
  const bool has_dim = spec.has("dim");
  std::int64_t d = spec.integer("dim", 2, 1, limits::kMaxDim);
  VecD mean;
  if (spec.has("mean")) {
    const json& jm = spec.at("mean");
    if (jm.is_array() && static_cast<std::int64_t>(jm.size()) > limits::kMaxDim)
      throw ConfigError(spec.key("mean"), "has " + std::to_string(jm.size()) + " entries, more than the limit of " +
                                              std::to_string(limits::kMaxDim) + " dimensions");
    mean = json_vector(jm, spec.key("mean"));
    if (has_dim && mean.size() != d)
      throw ConfigError(spec.key("mean"),
                        "has " + std::to_string(mean.size()) + " entries but dim is " + std::to_string(d));
    d = mean.size();
  } else {
    mean = VecD::Zero(d);
  }
  MatD cov = MatD::Identity(d, d);
  if (spec.has("cov")) cov = json_matrix(spec.at("cov"), spec.key("cov"));
  return std::make_unique<GaussianMixture>(std::vector<double>{1.0}, std::vector<VecD>{mean}, std::vector<MatD>{cov},
                                           spec.path(), spec.key("cov"), "the covariance");
}

std::unique_ptr<Distribution> make_gmm(JsonReader& spec) {
  const json& jm = spec.require("means", "an array of mean vectors, one per component");
  const json& jc = spec.require("covs", "an array of covariance matrices, one per component");
  if (!jm.is_array() || jm.empty())
    throw ConfigError(spec.key("means"), "must be a non-empty array of mean vectors, got " + describe_json(jm));
  if (!jc.is_array())
    throw ConfigError(spec.key("covs"), "must be an array of covariance matrices, got " + describe_json(jc));
  std::vector<VecD> means;
  for (size_t i = 0; i < jm.size(); ++i)
    means.push_back(json_vector(jm[i], spec.key("means") + "[" + std::to_string(i) + "]"));
  std::vector<MatD> covs;
  for (size_t i = 0; i < jc.size(); ++i)
    covs.push_back(json_matrix(jc[i], spec.key("covs") + "[" + std::to_string(i) + "]"));
  std::vector<double> weights(means.size(), 1.0 / static_cast<double>(means.size()));
  if (spec.has("weights")) {
    const json& jw = spec.at("weights");
    if (!jw.is_array() || jw.empty())
      throw ConfigError(spec.key("weights"), "must be a non-empty array of positive numbers, got " + describe_json(jw));
    weights.clear();
    for (size_t i = 0; i < jw.size(); ++i) {
      if (!jw[i].is_number())
        throw ConfigError(spec.key("weights"),
                          "weight " + std::to_string(i) + " must be a number, got " + describe_json(jw[i]));
      weights.push_back(jw[i].get<double>());
    }
  }
  return std::make_unique<GaussianMixture>(std::move(weights), std::move(means), std::move(covs), spec.path());
}

std::unique_ptr<Distribution> make_random_gmm(JsonReader& spec) {
  const int k = static_cast<int>(spec.integer("components", 3, 1, limits::kMaxComponents));
  const auto seed = spec.integer("seed", 0, 0, limits::kMaxSeed);
  const int d = static_cast<int>(spec.integer("dim", 2, 1, limits::kMaxDim));
  limits::check_random_mixture(k, d, spec.path());  // before drawing anything
  Rng rng(static_cast<std::uint64_t>(seed));
  std::vector<double> weights(k, 1.0 / k);
  std::vector<VecD> means;
  std::vector<MatD> covs;
  for (int i = 0; i < k; ++i) {
    VecD mu(d);
    for (int r = 0; r < d; ++r) mu(r) = 2.0 * rng.normal();
    means.push_back(mu);
  }
  for (int i = 0; i < k; ++i) {
    const MatD c = rng.normal_matrix<double>(d, d);
    covs.push_back((c.transpose() * c + MatD::Identity(d, d)) / 4.0);
  }
  auto g = std::make_unique<GaussianMixture>(std::move(weights), std::move(means), std::move(covs), spec.path());
  g->set_name("random-gmm");
  return g;
}

std::unique_ptr<Distribution> make_points(JsonReader& spec) {
  const json& jp = spec.require("points", "an array of at least 2 points, e.g. [[0, 1], [2, 3]]");
  if (!jp.is_array()) throw ConfigError(spec.key("points"), "must be an array of points, got " + describe_json(jp));
  if (jp.size() < 2) throw ConfigError(spec.key("points"), "needs at least 2 points, got " + std::to_string(jp.size()));
  if (static_cast<std::int64_t>(jp.size()) > limits::kMaxPoints)
    throw ConfigError(spec.key("points"), "has " + std::to_string(jp.size()) + " points, more than the limit of " +
                                              std::to_string(limits::kMaxPoints));
  const double bw = spec.positive("bandwidth", 0.05);
  std::vector<VecD> means;
  for (size_t i = 0; i < jp.size(); ++i) {
    const std::string fi = spec.key("points") + "[" + std::to_string(i) + "]";
    means.push_back(json_vector(jp[i], fi));
    if (means.back().size() != means[0].size())
      throw ConfigError(fi, "has " + std::to_string(means.back().size()) + " coordinates, the first point has " +
                                std::to_string(means[0].size()));
  }
  const Eigen::Index d = means[0].size();
  const size_t k = means.size();
  std::vector<MatD> covs(k, bw * bw * MatD::Identity(d, d));
  auto g = std::make_unique<GaussianMixture>(std::vector<double>(k, 1.0 / k), std::move(means), std::move(covs),
                                             spec.path(), spec.key("bandwidth"), "the covariance bandwidth^2 I");
  g->set_name("points");
  return g;
}

}  // namespace

Registry<DatasetDef>& datasets() {
  // The mixtures; datasets.cpp registers the other built-in data sets after these.
  static Registry<DatasetDef> table(
      "type",
      {
          {"gaussian", "N(mean, cov); dim sets d when mean is not given", 0, true, true, make_gaussian},
          {"gmm", "a Gaussian mixture: weights, means, covs", 0, true, true, make_gmm},
          {"random-gmm", "the reference notebook's random mixture: components, seed, dim", 0, true, true,
           make_random_gmm},
          {"points", "points you give (or draw), each a small Gaussian of std bandwidth", 0, true, true, make_points},
      });
  return table;
}

DatasetRegistration::DatasetRegistration(DatasetDef def) { datasets().add(std::move(def)); }

std::vector<std::string> distribution_types() { return datasets().names(); }

std::unique_ptr<Distribution> make_distribution(const nlohmann::json& spec_in, const std::string& field) {
  json spec = spec_in;
  if (spec.is_string()) spec = json{{"type", spec.get<std::string>()}};
  const Registry<DatasetDef>& table = datasets();
  if (!spec.is_object())
    throw ConfigError(field,
                      "must be an object with a \"type\" (one of " + table.allowed() + "), got " + describe_json(spec));
  if (!spec.contains("type")) throw ConfigError(field + ".type", "missing; allowed: " + table.allowed());
  if (!spec["type"].is_string())
    throw ConfigError(field + ".type",
                      "must be a string, one of " + table.allowed() + "; got " + describe_json(spec["type"]));
  const DatasetDef& def = table.at(spec["type"].get<std::string>(), field + ".type");
  JsonReader reader(spec, field, "key", "for type '" + def.name + "'");
  reader.has("type");
  std::unique_ptr<Distribution> dist = def.make(reader);
  reader.finish();
  return dist;
}

}  // namespace si
