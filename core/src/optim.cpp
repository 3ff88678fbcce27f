#include "si/optim.hpp"

#include <algorithm>
#include <cmath>

#include "si/json_reader.hpp"

namespace si {

namespace {
bool positive(double x) { return std::isfinite(x) && x > 0; }
std::string num(double x) { return format_number(x); }
}  // namespace

void AdamOptions::validate(const std::string& f) const {
  if (!positive(lr)) throw ConfigError(f + ".lr", "must be a positive number, got " + num(lr));
  if (!(beta1 >= 0 && beta1 < 1)) throw ConfigError(f + ".beta1", "must be in [0, 1), got " + num(beta1));
  if (!(beta2 >= 0 && beta2 < 1)) throw ConfigError(f + ".beta2", "must be in [0, 1), got " + num(beta2));
  if (!positive(eps)) throw ConfigError(f + ".eps", "must be a positive number, got " + num(eps));
  if (step_size < 0)
    throw ConfigError(f + ".step_size",
                      "must be >= 0 (0: no decay), got " + std::to_string(static_cast<long long>(step_size)));
  if (!(decay > 0 && decay <= 1)) throw ConfigError(f + ".decay", "must be in (0, 1], got " + num(decay));
  if (schedule != "step" && schedule != "cosine")
    throw ConfigError(f + ".schedule", "must be one of step, cosine; got '" + printable(schedule, 40) + "'");
  if (schedule == "cosine" && horizon < 1)
    throw ConfigError(f + ".schedule", "cosine needs the number of training steps (training.steps >= 1)");
  if (!(ema >= 0 && ema < 1)) throw ConfigError(f + ".ema", "must be in [0, 1) (0: off), got " + num(ema));
  if (!(clip >= 0 && std::isfinite(clip)))
    throw ConfigError(f + ".clip", "must be >= 0 (0: no clipping), got " + num(clip));
}

template <typename S>
Adam<S>::Adam(AdamOptions options, Eigen::Index n)
    : opt_(options), m_(Vec<S>::Zero(n)), v_(Vec<S>::Zero(n)), m_next_(Vec<S>::Zero(n)), v_next_(Vec<S>::Zero(n)) {
  opt_.validate();
}

template <typename S>
double Adam<S>::lr() const {
  if (opt_.schedule == "cosine") {
    const double u = double(std::min(t_ + offset_, opt_.horizon)) / double(opt_.horizon);
    return opt_.lr * 0.5 * (1.0 + std::cos(3.14159265358979323846 * u));
  }
  if (opt_.step_size <= 0) return opt_.lr;
  return opt_.lr * std::pow(opt_.decay, double((t_ + offset_) / opt_.step_size));
}

template <typename S>
typename Adam<S>::Plan Adam<S>::plan(double grad_norm) const {
  const double t = double(t_ + 1);
  // Bias corrections folded into the step size, as PyTorch does.
  const double c1 = 1 - std::pow(opt_.beta1, t), c2 = 1 - std::pow(opt_.beta2, t);
  const double clip = opt_.clip > 0 && grad_norm > opt_.clip ? opt_.clip / grad_norm : 1.0;
  return {S(lr() / c1), S(1.0 / std::sqrt(c2)), S(clip)};
}

template <typename S>
bool Adam<S>::propose(const Plan& plan, const Vec<S>& params, const Vec<S>& grad, Vec<S>& next, Eigen::Index begin,
                      Eigen::Index end) {
  const Eigen::Index n = end - begin;
  const auto g = grad.segment(begin, n).array() * plan.grad_scale;  // x * 1 is x: unclipped, g as it is
  auto m = m_next_.segment(begin, n).array();
  auto v = v_next_.segment(begin, n).array();
  m = S(opt_.beta1) * m_.segment(begin, n).array() + (S(1) - S(opt_.beta1)) * g;
  v = S(opt_.beta2) * v_.segment(begin, n).array() + (S(1) - S(opt_.beta2)) * g.square();
  auto p = next.segment(begin, n).array();  // may be params itself: coefficient-wise
  p = params.segment(begin, n).array() - plan.step * m / (v.sqrt() * plan.denom_scale + S(opt_.eps));
  return all_finite_fast(p);
}

template <typename S>
void Adam<S>::commit() {
  m_.swap(m_next_);
  v_.swap(v_next_);
  ++t_;
}

template <typename S>
double Adam<S>::step(Vec<S>& params, const Vec<S>& grad) {
  const double norm = std::sqrt(double(grad.squaredNorm()));
  const Plan p = plan(norm);
  propose(p, params, grad, params, 0, params.size());
  commit();
  return norm;
}

template class Adam<float>;
template class Adam<double>;

}  // namespace si
