// libpng behind a longjmp-safe C surface.
//
// libpng reports errors by longjmp. Every function below that calls into libpng
// first does setjmp in its own C frame, so a longjmp never crosses a Swift frame:
// errors come back as a return code plus a message in the context struct.
// Warnings are kept (last one only) instead of being printed to stderr.
#ifndef ATLAS_CPNG_SHIM_H
#define ATLAS_CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
    ATLAS_PNG_OK = 0,
    ATLAS_PNG_ERROR = 1,      // libpng error (corrupt data, CRC, bad header...)
    ATLAS_PNG_TRUNCATED = 2,  // the input ended early
    ATLAS_PNG_NOMEM = 3,
};

typedef struct atlas_png_reader {
    png_structp png;
    png_infop info;
    const unsigned char *data;
    size_t size;
    size_t pos;
    int truncated;
    unsigned char *scratch;  // RGBA rows when the image has alpha; freed by destroy
    char message[256];
    char warning[256];
    // Filled by atlas_png_read_header.
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;
    int interlaced;
} atlas_png_reader;

static void atlas_png_error_fn(png_structp png, png_const_charp msg) {
    atlas_png_reader *r = (atlas_png_reader *)png_get_error_ptr(png);
    if (r != NULL && !r->truncated) {
        snprintf(r->message, sizeof r->message, "%s", msg ? msg : "unknown libpng error");
    }
    png_longjmp(png, 1);
}

static void atlas_png_warning_fn(png_structp png, png_const_charp msg) {
    atlas_png_reader *r = (atlas_png_reader *)png_get_error_ptr(png);
    if (r != NULL) {
        snprintf(r->warning, sizeof r->warning, "%s", msg ? msg : "");
    }
}

static void atlas_png_read_fn(png_structp png, png_bytep out, size_t length) {
    atlas_png_reader *r = (atlas_png_reader *)png_get_io_ptr(png);
    if (length > r->size - r->pos) {
        r->truncated = 1;
        snprintf(r->message, sizeof r->message, "truncated at byte %zu", r->size);
        png_error(png, "truncated");
    }
    memcpy(out, r->data + r->pos, length);
    r->pos += length;
}

/// Releases everything the reader holds. Safe to call more than once.
static inline void atlas_png_reader_destroy(atlas_png_reader *r) {
    if (r->png != NULL) {
        png_destroy_read_struct(&r->png, r->info ? &r->info : NULL, NULL);
    }
    r->png = NULL;
    r->info = NULL;
    free(r->scratch);
    r->scratch = NULL;
}

/// Reads the signature and every chunk up to the first IDAT. Allocates no pixel memory.
static inline int atlas_png_read_header(atlas_png_reader *r, const void *data, size_t size) {
    memset(r, 0, sizeof *r);
    r->data = (const unsigned char *)data;
    r->size = size;
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        snprintf(r->message, sizeof r->message, size < 8 ? "truncated at byte %zu" : "not a PNG signature", size);
        return size < 8 ? ATLAS_PNG_TRUNCATED : ATLAS_PNG_ERROR;
    }
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, atlas_png_error_fn, atlas_png_warning_fn);
    if (r->png == NULL) {
        snprintf(r->message, sizeof r->message, "out of memory");
        return ATLAS_PNG_NOMEM;
    }
    r->info = png_create_info_struct(r->png);
    if (r->info == NULL) {
        snprintf(r->message, sizeof r->message, "out of memory");
        atlas_png_reader_destroy(r);
        return ATLAS_PNG_NOMEM;
    }
    if (setjmp(png_jmpbuf(r->png))) {
        return r->truncated ? ATLAS_PNG_TRUNCATED : ATLAS_PNG_ERROR;
    }
    png_set_read_fn(r->png, r, atlas_png_read_fn);
    // Ancillary chunks (text, ICC) are capped so they cannot become a memory bomb.
    png_set_chunk_malloc_max(r->png, 8u << 20);
    png_read_info(r->png, r->info);
    int interlace = 0;
    png_get_IHDR(r->png, r->info, &r->width, &r->height, &r->bit_depth, &r->color_type, &interlace, NULL, NULL);
    r->interlaced = interlace != PNG_INTERLACE_NONE;
    return ATLAS_PNG_OK;
}

