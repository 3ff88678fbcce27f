#include "si/gemm.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace si {

namespace {

using Index = Eigen::Index;

// A micro-tile of C is kMr x kNr: two vectors down a column times four columns, 8 accumulators
// plus 3 loads and a broadcast, well within the 15 vector registers V8 allocates on x86-64.
constexpr Index kMr = 8, kNr = 4;
// Cache blocks: a kKc x kNc panel of op(B) and a kMc x kKc block of op(A) are packed at a time.
constexpr Index kKc = 256, kMc = 128, kNc = 384;

// Element (i, j) of op(X).
inline float at(const GemmOperand& x, Index i, Index j) {
  return x.transposed ? x.data[j + i * x.ld] : x.data[i + j * x.ld];
}

// op(A)[i0:i0+mc, p0:p0+kc] as row panels of kMr rows, each stored k-major (kMr floats per k);
// rows past the edge are zeros.
void pack_a(const GemmOperand& a, Index i0, Index mc, Index p0, Index kc, float* out) {
  for (Index ir = 0; ir < mc; ir += kMr) {
    const Index rows = std::min(kMr, mc - ir);
    for (Index p = 0; p < kc; ++p, out += kMr) {
      Index r = 0;
      if (!a.transposed) {
        const float* col = a.data + (i0 + ir) + (p0 + p) * a.ld;
        for (; r < rows; ++r) out[r] = col[r];
      } else {
        for (; r < rows; ++r) out[r] = at(a, i0 + ir + r, p0 + p);
      }
      for (; r < kMr; ++r) out[r] = 0.0f;
    }
  }
}

// op(B)[p0:p0+kc, j0:j0+nc] as column panels of kNr columns, each stored k-major (kNr floats per
// k); columns past the edge are zeros.
void pack_b(const GemmOperand& b, Index p0, Index kc, Index j0, Index nc, float* out) {
  for (Index jr = 0; jr < nc; jr += kNr) {
    const Index cols = std::min(kNr, nc - jr);
    for (Index p = 0; p < kc; ++p, out += kNr) {
      Index c = 0;
      for (; c < cols; ++c) out[c] = at(b, p0 + p, j0 + jr + c);
      for (; c < kNr; ++c) out[c] = 0.0f;
    }
  }
}

// acc (kMr x kNr, column-major) = sum_p A[:, p] B[p, :] over one packed panel of each.
void micro_kernel(Index kc, const float* a, const float* b, float* acc) {
#ifdef __wasm_simd128__
  static_assert(kMr == 8 && kNr == 4, "the SIMD micro-kernel is written for 8 x 4 tiles");
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c02 = c00, c03 = c00;
  v128_t c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  for (Index p = 0; p < kc; ++p, a += kMr, b += kNr) {
    // C[:, j] += A[:, p] B[p, j]: B's row is one load, each B[p, j] a lane broadcast.
    const v128_t a0 = wasm_v128_load(a), a1 = wasm_v128_load(a + 4), bp = wasm_v128_load(b);
    v128_t bj = wasm_i32x4_shuffle(bp, bp, 0, 0, 0, 0);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, bj));
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, bj));
    bj = wasm_i32x4_shuffle(bp, bp, 1, 1, 1, 1);
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, bj));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, bj));
    bj = wasm_i32x4_shuffle(bp, bp, 2, 2, 2, 2);
    c02 = wasm_f32x4_add(c02, wasm_f32x4_mul(a0, bj));
    c12 = wasm_f32x4_add(c12, wasm_f32x4_mul(a1, bj));
    bj = wasm_i32x4_shuffle(bp, bp, 3, 3, 3, 3);
    c03 = wasm_f32x4_add(c03, wasm_f32x4_mul(a0, bj));
    c13 = wasm_f32x4_add(c13, wasm_f32x4_mul(a1, bj));
  }
  const v128_t out[] = {c00, c10, c01, c11, c02, c12, c03, c13};
  for (int v = 0; v < 8; ++v) wasm_v128_store(acc + 4 * v, out[v]);
#else
  float c[kNr][kMr] = {};
  for (Index p = 0; p < kc; ++p, a += kMr, b += kNr)
    for (Index j = 0; j < kNr; ++j)
      for (Index i = 0; i < kMr; ++i) c[j][i] += a[i] * b[j];  // C[i, j] += A[i, p] B[p, j]
  std::memcpy(acc, c, sizeof c);
#endif
}

}  // namespace

void gemm(Index m, Index n, Index k, const GemmOperand& a, const GemmOperand& b, float* c, Index ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (Index j = 0; j < n; ++j) std::fill(c + j * ldc, c + j * ldc + m, 0.0f);
    return;
  }
  thread_local std::vector<float> packed_a, packed_b;
  packed_a.resize(size_t((kMc + kMr) * kKc));
  packed_b.resize(size_t((kNc + kNr) * kKc));
  alignas(16) float acc[kMr * kNr];
  for (Index j0 = 0; j0 < n; j0 += kNc) {
    const Index nc = std::min(kNc, n - j0);
    for (Index p0 = 0; p0 < k; p0 += kKc) {
      const Index kc = std::min(kKc, k - p0);
      const bool add = accumulate || p0 > 0;  // later k-blocks add to the first one's sums
      pack_b(b, p0, kc, j0, nc, packed_b.data());
      for (Index i0 = 0; i0 < m; i0 += kMc) {
        const Index mc = std::min(kMc, m - i0);
        pack_a(a, i0, mc, p0, kc, packed_a.data());
        for (Index jr = 0; jr < nc; jr += kNr) {
          const Index cols = std::min(kNr, nc - jr);
          for (Index ir = 0; ir < mc; ir += kMr) {
            const Index rows = std::min(kMr, mc - ir);
            micro_kernel(kc, packed_a.data() + ir * kc, packed_b.data() + jr * kc, acc);
            for (Index jj = 0; jj < cols; ++jj) {
              float* out = c + (i0 + ir) + (j0 + jr + jj) * ldc;
              const float* in = acc + jj * kMr;
              if (add)
                for (Index ii = 0; ii < rows; ++ii) out[ii] += in[ii];
              else
                for (Index ii = 0; ii < rows; ++ii) out[ii] = in[ii];
            }
          }
        }
      }
    }
  }
}

}  // namespace si
