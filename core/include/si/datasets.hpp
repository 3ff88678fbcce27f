// The 2-D data sets of SPEC section 7 that are not Gaussian mixtures, and the checkerboard's
// support test (its density is known exactly, so "share of samples on the support" is a clean
// quality measure for samplers). 8gaussians and points are mixtures: see eight_gaussians() and
// make_distribution in distributions.hpp. Sampling uses only si::Rng's own draws, so a seed gives
// the same points natively and in WebAssembly.
#pragma once

#include <string>

#include "si/distributions.hpp"

namespace si {

// Whether (x, y) lies on the checkerboard's support: (floor(x/2) + floor(y/2)) even and
// max(|x|, |y|) <= 4.
bool checkerboard_on_support(double x, double y);
// Fraction of the columns of x (2 x n) on the checkerboard's support (0 for an empty batch).
double checkerboard_support_share(const MatD& x);

// SPEC section 7 exactly: u1 ~ U(-2, 2); v ~ U(0, 1) - 2 Bernoulli(1/2);
// u2 = v + (floor(u1) mod 2); x = 2 (u1, u2). Uniform on 8 squares of side 2: log p = -log 32.
class Checkerboard : public Distribution {
 public:
  int dim() const override { return 2; }
  std::string name() const override { return "checkerboard"; }
  MatD sample(Eigen::Index n, Rng& rng) const override;
  bool has_log_density() const override { return true; }
  VecD log_density(const MatD& x) const override;
};

// Sample-only 2-D shapes scaled to roughly [-4, 4]^2, each blurred by isotropic Gaussian noise of
// standard deviation `noise` (in the output's units).
enum class ShapeKind { Moons, Spirals, Rings, Pinwheel, SwissRoll };

class Shape2D : public Distribution {
 public:
  // noise >= 0 and finite (throws ConfigError(field + ".noise") otherwise).
  Shape2D(ShapeKind kind, double noise, const std::string& field = "distribution");
  // The default noise of each shape (moons 0.2, spirals 0.1, rings 0.08, pinwheel 0.1,
  // swissroll 0.25).
  static double default_noise(ShapeKind kind);

  int dim() const override { return 2; }
  std::string name() const override;
  MatD sample(Eigen::Index n, Rng& rng) const override;
  ShapeKind kind() const { return kind_; }
  double noise() const { return noise_; }

 private:
  ShapeKind kind_;
  double noise_;
};

// 8 equal-weight isotropic Gaussians centred on a circle (the FFJORD toy set's geometry: centres
// at radius 2 sqrt(2), standard deviation 1 / (2 sqrt(2)) ~ 0.354). A mixture, so exact fields apply.
GaussianMixture eight_gaussians(double radius = 2.0 * 1.4142135623730951, double std = 0.5 / 1.4142135623730951,
                                const std::string& field = "distribution");

}  // namespace si
