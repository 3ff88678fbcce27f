#include "si/mlp.hpp"

#include <cmath>
#include <type_traits>

#include "si/gemm.hpp"
#include "si/parallel.hpp"

namespace si {

namespace {
constexpr double kLeakySlope = 0.01;
// Fewer columns per thread do not pay for waking one.
constexpr Eigen::Index kMinColumnsPerThread = 128;

// The products of the forward and backward passes: out = op(A) B (op: transposed or not) and
// out += A B^T. Under SI_OWN_GEMM (the wasm build, where Eigen has no SIMD code, and natively unless
// SI_EIGEN_GEMM) they run on si/gemm.hpp's packed kernel.
#if defined(SI_OWN_GEMM) && !defined(__wasm__) && !defined(__AVX512F__)
#undef SI_OWN_GEMM  // natively without AVX-512 ours is the portable micro-kernel: Eigen is far faster
#endif
#if defined(SI_OWN_GEMM) && !defined(__wasm__)
// Natively, a product of fewer rows than one AVX-512 vector (the output layer's 2) is Eigen's: ours
// pads such a tile to 16 rows (2x256 times 256x2000: 6 GFLOP/s against Eigen's 34, measured).
constexpr Eigen::Index kOwnGemmMinRows = 16;
#else
constexpr Eigen::Index kOwnGemmMinRows = 1;
#endif
// out is a matrix (sized here) or columns of one (sized already).
template <typename S, typename MA, typename MB, typename MC>
void multiply(const MA& a, bool a_transposed, const MB& b, MC&& out) {
  if constexpr (std::is_same_v<std::decay_t<MC>, Mat<S>>) out.resize(a_transposed ? a.cols() : a.rows(), b.cols());
#ifdef SI_OWN_GEMM
  if constexpr (std::is_same_v<S, float>)
    if (out.rows() >= kOwnGemmMinRows) return gemm(a, a_transposed, b, false, out, false);
#endif
  if (a_transposed)
    out.noalias() = a.transpose() * b;
  else
    out.noalias() = a * b;
}
// out = A B^T, or out += A B^T if accumulate.
template <typename S, typename MA, typename MB>
void product_bt(const MA& a, const MB& b, Eigen::Map<Mat<S>>& out, bool accumulate) {
#ifdef SI_OWN_GEMM
  if constexpr (std::is_same_v<S, float>)
    if (out.rows() >= kOwnGemmMinRows) return gemm(a, false, b, true, out, accumulate);
#endif
  if (accumulate)
    out.noalias() += a * b.transpose();
  else
    out.noalias() = a * b.transpose();
}

// f(begin, count) over contiguous ranges of n columns, one per thread.
template <typename F>
void by_column_ranges(Eigen::Index n, F&& f) {
  by_ranges(n, threads(), kMinColumnsPerThread, [&](Eigen::Index begin, Eigen::Index end) { f(begin, end - begin); });
}
}  // namespace

Registry<ActivationDef>& activations() {
  using A = Activation;
  static Registry<ActivationDef> table("activation", {
                                                         {"relu", A::ReLU},
                                                         {"leaky_relu", A::LeakyReLU},
                                                         {"elu", A::ELU},
                                                         {"tanh", A::Tanh},
                                                         {"sigmoid", A::Sigmoid},
                                                         {"softplus", A::Softplus},
                                                         {"silu", A::SiLU},
                                                     });
  return table;
}

std::vector<std::string> activation_names() { return activations().names(); }
Activation activation_from_name(const std::string& name, const std::string& field) {
  return activations().at(name, field).value;
}
std::string to_name(Activation a) { return activations().of(a).name; }

namespace {
// df = f'(z), or df = da * f'(z) given da: the backward pass's dz in one pass over memory.
template <typename D, typename E, typename DA>
void set_derivative(D& df, const E& derivative, const DA* da) {
  if (da)
    df.array() = da->array() * derivative;
  else
    df.array() = derivative;
}

// f(z) into *f and f'(z) (times *da if given) into *df; either may be null. Each is a matrix (sized
// here) or columns of one (sized already).
template <typename S, typename ZM, typename F, typename D, typename DA>
void activation_and_derivative(Activation a, const ZM& z, F* f, D* df, const DA* da) {
  if constexpr (std::is_same_v<F, Mat<S>>)
    if (f) f->resize(z.rows(), z.cols());
  if constexpr (std::is_same_v<D, Mat<S>>)
    if (df) df->resize(z.rows(), z.cols());
  const auto Z = z.array();
  const auto logistic = S(1) / (S(1) + (-Z).exp());
  // A step function as a plain lambda: GCC vectorises it, Eigen's (Z > 0).cast<S>() runs 5x slower.
  const auto step = [](S low) { return [low](S x) { return x > S(0) ? S(1) : low; }; };
  // Each case: f, then f'.
  switch (a) {
    case Activation::ReLU:
      if (f) f->array() = Z.max(S(0));
      if (df) set_derivative(*df, Z.unaryExpr(step(S(0))), da);
      break;
    case Activation::LeakyReLU:
      if (f) f->array() = (Z > S(0)).select(Z, S(kLeakySlope) * Z);
      if (df) set_derivative(*df, Z.unaryExpr(step(S(kLeakySlope))), da);
      break;
    case Activation::ELU:
      if (f) f->array() = (Z > S(0)).select(Z, Z.exp() - S(1));
      if (df) set_derivative(*df, (Z > S(0)).select(Mat<S>::Ones(z.rows(), z.cols()).array(), Z.exp()), da);
      break;
    case Activation::Tanh:
      if (f) f->array() = Z.tanh();
      if (df) set_derivative(*df, S(1) - Z.tanh().square(), da);
      break;
    case Activation::Sigmoid:
      if (f) f->array() = logistic;
      if (df) set_derivative(*df, logistic * (S(1) - logistic), da);
      break;
    case Activation::Softplus:  // log(1 + e^z) = max(z, 0) + log1p(e^-|z|) never overflows
      if (f) f->array() = Z.max(S(0)) + (-Z.abs()).exp().log1p();
      if (df) set_derivative(*df, logistic, da);
      break;
    case Activation::SiLU:  // z S(z)
      if (f) f->array() = Z / (S(1) + (-Z).exp());
      if (df) set_derivative(*df, logistic * (S(1) + Z * (S(1) - logistic)), da);
      break;
  }
}
}  // namespace

template <typename S>
void activation(Activation a, const Mat<S>& z, Mat<S>* f, Mat<S>* df) {
  activation_and_derivative<S>(a, z, f, df, static_cast<const Mat<S>*>(nullptr));
}

template <typename S>
void activate(Activation a, const Mat<S>& z, Mat<S>& out) {
  activation<S>(a, z, &out, nullptr);
}

template <typename S>
void activate_deriv(Activation a, const Mat<S>& z, Mat<S>& out) {
  activation<S>(a, z, nullptr, &out);
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
void Mlp<S>::run_forward(const Mat<S>& X, Mat<S>& out, std::vector<Mat<S>>* inputs, std::vector<Mat<S>>* pre,
                         std::vector<Mat<S>>* dact) const {
  const int L = layers();
  Mat<S> a_scratch, z_scratch;
  const Mat<S>* a = &X;
  for (int l = 0; l < L; ++l) {
    const bool last = l + 1 == L;
    Mat<S>& z = last ? out : pre ? (*pre)[l] : z_scratch;
    multiply<S>(weight(l), false, *a, z);  // z[r, j] = sum_c W[r, c] a[c, j] + b[r]
    z.colwise() += bias(l);
    if (last) break;
    // a is read for the last time above, so the next layer's input may reuse its memory.
    Mat<S>& next = inputs ? (*inputs)[l + 1] : a_scratch;
    activation<S>(shape_.activation, z, &next, dact ? &(*dact)[l] : nullptr);
    a = &next;
  }
}

template <typename S>
const Mat<S>& Mlp<S>::forward(const Mat<S>& X, MlpCache<S>& c) const {
  c.inputs.resize(layers());
  c.pre.resize(layers());
  c.inputs[0] = X;
  run_forward(X, c.output, &c.inputs, &c.pre, nullptr);
  return c.output;
}

template <typename S>
void Mlp<S>::backward(MlpCache<S>& c, const Mat<S>& dY, Vec<S>& grad, Mat<S>* dX, bool accumulate) const {
  const int L = layers();
  if (!accumulate) grad.resize(num_params());  // every layer's block is written below
  c.delta = dY;
  for (int l = L - 1; l >= 0; --l) {
    const Eigen::Index wsize = Eigen::Index(fan_out_[l]) * fan_in_[l];
    Eigen::Map<Mat<S>> gW(grad.data() + offsets_[l], fan_out_[l], fan_in_[l]);
    Eigen::Map<Vec<S>> gb(grad.data() + offsets_[l] + wsize, fan_out_[l]);
    product_bt<S>(c.delta, c.inputs[l], gW, accumulate);  // dW[r, c] (+)= sum_j delta[r, j] a[c, j]
    if (accumulate)
      gb += c.delta.rowwise().sum();
    else
      gb = c.delta.rowwise().sum();
    if (l == 0 && !dX) break;
    multiply<S>(weight(l), true, c.delta, c.delta_prev);  // da[c, j] = sum_r W[r, c] delta[r, j]
    if (l == 0) {
      *dX = c.delta_prev;
      break;
    }
    // dz = da * act'(z)
    activation_and_derivative<S>(shape_.activation, c.pre[l - 1], static_cast<Mat<S>*>(nullptr), &c.delta,
                                 &c.delta_prev);
  }
}

template <typename S>
void Mlp<S>::prepare(MlpCache<S>& c, Eigen::Index n) const {
  const int L = layers();
  c.inputs.resize(size_t(L));
  c.pre.resize(size_t(L));
  for (int l = 0; l < L; ++l) {
    if (l > 0) c.inputs[size_t(l)].resize(fan_in_[size_t(l)], n);
    if (l + 1 < L) c.pre[size_t(l)].resize(fan_out_[size_t(l)], n);
  }
  c.output.resize(shape_.out, n);
  c.delta.resize(shape_.out, n);
}

template <typename S>
void Mlp<S>::forward_columns(const Mat<S>& X, Eigen::Index begin, Eigen::Index end, MlpCache<S>& c,
                             Mat<S>& scratch) const {
  const int L = layers();
  const Eigen::Index n = end - begin;
  for (int l = 0; l < L; ++l) {
    const Mat<S>& in = l == 0 ? X : c.inputs[size_t(l)];
    if (l + 1 == L) {
      auto y = c.output.middleCols(begin, n);
      multiply<S>(weight(l), false, in.middleCols(begin, n), y);
      y.colwise() += bias(l);
      break;
    }
    multiply<S>(weight(l), false, in.middleCols(begin, n), scratch);  // z, kept no longer than here
    scratch.colwise() += bias(l);
    auto next = c.inputs[size_t(l) + 1].middleCols(begin, n);
    auto dact = c.pre[size_t(l)].middleCols(begin, n);
    activation_and_derivative<S>(shape_.activation, scratch, &next, &dact, static_cast<const Mat<S>*>(nullptr));
  }
}

template <typename S>
void Mlp<S>::backward_columns(MlpCache<S>& c, Eigen::Index begin, Eigen::Index end, Mat<S>& scratch) const {
  const Eigen::Index n = end - begin;
  for (int l = layers() - 1; l >= 1; --l) {
    const Mat<S>& delta = l + 1 == layers() ? c.delta : c.pre[size_t(l)];
    multiply<S>(weight(l), true, delta.middleCols(begin, n), scratch);     // da[c, j] = sum_r W[r, c] delta[r, j]
    c.pre[size_t(l) - 1].middleCols(begin, n).array() *= scratch.array();  // dz = act'(z) * da
  }
}

template <typename S>
void Mlp<S>::weight_gradient(const Mat<S>& X, const MlpCache<S>& c, Eigen::Index begin, Eigen::Index end, Vec<S>& grad,
                             Eigen::Index from, Eigen::Index to) const {
  if (to < 0) to = X.cols();
  for (int l = 0; l < layers(); ++l) {
    const Eigen::Index rows = fan_out_[size_t(l)], cols = fan_in_[size_t(l)];
    const Eigen::Index c0 = std::max<Eigen::Index>(0, (begin - offsets_[size_t(l)]) / rows),
                       c1 = std::min<Eigen::Index>(cols + 1, (end - offsets_[size_t(l)]) / rows);
    if (c0 >= c1) continue;
    const Mat<S>& delta = l + 1 == layers() ? c.delta : c.pre[size_t(l)];
    const Mat<S>& in = l == 0 ? X : c.inputs[size_t(l)];
    const Eigen::Index w1 = std::min(c1, cols);  // weight columns c0..w1, then perhaps the bias
    if (c0 < w1) {                               // dW[r, c] = sum_j delta[r, j] a[c, j]
      Eigen::Map<Mat<S>> gW(grad.data() + offsets_[size_t(l)] + c0 * rows, rows, w1 - c0);
      product_bt<S>(delta.middleCols(from, to - from), in.block(c0, from, w1 - c0, to - from), gW, false);
    }
    if (c1 == cols + 1)
      grad.segment(offsets_[size_t(l)] + cols * rows, rows) = delta.middleCols(from, to - from).rowwise().sum();
  }
}

template <typename S>
Mat<S> Mlp<S>::eval(const Mat<S>& X) const {
  Mat<S> out(shape_.out, X.cols());
  by_column_ranges(X.cols(), [&](Eigen::Index begin, Eigen::Index count) {
    Mat<S> part;
    run_forward(X.middleCols(begin, count), part, nullptr, nullptr, nullptr);
    out.middleCols(begin, count) = part;
  });
  return out;
}

template <typename S>
Mat<S> Mlp<S>::eval_with_divergence(const Mat<S>& X, Vec<S>& div, int offset) const {
  if (offset + shape_.out > shape_.in) throw ConfigError("network", "divergence needs inputs offset + out <= in");
  Mat<S> out(shape_.out, X.cols());
  div.resize(X.cols());
  by_column_ranges(X.cols(), [&](Eigen::Index begin, Eigen::Index count) {
    Mat<S> part;
    divergence_columns(X.middleCols(begin, count), part, div.segment(begin, count), offset);
    out.middleCols(begin, count) = part;
  });
  return out;
}

template <typename S>
void Mlp<S>::divergence_columns(const Mat<S>& X, Mat<S>& out, Eigen::Ref<Vec<S>> div, int offset) const {
  const int L = layers(), d = shape_.out;
  // The forward pass, keeping act'(z_l) of every hidden layer for the tangents.
  std::vector<Mat<S>> dact(L - 1);
  run_forward(X, out, nullptr, nullptr, &dact);
  div.setZero();
  // Forward-mode tangent along input offset + k: T_l = d a_l / d x_k, one column per point.
  //   T_1 = act'(z_0) * W_0[:, offset + k],   T_{l+1} = act'(z_l) * (W_l T_l),
  // and d out_k / d x_k = W_{L-1}[k, :] T_{L-1}; the divergence sums that over k.
  Mat<S> T, Tn;
  for (int k = 0; k < d; ++k) {
    if (L == 1) {
      div.array() += weight(0)(k, offset + k);
      continue;
    }
    T = dact[0].array().colwise() * weight(0).col(offset + k).array();
    for (int l = 1; l + 1 < L; ++l) {
      multiply<S>(weight(l), false, T, Tn);
      T = Tn.cwiseProduct(dact[l]);
    }
    div.noalias() += (weight(L - 1).row(k) * T).transpose();
  }
}

template <typename S>
Mat<S> Mlp<S>::eval_with_jvp(const Mat<S>& X, const Mat<S>& E, Mat<S>& jvp, int offset) const {
  const int d = shape_.out;
  if (offset + d > shape_.in) throw ConfigError("network", "a Jacobian-vector product needs inputs offset + out <= in");
  if (E.rows() != d || E.cols() != X.cols())
    throw ConfigError("network", "the tangent directions must be out x n (" + std::to_string(d) + " x " +
                                     std::to_string(X.cols()) + ")");
  Mat<S> out(d, X.cols());
  jvp.resize(d, X.cols());
  by_column_ranges(X.cols(), [&](Eigen::Index begin, Eigen::Index count) {
    Mat<S> part, part_jvp;
    jvp_columns(X.middleCols(begin, count), E.middleCols(begin, count), part, part_jvp, offset);
    out.middleCols(begin, count) = part;
    jvp.middleCols(begin, count) = part_jvp;
  });
  return out;
}

template <typename S>
void Mlp<S>::jvp_columns(const Mat<S>& X, const Mat<S>& E, Mat<S>& out, Mat<S>& jvp, int offset) const {
  const int L = layers(), d = shape_.out;
  std::vector<Mat<S>> dact(L - 1);
  run_forward(X, out, nullptr, nullptr, &dact);
  // The tangent of the inputs is E on rows offset..offset+d-1 and 0 elsewhere:
  //   T_0 = W_0[:, offset:offset+d] E,   T_{l+1} = W_{l+1} (act'(z_l) * T_l),   jvp = T_{L-1}.
  multiply<S>(weight(0).middleCols(offset, d), false, E, jvp);
  Mat<S> T;
  for (int l = 1; l < L; ++l) {
    T = jvp.cwiseProduct(dact[l - 1]);
    multiply<S>(weight(l), false, T, jvp);
  }
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

#define SI_INSTANTIATE(S)                                                   \
  template void activation<S>(Activation, const Mat<S>&, Mat<S>*, Mat<S>*); \
  template void activate<S>(Activation, const Mat<S>&, Mat<S>&);            \
  template void activate_deriv<S>(Activation, const Mat<S>&, Mat<S>&);      \
  template class Mlp<S>;                                                    \
  template void stack_time<S>(const Vec<S>&, const Mat<S>&, Mat<S>&);       \
  template void stack_time<S>(S, const Mat<S>&, Mat<S>&);
SI_INSTANTIATE(float)
SI_INSTANTIATE(double)
#undef SI_INSTANTIATE

}  // namespace si
