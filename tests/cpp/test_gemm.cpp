// The MLP's float matrix product (si/gemm.hpp): natively its AVX-512 micro-kernel, or the
// portable one the wasm build's SIMD kernel shares the packing and blocking with, against products in
// double precision (Eigen's, and a plain triple loop).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

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

// C = op(A) op(B) (+ C0), and sum_p |op(A)[i, p]| |op(B)[p, j]|, by a triple loop in double.
struct Naive {
  MatD c, scale;
};
template <typename MA, typename MB>
Naive naive_product(const MA& a, bool ta, const MB& b, bool tb, const MatF* c0) {
  const Eigen::Index m = ta ? a.cols() : a.rows(), k = ta ? a.rows() : a.cols(), n = tb ? b.rows() : b.cols();
  Naive r{c0 ? MatD(c0->cast<double>()) : MatD::Zero(m, n), MatD::Zero(m, n)};
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index p = 0; p < k; ++p) {
      const double bpj = tb ? b(j, p) : b(p, j);
      for (Eigen::Index i = 0; i < m; ++i) {
        const double aip = ta ? a(p, i) : a(i, p);
        r.c(i, j) += aip * bpj;
        r.scale(i, j) += std::abs(aip * bpj);
      }
    }
  return r;
}

// Every entry within 1e-5 of its own sum of |terms| (fp32 summation in another order is ~1e-7 off;
// one term left out or counted twice is ~1 / k off).
void expect_close(const MatF& c, const Naive& truth, const std::string& what) {
  const MatD error = (c.cast<double>() - truth.c).cwiseAbs();
  const MatD allowed = (1e-5 * truth.scale.array() + 1e-30).matrix();
  Eigen::Index i = 0, j = 0;
  const double worst = (error.array() / allowed.array()).maxCoeff(&i, &j);
  EXPECT_LE(worst, 1.0) << what << ": C(" << i << ", " << j << ") = " << c(i, j) << ", truth " << truth.c(i, j);
}

TEST(Gemm, MatchesATripleLoopForEveryShapeTransposeStrideAndAccumulate) {
  Rng rng(3);
  // m x n x k: single entries, primes, k = 1 and 2, fewer rows than a micro-tile (8, 16 or 32) and
  // just over one, columns across the micro-tile (4, 6 or 12) and cache blocks (256 deep, 256 or 128
  // rows, 3072 or 384 columns), and the reference step's products.
  const int shapes[][3] = {{1, 1, 1},      {17, 33, 7},    {5, 3, 1},      {31, 13, 2},     {15, 12, 40},
                           {16, 11, 9},    {33, 25, 257},  {257, 7, 3},    {2, 3100, 5},    {64, 24, 512},
                           {256, 2000, 3}, {2, 256, 2000}, {300, 130, 70}, {256, 2000, 256}};
  for (const auto& s : shapes) {
    const Eigen::Index m = s[0], n = s[1], k = s[2];
    const bool big = m * n * k > 10'000'000;
    for (const bool ta : {false, true}) {
      for (const bool tb : {false, true}) {
        for (const bool accumulate : {false, true}) {
          if (big && accumulate != (ta == tb)) continue;  // the largest shape: each transpose once
          // Each operand a block of a larger matrix (leading dimension > rows), C too.
          const Eigen::Index ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
          const MatF a_store = rng.normal_matrix<float>(ar + 3, ac + 1), b_store = rng.normal_matrix<float>(br + 5, bc);
          const auto a = a_store.block(2, 1, ar, ac);
          const auto b = b_store.block(1, 0, br, bc);
          MatF c_store = rng.normal_matrix<float>(m + 7, n + 2);
          auto c = c_store.block(4, 1, m, n);
          const MatF c0 = c;
          const MatF outside = c_store;
          gemm(a, ta, b, tb, c, accumulate);
          const std::string what = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
                                   (ta ? " A^T" : "") + (tb ? " B^T" : "") + (accumulate ? " accumulated" : "");
          expect_close(c, naive_product(a, ta, b, tb, accumulate ? &c0 : nullptr), what);
          c = c0;
          EXPECT_TRUE(c_store == outside) << what << ": wrote outside C";
        }
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
