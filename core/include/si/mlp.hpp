// A small multilayer perceptron (t, x) -> R^d with hand-written reverse-mode gradients and
// forward-mode tangents for the exact divergence in x (SPEC section 6). Parameters live in one
// flat vector (per layer: W column-major out x in, then b), so the optimiser, gradient clipping,
// saving and the gradient checker all work on one array.
#pragma once

#include <string>
#include <vector>

#include "si/registry.hpp"
#include "si/rng.hpp"
#include "si/types.hpp"

namespace si {

enum class Activation { ReLU, LeakyReLU, ELU, Tanh, Sigmoid, Softplus, SiLU };
struct ActivationDef {
  std::string name;
  Activation value;
};
// The table in mlp.cpp; each activation's f and f' sit side by side in activation().
Registry<ActivationDef>& activations();
std::vector<std::string> activation_names();
Activation activation_from_name(const std::string& name, const std::string& field = "network.activation");
std::string to_name(Activation a);

// f(z) into *f and f'(z) into *df, elementwise at the pre-activation z (either may be null; neither
// may alias z).
template <typename S>
void activation(Activation a, const Mat<S>& z, Mat<S>* f, Mat<S>* df);
template <typename S>
void activate(Activation a, const Mat<S>& z, Mat<S>& out);
template <typename S>
void activate_deriv(Activation a, const Mat<S>& z, Mat<S>& out);

struct MlpShape {
  int in = 3;               // 1 + d: time first, then x
  int out = 2;              // d
  std::vector<int> hidden;  // widths of the hidden layers
  Activation activation = Activation::ReLU;
};

// Intermediate values of one forward pass, kept for the backward pass; reuse one across calls so
// the matrices keep their memory.
template <typename S>
struct MlpCache {
  std::vector<Mat<S>> inputs;  // inputs[l]: input to layer l (inputs[0] = X)
  std::vector<Mat<S>> pre;     // pre[l]: W_l inputs[l] + b_l (column-split pass: act'(z), then dL/dz)
  Mat<S> output;
  Mat<S> delta, delta_prev;  // backward scratch; in the column-split pass, dL/dY
};

template <typename S>
class Mlp {
 public:
  Mlp() = default;
  explicit Mlp(MlpShape shape);

  const MlpShape& shape() const { return shape_; }
  int layers() const { return static_cast<int>(offsets_.size()); }
  Eigen::Index num_params() const { return params_.size(); }
  Vec<S>& params() { return params_; }
  const Vec<S>& params() const { return params_; }

  // PyTorch nn.Linear initialisation: weights and biases uniform in +-1/sqrt(fan_in).
  void init(Rng& rng);

  Eigen::Map<const Mat<S>> weight(int l) const;
  Eigen::Map<const Vec<S>> bias(int l) const;

  // Y = f(X) for X of shape in x n; fills the cache for backward().
  const Mat<S>& forward(const Mat<S>& X, MlpCache<S>& cache) const;
  // Given dL/dY (out x n) of the last forward(), accumulates dL/dparams into grad (+=), or writes
  // it there (sized, every entry set) if not accumulate, and, if dX is not null, writes dL/dX.
  void backward(MlpCache<S>& cache, const Mat<S>& dY, Vec<S>& grad, Mat<S>* dX = nullptr, bool accumulate = true) const;
  // A training pass over a batch whose columns are split between threads (TrainingSession): each
  // thread runs forward_columns and then backward_columns on its own columns of one shared cache
  // (sized by prepare), and weight_gradient takes the gradient of a piece's columns (the pieces'
  // gradients then summed), or, once all are done, any range of the weights from every column.
  // On the whole range this is forward() and backward() exactly (the same products, the same sums).
  void prepare(MlpCache<S>& cache, Eigen::Index n) const;
  // Columns [begin, end) of the output (cache.output), of every layer's input (inputs[l], l >= 1)
  // and of every hidden layer's act'(z) (pre[l]); X is the whole batch (not copied into the cache).
  // scratch holds one layer's pre-activation z at a time.
  void forward_columns(const Mat<S>& X, Eigen::Index begin, Eigen::Index end, MlpCache<S>& cache,
                       Mat<S>& scratch) const;
  // Given dL/dY in columns [begin, end) of cache.delta (out x n), turns those columns of every
  // hidden layer's act'(z) into dL/dz; scratch holds one layer's dL/da at a time.
  void backward_columns(MlpCache<S>& cache, Eigen::Index begin, Eigen::Index end, Mat<S>& scratch) const;
  // The gradient's entries [begin, end) (whole columns of layers' weight blocks: a layer's block
  // is out x (in + 1), the bias its last column) from columns [from, to) of the batch (to < 0: its
  // end), after backward_columns has run over them.
  void weight_gradient(const Mat<S>& X, const MlpCache<S>& cache, Eigen::Index begin, Eigen::Index end, Vec<S>& grad,
                       Eigen::Index from = 0, Eigen::Index to = -1) const;
  // Layer l's parameters start at offset(l); fan_in(l) columns of fan_out(l) weights, then the bias.
  Eigen::Index offset(int l) const { return offsets_[size_t(l)]; }
  int fan_in(int l) const { return fan_in_[size_t(l)]; }
  int fan_out(int l) const { return fan_out_[size_t(l)]; }

  // Y = f(X) without keeping anything. This and the two below split the columns of X over
  // si::threads() threads (si/parallel.hpp) when there are many: each column's result is computed
  // independently of the others.
  Mat<S> eval(const Mat<S>& X) const;
  // Y = f(X) and the divergence sum_k dY_k / dX_{offset + k}, k < out, by forward-mode tangents
  // (out extra passes). offset = 1 skips the time input.
  Mat<S> eval_with_divergence(const Mat<S>& X, Vec<S>& div, int offset = 1) const;
  // Y = f(X) and the forward tangent jvp = (dY / dX_{offset..offset+out-1}) E along the directions
  // E (out x n, one per column) in one extra pass: Hutchinson's estimator needs E . jvp only.
  Mat<S> eval_with_jvp(const Mat<S>& X, const Mat<S>& E, Mat<S>& jvp, int offset = 1) const;

  template <typename T>
  Mlp<T> cast() const {
    Mlp<T> m(shape_);
    m.params() = params_.template cast<T>();
    return m;
  }

 private:
  // The one forward pass: out = f(X), keeping on request each layer's input (inputs[l + 1]), each
  // hidden pre-activation (pre[l]) and each hidden act'(z) (dact[l]); the vectors are pre-sized.
  void run_forward(const Mat<S>& X, Mat<S>& out, std::vector<Mat<S>>* inputs, std::vector<Mat<S>>* pre,
                   std::vector<Mat<S>>* dact) const;
  // One range of columns of eval_with_divergence() and eval_with_jvp(), checked by them.
  void divergence_columns(const Mat<S>& X, Mat<S>& out, Eigen::Ref<Vec<S>> div, int offset) const;
  void jvp_columns(const Mat<S>& X, const Mat<S>& E, Mat<S>& out, Mat<S>& jvp, int offset) const;

  MlpShape shape_;
  Vec<S> params_;
  std::vector<Eigen::Index> offsets_;  // start of layer l's weights in params_
  std::vector<int> fan_in_, fan_out_;
};

// Stacks time and points into the network input [t; x] of shape (1 + d) x n.
template <typename S>
void stack_time(const Vec<S>& t, const Mat<S>& x, Mat<S>& out);
template <typename S>
void stack_time(S t, const Mat<S>& x, Mat<S>& out);

}  // namespace si
