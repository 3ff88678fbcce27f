#include "si/interpolant.hpp"

#include <cmath>
#include <sstream>

namespace si {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSigmoidF = 10.0;

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logistic_deriv(double x) {
  const double s = logistic(x);
  return s * (1.0 - s);
}

std::string fmt(double v) { return format_number(v); }

}  // namespace

const std::vector<std::string>& path_names() {
  static const std::vector<std::string> names = {
      "linear", "trig", "encoding-decoding", "one-sided-linear", "one-sided-trig", "mirror", "custom"};
  return names;
}

const std::vector<std::string>& gamma_names() {
  static const std::vector<std::string> names = {"brownian",    "a-brownian", "zero",  "bsquared",
                                                 "sinesquared", "sigmoid",    "custom"};
  return names;
}

PathKind path_from_name(const std::string& name, const std::string& field) {
  const auto& n = path_names();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name && n[i] != "custom") return static_cast<PathKind>(i);
  throw ConfigError(field, "unknown path '" + name +
                               "'; allowed: linear, trig, encoding-decoding, "
                               "one-sided-linear, one-sided-trig, mirror (custom paths are given as "
                               "functions through the C++ API)");
}

GammaKind gamma_from_name(const std::string& name, const std::string& field) {
  const auto& n = gamma_names();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name && n[i] != "custom") return static_cast<GammaKind>(i);
  throw ConfigError(
      field, "unknown gamma '" + name + "'; allowed: brownian, a-brownian, zero, bsquared, sinesquared, sigmoid");
}

std::string to_name(PathKind k) { return path_names()[static_cast<size_t>(k)]; }
std::string to_name(GammaKind k) { return gamma_names()[static_cast<size_t>(k)]; }

Gamma::Gamma(GammaKind kind, double a) : kind_(kind), a_(a) {
  if (kind == GammaKind::Custom)
    throw ConfigError("gamma", "a custom gamma needs its functions (construct from CustomGamma)");
  if (kind == GammaKind::ABrownian && !(a > 0.0 && std::isfinite(a)))
    throw ConfigError("gamma_a", "a-brownian needs a finite a > 0, got " + fmt(a));
}

Gamma::Gamma(CustomGamma custom) : kind_(GammaKind::Custom), a_(1.0), custom_(std::move(custom)) {
  if (!custom_.gamma || !custom_.dgamma || !custom_.gamma_dgamma)
    throw ConfigError("gamma", "a custom gamma needs gamma, dgamma and gamma_dgamma functions");
  const double g0 = custom_.gamma(0.0), g1 = custom_.gamma(1.0);
  if (std::abs(g0) > 1e-12 || std::abs(g1) > 1e-12)
    throw ConfigError("gamma",
                      "a custom gamma must vanish at both ends: gamma(0) = " + fmt(g0) + ", gamma(1) = " + fmt(g1));
}

Gamma Gamma::from_name(const std::string& name, double a) { return Gamma(gamma_from_name(name), a); }

double Gamma::operator()(double t) const {
  switch (kind_) {
    case GammaKind::Brownian:
      return std::sqrt(std::max(0.0, t * (1.0 - t)));
    case GammaKind::ABrownian:
      return std::sqrt(std::max(0.0, a_ * t * (1.0 - t)));
    case GammaKind::Zero:
      return 0.0;
    case GammaKind::BSquared:
      return t * (1.0 - t);
    case GammaKind::SineSquared: {
      const double s = std::sin(kPi * t);
      return s * s;
    }
    case GammaKind::Sigmoid: {
      const double f = kSigmoidF, u = f * (t - 0.5);
      return logistic(u + 1) - logistic(u - 1) - logistic(-f / 2 + 1) + logistic(-f / 2 - 1);
    }
    case GammaKind::Custom:
      return custom_.gamma(t);
  }
  return 0.0;
}

double Gamma::deriv(double t) const {
  switch (kind_) {
    case GammaKind::Brownian:
      return (1.0 - 2.0 * t) / (2.0 * std::sqrt(t * (1.0 - t)));
    case GammaKind::ABrownian:
      return a_ * (1.0 - 2.0 * t) / (2.0 * std::sqrt(a_ * t * (1.0 - t)));
    case GammaKind::Zero:
      return 0.0;
    case GammaKind::BSquared:
      return 1.0 - 2.0 * t;
    case GammaKind::SineSquared:
      return kPi * std::sin(2.0 * kPi * t);
    case GammaKind::Sigmoid: {
      const double f = kSigmoidF, u = f * (t - 0.5);
      return f * logistic_deriv(u + 1) - f * logistic_deriv(u - 1);
    }
    case GammaKind::Custom:
      return custom_.dgamma(t);
  }
  return 0.0;
}

