#include "si/session.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "si/parallel.hpp"

namespace si {

namespace {
// Ranges of the weights of several networks for `parts` threads: the networks' weights laid end to
// end and cut into `parts` shares, in whole blocks of 16 floats (one AVX-512 packet) of each network
// (Eigen treats a range's unaligned ends with scalar code, which may round differently: a fused
// multiply-add; ranges that start on packet boundaries update every weight exactly as one pass over
// all of them does). Share i is {network, begin, end} for each network it touches. Laid end to end,
// two networks of one size on two threads are one network a thread: the thread that computed a
// network's gradient (whole pieces, update()) also updates it, from its own cache.
std::vector<std::tuple<size_t, Eigen::Index, Eigen::Index>> weight_share(const std::vector<Eigen::Index>& sizes,
                                                                         int parts, int i) {
  constexpr Eigen::Index kBlock = 16;
  Eigen::Index blocks = 0;
  for (Eigen::Index n : sizes) blocks += (n + kBlock - 1) / kBlock;
  const auto [lo, hi] = split_range(blocks, parts, i);
  std::vector<std::tuple<size_t, Eigen::Index, Eigen::Index>> share;
  Eigen::Index offset = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    const Eigen::Index n = sizes[k], nb = (n + kBlock - 1) / kBlock;
    const Eigen::Index b = std::max<Eigen::Index>(lo, offset), e = std::min<Eigen::Index>(hi, offset + nb);
    if (b < e) share.emplace_back(k, (b - offset) * kBlock, std::min(n, (e - offset) * kBlock));
    offset += nb;
  }
  return share;
}
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
    Net net{name, loss, Mlp<float>(shape)};
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
  b.x0 = base_->sample_on_threads(n, rng_, threads_).cast<float>();
  b.x1 = target_->sample_on_threads(n, rng_, threads_).cast<float>();
  b.z = rng_.normal_matrix<float>(base_->dim(), n, threads_);
  b.t.resize(n);
  for (Eigen::Index j = 0; j < n; ++j) b.t(j) = float(t_lo + (1.0 - t_lo - t_hi) * rng_.uniform());
}

StepResult TrainingSession::step(int k) {
  if (k < 1) throw ConfigError("steps", "must be >= 1, got " + std::to_string(k));
  StepResult result;
  std::map<std::string, double> sums;
  Batch<float>& batch = batch_;  // its memory reused from step to step
  for (int i = 0; i < k; ++i) {
    // One draw serves every network; only the time range differs (clipped for singular losses).
    draw_batch(batch, 0.0, 0.0);
    const VecF u = batch.t;
    for (Net& net : nets_) {
      if (loss_needs_clipped_time(net.loss))
        batch.t = (float(config_.t_lo) + float(1.0 - config_.t_lo - config_.t_hi) * u.array()).matrix();
      else
        batch.t = u;
      loss_points(net.loss, interp_, batch, config_.antithetic, net.points, threads_);
    }
    result.lr = nets_.empty() ? 0.0 : nets_.front().adam.lr();
    const std::vector<float> losses = update();
    for (size_t a = 0; a < nets_.size(); ++a) sums[nets_[a].name] += losses[a];
  }
  for (auto& [name, s] : sums) result.losses[name] = s / k;
  result.step = steps_;
  return result;
}

