/*
 * pyc: PEP 552 header rewriting and PEP 3147/488 cache names (see pyc.h).
 *
 * The freshness test and the hash follow CPython's importlib
 * (_validate_timestamp_pyc, source_hash), so a pyc rewritten here is one
 * the interpreter would have written itself with
 * py_compile.compile(invalidation_mode=...).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/pyc.h"
#include "siphash.h"

#define PYC_FLAG_HASH	1u	/* hash-based */
#define PYC_FLAG_CHECK	2u	/* check_source */

/* Final-release magic numbers and the SipHash variant of each release. */
static const struct {
	uint16_t magic;
	unsigned char siphash13;	/* 1: SipHash-1-3, 0: SipHash-2-4 */
} pyc_releases[] = {
	{ 3394, 0 },	/* 3.7 */
	{ 3413, 0 },	/* 3.8 */
	{ 3425, 0 },	/* 3.9 */
	{ 3439, 0 },	/* 3.10 */
	{ 3495, 1 },	/* 3.11: _Py_KeyedHash moved to SipHash-1-3 */
	{ 3531, 1 },	/* 3.12 */
	{ 3571, 1 },	/* 3.13 */
	{ 3627, 1 },	/* 3.14 */
};

static const char *const verdict_names[PYC_VERDICT_COUNT] = {
	[PYC_REWRITTEN] = "rewritten",
	[PYC_ALREADY_HASH] = "already-hash",
	[PYC_STALE] = "stale",
	[PYC_UNKNOWN_MAGIC] = "unknown-magic",
	[PYC_TOO_SHORT] = "too-short",
	[PYC_MODE_KEEP] = "keep",
	[PYC_BAD_FLAGS] = "bad-flags",
	[PYC_NO_SOURCE] = "no-source",
};

static const char *const mode_names[] = {
	[PYC_KEEP] = "keep",
	[PYC_UNCHECKED_HASH] = "unchecked-hash",
	[PYC_CHECKED_HASH] = "checked-hash",
};

#define MODE_COUNT (sizeof(mode_names) / sizeof(mode_names[0]))

const char *pyc_verdict_name(enum pyc_verdict v)
{
	if ((unsigned)v >= PYC_VERDICT_COUNT)
		return "?";
	return verdict_names[v];
}

int pyc_mode_parse(const char *s, enum pyc_mode *out)
{
	size_t i;

	for (i = 0; s && i < MODE_COUNT; i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum pyc_mode)i;
			return 0;
		}
	}
	return AV_EINVAL;
}

const char *pyc_mode_name(enum pyc_mode m)
{
	if ((unsigned)m >= MODE_COUNT)
		return "?";
	return mode_names[m];
}

/* Index into pyc_releases, or -1. */
static int release_find(uint16_t magic)
{
	size_t i;

	for (i = 0; i < sizeof(pyc_releases) / sizeof(pyc_releases[0]); i++)
		if (pyc_releases[i].magic == magic)
			return (int)i;
	return -1;
}

static uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void store_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

int pyc_source_hash(uint16_t magic, const void *src, size_t n,
		    unsigned char out[8])
{
	/* k0 is the whole 4-byte magic: number | '\r' << 16 | '\n' << 24. */
	uint64_t k0 = (uint64_t)magic | (uint64_t)'\r' << 16 |
		      (uint64_t)'\n' << 24;
	int r = release_find(magic);

	if (r < 0)
		return AV_EUNSUPP;
	store_le(out, pyc_releases[r].siphash13 ? siphash13(k0, 0, src, n)
						: siphash24(k0, 0, src, n), 8);
	return 0;
}

