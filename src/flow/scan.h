/*
 * scan: the new-scheme artifacts under a bucket prefix, with what S3 says
 * of each (size, ETag, sha256, the legacy source it was made from).
 *
 * One listing (ListObjectsV2, all pages), the keys parsed with the
 * configuration's new template, then one HEAD per artifact, several at a
 * time.  Keys matching no template (legacy archives, manifests, anything
 * else) are counted and ignored; keys that match the new template but do
 * not parse (bad version, unknown target) are reported as warnings and
 * left out.  The legacy source comes from the metadata migrate records
 * (provenance.h).
 *
 * Each sha256 comes from the first of: the object's x-amz-meta-sha256
 * (archivist records it), its x-amz-checksum-sha256 when S3 says it is
 * FULL_OBJECT, the earlier manifest given as reuse when the key, size and
 * ETag are unchanged (manifest_reuse.h), else, with compute_missing,
 * reading and hashing the object (GET with If-Match on the ETag just
 * seen).  The item says which.
 *
 * Errors of S3 operations are reported by the s3 module; this one reports
 * skipped keys and vanished objects.
 */
#ifndef ARCHIVIST_SCAN_H
#define ARCHIVIST_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/config.h"
#include "archivist/manifest_reuse.h"
#include "archivist/naming.h"
#include "archivist/s3.h"

struct scan_opts {
	const char *bucket;
	const char *prefix;		/* "" or a prefix ending in '/' */
	const char *version_glob;	/* NULL: every version */
	int jobs;			/* requests at once; < 1 means 1 */
	int compute_missing;		/* hash objects that record no sha256 */
	int include_retired;		/* 0: leave out artifacts that serve
					   only retired stacks (not HEADed) */
	const struct manifest_reuse *reuse;	/* an earlier manifest, or NULL */
	int final_only;			/* leave out pre-releases (3.13.0rc1) */
};

enum scan_sha_source {
	SCAN_SHA_NONE = 0,
	SCAN_SHA_METADATA,	/* x-amz-meta-sha256 */
	SCAN_SHA_CHECKSUM,	/* x-amz-checksum-sha256, FULL_OBJECT */
	SCAN_SHA_REUSED,	/* the earlier manifest */
	SCAN_SHA_COMPUTED,	/* read and hashed here */
	SCAN_SHA_NSOURCES
};

/* "none", "metadata", "x-amz-checksum-sha256", "reused", "computed". */
const char *scan_sha_source_name(enum scan_sha_source s);

enum scan_state {
	SCAN_OK = 0,		/* size and sha256 known */
	SCAN_NO_SHA256,		/* the object records no sha256 (not computed) */
	SCAN_GONE,		/* deleted between the listing and HEAD (warned) */
	SCAN_FAILED		/* HEAD or GET failed (reported) */
};

struct scan_item {
	char *key;			/* full key */
	struct naming_artifact name;	/* its parse (status NAMING_OK) */
	enum scan_state state;
	uint64_t size;
	char *etag;			/* quotes included; NULL until HEAD */
	char sha256[65];		/* lower-case hex; "" if unknown */
	enum scan_sha_source source;	/* where sha256 came from */
	char *legacy_key;		/* recorded legacy source, or NULL */
	int64_t legacy_size;		/* -1: not recorded */
	char legacy_sha256[65];		/* "": not recorded */
};

struct scan_result {
	struct scan_item *items;	/* artifacts, in listing (key) order */
	size_t n;
	size_t listed;			/* keys listed under the prefix */
	size_t ignored;			/* keys matching neither template */
	size_t legacy;			/* legacy-scheme keys (ignored) */
	size_t invalid;			/* new-template keys that do not parse */
	size_t filtered;		/* left out by version_glob */
	size_t retired;			/* left out: only retired stacks */
};

/*
 * Lists and HEADs as described above; *out is caller-owned (release it
 * with scan_result_release, also on failure).  Returns 0 when the listing
 * worked (per-item problems are in each item's state), else the listing's
 * AV_E* code (reported).
 */
int scan_run(struct s3_client *c, const struct config *cfg,
	     const struct scan_opts *o, struct scan_result *out);

void scan_result_release(struct scan_result *r);

#endif
