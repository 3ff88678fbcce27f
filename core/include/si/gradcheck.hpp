// Gradient checking by central differences at random coordinates, used by the tests of every layer,
// activation and loss. Works in double. Coordinate i moves by step = h * max(1, |x_i|) (absolute for
// |x_i| <= 1, relative beyond), default h = 1e-6: of the order of cbrt(machine eps) ~ 6e-6, which
// balances the O(step^2) truncation error of a central difference against its O(eps / step)
// round-off (sqrt(eps) ~ 1.5e-8 is the step for one-sided differences, too small here).
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>

#include "si/rng.hpp"
#include "si/types.hpp"

namespace si {

struct GradCheckResult {
  double max_rel_error = 0;  // max over checked coordinates of |g - fd| / max(|g|, |fd|, floor)
  Eigen::Index worst_index = -1;
};

// Compares grad (the claimed gradient of f at x) with central differences at `samples` random
// coordinates (all of them if samples >= x.size()). floor keeps tiny gradients from dominating.
inline GradCheckResult check_gradient(const std::function<double(const VecD&)>& f, const VecD& x, const VecD& grad,
                                      Rng& rng, int samples = 40, double h = 1e-6, double floor = 1e-6) {
  GradCheckResult r;
  VecD xp = x;
  const Eigen::Index n = x.size();
  const bool all = samples >= n;
  for (Eigen::Index k = 0; k < (all ? n : samples); ++k) {
    const Eigen::Index i = all ? k : Eigen::Index(rng.below(std::uint64_t(n)));
    const double step = h * std::max(1.0, std::abs(x(i)));
    xp(i) = x(i) + step;
    const double fp = f(xp);
    xp(i) = x(i) - step;
    const double fm = f(xp);
    xp(i) = x(i);
    const double fd = (fp - fm) / (2 * step);
    const double err = std::abs(fd - grad(i)) / std::max({std::abs(fd), std::abs(grad(i)), floor});
    if (err > r.max_rel_error) {
      r.max_rel_error = err;
      r.worst_index = i;
    }
  }
  return r;
}

}  // namespace si
