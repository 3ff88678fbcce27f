#include "si/mlp.hpp"

#include <cmath>

namespace si {

namespace {
constexpr double kLeakySlope = 0.01;
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = {"relu", "leaky_relu", "elu", "tanh", "sigmoid", "softplus", "silu"};
  return names;
}

Activation activation_from_name(const std::string& name, const std::string& field) {
  const auto& n = activation_names();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<Activation>(i);
  throw ConfigError(field,
                    "unknown activation '" + name + "'; allowed: relu, leaky_relu, elu, tanh, sigmoid, softplus, silu");
}

std::string to_name(Activation a) { return activation_names()[static_cast<size_t>(a)]; }

template <typename S>
void activate(Activation a, const Mat<S>& z, Mat<S>& out) {
  out.resize(z.rows(), z.cols());
  auto Z = z.array();
  auto O = out.array();
  switch (a) {
    case Activation::ReLU:
      O = Z.max(S(0));
      break;
    case Activation::LeakyReLU:
      O = (Z > S(0)).select(Z, S(kLeakySlope) * Z);
      break;
    case Activation::ELU:
      O = (Z > S(0)).select(Z, Z.exp() - S(1));
      break;
    case Activation::Tanh:
      O = Z.tanh();
      break;
    case Activation::Sigmoid:
      O = S(1) / (S(1) + (-Z).exp());
      break;
    // log(1 + e^z) = max(z, 0) + log1p(e^-|z|) never overflows.
    case Activation::Softplus:
      O = Z.max(S(0)) + (-Z.abs()).exp().log1p();
      break;
    case Activation::SiLU:
      O = Z / (S(1) + (-Z).exp());
      break;
  }
}

template <typename S>
void activate_deriv(Activation a, const Mat<S>& z, Mat<S>& out) {
  out.resize(z.rows(), z.cols());
  auto Z = z.array();
  auto O = out.array();
  switch (a) {
    case Activation::ReLU:
      O = (Z > S(0)).template cast<S>();
      break;
    case Activation::LeakyReLU:
      O = (Z > S(0)).select(Mat<S>::Ones(z.rows(), z.cols()).array(), S(kLeakySlope));
      break;
    case Activation::ELU:
      O = (Z > S(0)).select(Mat<S>::Ones(z.rows(), z.cols()).array(), Z.exp());
      break;
    case Activation::Tanh:
      O = S(1) - Z.tanh().square();
      break;
    case Activation::Sigmoid: {
      const auto sg = S(1) / (S(1) + (-Z).exp());
      O = sg * (S(1) - sg);
      break;
    }
    case Activation::Softplus:
      O = S(1) / (S(1) + (-Z).exp());
      break;
    case Activation::SiLU: {
      const auto sg = S(1) / (S(1) + (-Z).exp());
      O = sg * (S(1) + Z * (S(1) - sg));
      break;
    }
  }
}

template <typename S>
Mlp<S>::Mlp(MlpShape shape) : shape_(std::move(shape)) {
  if (shape_.in < 1) throw ConfigError("network.in", "must be >= 1");
  if (shape_.out < 1) throw ConfigError("network.out", "must be >= 1");
  std::vector<int> sizes = {shape_.in};
  for (int h : shape_.hidden) {
    if (h < 1) throw ConfigError("network.hidden", "every width must be >= 1, got " + std::to_string(h));
    sizes.push_back(h);
  }
  sizes.push_back(shape_.out);
  Eigen::Index total = 0;
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    offsets_.push_back(total);
    fan_in_.push_back(sizes[l]);
    fan_out_.push_back(sizes[l + 1]);
    total += Eigen::Index(sizes[l]) * sizes[l + 1] + sizes[l + 1];
  }
  params_ = Vec<S>::Zero(total);
}

template <typename S>
void Mlp<S>::init(Rng& rng) {
  for (int l = 0; l < layers(); ++l) {
    const double k = 1.0 / std::sqrt(double(fan_in_[l]));
    const Eigen::Index n = Eigen::Index(fan_in_[l]) * fan_out_[l] + fan_out_[l];
    for (Eigen::Index i = 0; i < n; ++i) params_(offsets_[l] + i) = static_cast<S>(rng.uniform(-k, k));
  }
}

template <typename S>
Eigen::Map<const Mat<S>> Mlp<S>::weight(int l) const {
  return Eigen::Map<const Mat<S>>(params_.data() + offsets_[l], fan_out_[l], fan_in_[l]);
}

template <typename S>
Eigen::Map<const Vec<S>> Mlp<S>::bias(int l) const {
  return Eigen::Map<const Vec<S>>(params_.data() + offsets_[l] + Eigen::Index(fan_out_[l]) * fan_in_[l], fan_out_[l]);
}

