// GFLOP/s of the MLP's float products with Eigen's product and with si/gemm.hpp's kernel, in one
// run: for a layer W (out x in) and a batch of n columns, the forward product W a (AB), the input
// gradient W^T delta (A^T B) and the weight gradient gW += delta a^T (AB^T). Built natively
// (tests/wasm/CMakeLists.txt: the AVX-512 micro-kernel, or without AVX-512 the portable one) and for wasm
// (wasm/CMakeLists.txt, target si_wasm_gemm_bench: its SIMD micro-kernel, run by Node);
// scripts/bench.sh prints both.
//   gemm_bench [seconds per figure]  -> one JSON object: the reference layer's figures at the top
//   level, every layer's under "layers"
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

struct Layer {
  const char* name;
  Eigen::Index out, in, n;
};

// {"eigen": {...}, "si": {...}} for one layer's three products.
std::string time_layer(const Layer& l, double seconds) {
  const si::MatF w = si::MatF::Random(l.out, l.in), a = si::MatF::Random(l.in, l.n);
  const si::MatF delta = si::MatF::Random(l.out, l.n);
  si::MatF z(l.out, l.n), da(l.in, l.n), g = si::MatF::Zero(l.out, l.in);
  const double flop = 2.0 * double(l.out) * double(l.in) * double(l.n);
  const double eigen_ab = gflops(flop, seconds, [&] { z.noalias() = w * a; });
  const double ours_ab = gflops(flop, seconds, [&] { si::gemm(w, false, a, false, z, false); });
  const double eigen_atb = gflops(flop, seconds, [&] { da.noalias() = w.transpose() * delta; });
  const double ours_atb = gflops(flop, seconds, [&] { si::gemm(w, true, delta, false, da, false); });
  const double eigen_abt = gflops(flop, seconds, [&] { g.noalias() += delta * a.transpose(); });
  const double ours_abt = gflops(flop, seconds, [&] { si::gemm(delta, false, a, true, g, true); });
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "\"eigen\": {\"ab\": %.2f, \"atb\": %.2f, \"abt\": %.2f}, \"si\": {\"ab\": %.2f, \"atb\": %.2f, "
                "\"abt\": %.2f}",
                eigen_ab, eigen_atb, eigen_abt, ours_ab, ours_atb, ours_abt);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  // The reference step's hidden layer (256 x 256, batch 2000), then the image step's (batch 128):
  // its hidden layer (512 x 512), its last layer (196 outputs of 512) and its first (512 of 197).
  const Layer layers[] = {{"256x256 * 256x2000", 256, 256, 2000},
                          {"512x512 * 512x128", 512, 512, 128},
                          {"196x512 * 512x128", 196, 512, 128},
                          {"512x197 * 197x128", 512, 197, 128}};
  std::string json;
  for (const Layer& l : layers) {
    const std::string figures = time_layer(l, seconds);
    if (json.empty())
      json = "{\"shape\": \"" + std::string(l.name) + "\", " + figures + ", \"layers\": [";
    else
      json += ", ";
    json += "{\"shape\": \"" + std::string(l.name) + "\", " + figures + "}";
  }
  std::printf("%s]}\n", json.c_str());
  return 0;
}
