#include "si/formula.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "si/json_reader.hpp"

namespace si {

namespace {

constexpr double kPi = 3.14159265358979323846;

enum Kind : int { kNum, kT, kNeg, kAdd, kSub, kMul, kDiv, kPow, kSqrt, kExp, kLog, kSin, kCos, kTan };

struct FunctionName {
  const char* name;
  Kind kind;
};
constexpr FunctionName kFunctions[] = {{"sqrt", kSqrt}, {"exp", kExp}, {"log", kLog},
                                       {"sin", kSin},   {"cos", kCos}, {"tan", kTan}};
const char* kAllowedNames = "t, pi, sqrt, exp, log, sin, cos, tan";

}  // namespace

struct Formula::Node {
  int kind = kNum;
  double value = 0;
  std::shared_ptr<const Node> a, b;
};

namespace {

using NodePtr = std::shared_ptr<const Formula::Node>;

NodePtr make(int kind, NodePtr a = nullptr, NodePtr b = nullptr, double value = 0) {
  auto n = std::make_shared<Formula::Node>();
  n->kind = kind;
  n->a = std::move(a);
  n->b = std::move(b);
  n->value = value;
  return n;
}
NodePtr number(double v) { return make(kNum, nullptr, nullptr, v); }

// Recursive descent over the grammar in formula.hpp; positions in messages count from 1.
class Parser {
 public:
  Parser(const std::string& text, const std::string& field) : s_(text), field_(field) {}

  NodePtr parse() {
    skip();
    if (i_ == s_.size()) fail(i_, "the formula is empty");
    NodePtr n = expr();
    skip();
    if (i_ < s_.size()) fail(i_, "unexpected '" + std::string(1, s_[i_]) + "' (an operator + - * / ^ is missing?)");
    return n;
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw ConfigError(field_, "'" + s_ + "' at position " + std::to_string(at + 1) + ": " + what);
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string here() const { return i_ < s_.size() ? "'" + std::string(1, s_[i_]) + "'" : "the end of the formula"; }

  NodePtr expr() {
    NodePtr n = term();
    for (;;) {
      if (eat('+'))
        n = make(kAdd, n, term());
      else if (eat('-'))
        n = make(kSub, n, term());
      else
        return n;
    }
  }
  NodePtr term() {
    NodePtr n = unary();
    for (;;) {
      if (eat('*'))
        n = make(kMul, n, unary());
      else if (eat('/'))
        n = make(kDiv, n, unary());
      else
        return n;
    }
  }
  NodePtr unary() {
    if (eat('-')) return make(kNeg, unary());
    if (eat('+')) return unary();
    return power();
  }
  NodePtr power() {
    NodePtr base = primary();
    if (eat('^')) return make(kPow, base, unary());
    return base;
  }
  NodePtr primary() {
    skip();
    if (i_ == s_.size()) fail(i_, "expected a number, t, pi, a function or '(', got the end of the formula");
    const size_t start = i_;
    const char c = s_[i_];
    if (c == '(') {
      ++i_;
      NodePtr n = expr();
      if (!eat(')'))
        fail(i_, "expected ')' to close the '(' at position " + std::to_string(start + 1) + ", got " + here());
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number_at(start);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
      const std::string name = s_.substr(start, i_ - start);
      if (name == "t") return make(kT);
      if (name == "pi") return number(kPi);
      for (const auto& f : kFunctions)
        if (name == f.name) {
          if (!eat('(')) fail(i_, "expected '(' after the function '" + name + "', got " + here());
          const size_t open = i_ - 1;
          NodePtr arg = expr();
          if (!eat(')'))
            fail(i_,
                 "expected ')' to close '" + name + "(' at position " + std::to_string(open + 1) + ", got " + here());
          return make(f.kind, arg);
        }
      fail(start, "unknown name '" + name + "'; allowed: " + kAllowedNames);
    }
    fail(start, "expected a number, t, pi, a function or '(', got '" + std::string(1, c) + "'");
  }
  NodePtr number_at(size_t start) {
    auto digits = [&] {
      const size_t from = i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      return i_ > from;
    };
    bool any = digits();
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      any = digits() || any;
    }
    if (!any) fail(start, "'.' is not a number");
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      const size_t e = i_++;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digits()) fail(e, "expected the exponent's digits after 'e'");
    }
    const std::string text = s_.substr(start, i_ - start);
    const double v = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v)) fail(start, "the number " + text + " is too large");
    return number(v);
  }

  const std::string& s_;
  const std::string& field_;
  size_t i_ = 0;
};

