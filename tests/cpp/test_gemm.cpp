// The wasm build's matrix product (si/gemm.hpp), here on its portable micro-kernel with the same
// packing and blocking, against Eigen's product in double precision.
#include <gtest/gtest.h>

#include "si/gemm.hpp"
#include "si/rng.hpp"
#include "si/types.hpp"

namespace si {
namespace {

// Worst |C - reference| relative to the reference's largest entry.
double worst_relative(const MatF& c, const MatD& reference) {
  return (c.cast<double>() - reference).cwiseAbs().maxCoeff() / std::max(reference.cwiseAbs().maxCoeff(), 1e-300);
}

TEST(Gemm, EveryTransposeAndEdgeShapeMatchesTheDoublePrecisionProduct) {
  Rng rng(1);
  // Sizes across the micro-tile (8 x 6) and cache-block (256 deep, 128 x 384) edges, and the MLP's
  // thin shapes (k = 3 inputs, m = 2 outputs).
  const int shapes[][3] = {{1, 1, 1},       {2, 300, 256}, {256, 300, 3}, {9, 7, 5},
                           {130, 390, 260}, {256, 2, 2},   {17, 385, 513}};
  for (const auto& s : shapes) {
    const Eigen::Index m = s[0], n = s[1], k = s[2];
    for (const bool ta : {false, true}) {
      for (const bool tb : {false, true}) {
        const MatF a = ta ? rng.normal_matrix<float>(k, m) : rng.normal_matrix<float>(m, k);
        const MatF b = tb ? rng.normal_matrix<float>(n, k) : rng.normal_matrix<float>(k, n);
        const MatD ad = ta ? MatD(a.cast<double>().transpose()) : MatD(a.cast<double>());
        const MatD bd = tb ? MatD(b.cast<double>().transpose()) : MatD(b.cast<double>());
        const MatF c0 = rng.normal_matrix<float>(m, n);
        MatF c = c0;
        gemm(a, ta, b, tb, c, false);
        const std::string what = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
                                 (ta ? " A^T" : "") + (tb ? " B^T" : "");
        EXPECT_LT(worst_relative(c, ad * bd), 1e-5) << what;
        c = c0;
        gemm(a, ta, b, tb, c, true);
        EXPECT_LT(worst_relative(c, c0.cast<double>() + ad * bd), 1e-5) << what << " accumulated";
      }
    }
  }
}

TEST(Gemm, WritesIntoABlockOfALargerMatrixOnly) {
  Rng rng(2);
  const MatF a = rng.normal_matrix<float>(10, 4), b = rng.normal_matrix<float>(4, 5);
  MatF big = MatF::Constant(20, 9, 7.0f);
  auto block = big.block(3, 2, 10, 5);
  gemm(a, false, b, false, block, false);
  EXPECT_LT(worst_relative(MatF(big.block(3, 2, 10, 5)), a.cast<double>() * b.cast<double>()), 1e-6);
  big.block(3, 2, 10, 5).setConstant(7.0f);
  EXPECT_TRUE((big.array() == 7.0f).all()) << "wrote outside the block";
}

}  // namespace
}  // namespace si
