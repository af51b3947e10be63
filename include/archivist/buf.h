/*
 * buf: the one growable buffer for strings and bytes.
 *
 * A struct buf is never NULL-pointered and always NUL-terminated, so
 * b->ptr can be passed to any function that wants a C string.  Each buffer
 * has a hard size cap (max): growing past it fails with AV_ETOOBIG and
 * leaves the buffer as it was.  On any allocation failure the buffer is
 * also left unchanged.
 *
 * Lifecycle: buf_init() (no allocation) ... buf_release() (frees the
 * contents, buffer reusable).  buf_detach() hands the memory to the caller.
 */
#ifndef ARCHIVIST_BUF_H
#define ARCHIVIST_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Default cap: large enough for any header, XML reply or manifest. */
#define BUF_MAX_DEFAULT ((size_t)64 << 20)

struct buf {
	char *ptr;	/* contents; points at a static "" until first growth */
	size_t len;	/* bytes used, not counting the terminating NUL */
	size_t cap;	/* bytes allocated (0 while ptr is the static "") */
	size_t max;	/* hard cap on len */
};

#define BUF_INIT { buf_empty_, 0, 0, BUF_MAX_DEFAULT }
extern char buf_empty_[1];

/* Initialises an empty buffer with cap max (0 means BUF_MAX_DEFAULT). */
void buf_init(struct buf *b, size_t max);
/* Frees the contents; the buffer is empty and usable again. */
void buf_release(struct buf *b);
/* buf_release after overwriting the allocated bytes (for secrets). */
void buf_wipe(struct buf *b);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Returns the contents (malloc'd, caller frees) and empties the buffer.
 * Returns NULL only on allocation failure.  *len may be NULL. */
char *buf_detach(struct buf *b, size_t *len);

/* Ensures room for extra more bytes.  0 or AV_ENOMEM / AV_ETOOBIG. */
int buf_grow(struct buf *b, size_t extra);
/* Appenders: 0 on success, else an AV_E* code and b unchanged. */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* buf_addf() into a buffer that may be NULL (then nothing happens): for
 * the optional "why" buffers that explain a refusal.  Errors are ignored:
 * the explanation is best effort, the caller's return code says what
 * happened. */
void buf_note(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Replaces the contents with s. */
int buf_sets(struct buf *b, const char *s);
/* Truncates to n bytes (n <= len). */
void buf_setlen(struct buf *b, size_t n);
/* Appends lower-case hex of n bytes. */
int buf_addhex(struct buf *b, const unsigned char *p, size_t n);

#endif
