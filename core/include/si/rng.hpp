// A seeded, portable random generator: xoshiro256** seeded through splitmix64, with uniforms and
// Box-Muller normals computed here rather than by <random>'s distributions, whose algorithms
// differ between standard libraries (libstdc++ natively, libc++ under Emscripten). The same seed
// gives the same stream on every build.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "si/types.hpp"

namespace si {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

  void reseed(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& w : s_) w = splitmix64(x);
    has_spare_ = false;
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), by rejection so every value is equally likely.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t r;
    do r = next_u64();
    while (r >= limit);
    return r % n;
  }
  bool bernoulli(double p) { return uniform() < p; }

  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    std::uint64_t a;
    do a = next_u64();
    while ((a >> 11) == 0);  // u1 = 0 has no logarithm
    double c;
    box_muller(a, next_u64(), c, spare_);
    has_spare_ = true;
    return c;
  }

  // rows x cols normals, column by column, as that many calls of normal() give them; the
  // transcendental part of the work runs on `threads` threads (DeferredNormals), the values do not
  // depend on the count.
  template <typename S>
  Mat<S> normal_matrix(Eigen::Index rows, Eigen::Index cols, int threads = 1);

  // An independent generator for a sub-task (e.g. sampling) so it does not disturb this stream.
  Rng split() { return Rng(next_u64()); }

 private:
  friend class DeferredNormals;
  // Box-Muller: two independent normals from two raw draws (a >> 11 nonzero), cos and sin.
  static void box_muller(std::uint64_t a, std::uint64_t b, double& c, double& s) {
    const double u1 = static_cast<double>(a >> 11) * 0x1.0p-53, u2 = static_cast<double>(b >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double th = 2.0 * M_PI * u2;
    c = r * std::cos(th);
    s = r * std::sin(th);
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Normals taken from a generator now and computed later, on several threads: take() advances the
// generator exactly as that many calls of normal() would, doing only the cheap serial part (the raw
// 64-bit draws, the spare a Box-Muller pair leaves); compute() then turns the draws into the values
// normal() would have returned, bit for bit, split over threads. Normals taken by several take()
// calls, with other draws from the generator between them, are laid end to end in data().
class DeferredNormals {
 public:
  // Takes n normals; they are data()[size() - n, size()) after compute().
  void take(Rng& rng, Eigen::Index n);
  void compute(int threads);
  const double* data() const { return values_.data(); }
  Eigen::Index size() const { return Eigen::Index(values_.size()); }
  // Forgets the normals, keeping the memory for the next ones.
  void clear() {
    pairs_.clear();
    values_.clear();
  }
  // Gives back the memory of a large draw (a one-off sampler call's), keeping a training step's.
  void release_if_large() {
    constexpr size_t kKeep = size_t(1) << 20;  // normals: 8 MB of values, 12 MB of draws
    if (values_.capacity() > kKeep || pairs_.capacity() > kKeep / 2) *this = DeferredNormals();
  }
  // A thread's own instance, cleared: the draws of every step reuse its memory (fresh memory costs
  // page faults, which on a virtual machine cost more than the draws). Call release_if_large() when
  // done with it.
  static DeferredNormals& scratch() {
    thread_local DeferredNormals z;
    z.clear();
    return z;
  }

 private:
  struct Pair {
    std::uint64_t a, b;
    Eigen::Index slot;  // its cos goes to values_[slot], its sin to values_[slot + 1]
  };
  std::vector<Pair> pairs_;
  std::vector<double> values_;  // the normals in order; a spare taken over is known at once
};

template <typename S>
Mat<S> Rng::normal_matrix(Eigen::Index rows, Eigen::Index cols, int threads) {
  DeferredNormals& z = DeferredNormals::scratch();
  z.take(*this, rows * cols);
  z.compute(threads);
  Mat<S> m = Eigen::Map<const MatD>(z.data(), rows, cols).cast<S>();
  z.release_if_large();
  return m;
}

}  // namespace si
