// Distributions the interpolant joins: Gaussians, Gaussian mixtures (exact fields exist for these,
// see gmm_fields.hpp) and the 2-D data sets of SPEC section 7. Samples are d x n, double.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "si/registry.hpp"
#include "si/rng.hpp"
#include "si/types.hpp"

namespace si {

class GaussianMixture;

class Distribution {
 public:
  virtual ~Distribution() = default;
  virtual int dim() const = 0;
  virtual std::string name() const = 0;
  // n independent samples as the columns of a d x n matrix.
  virtual MatD sample(Eigen::Index n, Rng& rng) const = 0;
  // The same samples with their arithmetic split over `threads` threads, where a distribution's is
  // worth splitting (the Gaussian mixture's); the values do not depend on the count.
  virtual MatD sample_on_threads(Eigen::Index n, Rng& rng, int threads) const {
    (void)threads;
    return sample(n, rng);
  }
  // Whether log_density is known exactly.
  virtual bool has_log_density() const { return false; }
  // log density at each column of x (-inf off the support); throws std::logic_error if unknown.
  virtual VecD log_density(const MatD& x) const;
  // Non-null when this distribution is a Gaussian mixture, so exact fields apply.
  virtual const GaussianMixture* as_mixture() const { return nullptr; }
};

// sum_k w_k N(mu_k, C_k) with full covariances; Gaussian = one component.
class GaussianMixture : public Distribution {
 public:
  // Validates (field names prefixed by `field`): weights positive summing to 1 (1e-6), matching
  // dimensions, symmetric positive-definite covariances, every number finite.
  // cov_field / cov_what name a covariance problem when the covariances derive from another field
  // (e.g. "target.bandwidth", "the covariance bandwidth^2 I"); default "<field>.covs", "covariance i".
  // Sizes are checked against si/limits.hpp first; each covariance is factorised once.
  GaussianMixture(std::vector<double> weights, std::vector<VecD> means, std::vector<MatD> covs,
                  const std::string& field = "distribution", const std::string& cov_field = "",
                  const std::string& cov_what = "");
  static GaussianMixture standard_normal(int d);

  int dim() const override;
  // "gaussian" or "gmm" unless set_name gave the data set's name (e.g. "8gaussians", "points").
  std::string name() const override;
  void set_name(std::string name) { name_ = std::move(name); }
  MatD sample(Eigen::Index n, Rng& rng) const override { return sample_on_threads(n, rng, 1); }
  MatD sample_on_threads(Eigen::Index n, Rng& rng, int threads) const override;
  bool has_log_density() const override { return true; }
  VecD log_density(const MatD& x) const override;
  const GaussianMixture* as_mixture() const override { return this; }

  int components() const { return static_cast<int>(weights_.size()); }
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<VecD>& means() const { return means_; }
  const std::vector<MatD>& covs() const { return covs_; }
  // Whether this is exactly N(0, I) (one-sided and mirror paths need that base).
  bool is_standard_normal() const;

 private:
  std::vector<double> weights_;
  std::vector<VecD> means_;
  std::vector<MatD> covs_;
  std::vector<MatD> chol_;         // lower Cholesky factors
  std::vector<double> log_norm_;   // log w_k - log det L_k - d/2 log(2 pi)
  bool exactly_standard_ = false;  // mean 0 and Cholesky factor I, exactly: a sample is its normals
  std::string name_;
};

class JsonReader;

// A data set by its JSON "type" (SPEC section 7): the table of every type a config may name. The
// mixtures are registered in distributions.cpp, the others in datasets.cpp, and any source file
// may add one with a DatasetRegistration (CONTRIBUTING.md).
struct DatasetDef {
  std::string name;         // the "type"
  std::string description;  // one line for docs and the page
  int dim = 2;              // its dimension; 0: set by the spec
  bool mixture = false;     // a Gaussian mixture (exact fields apply)
  bool density = false;     // its log density is known
  // Reads the spec's own keys through the reader (unknown keys are rejected after it returns) and
  // builds the distribution; errors name reader.key(...).
  std::unique_ptr<Distribution> (*make)(JsonReader& spec) = nullptr;
};
Registry<DatasetDef>& datasets();

// `static const si::DatasetRegistration r{{"name", ...}};` in a source file adds a data set.
struct DatasetRegistration {
  explicit DatasetRegistration(DatasetDef def);
};

// Builds a distribution from its JSON description; `field` prefixes error messages. Types (see
// datasets() for the full list):
//   {"type": "gaussian", "mean": [..], "cov": [[..]]}  (defaults: d = 2, N(0, I); "dim" sets d)
//   {"type": "gmm", "weights": [..], "means": [[..]], "covs": [[[..]]]}
//   {"type": "random-gmm", "components": 3, "seed": 0, "dim": 2}  (reference notebook's mixture)
//   {"type": "checkerboard"}, {"type": "8gaussians"}, {"type": "moons"}, {"type": "spirals"},
//   {"type": "rings"}, {"type": "pinwheel"}, {"type": "swissroll"}
//   {"type": "points", "points": [[x, y], ..], "bandwidth": 0.05}  (user points, a mixture)
// Details and defaults:
//   gaussian: "mean" sets d; "cov" must be d x d symmetric positive definite.
//   gmm: "weights" default equal; "means" and "covs" required.
//   random-gmm: equal weights, means 2 N(0, I), covariances (C^T C + I) / 4, C ~ N(0, 1)^{d x d},
//     drawn from si::Rng(seed); components 1..10000, dim 1..4096.
//   8gaussians: {"radius": 2 sqrt(2), "noise": 1 / (2 sqrt(2))} (noise = each component's std > 0).
//   moons, spirals, rings, pinwheel, swissroll: {"noise": >= 0} (see datasets.hpp for defaults).
//   points: >= 2 points of one dimension; an equal-weight mixture with covariance bandwidth^2 I.
// A bare string is shorthand for {"type": string}. Unknown keys, wrong types and out-of-range values
// throw ConfigError naming the field (e.g. "target.noise").
std::unique_ptr<Distribution> make_distribution(const nlohmann::json& spec, const std::string& field);
std::vector<std::string> distribution_types();  // datasets().names()

}  // namespace si
