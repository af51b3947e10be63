/*
 * siphash: SipHash-c-d (Aumasson and Bernstein) with a 128-bit key, as
 * CPython computes it for hash-based pycs (Python/pyhash.c).
 *
 * The key is two 64-bit words: k0 is key bytes 0-7 read little-endian,
 * k1 bytes 8-15.  Input bytes are read little-endian 8 at a time, so the
 * result does not depend on the host's byte order.  The 64-bit result is
 * what the paper's reference code stores little-endian as its 8-byte tag.
 *
 * Pure functions: src is borrowed for the call and may be NULL when n is 0.
 */
#ifndef ARCHIVIST_SIPHASH_H
#define ARCHIVIST_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-1-3: CPython 3.11+ _Py_KeyedHash (importlib source hashes). */
uint64_t siphash13(uint64_t k0, uint64_t k1, const void *src, size_t n);

/* SipHash-2-4: the paper's function; CPython 3.7-3.10 _Py_KeyedHash. */
uint64_t siphash24(uint64_t k0, uint64_t k1, const void *src, size_t n);

#endif
