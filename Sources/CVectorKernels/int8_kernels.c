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
