#include "si/session.hpp"

#include <algorithm>
#include <cmath>

#include "si/parallel.hpp"

namespace si {

namespace {
// Eigen's allFinite() runs one scalar compare per entry; x * 0 is 0 for a finite x and NaN for inf
// or NaN, so a vectorised sum of it says the same for a whole weight vector several times faster.
bool all_finite(const VecF& x) { return (x.array() * 0.0f).sum() == 0.0f; }
}  // namespace

TrainingSession::TrainingSession(TrainingConfig config)
    : config_(std::move(config)),
      interp_(config_.interpolant()),
      base_(config_.make_base()),
      target_(config_.make_target()),
      rng_(config_.seed),
      threads_(si::threads()) {
  config_.optimizer.horizon = config_.steps;  // the cosine schedule runs over the configured steps
  const int d = base_->dim();
  for (const auto& [name, loss] : config_.networks()) {
    MlpShape shape;
    shape.in = d + 1;
    shape.out = d;
    shape.hidden = config_.hidden;
    shape.activation = config_.activation;
    Net net{name, loss, Mlp<float>(shape), {}, {}, {}, {}, {}, {}, {}, 0};
    net.mlp.init(rng_);
    if (config_.optimizer.ema > 0) net.ema = net.mlp.params();
    net.adam = Adam<float>(config_.optimizer, net.mlp.num_params());
    net.grad = VecF::Zero(net.mlp.num_params());
    nets_.push_back(std::move(net));
  }
}

void TrainingSession::set_threads(int threads) {
  check_threads(threads, "threads");
  threads_ = threads;
}

void TrainingSession::draw_batch(Batch<float>& b, double t_lo, double t_hi) {
  const Eigen::Index n = config_.batch;
  b.x0 = base_->sample(n, rng_).cast<float>();
  b.x1 = target_->sample(n, rng_).cast<float>();
  b.z = rng_.normal_matrix<float>(base_->dim(), n);
  b.t.resize(n);
  for (Eigen::Index j = 0; j < n; ++j) b.t(j) = float(t_lo + (1.0 - t_lo - t_hi) * rng_.uniform());
}

StepResult TrainingSession::step(int k) {
  if (k < 1) throw ConfigError("steps", "must be >= 1, got " + std::to_string(k));
  StepResult result;
  std::map<std::string, double> sums;
  Batch<float> batch;
  for (int i = 0; i < k; ++i) {
    // One draw serves every network; only the time range differs (clipped for singular losses).
    draw_batch(batch, 0.0, 0.0);
    const VecF u = batch.t;
    const double lr = nets_.empty() ? 0.0 : nets_.front().adam.lr();
    std::vector<float> losses(nets_.size());
    for (size_t a = 0; a < nets_.size(); ++a) {
      Net& net = nets_[a];
      if (loss_needs_clipped_time(net.loss))
        batch.t = (float(config_.t_lo) + float(1.0 - config_.t_lo - config_.t_hi) * u.array()).matrix();
      else
        batch.t = u;
      const LossPoints<float> lp = loss_points(net.loss, interp_, batch, config_.antithetic);
      net.grad.setZero();
      losses[a] = loss_and_grad(net.mlp, lp, &net.grad, net.scratch, threads_);
      if (!std::isfinite(losses[a]) || !all_finite(net.grad))
        throw NumericalError("training step " + std::to_string(steps_ + 1) + ": the " + net.name + " loss (" +
                             to_name(net.loss) +
                             ") or its gradient is NaN or inf; the networks keep their "
                             "weights from before this step (lower the learning rate or enable clipping)");
    }
    // Update only once every network's step is known to be finite, and undo the update if it
    // makes a weight non-finite (a huge learning rate can, from finite gradients).
    for (auto& net : nets_) {
      net.saved = net.mlp.params();
      net.saved_m = net.adam.m();
      net.saved_v = net.adam.v();
      net.saved_t = net.adam.steps();
      net.adam.step(net.mlp.params(), net.grad);
    }
    for (const auto& net : nets_)
      if (!all_finite(net.mlp.params())) {
        for (auto& n : nets_) {
          n.mlp.params() = n.saved;
          n.adam.restore(n.saved_t, n.saved_m, n.saved_v);
        }
        throw NumericalError("training step " + std::to_string(steps_ + 1) + ": the update of the " + net.name +
                             " network made a weight NaN or inf (learning rate " + format_number(lr) +
                             "); the networks keep their weights from before this step (lower the learning rate "
                             "or enable clipping)");
      }
    ++steps_;
    if (config_.optimizer.ema > 0) {
      const float decay = float(std::min(config_.optimizer.ema, (1.0 + double(steps_)) / (10.0 + double(steps_))));
      for (auto& net : nets_) net.ema = decay * net.ema + (1.0f - decay) * net.mlp.params();
    }
    for (size_t a = 0; a < nets_.size(); ++a) sums[nets_[a].name] += losses[a];
    result.lr = lr;
  }
  for (auto& [name, s] : sums) result.losses[name] = s / k;
  result.step = steps_;
  return result;
}

Model TrainingSession::model() const {
  std::map<std::string, Mlp<float>> nets;
  for (const auto& n : nets_) {
    auto it = nets.emplace(n.name, n.mlp).first;
    if (config_.optimizer.ema > 0) it->second.params() = n.ema;
  }
  Model m(config_, std::move(nets));
  m.set_steps_trained(steps_);
  return m;
}

void TrainingSession::load_weights(const Model& model) {
  const auto& saved = model.networks();
  for (const auto& net : nets_) {
    const auto it = saved.find(net.name);
    if (it == saved.end())
      throw ConfigError(
          "model", "has no '" + net.name + "' network; this session learns fields '" + to_name(config_.fields) + "'");
    const MlpShape &a = it->second.shape(), &b = net.mlp.shape();
    if (a.in != b.in || a.out != b.out || a.hidden != b.hidden || a.activation != b.activation)
      throw ConfigError("model", "its '" + net.name + "' network has another shape or activation than this session's");
  }
  if (saved.size() != nets_.size())
    throw ConfigError("model", "learns other fields than this session ('" + to_name(config_.fields) + "')");
  for (auto& net : nets_) {
    net.mlp.params() = saved.at(net.name).params();
    if (config_.optimizer.ema > 0) net.ema = net.mlp.params();
    net.adam = Adam<float>(config_.optimizer, net.mlp.num_params());
    net.adam.set_schedule_offset(model.steps_trained());
  }
  steps_ = model.steps_trained();
}

void TrainingSession::retune(TrainingConfig next) {
  next.optimizer.horizon = next.steps;
  next.optimizer.validate();
  const nlohmann::json now = config_.to_json(), then = next.to_json();
  for (const char* key : {"base", "target", "interpolant", "fields", "network"})
    if (now.at(key) != then.at(key))
      throw ConfigError(key,
                        "differs from this run's: retuning changes only optimizer, training (not its seed) "
                        "and sampling; a new " +
                            std::string(key) + " needs a new session");
  if (now["training"]["seed"] != then["training"]["seed"])
    throw ConfigError("training.seed", "differs from this run's: a new seed needs a new session");
  const bool ema_starts = next.optimizer.ema > 0 && !(config_.optimizer.ema > 0);
  for (auto& net : nets_) {
    net.adam.set_options(next.optimizer);
    if (ema_starts) net.ema = net.mlp.params();  // the average starts from the weights as they are
  }
  config_ = std::move(next);
}

const Mlp<float>& TrainingSession::network(const std::string& name) const {
  for (const auto& n : nets_)
    if (n.name == name) return n.mlp;
  throw ConfigError("network", "no network named '" + name + "'");
}

}  // namespace si