void compile(const NodePtr& n, std::vector<std::pair<int, double>>& out) {
  if (n->a) compile(n->a, out);
  if (n->b) compile(n->b, out);
  out.emplace_back(n->kind, n->value);
}

NodePtr square(const NodePtr& n) {
  switch (n->kind) {
    case kNum:
      return number(n->value * n->value);
    case kNeg:
      return square(n->a);
    case kMul:
      return make(kMul, square(n->a), square(n->b));
    case kDiv:
      return make(kDiv, square(n->a), square(n->b));
    case kPow:
      return make(kPow, n->a, n->b->kind == kNum ? number(2 * n->b->value) : make(kMul, number(2), n->b));
    case kSqrt:
      return n->a;
    case kExp:
      return make(kExp, make(kMul, number(2), n->a));
    default:
      return make(kMul, n, n);
  }
}

// The chain rule of each operation. Where 0 * inf arises (sin(sqrt(t))^2 at t = 0) the derivative is
// NaN, and the checks of formula_path / formula_gamma reject the formula rather than guess a limit;
// only a constant argument (derivative exactly 0) short-cuts, so sqrt(2) or 0^2 stay finite.
Dual apply(int code, const Dual& a, const Dual& b) {
  switch (code) {
    case kNeg:
      return {-a.v, -a.d};
    case kAdd:
      return {a.v + b.v, a.d + b.d};
    case kSub:
      return {a.v - b.v, a.d - b.d};
    case kMul:
      return {a.v * b.v, a.d * b.v + a.v * b.d};
    case kDiv:
      return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)};
    case kPow: {
      const double v = std::pow(a.v, b.v);
      if (b.d == 0) return {v, a.d == 0 || b.v == 0 ? 0.0 : b.v * std::pow(a.v, b.v - 1) * a.d};
      return {v, v * (b.d * std::log(a.v) + b.v * a.d / a.v)};
    }
    case kSqrt: {
      const double v = std::sqrt(a.v);
      return {v, a.d == 0 ? 0.0 : a.d / (2 * v)};
    }
    case kExp: {
      const double v = std::exp(a.v);
      return {v, v * a.d};
    }
    case kLog:
      return {std::log(a.v), a.d == 0 ? 0.0 : a.d / a.v};
    case kSin:
      return {std::sin(a.v), std::cos(a.v) * a.d};
    case kCos:
      return {std::cos(a.v), -std::sin(a.v) * a.d};
    case kTan: {
      const double c = std::cos(a.v);
      return {std::tan(a.v), a.d == 0 ? 0.0 : a.d / (c * c)};
    }
  }
  return {};
}

int arity(int code) {
  switch (code) {
    case kNum:
    case kT:
      return 0;
    case kAdd:
    case kSub:
    case kMul:
    case kDiv:
    case kPow:
      return 2;
    default:
      return 1;
  }
}

std::string fmt(double v) { return format_number(v); }

}  // namespace

Formula::Formula(std::string text, std::shared_ptr<const Node> root) : text_(std::move(text)), root_(std::move(root)) {
  std::vector<std::pair<int, double>> ops;
  compile(root_, ops);
  for (const auto& [code, value] : ops) program_.push_back({code, value});
}

Formula Formula::parse(const std::string& text, const std::string& field) {
  return Formula(text, Parser(text, field).parse());
}

