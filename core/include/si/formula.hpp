// Formulas of t that people type (configs, the CLI, the page): a small expression language of our
// own, for interpolants whose alpha, beta and gamma are given as text, e.g.
//   {"path": "custom", "alpha": "cos(pi*t/2)", "beta": "sin(pi*t/2)",
//    "gamma": "custom", "gamma_expr": "sqrt(2*t*(1-t))"}
// Grammar (lowest precedence first; whitespace is ignored):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := '-' unary | power                 so -t^2 = -(t^2)
//   power   := primary ('^' unary)?             right-associative: 2^3^2 = 2^9
//   primary := number | 't' | 'pi' | name '(' expr ')' | '(' expr ')'
//   name    := sqrt | exp | log | sin | cos | tan
// Numbers: 2, 0.5, .5, 1e-3. A formula is evaluated with its exact derivative in t by dual numbers
// (forward mode), never by finite differences.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "si/interpolant.hpp"

namespace si {

class JsonReader;

// A value and its derivative in t.
struct Dual {
  double v = 0, d = 0;
};

class Formula {
 public:
  // Throws ConfigError(field, "'<text>' at position P: <what was expected>") for text that does
  // not parse; P counts characters from 1.
  static Formula parse(const std::string& text, const std::string& field = "formula");

  double operator()(double t) const { return eval(t).v; }
  Dual eval(double t) const;
  // The square of this formula, rewritten so that it stays differentiable where this one's
  // derivative is infinite: sqrt(u)^2 = u, (a b)^2 = a^2 b^2, (a / b)^2 = a^2 / b^2, (a^p)^2 =
  // a^(2p), (-a)^2 = a^2, exp(u)^2 = exp(2 u), else a a. So gamma gamma' = (1/2) d/dt gamma^2 is
  // finite at the ends of sqrt(2 t (1 - t)).
  Formula squared() const;
  const std::string& text() const { return text_; }

  struct Node;

 private:
  struct Op {
    int code;
    double value;
  };
  explicit Formula(std::string text, std::shared_ptr<const Node> root);

  std::string text_;
  std::shared_ptr<const Node> root_;
  std::vector<Op> program_;  // the tree in postfix order: evaluation is one pass over a stack
};

// alpha and beta as formulas: a two-sided path. Checks (ConfigError naming alpha_field or
// beta_field) that both are finite with finite derivatives on [0, 1] and that alpha(0) = 1,
// beta(0) = 0, alpha(1) = 0, beta(1) = 1.
CustomPath formula_path(const std::string& alpha, const std::string& beta, const std::string& alpha_field = "alpha",
                        const std::string& beta_field = "beta");
// gamma as a formula: gamma' by duals, and gamma gamma' by duals where gamma' is finite, else as
// (1/2) d/dt gamma^2 by duals of squared(). Checks (ConfigError naming field) gamma(0) = gamma(1) = 0,
// finite values on [0, 1], finite gamma' inside and finite gamma gamma' everywhere.
CustomGamma formula_gamma(const std::string& gamma, const std::string& field = "gamma_expr");

// The "interpolant" object of a config (configs/SCHEMA.md): a path of the table or "custom" (alpha
// and beta formulas), a gamma of the table or "custom" (a gamma_expr formula), and a-brownian's a.
struct InterpolantSpec {
  static constexpr const char* kCustom = "custom";
  std::string path = "linear";
  std::string gamma;  // empty: the path's default gamma
  double gamma_a = 1.0;
  std::string alpha, beta;  // path "custom"
  std::string gamma_expr;   // gamma "custom"

  // A path and gamma of the tables by name (gamma empty: the path's default).
  static InterpolantSpec named(const std::string& path, const std::string& gamma = "") {
    InterpolantSpec s;
    s.path = path;
    s.gamma = gamma;
    return s;
  }
  // Reads path, gamma, gamma_a, alpha, beta and gamma_expr from r (the caller calls r.finish());
  // names are checked against the tables, formulas parsed, each error naming its key.
  static InterpolantSpec read(JsonReader& r, const std::string& default_path = "linear");
  // A bare name "trig", "path/gamma" ("trig/zero"), or a JSON object as in a config.
  static InterpolantSpec parse(const std::string& text, const std::string& field);
  // Throws ConfigError naming "path", "gamma", "gamma_a", "alpha", "beta" or "gamma_expr".
  Interpolant build() const;
  nlohmann::json to_json() const;
  // "trig, gamma = sqrt(t (1 - t))": for titles and logs.
  std::string label() const;
};

}  // namespace si
