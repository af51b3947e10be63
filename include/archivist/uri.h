/*
 * uri: percent-encoding as RFC 3986 and SigV4 want it: every byte but the
 * unreserved A-Z a-z 0-9 - . _ ~ (and '/' when kept) as %XX, upper-case.
 * Used for signed request paths and queries, public artifact URLs and
 * keys stored in object metadata.
 */
#ifndef ARCHIVIST_URI_H
#define ARCHIVIST_URI_H

#include <stddef.h>

#include "archivist/buf.h"

/* Appends n bytes of s, encoded, to out.  0 or AV_ENOMEM / AV_ETOOBIG. */
int uri_encode(struct buf *out, const char *s, size_t n, int keep_slash);

/* Appends the decoding of n bytes of s to out ('+' stays '+').  0,
 * AV_EINVAL (a '%' not followed by two hex digits, or a NUL byte,
 * encoded or not; out may then hold a partial result), AV_ENOMEM /
 * AV_ETOOBIG. */
int uri_decode(struct buf *out, const char *s, size_t n);

#endif
