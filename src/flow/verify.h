/*
 * verify: the deep checks of `audit --deep`, streamed, nothing spooled.
 *
 * verify_archive() reads a new-scheme object once and checks, as the
 * bytes go by: its sha256 against what it records; its zstd frame header
 * (a content checksum, a window of at most 2^27 bytes so every default
 * decoder reads it); that it decodes (libzstd verifies the XXH64); and
 * that the result is a well-formed tar, whose own sha256 it records.
 *
 * verify_source() runs a legacy object through the archive pipeline with
 * the settings the new object records, compression off, and gives the
 * sha256 of the tar that results: equal to the new archive's tar sha256
 * exactly when the new archive holds the source after the declared
 * transform.
 */
#ifndef ARCHIVIST_VERIFY_H
#define ARCHIVIST_VERIFY_H

#include <stdint.h>

#include "archivist/pipeline.h"
#include "archivist/s3.h"

#define VERIFY_MAX_WINDOW ((uint64_t)1 << 27)

struct verify_result {
	uint64_t size;			/* object bytes read */
	char sha256[65];		/* of the object */
	int frame_ok;			/* header: checksum flag, window limit */
	uint64_t window;		/* declared window (bytes) */
	int has_checksum;		/* XXH64 content checksum declared */
	uint64_t tar_size;		/* decoded bytes */
	char tar_sha256[65];		/* of the decoded tar */
	uint64_t entries;		/* tar entries */
};

/*
 * Reads bucket/key and checks it.  Returns 0 when it decodes to a valid
 * tar (the caller compares sha256 and frame_ok), AV_ECORRUPT / AV_ETRUNC /
 * AV_EUNSUPP for an object that is not a valid .tar.zst, or an S3 / I/O
 * error; all reported.
 */
int verify_archive(struct s3_client *c, const char *bucket, const char *key,
		   struct verify_result *r);

/*
 * The sha256 (hex) of the tar that the legacy object bucket/key becomes
 * under settings s (level ignored: nothing is compressed).  0, or the
 * pipeline's / S3's error (reported).
 */
int verify_source(struct s3_client *c, const char *bucket, const char *key,
		  const struct pipeline_settings *s, const char *tmpdir,
		  char tar_sha256[65]);

/* Parses a zstd frame header (the first n >= 6 bytes of a frame): 0 with
 * *window and *checksum set, or AV_ECORRUPT / AV_ETRUNC. */
int verify_zstd_header(const unsigned char *p, size_t n, uint64_t *window,
		       int *checksum);

#endif
