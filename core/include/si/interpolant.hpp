// Interpolant paths and gammas (SPEC section 1):
//   x_t = alpha(t) x0 + beta(t) x1 + gamma(t) z,   dI/dt = alpha'(t) x0 + beta'(t) x1.
// One-sided paths use x0 ~ N(0, I) as the noise (latent gamma = 0); the mirror path is
// x_t = x1 + gamma(t) x0, i.e. alpha = gamma, beta = 1, latent gamma = 0.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "si/types.hpp"

namespace si {

enum class PathKind { Linear, Trig, EncodingDecoding, OneSidedLinear, OneSidedTrig, Mirror, Custom };
enum class GammaKind { Brownian, ABrownian, Zero, BSquared, SineSquared, Sigmoid, Custom };
// Which of the two ends carries the noise that eta predicts.
enum class Sidedness { TwoSided, OneSided, Mirror };

const std::vector<std::string>& path_names();
const std::vector<std::string>& gamma_names();
PathKind path_from_name(const std::string& name, const std::string& field = "path");
GammaKind gamma_from_name(const std::string& name, const std::string& field = "gamma");
std::string to_name(PathKind k);
std::string to_name(GammaKind k);

// User-given functions of t for a custom gamma: gamma, gamma' and the product gamma * gamma'
// (the product is asked for separately because it stays finite where gamma' does not).
struct CustomGamma {
  std::function<double(double)> gamma, dgamma, gamma_dgamma;
};

class Gamma {
 public:
  // a is the parameter of a-brownian (gamma = sqrt(a t (1 - t)), a > 0); other kinds ignore it.
  explicit Gamma(GammaKind kind = GammaKind::Brownian, double a = 1.0);
  explicit Gamma(CustomGamma custom);
  static Gamma from_name(const std::string& name, double a = 1.0);

  GammaKind kind() const { return kind_; }
  double a() const { return a_; }
  double operator()(double t) const;
  double deriv(double t) const;
  // gamma(t) * gamma'(t) in closed form.
  double product(double t) const;
  bool is_zero() const { return kind_ == GammaKind::Zero; }

 private:
  GammaKind kind_;
  double a_;
  CustomGamma custom_;
};

// User-given alpha, beta and their derivatives for a custom two-sided path.
struct CustomPath {
  std::function<double(double)> alpha, beta, dalpha, dbeta;
};

// Every coefficient at one time t.
struct Coefficients {
  double alpha, dalpha, beta, dbeta;
  double gamma, dgamma, gamma_dgamma;  // the latent term's gamma (0 for one-sided and mirror)
  double noise;                        // scale of the noise eta predicts: s = -eta / noise
};

class Interpolant {
 public:
  // Throws ConfigError if the pair is invalid (e.g. a one-sided path with a nonzero gamma, a trig
  // path whose gamma reaches 1, a custom path or gamma that violates its boundary conditions).
  Interpolant(PathKind path, Gamma gamma);
  Interpolant(CustomPath path, Gamma gamma);
  static Interpolant from_names(const std::string& path, const std::string& gamma, double a = 1.0);

  PathKind path() const { return path_; }
  const Gamma& gamma() const { return gamma_; }
  Sidedness sidedness() const;
  bool one_sided() const { return sidedness() == Sidedness::OneSided; }
  bool mirror() const { return sidedness() == Sidedness::Mirror; }
  bool two_sided() const { return sidedness() == Sidedness::TwoSided; }

  Coefficients at(double t) const;
  double alpha(double t) const { return at(t).alpha; }
  double beta(double t) const { return at(t).beta; }

  // x_t = alpha x0 + beta x1 + gamma z per column, each column with its own t.
  template <typename S>
  Mat<S> xt(const Vec<S>& t, const Mat<S>& x0, const Mat<S>& x1, const Mat<S>& z) const;
  // dI/dt = alpha' x0 + beta' x1 per column.
  template <typename S>
  Mat<S> dIdt(const Vec<S>& t, const Mat<S>& x0, const Mat<S>& x1) const;

 private:
  void validate() const;

  PathKind path_;
  Gamma gamma_;
  CustomPath custom_;
};

}  // namespace si
