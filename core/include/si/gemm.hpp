// The single-precision matrix product of the MLP in the WebAssembly build: C = op(A) op(B), or
// C += op(A) op(B), column-major, op a transpose or not. Eigen 3.4 has no wasm SIMD code, so this
// packed, register-blocked kernel (wasm_simd128 multiplies and adds; no FMA in clang 14) is what the
// module's forward and backward products use. Built without -msimd128 (e.g. natively, for the tests)
// the same blocking runs on a portable scalar micro-kernel.
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
