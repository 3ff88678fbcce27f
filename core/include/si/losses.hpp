// The losses of SPEC section 3. Every one of them has the per-sample form
//   sum over sample points p of  1/2 |f(x_p)|^2 - c_p . f(x_p),
// whose minimiser is f(x) = E[c | x_t = x]; a loss is therefore its list of sample points x_p and
// targets c_p (two of each when antithetic), and one gradient routine serves all nine.
#pragma once

#include <string>
#include <vector>

#include "si/interpolant.hpp"
#include "si/mlp.hpp"

namespace si {

enum class LossKind { B, V, S, Eta, OneSidedB, OneSidedV, OneSidedS, OneSidedEta, Mirror };

// A loss and its traits (the table in losses.cpp; the per-sample formulas are in loss_points).
struct LossDef {
  std::string name;
  LossKind value;
  std::string field;    // the field its minimiser is: "b", "v", "s" or "eta"
  Sidedness sidedness;  // the paths it is for
  // It divides by gamma or alpha or uses gamma' (singular at the ends of [0, 1]): its times are
  // drawn from [t_lo, 1 - t_hi].
  bool clipped_time;
  bool antithetic;  // it can evaluate the antithetic pair I +- noise
};
Registry<LossDef>& losses();

std::vector<std::string> loss_names();
LossKind loss_from_name(const std::string& name, const std::string& field = "loss");
std::string to_name(LossKind k);
// The loss that learns `field` ("b", "v", "s", "eta") on paths of this sidedness; ConfigError
// naming `config_field` if there is none.
LossKind loss_for(const std::string& field, Sidedness side, const std::string& config_field = "fields");

bool loss_needs_clipped_time(LossKind k);
bool loss_supports_antithetic(LossKind k);
// Whether the loss fits the interpolant's sidedness (e.g. one-sided losses need one-sided paths).
bool loss_fits(LossKind k, const Interpolant& I);

// One draw for a batch: times and the three random ends (z unused by one-sided and mirror paths).
template <typename S>
struct Batch {
  Vec<S> t;
  Mat<S> x0, x1, z;
};

// The sample points (network inputs [t; x_p]) and targets c_p of a loss for a batch.
template <typename S>
struct LossPoints {
  Mat<S> inputs;   // (1 + d) x m
  Mat<S> targets;  // d x m
  S scale = 1;     // 1 / batch size: the loss is a mean over the batch
};

template <typename S>
LossPoints<S> loss_points(LossKind kind, const Interpolant& I, const Batch<S>& batch, bool antithetic);
// The same into `points`, reusing its memory, the batch's entries split over `threads` threads
// (the same values for every count).
template <typename S>
void loss_points(LossKind kind, const Interpolant& I, const Batch<S>& batch, bool antithetic, LossPoints<S>& points,
                 int threads = 1);

// The loss value and, if grad is not null, its gradient in the network's parameters (added to
// grad). cache is scratch memory, reused across calls.
template <typename S>
S loss_and_grad(const Mlp<S>& net, const LossPoints<S>& points, Vec<S>* grad, MlpCache<S>& cache);

// Scratch memory of the data-parallel loss_and_grad below: per range of points, its share of the
// points, a cache and a gradient; reused across calls.
template <typename S>
struct ParallelScratch {
  std::vector<LossPoints<S>> parts;
  std::vector<MlpCache<S>> caches;
  std::vector<Vec<S>> grads;
  void resize(int ranges) {
    parts.resize(size_t(ranges));
    caches.resize(size_t(ranges));
    grads.resize(size_t(ranges));
  }
};

// The share of the loss of the points' columns [begin, end) and, if grad is not null, its gradient
// written to *grad (sized and set, not added to): ranges that cover the batch add up to its loss and
// gradient, so ranges may go to different threads. range_points is scratch memory for the columns
// (unused when the range is all of them).
// The loss of columns [begin, end) of the points given the network's outputs f there (per point
// 1/2 |f|^2 - c.f, a share of the batch mean), and its gradient dL/df written to those columns of dY.
template <typename S>
S loss_and_output_grad(const LossPoints<S>& points, Eigen::Index begin, Eigen::Index end, const Mat<S>& f, Mat<S>& dY);
template <typename S>
S loss_and_grad_range(const Mlp<S>& net, const LossPoints<S>& points, Eigen::Index begin, Eigen::Index end,
                      Vec<S>* grad, MlpCache<S>& cache, LossPoints<S>& range_points);

// The same loss and gradient on `threads` threads (si/parallel.hpp): the points are split into that
// many contiguous ranges (fewer if there are fewer points), each range's loss and gradient is
// computed on its own thread, and they are summed in range order, so a thread count gives the same
// numbers on every run. threads = 1 computes exactly the call above.
template <typename S>
S loss_and_grad(const Mlp<S>& net, const LossPoints<S>& points, Vec<S>* grad, ParallelScratch<S>& scratch, int threads);

}  // namespace si
