#include "si/losses.hpp"

#include <algorithm>

#include "si/parallel.hpp"

namespace si {

Registry<LossDef>& losses() {
  using K = LossKind;
  using Sd = Sidedness;
  // name, value, field learned, paths, clipped time, antithetic
  static Registry<LossDef> table("loss", {
                                             {"b", K::B, "b", Sd::TwoSided, true, true},
                                             {"v", K::V, "v", Sd::TwoSided, false, false},
                                             {"s", K::S, "s", Sd::TwoSided, true, true},
                                             {"eta", K::Eta, "eta", Sd::TwoSided, false, false},
                                             {"one-sided-b", K::OneSidedB, "b", Sd::OneSided, false, false},
                                             {"one-sided-v", K::OneSidedV, "v", Sd::OneSided, false, false},
                                             {"one-sided-s", K::OneSidedS, "s", Sd::OneSided, true, true},
                                             {"one-sided-eta", K::OneSidedEta, "eta", Sd::OneSided, false, false},
                                             {"mirror", K::Mirror, "s", Sd::Mirror, true, false},
                                         });
  return table;
}

std::vector<std::string> loss_names() { return losses().names(); }
LossKind loss_from_name(const std::string& name, const std::string& field) { return losses().at(name, field).value; }
std::string to_name(LossKind k) { return losses().of(k).name; }

LossKind loss_for(const std::string& field, Sidedness side, const std::string& config_field) {
  for (const LossDef* d : losses().entries())
    if (d->field == field && d->sidedness == side) return d->value;
  throw ConfigError(config_field, "no loss learns '" + field + "' on " + to_name(side) + " paths");
}

bool loss_needs_clipped_time(LossKind k) { return losses().of(k).clipped_time; }
bool loss_supports_antithetic(LossKind k) { return losses().of(k).antithetic; }
bool loss_fits(LossKind k, const Interpolant& I) { return losses().of(k).sidedness == I.sidedness(); }

template <typename S>
void loss_points(LossKind kind, const Interpolant& I, const Batch<S>& batch, bool antithetic, LossPoints<S>& lp,
                 int threads) {
  const Eigen::Index d = batch.x1.rows(), n = batch.x1.cols();
  const bool pair = antithetic && loss_supports_antithetic(kind);
  lp.scale = S(1) / S(n);
  lp.inputs.resize(d + 1, pair ? 2 * n : n);  // the same size as last time: the same memory
  lp.targets.resize(d, pair ? 2 * n : n);
  // Each point's columns depend on its batch entry alone: ranges of entries go to the threads.
  by_ranges(n, threads, std::max<Eigen::Index>(1, 5'000 / (d + 1)), [&](Eigen::Index begin, Eigen::Index end) {
    // Deterministic part I, the noise term and the targets c_+ (c_- where antithetic), per point;
    // sized once, so the loop allocates nothing (a batch has thousands of points).
    Vec<S> mean(d), noise(d), cp(d), cm(d);
    for (Eigen::Index j = begin; j < end; ++j) {
      const Coefficients c = I.at(static_cast<double>(batch.t(j)));
      const S a = S(c.alpha), b = S(c.beta), g = S(c.gamma);
      const auto x0 = batch.x0.col(j), x1 = batch.x1.col(j);
      mean = a * x0 + b * x1;
      switch (kind) {
        case LossKind::B:  // c = dI +- gamma' z at I +- gamma z
          noise = g * batch.z.col(j);
          cp = S(c.dalpha) * x0 + S(c.dbeta) * x1 + S(c.dgamma) * batch.z.col(j);
          cm = S(c.dalpha) * x0 + S(c.dbeta) * x1 - S(c.dgamma) * batch.z.col(j);
          break;
        case LossKind::V:  // c = dI at I + gamma z
          noise = g * batch.z.col(j);
          cp = S(c.dalpha) * x0 + S(c.dbeta) * x1;
          break;
        case LossKind::S:  // 1/2|s|^2 + z.s/gamma: c = -+ z / gamma at I +- gamma z
          noise = g * batch.z.col(j);
          cp = -batch.z.col(j) / g;
          cm = batch.z.col(j) / g;
          break;
        case LossKind::Eta:  // c = z at I + gamma z
          noise = g * batch.z.col(j);
          cp = batch.z.col(j);
          break;
        case LossKind::OneSidedB:
        case LossKind::OneSidedV:  // c = dI at alpha x0 + beta x1
          mean = b * x1;
          noise = a * x0;
          cp = S(c.dalpha) * x0 + S(c.dbeta) * x1;
          break;
        case LossKind::OneSidedS:  // c = -+ x0 / alpha at beta x1 +- alpha x0
          mean = b * x1;
          noise = a * x0;
          cp = -x0 / a;
          cm = x0 / a;
          break;
        case LossKind::OneSidedEta:  // c = x0 at alpha x0 + beta x1
          mean = b * x1;
          noise = a * x0;
          cp = x0;
          break;
        case LossKind::Mirror:  // 1/2|s|^2 + x0.s/gamma: c = -x0 / gamma at x1 + gamma x0
          mean = x1;
          noise = a * x0;  // alpha = gamma on the mirror path
          cp = -x0 / a;
          break;
      }
      lp.inputs(0, j) = batch.t(j);
      lp.inputs.col(j).tail(d) = mean + noise;
      lp.targets.col(j) = cp;
      if (pair) {
        lp.inputs(0, n + j) = batch.t(j);
        lp.inputs.col(n + j).tail(d) = mean - noise;
        lp.targets.col(n + j) = cm;
      }
    }
  });
}

template <typename S>
LossPoints<S> loss_points(LossKind kind, const Interpolant& I, const Batch<S>& batch, bool antithetic) {
  LossPoints<S> lp;
  loss_points(kind, I, batch, antithetic, lp);
  return lp;
}

namespace {
// The loss, and its gradient added to *grad (accumulate) or written there.
template <typename S>
S loss_and_grad(const Mlp<S>& net, const LossPoints<S>& lp, Vec<S>* grad, MlpCache<S>& cache, bool accumulate) {
  const Mat<S>& f = net.forward(lp.inputs, cache);
  Mat<S> dY(f.rows(), f.cols());
  const S loss = loss_and_output_grad(lp, 0, f.cols(), f, dY);
  if (grad) net.backward(cache, dY, *grad, nullptr, accumulate);
  return loss;
}
}  // namespace

template <typename S>
S loss_and_output_grad(const LossPoints<S>& lp, Eigen::Index begin, Eigen::Index end, const Mat<S>& f, Mat<S>& dY) {
  const auto fb = f.middleCols(begin, end - begin);
  const auto c = lp.targets.middleCols(begin, end - begin);
  dY.middleCols(begin, end - begin) = lp.scale * (fb - c);  // d/df of 1/2 |f|^2 - c.f is f - c
  return lp.scale * (S(0.5) * fb.squaredNorm() - fb.cwiseProduct(c).sum());
}

template <typename S>
S loss_and_grad(const Mlp<S>& net, const LossPoints<S>& lp, Vec<S>* grad, MlpCache<S>& cache) {
  return loss_and_grad(net, lp, grad, cache, true);
}

template <typename S>
S loss_and_grad_range(const Mlp<S>& net, const LossPoints<S>& lp, Eigen::Index begin, Eigen::Index end, Vec<S>* grad,
                      MlpCache<S>& cache, LossPoints<S>& range) {
  if (begin == 0 && end == lp.inputs.cols()) return loss_and_grad(net, lp, grad, cache, false);
  range.inputs = lp.inputs.middleCols(begin, end - begin);
  range.targets = lp.targets.middleCols(begin, end - begin);
  range.scale = lp.scale;  // a share of the batch mean: the ranges' sums add up to it
  return loss_and_grad(net, range, grad, cache, false);
}

template <typename S>
S loss_and_grad(const Mlp<S>& net, const LossPoints<S>& lp, Vec<S>* grad, ParallelScratch<S>& scratch, int threads) {
  check_threads(threads);
  const Eigen::Index m = lp.inputs.cols();
  const int parts = int(std::max<Eigen::Index>(1, std::min<Eigen::Index>(threads, m)));
  scratch.resize(parts);
  if (parts == 1) return loss_and_grad(net, lp, grad, scratch.caches[0]);
  std::vector<S> range_loss(static_cast<size_t>(parts));
  run_tasks(parts, [&](int i) {
    const auto [begin, end] = split_range(m, parts, i);
    range_loss[size_t(i)] = loss_and_grad_range(net, lp, begin, end, grad ? &scratch.grads[size_t(i)] : nullptr,
                                                scratch.caches[size_t(i)], scratch.parts[size_t(i)]);
  });
  // The fixed order of the sums makes the result the same on every run with this thread count.
  S loss = 0;
  for (int i = 0; i < parts; ++i) {
    loss += range_loss[size_t(i)];
    if (grad) *grad += scratch.grads[size_t(i)];
  }
  return loss;
}

#define SI_INSTANTIATE(S)                                                                                       \
  template LossPoints<S> loss_points<S>(LossKind, const Interpolant&, const Batch<S>&, bool);                   \
  template void loss_points<S>(LossKind, const Interpolant&, const Batch<S>&, bool, LossPoints<S>&, int);       \
  template S loss_and_grad<S>(const Mlp<S>&, const LossPoints<S>&, Vec<S>*, MlpCache<S>&);                      \
  template S loss_and_grad<S>(const Mlp<S>&, const LossPoints<S>&, Vec<S>*, ParallelScratch<S>&, int);          \
  template S loss_and_output_grad<S>(const LossPoints<S>&, Eigen::Index, Eigen::Index, const Mat<S>&, Mat<S>&); \
  template S loss_and_grad_range<S>(const Mlp<S>&, const LossPoints<S>&, Eigen::Index, Eigen::Index, Vec<S>*,   \
                                    MlpCache<S>&, LossPoints<S>&);
SI_INSTANTIATE(float)
SI_INSTANTIATE(double)
#undef SI_INSTANTIATE

}  // namespace si
