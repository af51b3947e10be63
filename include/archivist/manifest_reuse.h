/*
 * manifest_reuse: the checksums of an earlier JSON manifest, for the
 * objects that have not changed since.
 *
 * A nightly manifest of a bucket whose objects were uploaded by other
 * tools (no recorded sha256) would read every object every night.  The
 * manifest from the night before already holds their sha256s: an entry is
 * reused for an object whose key, size and ETag are all the same as the
 * entry records (an object replaced since has another ETag).  Entries
 * without an ETag (manifests of earlier versions) are never reused.
 *
 * Pure: the manifest's bytes are passed in.  Lookups borrow from the
 * index, valid until manifest_reuse_release.
 */
#ifndef ARCHIVIST_MANIFEST_REUSE_H
#define ARCHIVIST_MANIFEST_REUSE_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/buf.h"

struct manifest_reuse_entry {
	char *key;		/* full key in the bucket */
	uint64_t size;
	char *etag;		/* without quotes */
	char sha256[65];	/* lower-case hex */
};

struct manifest_reuse {
	struct manifest_reuse_entry *e;	/* sorted by key */
	size_t n;
	size_t skipped;		/* artifacts without an ETag or a sha256 */
};

/*
 * Reads the "artifacts" of a JSON manifest (n bytes of data; origin names
 * it in messages) into r.  Returns 0; AV_EINVAL when it is not a JSON
 * manifest archivist wrote (schema_version 1, artifacts with key, size,
 * checksum "sha256:HEX"), with the reason in why; AV_ENOMEM.  Release r
 * in every case.
 */
int manifest_reuse_load(struct manifest_reuse *r, const char *data, size_t n,
			const char *origin, struct buf *why);
void manifest_reuse_release(struct manifest_reuse *r);

/*
 * The recorded sha256 of key when the entry's size and ETag (quotes
 * ignored) are size and etag, else NULL.
 */
const char *manifest_reuse_find(const struct manifest_reuse *r, const char *key,
				uint64_t size, const char *etag);

#endif