enum pyc_verdict pyc_rewrite_header(unsigned char *hdr, size_t pyclen,
				    const void *src, size_t srclen,
				    int64_t src_mtime, enum pyc_mode mode)
{
	uint16_t magic;
	uint32_t flags;
	unsigned char hash[8];

	if (mode == PYC_KEEP)
		return PYC_MODE_KEEP;
	if (pyclen < PYC_HEADER_SIZE)
		return PYC_TOO_SHORT;
	magic = (uint16_t)(hdr[0] | hdr[1] << 8);
	if (hdr[2] != '\r' || hdr[3] != '\n' || release_find(magic) < 0)
		return PYC_UNKNOWN_MAGIC;
	flags = load_le32(hdr + 4);
	if (flags & ~(PYC_FLAG_HASH | PYC_FLAG_CHECK) || flags == PYC_FLAG_CHECK)
		return PYC_BAD_FLAGS;
	if (flags & PYC_FLAG_HASH)
		return PYC_ALREADY_HASH;
	/* CPython compares int(st_mtime) & 0xFFFFFFFF and
	 * st_size & 0xFFFFFFFF: the conversions below are that modulo. */
	if (load_le32(hdr + 8) != (uint32_t)(uint64_t)src_mtime ||
	    load_le32(hdr + 12) != (uint32_t)srclen)
		return PYC_STALE;
	pyc_source_hash(magic, src, srclen, hash);
	flags = mode == PYC_CHECKED_HASH ? PYC_FLAG_HASH | PYC_FLAG_CHECK
					 : PYC_FLAG_HASH;
	store_le(hdr + 4, flags, 4);
	memcpy(hdr + 8, hash, 8);
	return PYC_REWRITTEN;
}

/* A parsed PEP 3147 cache path: dir/__pycache__/NAME.TAG[.opt-N].pyc. */
struct cache_name {
	size_t head_len;	/* bytes of "dir/" before __pycache__ */
	const char *name;	/* NAME, name_len bytes */
	size_t name_len;
	const char *opt;	/* N, opt_len bytes; NULL without .opt-N */
	size_t opt_len;
};

/* Start of the last dot-separated component of s[0..n), or NULL. */
static const char *last_dot(const char *s, size_t n)
{
	while (n-- > 0)
		if (s[n] == '.')
			return s + n;
	return NULL;
}

static int all_alnum(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	while (n-- > 0)
		if (!isalnum((unsigned char)s[n]))
			return 0;
	return 1;
}

/* Splits "NAME.TAG[.opt-N]" (the base name without ".pyc").  0 or -1. */
static int cache_split_stem(const char *stem, size_t n, struct cache_name *c)
{
	const char *dot = last_dot(stem, n);

	c->opt = NULL;
	c->opt_len = 0;
	if (dot && strncmp(dot + 1, "opt-", 4) == 0) {
		/* A last component that looks like an opt level must be one:
		 * CPython accepts only alphanumeric levels. */
		c->opt = dot + 5;
		c->opt_len = (size_t)(stem + n - c->opt);
		if (!all_alnum(c->opt, c->opt_len))
			return -1;
		n = (size_t)(dot - stem);
		dot = last_dot(stem, n);
	}
	/* The tag (after the dot) and the name (before it) are non-empty. */
	if (!dot || dot == stem || dot + 1 == stem + n)
		return -1;
	c->name = stem;
	c->name_len = (size_t)(dot - stem);
	return 0;
}

static int cache_parse(const char *path, struct cache_name *c)
{
	static const char pycache[] = "__pycache__";
	const size_t plen = sizeof(pycache) - 1;
	const char *base = strrchr(path, '/');
	size_t blen, dir_end;

	if (!base)
		return -1;
	base++;
	blen = strlen(base);
	if (blen < 4 || strcmp(base + blen - 4, ".pyc") != 0)
		return -1;
	/* The parent component is exactly __pycache__. */
	dir_end = (size_t)(base - 1 - path);
	if (dir_end < plen || memcmp(path + dir_end - plen, pycache, plen) != 0)
		return -1;
	c->head_len = dir_end - plen;
	if (c->head_len > 0 && path[c->head_len - 1] != '/')
		return -1;
	return cache_split_stem(base, blen - 4, c);
}

int pyc_is_opt_cache(const char *path)
{
	struct cache_name c;

	if (!path || cache_parse(path, &c) != 0 || c.opt_len != 1)
		return 0;
	return c.opt[0] == '1' || c.opt[0] == '2';
}

int pyc_source_path(const char *path, struct buf *out)
{
	struct cache_name c;
	int rc;

	if (!path || cache_parse(path, &c) != 0)
		return AV_EINVAL;
	/* Grow once so the appends below cannot fail half-way. */
	if (c.head_len > SIZE_MAX - 3 - c.name_len)
		return AV_ETOOBIG;
	if ((rc = buf_grow(out, c.head_len + c.name_len + 3)) != 0)
		return rc;
	buf_add(out, path, c.head_len);
	buf_add(out, c.name, c.name_len);
	buf_add(out, ".py", 3);
	return 0;
}
