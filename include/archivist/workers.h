/*
 * workers: runs fn(ctx, i) for i in 0..n-1 on up to `jobs` threads, each
 * taking the next index as it frees up (archives, objects and parts
 * differ in size, so no static split).  The one thread pool: migrate's
 * archives, the HEADs of a bucket scan and the parts of a multipart
 * upload all run here; the modules they call have no threads of their
 * own (libzstd's workers aside).
 */
#ifndef ARCHIVIST_WORKERS_H
#define ARCHIVIST_WORKERS_H

#include <stddef.h>

/* fn's return value is not interpreted; callers record results in ctx.
 * fn must be thread-safe for distinct i. */
typedef void (*workers_fn)(void *ctx, size_t i);

/*
 * Runs all n calls, jobs at a time (jobs < 1 counts as 1; with 1, or if a
 * thread cannot be started, the calls run in the caller's thread).
 * Returns when every call has returned.  Never fails.
 */
void workers_run(size_t n, int jobs, workers_fn fn, void *ctx);

#endif