std::vector<float> TrainingSession::update() {
  // The threads split the work of the whole step evenly: the networks' loss points, laid end to end
  // (b's, then s's, ...; an antithetic loss has two per batch entry), are cut into one contiguous
  // share per thread, and a network's points that fall in several shares make several pieces of its
  // batch. Each piece's gradient is computed on its thread; the pieces are summed in order, and the
  // weights are updated by ranges, one per thread, so a thread count gives the same run every time.
  // On one thread every network is one piece and every sum is exactly the unsplit one.
  Eigen::Index total = 0;
  for (const Net& net : nets_) total += net.points.inputs.cols();
  const int tasks = int(std::clamp<Eigen::Index>(threads_, 1, std::max<Eigen::Index>(total, 1)));
  struct Piece {
    Net* net;
    Eigen::Index begin, end;  // columns of its loss points
    int index;                // its place among the network's pieces
  };
  std::vector<std::vector<Piece>> shares(static_cast<size_t>(tasks));
  for (Net& net : nets_) net.pieces = 0;
  for (int task = 0; task < tasks; ++task) {
    const auto [lo, hi] = split_range(total, tasks, task);
    Eigen::Index offset = 0;
    for (Net& net : nets_) {
      const Eigen::Index n = net.points.inputs.cols(), b = std::max(Eigen::Index(lo), offset),
                         e = std::min(Eigen::Index(hi), offset + n);
      if (b < e) shares[size_t(task)].push_back({&net, b - offset, e - offset, net.pieces++});
      offset += n;
    }
  }
  for (Net& net : nets_) {
    net.scratch.resize(net.pieces);
    net.piece_loss.assign(size_t(net.pieces), 0.0f);
    net.range_norm2.assign(size_t(tasks), 0.0);
    net.grad_ok.assign(size_t(tasks), 1);
    net.update_ok.assign(size_t(tasks), 1);
    net.next.resize(net.grad.size());
    if (config_.optimizer.ema > 0) net.ema_next.resize(net.ema.size());
  }
  // job(net, begin, end, task) on task's share of the networks' weights (weight_share), one share per
  // thread, in chunks that stay in the core's cache between the things a job does with them.
  std::vector<Eigen::Index> sizes;
  for (const Net& net : nets_) sizes.push_back(net.grad.size());
  const auto by_weight_ranges = [&](const std::function<void(Net&, Eigen::Index, Eigen::Index, int)>& job) {
    constexpr Eigen::Index kChunk = 8192;  // a multiple of the 16 floats weight_share aligns to
    run_tasks(tasks, [&](int task) {
      for (const auto& [k, begin, end] : weight_share(sizes, tasks, task))
        for (Eigen::Index b = begin; b < end; b += kChunk) job(nets_[k], b, std::min(end, b + kChunk), task);
    });
  };
  const auto all = [](const std::vector<char>& ok) { return std::count(ok.begin(), ok.end(), 0) == 0; };

  // The pieces' losses and gradients (a network in one piece writes straight to its gradient).
  run_tasks(tasks, [&](int task) {
    for (const Piece& p : shares[size_t(task)]) {
      Net& net = *p.net;
      const size_t k = size_t(p.index);
      net.piece_loss[k] =
          loss_and_grad_range(net.mlp, net.points, p.begin, p.end, net.pieces == 1 ? &net.grad : &net.scratch.grads[k],
                              net.scratch.caches[k], net.scratch.parts[k]);
    }
  });
  // The update proposed, range by range: the weights into next, Adam's moments into its second
  // buffers, the moving average into ema_next; nothing the network holds changes until every range
  // of every network is known to be finite, and then the buffers are swapped, not copied.
  const bool ema = config_.optimizer.ema > 0;
  const float decay = float(std::min(config_.optimizer.ema, (2.0 + double(steps_)) / (11.0 + double(steps_))));
  const auto propose = [&](Net& net, Eigen::Index begin, Eigen::Index end, int task) {
    char& update_ok = net.update_ok[size_t(task)];
    update_ok = net.adam.propose(net.plan, net.mlp.params(), net.grad, net.next, begin, end) && update_ok;
    if (ema)
      net.ema_next.segment(begin, end - begin) =
          decay * net.ema.segment(begin, end - begin) + (1.0f - decay) * net.next.segment(begin, end - begin);
  };
  // The gradient summed over the pieces in order, its squared norm and whether it is finite. Without
  // clipping the update does not depend on the gradient's norm, so this same pass proposes it: the
  // whole update is one pass over the weights.
  const bool clipping = config_.optimizer.clip > 0;
  for (Net& net : nets_) net.plan = net.adam.plan(0.0);
  by_weight_ranges([&](Net& net, Eigen::Index begin, Eigen::Index end, int task) {
    auto g = net.grad.segment(begin, end - begin);
    if (net.pieces > 1) {
      g = net.scratch.grads[0].segment(begin, end - begin);
      for (int p = 1; p < net.pieces; ++p) g += net.scratch.grads[size_t(p)].segment(begin, end - begin);
    }
    net.range_norm2[size_t(task)] += double(g.squaredNorm());
    char& grad_ok = net.grad_ok[size_t(task)];
    grad_ok = grad_ok && all_finite_fast(g.array());
    if (!clipping && grad_ok) propose(net, begin, end, task);
  });
  for (Net& net : nets_) {
    net.step_loss = 0;
    for (float l : net.piece_loss) net.step_loss += l;
    if (!std::isfinite(net.step_loss) || !all(net.grad_ok))
      throw NumericalError("training step " + std::to_string(steps_ + 1) + ": the " + net.name + " loss (" +
                           to_name(net.loss) +
                           ") or its gradient is NaN or inf; the networks keep their "
                           "weights from before this step (lower the learning rate or enable clipping)");
  }
  if (clipping) {
    for (Net& net : nets_) {
      double norm2 = 0;
      for (double x : net.range_norm2) norm2 += x;
      net.plan = net.adam.plan(std::sqrt(norm2));
    }
    by_weight_ranges(propose);
  }
  for (const Net& net : nets_)
    if (!all(net.update_ok))
      throw NumericalError("training step " + std::to_string(steps_ + 1) + ": the update of the " + net.name +
                           " network would make a weight NaN or inf (learning rate " + format_number(net.adam.lr()) +
                           "); the networks keep their weights from before this step (lower the learning rate "
                           "or enable clipping)");
  std::vector<float> losses;
  for (Net& net : nets_) {
    net.mlp.params().swap(net.next);
    net.adam.commit();
    if (ema) net.ema.swap(net.ema_next);
    losses.push_back(net.step_loss);
  }
  ++steps_;
  return losses;
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
