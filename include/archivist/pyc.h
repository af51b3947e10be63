/*
 * pyc: rewriting CPython bytecode-cache headers (PEP 552) and naming the
 * optimisation-level caches to drop (PEP 488).
 *
 * Pure functions on bytes: the tar rewriter finds each pyc and its source
 * and asks this module what to do with the pyc's 16-byte header.
 *
 * Header (3.7+): magic (4, little-endian uint16 + "\r\n") | flags (4) |
 * either mtime (4) + source size (4) [flags 0] or SipHash of the source
 * (8) [flags bit 0; bit 1 = check_source].
 *
 * The source hash is importlib.util.source_hash: SipHash keyed with
 * k0 = the 4 magic bytes as a little-endian integer, k1 = 0, over the raw
 * .py bytes, stored little-endian; SipHash-2-4 for 3.7-3.10 and SipHash-1-3
 * for 3.11+ (see siphash.h).
 */
#ifndef ARCHIVIST_PYC_H
#define ARCHIVIST_PYC_H

#include <stddef.h>
#include <stdint.h>

#define PYC_HEADER_SIZE 16

enum pyc_mode {
	PYC_KEEP = 0,		/* leave every pyc as it is */
	PYC_UNCHECKED_HASH,	/* flags 1: hash recorded, never checked */
	PYC_CHECKED_HASH	/* flags 3: hash checked against the source */
};

/* What pyc_rewrite_header decided, for the counts in the report.
 * Append-only. */
enum pyc_verdict {
	PYC_REWRITTEN = 0,	/* header replaced */
	PYC_ALREADY_HASH,	/* already hash-based: left */
	PYC_STALE,		/* mtime/size do not match the source: left */
	PYC_UNKNOWN_MAGIC,	/* not a 3.7-3.14 final release: left */
	PYC_TOO_SHORT,		/* fewer than 16 bytes: left */
	PYC_MODE_KEEP,		/* mode is PYC_KEEP: left */
	PYC_BAD_FLAGS,		/* flags not 0, 1 or 3 (CPython rejects such a
				 * pyc and recompiles): left */
	PYC_NO_SOURCE,		/* never returned here: for callers that find
				 * no .py for a pyc (a sourceless pyc): left */
	PYC_VERDICT_COUNT
};

/* "rewritten", "already-hash", "stale", "unknown-magic", "too-short",
 * "keep", "bad-flags", "no-source"; "?" out of range.  Never NULL. */
const char *pyc_verdict_name(enum pyc_verdict v);

/* Parses "unchecked-hash", "checked-hash", "keep".  0 or AV_EINVAL (*out
 * untouched; nothing printed: the caller names the option). */
int pyc_mode_parse(const char *s, enum pyc_mode *out);
/* The name pyc_mode_parse accepts; "?" out of range.  Never NULL. */
const char *pyc_mode_name(enum pyc_mode m);

/*
 * importlib.util.source_hash for the interpreter whose magic number is
 * given (the first two header bytes, little-endian).  Writes 8 bytes to
 * out.  src may be NULL when n is 0.  Returns 0, or AV_EUNSUPP for a
 * magic outside the supported final releases (out untouched).
 */
int pyc_source_hash(uint16_t magic, const void *src, size_t n,
		    unsigned char out[8]);

/*
 * Decides and, when it applies, rewrites hdr (the pyc's first
 * min(pyclen, 16) bytes; nothing is read when pyclen < 16) in place.
 * pyclen is the whole pyc's length.  src/srclen is the .py's content
 * (src may be NULL when srclen is 0), src_mtime its tar mtime in whole
 * seconds (truncated toward zero, as CPython's int(st_mtime)).  The pyc
 * is fresh when its mtime and size fields equal src_mtime and srclen
 * modulo 2^32, as CPython checks them.  Only bytes 4-15 ever change, and
 * only when PYC_REWRITTEN is returned; the rest of the pyc never does.
 * Checks in order: mode, length, magic, flags, freshness.
 */
enum pyc_verdict pyc_rewrite_header(unsigned char *hdr, size_t pyclen,
				    const void *src, size_t srclen,
				    int64_t src_mtime, enum pyc_mode mode);

/*
 * For a pyc path inside an archive ("lib/python3.11/x/__pycache__/
 * mod.cpython-311.pyc"): 1 if it is an optimisation-level cache
 * ("NAME.TAG.opt-1.pyc" or "NAME.TAG.opt-2.pyc" directly in a
 * __pycache__ directory) to drop, else 0.  path is borrowed.
 */
int pyc_is_opt_cache(const char *path);

/*
 * The source path of a __pycache__ pyc, the inverse of CPython's
 * cache_from_source: "a/__pycache__/m.cpython-311.pyc" -> "a/m.py",
 * "a/__pycache__/foo.bar.cpython-311.opt-1.pyc" -> "a/foo.bar.py"
 * (appended to out).  0 on success, AV_EINVAL when path is not a PEP 3147
 * cache name (no tag, not directly in __pycache__, empty name, bad opt
 * level), AV_ENOMEM/AV_ETOOBIG from out; on any error out is unchanged.
 */
struct buf;
int pyc_source_path(const char *path, struct buf *out);

#endif
