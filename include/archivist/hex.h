/*
 * hex: bytes as lower-case hexadecimal digits (sha256 sums, signatures),
 * and back one digit at a time (percent-decoding).
 */
#ifndef ARCHIVIST_HEX_H
#define ARCHIVIST_HEX_H

#include <stddef.h>

/* The n bytes of in as 2n lower-case hex digits and a NUL, into out
 * (2n + 1 bytes: char[65] for a sha256). */
void hex_encode(const void *in, size_t n, char *out);

/* 1 if s is exactly n hex digits (lower-case only unless any_case). */
int hex_is(const char *s, size_t n, int any_case);

/* The value of hex digit c (either case), or -1. */
int hex_value(char c);

#endif
