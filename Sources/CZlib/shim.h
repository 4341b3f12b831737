// zlib (Debian's zlib1g-dev; pkg-config zlib), plus a function for inflateInit2, a macro that Swift
// cannot import. FulcrumCore's IDX reader is its only user.
#include <zlib.h>

// Starts `stream` on gzip data only (windowBits 15 + 16: a gzip header and trailer, no zlib or raw
// deflate), so a file that is not gzip fails at its first bytes instead of being misread.
static inline int fulcrum_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
