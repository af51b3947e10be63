/*
 * tar: reading tar archives as raw 512-byte blocks, and rebuilding an
 * entry's header blocks when its type, size or link must change.
 *
 * The reader is push style: the archive arrives in pieces of any size and
 * each complete entry is reported with its path, type, size, mtime and the
 * offsets of its blocks, so a second pass can copy every unchanged entry
 * byte for byte (its GNU ././@LongLink L/K blocks, pax x blocks, header
 * and data).  It reads GNU, ustar, pax and v7 headers: pax path, linkpath,
 * size, mtime (and GNU.sparse.name) override the header; GNU L/K long
 * names; octal and base-256 numbers; old GNU sparse extension blocks.  A
 * pax global header (g) is reported as an entry of its own (type 'g'); its
 * mtime applies to the entries after it.
 *
 * It refuses, with AV_ECORRUPT, a header with a bad checksum (at offset 0:
 * "not a tar archive"), malformed numbers or pax records, a zero block
 * followed by data, non-zero bytes after the end-of-archive marker; and,
 * with AV_ETRUNC, an archive that ends inside an entry (a size running
 * past the end) or without the two zero blocks.  Links, directories and
 * devices must have size 0 (else AV_EUNSUPP: where their data would be
 * is ambiguous between tar implementations).
 *
 * Errors are reported (msg_error) here, with the input name and offset.
 */
#ifndef ARCHIVIST_TAR_H
#define ARCHIVIST_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/tarhdr.h"

/* One entry, as reported by the reader.  Strings are borrowed: valid only
 * during the callback. */
struct tar_entry {
	const char *path;	/* pax path > GNU L > ustar prefix/name */
	const char *link;	/* pax linkpath > GNU K > ustar; "" if none */
	char type;		/* the main header's typeflag byte, as is */
	uint64_t size;		/* data bytes stored (pax size > header) */
	int64_t mtime;		/* seconds: pax mtime (x, then g) truncated
				   toward zero as int(st_mtime), else the
				   header's */
	uint64_t start;		/* offset of the entry's first block */
	uint64_t header;	/* offset of its main header block */
	uint64_t data;		/* offset of its data */
	uint64_t end;		/* offset just after its padded data */
};

/* Called for each entry; a non-zero return stops the reader with it. */
typedef int (*tar_entry_fn)(void *ctx, const struct tar_entry *e);

/* Where the entries end, once the whole archive was read. */
struct tar_end {
	uint64_t entries_end;	/* offset of the first zero block */
	uint64_t size;		/* total bytes, trailer included */
	uint64_t entries;	/* entries reported */
};

struct tar_reader;

/* A reader for the archive called name (copied, for messages) calling
 * fn(ctx, entry).  NULL only when out of memory. */
struct tar_reader *tar_reader_new(const char *name, tar_entry_fn fn,
				  void *ctx);

/* Reads len more bytes.  0, or AV_ECORRUPT, AV_EUNSUPP, AV_ETOOBIG,
 * AV_ENOMEM, or the callback's code.  Refuses input after an error. */
int tar_reader_write(struct tar_reader *r, const void *data, size_t len);

/* Ends the input; fills *end.  0 or AV_ETRUNC (or an earlier error). */
int tar_reader_finish(struct tar_reader *r, struct tar_end *end);

/* NULL-safe. */
void tar_reader_free(struct tar_reader *r);

#endif
