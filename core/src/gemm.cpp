#include "si/gemm.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#ifdef __AVX512F__
#include <immintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace si {

namespace {

using Index = Eigen::Index;

#ifdef __AVX512F__
#define SI_GEMM_X86 1
#endif

#ifdef SI_GEMM_X86
// AVX-512: a micro-tile of C is two vectors down a column times kNr = 12 columns, all 24
// accumulators in zmm registers (of 32), each B[p, j] a broadcast load from the packed panel; 12
// independent FMA chains per A vector cover the FMA latency twice over. (An AVX2 16 x 6 version of
// this kernel ran at half Eigen's speed: GCC kept its 12 accumulators in memory as well.)
using Vec = __m512;
constexpr Index kWidth = 16, kNr = 12;
inline Vec vzero() { return _mm512_setzero_ps(); }
inline Vec vload(const float* p) { return _mm512_loadu_ps(p); }
inline Vec vbroadcast(const float* p) { return _mm512_set1_ps(*p); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec vadd(Vec a, Vec b) { return _mm512_add_ps(a, b); }
inline void vstore(float* p, Vec v) { _mm512_storeu_ps(p, v); }
constexpr Index kMr = 2 * kWidth;
// Cache blocks: a kKc-deep micro-panel of B (12 KB) stays in L1 while the kMc x kKc
// block of op(A) (256 KB) streams from L2; the kKc x kNc panel of op(B) sits in L3.
constexpr Index kKc = 256, kMc = 256, kNc = 256 * kNr;
#else
// A micro-tile of C is kMr x kNr: two vectors down a column times four columns, 8 accumulators
// plus 3 loads and a broadcast, well within the 15 vector registers V8 allocates on x86-64.
constexpr Index kMr = 8, kNr = 4;
// Cache blocks: a kKc x kNc panel of op(B) and a kMc x kKc block of op(A) are packed at a time.
constexpr Index kKc = 256, kMc = 128, kNc = 384;
#endif

// Packing writes count <= width entries per k, p = 0..kc-1, at out[p * width + 0..count) and
// zeros the rest. Either the count entries of one k are contiguous in the source (src[p * ld + c];
// a full panel's copy has a constant length, so it compiles to vector moves, not a memcpy call) ...
template <Index width>
void pack_rows(const float* src, Index ld, Index count, Index kc, float* out) {
  for (Index p = 0; p < kc; ++p, out += width, src += ld) {
    if (count == width) {
      std::memcpy(out, src, width * sizeof(float));
    } else {
      for (Index c = 0; c < count; ++c) out[c] = src[c];
      for (Index c = count; c < width; ++c) out[c] = 0.0f;
    }
  }
}
#ifdef SI_GEMM_X86
// out[q * width + c] = in[c * ld + q] for c, q < 8: the 8 x 8 block is transposed in registers
// (pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped).
inline void transpose_8x8(const float* in, Index ld, float* out, Index width) {
  __m256 r[8], t[8], u[8];
  for (int c = 0; c < 8; ++c) r[c] = _mm256_loadu_ps(in + c * ld);
  for (int c = 0; c < 8; c += 2) {
    t[c] = _mm256_unpacklo_ps(r[c], r[c + 1]);      // elements 0, 1 | 4, 5 of rows c, c + 1
    t[c + 1] = _mm256_unpackhi_ps(r[c], r[c + 1]);  // elements 2, 3 | 6, 7
  }
  for (int c = 0; c < 8; c += 4)
    for (int h = 0; h < 2; ++h) {  // element 2h (+4) and 2h + 1 (+4) of rows c..c+3
      u[c + 2 * h] = _mm256_shuffle_ps(t[c + h], t[c + h + 2], _MM_SHUFFLE(1, 0, 1, 0));
      u[c + 2 * h + 1] = _mm256_shuffle_ps(t[c + h], t[c + h + 2], _MM_SHUFFLE(3, 2, 3, 2));
    }
  for (int q = 0; q < 4; ++q) {  // u[q]: element q | q + 4 of rows 0..3; u[q + 4]: of rows 4..7
    _mm256_storeu_ps(out + q * width, _mm256_permute2f128_ps(u[q], u[q + 4], 0x20));
    _mm256_storeu_ps(out + (q + 4) * width, _mm256_permute2f128_ps(u[q], u[q + 4], 0x31));
  }
}
// The same for c, q < 4 (the last 4 columns of a 12-wide B panel).
inline void transpose_4x4(const float* in, Index ld, float* out, Index width) {
  __m128 r0 = _mm_loadu_ps(in), r1 = _mm_loadu_ps(in + ld), r2 = _mm_loadu_ps(in + 2 * ld),
         r3 = _mm_loadu_ps(in + 3 * ld);
  _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
  _mm_storeu_ps(out, r0);
  _mm_storeu_ps(out + width, r1);
  _mm_storeu_ps(out + 2 * width, r2);
  _mm_storeu_ps(out + 3 * width, r3);
}
#endif

// ... or each entry's kc values are (src[c * ld + p]): read along them, write across.
template <Index width>
void pack_columns(const float* src, Index ld, Index count, Index kc, float* out) {
  Index c = 0;
#ifdef SI_GEMM_X86
  const Index kc8 = kc - kc % 8, kc4 = kc - kc % 4;
  for (; c + 8 <= count; c += 8) {
    for (Index p = 0; p < kc8; p += 8) transpose_8x8(src + c * ld + p, ld, out + p * width + c, width);
    for (Index cc = c; cc < c + 8; ++cc)
      for (Index p = kc8; p < kc; ++p) out[p * width + cc] = src[cc * ld + p];
  }
  for (; c + 4 <= count; c += 4) {
    for (Index p = 0; p < kc4; p += 4) transpose_4x4(src + c * ld + p, ld, out + p * width + c, width);
    for (Index cc = c; cc < c + 4; ++cc)
      for (Index p = kc4; p < kc; ++p) out[p * width + cc] = src[cc * ld + p];
  }
#endif
  for (; c < width; ++c) {
    const float* in = src + c * ld;
    if (c < count)
      for (Index p = 0; p < kc; ++p) out[p * width + c] = in[p];
    else
      for (Index p = 0; p < kc; ++p) out[p * width + c] = 0.0f;
  }
}

// op(A)[i0:i0+mc, p0:p0+kc] as row panels of kMr rows, each stored k-major (kMr floats per k);
// rows past the edge are zeros.
void pack_a(const GemmOperand& a, Index i0, Index mc, Index p0, Index kc, float* out) {
  for (Index ir = 0; ir < mc; ir += kMr, out += kMr * kc) {
    const Index rows = std::min(kMr, mc - ir);
    if (a.transposed)  // op(A)[i, p] = A[p, i]
      pack_columns<kMr>(a.data + p0 + (i0 + ir) * a.ld, a.ld, rows, kc, out);
    else
      pack_rows<kMr>(a.data + (i0 + ir) + p0 * a.ld, a.ld, rows, kc, out);
  }
}

// op(B)[p0:p0+kc, j0:j0+nc] as column panels of kNr columns, each stored k-major (kNr floats per
// k); columns past the edge are zeros.
void pack_b(const GemmOperand& b, Index p0, Index kc, Index j0, Index nc, float* out) {
  for (Index jr = 0; jr < nc; jr += kNr, out += kNr * kc) {
    const Index cols = std::min(kNr, nc - jr);
    if (b.transposed)  // op(B)[p, j] = B[j, p]
      pack_rows<kNr>(b.data + (j0 + jr) + p0 * b.ld, b.ld, cols, kc, out);
    else
      pack_columns<kNr>(b.data + p0 + (j0 + jr) * b.ld, b.ld, cols, kc, out);
  }
}

// C[0:rows, 0:cols] (= or +=) acc, a kMr x kNr column-major tile.
inline void store_tile(const float* acc, Index rows, Index cols, float* c, Index ldc, bool add) {
  for (Index j = 0; j < cols; ++j, c += ldc, acc += kMr)
    if (add)
      for (Index i = 0; i < rows; ++i) c[i] += acc[i];
    else
      for (Index i = 0; i < rows; ++i) c[i] = acc[i];
}

#ifdef SI_GEMM_X86
// C[0:rows, 0:cols] (= or +=) sum_p A[:, p] B[p, :] over one packed micro-panel of each, for rows
// <= kVectors * kWidth: the last row panel of a short matrix (the MLP's 2 outputs) runs one vector.
template <int kVectors>
void micro_tile(Index kc, const float* a, const float* b, float* c, Index ldc, Index rows, Index cols, bool add) {
  Vec acc[kVectors][kNr];
  for (int v = 0; v < kVectors; ++v)
    for (int j = 0; j < kNr; ++j) acc[v][j] = vzero();
  for (Index p = 0; p < kc; ++p, a += kMr, b += kNr) {
    Vec ap[kVectors];  // A[:, p]
    for (int v = 0; v < kVectors; ++v) ap[v] = vload(a + v * kWidth);
    for (int j = 0; j < kNr; ++j) {
      const Vec bj = vbroadcast(b + j);  // C[:, j] += A[:, p] B[p, j]
      for (int v = 0; v < kVectors; ++v) acc[v][j] = vfma(ap[v], bj, acc[v][j]);
    }
  }
  if (rows == kVectors * kWidth && cols == kNr) {
    for (int j = 0; j < kNr; ++j)
      for (int v = 0; v < kVectors; ++v) {
        float* out = c + v * kWidth + j * ldc;
        vstore(out, add ? vadd(vload(out), acc[v][j]) : acc[v][j]);
      }
    return;
  }
  alignas(64) float tile[kNr * kMr];  // an edge tile goes through memory
  for (int j = 0; j < kNr; ++j)
    for (int v = 0; v < kVectors; ++v) vstore(tile + j * kMr + v * kWidth, acc[v][j]);
  store_tile(tile, rows, cols, c, ldc, add);
}
#else
// C[0:rows, 0:cols] (= or +=) sum_p A[:, p] B[p, :] over one packed micro-panel of each.
void micro_tile(Index kc, const float* a, const float* b, float* c, Index ldc, Index rows, Index cols, bool add) {
  alignas(16) float acc[kMr * kNr];
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
  float sums[kNr][kMr] = {};
  for (Index p = 0; p < kc; ++p, a += kMr, b += kNr)
    for (Index j = 0; j < kNr; ++j)
      for (Index i = 0; i < kMr; ++i) sums[j][i] += a[i] * b[j];  // C[i, j] += A[i, p] B[p, j]
  std::memcpy(acc, sums, sizeof sums);
#endif
  store_tile(acc, rows, cols, c, ldc, add);
}
#endif

// A thread's packing buffer of at least n floats, 64-byte aligned (a cache line, a zmm load), kept
// between calls so that a product allocates nothing once warm.
float* scratch(std::vector<float>& buffer, Index n) {
  constexpr size_t kPad = 64 / sizeof(float);
  if (buffer.size() < size_t(n) + kPad) buffer.resize(size_t(n) + kPad);
  const auto address = reinterpret_cast<std::uintptr_t>(buffer.data());
  return buffer.data() + ((64 - address % 64) % 64) / sizeof(float);
}

}  // namespace

void gemm(Index m, Index n, Index k, const GemmOperand& a, const GemmOperand& b, float* c, Index ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (Index j = 0; j < n; ++j) std::fill(c + j * ldc, c + j * ldc + m, 0.0f);
    return;
  }
  thread_local std::vector<float> a_buffer, b_buffer;
  float* const packed_a = scratch(a_buffer, (kMc + kMr) * kKc);
  float* const packed_b = scratch(b_buffer, (kNc + kNr) * kKc);
  for (Index j0 = 0; j0 < n; j0 += kNc) {
    const Index nc = std::min(kNc, n - j0);
    for (Index p0 = 0; p0 < k; p0 += kKc) {
      const Index kc = std::min(kKc, k - p0);
      const bool add = accumulate || p0 > 0;  // later k-blocks add to the first one's sums
      pack_b(b, p0, kc, j0, nc, packed_b);
      for (Index i0 = 0; i0 < m; i0 += kMc) {
        const Index mc = std::min(kMc, m - i0);
        pack_a(a, i0, mc, p0, kc, packed_a);
        for (Index jr = 0; jr < nc; jr += kNr) {
          const Index cols = std::min(kNr, nc - jr);
          for (Index ir = 0; ir < mc; ir += kMr) {
            const Index rows = std::min(kMr, mc - ir);
            const float *pa = packed_a + ir * kc, *pb = packed_b + jr * kc;
            float* out = c + (i0 + ir) + (j0 + jr) * ldc;
#ifdef SI_GEMM_X86
            if (rows <= kWidth)
              micro_tile<1>(kc, pa, pb, out, ldc, rows, cols, add);
            else
              micro_tile<2>(kc, pa, pb, out, ldc, rows, cols, add);
#else
            micro_tile(kc, pa, pb, out, ldc, rows, cols, add);
#endif
          }
        }
      }
    }
  }
}

}  // namespace si