/// Composites `count` RGBA pixels on white into RGB. `in` and `out` may alias (out <= in).
static inline void atlas_png_composite_on_white(const unsigned char *in, unsigned char *out, size_t count) {
    for (size_t i = 0; i < count; i++) {
        unsigned a = in[4 * i + 3];
        unsigned inv = 255u - a;
        for (int c = 0; c < 3; c++) {
            // (v*a + 255*(255-a)) / 255, rounded.
            out[3 * i + c] = (unsigned char)((in[4 * i + c] * a + 255u * inv + 127u) / 255u);
        }
    }
}

/// Checks the CRC of every critical chunk before decoding. libpng streams IDAT through zlib
/// and only compares the CRC at the chunk's end, so a flipped byte would otherwise surface as
/// an obscure inflate error ("invalid code lengths set") instead of "IDAT: CRC error".
static inline int atlas_png_check_crcs(atlas_png_reader *r) {
    size_t at = 8;
    while (at + 12 <= r->size) {
        const unsigned char *p = r->data + at;
        size_t length = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
        if (length > 0x7fffffffu) {
            snprintf(r->message, sizeof r->message, "chunk at byte %zu: bad length", at);
            return ATLAS_PNG_ERROR;
        }
        if (length + 12 > r->size - at) return ATLAS_PNG_OK;  // libpng reports the truncation itself
        int critical = (p[4] & 0x20) == 0;  // upper-case first letter
        if (critical) {
            uLong crc = crc32(0L, p + 4, (uInt)(length + 4));
            const unsigned char *c = p + 8 + length;
            uLong stored = ((uLong)c[0] << 24) | ((uLong)c[1] << 16) | ((uLong)c[2] << 8) | c[3];
            if (crc != stored) {
                snprintf(r->message, sizeof r->message, "%c%c%c%c: CRC error", p[4], p[5], p[6], p[7]);
                return ATLAS_PNG_ERROR;
            }
        }
        if (memcmp(p + 4, "IEND", 4) == 0) break;
        at += length + 12;
    }
    return ATLAS_PNG_OK;
}

