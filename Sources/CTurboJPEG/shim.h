// TurboJPEG (libjpeg-turbo 2.1, the TJ2 API: tjDecompressHeader3 / tjDecompress2 /
// tjCompress2). TurboJPEG catches libjpeg's longjmp errors itself and returns -1,
// so Swift can call it directly; only pixel loops that would be slow in Swift live here.
#ifndef ATLAS_CTURBOJPEG_SHIM_H
#define ATLAS_CTURBOJPEG_SHIM_H

#include <stddef.h>
#include <turbojpeg.h>

/// Converts TurboJPEG's (Adobe-style, inverted) CMYK pixels to RGB: R = C·K/255, etc.
static inline void atlas_cmyk_to_rgb(const unsigned char *in, unsigned char *out, size_t count) {
    for (size_t i = 0; i < count; i++) {
        unsigned k = in[4 * i + 3];
        out[3 * i] = (unsigned char)((in[4 * i] * k + 127u) / 255u);
        out[3 * i + 1] = (unsigned char)((in[4 * i + 1] * k + 127u) / 255u);
        out[3 * i + 2] = (unsigned char)((in[4 * i + 2] * k + 127u) / 255u);
    }
}

/// The inverse of atlas_cmyk_to_rgb with K = max(R, G, B) (used to write CMYK JPEGs in tests).
static inline void atlas_rgb_to_cmyk(const unsigned char *in, unsigned char *out, size_t count) {
    for (size_t i = 0; i < count; i++) {
        unsigned r = in[3 * i], g = in[3 * i + 1], b = in[3 * i + 2];
        unsigned k = r > g ? (r > b ? r : b) : (g > b ? g : b);
        out[4 * i] = k ? (unsigned char)((r * 255u + k / 2) / k) : 0;
        out[4 * i + 1] = k ? (unsigned char)((g * 255u + k / 2) / k) : 0;
        out[4 * i + 2] = k ? (unsigned char)((b * 255u + k / 2) / k) : 0;
        out[4 * i + 3] = (unsigned char)k;
    }
}

#endif
