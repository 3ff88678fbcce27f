#include "si/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "si/datasets.hpp"

namespace si {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

void check_x_rows(const MatD& x, int d) {
  if (x.rows() != d)
    throw ConfigError("x", "expected " + std::to_string(d) + " rows (the dimension), got " + std::to_string(x.rows()));
}

// Symmetric (1e-9 relative to the largest entry), finite and positive definite; `what` names the
// matrix in messages ("covariance 2", "the covariance").
void check_cov(const MatD& c, int d, const std::string& field, const std::string& what) {
  if (c.rows() != d || c.cols() != d)
    throw ConfigError(field, what + " must be " + std::to_string(d) + " x " + std::to_string(d) + ", got " +
                                 std::to_string(c.rows()) + " x " + std::to_string(c.cols()));
  if (!c.allFinite()) throw ConfigError(field, what + " contains a non-finite number (NaN or inf)");
  const double scale = c.cwiseAbs().maxCoeff();
  if ((c - c.transpose()).cwiseAbs().maxCoeff() > 1e-9 * scale) throw ConfigError(field, what + " is not symmetric");
  Eigen::LLT<MatD> llt(c);
  if (llt.info() != Eigen::Success || !(llt.matrixL().toDenseMatrix().diagonal().array() > 0.0).all())
    throw ConfigError(field, what + " is not positive definite");
}

}  // namespace

VecD Distribution::log_density(const MatD&) const {
  throw std::logic_error("the density of '" + name() + "' is not known (has_log_density() is false)");
}

GaussianMixture::GaussianMixture(std::vector<double> weights, std::vector<VecD> means, std::vector<MatD> covs,
                                 const std::string& field)
    : weights_(std::move(weights)), means_(std::move(means)), covs_(std::move(covs)) {
  const size_t k = weights_.size();
  if (k == 0) throw ConfigError(field + ".weights", "needs at least one component");
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
    check_cov(covs_[i], static_cast<int>(d), field + ".covs", "covariance " + std::to_string(i));
    covs_[i] = 0.5 * (covs_[i] + covs_[i].transpose());  // exactly symmetric from here on
    chol_[i] = covs_[i].llt().matrixL();
    log_norm_[i] = std::log(weights_[i]) - chol_[i].diagonal().array().log().sum() - 0.5 * d * kLog2Pi;
  }
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

