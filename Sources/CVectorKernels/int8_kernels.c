#include "vector_kernels.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

avk_kernel avk_best_kernel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx2")) {
        return AVK_KERNEL_AVX512_VNNI;
    }
    if (__builtin_cpu_supports("avx2")) return AVK_KERNEL_AVX2;
#endif
    return AVK_KERNEL_PORTABLE;
}

float avk_quantize(const float *x, size_t dim, int8_t *codes) {
    // Eight independent running maxima, so the compiler can keep them in one vector register
    // (a single float max reduction is not vectorised without fast-math).
    float lanes[8] = {0};
    size_t j = 0;
    for (; j + 8 <= dim; j += 8) {
        for (int l = 0; l < 8; l++) {
            float a = fabsf(x[j + l]);
            lanes[l] = a > lanes[l] ? a : lanes[l];
        }
    }
    float max_abs = 0;
    for (; j < dim; j++) {
        float a = fabsf(x[j]);
        max_abs = a > max_abs ? a : max_abs;
    }
    for (int l = 0; l < 8; l++) max_abs = lanes[l] > max_abs ? lanes[l] : max_abs;
    // NaN compares false above, so check the values themselves for non-finite ones.
    for (size_t i = 0; i < dim; i++) {
        if (!isfinite(x[i])) { max_abs = NAN; break; }
    }
    if (!(max_abs > 0) || !isfinite(max_abs)) {
        memset(codes, 0, dim);
        return 0;
    }
    float inverse = 127.0f / max_abs;
    for (size_t j = 0; j < dim; j++) {
        // Round half away from zero by hand (lrintf is a libm call per value); |v| <= 127 by construction,
        // so codes stay in [-127, 127] and -128, which the AVX2 kernel cannot negate, never occurs.
        float v = x[j] * inverse;
        int32_t q = (int32_t)(v + copysignf(0.5f, v));
        codes[j] = (int8_t)q;
    }
    return max_abs / 127.0f;
}

void avk_quantize_rows(const float *x, size_t rows, size_t dim, int8_t *codes, float *scales) {
    for (size_t r = 0; r < rows; r++) {
        scales[r] = avk_quantize(x + r * dim, dim, codes + r * dim);
    }
}

static void scores_portable(const int8_t *codes, const float *scales, size_t rows, size_t dim,
                            const int8_t *query, float *scores) {
    for (size_t r = 0; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        int32_t dot = 0;
        for (size_t j = 0; j < dim; j++) dot += (int32_t)row[j] * (int32_t)query[j];
        scores[r] = scales[r] * (float)dot;
    }
}

#if defined(__x86_64__)

__attribute__((target("avx2"))) static inline int32_t hsum_256(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

// maddubs multiplies unsigned by signed bytes: |q| times (row with q's sign) is q·row, and with codes in
// [-127, 127] a pair sum (at most 2·127·127) never saturates int16.
__attribute__((target("avx2"))) static void scores_avx2(const int8_t *codes, const float *scales, size_t rows,
                                                        size_t dim, const int8_t *query, float *scores) {
    const size_t body = dim & ~(size_t)31;
    const __m256i ones = _mm256_set1_epi16(1);
    for (size_t r = 0; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        __m256i acc = _mm256_setzero_si256();
        for (size_t j = 0; j < body; j += 32) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(query + j));
            __m256i c = _mm256_loadu_si256((const __m256i *)(row + j));
            __m256i p16 = _mm256_maddubs_epi16(_mm256_abs_epi8(q), _mm256_sign_epi8(c, q));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p16, ones));
        }
        int32_t dot = hsum_256(acc);
        for (size_t j = body; j < dim; j++) dot += (int32_t)row[j] * (int32_t)query[j];
        scores[r] = scales[r] * (float)dot;
    }
}

// The AVX2 kernel's sign trick with vpdpbusd on 256-bit lanes: one instruction per 32 bytes instead of
// three. (A 512-bit kernel with the query shifted to unsigned and per-row code sums measured slower on
// this Zen 4, which splits 512-bit operations in two: the scan is bound by memory bandwidth anyway.)
__attribute__((target("avx2,avx512vl,avx512vnni"))) static void
scores_vnni256(const int8_t *codes, const float *scales, size_t rows, size_t dim, const int8_t *query, float *scores) {
    const size_t body = dim & ~(size_t)31;
    for (size_t r = 0; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        __m256i acc = _mm256_setzero_si256();
        for (size_t j = 0; j < body; j += 32) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(query + j));
            __m256i c = _mm256_loadu_si256((const __m256i *)(row + j));
            acc = _mm256_dpbusd_epi32(acc, _mm256_abs_epi8(q), _mm256_sign_epi8(c, q));
        }
        int32_t dot = hsum_256(acc);
        for (size_t j = body; j < dim; j++) dot += (int32_t)row[j] * (int32_t)query[j];
        scores[r] = scales[r] * (float)dot;
    }
}

