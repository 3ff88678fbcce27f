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

// ---------------------------------------------------------------------------------------------
// The gammas: one entry each, with its formulas (SPEC section 1).

namespace {

double brownian(double t, double a) { return std::sqrt(std::max(0.0, a * t * (1.0 - t))); }
double sigmoid_gamma(double t, double) {
  const double f = kSigmoidF, u = f * (t - 0.5);
  return logistic(u + 1) - logistic(u - 1) - logistic(-f / 2 + 1) + logistic(-f / 2 - 1);
}

}  // namespace

Registry<GammaDef>& gammas() {
  static Registry<GammaDef> table(
      "gamma",
      {
          {"brownian", GammaKind::Brownian, "sqrt(t (1 - t))", false, false,
           [](double t, double) { return brownian(t, 1.0); },
           [](double t, double) { return (1.0 - 2.0 * t) / (2.0 * std::sqrt(t * (1.0 - t))); },
           [](double t, double) { return (1.0 - 2.0 * t) / 2.0; }},
          {"a-brownian", GammaKind::ABrownian, "sqrt(a t (1 - t))", false, true, brownian,
           [](double t, double a) { return a * (1.0 - 2.0 * t) / (2.0 * std::sqrt(a * t * (1.0 - t))); },
           [](double t, double a) { return a * (1.0 - 2.0 * t) / 2.0; }},
          {"zero", GammaKind::Zero, "0", true, false, [](double, double) { return 0.0; },
           [](double, double) { return 0.0; }, [](double, double) { return 0.0; }},
          {"bsquared", GammaKind::BSquared, "t (1 - t)", false, false, [](double t, double) { return t * (1.0 - t); },
           [](double t, double) { return 1.0 - 2.0 * t; }, nullptr},
          {"sinesquared", GammaKind::SineSquared, "sin^2(pi t)", false, false,
           [](double t, double) {
             const double s = std::sin(kPi * t);
             return s * s;
           },
           [](double t, double) { return kPi * std::sin(2.0 * kPi * t); }, nullptr},
          {"sigmoid", GammaKind::Sigmoid, "S(f(t - 1/2) + 1) - S(f(t - 1/2) - 1) - S(1 - f/2) + S(-1 - f/2), f = 10",
           false, false, sigmoid_gamma,
           [](double t, double) {
             const double f = kSigmoidF, u = f * (t - 0.5);
             return f * logistic_deriv(u + 1) - f * logistic_deriv(u - 1);
           },
           nullptr},
      });
  return table;
}

// ---------------------------------------------------------------------------------------------
// The paths: one entry each, with alpha, beta and their derivatives (SPEC section 1).

namespace {

void linear(double t, const GammaAt&, Coefficients& c) {
  c.alpha = 1.0 - t;
  c.dalpha = -1.0;
  c.beta = t;
  c.dbeta = 1.0;
}

}  // namespace

Registry<PathDef>& paths() {
  static Registry<PathDef> table(
      "path",
      {
          {"linear", PathKind::Linear, Sidedness::TwoSided, "brownian", "1 - t", "t", false, linear},
          {"trig", PathKind::Trig, Sidedness::TwoSided, "brownian", "sqrt(1 - gamma^2) cos(pi t / 2)",
           "sqrt(1 - gamma^2) sin(pi t / 2)", true,
           [](double t, const GammaAt& g, Coefficients& c) {
             const double r = std::sqrt(1.0 - g.g * g.g), co = std::cos(kPi * t / 2), si = std::sin(kPi * t / 2);
             c.alpha = r * co;
             c.beta = r * si;
             c.dalpha = -g.gg / r * co - (kPi / 2) * r * si;
             c.dbeta = -g.gg / r * si + (kPi / 2) * r * co;
           }},
          {"encoding-decoding", PathKind::EncodingDecoding, Sidedness::TwoSided, "brownian",
           "cos^2(pi t) for t <= 1/2, else 0", "cos^2(pi t) for t > 1/2, else 0", false,
           [](double t, const GammaAt&, Coefficients& c) {
             const double co = std::cos(kPi * t), si = std::sin(kPi * t);
             const bool first_half = t <= 0.5;
             (first_half ? c.alpha : c.beta) = co * co;
             (first_half ? c.dalpha : c.dbeta) = -2.0 * kPi * co * si;
             (first_half ? c.beta : c.alpha) = 0.0;
             (first_half ? c.dbeta : c.dalpha) = 0.0;
           }},
          {"one-sided-linear", PathKind::OneSidedLinear, Sidedness::OneSided, "zero", "1 - t", "t", false, linear},
          {"one-sided-trig", PathKind::OneSidedTrig, Sidedness::OneSided, "zero", "cos(pi t / 2)", "sin(pi t / 2)",
           false,
           [](double t, const GammaAt&, Coefficients& c) {
             c.alpha = std::cos(kPi * t / 2);
             c.beta = std::sin(kPi * t / 2);
             c.dalpha = -(kPi / 2) * c.beta;
             c.dbeta = (kPi / 2) * c.alpha;
           }},
          // x_t = x1 + gamma(t) x0: alpha is the gamma, which is then no latent term of its own.
          {"mirror", PathKind::Mirror, Sidedness::Mirror, "brownian", "gamma", "1", false,
           [](double, const GammaAt& g, Coefficients& c) {
             c.alpha = g.g;
             c.dalpha = g.dg;
             c.beta = 1.0;
             c.dbeta = 0.0;
           }},
      });
  return table;
}

