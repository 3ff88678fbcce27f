// The single-precision matrix product of the MLP: C = op(A) op(B), or C += op(A) op(B),
// column-major, op a transpose or not; one packed, cache-blocked driver with a register-blocked
// micro-kernel per target. In the WebAssembly build (Eigen 3.4 has no wasm SIMD code) it runs
// wasm_simd128 multiplies and adds (no FMA in clang 14); natively with AVX-512 (-march=native), 32 x 12
// tiles of FMAs, 1.1-6x Eigen's product on the MLP's shapes (README "Speed"); elsewhere (e.g. natively
// without AVX-512, for the tests) the same blocking runs on a portable scalar micro-kernel. The MLP
// uses it in wasm and natively with AVX-512 unless built with SI_EIGEN_GEMM (core/src/mlp.cpp).
#pragma once

#include <Eigen/Core>

namespace si {

struct GemmOperand {
  const float* data;
  Eigen::Index ld;          // leading dimension of the stored (column-major) matrix
  bool transposed = false;  // use the stored matrix's transpose
};

// C (m x n, leading dimension ldc) = op(A) op(B) (+ C if accumulate), op(A) m x k, op(B) k x n.
void gemm(Eigen::Index m, Eigen::Index n, Eigen::Index k, const GemmOperand& a, const GemmOperand& b, float* c,
          Eigen::Index ldc, bool accumulate);

// The same for Eigen matrices: C = A B or C += A B, where A and B may be transposes of plain
// matrices (Eigen expressions such as W.transpose() are resolved to their stored matrix).
template <typename MA, typename MB, typename MC>
void gemm(const MA& a, bool a_transposed, const MB& b, bool b_transposed, MC& c, bool accumulate) {
  const Eigen::Index m = a_transposed ? a.cols() : a.rows(), k = a_transposed ? a.rows() : a.cols();
  const Eigen::Index n = b_transposed ? b.rows() : b.cols();
  eigen_assert((b_transposed ? b.cols() : b.rows()) == k && c.rows() == m && c.cols() == n);
  gemm(m, n, k, {a.data(), a.outerStride(), a_transposed}, {b.data(), b.outerStride(), b_transposed}, c.data(),
       c.outerStride(), accumulate);
}

}  // namespace si