// Several inputs against every row at once, for a network layer's int8 weights: inputs shifted to
// unsigned (u = x + 128, so u·c = x·c + 128·Σc, the row sums precomputed) let one vpdpbusd per 32 bytes
// and input serve, and each weight chunk is loaded once for up to 4 inputs.
__attribute__((target("avx2,avx512vl,avx512vnni"))) static void
products_vnni256(const int8_t *codes, const float *scales, const int32_t *row_sums, size_t rows, size_t dim,
                 const uint8_t *inputs, const float *input_scales, size_t count, float *out) {
    const size_t body = dim & ~(size_t)31;
    for (size_t r = 0; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        const int32_t shift = 128 * row_sums[r];
        size_t i = 0;
        for (; i < count; i += 4) {
            const size_t n = count - i < 4 ? count - i : 4;
            const uint8_t *u0 = inputs + i * dim;
            const uint8_t *u1 = n > 1 ? u0 + dim : u0, *u2 = n > 2 ? u0 + 2 * dim : u0, *u3 = n > 3 ? u0 + 3 * dim : u0;
            __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
            for (size_t j = 0; j < body; j += 32) {
                __m256i c = _mm256_loadu_si256((const __m256i *)(row + j));
                a0 = _mm256_dpbusd_epi32(a0, _mm256_loadu_si256((const __m256i *)(u0 + j)), c);
                a1 = _mm256_dpbusd_epi32(a1, _mm256_loadu_si256((const __m256i *)(u1 + j)), c);
                a2 = _mm256_dpbusd_epi32(a2, _mm256_loadu_si256((const __m256i *)(u2 + j)), c);
                a3 = _mm256_dpbusd_epi32(a3, _mm256_loadu_si256((const __m256i *)(u3 + j)), c);
            }
            int32_t dots[4] = {hsum_256(a0), hsum_256(a1), hsum_256(a2), hsum_256(a3)};
            const uint8_t *us[4] = {u0, u1, u2, u3};
            for (size_t t = 0; t < n; t++) {
                for (size_t j = body; j < dim; j++) dots[t] += (int32_t)us[t][j] * (int32_t)row[j];
                out[(i + t) * rows + r] = scales[r] * input_scales[i + t] * (float)(dots[t] - shift);
            }
        }
    }
}

#endif

void avk_int8_scores(avk_kernel kernel, const int8_t *codes, const float *scales, size_t rows, size_t dim,
                     const int8_t *query, float *scores) {
    if (dim == 0) {
        memset(scores, 0, rows * sizeof(float));
        return;
    }
#if defined(__x86_64__)
    // A kernel the CPU lacks would fault: fall back to the best one it has.
    avk_kernel best = avk_best_kernel();
    if (kernel > best) kernel = best;
    switch (kernel) {
    case AVK_KERNEL_AVX512_VNNI:
        scores_vnni256(codes, scales, rows, dim, query, scores);
        return;
    case AVK_KERNEL_AVX2:
        scores_avx2(codes, scales, rows, dim, query, scores);
        return;
    default:
        break;
    }
#endif
    scores_portable(codes, scales, rows, dim, query, scores);
}

void avk_int8_products(const int8_t *codes, const float *scales, const int32_t *row_sums, size_t rows, size_t dim,
                       const float *inputs, size_t count, float *out) {
    if (count == 0 || rows == 0) return;
    int8_t *signed_codes = malloc(count * dim + 1);
    float *input_scales = malloc(count * sizeof(float));
    for (size_t i = 0; i < count; i++) input_scales[i] = avk_quantize(inputs + i * dim, dim, signed_codes + i * dim);
#if defined(__x86_64__)
    if (avk_best_kernel() == AVK_KERNEL_AVX512_VNNI) {
        uint8_t *shifted = (uint8_t *)signed_codes;
        for (size_t k = 0; k < count * dim; k++) shifted[k] = (uint8_t)((int32_t)signed_codes[k] + 128);
        products_vnni256(codes, scales, row_sums, rows, dim, shifted, input_scales, count, out);
        free(signed_codes);
        free(input_scales);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) {
        float *y = out + i * rows;
        avk_int8_scores(avk_best_kernel(), codes, scales, rows, dim, signed_codes + i * dim, y);
        for (size_t r = 0; r < rows; r++) y[r] *= input_scales[i];
    }
    free(signed_codes);
    free(input_scales);
}
