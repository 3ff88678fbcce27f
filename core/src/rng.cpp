#include "si/rng.hpp"

#include "si/parallel.hpp"

namespace si {

void DeferredNormals::take(Rng& rng, Eigen::Index n) {
  Eigen::Index slot = size();
  values_.resize(size_t(slot + n));
  if (n > 0 && rng.has_spare_) {  // the spare of the last pair normal() drew comes first
    rng.has_spare_ = false;
    values_[size_t(slot++)] = rng.spare_;
    --n;
  }
  for (; n >= 2; n -= 2, slot += 2) {
    std::uint64_t a;
    do a = rng.next_u64();
    while ((a >> 11) == 0);
    pairs_.push_back({a, rng.next_u64(), slot});
  }
  if (n == 1) {  // an odd count ends with a pair whose sin the generator keeps as its spare: computed now
    std::uint64_t a;
    do a = rng.next_u64();
    while ((a >> 11) == 0);
    Rng::box_muller(a, rng.next_u64(), values_[size_t(slot)], rng.spare_);
    rng.has_spare_ = true;
  }
}

void DeferredNormals::compute(int threads) {
  const Eigen::Index n = Eigen::Index(pairs_.size());
  by_ranges(n, threads, 1024, [&](Eigen::Index begin, Eigen::Index end) {  // ~30 us of work a range
    for (Eigen::Index p = begin; p < end; ++p) {
      const Pair& q = pairs_[size_t(p)];
      Rng::box_muller(q.a, q.b, values_[size_t(q.slot)], values_[size_t(q.slot + 1)]);
    }
  });
  pairs_.clear();
}

}  // namespace si
