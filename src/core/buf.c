/* buf: growable, capped, always NUL-terminated buffer (see buf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/buf.h"
#include "archivist/hex.h"
#include "archivist/error.h"

char buf_empty_[1];

void buf_init(struct buf *b, size_t max)
{
	b->ptr = buf_empty_;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
}

void buf_release(struct buf *b)
{
	if (b->cap)
		free(b->ptr);
	buf_init(b, b->max);
}

void buf_wipe(struct buf *b)
{
	if (b->cap)
		explicit_bzero(b->ptr, b->cap);
	buf_release(b);
}

void buf_reset(struct buf *b)
{
	buf_setlen(b, 0);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->ptr;

	if (!b->cap && !(p = calloc(1, 1)))
		return NULL;
	if (len)
		*len = b->len;
	buf_init(b, b->max);
	return p;
}

int buf_grow(struct buf *b, size_t extra)
{
	size_t want, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return AV_ETOOBIG;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < want)
		ncap = ncap > ((size_t)-1) / 2 ? want : ncap * 2;
	p = realloc(b->cap ? b->ptr : NULL, ncap);
	if (!p)
		return AV_ENOMEM;
	if (!b->cap)
		p[0] = '\0';
	b->ptr = p;
	b->cap = ncap;
	return 0;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	if ((rc = buf_grow(b, n)) != 0)
		return rc;
	memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return AV_EINVAL;
	if ((rc = buf_grow(b, (size_t)n)) != 0)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_note(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	if (!b)
		return;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

int buf_sets(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	int rc;

	if (n > b->len && (rc = buf_grow(b, n - b->len)) != 0)
		return rc;
	if (n == 0) {
		buf_setlen(b, 0);
		return 0;
	}
	memmove(b->ptr, s, n);	/* s may point into b */
	b->len = n;
	b->ptr[n] = '\0';
	return 0;
}

void buf_setlen(struct buf *b, size_t n)
{
	if (n > b->len)
		return;
	b->len = n;
	if (b->cap)
		b->ptr[n] = '\0';
}

int buf_addhex(struct buf *b, const unsigned char *p, size_t n)
{
	int rc;

	if ((rc = buf_grow(b, 2 * n)) != 0)
		return rc;
	hex_encode(p, n, b->ptr + b->len);
	b->len += 2 * n;
	return 0;
}