Dual Formula::eval(double t) const {
  // Formulas are short: a fixed stack suffices unless one nests very deeply.
  constexpr size_t kSmall = 64;
  Dual small[kSmall];
  std::vector<Dual> big;
  Dual* stack = small;
  if (program_.size() > kSmall) {
    big.resize(program_.size());
    stack = big.data();
  }
  size_t top = 0;
  for (const Op& op : program_) {
    if (op.code == kNum) {
      stack[top++] = {op.value, 0.0};
    } else if (op.code == kT) {
      stack[top++] = {t, 1.0};
    } else if (arity(op.code) == 1) {
      stack[top - 1] = apply(op.code, stack[top - 1], {});
    } else {
      stack[top - 2] = apply(op.code, stack[top - 2], stack[top - 1]);
      --top;
    }
  }
  return stack[0];
}

Formula Formula::squared() const { return Formula("(" + text_ + ")^2", square(root_)); }

namespace {

constexpr int kGrid = 200;  // checks run on t = k / kGrid, k = 0..kGrid

void check_finite_on_grid(const Formula& f, const std::string& field, const std::string& name, bool ends_deriv) {
  for (int k = 0; k <= kGrid; ++k) {
    const double t = double(k) / kGrid;
    const Dual v = f.eval(t);
    if (!std::isfinite(v.v))
      throw ConfigError(field, "'" + f.text() + "': " + name + "(" + fmt(t) + ") = " + fmt(v.v) + " is not finite");
    if ((ends_deriv || (k > 0 && k < kGrid)) && !std::isfinite(v.d))
      throw ConfigError(field, "'" + f.text() + "': the derivative of " + name + " at t = " + fmt(t) + " is " +
                                   fmt(v.d) + ", not finite");
  }
}

}  // namespace

CustomPath formula_path(const std::string& alpha, const std::string& beta, const std::string& alpha_field,
                        const std::string& beta_field) {
  const Formula a = Formula::parse(alpha, alpha_field), b = Formula::parse(beta, beta_field);
  check_finite_on_grid(a, alpha_field, "alpha", true);
  check_finite_on_grid(b, beta_field, "beta", true);
  const double tol = 1e-9;
  auto ends = [&](const Formula& f, const std::string& field, const std::string& name, double at0, double at1) {
    const double v0 = f(0.0), v1 = f(1.0);
    if (std::abs(v0 - at0) > tol || std::abs(v1 - at1) > tol)
      throw ConfigError(field, "'" + f.text() + "' must be " + fmt(at0) + " at t = 0 and " + fmt(at1) +
                                   " at t = 1 (a path runs from x0 to x1), got " + name + "(0) = " + fmt(v0) + ", " +
                                   name + "(1) = " + fmt(v1));
  };
  ends(a, alpha_field, "alpha", 1.0, 0.0);
  ends(b, beta_field, "beta", 0.0, 1.0);
  return CustomPath{[a](double t) { return a(t); }, [b](double t) { return b(t); },
                    [a](double t) { return a.eval(t).d; }, [b](double t) { return b.eval(t).d; }};
}

CustomGamma formula_gamma(const std::string& gamma, const std::string& field) {
  const Formula g = Formula::parse(gamma, field);
  const Formula g2 = g.squared();
  check_finite_on_grid(g, field, "gamma", false);
  const double g0 = g(0.0), g1 = g(1.0);
  if (std::abs(g0) > 1e-12 || std::abs(g1) > 1e-12)
    throw ConfigError(
        field, "'" + gamma + "' must vanish at both ends, got gamma(0) = " + fmt(g0) + ", gamma(1) = " + fmt(g1));
  auto product = [g, g2](double t) {
    const Dual v = g.eval(t);
    return std::isfinite(v.d) ? v.v * v.d : 0.5 * g2.eval(t).d;
  };
  for (int k = 0; k <= kGrid; ++k) {
    const double t = double(k) / kGrid;
    if (!std::isfinite(product(t)))
      throw ConfigError(field, "'" + gamma + "': gamma gamma' is not finite at t = " + fmt(t) +
                                   "; write gamma so that gamma^2 has a finite derivative there, e.g. "
                                   "sqrt(2*t*(1-t))");
  }
  return CustomGamma{[g](double t) { return g(t); }, [g](double t) { return g.eval(t).d; }, product};
}

// ---------------------------------------------------------------------------------------------

