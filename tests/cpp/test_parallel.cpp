// The data-parallel training step and particle loops (si/parallel.hpp): a seed gives the same run
// for a given thread count, other thread counts agree to float rounding, and bad counts are named.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "si/limits.hpp"
#include "si/parallel.hpp"
#include "si/session.hpp"

namespace si {
namespace {

using nlohmann::json;

json config() {
  return json::parse(R"({
    "network": {"hidden": [32, 32], "activation": "silu"},
    "training": {"batch": 300, "seed": 7}
  })");
}

TrainingSession session_on(int threads) {
  TrainingSession s(config());
  s.set_threads(threads);
  return s;
}

double relative_difference(const VecF& a, const VecF& b) { return double((a - b).norm() / std::max(a.norm(), 1e-30f)); }

TEST(Parallel, SplitRangeCoversEveryColumnOnceInOrder) {
  for (std::int64_t n : {0, 1, 7, 300, 301}) {
    for (int parts : {1, 2, 3, 4, 7}) {
      std::int64_t next = 0;
      for (int i = 0; i < parts; ++i) {
        const auto [begin, end] = split_range(n, parts, i);
        EXPECT_EQ(begin, next);
        EXPECT_LE(end - begin, n / parts + 1);
        EXPECT_GE(end - begin, n / parts);
        next = end;
      }
      EXPECT_EQ(next, n) << n << " in " << parts;
    }
  }
}

TEST(Parallel, RunTasksRunsEachTaskOnceAndRethrowsAnError) {
  std::vector<std::atomic<int>> runs(5);
  run_tasks(5, [&](int i) { ++runs[size_t(i)]; });
  for (auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_THROW(run_tasks(3,
                         [](int i) {
                           if (i == 2) throw NumericalError("task 2");
                         }),
               NumericalError);
  run_tasks(2, [](int) {});  // the pool still works after a failed batch
}

TEST(Parallel, ThousandsOfBatchesInARowRunEveryTaskOnce) {
  // Batches back to back (workers still spinning from the last one), batches after a pause (workers
  // asleep) and batches of fewer tasks than workers: no task is lost, run twice or left hanging.
  std::atomic<long> sum{0};
  long want = 0;
  for (int b = 0; b < 20000; ++b) {
    const int tasks = 1 + b % 4;
    run_tasks(tasks, [&](int i) { sum += i + 1; });
    want += long(tasks) * (tasks + 1) / 2;
    if (b % 5000 == 4999) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(sum.load(), want);
}

TEST(Parallel, SameSeedAndThreadCountGiveBitIdenticalWeights) {
  // Four threads: with three or more ranges a sum in completion order would differ from run to run.
  TrainingSession a = session_on(4), b = session_on(4);
  a.step(6);
  b.step(6);
  for (const char* n : {"b", "s"}) EXPECT_EQ(a.network(n).params(), b.network(n).params()) << n;
}

TEST(Parallel, OneAndTwoThreadsGiveTheSameLossAndGradient) {
  const TrainingConfig cfg = TrainingConfig::from_json(config());
  TrainingSession s(cfg);
  const Mlp<float>& net = s.network("s");
  Batch<float> batch;
  Rng rng(3);
  batch.x0 = rng.normal_matrix<float>(2, 300);
  batch.x1 = rng.normal_matrix<float>(2, 300);
  batch.z = rng.normal_matrix<float>(2, 300);
  batch.t = (0.05f + 0.9f * (VecF::Random(300).array() + 1) / 2).matrix();
  const LossPoints<float> lp = loss_points(LossKind::OneSidedS, s.interpolant(), batch, true);
  ParallelScratch<float> one, two;
  VecF g1 = VecF::Zero(net.num_params()), g2 = g1, g3 = g1;
  const float l1 = loss_and_grad(net, lp, &g1, one, 1);
  const float l2 = loss_and_grad(net, lp, &g2, two, 2);
  EXPECT_NEAR(l2, l1, 1e-5 * std::abs(l1));
  EXPECT_LT(relative_difference(g2, g1), 1e-5);
  // Three ranges of 200 points: every range's share reaches the sum.
  const float l3 = loss_and_grad(net, lp, &g3, two, 3);
  EXPECT_NEAR(l3, l1, 1e-5 * std::abs(l1));
  EXPECT_LT(relative_difference(g3, g1), 1e-5);
}

TEST(Parallel, OneAndTwoThreadsTrainTheSameWeightsToFloatTolerance) {
  TrainingSession a = session_on(1), b = session_on(2);
  const StepResult ra = a.step(5), rb = b.step(5);
  for (const char* n : {"b", "s"}) {
    EXPECT_NEAR(rb.losses.at(n), ra.losses.at(n), 1e-4 * std::abs(ra.losses.at(n))) << n;
    EXPECT_LT(relative_difference(a.network(n).params(), b.network(n).params()), 1e-4) << n;
  }
}

TEST(Parallel, TheThreadsShareTheStepsWorkEvenlyAcrossTheNetworks) {
  // b has one point per batch entry and s two (antithetic pairs): three threads take b's points, the
  // first half of s's and the second half. b's pass and gradient are then one piece on one thread
  // (its loss exactly the one thread's), so b's weights agree with one thread's far closer than s's,
  // whose gradient is the sum of two pieces' (exactly, with our products; Eigen's may group a
  // product's sums by its shape). s agrees to float rounding.
  TrainingSession a = session_on(1), b = session_on(3);
  const StepResult ra = a.step(4), rb = b.step(4);
  EXPECT_LT(relative_difference(a.network("b").params(), b.network("b").params()), 1e-6);
  EXPECT_EQ(ra.losses.at("b"), rb.losses.at("b"));
  EXPECT_LT(relative_difference(a.network("s").params(), b.network("s").params()), 1e-4);
  EXPECT_NEAR(rb.losses.at("s"), ra.losses.at("s"), 1e-4 * std::abs(ra.losses.at("s")));
}

TEST(Parallel, OneNetworkSplitsItsBatchAndWeightsOverTheThreads) {
  // One network on 2 and 3 threads: its batch, gradient sums, Adam update and moving average go by
  // ranges; they agree with one thread to float rounding, and a thread count repeats itself exactly.
  json c = config();
  c["fields"] = "b";
  c["optimizer"]["ema"] = 0.9;
  const auto trained = [&](int threads) {
    TrainingSession s(c);
    s.set_threads(threads);
    s.step(6);
    return std::make_pair(s.network("b").params(), s.model().networks().at("b").params());
  };
  const auto one = trained(1);
  for (int threads : {2, 3}) {
    const auto many = trained(threads);
    EXPECT_LT(relative_difference(many.first, one.first), 1e-4) << threads << " threads";
    EXPECT_LT(relative_difference(many.second, one.second), 1e-4) << threads << " threads, the moving average";
    EXPECT_GT(relative_difference(many.second, many.first), 1e-3) << "the average is not the weights";
    EXPECT_EQ(trained(threads), many) << threads << " threads, run twice";
  }
}

TEST(Parallel, AWideNetworkOnASmallBatchTakesItsGradientByColumnsOfTheWeights) {
  // The step's other way: pieces' gradients of a 2 x 256 network (about 67,000 weights) would be
  // far larger than its pass over 8 batch entries, so the weights' gradient is taken by columns of
  // the weights from the whole batch. It agrees with one thread to float rounding and repeats itself.
  json c = config();
  c["network"]["hidden"] = {256, 256};
  c["training"]["batch"] = 8;
  const auto trained = [&](int threads) {
    TrainingSession s(c);
    s.set_threads(threads);
    s.step(4);
    return std::make_pair(s.network("b").params(), s.network("s").params());
  };
  const auto one = trained(1);
  for (int threads : {2, 3}) {
    const auto many = trained(threads);
    EXPECT_LT(relative_difference(many.first, one.first), 1e-5) << threads << " threads, b";
    EXPECT_LT(relative_difference(many.second, one.second), 1e-5) << threads << " threads, s";
    EXPECT_EQ(trained(threads), many) << threads << " threads, run twice";
  }
}

TEST(Parallel, NetworkEvaluationAgreesOnEveryThreadCount) {
  TrainingSession s(config());
  const Mlp<float>& net = s.network("b");
  Rng rng(5);
  const MatF X = rng.normal_matrix<float>(3, 700), E = rng.normal_matrix<float>(2, 700);
  set_threads(1);
  VecF div1, div2;
  MatF jvp1, jvp2;
  const MatF y1 = net.eval(X), yd1 = net.eval_with_divergence(X, div1), yj1 = net.eval_with_jvp(X, E, jvp1);
  set_threads(3);
  const MatF y2 = net.eval(X), yd2 = net.eval_with_divergence(X, div2), yj2 = net.eval_with_jvp(X, E, jvp2);
  set_threads(hardware_threads());
  EXPECT_LT((y2 - y1).norm(), 1e-5 * y1.norm());
  EXPECT_LT((yd2 - y1).norm(), 1e-5 * y1.norm());
  EXPECT_LT((yj2 - y1).norm(), 1e-5 * y1.norm());
  EXPECT_LT((div2 - div1).norm(), 1e-5 * div1.norm());
  EXPECT_LT((jvp2 - jvp1).norm(), 1e-5 * jvp1.norm());
}

TEST(Parallel, BadThreadCountsAreNamedWithTheAllowedRange) {
  TrainingSession s(config());
  for (int bad : {0, -1, int(limits::kMaxThreads) + 1}) {
    try {
      s.set_threads(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), "threads");
      EXPECT_NE(std::string(e.what()).find("[1, " + std::to_string(limits::kMaxThreads) + "]"), std::string::npos)
          << e.what();
    }
    EXPECT_THROW(set_threads(bad), ConfigError);
    ParallelScratch<float> scratch;
    LossPoints<float> lp;
    EXPECT_THROW(loss_and_grad<float>(s.network("b"), lp, nullptr, scratch, bad), ConfigError);
  }
  EXPECT_EQ(s.threads(), threads());
}

}  // namespace
}  // namespace si
