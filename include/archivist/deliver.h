/*
 * deliver: the last steps shared by publish and migrate: make a finished
 * archive (a temporary file) into an S3 object without ever replacing
 * one, then check that what S3 holds is what was made.
 *
 * The upload is conditional (If-None-Match: *).  When the key already
 * holds the same archive, that counts as done: the same bytes (same
 * sha256), or the same content by its record (provenance.h: the same
 * source, settings and tar, in another zstd layout) -- a rerun or a
 * racing run that made the same archive lands here.  Other content is a
 * conflict: left untouched.  After a successful upload, HEAD must show
 * the same size and sha256.
 */
#ifndef ARCHIVIST_DELIVER_H
#define ARCHIVIST_DELIVER_H

#include <stdint.h>

#include "archivist/progress.h"
#include "archivist/s3.h"

enum deliver_result {
	DELIVER_CREATED = 0,	/* uploaded and verified */
	DELIVER_IDENTICAL,	/* the same archive was already there */
	DELIVER_CONFLICT	/* another object is there: left untouched */
};

/* "created", "identical", "conflict". */
const char *deliver_result_name(enum deliver_result r);

/* What to upload; everything borrowed for the call. */
struct deliver_item {
	const char *bucket, *key;
	int fd;				/* the archive, read from offset 0 */
	uint64_t size;
	const unsigned char *sha256;	/* 32 bytes, of the archive */
	const struct s3_meta *meta;	/* x-amz-meta-* to record: its
					   provenance (provenance.h) */
	size_t nmeta;
	struct progress *progress;	/* NULL: none */
	const char *if_match;		/* replace only the object with this
					   ETag (publish --replace); NULL:
					   never replace */
};

/*
 * Uploads and verifies.  Returns 0 with *res set (created / identical /
 * conflict: a conflict is reported by the S3 layer, not an error here;
 * with it->if_match, a conflict means the object changed or vanished
 * since that ETag was read and is not reported: the caller says so),
 * or an AV_E* code, reported (AV_ECHECKSUM when the object read back does
 * not match what was sent).
 */
int deliver_archive(struct s3_client *c, const struct deliver_item *it,
		    enum deliver_result *res);

/*
 * Checks with HEAD that bucket/key has size bytes and records sha256_hex.
 * 0, or AV_ECHECKSUM / AV_ENOTFOUND / another code, reported.
 */
int deliver_verify(struct s3_client *c, const char *bucket, const char *key,
		   uint64_t size, const char *sha256_hex);

/* A temporary file for an archive being made: created in dir (NULL:
 * $TMPDIR or /tmp), already unlinked, open read-write.  fd or -1
 * (reported). */
int deliver_tmpfile(const char *dir);

#endif
