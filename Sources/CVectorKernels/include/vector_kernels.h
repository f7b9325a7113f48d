#ifndef ATLASQA_VECTOR_KERNELS_H
#define ATLASQA_VECTOR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

// Vector kernels for the index: int8 for the quantised copy, float32 for exact scores. Swift compiles for
// baseline x86-64, so the fast paths are compiled per function with target attributes and picked at run
// time from the CPU's features.

/// Which dot-product kernel runs: 0 portable C, 1 AVX2, 2 AVX-512 VNNI (on 256-bit lanes, AVX512VL).
typedef enum {
    AVK_KERNEL_PORTABLE = 0,
    AVK_KERNEL_AVX2 = 1,
    AVK_KERNEL_AVX512_VNNI = 2,
} avk_kernel;

/// The best kernel this CPU supports.
avk_kernel avk_best_kernel(void);

/// Quantises `dim` floats to int8 codes in [-127, 127] with one scale (max |x| / 127), so x ≈ scale · code.
/// Writes the codes to `codes`; returns the scale (0 for a zero or non-finite vector, whose codes are all 0).
float avk_quantize(const float *x, size_t dim, int8_t *codes);

/// Quantises `rows` rows of `dim` floats (row-major) at once: codes `[rows, dim]`, scales `[rows]`.
void avk_quantize_rows(const float *x, size_t rows, size_t dim, int8_t *codes, float *scales);

/// scores[r] = scales[r] · Σ_j codes[r, j] · query[j] for r in [0, rows): the int8 approximation of the
/// dot products (up to the query's own scale, which ranks nothing). Exact integer arithmetic: every
/// kernel gives the same scores. A kernel the CPU lacks falls back to the best one it has.
void avk_int8_scores(avk_kernel kernel, const int8_t *codes, const float *scales, size_t rows, size_t dim,
                     const int8_t *query, float *scores);

/// out[i, r] ≈ Σ_j inputs[i, j] · scales[r] · codes[r, j] for `count` float inputs `[count, dim]` against every
/// row: a linear layer's product with int8 weights (`row_sums[r]` = Σ_j codes[r, j], precomputed). Each input
/// is quantised to int8 with its own scale first. Output `[count, rows]`.
void avk_int8_products(const int8_t *codes, const float *scales, const int32_t *row_sums, size_t rows, size_t dim,
                       const float *inputs, size_t count, float *out);

/// scores[r] = Σ_j matrix[r, j] · query[j] for r in [0, rows), float32, row-major `[rows, dim]`: the exact
/// search's scores (the best kernel the CPU has; results equal a plain loop's up to summation order).
void avk_f32_scores(const float *matrix, size_t rows, size_t dim, const float *query, float *scores);

#endif