std::string to_name(Sidedness s) {
  switch (s) {
    case Sidedness::TwoSided:
      return "two-sided";
    case Sidedness::OneSided:
      return "one-sided";
    case Sidedness::Mirror:
      return "mirror";
  }
  return "two-sided";
}

const PathDef& custom_path_def() {
  static const PathDef def{"custom", PathKind::Custom, Sidedness::TwoSided, "brownian", "formula", "formula",
                           false,    nullptr};
  return def;
}

const PathDef& path_def(const std::string& name, const std::string& field) {
  return name == custom_path_def().name ? custom_path_def() : paths().at(name, field);
}

std::vector<std::string> path_names() { return paths().names(); }
std::vector<std::string> gamma_names() { return gammas().names(); }

PathKind path_from_name(const std::string& name, const std::string& field) { return paths().at(name, field).value; }
GammaKind gamma_from_name(const std::string& name, const std::string& field) { return gammas().at(name, field).value; }

std::string to_name(PathKind k) { return k == PathKind::Custom ? "custom" : paths().of(k).name; }
std::string to_name(GammaKind k) { return k == GammaKind::Custom ? "custom" : gammas().of(k).name; }

Gamma::Gamma(GammaKind kind, double a)
    : Gamma(kind == GammaKind::Custom
                ? throw ConfigError("gamma", "a custom gamma needs its functions (construct from CustomGamma)")
                : gammas().of(kind),
            a) {}

Gamma::Gamma(const GammaDef& def, double a) : def_(&def), a_(a) {
  if (def.has_param && !(a > 0.0 && std::isfinite(a)))
    throw ConfigError("gamma_a", def.name + " needs a finite a > 0, got " + fmt(a));
}

Gamma::Gamma(CustomGamma custom) : a_(1.0), custom_(std::move(custom)) {
  if (!custom_.gamma || !custom_.dgamma || !custom_.gamma_dgamma)
    throw ConfigError("gamma", "a custom gamma needs gamma, dgamma and gamma_dgamma functions");
  const double g0 = custom_.gamma(0.0), g1 = custom_.gamma(1.0);
  if (std::abs(g0) > 1e-12 || std::abs(g1) > 1e-12)
    throw ConfigError("gamma",
                      "a custom gamma must vanish at both ends: gamma(0) = " + fmt(g0) + ", gamma(1) = " + fmt(g1));
}

Gamma Gamma::from_name(const std::string& name, double a, const std::string& field) {
  return Gamma(gammas().at(name, field), a);
}

double Gamma::operator()(double t) const { return def_ ? def_->gamma(t, a_) : custom_.gamma(t); }
double Gamma::deriv(double t) const { return def_ ? def_->deriv(t, a_) : custom_.dgamma(t); }
double Gamma::product(double t) const {
  if (!def_) return custom_.gamma_dgamma(t);
  return def_->product ? def_->product(t, a_) : def_->gamma(t, a_) * def_->deriv(t, a_);
}

Interpolant::Interpolant(PathKind path, Gamma gamma)
    : Interpolant(path == PathKind::Custom
                      ? throw ConfigError("path", "a custom path needs its functions (construct from CustomPath)")
                      : paths().of(path),
                  std::move(gamma)) {}

Interpolant::Interpolant(const PathDef& def, Gamma gamma) : def_(&def), gamma_(std::move(gamma)) { validate(); }

Interpolant::Interpolant(CustomPath path, Gamma gamma) : gamma_(std::move(gamma)), custom_(std::move(path)) {
  if (!custom_.alpha || !custom_.beta || !custom_.dalpha || !custom_.dbeta)
    throw ConfigError("path", "a custom path needs alpha, beta, dalpha and dbeta functions");
  validate();
}