MatD GaussianMixture::sample(Eigen::Index n, Rng& rng) const {
  if (n < 0) throw ConfigError("n", "must be >= 0, got " + std::to_string(n));
  const int d = dim(), k = components();
  std::vector<double> cdf(k);
  double acc = 0.0;
  for (int i = 0; i < k; ++i) cdf[i] = (acc += weights_[i]);
  MatD out(d, n);
  VecD z(d);
  for (Eigen::Index j = 0; j < n; ++j) {
    int c = 0;
    if (k > 1) {  // one uniform per point picks the component by inverse CDF
      const double u = rng.uniform();
      c = static_cast<int>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
      c = std::min(c, k - 1);  // rounding can leave cdf.back() a hair below 1
    }
    for (int r = 0; r < d; ++r) z(r) = rng.normal();
    out.col(j).noalias() = means_[c] + chol_[c].triangularView<Eigen::Lower>() * z;
  }
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
// JSON specs

namespace {

using nlohmann::json;

std::string describe(const json& j) {
  if (j.is_null()) return "null";
  if (j.is_string()) return "'" + j.get<std::string>() + "'";
  const std::string s = j.dump();
  return s.size() > 40 ? s.substr(0, 40) + "..." : s;
}

void check_keys(const json& spec, const std::string& field, const std::string& type,
                const std::vector<std::string>& allowed) {
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    if (it.key() == "type" || std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
    std::vector<std::string> all = {"type"};
    all.insert(all.end(), allowed.begin(), allowed.end());
    throw ConfigError(field + "." + it.key(),
                      "unknown key '" + it.key() + "' for type '" + type + "'; allowed: " + join(all));
  }
}

double get_number(const json& j, const std::string& field) {
  if (!j.is_number()) throw ConfigError(field, "must be a number, got " + describe(j));
  const double v = j.get<double>();
  if (!std::isfinite(v)) throw ConfigError(field, "must be a finite number, got " + fmt(v));
  return v;
}

double number_or(const json& spec, const char* key, double dflt, const std::string& field) {
  return spec.contains(key) ? get_number(spec[key], field + "." + key) : dflt;
}

// Integers arrive from JavaScript as doubles; accept any number with an integral value.
long long integer_or(const json& spec, const char* key, long long dflt, long long lo, long long hi,
                     const std::string& field) {
  if (!spec.contains(key)) return dflt;
  const std::string f = field + "." + key;
  const json& j = spec[key];
  const std::string range = "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!j.is_number()) throw ConfigError(f, range + ", got " + describe(j));
  long long v;
  if (j.is_number_unsigned()) {
    const auto u = j.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(hi)) throw ConfigError(f, range + ", got " + describe(j));
    v = static_cast<long long>(u);
  } else if (j.is_number_integer()) {
    v = j.get<long long>();
  } else {
    const double dv = j.get<double>();
    if (!std::isfinite(dv) || dv != std::floor(dv) || dv < lo || dv > hi)
      throw ConfigError(f, range + ", got " + describe(j));
    v = static_cast<long long>(dv);
  }
  if (v < lo || v > hi) throw ConfigError(f, range + ", got " + std::to_string(v));
  return v;
}

VecD get_vector(const json& j, const std::string& field) {
  if (!j.is_array() || j.empty()) throw ConfigError(field, "must be a non-empty array of numbers, got " + describe(j));
  VecD v(j.size());
  for (size_t i = 0; i < j.size(); ++i) v(i) = get_number(j[i], field + "[" + std::to_string(i) + "]");
  return v;
}

MatD get_matrix(const json& j, const std::string& field) {
  if (!j.is_array() || j.empty() || !j[0].is_array())
    throw ConfigError(field, "must be a non-empty array of rows (arrays of numbers), got " + describe(j));
  const size_t rows = j.size(), cols = j[0].size();
  MatD m(rows, cols);
  for (size_t r = 0; r < rows; ++r) {
    const std::string fr = field + "[" + std::to_string(r) + "]";
    if (!j[r].is_array() || j[r].size() != cols)
      throw ConfigError(fr,
                        "every row must be an array of " + std::to_string(cols) + " numbers, got " + describe(j[r]));
    for (size_t c = 0; c < cols; ++c) m(r, c) = get_number(j[r][c], fr + "[" + std::to_string(c) + "]");
  }
  return m;
}

const json& require(const json& spec, const char* key, const std::string& field, const std::string& what) {
  if (!spec.contains(key)) throw ConfigError(field + "." + key, "required: " + what);
  return spec[key];
}

std::unique_ptr<Distribution> make_gaussian(const json& spec, const std::string& field) {
  check_keys(spec, field, "gaussian", {"mean", "cov", "dim"});
  const bool has_dim = spec.contains("dim");
  long long d = integer_or(spec, "dim", 2, 1, 4096, field);
  VecD mean;
  if (spec.contains("mean")) {
    mean = get_vector(spec["mean"], field + ".mean");
    if (has_dim && mean.size() != d)
      throw ConfigError(field + ".mean",
                        "has " + std::to_string(mean.size()) + " entries but dim is " + std::to_string(d));
    d = mean.size();
  } else {
    mean = VecD::Zero(d);
  }
  MatD cov = MatD::Identity(d, d);
  if (spec.contains("cov")) {
    cov = get_matrix(spec["cov"], field + ".cov");
    check_cov(cov, static_cast<int>(d), field + ".cov", "the covariance");
  }
  auto g = std::make_unique<GaussianMixture>(std::vector<double>{1.0}, std::vector<VecD>{mean}, std::vector<MatD>{cov},
                                             field);
  return g;
}

std::unique_ptr<Distribution> make_gmm(const json& spec, const std::string& field) {
  check_keys(spec, field, "gmm", {"weights", "means", "covs"});
  const json& jm = require(spec, "means", field, "an array of mean vectors, one per component");
  const json& jc = require(spec, "covs", field, "an array of covariance matrices, one per component");
  if (!jm.is_array() || jm.empty())
    throw ConfigError(field + ".means", "must be a non-empty array of mean vectors, got " + describe(jm));
  if (!jc.is_array())
    throw ConfigError(field + ".covs", "must be an array of covariance matrices, got " + describe(jc));
  std::vector<VecD> means;
  for (size_t i = 0; i < jm.size(); ++i)
    means.push_back(get_vector(jm[i], field + ".means[" + std::to_string(i) + "]"));
  std::vector<MatD> covs;
  for (size_t i = 0; i < jc.size(); ++i) covs.push_back(get_matrix(jc[i], field + ".covs[" + std::to_string(i) + "]"));
  std::vector<double> weights(means.size(), 1.0 / static_cast<double>(means.size()));
  if (spec.contains("weights")) {
    const json& jw = spec["weights"];
    if (!jw.is_array() || jw.empty())
      throw ConfigError(field + ".weights", "must be a non-empty array of positive numbers, got " + describe(jw));
    weights.clear();
    for (size_t i = 0; i < jw.size(); ++i) {
      if (!jw[i].is_number())
        throw ConfigError(field + ".weights",
                          "weight " + std::to_string(i) + " must be a number, got " + describe(jw[i]));
      weights.push_back(jw[i].get<double>());
    }
  }
  return std::make_unique<GaussianMixture>(std::move(weights), std::move(means), std::move(covs), field);
}

std::unique_ptr<Distribution> make_random_gmm(const json& spec, const std::string& field) {
  check_keys(spec, field, "random-gmm", {"components", "seed", "dim"});
  const int k = static_cast<int>(integer_or(spec, "components", 3, 1, 10000, field));
  const long long seed = integer_or(spec, "seed", 0, 0, std::numeric_limits<long long>::max(), field);
  const int d = static_cast<int>(integer_or(spec, "dim", 2, 1, 4096, field));
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
  auto g = std::make_unique<GaussianMixture>(std::move(weights), std::move(means), std::move(covs), field);
  g->set_name("random-gmm");
  return g;
}

std::unique_ptr<Distribution> make_points(const json& spec, const std::string& field) {
  check_keys(spec, field, "points", {"points", "bandwidth"});
  const json& jp = require(spec, "points", field, "an array of at least 2 points, e.g. [[0, 1], [2, 3]]");
  if (!jp.is_array()) throw ConfigError(field + ".points", "must be an array of points, got " + describe(jp));
  if (jp.size() < 2) throw ConfigError(field + ".points", "needs at least 2 points, got " + std::to_string(jp.size()));
  const double bw = number_or(spec, "bandwidth", 0.05, field);
  if (!(bw > 0.0)) throw ConfigError(field + ".bandwidth", "must be a number > 0, got " + fmt(bw));
  std::vector<VecD> means;
  for (size_t i = 0; i < jp.size(); ++i) {
    means.push_back(get_vector(jp[i], field + ".points[" + std::to_string(i) + "]"));
    if (means.back().size() != means[0].size())
      throw ConfigError(field + ".points[" + std::to_string(i) + "]", "has " + std::to_string(means.back().size()) +
                                                                          " coordinates, the first point has " +
                                                                          std::to_string(means[0].size()));
  }
  const Eigen::Index d = means[0].size();
  const size_t k = means.size();
  std::vector<MatD> covs(k, bw * bw * MatD::Identity(d, d));
  auto g = std::make_unique<GaussianMixture>(std::vector<double>(k, 1.0 / k), std::move(means), std::move(covs), field);
  g->set_name("points");
  return g;
}

std::unique_ptr<Distribution> make_shape(ShapeKind kind, const std::string& type, const json& spec,
                                         const std::string& field) {
  check_keys(spec, field, type, {"noise"});
  const double noise = number_or(spec, "noise", Shape2D::default_noise(kind), field);
  return std::make_unique<Shape2D>(kind, noise, field);
}

}  // namespace