double Gamma::product(double t) const {
  switch (kind_) {
    case GammaKind::Brownian:
      return (1.0 - 2.0 * t) / 2.0;
    case GammaKind::ABrownian:
      return a_ * (1.0 - 2.0 * t) / 2.0;
    case GammaKind::Zero:
      return 0.0;
    case GammaKind::Custom:
      return custom_.gamma_dgamma(t);
    default:
      return (*this)(t)*deriv(t);
  }
}

Interpolant::Interpolant(PathKind path, Gamma gamma) : path_(path), gamma_(std::move(gamma)) {
  if (path == PathKind::Custom)
    throw ConfigError("path", "a custom path needs its functions (construct from CustomPath)");
  validate();
}

Interpolant::Interpolant(CustomPath path, Gamma gamma)
    : path_(PathKind::Custom), gamma_(std::move(gamma)), custom_(std::move(path)) {
  if (!custom_.alpha || !custom_.beta || !custom_.dalpha || !custom_.dbeta)
    throw ConfigError("path", "a custom path needs alpha, beta, dalpha and dbeta functions");
  validate();
}

Interpolant Interpolant::from_names(const std::string& path, const std::string& gamma, double a) {
  return Interpolant(path_from_name(path), Gamma::from_name(gamma, a));
}

Sidedness Interpolant::sidedness() const {
  switch (path_) {
    case PathKind::OneSidedLinear:
    case PathKind::OneSidedTrig:
      return Sidedness::OneSided;
    case PathKind::Mirror:
      return Sidedness::Mirror;
    default:
      return Sidedness::TwoSided;
  }
}

void Interpolant::validate() const {
  const auto side = sidedness();
  if (side == Sidedness::OneSided && !gamma_.is_zero())
    throw ConfigError("gamma", "one-sided paths use x0 ~ N(0, I) as the noise and take gamma 'zero', got '" +
                                   to_name(gamma_.kind()) + "'");
  if (side == Sidedness::Mirror && gamma_.is_zero())
    throw ConfigError("gamma", "the mirror path x_t = x1 + gamma x0 needs a nonzero gamma (e.g. brownian)");
  // gamma must stay below 1 for the trig path (sqrt(1 - gamma^2)) and be finite everywhere.
  for (int i = 0; i <= 200; ++i) {
    const double t = i / 200.0, g = gamma_(t);
    if (!std::isfinite(g)) throw ConfigError("gamma", "gamma(" + fmt(t) + ") is not finite");
    if (path_ == PathKind::Trig && std::abs(g) >= 1.0)
      throw ConfigError("gamma", "the trig path needs |gamma(t)| < 1 on [0, 1], but gamma(" + fmt(t) + ") = " + fmt(g) +
                                     " (for a-brownian take a < 4)");
  }
  if (path_ == PathKind::Custom) {
    const double a0 = custom_.alpha(0), b0 = custom_.beta(0), a1 = custom_.alpha(1), b1 = custom_.beta(1);
    const double tol = 1e-9;
    if (std::abs(a0 - 1) > tol || std::abs(b0) > tol || std::abs(a1) > tol || std::abs(b1 - 1) > tol)
      throw ConfigError("path",
                        "a custom path must satisfy alpha(0) = 1, beta(0) = 0, alpha(1) = 0, "
                        "beta(1) = 1; got alpha(0) = " +
                            fmt(a0) + ", beta(0) = " + fmt(b0) + ", alpha(1) = " + fmt(a1) + ", beta(1) = " + fmt(b1));
    // The derivatives must be those of alpha and beta: compare with central differences.
    const double h = 1e-5;
    for (double t : {0.1, 0.3, 0.5, 0.7, 0.9}) {
      const double fa = (custom_.alpha(t + h) - custom_.alpha(t - h)) / (2 * h);
      const double fb = (custom_.beta(t + h) - custom_.beta(t - h)) / (2 * h);
      if (std::abs(fa - custom_.dalpha(t)) > 1e-4 * (1 + std::abs(fa)) ||
          std::abs(fb - custom_.dbeta(t)) > 1e-4 * (1 + std::abs(fb)))
        throw ConfigError("path",
                          "custom dalpha/dbeta disagree with finite differences of alpha/beta at t = " + fmt(t));
    }
  }
}

