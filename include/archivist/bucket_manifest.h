/*
 * bucket_manifest: the manifest of what a bucket holds in the new scheme,
 * made and stored -- the work of `archivist manifest`, and of `migrate
 * --manifest` when a migration is done.
 *
 * One scan of the bucket prefix (scan.h: a listing, a HEAD per artifact),
 * rendered as JSON or TOML (manifest.h), then written to a file
 * atomically (atomicfile.h) or to stdout, and/or stored at an S3 key,
 * replacing only the version read at the start (If-Match on its ETag;
 * If-None-Match: * when there was none).  Nothing is written when an
 * artifact failed.
 */
#ifndef ARCHIVIST_BUCKET_MANIFEST_H
#define ARCHIVIST_BUCKET_MANIFEST_H

#include <time.h>

#include "archivist/session.h"

/* Borrowed for the call. */
struct bucket_manifest_opts {
	const char *bucket;		/* scanned */
	const char *prefix;		/* "" or ending in '/' */
	int toml;			/* 0: JSON */
	const char *output;		/* file; "-" or NULL: stdout (NULL and
					   an upload: nothing local) */
	const char *upload_bucket;	/* store it here too; NULL: not */
	const char *upload_key;
	const char *upload;		/* the upload as the user wrote it */
	const char *base_url;		/* of artifact URLs; NULL: config's */
	const char *version_glob;	/* NULL: every version */
	int compute_missing;		/* hash objects that record no sha256 */
	int jobs;			/* HEADs at once; 0: 8 (HEADs are
					   latency-bound, not CPU-bound) */
	time_t now;			/* generated_at (manifest_time) */
};

/*
 * Scans, renders, writes and uploads with the session's configuration and
 * client.  0; AV_EIO when an artifact failed (reported, nothing written);
 * AV_ECONFLICT when the upload key changed since it was read (reported,
 * left untouched); or the error of a request or a write (reported).
 */
int bucket_manifest_run(const struct session *s,
			const struct bucket_manifest_opts *o);

#endif
