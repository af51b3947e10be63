/*
 * tarhdr: the fields of tar header blocks and pax records, and rebuilding
 * an entry's header blocks when its type, size or link target changes.
 * Pure functions on bytes; the reader (tar.h) and the rewriter use them.
 */
#ifndef ARCHIVIST_TARHDR_H
#define ARCHIVIST_TARHDR_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/buf.h"

#define TAR_BLOCK 512
#define TAR_RECORD 10240	/* GNU tar and Python pad archives to this */
#define TAR_META_MAX ((size_t)1 << 20)	/* L/K/x blocks of one entry */

/* Bytes of n rounded up to whole blocks. */
#define TAR_PAD(n) (((n) + (TAR_BLOCK - 1)) / TAR_BLOCK * TAR_BLOCK)

/* Field offsets in a header block (POSIX ustar; GNU shares them). */
#define TAR_F_NAME 0		/* 100 bytes */
#define TAR_F_MODE 100
#define TAR_F_UID 108
#define TAR_F_GID 116
#define TAR_F_SIZE 124		/* 12 bytes */
#define TAR_F_MTIME 136		/* 12 bytes */
#define TAR_F_CHKSUM 148	/* 8 bytes */
#define TAR_F_TYPE 156
#define TAR_F_LINK 157		/* 100 bytes */
#define TAR_F_MAGIC 257		/* "ustar\0" (POSIX) or "ustar  \0" (GNU) */
#define TAR_F_UNAME 265
#define TAR_F_GNAME 297
#define TAR_F_PREFIX 345	/* 155 bytes, POSIX magic only */
#define TAR_F_GNU_ISEXT 482	/* old GNU sparse: more sparse blocks follow */
#define TAR_F_EXT_ISEXT 504	/* the same flag in a sparse extension block */

/* The largest value an octal field of n bytes holds (n - 1 digits). */
#define TAR_OCTAL_MAX(n) (((uint64_t)1 << (3 * ((n) - 1))) - 1)

/* 1 for the typeflags of regular files ('0', '\0', '7'). */
int tar_type_is_regular(char type);

/* Numeric field (octal, or GNU base-256 when the high bit is set).
 * 0 or AV_EINVAL (bad digit, overflow). */
int tar_parse_number(const unsigned char *field, size_t n, int64_t *out);

/* Writes v into a numeric field: octal (n - 1 digits and a NUL) when it
 * fits, else base-256. */
void tar_set_number(unsigned char *field, size_t n, uint64_t v);

/* 1 if the header's checksum field matches its bytes (unsigned or, as
 * some old writers did, signed sum). */
int tar_checksum_ok(const unsigned char block[TAR_BLOCK]);

/* Recomputes and stores a header's checksum. */
void tar_set_checksum(unsigned char block[TAR_BLOCK]);

/* 1 if the block is all zeros (an end-of-archive block). */
int tar_block_is_zero(const unsigned char block[TAR_BLOCK]);

/* The data size after an L/K/x/g header block, at most TAR_META_MAX.
 * 0 or AV_ECORRUPT. */
int tar_group_size(const unsigned char block[TAR_BLOCK], uint64_t *size);

/* One pax record, pointing into the block's data (borrowed). */
struct tar_pax_rec {
	const char *key, *val;
	size_t klen, vlen;
	const unsigned char *rec;	/* the whole "LEN key=value\n" */
	size_t reclen;
};

/* The record at *pos of the n bytes of pax data p, advancing *pos.
 * 1 with *rec set, 0 at the end (trailing NULs allowed), -1 if
 * malformed. */
int tar_pax_next(const unsigned char *p, size_t n, size_t *pos,
		 struct tar_pax_rec *rec);

/* Appends one pax record "LEN key=value\n".  0 or AV_E*. */
int tar_pax_add(struct buf *out, const char *key, const void *val,
		size_t vlen);

/* What tar_rebuild changes in an entry's header. */
struct tar_rebuild {
	char type;		/* new typeflag */
	uint64_t size;		/* new data size */
	const char *link;	/* new link target, or NULL for none */
};

/*
 * Rebuilds an entry's header blocks: meta is the entry's blocks from its
 * start through its main header (len bytes: the L/K/x groups, then the
 * header).  Appends to out the same blocks with the typeflag, size and
 * link target replaced: L groups and all other pax records are kept; K
 * groups and pax linkpath/size are dropped and written again only when
 * needed (a link over 100 bytes: pax linkpath if the entry had pax
 * records, else a GNU K group; a size over 8 GiB: pax size or base-256).
 * Returns 0, AV_ECORRUPT (meta is not such blocks) or AV_ENOMEM.
 */
int tar_rebuild(const unsigned char *meta, size_t len,
		const struct tar_rebuild *how, struct buf *out);

#endif
