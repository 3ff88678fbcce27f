// GFLOP/s of the MLP's float products, C = A B, op(A) B and C += A B^T, with Eigen's product and
// with si/gemm.hpp's kernel, in one run. Built natively (tests/wasm/CMakeLists.txt: there the
// kernel runs its portable micro-kernel) and for wasm (wasm/CMakeLists.txt, target
// si_wasm_gemm_bench: its SIMD micro-kernel, run by Node); scripts/bench.sh prints both.
//   gemm_bench [seconds per figure]  -> one JSON object
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "si/gemm.hpp"
#include "si/types.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// The best rate of one product over short windows: shared machines deschedule a process now and
// then, and the best window is the kernel's own speed.
template <typename F>
double gflops(double flop, double seconds, F&& product) {
  product();
  double best = 0;
  const auto start = Clock::now();
  do {
    int reps = 0;
    const auto t0 = Clock::now();
    double elapsed = 0;
    do {
      product();
      ++reps;
      elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (elapsed < 0.02);
    best = std::max(best, flop * reps / elapsed / 1e9);
  } while (std::chrono::duration<double>(Clock::now() - start).count() < seconds);
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  // The reference step's hidden layer: W (256 x 256) times a batch of 2000 inputs, its
  // backward products W^T delta and delta a^T.
  const Eigen::Index m = 256, k = 256, n = 2000;
  const si::MatF w = si::MatF::Random(m, k), a = si::MatF::Random(k, n);
  si::MatF c(m, n), g = si::MatF::Zero(m, k);
  const double flop = 2.0 * double(m) * double(n) * double(k);
  const double eigen_ab = gflops(flop, seconds, [&] { c.noalias() = w * a; });
  const double ours_ab = gflops(flop, seconds, [&] { si::gemm(w, false, a, false, c, false); });
  const double eigen_atb = gflops(flop, seconds, [&] { c.noalias() = w.transpose() * a; });
  const double ours_atb = gflops(flop, seconds, [&] { si::gemm(w, true, a, false, c, false); });
  const double eigen_abt = gflops(flop, seconds, [&] { g.noalias() += c * a.transpose(); });
  const double ours_abt = gflops(flop, seconds, [&] { si::gemm(c, false, a, true, g, true); });
  std::printf(
      "{\"shape\": \"256x256 * 256x2000\", \"eigen\": {\"ab\": %.2f, \"atb\": %.2f, \"abt\": %.2f}, "
      "\"si\": {\"ab\": %.2f, \"atb\": %.2f, \"abt\": %.2f}}\n",
      eigen_ab, eigen_atb, eigen_abt, ours_ab, ours_atb, ours_abt);
  return 0;
}
