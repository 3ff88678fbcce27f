// A training session: built from a config, it owns the networks and their optimisers, draws a
// batch per step from the seeded generator and takes one Adam step per network (SPEC sections 3, 6).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "si/config.hpp"
#include "si/model.hpp"

namespace si {

struct StepResult {
  std::int64_t step = 0;                 // steps taken after this call
  double lr = 0;                         // learning rate used by the last step
  std::map<std::string, double> losses;  // per network, mean over the steps of this call
};

class TrainingSession {
 public:
  // Steps run on si::threads() threads (all hardware threads unless set) until set_threads().
  explicit TrainingSession(TrainingConfig config);
  explicit TrainingSession(const nlohmann::json& config) : TrainingSession(TrainingConfig::from_json(config)) {}

  // k training steps. If a loss or gradient is NaN or inf, throws NumericalError and leaves the
  // networks and optimisers as they were before that step.
  StepResult step(int k = 1);
  std::int64_t step_count() const { return steps_; }
  const TrainingConfig& config() const { return config_; }
  // The threads each step splits its batch and then its weights over (si/parallel.hpp, update()). A
  // seed gives the same run for a given thread count; other counts agree to float rounding (a
  // network's points split over threads are evaluated in pieces). Throws ConfigError("threads",
  // ...) unless 1 <= threads <= limits::kMaxThreads.
  int threads() const { return threads_; }
  void set_threads(int threads);
  const Interpolant& interpolant() const { return interp_; }
  const Distribution& base() const { return *base_; }
  const Distribution& target() const { return *target_; }

  // A copy of the current networks as a model (training can go on independently): their moving
  // averages when optimizer.ema > 0, else the weights themselves.
  Model model() const;
  // Continues from a saved model's weights: its networks must match this session's (names, sizes,
  // activation), else ConfigError("model", ...). The step count and the learning-rate schedule go
  // on from the model's steps_trained(); the optimiser's moments start afresh.
  void load_weights(const Model& model);
  // Applies another config's optimiser, training and sampling settings to this run, keeping
  // everything learned: the networks, the optimisers' moments and step counts, the moving averages,
  // the step count and the random stream (retuning to the same config changes nothing). What
  // defines the run must not differ (base, target, interpolant, fields, network, training.seed):
  // else ConfigError naming the first key that does, and nothing changes.
  void retune(TrainingConfig next);
  const Mlp<float>& network(const std::string& name) const;

 private:
  struct Net {
    std::string name;
    LossKind loss;
    Mlp<float> mlp;
    Adam<float> adam = {};
    Vec<float> grad = {};
    Vec<float> ema = {};  // the moving average of the weights (optimizer.ema > 0)
    // This step's loss points, update plan, proposed weights and loss; the cache of its forward and
    // backward pass, the pieces of the batch it is split into (update()) with their scratch and losses,
    // and per thread the gradient's squared norm and whether the gradient and the update are finite.
    LossPoints<float> points = {};
    Adam<float>::Plan plan = {};
    Vec<float> next = {}, ema_next = {};  // the proposed weights and moving average
    float step_loss = 0;
    int pieces = 0;
    std::vector<Eigen::Index> cuts = {};  // where its weight-gradient shares and chunks may start and end
    MlpCache<float> pass = {};
    std::vector<MatF> piece_scratch = {};
    std::vector<VecF> piece_grad = {};  // pieces after the first, when each piece has its own gradient
    std::vector<float> piece_loss = {};
    std::vector<double> range_norm2 = {};
    std::vector<char> grad_ok = {}, update_ok = {};
  };
  void draw_batch(Batch<float>& batch, double t_lo, double t_hi);
  // One optimiser step of every network from its loss points; returns the losses. Throws
  // NumericalError, changing nothing, if a loss, a gradient or an updated weight is not finite.
  std::vector<float> update();

  TrainingConfig config_;
  Interpolant interp_;
  std::unique_ptr<Distribution> base_, target_;
  std::vector<Net> nets_;
  Batch<float> batch_;
  Rng rng_;
  std::int64_t steps_ = 0;
  int threads_ = 1;
};

}  // namespace si