template <typename S>
const Mat<S>& Mlp<S>::forward(const Mat<S>& X, MlpCache<S>& c) const {
  const int L = layers();
  c.inputs.resize(L);
  c.pre.resize(L);
  c.inputs[0] = X;
  for (int l = 0; l < L; ++l) {
    Mat<S>& z = (l + 1 < L) ? c.pre[l] : c.output;
    z.noalias() = weight(l) * c.inputs[l];  // z[r, j] = sum_c W[r, c] a[c, j] + b[r]
    z.colwise() += bias(l);
    if (l + 1 < L) activate(shape_.activation, z, c.inputs[l + 1]);
  }
  return c.output;
}

template <typename S>
void Mlp<S>::backward(MlpCache<S>& c, const Mat<S>& dY, Vec<S>& grad, Mat<S>* dX) const {
  const int L = layers();
  c.delta = dY;
  for (int l = L - 1; l >= 0; --l) {
    const Eigen::Index wsize = Eigen::Index(fan_out_[l]) * fan_in_[l];
    Eigen::Map<Mat<S>> gW(grad.data() + offsets_[l], fan_out_[l], fan_in_[l]);
    Eigen::Map<Vec<S>> gb(grad.data() + offsets_[l] + wsize, fan_out_[l]);
    gW.noalias() += c.delta * c.inputs[l].transpose();  // dW[r, c] += sum_j delta[r, j] a[c, j]
    gb += c.delta.rowwise().sum();
    if (l == 0 && !dX) break;
    c.delta_prev.noalias() = weight(l).transpose() * c.delta;  // da[c, j] = sum_r W[r, c] delta[r, j]
    if (l == 0) {
      *dX = c.delta_prev;
      break;
    }
    activate_deriv(shape_.activation, c.pre[l - 1], c.act_deriv);
    c.delta = c.delta_prev.cwiseProduct(c.act_deriv);  // dz = da * act'(z)
  }
}

template <typename S>
Mat<S> Mlp<S>::eval(const Mat<S>& X) const {
  Mat<S> a = X, z;
  for (int l = 0; l < layers(); ++l) {
    z.noalias() = weight(l) * a;
    z.colwise() += bias(l);
    if (l + 1 < layers())
      activate(shape_.activation, z, a);
    else
      return z;
  }
  return z;
}

template <typename S>
Mat<S> Mlp<S>::eval_with_divergence(const Mat<S>& X, Vec<S>& div, int offset) const {
  const int L = layers(), d = shape_.out;
  if (offset + d > shape_.in) throw ConfigError("network", "divergence needs inputs offset + out <= in");
  const Eigen::Index n = X.cols();
  // Forward pass, keeping act'(z) of every hidden layer for the tangents.
  std::vector<Mat<S>> dact(L > 0 ? L - 1 : 0);
  Mat<S> a = X, z;
  for (int l = 0; l < L; ++l) {
    z.noalias() = weight(l) * a;
    z.colwise() += bias(l);
    if (l + 1 < L) {
      activate_deriv(shape_.activation, z, dact[l]);
      activate(shape_.activation, z, a);
    }
  }
  div = Vec<S>::Zero(n);
  // Tangent along input offset + k: starts as column offset + k of W_0 at every point.
  Mat<S> T, Tn;
  for (int k = 0; k < d; ++k) {
    if (L == 1) {
      div.array() += weight(0)(k, offset + k);
      continue;
    }
    T = dact[0].array().colwise() * weight(0).col(offset + k).array();
    for (int l = 1; l + 1 < L; ++l) {
      Tn.noalias() = weight(l) * T;
      T = Tn.cwiseProduct(dact[l]);
    }
    div.noalias() += (weight(L - 1).row(k) * T).transpose();  // d out_k / d x_k
  }
  return z;
}

template <typename S>
void stack_time(const Vec<S>& t, const Mat<S>& x, Mat<S>& out) {
  out.resize(x.rows() + 1, x.cols());
  out.row(0) = t.transpose();
  out.bottomRows(x.rows()) = x;
}

template <typename S>
void stack_time(S t, const Mat<S>& x, Mat<S>& out) {
  out.resize(x.rows() + 1, x.cols());
  out.row(0).setConstant(t);
  out.bottomRows(x.rows()) = x;
}

#define SI_INSTANTIATE(S)                                              \
  template void activate<S>(Activation, const Mat<S>&, Mat<S>&);       \
  template void activate_deriv<S>(Activation, const Mat<S>&, Mat<S>&); \
  template class Mlp<S>;                                               \
  template void stack_time<S>(const Vec<S>&, const Mat<S>&, Mat<S>&);  \
  template void stack_time<S>(S, const Mat<S>&, Mat<S>&);
SI_INSTANTIATE(float)
SI_INSTANTIATE(double)
#undef SI_INSTANTIATE

}  // namespace si
