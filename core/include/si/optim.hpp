// Adam with a StepLR schedule and optional gradient-norm clipping (SPEC section 6), on a flat
// parameter vector.
#pragma once

#include <cstdint>
#include <string>

#include "si/types.hpp"

namespace si {

struct AdamOptions {
  double lr = 2e-3;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::int64_t step_size = 0;  // StepLR period in steps (0: constant learning rate)
  double decay = 1.0;          // StepLR factor
  double clip = 0.0;           // clip the gradient norm to this value (0: no clipping)
  // "step" (StepLR above) or "cosine": lr (1 + cos(pi min(t, horizon) / horizon)) / 2 over the
  // training's `horizon` steps (the config sets it to training.steps), decaying to 0.
  std::string schedule = "step";
  std::int64_t horizon = 0;
  // Exponential moving average of the weights (0: off, else the decay, e.g. 0.999): the model a
  // session hands out holds the averaged weights. The decay warms up as min(ema, (1 + t) / (10 + t)).
  double ema = 0.0;
  void validate(const std::string& field = "optimizer") const;
};

template <typename S>
class Adam {
 public:
  Adam() = default;
  Adam(AdamOptions options, Eigen::Index n);
  // The learning rate the next step() will use.
  double lr() const;
  // Continues the StepLR schedule as if `steps` steps had been taken (the moments stay fresh).
  void set_schedule_offset(std::int64_t steps) { offset_ = steps; }
  std::int64_t steps() const { return t_; }
  // Other options (learning rate, schedule, clipping, ...) from the next step on; the moments and
  // the step count stay.
  void set_options(AdamOptions options) {
    options.validate();
    opt_ = std::move(options);
  }
  // One update of params from grad (clipped to the norm options.clip, if set, inside the update:
  // grad itself is not changed). Returns the gradient norm before clipping.
  double step(Vec<S>& params, const Vec<S>& grad);

  // The same update in parts, so that ranges of the parameters can go to different threads and
  // nothing changes until every range is known to stay finite: plan() fixes the step's coefficients
  // from the whole gradient's norm (the learning rate, the bias corrections, the clipping);
  // propose() writes the updated weights of [begin, end) to `next` (which may be params) and the
  // updated moments to a second pair of buffers, and says whether the weights are all finite;
  // commit(), once every range is proposed and found finite, makes the proposed moments the moments
  // (a swap) and counts the step. A step not committed leaves the optimiser as it was, and the
  // caller's weights too unless `next` was params.
  struct Plan {
    S step, denom_scale, grad_scale;
  };
  Plan plan(double grad_norm) const;
  bool propose(const Plan& plan, const Vec<S>& params, const Vec<S>& grad, Vec<S>& next, Eigen::Index begin,
               Eigen::Index end);
  void commit();

  const Vec<S>& m() const { return m_; }
  const Vec<S>& v() const { return v_; }

 private:
  AdamOptions opt_;
  std::int64_t t_ = 0;
  std::int64_t offset_ = 0;
  Vec<S> m_, v_;
  Vec<S> m_next_, v_next_;  // propose()'s moments, the moments once committed
};

}  // namespace si
