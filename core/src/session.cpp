#include "si/session.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "si/parallel.hpp"

namespace si {

namespace {
// A chunk of the weights a thread takes at a time in the weight-gradient pass (256 KB: it stays in
// the core's cache from the product that writes its gradient to the update that reads it).
constexpr Eigen::Index kWeightChunk = 65536;
// The work of a piece of the batch (update()) besides its points: a pass over its network's weights,
// about kPieceCost points' work (measured on the image step: 0.4 ms) once they outgrow the cache
// (kCachedWeights), less below. The update of a weight (Adam, the moving average) costs about
// kUpdateCost times its gradient's work for one point.
constexpr std::int64_t kPieceCost = 24, kCachedWeights = 262144, kUpdateCost = 90;
// Each piece of the batch takes its own gradient (update()) unless the pieces' gradients would
// take more than kPieceGradientShare times the memory of the networks' pass (wide networks on
// small batches).
constexpr std::int64_t kPieceGradientShare = 4;

// Where a network's weight-gradient shares and chunks may start and end: the boundaries between
// the columns of its layers' weight blocks (out x (in + 1), the bias last) that fall on a block of
// 16 floats (one AVX-512 packet: Eigen treats a range's unaligned start with scalar code, which may
// round differently, a fused multiply-add; an update range starting on a packet boundary updates
// every weight exactly as one pass over all of them does), and the network's end.
std::vector<Eigen::Index> column_cuts(const Mlp<float>& mlp) {
  std::vector<Eigen::Index> cuts;
  for (int l = 0; l < mlp.layers(); ++l)
    for (Eigen::Index c = 0; c <= mlp.fan_in(l); ++c) {
      const Eigen::Index at = mlp.offset(l) + c * mlp.fan_out(l);
      if (at % 16 == 0) cuts.push_back(at);
    }
  cuts.push_back(mlp.num_params());
  return cuts;
}

// Share i of `parts` of the weight-gradient pass's work, {network, begin, end} for each network it
// touches: the networks' weights laid end to end, each weight's cost the number of its network's
// loss points (its gradient sums them) plus kUpdateCost, cut at the first cuts past equal shares of
// the cost.
std::vector<std::tuple<size_t, Eigen::Index, Eigen::Index>> column_share(
    const std::vector<const std::vector<Eigen::Index>*>& cuts, const std::vector<Eigen::Index>& points, int parts,
    int i) {
  std::int64_t total = 0;
  for (size_t k = 0; k < cuts.size(); ++k) total += cuts[k]->back() * (points[k] + kUpdateCost);
  const auto [lo, hi] = split_range(total, parts, i);
  std::vector<std::tuple<size_t, Eigen::Index, Eigen::Index>> share;
  std::int64_t offset = 0;  // the cost of the networks before k
  for (size_t k = 0; k < cuts.size(); ++k) {
    // The first cut whose cost reaches c, or the network's end.
    const auto at = [&](std::int64_t c) {
      for (Eigen::Index cut : *cuts[k])
        if (offset + cut * (points[k] + kUpdateCost) >= c) return cut;
      return cuts[k]->back();
    };
    const Eigen::Index b = at(lo), e = i + 1 == parts ? cuts[k]->back() : at(hi);
    if (b < e) share.emplace_back(k, b, e);
    offset += cuts[k]->back() * (points[k] + kUpdateCost);
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
    net.cuts = column_cuts(net.mlp);
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
  // The threads split the work of the whole step evenly, twice. First the networks' loss points,
  // laid end to end (b's, then s's, ...; an antithetic loss has two per batch entry), are cut into
  // one contiguous share per thread, and a network's points that fall in several shares make
  // several pieces of its batch: each piece's forward and backward pass (its columns of the
  // network's one cache) and, as a rule, its own gradient run on its thread. Then the networks'
  // weights are cut into one share per thread, in whole columns of the layers, and each thread sums
  // its weights' gradient (the pieces' gradients in order, or for a wide network on a small batch
  // one product over every point of the batch) and updates them (Adam, the moving average) while
  // they are in its cache. Every sum has a fixed order, so a thread count gives the same run every
  // time, and on one thread every product and sum is the unsplit one.
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
  {
    // Each piece also costs a pass over its network's weights (reading them for the forward and the
    // backward products): about kPieceCost points' work once they no longer fit a core's cache.
    std::vector<std::int64_t> overhead;
    std::int64_t cost = 0;
    for (const Net& net : nets_) {
      overhead.push_back(std::max<std::int64_t>(
          1, kPieceCost * std::min<std::int64_t>(net.mlp.num_params(), kCachedWeights) / kCachedWeights));
      cost += net.points.inputs.cols() + overhead.back();
    }
    cost += (tasks - 1) * overhead.back();  // the pieces the cuts add, roughly
    // Each thread in turn takes points until its share of the cost is reached, at least one point
    // and no more than leaves one for each thread after it; the last takes what is left.
    size_t k = 0;
    Eigen::Index at = 0, left = total;  // the next point of network k, the points not yet taken
    for (int task = 0; task < tasks; ++task) {
      const bool last = task + 1 == tasks;
      std::int64_t room = (cost + tasks - 1) / tasks;
      Eigen::Index allowed = last ? left : left - (tasks - 1 - task);
      bool first = true;
      while (allowed > 0 && k < nets_.size() && (last || first || room > overhead[k])) {
        Net& net = nets_[k];
        const Eigen::Index n = net.points.inputs.cols();
        room -= overhead[k];
        const Eigen::Index take =
            std::min({n - at, allowed, last ? n - at : std::max<Eigen::Index>(first ? 1 : 0, Eigen::Index(room))});
        if (take <= 0) break;
        shares[size_t(task)].push_back({&net, at, at + take, net.pieces++});
        at += take, left -= take, allowed -= take, room -= take;
        first = false;
        if (at == n) ++k, at = 0;
        if (!last && room <= 0) break;
      }
    }
  }
  // Which way the weights' gradient is taken. Each piece's own, from its own columns right after its
  // backward pass (its layers' inputs and deltas still in its core's cache), the pieces' gradients
  // then summed in order by ranges of the weights: faster on every step we time (two threads over
  // one: 3 x 64 at batch 256 1.5x against 1.1x, 4 x 256 at batch 2000 2.06x against 1.79x, the image
  // step 1.87x against 1.82x), since taking it by columns of the weights from the whole batch makes
  // each thread read every other thread's part of the cache across the cores. That way is kept for
  // wide networks on small batches, where the pieces' gradients would outweigh the pass itself.
  bool piece_gradients = false;
  if (tasks > 1) {
    std::int64_t cache_floats = 0, gradient_floats = 0;
    for (const Net& net : nets_) {
      std::int64_t widths = 0;
      for (int l = 0; l < net.mlp.layers(); ++l) widths += net.mlp.fan_in(l) + net.mlp.fan_out(l);
      cache_floats += net.points.inputs.cols() * widths;
      gradient_floats += net.mlp.num_params() * std::max(1, net.pieces - 1);
    }
    piece_gradients = gradient_floats <= kPieceGradientShare * cache_floats;
  }
  for (Net& net : nets_) {
    net.mlp.prepare(net.pass, net.points.inputs.cols());
    net.piece_grad.resize(piece_gradients ? size_t(net.pieces - 1) : 0);
    for (VecF& g : net.piece_grad) g.resize(net.mlp.num_params());
    net.piece_scratch.resize(size_t(net.pieces));
    net.piece_loss.assign(size_t(net.pieces), 0.0f);
    net.range_norm2.assign(size_t(tasks), 0.0);
    net.grad_ok.assign(size_t(tasks), 1);
    net.update_ok.assign(size_t(tasks), 1);
    net.next.resize(net.grad.size());
    if (config_.optimizer.ema > 0) net.ema_next.resize(net.ema.size());
  }
  const auto all = [](const std::vector<char>& ok) { return std::count(ok.begin(), ok.end(), 0) == 0; };

  // The pieces' losses (per point 1/2 |f|^2 - c.f, d/df = f - c, a share of the batch mean) and
  // their forward and backward passes.
  run_tasks(tasks, [&](int task) {
    for (const Piece& p : shares[size_t(task)]) {
      Net& net = *p.net;
      const LossPoints<float>& lp = net.points;
      net.mlp.forward_columns(lp.inputs, p.begin, p.end, net.pass, net.piece_scratch[size_t(p.index)]);
      const Eigen::Index n = p.end - p.begin;
      net.piece_loss[size_t(p.index)] = loss_and_output_grad(lp, p.begin, p.end, net.pass.output, net.pass.delta);
      net.mlp.backward_columns(net.pass, p.begin, p.end, net.piece_scratch[size_t(p.index)]);
      if (piece_gradients)
        net.mlp.weight_gradient(lp.inputs, net.pass, 0, net.mlp.num_params(),
                                p.index == 0 ? net.grad : net.piece_grad[size_t(p.index) - 1], p.begin, p.end);
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
  // Each thread's columns of the weights: their gradient, its squared norm and whether it is finite,
  // a chunk at a time. Without clipping the update does not depend on the gradient's norm, so this
  // same pass proposes it: the whole update is one pass over the weights.
  const bool clipping = config_.optimizer.clip > 0;
  for (Net& net : nets_) net.plan = net.adam.plan(0.0);
  std::vector<const std::vector<Eigen::Index>*> cuts;
  std::vector<Eigen::Index> points;
  for (const Net& net : nets_) {
    cuts.push_back(&net.cuts);
    points.push_back(piece_gradients ? net.pieces - 1 : net.points.inputs.cols());
  }
  // job(net, begin, end, task) on task's share of the weights (column_share), one share per thread,
  // a chunk at a time from cut to cut.
  const auto by_weight_chunks = [&](const std::function<void(Net&, Eigen::Index, Eigen::Index, int)>& job) {
    run_tasks(tasks, [&](int task) {
      for (const auto& [k, begin, end] : column_share(cuts, points, tasks, task)) {
        const std::vector<Eigen::Index>& cut = *cuts[k];
        auto next_cut = std::lower_bound(cut.begin(), cut.end(), begin);
        for (Eigen::Index b = begin; b < end;) {
          // The first cut a chunk's length on, or the share's end.
          next_cut = std::lower_bound(next_cut, cut.end(), std::min(end, b + kWeightChunk));
          const Eigen::Index e = next_cut == cut.end() ? end : std::min(end, *next_cut);
          job(nets_[k], b, e, task);
          b = e;
        }
      }
    });
  };
  by_weight_chunks([&](Net& net, Eigen::Index begin, Eigen::Index end, int task) {
    auto g = net.grad.segment(begin, end - begin);
    if (piece_gradients)
      for (const VecF& piece : net.piece_grad) g += piece.segment(begin, end - begin);
    else
      net.mlp.weight_gradient(net.points.inputs, net.pass, begin, end, net.grad);
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
    by_weight_chunks(propose);
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