Interpolant Interpolant::from_names(const std::string& path, const std::string& gamma, double a) {
  const PathDef& p = paths().at(path, "path");
  return Interpolant(p, Gamma::from_name(gamma.empty() ? p.default_gamma : gamma, a));
}

void Interpolant::validate() const {
  if (def_ && !def_->coefficients)
    throw ConfigError("path", "'" + def_->name + "' has no built-in coefficients: give alpha and beta as formulas");
  const auto side = sidedness();
  if (side == Sidedness::OneSided && !gamma_.is_zero())
    throw ConfigError(
        "gamma", "one-sided paths use x0 ~ N(0, I) as the noise and take gamma 'zero', got '" + gamma_.name() + "'");
  if (side == Sidedness::Mirror && gamma_.is_zero())
    throw ConfigError("gamma", "the mirror path x_t = x1 + gamma x0 needs a nonzero gamma (e.g. brownian)");
  // gamma must stay below 1 for the trig path (sqrt(1 - gamma^2)) and be finite everywhere.
  for (int i = 0; i <= 200; ++i) {
    const double t = i / 200.0, g = gamma_(t);
    if (!std::isfinite(g)) throw ConfigError("gamma", "gamma(" + fmt(t) + ") is not finite");
    if (def_ && def_->needs_gamma_below_one && std::abs(g) >= 1.0)
      throw ConfigError("gamma", "the " + def_->name + " path needs |gamma(t)| < 1 on [0, 1], but gamma(" + fmt(t) +
                                     ") = " + fmt(g) + " (for a-brownian take a < 4)");
  }
  if (!def_) {
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
  if (def_) {
    def_->coefficients(t, GammaAt{g, dg, gg}, c);
  } else {
    c.alpha = custom_.alpha(t);
    c.beta = custom_.beta(t);
    c.dalpha = custom_.dalpha(t);
    c.dbeta = custom_.dbeta(t);
  }
  // One-sided paths have no latent term; the mirror's gamma is its alpha.
  if (sidedness() != Sidedness::TwoSided) c.gamma = c.dgamma = c.gamma_dgamma = 0.0;
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

template <typename S>
Mat<S> Interpolant::target_mean(double t, const Mat<S>& x, const Mat<S>* b, const Mat<S>* s) const {
  const Needs needs = target_mean_needs();
  if ((needs.b && !b) || (needs.s && !s))
    throw std::invalid_argument("Interpolant::target_mean: the " + path_name() + " path needs " +
                                (needs.b && needs.s ? "b and s"
                                 : needs.b          ? "b"
                                                    : "s"));
  const Coefficients c = at(t);
  if (mirror()) return x + S(c.alpha * c.alpha) * *s;
  // Without x0 (encoding-decoding's second half): x = beta m1 + gamma mz alone gives m1.
  if (two_sided() && c.alpha == 0 && c.dalpha == 0 && c.beta != 0) return (x + S(c.gamma * c.gamma) * *s) / S(c.beta);
  const double den = c.alpha * c.dbeta - c.dalpha * c.beta;
  if (!(std::abs(den) > 1e-12) || !std::isfinite(den))
    throw NumericalError("E[x1 | x_t] is undetermined at t = " + format_number(t) + " on the " + path_name() +
                         " path (alpha beta' - alpha' beta = " + format_number(den) + ")");
  Mat<S> m = S(c.alpha / den) * *b - S(c.dalpha / den) * x;
  if (two_sided()) m += S((c.alpha * c.gamma_dgamma - c.dalpha * c.gamma * c.gamma) / den) * *s;
  return m;
}

Interpolant::Affine Interpolant::score_from_drift(double t) const {
  if (!one_sided()) throw std::logic_error("Interpolant::score_from_drift: only one-sided paths, not " + path_name());
  const Coefficients c = at(t);
  const double k = 1.0 / (c.alpha * (c.alpha * c.dbeta - c.dalpha * c.beta));
  return {c.beta * k, -c.dbeta * k};
}

template Mat<float> Interpolant::target_mean(double, const Mat<float>&, const Mat<float>*, const Mat<float>*) const;
template Mat<double> Interpolant::target_mean(double, const Mat<double>&, const Mat<double>*, const Mat<double>*) const;
template Mat<float> Interpolant::xt(const Vec<float>&, const Mat<float>&, const Mat<float>&, const Mat<float>&) const;
template Mat<double> Interpolant::xt(const Vec<double>&, const Mat<double>&, const Mat<double>&,
                                     const Mat<double>&) const;
template Mat<float> Interpolant::dIdt(const Vec<float>&, const Mat<float>&, const Mat<float>&) const;
template Mat<double> Interpolant::dIdt(const Vec<double>&, const Mat<double>&, const Mat<double>&) const;

}  // namespace si