const std::vector<std::string>& distribution_types() {
  static const std::vector<std::string> types = {"gaussian",   "gmm",       "random-gmm", "checkerboard",
                                                 "8gaussians", "moons",     "spirals",    "rings",
                                                 "pinwheel",   "swissroll", "points"};
  return types;
}

std::unique_ptr<Distribution> make_distribution(const nlohmann::json& spec_in, const std::string& field) {
  json spec = spec_in;
  if (spec.is_string()) spec = json{{"type", spec.get<std::string>()}};
  if (!spec.is_object())
    throw ConfigError(
        field, "must be an object with a \"type\" (one of " + join(distribution_types()) + "), got " + describe(spec));
  if (!spec.contains("type")) throw ConfigError(field + ".type", "missing; allowed: " + join(distribution_types()));
  if (!spec["type"].is_string())
    throw ConfigError(field + ".type",
                      "must be a string, one of " + join(distribution_types()) + "; got " + describe(spec["type"]));
  const std::string type = spec["type"].get<std::string>();
  if (type == "gaussian") return make_gaussian(spec, field);
  if (type == "gmm") return make_gmm(spec, field);
  if (type == "random-gmm") return make_random_gmm(spec, field);
  if (type == "points") return make_points(spec, field);
  if (type == "checkerboard") {
    check_keys(spec, field, type, {});
    return std::make_unique<Checkerboard>();
  }
  if (type == "8gaussians") {
    check_keys(spec, field, type, {"radius", "noise"});
    const double radius = number_or(spec, "radius", 2.0 * std::sqrt(2.0), field);
    const double noise = number_or(spec, "noise", 0.5 / std::sqrt(2.0), field);
    if (!(radius >= 0.0)) throw ConfigError(field + ".radius", "must be a number >= 0, got " + fmt(radius));
    if (!(noise > 0.0))
      throw ConfigError(field + ".noise",
                        "must be a number > 0 (each Gaussian's standard deviation), got " + fmt(noise));
    return std::make_unique<GaussianMixture>(eight_gaussians(radius, noise, field));
  }
  if (type == "moons") return make_shape(ShapeKind::Moons, type, spec, field);
  if (type == "spirals") return make_shape(ShapeKind::Spirals, type, spec, field);
  if (type == "rings") return make_shape(ShapeKind::Rings, type, spec, field);
  if (type == "pinwheel") return make_shape(ShapeKind::Pinwheel, type, spec, field);
  if (type == "swissroll") return make_shape(ShapeKind::SwissRoll, type, spec, field);
  throw ConfigError(field + ".type", "unknown type '" + type + "'; allowed: " + join(distribution_types()));
}

}  // namespace si
