#include "si/datasets.hpp"

#include <cmath>
#include <limits>

#include "si/json_reader.hpp"

namespace si {

namespace {

constexpr double kPi = 3.14159265358979323846;

void check_2d(const MatD& x) {
  if (x.rows() != 2) throw ConfigError("x", "expected 2 rows (2-D points), got " + std::to_string(x.rows()));
}

// Mathematical mod 2 of an integer-valued double: the result is 0 or 1 also for negatives.
double mod2(double k) { return k - 2.0 * std::floor(k / 2.0); }

}  // namespace

bool checkerboard_on_support(double x, double y) {
  if (!(std::abs(x) <= 4.0 && std::abs(y) <= 4.0)) return false;  // also rejects NaN
  return mod2(std::floor(x / 2.0) + std::floor(y / 2.0)) == 0.0;
}

double checkerboard_support_share(const MatD& x) {
  check_2d(x);
  if (x.cols() == 0) return 0.0;
  Eigen::Index on = 0;
  for (Eigen::Index j = 0; j < x.cols(); ++j) on += checkerboard_on_support(x(0, j), x(1, j));
  return static_cast<double>(on) / static_cast<double>(x.cols());
}

MatD Checkerboard::sample(Eigen::Index n, Rng& rng) const {
  if (n < 0) throw ConfigError("n", "must be >= 0, got " + std::to_string(n));
  MatD out(2, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double u1 = rng.uniform(-2.0, 2.0);
    const double v = rng.uniform() - 2.0 * (rng.bernoulli(0.5) ? 1.0 : 0.0);
    const double u2 = v + mod2(std::floor(u1));
    out(0, j) = 2.0 * u1;
    out(1, j) = 2.0 * u2;
  }
  return out;
}

VecD Checkerboard::log_density(const MatD& x) const {
  check_2d(x);
  // Uniform on 8 squares of side 2: total area 32.
  const double on = -std::log(32.0), off = -std::numeric_limits<double>::infinity();
  VecD out(x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) out(j) = checkerboard_on_support(x(0, j), x(1, j)) ? on : off;
  return out;
}

Shape2D::Shape2D(ShapeKind kind, double noise, const std::string& field) : kind_(kind), noise_(noise) {
  if (!std::isfinite(noise) || noise < 0.0)
    throw ConfigError(field + ".noise", "must be a finite number >= 0, got " + format_number(noise));
}

double Shape2D::default_noise(ShapeKind kind) {
  switch (kind) {
    case ShapeKind::Moons:
      return 0.2;
    case ShapeKind::Spirals:
      return 0.1;
    case ShapeKind::Rings:
      return 0.08;
    case ShapeKind::Pinwheel:
      return 0.1;
    case ShapeKind::SwissRoll:
      return 0.25;
  }
  return 0.1;
}

std::string Shape2D::name() const {
  switch (kind_) {
    case ShapeKind::Moons:
      return "moons";
    case ShapeKind::Spirals:
      return "spirals";
    case ShapeKind::Rings:
      return "rings";
    case ShapeKind::Pinwheel:
      return "pinwheel";
    case ShapeKind::SwissRoll:
      return "swissroll";
  }
  return "shape";
}

MatD Shape2D::sample(Eigen::Index n, Rng& rng) const {
  if (n < 0) throw ConfigError("n", "must be >= 0, got " + std::to_string(n));
  MatD out(2, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    double x = 0.0, y = 0.0;
    switch (kind_) {
      case ShapeKind::Moons: {
        // sklearn's make_moons, centred and scaled by 2.5 to span about [-3.75, 3.75] x [-1.9, 1.9].
        const bool lower = rng.bernoulli(0.5);
        const double th = kPi * rng.uniform();
        x = lower ? 1.0 - std::cos(th) : std::cos(th);
        y = lower ? 0.5 - std::sin(th) : std::sin(th);
        x = 2.5 * (x - 0.5);
        y = 2.5 * (y - 0.25);
        break;
      }
      case ShapeKind::Spirals: {
        // FFJORD's 2spirals: 1.5 turns out to radius pi; the second arm is the first rotated by pi.
        const double r = std::sqrt(rng.uniform()) * 3.0 * kPi;
        const double sign = rng.bernoulli(0.5) ? -1.0 : 1.0;
        x = sign * -std::cos(r) * r / 3.0;
        y = sign * std::sin(r) * r / 3.0;
        break;
      }
      case ShapeKind::Rings: {
        // Four concentric circles of radii 0.9, 1.8, 2.7, 3.6, equally likely.
        const double radius = 0.9 * static_cast<double>(rng.below(4) + 1);
        const double th = 2.0 * kPi * rng.uniform();
        x = radius * std::cos(th);
        y = radius * std::sin(th);
        break;
      }
      case ShapeKind::Pinwheel: {
        // FFJORD's pinwheel: 5 arms, radial spread 0.3 (the shape), tangential spread = noise,
        // twisted by angle 0.25 exp(radius); scaled by 2. Its noise enters here, not added below.
        const double arm = static_cast<double>(rng.below(5)) * 2.0 * kPi / 5.0;
        const double rad = 1.0 + 0.3 * rng.normal();
        const double tg = noise_ * rng.normal();
        const double a = arm + 0.25 * std::exp(rad);
        x = 2.0 * (std::cos(a) * rad - std::sin(a) * tg);
        y = 2.0 * (std::sin(a) * rad + std::cos(a) * tg);
        out(0, j) = x;
        out(1, j) = y;
        continue;
      }
      case ShapeKind::SwissRoll: {
        // sklearn's make_swiss_roll in the plane, t in [1.5 pi, 4.5 pi], scaled by 1/4.
        const double t = 1.5 * kPi * (1.0 + 2.0 * rng.uniform());
        x = t * std::cos(t) / 4.0;
        y = t * std::sin(t) / 4.0;
        break;
      }
    }
    // Always draw the two normals so the stream does not depend on the noise level.
    const double e0 = rng.normal(), e1 = rng.normal();
    out(0, j) = x + noise_ * e0;
    out(1, j) = y + noise_ * e1;
  }
  return out;
}

GaussianMixture eight_gaussians(double radius, double std, const std::string& field) {
  if (!std::isfinite(radius) || radius < 0.0)
    throw ConfigError(field + ".radius", "must be a finite number >= 0, got " + format_number(radius));
  if (!std::isfinite(std) || !(std > 0.0))
    throw ConfigError(field + ".noise",
                      "must be a finite number > 0 (each Gaussian's standard deviation), got " + format_number(std));
  std::vector<double> w(8, 1.0 / 8.0);
  std::vector<VecD> means;
  std::vector<MatD> covs(8, std * std * MatD::Identity(2, 2));
  for (int k = 0; k < 8; ++k) {
    const double a = 2.0 * kPi * k / 8.0;
    VecD m(2);
    m << radius * std::cos(a), radius * std::sin(a);
    means.push_back(m);
  }
  GaussianMixture g(std::move(w), std::move(means), std::move(covs), field, field + ".noise",
                    "the covariance noise^2 I");
  g.set_name("8gaussians");
  return g;
}

// ---------------------------------------------------------------------------------------------
// The data sets of this file, by JSON "type".

namespace {

template <ShapeKind kind>
std::unique_ptr<Distribution> make_shape(JsonReader& spec) {
  return std::make_unique<Shape2D>(kind, spec.number("noise", Shape2D::default_noise(kind), 0.0), spec.path());
}

std::unique_ptr<Distribution> make_eight_gaussians(JsonReader& spec) {
  const double radius = spec.number("radius", 2.0 * std::sqrt(2.0), 0.0);
  const double noise = spec.positive("noise", 0.5 / std::sqrt(2.0));  // each component's standard deviation
  return std::make_unique<GaussianMixture>(eight_gaussians(radius, noise, spec.path()));
}

const DatasetRegistration kCheckerboard{
    {"checkerboard", "uniform on 8 squares of side 2 in [-4, 4]^2 (SPEC 7)", 2, false, true,
     [](JsonReader&) -> std::unique_ptr<Distribution> { return std::make_unique<Checkerboard>(); }}};
const DatasetRegistration k8Gaussians{
    {"8gaussians", "8 Gaussians on a circle: radius, noise (their std)", 2, true, true, make_eight_gaussians}};
const DatasetRegistration kMoons{{"moons", "two moons: noise", 2, false, false, make_shape<ShapeKind::Moons>}};
const DatasetRegistration kSpirals{{"spirals", "two spirals: noise", 2, false, false, make_shape<ShapeKind::Spirals>}};
const DatasetRegistration kRings{
    {"rings", "four concentric rings: noise", 2, false, false, make_shape<ShapeKind::Rings>}};
const DatasetRegistration kPinwheel{
    {"pinwheel", "a five-armed pinwheel: noise", 2, false, false, make_shape<ShapeKind::Pinwheel>}};
const DatasetRegistration kSwissRoll{
    {"swissroll", "a swiss roll in the plane: noise", 2, false, false, make_shape<ShapeKind::SwissRoll>}};

}  // namespace

}  // namespace si
