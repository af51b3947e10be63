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
 * (provenance.h).  An object that records no sha256 is read and hashed when
 * compute_missing is set (GET with If-Match on the ETag just seen).
 *
 * Errors of S3 operations are reported by the s3 module; this one reports
 * skipped keys and vanished objects.
 */
#ifndef ARCHIVIST_SCAN_H
#define ARCHIVIST_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/config.h"
#include "archivist/naming.h"
#include "archivist/s3.h"

struct scan_opts {
	const char *bucket;
	const char *prefix;		/* "" or a prefix ending in '/' */
	const char *version_glob;	/* NULL: every version */
	int jobs;			/* requests at once; < 1 means 1 */
	int compute_missing;		/* hash objects that record no sha256 */
};

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
	int computed;			/* 1: sha256 computed by reading */
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
