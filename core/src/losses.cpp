#include "si/losses.hpp"

namespace si {

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = {
      "b", "v", "s", "eta", "one-sided-b", "one-sided-v", "one-sided-s", "one-sided-eta", "mirror"};
  return names;
}

LossKind loss_from_name(const std::string& name, const std::string& field) {
  const auto& n = loss_names();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<LossKind>(i);
  throw ConfigError(field, "unknown loss '" + name +
                               "'; allowed: b, v, s, eta, one-sided-b, one-sided-v, one-sided-s, "
                               "one-sided-eta, mirror");
}

std::string to_name(LossKind k) { return loss_names()[static_cast<size_t>(k)]; }

bool loss_needs_clipped_time(LossKind k) {
  return k == LossKind::B || k == LossKind::S || k == LossKind::OneSidedS || k == LossKind::Mirror;
}

bool loss_supports_antithetic(LossKind k) { return k == LossKind::B || k == LossKind::S || k == LossKind::OneSidedS; }

bool loss_fits(LossKind k, const Interpolant& I) {
  switch (k) {
    case LossKind::B:
    case LossKind::V:
    case LossKind::S:
    case LossKind::Eta:
      return I.two_sided();
    case LossKind::Mirror:
      return I.mirror();
    default:
      return I.one_sided();
  }
}

template <typename S>
LossPoints<S> loss_points(LossKind kind, const Interpolant& I, const Batch<S>& batch, bool antithetic) {
  const Eigen::Index d = batch.x1.rows(), n = batch.x1.cols();
  const bool pair = antithetic && loss_supports_antithetic(kind);
  LossPoints<S> lp;
  lp.scale = S(1) / S(n);
  lp.inputs.resize(d + 1, pair ? 2 * n : n);
  lp.targets.resize(d, pair ? 2 * n : n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const Coefficients c = I.at(static_cast<double>(batch.t(j)));
    const S a = S(c.alpha), b = S(c.beta), g = S(c.gamma);
    const auto x0 = batch.x0.col(j), x1 = batch.x1.col(j);
    // Deterministic part I, the noise term and the targets c_+ (c_- where antithetic).
    Vec<S> mean = a * x0 + b * x1, noise(d), cp(d), cm(d);
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
  return lp;
}

template <typename S>
S loss_and_grad(const Mlp<S>& net, const LossPoints<S>& lp, Vec<S>* grad, MlpCache<S>& cache) {
  const Mat<S>& f = net.forward(lp.inputs, cache);
  // per point: 1/2 |f|^2 - c.f; d/df = f - c
  const S loss = lp.scale * (S(0.5) * f.squaredNorm() - f.cwiseProduct(lp.targets).sum());
  if (grad) {
    Mat<S> dY = lp.scale * (f - lp.targets);
    net.backward(cache, dY, *grad);
  }
  return loss;
}

#define SI_INSTANTIATE(S)                                                                     \
  template LossPoints<S> loss_points<S>(LossKind, const Interpolant&, const Batch<S>&, bool); \
  template S loss_and_grad<S>(const Mlp<S>&, const LossPoints<S>&, Vec<S>*, MlpCache<S>&);
SI_INSTANTIATE(float)
SI_INSTANTIATE(double)
#undef SI_INSTANTIATE

}  // namespace si