/// Decodes the image after atlas_png_read_header into `out` (width*height*3 bytes, 8-bit RGB).
/// Every colour type and bit depth is expanded to 8-bit RGB; 16-bit samples are scaled
/// (rounded, not truncated); alpha and tRNS are composited on white. No gamma correction.
static inline int atlas_png_read_rgb(atlas_png_reader *r, unsigned char *out) {
    if (atlas_png_check_crcs(r) != ATLAS_PNG_OK) return ATLAS_PNG_ERROR;
    if (setjmp(png_jmpbuf(r->png))) {
        return r->truncated ? ATLAS_PNG_TRUNCATED : ATLAS_PNG_ERROR;
    }
    png_structp png = r->png;
    png_infop info = r->info;
    int has_alpha = (r->color_type & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid(png, info, PNG_INFO_tRNS);
    if (r->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (r->color_type == PNG_COLOR_TYPE_GRAY && r->bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (r->bit_depth == 16) png_set_scale_16(png);
    if ((r->color_type & PNG_COLOR_MASK_COLOR) == 0) png_set_gray_to_rgb(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    size_t w = r->width, h = r->height;
    size_t channels = has_alpha ? 4 : 3;
    if (rowbytes != w * channels) {
        snprintf(r->message, sizeof r->message, "unexpected row size %zu after transforms", rowbytes);
        return ATLAS_PNG_ERROR;
    }
    if (!has_alpha) {
        // Rows go straight into the output; libpng handles Adam7 passes itself.
        for (int pass = 0; pass < passes; pass++) {
            for (size_t y = 0; y < h; y++) png_read_row(png, out + y * w * 3, NULL);
        }
    } else if (passes == 1) {
        r->scratch = (unsigned char *)malloc(rowbytes);
        if (r->scratch == NULL) {
            snprintf(r->message, sizeof r->message, "out of memory");
            return ATLAS_PNG_NOMEM;
        }
        for (size_t y = 0; y < h; y++) {
            png_read_row(png, r->scratch, NULL);
            atlas_png_composite_on_white(r->scratch, out + y * w * 3, w);
        }
    } else {
        // Interlaced with alpha: Adam7 needs the whole RGBA image before compositing.
        r->scratch = (unsigned char *)malloc(rowbytes * h);
        if (r->scratch == NULL) {
            snprintf(r->message, sizeof r->message, "out of memory");
            return ATLAS_PNG_NOMEM;
        }
        for (int pass = 0; pass < passes; pass++) {
            for (size_t y = 0; y < h; y++) png_read_row(png, r->scratch + y * rowbytes, NULL);
        }
        atlas_png_composite_on_white(r->scratch, out, w * h);
    }
    // Reads the trailing chunks: a file cut after IDAT or a bad CRC there is still an error.
    png_read_end(png, NULL);
    return ATLAS_PNG_OK;
}

// MARK: - Writing

typedef struct atlas_png_writer {
    png_structp png;
    png_infop info;
    unsigned char *buffer;  // output, malloc'd; caller frees with atlas_png_free
    size_t length;
    size_t capacity;
    int failed;
    char message[256];
} atlas_png_writer;

static void atlas_png_write_fn(png_structp png, png_bytep data, size_t length) {
    atlas_png_writer *w = (atlas_png_writer *)png_get_io_ptr(png);
    if (w->length + length > w->capacity) {
        size_t cap = w->capacity ? w->capacity : 4096;
        while (cap < w->length + length) cap *= 2;
        unsigned char *grown = (unsigned char *)realloc(w->buffer, cap);
        if (grown == NULL) png_error(png, "out of memory");
        w->buffer = grown;
        w->capacity = cap;
    }
    memcpy(w->buffer + w->length, data, length);
    w->length += length;
}

static void atlas_png_flush_fn(png_structp png) { (void)png; }

static void atlas_png_write_error_fn(png_structp png, png_const_charp msg) {
    atlas_png_writer *w = (atlas_png_writer *)png_get_error_ptr(png);
    if (w != NULL) snprintf(w->message, sizeof w->message, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

// Writer warnings (e.g. a tRNS longer than the palette, which libpng trims) are not printed.
static void atlas_png_write_warning_fn(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static inline void atlas_png_free(void *p) { free(p); }

/// Writes raw PNG samples: `rows` holds `height` rows of `stride` bytes in PNG's own layout
/// (sub-byte depths packed MSB first, 16-bit big-endian). `palette` is RGB triples,
/// `trns` the palette alpha bytes (palette images) and `trns_color` the transparent
/// colour (grey: [0] only; RGB: [0..2]) when `has_trns_color`.
/// On success `w->buffer`/`w->length` hold the file (free with atlas_png_free).
static inline int atlas_png_write(atlas_png_writer *w, const unsigned char *rows, size_t stride,
                                  uint32_t width, uint32_t height, int color_type, int bit_depth,
                                  int interlace, const unsigned char *palette, int palette_count,
                                  const unsigned char *trns, int trns_count, int has_trns_color,
                                  const uint16_t *trns_color, int compression_level) {
    memset(w, 0, sizeof *w);
    w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, w, atlas_png_write_error_fn, atlas_png_write_warning_fn);
    if (w->png == NULL) {
        snprintf(w->message, sizeof w->message, "out of memory");
        return ATLAS_PNG_NOMEM;
    }
    w->info = png_create_info_struct(w->png);
    if (w->info == NULL || setjmp(png_jmpbuf(w->png))) {
        if (w->info == NULL) snprintf(w->message, sizeof w->message, "out of memory");
        png_destroy_write_struct(&w->png, w->info ? &w->info : NULL);
        free(w->buffer);
        w->buffer = NULL;
        w->length = 0;
        return ATLAS_PNG_ERROR;
    }
    png_set_write_fn(w->png, w, atlas_png_write_fn, atlas_png_flush_fn);
    png_set_compression_level(w->png, compression_level);
    png_set_IHDR(w->png, w->info, width, height, bit_depth, color_type,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        for (int i = 0; i < palette_count && i < 256; i++) {
            pal[i].red = palette[3 * i];
            pal[i].green = palette[3 * i + 1];
            pal[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(w->png, w->info, pal, palette_count);
        if (trns_count > 0) png_set_tRNS(w->png, w->info, trns, trns_count, NULL);
    } else if (has_trns_color) {
        png_color_16 c;
        memset(&c, 0, sizeof c);
        c.gray = trns_color[0];
        c.red = trns_color[0];
        c.green = trns_color[1];
        c.blue = trns_color[2];
        png_set_tRNS(w->png, w->info, NULL, 0, &c);
    }
    png_write_info(w->png, w->info);
    int passes = png_set_interlace_handling(w->png);
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < height; y++) png_write_row(w->png, rows + (size_t)y * stride);
    }
    png_write_end(w->png, NULL);
    png_destroy_write_struct(&w->png, &w->info);
    return ATLAS_PNG_OK;
}

#endif