InterpolantSpec InterpolantSpec::read(JsonReader& r, const std::string& default_path) {
  InterpolantSpec s;
  s.path = r.string("path", default_path);
  if (s.path != kCustom) {
    if (!paths().find(s.path))
      throw ConfigError(r.key("path"), "unknown path '" + s.path + "'; allowed: " + paths().allowed() +
                                           ", custom (with alpha and beta formulas)");
  }
  if (r.has("gamma")) {
    s.gamma = r.string("gamma", "");
    if (s.gamma != kCustom && !gammas().find(s.gamma))
      throw ConfigError(r.key("gamma"), "unknown gamma '" + s.gamma + "'; allowed: " + gammas().allowed() +
                                            ", custom (with a gamma_expr formula)");
  }
  s.gamma_a = r.number("gamma_a", s.gamma_a);
  const bool custom_path = s.path == kCustom, custom_gamma = s.gamma == kCustom;
  for (const char* k : {"alpha", "beta"}) {
    if (custom_path) {
      r.require(k, std::string("a formula of t (path 'custom'), e.g. ") + (k[0] == 'a' ? "\"1 - t\"" : "\"t\""));
      (k[0] == 'a' ? s.alpha : s.beta) = r.string(k, "");
    } else if (r.has(k)) {
      throw ConfigError(r.key(k), "applies to path 'custom' only (this path is '" + s.path + "')");
    }
  }
  if (custom_gamma) {
    r.require("gamma_expr", "a formula of t (gamma 'custom'), e.g. \"sqrt(2*t*(1-t))\"");
    s.gamma_expr = r.string("gamma_expr", "");
  } else if (r.has("gamma_expr")) {
    throw ConfigError(r.key("gamma_expr"), "applies to gamma 'custom' only (add \"gamma\": \"custom\")");
  }
  // Parse the formulas now, so their errors name the config's keys.
  if (custom_path) {
    Formula::parse(s.alpha, r.key("alpha"));
    Formula::parse(s.beta, r.key("beta"));
  }
  if (custom_gamma) Formula::parse(s.gamma_expr, r.key("gamma_expr"));
  return s;
}

InterpolantSpec InterpolantSpec::parse(const std::string& text, const std::string& field) {
  if (!text.empty() && text.front() == '{') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw ConfigError(field, "not valid JSON: " + std::string(e.what()));
    }
    JsonReader r(j, field);
    InterpolantSpec s = read(r);
    r.finish();
    return s;
  }
  const auto slash = text.find('/');
  nlohmann::json j = {{"path", text.substr(0, slash)}};
  if (slash != std::string::npos) j["gamma"] = text.substr(slash + 1);
  JsonReader r(j, field);
  return read(r);
}

Interpolant InterpolantSpec::build() const {
  const PathDef& def = path_def(path, "path");
  Gamma g = gamma == kCustom ? Gamma(formula_gamma(gamma_expr, "gamma_expr"))
                             : Gamma::from_name(gamma.empty() ? def.default_gamma : gamma, gamma_a, "gamma");
  if (path == kCustom) return Interpolant(formula_path(alpha, beta), std::move(g));
  return Interpolant(def, std::move(g));
}

nlohmann::json InterpolantSpec::to_json() const {
  nlohmann::json j = {{"path", path}, {"gamma_a", gamma_a}};
  if (!gamma.empty()) j["gamma"] = gamma;
  if (path == kCustom) {
    j["alpha"] = alpha;
    j["beta"] = beta;
  }
  if (gamma == kCustom) j["gamma_expr"] = gamma_expr;
  return j;
}

std::string InterpolantSpec::label() const {
  std::string p = path == kCustom ? "alpha = " + alpha + ", beta = " + beta : path;
  const std::string gname = gamma.empty() ? path_def(path).default_gamma : gamma;
  std::string g;
  if (gname == kCustom)
    g = gamma_expr;
  else if (const GammaDef* def = gammas().find(gname))
    g = def->has_param ? def->formula + ", a = " + fmt(gamma_a) : def->formula;
  return p + ", gamma = " + g;
}

}  // namespace si
