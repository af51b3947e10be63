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

/* What pyc_rewrite_header decided, for the counts in the report. */
enum pyc_verdict {
	PYC_REWRITTEN = 0,	/* header replaced */
	PYC_ALREADY_HASH,	/* already hash-based: left */
	PYC_STALE,		/* mtime/size do not match the source: left */
	PYC_UNKNOWN_MAGIC,	/* not a 3.7-3.14 final release: left */
	PYC_TOO_SHORT,		/* fewer than 16 bytes: left */
	PYC_MODE_KEEP,		/* mode is PYC_KEEP: left */
	PYC_VERDICT_COUNT
};

/* "rewritten", "stale", ...; never NULL. */
const char *pyc_verdict_name(enum pyc_verdict v);

/* Parses "unchecked-hash", "checked-hash", "keep".  0 or AV_EINVAL. */
int pyc_mode_parse(const char *s, enum pyc_mode *out);
const char *pyc_mode_name(enum pyc_mode m);

/* SipHash-1-3 / SipHash-2-4 with a 128-bit key (k0, k1), as CPython. */
uint64_t pyc_siphash13(uint64_t k0, uint64_t k1, const void *src, size_t n);
uint64_t pyc_siphash24(uint64_t k0, uint64_t k1, const void *src, size_t n);

/*
 * importlib.util.source_hash for the interpreter whose magic number is
 * given (the first two header bytes, little-endian).  Writes 8 bytes.
 * Returns 0, or AV_EUNSUPP for a magic outside the supported releases.
 */
int pyc_source_hash(uint16_t magic, const void *src, size_t n,
		    unsigned char out[8]);

/*
 * Decides and, when it applies, rewrites hdr (the pyc's first 16 bytes)
 * in place.  src/srclen is the .py's content, src_mtime its tar mtime
 * (seconds) and srclen its size.  The rest of the pyc is never changed.
 */
enum pyc_verdict pyc_rewrite_header(unsigned char *hdr, size_t pyclen,
				    const void *src, size_t srclen,
				    int64_t src_mtime, enum pyc_mode mode);

/*
 * For a pyc path inside an archive ("lib/python3.11/x/__pycache__/
 * mod.cpython-311.pyc"): 1 if it is an optimisation-level cache
 * (".opt-1.pyc", ".opt-2.pyc" under __pycache__) to drop, else 0.
 */
int pyc_is_opt_cache(const char *path);

/*
 * The source path of a __pycache__ pyc: "a/__pycache__/m.cpython-311.pyc"
 * -> "a/m.py" (appended to out).  0 on success, AV_EINVAL when path is not
 * a PEP 3147 cache name.
 */
struct buf;
int pyc_source_path(const char *path, struct buf *out);

#endif
