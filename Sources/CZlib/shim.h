#include <zlib.h>

// zlib's inflateInit2 is a macro (it passes the version and stream size); Swift cannot call macros.
static inline int atlasqa_inflate_init_gzip(z_stream *stream) {
    // 15 window bits + 16: a gzip header and trailer are expected and checked.
    return inflateInit2(stream, 15 + 16);
}
