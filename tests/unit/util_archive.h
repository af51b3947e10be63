/* Helpers for the archive unit tests: in-memory sinks and inputs. */
#ifndef TESTS_UTIL_ARCHIVE_H
#define TESTS_UTIL_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/buf.h"
#include "archivist/sink.h"

/* A sink appending to a struct buf (ctx); cap 256 MiB. */
int util_sink_buf(void *ctx, const void *data, size_t len);
/* A sink that fails with AV_EIO. */
int util_sink_fail(void *ctx, const void *data, size_t len);
/* A sink that counts bytes into a uint64_t (ctx). */
int util_sink_count(void *ctx, const void *data, size_t len);

/* Deterministic compressible bytes (text-like), n of them, into out. */
void util_fill(struct buf *out, size_t n, uint32_t seed);

/* Runs a shell command feeding it in/inlen on stdin; stdout goes to out.
 * Returns the exit status (or -1). */
int util_pipe(const char *cmd, const void *in, size_t inlen, struct buf *out);

#endif
