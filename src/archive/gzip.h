/*
 * gzip: streaming gzip decoding (zlib), push style.
 *
 * Input arrives in pieces of any size through gzip_write(); the decoded
 * bytes go to a sink as they are produced.  Multi-member streams (`cat
 * a.gz b.gz`) decode as one stream, like gzip -d.  After the last member
 * only zero bytes may follow (gzip ignores those too); anything else is
 * reported as trailing garbage, AV_ECORRUPT.  CRC-32 and length of each
 * member are checked by zlib.
 *
 * Errors are reported (msg_error) here, naming the input and the offset.
 */
#ifndef ARCHIVIST_GZIP_H
#define ARCHIVIST_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/sink.h"

struct gzip;

/* A decoder for the input called name (copied; for messages).  Returns
 * NULL only when out of memory (reported). */
struct gzip *gzip_new(const char *name);

/* Decodes len bytes of input, writing the output to out.  0, or
 * AV_ECORRUPT (bad data, bad checksum, trailing garbage), AV_ENOMEM, or
 * the sink's error.  After an error the decoder refuses further input. */
int gzip_write(struct gzip *z, const void *data, size_t len,
	       const struct sink *out);

/* Ends the input: 0 if it ended after a complete member (or trailing
 * zeros), AV_ETRUNC if it stopped inside one or was empty. */
int gzip_finish(struct gzip *z);

/* Members decoded completely so far. */
uint64_t gzip_members(const struct gzip *z);

/* NULL-safe. */
void gzip_free(struct gzip *z);

#endif