Coefficients Interpolant::at(double t) const {
  Coefficients c{};
  const double g = gamma_(t), gg = gamma_.product(t);
  // gamma' is infinite at the ends for brownian gammas; the product stays finite there.
  const double dg = gamma_.deriv(t);
  c.gamma = g;
  c.dgamma = dg;
  c.gamma_dgamma = gg;
  switch (path_) {
    case PathKind::Linear:
    case PathKind::OneSidedLinear:
      c.alpha = 1.0 - t;
      c.dalpha = -1.0;
      c.beta = t;
      c.dbeta = 1.0;
      break;
    case PathKind::Trig: {
      const double r = std::sqrt(1.0 - g * g), co = std::cos(kPi * t / 2), si = std::sin(kPi * t / 2);
      c.alpha = r * co;
      c.beta = r * si;
      c.dalpha = -gg / r * co - (kPi / 2) * r * si;
      c.dbeta = -gg / r * si + (kPi / 2) * r * co;
      break;
    }
    case PathKind::EncodingDecoding: {
      const double co = std::cos(kPi * t), si = std::sin(kPi * t);
      if (t <= 0.5) {
        c.alpha = co * co;
        c.dalpha = -2.0 * kPi * co * si;
        c.beta = c.dbeta = 0.0;
      } else {
        c.beta = co * co;
        c.dbeta = -2.0 * kPi * co * si;
        c.alpha = c.dalpha = 0.0;
      }
      break;
    }
    case PathKind::OneSidedTrig:
      c.alpha = std::cos(kPi * t / 2);
      c.beta = std::sin(kPi * t / 2);
      c.dalpha = -(kPi / 2) * c.beta;
      c.dbeta = (kPi / 2) * c.alpha;
      break;
    case PathKind::Mirror:
      c.alpha = g;
      c.dalpha = dg;
      c.beta = 1.0;
      c.dbeta = 0.0;
      c.gamma = c.dgamma = c.gamma_dgamma = 0.0;
      break;
    case PathKind::Custom:
      c.alpha = custom_.alpha(t);
      c.beta = custom_.beta(t);
      c.dalpha = custom_.dalpha(t);
      c.dbeta = custom_.dbeta(t);
      break;
  }
  if (sidedness() == Sidedness::OneSided) c.gamma = c.dgamma = c.gamma_dgamma = 0.0;
  c.noise = sidedness() == Sidedness::TwoSided ? c.gamma : c.alpha;
  return c;
}

template <typename S>
Mat<S> Interpolant::xt(const Vec<S>& t, const Mat<S>& x0, const Mat<S>& x1, const Mat<S>& z) const {
  Mat<S> out(x0.rows(), x0.cols());
  for (Eigen::Index j = 0; j < x0.cols(); ++j) {
    const Coefficients c = at(static_cast<double>(t(j)));
    out.col(j) = S(c.alpha) * x0.col(j) + S(c.beta) * x1.col(j);
    if (c.gamma != 0.0) out.col(j) += S(c.gamma) * z.col(j);
  }
  return out;
}

template <typename S>
Mat<S> Interpolant::dIdt(const Vec<S>& t, const Mat<S>& x0, const Mat<S>& x1) const {
  Mat<S> out(x0.rows(), x0.cols());
  for (Eigen::Index j = 0; j < x0.cols(); ++j) {
    const Coefficients c = at(static_cast<double>(t(j)));
    out.col(j) = S(c.dalpha) * x0.col(j) + S(c.dbeta) * x1.col(j);
  }
  return out;
}

template Mat<float> Interpolant::xt(const Vec<float>&, const Mat<float>&, const Mat<float>&, const Mat<float>&) const;
template Mat<double> Interpolant::xt(const Vec<double>&, const Mat<double>&, const Mat<double>&,
                                     const Mat<double>&) const;
template Mat<float> Interpolant::dIdt(const Vec<float>&, const Mat<float>&, const Mat<float>&) const;
template Mat<double> Interpolant::dIdt(const Vec<double>&, const Mat<double>&, const Mat<double>&) const;

}  // namespace si
