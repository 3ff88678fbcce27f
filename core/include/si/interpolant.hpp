// Interpolant paths and gammas (SPEC section 1):
//   x_t = alpha(t) x0 + beta(t) x1 + gamma(t) z,   dI/dt = alpha'(t) x0 + beta'(t) x1.
// One-sided paths use x0 ~ N(0, I) as the noise (latent gamma = 0); the mirror path is
// x_t = x1 + gamma(t) x0, i.e. alpha = gamma, beta = 1, latent gamma = 0.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "si/registry.hpp"
#include "si/types.hpp"

namespace si {

enum class PathKind { Linear, Trig, EncodingDecoding, OneSidedLinear, OneSidedTrig, Mirror, Custom };
enum class GammaKind { Brownian, ABrownian, Zero, BSquared, SineSquared, Sigmoid, Custom };
// Which of the two ends carries the noise that eta predicts.
enum class Sidedness { TwoSided, OneSided, Mirror };
std::string to_name(Sidedness s);  // "two-sided", "one-sided", "mirror"

// A gamma by name (the table in interpolant.cpp): its formulas, exact and in closed form.
struct GammaDef {
  std::string name;
  GammaKind value = GammaKind::Custom;  // Custom for gammas known only by name
  std::string formula;                  // gamma(t) as people write it, for docs and the page
  bool identically_zero = false;        // gamma = 0: the path has no latent noise
  bool has_param = false;               // takes the parameter a (config: interpolant.gamma_a)
  double (*gamma)(double t, double a) = nullptr;
  double (*deriv)(double t, double a) = nullptr;
  // gamma * gamma' in closed form where gamma' blows up; nullptr: gamma(t) * deriv(t).
  double (*product)(double t, double a) = nullptr;
};

// gamma, gamma' and gamma gamma' at one time, as a path's coefficients see them.
struct GammaAt {
  double g, dg, gg;
};
struct Coefficients;

// A path by name (the table in interpolant.cpp): alpha(t), beta(t) and their derivatives, and
// what the path asks of gamma and of the base.
struct PathDef {
  std::string name;
  PathKind value = PathKind::Custom;
  Sidedness sidedness = Sidedness::TwoSided;
  std::string default_gamma;           // what "gamma" means when a config leaves it out
  std::string alpha, beta;             // formulas, for docs and the page
  bool needs_gamma_below_one = false;  // sqrt(1 - gamma^2) appears (trig)
  // Fills alpha, dalpha, beta, dbeta of c at time t; g is the gamma the path was built with.
  void (*coefficients)(double t, const GammaAt& g, Coefficients& c) = nullptr;
};

// The tables. Entries may be added (e.g. from another source file); see CONTRIBUTING.md.
Registry<PathDef>& paths();
Registry<GammaDef>& gammas();

// The entry a config's path "custom" stands for (alpha and beta typed as formulas, si/formula.hpp):
// two-sided, brownian by default. It is not in paths(), whose entries have built-in coefficients.
const PathDef& custom_path_def();
// paths().at(name, field), or custom_path_def() for "custom".
const PathDef& path_def(const std::string& name, const std::string& field = "path");

std::vector<std::string> path_names();   // every path selectable by name
std::vector<std::string> gamma_names();  // every gamma selectable by name
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
  // Any gamma of the table, by name (throws ConfigError naming `field` for an unknown one).
  static Gamma from_name(const std::string& name, double a = 1.0, const std::string& field = "gamma");

  GammaKind kind() const { return def_ ? def_->value : GammaKind::Custom; }
  std::string name() const { return def_ ? def_->name : "custom"; }
  double a() const { return a_; }
  double operator()(double t) const;
  double deriv(double t) const;
  // gamma(t) * gamma'(t) in closed form.
  double product(double t) const;
  bool is_zero() const { return def_ && def_->identically_zero; }

 private:
  explicit Gamma(const GammaDef& def, double a);

  const GammaDef* def_ = nullptr;  // null: custom functions
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
  // A path of the table with any gamma (a custom one too).
  Interpolant(const PathDef& def, Gamma gamma);
  // Any path and gamma of the tables, by name; an empty gamma is the path's default gamma.
  static Interpolant from_names(const std::string& path, const std::string& gamma, double a = 1.0);

  PathKind path() const { return def_ ? def_->value : PathKind::Custom; }
  std::string path_name() const { return def_ ? def_->name : "custom"; }
  const Gamma& gamma() const { return gamma_; }
  Sidedness sidedness() const { return def_ ? def_->sidedness : Sidedness::TwoSided; }
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

  // E[x1 | x_t = x]: the picture a point is heading for, on average (the denoiser of the target),
  // from the drift b and the score s at t, for every column of x. With m0, m1, mz the conditional
  // means of x0, x1 and z: x = alpha m0 + beta m1 + gamma mz, b = alpha' m0 + beta' m1 + gamma' mz
  // and mz = -gamma s (z ~ N(0, I)). One- and two-sided paths solve the first two for m1,
  //   m1 = (alpha (b + gamma gamma' s) - alpha' (x + gamma^2 s)) / (alpha beta' - alpha' beta),
  // which needs only b one-sided (gamma = 0); where alpha = alpha' = 0 (encoding-decoding's second
  // half) x alone gives m1 = (x + gamma^2 s) / beta. The mirror path's b has no x1 term, so it takes the
  // score (Tweedie, x = x1 + alpha x0): m1 = x + alpha^2 s. b and s may be null where not needed
  // (target_mean_needs); throws NumericalError where the coefficients leave m1 undetermined.
  template <typename S>
  Mat<S> target_mean(double t, const Mat<S>& x, const Mat<S>* b, const Mat<S>* s) const;
  struct Needs {
    bool b, s;
  };
  Needs target_mean_needs() const { return {!mirror(), !one_sided()}; }
  // One-sided paths (x0 ~ N(0, I)): the drift alone fixes the score. With m1 as above and
  // m0 = (x - beta m1) / alpha, s = -m0 / alpha = (beta b - beta' x) / (alpha (alpha beta' - alpha' beta)),
  // returned as s = kb b + kx x (so divergences and Jacobian-vector products follow); singular at
  // t = 1, where alpha = 0. Throws std::logic_error for other paths.
  struct Affine {
    double kb, kx;
  };
  Affine score_from_drift(double t) const;

 private:
  void validate() const;

  const PathDef* def_ = nullptr;  // null: custom functions
  Gamma gamma_;
  CustomPath custom_;
};

}  // namespace si
